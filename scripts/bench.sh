#!/usr/bin/env bash
# Load benchmark of the role dashboards and heaviest pages, on loopback, with the release build
# and the demo data. Usage: scripts/bench.sh [duration-seconds] [connections...]
# Needs wrk (Debian: apt-get install wrk). Results go to stdout as a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
shift || true
connections=${*:-"1 8 32 64"}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
eval "$(scripts/pg-start.sh)"
base_url=${DATABASE_URL%/*}
db_url="$base_url/zhianbao_bench"
port=18080
cargo build --release --locked --quiet
ZHIANBAO_LOG=warn DATABASE_URL=$db_url ./target/release/zhianbao serve --demo --bind 127.0.0.1:$port >/tmp/zhianbao-bench.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done

cookie_for() { # username → session cookie value
  curl -s -o /dev/null -D - -X POST -H "Origin: http://127.0.0.1:$port" \
    --data "username=$1&password=zhianbao-demo" http://127.0.0.1:$port/login |
    sed -n 's/^set-cookie: zb_sid=\([^;]*\).*/\1/Ip'
}
policy_id=$(psql "$db_url" -tAc "SELECT po.id FROM policies po JOIN projects p ON p.id = po.project_id WHERE p.name = '融创东方悦府'")
project_id=$(psql "$db_url" -tAc "SELECT id FROM projects WHERE name = '融创东方悦府'")

echo "| page | user | connections | req/s | p50 | p99 |"
echo "|---|---|---|---|---|---|"
run() { # label user path
  local cookie; cookie=$(cookie_for "$2")
  for c in $connections; do
    local threads=$(( c < 2 ? 1 : 2 ))
    local out; out=$(wrk -t"$threads" -c"$c" -d"${duration}s" --latency -H "Cookie: zb_sid=$cookie" "http://127.0.0.1:$port$3")
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    echo "| $1 | $2 | $c | $rps | $p50 | $p99 |"
  done
}
run "regulator dashboard (coverage)" laoshan-zjj /
run "insurer dashboard" picc-qd /
run "developer dashboard" sunac-dev /
run "agency dashboard" hexin-tis /
run "project list" laoshan-zjj /projects
run "project detail" laoshan-zjj "/projects/$project_id"
run "policy detail" pingan-qd "/policies/$policy_id"
run "coverage API" laoshan-zjj /api/v1/coverage
run "rectification orders" laoshan-zjj /orders
run "inspection list" hexin-tis /inspections
run "insurer claims queue" pingan-qd /claims
run "claims API" pingan-qd /api/v1/claims
run "owner home" owner-demo /
out=$(wrk -t2 -c64 -d"${duration}s" http://127.0.0.1:$port/healthz)
echo "| /healthz | — | 64 | $(awk '/Requests\/sec/ {print $2}' <<<"$out") | | |"
# Each login hashes in 19 MiB of Argon2 memory: the server's memory must not grow with logins.
for _ in $(seq 1 8); do
  logins=()
  for _ in $(seq 1 8); do cookie_for laoshan-zjj >/dev/null & logins+=($!); done
  wait "${logins[@]}"
done
echo
echo "RSS of the server after 64 more logins, 8 at a time: $(awk '/VmRSS/ {print $2, $3}' /proc/$server/status)"
echo "peak RSS of the server: $(awk '/VmHWM/ {print $2, $3}' /proc/$server/status)"
