#!/usr/bin/env bash
# Oversight at scale: generates (once) a `city` or `national` database, then measures the bureau's
# analytics and the heaviest lists with wrk at several connection counts and, beside the analytics
# pages computed for every request, the same SQL run by pgbench as the app role under the same
# tenant context — the ratio is the application's own cost. The same pages are also measured as
# served, with a bureau's figures shared between its readers for up to a second. Usage: scripts/bench-scale.sh [city|national] [seconds] [connections...]
# Needs wrk and pgbench (Debian: wrk, postgresql-client). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh
scale=${1:-city}
duration=${2:-10}
shift 2 || shift $# || true
connections=${*:-"1 8 64"}
require_load_tools_and_database
db_url=$(bench_db_url "$scale")
port=18081
cargo build --release --locked --quiet
if [ "$(psql "$db_url" -tAc "SELECT count(*) FROM organisations WHERE code LIKE 'gen-%'" 2>/dev/null || echo 0)" = 0 ]; then
  /usr/bin/time -f "generator: %e s, peak RSS %M KB" \
    env ZHIANBAO_LOG=warn DATABASE_URL=$db_url ./target/release/zhianbao generate --scale "$scale" --until 2026-11-29
fi
psql "$db_url" -tAc "SELECT 'findings: ' || count(*) FROM findings; SELECT 'claims: ' || count(*) FROM claims; SELECT 'shared_buffers: ' || current_setting('shared_buffers');"
ZHIANBAO_LOG=warn DATABASE_URL=$db_url ./target/release/zhianbao serve --bind 127.0.0.1:$port >/tmp/zhianbao-bench-scale.log 2>&1 &
server=$!
# A second server that shares no analytics figures between readers: what each page costs alone.
uncached_port=$((port + 1))
serve_computed "$uncached_port" "$db_url" /tmp/zhianbao-bench-scale-uncached.log
uncached=$!
trap 'kill $server $uncached 2>/dev/null || true' EXIT
for p in $port $uncached_port; do
  await_server "$p" "$db_url"
done

cookie_for() { # username → session cookie value
  login_cookie "$port" "$1"
}

# The tenant context of a user, as the server sets it at the start of each transaction.
context_sql() { # username
  psql "$db_url" -tAc "SELECT format('SELECT set_config(''app.user_id'', %L, true), set_config(''app.user_role'', %L, true), set_config(''app.org_id'', %L, true), set_config(''app.org_kind'', %L, true), set_config(''app.district_id'', %L, true);', u.id, u.role, o.id, o.kind, o.district_id) FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.username = '$1'"
}

# The bureau's districts (its own and its children), as the page names them in each query.
districts_of() { # username
  psql "$db_url" -tAc "SELECT quote_literal('{' || string_agg(d.id::text, ',') || '}') FROM users u JOIN organisations o ON o.id = u.org_id JOIN districts d ON d.id = o.district_id OR d.parent_id = o.district_id WHERE u.username = '$1'"
}

# The page's dates, on Shanghai's calendar as the server keeps them: today, and the Monday of the
# week 90 days ago (the default window).
today=$(psql "$db_url" -tAc "SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date")
since=$(psql "$db_url" -tAc "SELECT date_trunc('week', DATE '$today' - 90)::date")

