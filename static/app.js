// zhianbao page behaviour, loaded as a file (the Content-Security-Policy forbids inline script).
(function () {
  "use strict";

  // Click a header of a table.zb-sortable to sort by that column; cells may carry data-sort.
  function sortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      th.tabIndex = 0;
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > index; });
        var key = function (row) {
          var cell = row.cells[index];
          var raw = cell.getAttribute("data-sort") || cell.textContent.trim();
          var number = parseFloat(raw.replace(/[¥,%\s]/g, ""));
          return isNaN(number) || !/^[-¥\d.,%\s]+$/.test(raw) ? raw : number;
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var result = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
          return ascending ? result : -result;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
    });
  }

  // <input data-filter-for="table-id"> hides rows that do not contain the typed text.
  function filter(input) {
    var table = document.getElementById(input.getAttribute("data-filter-for"));
    if (!table) { return; }
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
  }

  // Buttons with data-confirm ask before submitting their form.
  function confirmations(root) {
    root.addEventListener("click", function (e) {
      var target = e.target.closest("[data-confirm]");
      if (target && !window.confirm(target.getAttribute("data-confirm"))) {
        e.preventDefault();
      }
    });
  }

  // <input type=file data-load-into="textarea-id"> copies a chosen text file into the textarea.
  function fileIntoTextarea(input) {
    input.addEventListener("change", function () {
      var target = document.getElementById(input.getAttribute("data-load-into"));
      var file = input.files && input.files[0];
      if (!target || !file) { return; }
      var reader = new FileReader();
      reader.onload = function () { target.value = String(reader.result); };
      reader.readAsText(file, "utf-8");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[type=file][data-load-into]").forEach(fileIntoTextarea);
    document.querySelectorAll("table.zb-sortable").forEach(sortable);
    document.querySelectorAll("[data-filter-for]").forEach(filter);
    confirmations(document);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
