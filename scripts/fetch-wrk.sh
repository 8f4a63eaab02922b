#!/usr/bin/env bash
# Fetches wrk (with its LuaJIT) from Debian's package into a folder of its own
# (scripts/fetch-debian-tool.sh), for scripts/bench/sim-capacity.ts. Prints the wrapper's path.
#
#   scripts/fetch-wrk.sh [DEST]   DEST defaults to $XDG_CACHE_HOME/inferload/tools/wrk
set -euo pipefail
DEST=${1:-${DEST:-}} exec "$(dirname "$0")/fetch-debian-tool.sh" wrk wrk wrk