# The analytics page's SQL (src/storage/analytics.rs, coverage.rs), for all the bureau's districts,
# window 90 days, league of agencies: every statement the page runs, in its order.
analytics_sql() { # username
  local ids; ids=$(districts_of "$1")
  cat <<SQL
SELECT id, name_zh, name_en FROM districts WHERE app.in_jurisdiction(id) ORDER BY admin_code;
SELECT stage, housing_type, sum(projects)::bigint FROM stats_projects WHERE district_id = ANY($ids) GROUP BY 1, 2;
SELECT stage_code, level, sum(total)::bigint, sum(open)::bigint FROM stats_findings WHERE district_id = ANY($ids) GROUP BY 1, 2;
SELECT severe, sum(raised)::bigint, sum(closed)::bigint FROM stats_finding_days WHERE district_id = ANY($ids) AND raised_week >= DATE '$since' GROUP BY 1;
SELECT severe, days, sum(closures)::bigint FROM stats_closures WHERE district_id = ANY($ids) AND closed_week >= DATE '$since' GROUP BY 1, 2;
SELECT c.insurer_org_id, o.name_zh, c.status, c.claims FROM (SELECT insurer_org_id, status, sum(claims)::bigint AS claims FROM stats_claims WHERE district_id = ANY($ids) GROUP BY 1, 2) c JOIN organisations o ON o.id = c.insurer_org_id;
SELECT insurer_org_id, complex, days, sum(decisions)::bigint FROM stats_claim_decisions WHERE district_id = ANY($ids) GROUP BY 1, 2, 3;
SELECT transfer_month, housing_type, sum(requiring)::bigint, sum(insured)::bigint FROM stats_coverage WHERE district_id = ANY($ids) GROUP BY 1, 2 ORDER BY 1, 2;
SELECT category, kind, sum(events)::bigint, sum(hazards_found)::bigint, sum(participants)::bigint FROM stats_safety WHERE district_id = ANY($ids) AND month >= date_trunc('month', DATE '$since')::date GROUP BY 1, 2 ORDER BY 1, 2;
SELECT o.id, o.number, o.level, o.deadline, p.name, d.name_zh FROM rectification_orders o JOIN projects p ON p.id = o.project_id JOIN organisations d ON d.id = o.developer_org_id WHERE o.status <> 'closed' AND o.level IN ('D', 'E') AND o.deadline < DATE '$today' AND o.district_id = ANY($ids) ORDER BY o.deadline LIMIT 20;
SELECT o.id, o.name_zh, l.* FROM (SELECT org_id, sum(projects)::bigint, sum(floor_area_m2)::float8, sum(units)::bigint, sum(defects)::bigint, sum(severe)::bigint, sum(orders)::bigint, sum(orders_closed)::bigint, sum(orders_on_time)::bigint, sum(claims)::bigint FROM stats_party_league WHERE district_id = ANY($ids) AND party = 'agency' GROUP BY 1 HAVING sum(projects) > 0) l JOIN organisations o ON o.id = l.org_id;
SQL
}

drill_sql() { # username
  local ids; ids=$(districts_of "$1")
  cat <<SQL
SELECT id, name_zh, name_en FROM districts WHERE app.in_jurisdiction(id) ORDER BY admin_code;
SELECT f.inspection_id, p.name, d.name_zh, i.stage_code, f.current_level, f.status, f.location, f.description, f.created_at FROM findings f JOIN inspections i ON i.id = f.inspection_id JOIN projects p ON p.id = f.project_id JOIN organisations d ON d.id = f.developer_org_id WHERE f.current_level = 'D' AND f.district_id = ANY($ids) AND f.status = 'open' ORDER BY f.created_at DESC LIMIT 500;
SQL
}

pgbench_tps() { # user sql-function connections
  local script; script=$(mktemp)
  { echo "BEGIN;"; echo "SET LOCAL ROLE zhianbao_app;"; context_sql "$1"; $2 "$1"; echo "COMMIT;"; } >"$script"
  local threads=$(( $3 < 2 ? 1 : 2 ))
  pgbench -n -f "$script" -c "$3" -j "$threads" -T "$duration" "$db_url" 2>/dev/null | awk '/^tps/ {print $3}'
  rm -f "$script"
}

