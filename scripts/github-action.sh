#!/usr/bin/env bash
# The GitHub Action's logic (action.yml calls it), runnable locally with the same environment:
#   INPUT_CONFIG, INPUT_ARGS, INPUT_VERSION, INPUT_THRESHOLDS   the action's inputs
#   INFERLOAD_BIN            run this inferload binary instead of a downloaded release
#   INFERLOAD_RELEASES_URL   where the releases are (default: the action's own repository's)
#   INFERLOAD_CACHE_DIR      downloaded binaries, one folder per version (default: the runner's tool cache)
#   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY   files the outputs and the job summary are appended to
#
#   github-action.sh resolve   outputs `version` (the tag "latest" stands for) and `cache-dir`
#   github-action.sh run       install if not cached, `inferload run -c CONFIG --json ARGS
#                              --threshold T …`, write the job summary and the outputs, exit with
#                              inferload's exit code (3: a threshold failed; reports are written)
#
# The summary is made by scripts/github-action/finish.ts, run by the inferload binary itself in Bun
# mode (BUN_BE_BUN=1): the one runtime sure to be there, on hosted or self-hosted runners and in job
# containers, where Node.js or jq may not be.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail() {
  echo "::error title=inferload::$*" >&2
  exit 2
}

releases_url() {
  if [ -n "${INFERLOAD_RELEASES_URL:-}" ]; then
    echo "$INFERLOAD_RELEASES_URL"
    return
  fi
  # The repository the action was fetched from: github.action_repository, else from its checkout
  # path (…/_actions/OWNER/REPO/REF), else the workflow's own repository (`uses: ./`).
  local repo=${ACTION_REPOSITORY:-}
  if [ -z "$repo" ] && [[ ${GITHUB_ACTION_PATH:-} =~ /_actions/([^/]+)/([^/]+)/ ]]; then
    repo="${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
  fi
  echo "${GITHUB_SERVER_URL:-https://github.com}/${repo:-${GITHUB_REPOSITORY:?}}/releases"
}

resolve_version() {
  local version=${INPUT_VERSION:-latest}
  [ "$version" = latest ] || { echo "$version"; return; }
  INFERLOAD_RELEASES_URL=$(releases_url) sh "$here/install.sh" --print-version
}

cache_dir() {
  echo "${INFERLOAD_CACHE_DIR:-${RUNNER_TOOL_CACHE:-${TMPDIR:-/tmp}}/inferload}/$1"
}

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; else echo "$1=$2"; fi
}

cmd_resolve() {
  if [ -n "${INFERLOAD_BIN:-}" ]; then
    output version local
    output cache-dir ""
    return
  fi
  local version
  version=$(resolve_version)
  output version "$version"
  output cache-dir "$(cache_dir "$version")"
}

# The binary to run: INFERLOAD_BIN, or the release for this machine, downloaded once per version.
binary() {
  if [ -n "${INFERLOAD_BIN:-}" ]; then
    echo "$INFERLOAD_BIN"
    return
  fi
  local dir name=inferload
  dir=$(cache_dir "$1")
  case "$(uname -s)" in MINGW* | MSYS* | CYGWIN*) name=inferload.exe ;; esac
  if [ -x "$dir/$name" ]; then
    echo "Using cached $dir/$name" >&2
  else
    INFERLOAD_RELEASES_URL=$(releases_url) sh "$here/install.sh" --dir "$dir" --version "$1" >&2
  fi
  echo "$dir/$name"
}

cmd_run() {
  [ -n "${INPUT_CONFIG:-}" ] || fail "input 'config' is required: the path of the benchmark config"
  local version bin json code
  version=local
  [ -n "${INFERLOAD_BIN:-}" ] || version=$(resolve_version)
  bin=$(binary "$version")

  # `args` splits as a shell would (quotes and backslashes), without expanding anything: xargs.
  local args=() arg
  if [[ ${INPUT_ARGS:-} =~ [^[:space:]] ]]; then
    while IFS= read -r -d '' arg; do args+=("$arg"); done < <(printf '%s' "$INPUT_ARGS" | xargs printf '%s\0')
  fi
  # `thresholds`: one per line; blank lines and # comments are skipped.
  local thresholds=() flags=() line
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -z "$line" ] || [[ $line == \#* ]] && continue
    thresholds+=("$line")
    flags+=(--threshold "$line")
  done <<<"${INPUT_THRESHOLDS:-}"

  json="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/inferload-XXXXXX")/run.json"
  local shown
  shown=$(printf ' %q' run -c "$INPUT_CONFIG" --json ${args[@]+"${args[@]}"} ${flags[@]+"${flags[@]}"})
  echo "inferload$shown" >&2
  code=0
  "$bin" run -c "$INPUT_CONFIG" --json ${args[@]+"${args[@]}"} ${flags[@]+"${flags[@]}"} >"$json" || code=$?
  BUN_BE_BUN=1 "$bin" "$here/github-action/finish.ts" "$json" "$code" "$INPUT_CONFIG" "$version" \
    ${thresholds[@]+"${thresholds[@]}"} || echo "::warning title=inferload::could not write the job summary" >&2
  case $code in
    0) ;;
    3) echo "::error title=inferload::a threshold failed (the job summary lists them)" >&2 ;;
    *) echo "::error title=inferload::inferload run exited $code" >&2 ;;
  esac
  return "$code"
}

case "${1:-}" in
  resolve) cmd_resolve ;;
  run) cmd_run ;;
  *) fail "usage: github-action.sh resolve|run" ;;
esac
