#!/usr/bin/env bash
# Every dashboard against its own SQL. For each page, the statements it sends PostgreSQL for one
# request (the session lookup, the tenant context, every query, the commit) are taken from the
# server log with their parameters and replayed by pgbench as the app role: wrk on the page and
# pgbench on its twin run at the same connection counts, one after the other, and app / pgbench
# is the application's own share. No statement is copied by hand, so a twin cannot drift from its
# page. pgbench prepares each statement once per connection, as the application's driver does. Needs a bench database made by scripts/bench-scale.sh, wrk and pgbench.
# Usage: scripts/bench-twins.sh [city|national] [rounds] [seconds] [connections...]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh
scale=${1:-city}
rounds=${2:-3}
duration=${3:-3}
shift 3 || shift $# || true
connections=${*:-"1 32"}
require_load_tools_and_database
db_url=$(bench_db_url "$scale")
require_bench_db "$db_url" "$scale"
# Where this server logs: its collector's file, Debian's cluster log, or pg-start.sh's own cluster.
log=$(psql "$db_url" -tAc "SELECT pg_current_logfile()")
[ -n "$log" ] || log=$( (ls -t /var/log/postgresql/postgresql-*.log /tmp/zhianbao-pgdata-*/server.log 2>/dev/null || true) | head -1)
[ -r "$log" ] || { echo "cannot read the PostgreSQL server log" >&2; exit 1; }
cargo build --release --locked --quiet
port=18095
serve_computed "$port" "$db_url" /tmp/zhianbao-bench-twins.log
server=$!
work=$(mktemp -d)
logging_off() { psql "$db_url" -qc "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null; }
trap 'logging_off; kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
await_server "$port" "$db_url"

# The statements of one request of `path` by the holder of `cookie`, as a pgbench script.
twin() { # cookie path script
  curl -s -o /dev/null -H "Cookie: zb_sid=$1" "http://127.0.0.1:$port$2" # plans made, caches warm
  local from; from=$(stat -c %s "$log")
  psql "$db_url" -qc "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.2
  curl -s -o /dev/null -H "Cookie: zb_sid=$1" "http://127.0.0.1:$port$2"
  sleep 0.2
  logging_off
  tail -c +$((from + 1)) "$log" | python3 scripts/pg-log-twin.py "zhianbao_app@${db_url##*/}" >"$3"
}

echo "| page | user | connections | req/s | p50 | statements | pgbench same SQL (tps) | app / pgbench |"
echo "|---|---|---|---|---|---|---|---|"
run() { # label user path
  local cookie; cookie=$(login_cookie "$port" "$2")
  local script="$work/twin.sql"
  twin "$cookie" "$3" "$script"
  local statements; statements=$(($(grep -c ";$" "$script") - 1)) # without its SET ROLE
  for c in $connections; do
    local threads=$(( c < 2 ? 1 : 2 ))
    local rps="" p50="" tps=""
    # Page and twin in turns, each first in every other round, so both see the same machine and
    # its drift; the medians are compared.
    for round in $(seq 1 "$rounds"); do
      local out twin
      if ((round % 2)); then
        out=$(wrk -t"$threads" -c"$c" -d"${duration}s" --latency -H "Cookie: zb_sid=$cookie" "http://127.0.0.1:$port$3")
        twin=$(pgbench -n -M prepared -f "$script" -c "$c" -j "$threads" -T "$duration" "$db_url" 2>/dev/null)
      else
        twin=$(pgbench -n -M prepared -f "$script" -c "$c" -j "$threads" -T "$duration" "$db_url" 2>/dev/null)
        out=$(wrk -t"$threads" -c"$c" -d"${duration}s" --latency -H "Cookie: zb_sid=$cookie" "http://127.0.0.1:$port$3")
      fi
      rps+="$(awk '/Requests\/sec/ {print $2}' <<<"$out") "
      p50+="$(p50_ms <<<"$out") "
      tps+="$(awk '/^tps/ {print $3}' <<<"$twin") "
    done
    rps=$(median <<<"$rps"); tps=$(median <<<"$tps")
    printf "| %s | %s | %s | %.1f | %.2f ms | %s | %.1f | %s |\n" "$1" "$2" "$c" "$rps" "$(median <<<"$p50")" "$statements" "$tps" \
      "$(awk -v a="$rps" -v b="$tps" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"
  done
}
insurer=$(biggest_insurer "$db_url")
agency=$(biggest_party "$db_url" risk_agency)
developer=$(biggest_party "$db_url" developer)
run "bureau home (district)" laoshan-zjj /
run "bureau analytics (district)" laoshan-zjj /analytics
run "bureau analytics (city)" qingdao-zjj /analytics
run "insurer home" "$insurer" /
run "insurer book" "$insurer" /book
run "insurer claims queue" "$insurer" /claims
run "agency home" "$agency" /
run "developer home" "$developer" /
run "contractor home" qdjg-build /
