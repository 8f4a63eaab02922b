#!/usr/bin/env bash
# Fetches ffprobe from Debian's ffmpeg package, with the libraries it needs, into a folder of its own
# (no install, no root needed once the apt lists exist): the media tests check every generated PNG,
# JPEG, WAV and MP4 with this real decoder. Prints the path of an `ffprobe` wrapper on stdout; an
# `ffmpeg` wrapper sits beside it.
#
#   scripts/fetch-ffprobe.sh [DEST]   DEST defaults to $XDG_CACHE_HOME/inferload/tools/ffprobe
#
# Dependencies are resolved with apt-cache depends (Depends and Pre-Depends, the first of each set of
# alternatives, recursively), skipping packages the machine already has; each .deb is unpacked with
# dpkg-deb -x. Exits 1 with a message on stderr when a step fails (no apt, no network).
set -euo pipefail

dest=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/inferload/tools/ffprobe}
wrapper="$dest/ffprobe"
if [[ -x $wrapper && -x $dest/ffmpeg ]] && "$wrapper" -version >/dev/null 2>&1; then
  echo "$wrapper"
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb dpkg-query; do
  command -v "$tool" >/dev/null || { echo "fetch-ffprobe: $tool not found (needs a Debian-based machine)" >&2; exit 1; }
done

if ! apt-cache show ffmpeg >/dev/null 2>&1; then
  echo "fetch-ffprobe: no apt list names ffmpeg; running apt-get update" >&2
  apt-get update -qq >&2 || { echo "fetch-ffprobe: apt-get update failed" >&2; exit 1; }
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Breadth-first over the dependency graph, one apt-cache call per level.
declare -A seen=()
wanted=()
level=(ffmpeg)
while ((${#level[@]})); do
  fresh=()
  for p in "${level[@]}"; do
    [[ -n ${seen[$p]:-} ]] && continue
    seen[$p]=1
    installed "$p" && continue
    wanted+=("$p")
    fresh+=("$p")
  done
  ((${#fresh[@]})) || break
  # A line " |Depends: a" opens a set of alternatives that ends at the next line without "|": keep the first.
  mapfile -t level < <(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${fresh[@]}" 2>/dev/null | awk '
      /^ *\|?(Depends|PreDepends): / {
        alt = ($0 ~ /^ *\|/)
        name = $2
        if (!skip && name !~ /^</) { sub(/:.*/, "", name); print name }
        skip = alt
      }')
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch-ffprobe: downloading ${#wanted[@]} packages" >&2
(cd "$tmp" && apt-get download -qq "${wanted[@]}" >&2) || { echo "fetch-ffprobe: apt-get download failed" >&2; exit 1; }

rm -rf "$dest"
mkdir -p "$dest/root"
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$dest/root"; done

# Every folder holding a shared library (blas/lapack live in subfolders that alternatives would link).
libpath=$(find "$dest/root" -name '*.so*' -printf '%h\n' | sort -u | paste -sd: -)
# ffprobe checks containers and streams; ffmpeg (same package) decodes frames to check their samples.
for tool in ffprobe ffmpeg; do
  cat >"$dest/$tool" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$libpath\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$dest/root/usr/bin/$tool" "\$@"
EOF
  chmod +x "$dest/$tool"
done
"$wrapper" -version >/dev/null 2>&1 || { echo "fetch-ffprobe: the unpacked ffprobe does not run" >&2; "$wrapper" -version >&2 || true; exit 1; }
echo "$wrapper"
