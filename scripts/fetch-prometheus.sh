#!/usr/bin/env bash
# Fetches Debian's `prometheus` package and unpacks it under .cache/prometheus/ (not installed: no
# service, no system change), for the end-to-end tests of `metrics.type: prometheus`. Idempotent: a
# second run finds the binary and returns. Prints the binary's path; exits non-zero when the package
# cannot be had, and the tests that need it then skip with a message saying so.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/prometheus"
bin="$dest/usr/bin/prometheus"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
command -v apt-get >/dev/null || { echo "fetch-prometheus: apt-get not found (Debian or Ubuntu needed)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
# An image without package lists knows no `prometheus`: read them once, then try again.
if ! apt-get download prometheus >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get download prometheus >/dev/null
fi
mkdir -p "$work/x" "$dest/usr/bin"
dpkg-deb -x prometheus_*.deb "$work/x"
# Only the server binary is needed (the HTTP API); the web UI's files link to other packages.
cp "$work/x/usr/bin/prometheus" "$bin"
[ -x "$bin" ] || { echo "fetch-prometheus: no usr/bin/prometheus in the package" >&2; exit 1; }
echo "$bin"
