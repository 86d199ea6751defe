#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers and prints `export DATABASE_URL=...` for it:
#  1. one already listening on 127.0.0.1:5432 is used as it is;
#  2. else a Debian cluster that exists but is stopped is started;
#  3. else a private throwaway cluster is initialised under /tmp and started on 55432.
# Idempotent; safe to run again.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"; exit 0
fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"; exit 0
  fi
fi
port=55432
dir=/tmp/zhianbao-pgdata-$port
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
  echo "No PostgreSQL found. Install it (Debian/Ubuntu: apt-get install postgresql) or run: docker compose up db" >&2
  exit 1
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! pg_isready -q -h 127.0.0.1 -p $port 2>/dev/null; then
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"; chmod 700 "$dir"
    as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
  fi
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2
fi
echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