echo "| page | user | connections | req/s | p50 | p99 | non-2xx | pgbench same SQL (tps) | app / pgbench |"
echo "|---|---|---|---|---|---|---|---|---|"
run() { # label user path [sql-function] — on the uncached server when a pgbench twin is named
  local cookie; cookie=$(cookie_for "$2")
  local at=$port
  if [ -n "${4:-}" ]; then at=$uncached_port; fi
  for c in $connections; do
    local threads=$(( c < 2 ? 1 : 2 ))
    local out; out=$(wrk -t"$threads" -c"$c" -d"${duration}s" --latency -H "Cookie: zb_sid=$cookie" "http://127.0.0.1:$at$3")
    local rps p50 p99 errors tps="" ratio=""
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx/ {print $NF} /Socket errors/ {print "timeouts " $NF}' <<<"$out" | tr '\n' ' ')
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    if [ -n "${4:-}" ]; then
      tps=$(pgbench_tps "$2" "$4" "$c")
      ratio=$(awk -v a="$rps" -v b="$tps" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
    fi
    echo "| $1 | $2 | $c | $rps | $p50 | $p99 | ${errors:-0} | $tps | $ratio |"
  done
}
run "bureau analytics (district), each page computed" laoshan-zjj /analytics analytics_sql
run "bureau analytics (city), each page computed" qingdao-zjj /analytics analytics_sql
run "bureau analytics (district), figures shared ≤ 1 s" laoshan-zjj /analytics
run "bureau analytics (city), figures shared ≤ 1 s" qingdao-zjj /analytics
run "analytics API (city), figures shared ≤ 1 s" qingdao-zjj /api/v1/analytics
run "drill-down: open D findings" qingdao-zjj "/analytics/findings?level=D&open=1" drill_sql
run "bureau home (counters + coverage)" laoshan-zjj /
# The insurer leading the most projects.
insurer=$(biggest_insurer "$db_url")
# The agency and the developer party to the most projects.
agency=$(biggest_party "$db_url" risk_agency)
developer=$(biggest_party "$db_url" developer)
run "agency home" "$agency" /
run "developer home" "$developer" /
# The cursor of a list's page after its first `pages` × 500 rows, as the API hands it out.
cursor_after() { # user api-path pages
  local cookie; cookie=$(cookie_for "$1")
  local after=""
  for _ in $(seq 1 "$3"); do
    after=$(curl -s -H "Cookie: zb_sid=$cookie" "http://127.0.0.1:$port$2?limit=500${after:+&after=$after}" |
      python3 -c 'import json, sys; print(json.load(sys.stdin).get("next") or "")')
  done
  echo "$after"
}
run "projects list (agency, first 100)" "$agency" /projects
run "projects list (agency, after 1,000)" "$agency" "/projects?after=$(cursor_after "$agency" /api/v1/projects 2)"
run "orders list (agency, first 100)" "$agency" /orders
run "orders list (agency, after 10,000)" "$agency" "/orders?after=$(cursor_after "$agency" /api/v1/orders 20)"
run "orders list (insurer, first 100)" "$insurer" /orders
run "orders list (developer, first 100)" "$developer" /orders
run "orders list (district bureau, first 100)" laoshan-zjj /orders
run "inspections list (agency, first 100)" "$agency" /inspections
run "inspections list (insurer, first 100)" "$insurer" /inspections
run "inspections list (developer, first 100)" "$developer" /inspections
run "contractor home" qdjg-build /
run "orders list (contractor, who sees none)" qdjg-build /orders
run "insurer claims queue (page 1 of 50)" "$insurer" /claims
run "insurer claims queue (page 20)" "$insurer" "/claims?page=20"
run "insurer home" "$insurer" /
run "insurer book" "$insurer" /book
run "monthly report PDF (city)" qingdao-zjj /analytics/monthly.pdf
out=$(wrk -t2 -c64 -d"${duration}s" http://127.0.0.1:$port/healthz)
echo "| /healthz | — | 64 | $(awk '/Requests\/sec/ {print $2}' <<<"$out") | | | | | |"
echo
echo "peak RSS of the server: $(awk '/VmHWM/ {print $2, $3}' /proc/$server/status)"
