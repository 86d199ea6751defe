# Helpers shared by the benchmark scripts (sourced, not run).

# Waits until the server on `port` answers and has finished its first climb of the escalation
# ladder (it climbs once as it starts, then every ten minutes): measure after that sweep, not
# beside it. Then vacuums and analyses, as autovacuum soon would: the sweep writes thousands of
# audit entries and notifications, and on a cluster run with autovacuum off (as CI machines are)
# the planner would go on reading the audit log by statistics taken before them.
await_server() { # port database-url
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && break; sleep 0.1; done
  sleep 1
  for _ in $(seq 1 600); do
    busy=$(psql "$2" -tAc "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'zhianbao-admin' AND state = 'active'")
    [ "$busy" = 0 ] && break
    sleep 0.5
  done
  psql "$2" -qc "VACUUM (ANALYZE)"
  # The vacuum's dirty pages are flushed now, not by a checkpoint during the first measurement.
  psql "$2" -qc "CHECKPOINT"
}

# What a page-beside-its-SQL run needs: wrk, pgbench and a PostgreSQL that answers (exported as
# DATABASE_URL by scripts/pg-start.sh).
require_load_tools_and_database() {
  require_tool wrk wrk
  require_tool pgbench postgresql-client
  eval "$(scripts/pg-start.sh)"
}

# The bench database of `scale` on the server scripts/pg-start.sh answered for (after its eval).
bench_db_url() { # scale
  echo "${DATABASE_URL%/*}/zhianbao_bench_$1"
}

# Stops unless `command` is installed, naming the Debian package that brings it.
require_tool() { # command package
  command -v "$1" >/dev/null || { echo "$1 is required (apt-get install $2)" >&2; exit 1; }
}

# Refuses to go on without the bench database a scale's script generates.
require_bench_db() { # database-url scale
  psql "$1" -tAc "SELECT 1 FROM organisations WHERE code LIKE 'gen-%' LIMIT 1" 2>/dev/null | grep -q 1 ||
    { echo "no $2 bench database: run scripts/bench-scale.sh $2 first" >&2; exit 1; }
}

# Starts the release server in the background with every page computed for each request (no
# figures shared between readers), as the targets are stated; its pid is then in $!.
serve_computed() { # port database-url log-file
  ZHIANBAO_ANALYTICS_CACHE_MS=0 ZHIANBAO_LOG=warn DATABASE_URL=$2 "${ZHIANBAO_BIN:-./target/release/zhianbao}" serve \
    --bind "127.0.0.1:$1" >"$3" 2>&1 &
}

# The p50 of wrk's --latency output, in milliseconds.
p50_ms() {
  awk '$1 == "50%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }'
}

# The median of numbers separated by spaces.
median() {
  tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# A session cookie value for a demo user of the server on `port`.
login_cookie() { # port username
  curl -s -o /dev/null -D - -X POST -H "Origin: http://127.0.0.1:$1" \
    --data "username=$2&password=zhianbao-demo" "http://127.0.0.1:$1/login" |
    sed -n 's/^set-cookie: zb_sid=\([^;]*\).*/\1/Ip'
}

# The user of the organisation of `kind` party to the most projects.
biggest_party() { # database-url kind
  psql "$1" -tAc "SELECT u.username FROM stats_party_projects m JOIN organisations o ON o.id = m.org_id JOIN users u ON u.org_id = o.id WHERE o.kind = '$2' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
}

# The user of the insurer leading the most projects.
biggest_insurer() { # database-url
  psql "$1" -tAc "SELECT u.username FROM stats_project_league l JOIN users u ON u.org_id = l.insurer_org_id GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
}
