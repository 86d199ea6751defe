// Charts on analytics pages: each [data-chart] element carries its data as JSON (kind: "stacked"
// or plain bars, or "line"; categories, series, optionally "percent" for a 0–100 % axis and a link
// per category that a click on a bar follows to the rows behind it).
(function () {
  "use strict";
  var palette = ["#206bc4", "#f59f00", "#2fb344", "#d63939", "#ae3ec9", "#17a2b8", "#f76707", "#74b816"];
  function draw(el) {
    var spec = JSON.parse(el.getAttribute("data-chart"));
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: palette,
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: spec.kind === "line" ? {} : { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } },
      yAxis: spec.percent
        ? { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
        : { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) {
        if (spec.kind === "line") {
          return { name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: 4 };
        }
        return { name: s.name, type: "bar", stack: spec.kind === "stacked" ? "all" : undefined, data: s.data, cursor: spec.links ? "pointer" : "default" };
      })
    });
    if (spec.links) {
      chart.on("click", function (p) { window.location.href = spec.links[p.dataIndex]; });
    }
    el.setAttribute("data-rendered", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
