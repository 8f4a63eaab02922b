#!/usr/bin/env bash
# Fetches ffprobe from Debian's ffmpeg package into a folder of its own (scripts/fetch-debian-tool.sh):
# the media tests check every generated PNG, JPEG, WAV and MP4 with this real decoder. Prints the path
# of an `ffprobe` wrapper on stdout; an `ffmpeg` wrapper sits beside it.
#
#   scripts/fetch-ffprobe.sh [DEST]   DEST defaults to $XDG_CACHE_HOME/inferload/tools/ffprobe
set -euo pipefail
DEST=${1:-${DEST:-}} exec "$(dirname "$0")/fetch-debian-tool.sh" ffprobe ffmpeg ffprobe ffmpeg
