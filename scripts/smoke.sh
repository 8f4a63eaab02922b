#!/usr/bin/env bash
# Smoke-test a compiled inferload binary from a directory outside the repo (Worker paths break there).
set -euo pipefail
bin=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" --version
"$bin" doctor
"$bin" validate -c "$root/fixtures/configs/valid/constant.yaml" > validated.yaml
grep -q "worker_max_concurrency: 250" validated.yaml
if "$bin" validate -c "$root/fixtures/configs/invalid/negative-rate.yaml" 2>/dev/null; then
  echo "validate accepted an invalid config" >&2
  exit 1
fi
# A short benchmark against the built-in simulator (the README quick start), Workers included.
"$bin" run -c "$root/fixtures/configs/quickstart.yaml" --quiet --output-dir "$work/reports" \
  --set 'load.stages[0].duration=1' --set 'load.stages[1].duration=1'
test -s "$work/reports/summary_lifecycle_metrics.json"
echo "run: ok"
