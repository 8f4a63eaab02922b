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
