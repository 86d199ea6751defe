#!/usr/bin/env bash
# Runs every test: starts PostgreSQL if none answers, starts chromedriver for the browser tests
# (installing Debian's chromium, the CJK fonts and poppler-utils for the PDF tests when missing
# and allowed), then `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/pg-start.sh)"
export DATABASE_URL
missing=()
command -v chromedriver >/dev/null || missing+=(chromium chromium-driver)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} from Debian's packages…" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "missing ${missing[*]}: install them to run the browser and PDF tests" >&2
  fi
fi
if command -v chromedriver >/dev/null && [ -z "${WEBDRIVER_URL:-}" ]; then
  port=9515
  while (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  chromedriver --port=$port --silent >/dev/null 2>&1 &
  driver=$!
  trap 'kill $driver 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  export WEBDRIVER_URL=http://127.0.0.1:$port
fi
cargo test --locked "$@"
