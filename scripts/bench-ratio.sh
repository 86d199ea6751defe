#!/usr/bin/env bash
# City → national, page by page, on a machine whose speed drifts: serves both bench databases at
# once (made by scripts/bench-scale.sh city|national) and measures each page at one connection on
# the city server, then at once on the national one, round after round, so both scales see the
# same machine. Prints each page's median p50 at each scale and their ratio (the issue's target:
# ≤ 1.2× and ≤ 10 ms). Pages that read the same rows at both scales (the contractor's, the
# bureau's district counters) are the control: their ratio is the machine's own drift.
# Usage: scripts/bench-ratio.sh [rounds] [seconds per page]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh
rounds=${1:-5}
seconds=${2:-2}
require_tool wrk wrk
eval "$(scripts/pg-start.sh)"
cargo build --release --locked --quiet
declare -A port=([city]=18091 [national]=18092)
servers=()
for scale in city national; do
  db=$(bench_db_url "$scale")
  require_bench_db "$db" "$scale"
  serve_computed "${port[$scale]}" "$db" "/tmp/zhianbao-bench-ratio-$scale.log"
  servers+=($!)
done
trap 'kill "${servers[@]}" 2>/dev/null || true' EXIT
for scale in city national; do
  await_server "${port[$scale]}" "$(bench_db_url "$scale")"
done

declare -A user
for scale in city national; do
  db=$(bench_db_url "$scale")
  user[$scale,insurer]=$(biggest_insurer "$db")
  user[$scale,agency]=$(biggest_party "$db" risk_agency)
  user[$scale,developer]=$(biggest_party "$db" developer)
  user[$scale,bureau]=laoshan-zjj
  user[$scale,contractor]=qdjg-build
done
declare -A cookie
for key in "${!user[@]}"; do
  cookie[$key]=$(login_cookie "${port[${key%,*}]}" "${user[$key]}")
done

pages=(
  "insurer home|insurer|/"
  "insurer book|insurer|/book"
  "insurer claims queue|insurer|/claims"
  "agency home|agency|/"
  "developer home|developer|/"
  "bureau analytics (district)|bureau|/analytics"
  "bureau home (control)|bureau|/"
  "contractor home (control)|contractor|/"
)
declare -A samples
for _ in $(seq 1 "$rounds"); do
  for page in "${pages[@]}"; do
    IFS='|' read -r label who path <<<"$page"
    for scale in city national; do
      out=$(wrk -t1 -c1 -d"${seconds}s" --latency -H "Cookie: zb_sid=${cookie[$scale,$who]}" "http://127.0.0.1:${port[$scale]}$path")
      samples[$label,$scale]+="$(p50_ms <<<"$out") "
    done
  done
done
echo "| page | city p50 | national p50 | national / city |"
echo "|---|---|---|---|"
for page in "${pages[@]}"; do
  IFS='|' read -r label _ _ <<<"$page"
  city=$(median <<<"${samples[$label,city]}")
  national=$(median <<<"${samples[$label,national]}")
  echo "| $label | ${city} ms | ${national} ms | $(awk -v a="$national" -v b="$city" 'BEGIN { printf "%.2f×", a / b }') |"
done
echo
echo "median of $rounds rounds of ${seconds} s at one connection, city then national within each round"
