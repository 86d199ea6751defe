#!/usr/bin/env bash
# Re-vendors the front-end assets from the npm registry at pinned versions. The results are
# committed under static/vendor/, so neither CI nor the running server ever needs npm or a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
out=static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() { # package@version, then file pairs: path-in-package destination-name
  local spec=$1; shift
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  local tarball; tarball=$(ls "$work"/*.tgz)
  mkdir -p "$work/x" && tar -xzf "$tarball" -C "$work/x"
  while [ $# -gt 0 ]; do cp "$work/x/package/$1" "$out/$2"; shift 2; done
  rm -rf "$work/x" "$tarball"
}
mkdir -p "$out"
fetch @tabler/core@1.6.1 dist/css/tabler.min.css tabler.min.css
fetch htmx.org@2.0.11 dist/htmx.min.js htmx.min.js
fetch echarts@6.1.0 dist/echarts.min.js echarts.min.js
(cd "$out" && sha256sum tabler.min.css htmx.min.js echarts.min.js > SHA256SUMS)
echo "vendored into $out:"; cat "$out/SHA256SUMS"
