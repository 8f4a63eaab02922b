#!/usr/bin/env bash
# Smoke-test the CLI source under Deno (installed from npm as a devDependency).
set -euo pipefail
root=$1
deno="$root/node_modules/.bin/deno"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$deno" --version | head -1
"$deno" run -A "$root/cmd/main.ts" --version
"$deno" run -A "$root/cmd/main.ts" doctor
"$deno" run -A "$root/cmd/main.ts" validate -c "$root/fixtures/configs/valid/constant.yaml" > validated.yaml
grep -q "worker_max_concurrency: 250" validated.yaml
# A short benchmark under Deno against the built-in simulator (Workers, node:net transport).
"$deno" run -A "$root/cmd/main.ts" run -c "$root/fixtures/configs/quickstart.yaml" --quiet \
  --output-dir "$work/reports" --set 'load.stages[0].duration=1' --set 'load.stages[1].duration=1'
test -s "$work/reports/summary_lifecycle_metrics.json"
echo "run under deno: ok"
