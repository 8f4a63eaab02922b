#!/bin/sh
# Install inferload: download the release binary for this OS and CPU, check it against the release's
# SHA256SUMS, and put it in a directory of your choice. Nothing is installed if the check fails.
#
#   curl -fsSL https://github.com/inferload/inferload/releases/latest/download/install.sh | sh
#   curl -fsSL https://github.com/inferload/inferload/releases/latest/download/install.sh | sh -s -- --dir /usr/local/bin --version v0.2.0
#
# Options (each also as an environment variable):
#   --dir DIR       INFERLOAD_INSTALL_DIR   where to put `inferload` (default: $HOME/.local/bin)
#   --version TAG   INFERLOAD_VERSION       a release tag such as v0.2.0 (default: latest)
#   --print-version                         print the tag that would be installed, and stop
#   INFERLOAD_RELEASES_URL  the releases to download from (default: the project's GitHub releases);
#                           any server with GitHub's layout works: URL/latest redirects to URL/tag/TAG,
#                           and assets are at URL/download/TAG/ASSET
# Needs: curl or wget, and sha256sum or shasum. Asset names: scripts/release-targets.ts.
set -eu

releases=${INFERLOAD_RELEASES_URL:-https://github.com/inferload/inferload/releases}
dir=${INFERLOAD_INSTALL_DIR:-${HOME:-}/.local/bin}
version=${INFERLOAD_VERSION:-latest}
print_only=

say() { printf 'inferload install: %s\n' "$*" >&2; }
fail() {
  say "$*"
  exit 1
}

while [ $# -gt 0 ]; do
  case $1 in
    --dir) [ $# -ge 2 ] || fail "--dir needs a directory"; dir=$2; shift 2 ;;
    --dir=*) dir=${1#--dir=}; shift ;;
    --version) [ $# -ge 2 ] || fail "--version needs a release tag such as v0.2.0"; version=$2; shift 2 ;;
    --version=*) version=${1#--version=}; shift ;;
    --print-version) print_only=1; shift ;;
    -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0" 2>/dev/null || true; exit 0 ;;
    *) fail "unknown option \"$1\": expected --dir DIR or --version TAG" ;;
  esac
done
[ -n "$dir" ] || fail "no install directory: pass --dir DIR (HOME is not set)"

# fetch URL FILE
fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$2" "$1" || fail "cannot download $1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || fail "cannot download $1"
  else
    fail "cannot download: neither curl nor wget is installed"
  fi
}

# The tag "latest" stands for, from where URL/latest redirects (no API call, no rate limit).
latest_tag() {
  if command -v curl >/dev/null 2>&1; then
    url=$(curl -fsSLI -o /dev/null -w '%{url_effective}' "$releases/latest") ||
      fail "cannot find the latest release at $releases/latest"
  else
    url=$(wget -S --spider "$releases/latest" 2>&1 | sed -n 's/^ *[Ll]ocation: *//p' | tail -n 1 | tr -d '\r')
  fi
  tag=${url##*/}
  case $url in */tag/?*) printf '%s\n' "$tag" ;; *) fail "cannot find the latest release at $releases/latest (got \"$url\")" ;; esac
}

# The asset for this machine, named as scripts/release-targets.ts names them.
asset_name() {
  os=$(uname -s)
  cpu=$(uname -m)
  case $os in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) os=windows ;;
    *) fail "no inferload build for the operating system \"$os\": Linux, macOS and Windows have one" ;;
  esac
  case $cpu in
    x86_64 | amd64) cpu=x64 ;;
    aarch64 | arm64) cpu=arm64 ;;
    *) fail "no inferload build for the CPU \"$cpu\": x86_64 and arm64 have one" ;;
  esac
  # A shell under Rosetta says x86_64 on Apple silicon: the native build is faster.
  if [ "$os" = darwin ] && [ "$cpu" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
    cpu=arm64
  fi
  suffix=
  if [ "$os" = linux ] && is_musl; then
    [ "$cpu" = x64 ] || fail "no inferload build for arm64 Linux with musl: use the container image"
    suffix=-musl
  fi
  ext=
  [ "$os" = windows ] && ext=.exe
  printf 'inferload-%s-%s%s%s\n' "$os" "$cpu" "$suffix" "$ext"
}

# musl (Alpine) or glibc: ask ldd, else look for musl's loader.
is_musl() {
  case $(ldd --version 2>&1 || true) in *musl*) return 0 ;; esac
  for loader in /lib/ld-musl-*.so.1; do [ -e "$loader" ] && return 0; done
  return 1
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "cannot check the download: neither sha256sum nor shasum is installed"
  fi
}

[ "$version" = latest ] && version=$(latest_tag)
if [ -n "$print_only" ]; then
  printf '%s\n' "$version"
  exit 0
fi
asset=$(asset_name)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

say "downloading $asset $version"
fetch "$releases/download/$version/SHA256SUMS" "$tmp/SHA256SUMS"
fetch "$releases/download/$version/$asset" "$tmp/$asset"
# "<hex>  <name>", or "<hex> *<name>" as sha256sum writes binary mode.
expected=$(awk -v n="$asset" '$2 == n || $2 == "*" n { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || fail "SHA256SUMS of $version has no line for $asset"
actual=$(sha256 "$tmp/$asset")
[ "$actual" = "$expected" ] || fail "checksum mismatch for $asset $version: expected $expected, got $actual; nothing installed"

name=inferload
case $asset in *.exe) name=inferload.exe ;; esac
mkdir -p "$dir" || fail "cannot create $dir"
# Copy next to the target, then rename: a running inferload keeps working, and a failed copy leaves
# nothing half-written.
cp "$tmp/$asset" "$dir/.$name.new" || fail "cannot write in $dir"
chmod 0755 "$dir/.$name.new"
mv -f "$dir/.$name.new" "$dir/$name" || fail "cannot write $dir/$name"

installed=$("$dir/$name" --version 2>&1) || fail "installed $dir/$name, but it does not run here: $installed"
say "installed $installed at $dir/$name"
case ":${PATH:-}:" in *":$dir:"*) ;; *) say "$dir is not on your PATH: add it, or run $dir/$name" ;; esac
