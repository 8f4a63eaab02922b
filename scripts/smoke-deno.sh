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
