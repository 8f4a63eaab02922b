#!/usr/bin/env bash
# Fetches tools from a Debian package, with the libraries they need, into a folder of their own (no
# install, no root needed once the apt lists exist), and writes a wrapper per tool that sets
# LD_LIBRARY_PATH. Prints the path of the first tool's wrapper on stdout; the others sit beside it.
# Used by scripts/fetch-ffprobe.sh (the media tests' real decoder) and scripts/fetch-wrk.sh (the
# simulator's capacity benchmark).
#
#   scripts/fetch-debian-tool.sh NAME PACKAGE TOOL [TOOL...]
#   DEST (env) defaults to $XDG_CACHE_HOME/inferload/tools/NAME
#
# Dependencies are resolved with apt-cache depends (Depends and Pre-Depends, the first of each set of
# alternatives, recursively), skipping packages the machine already has; each .deb is unpacked with
# dpkg-deb -x. Exits 1 with a message on stderr when a step fails (no apt, no network).
set -euo pipefail

(($# >= 3)) || { echo "usage: fetch-debian-tool.sh NAME PACKAGE TOOL [TOOL...]" >&2; exit 2; }
name=$1
package=$2
shift 2
tools=("$@")
dest=${DEST:-${XDG_CACHE_HOME:-$HOME/.cache}/inferload/tools/$name}
wrapper="$dest/${tools[0]}"
# Every wrapper and binary in place, and the first tool loads its libraries (wrk has no option that
# exits 0, so its exit status says nothing).
ready() {
  for tool in "${tools[@]}"; do [[ -x $dest/$tool && -x $dest/unpacked/usr/bin/$tool ]] || return 1; done
  ! "$wrapper" -version 2>&1 | grep -q "error while loading shared libraries"
}
if ready; then
  echo "$wrapper"
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb dpkg-query; do
  command -v "$tool" >/dev/null || { echo "fetch-$name: $tool not found (needs a Debian-based machine)" >&2; exit 1; }
done

if ! apt-cache show "$package" >/dev/null 2>&1; then
  echo "fetch-$name: no apt list names $package; running apt-get update" >&2
  apt-get update -qq >&2 || { echo "fetch-$name: apt-get update failed" >&2; exit 1; }
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Breadth-first over the dependency graph, one apt-cache call per level.
declare -A seen=()
wanted=()
level=("$package")
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
echo "fetch-$name: downloading ${#wanted[@]} packages" >&2
(cd "$tmp" && apt-get download -qq "${wanted[@]}" >&2) || { echo "fetch-$name: apt-get download failed" >&2; exit 1; }

rm -rf "$dest"
mkdir -p "$dest/unpacked"
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$dest/unpacked"; done

# Every folder holding a shared library (blas/lapack live in subfolders that alternatives would link).
libpath=$(find "$dest/unpacked" -name '*.so*' -printf '%h\n' | sort -u | paste -sd: -)
for tool in "${tools[@]}"; do
  cat >"$dest/$tool" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$libpath\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$dest/unpacked/usr/bin/$tool" "\$@"
EOF
  chmod +x "$dest/$tool"
done
ready || { echo "fetch-$name: the unpacked ${tools[0]} does not run" >&2; "$wrapper" -version >&2 || true; exit 1; }
echo "$wrapper"
