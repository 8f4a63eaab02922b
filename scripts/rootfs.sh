#!/bin/sh
# Lay out the container's root filesystem: the inferload binary, the shared libraries `ldd` names for
# it (the C library and its loader: a Bun binary needs nothing else), a non-root user, /tmp and an
# empty working directory. The Dockerfile copies this tree onto `scratch`; scripts/rootfs.test.ts
# runs a benchmark inside the same tree with chroot, which is how the suite proves the image works
# without Docker. Usage: sh scripts/rootfs.sh BINARY DIR   (as root, so files get the right owners)
set -eu
bin=$1
root=$2
uid=65532

mkdir -p "$root/usr/local/bin" "$root/etc" "$root/tmp" "$root/work" "$root/home/nonroot"
cp "$bin" "$root/usr/local/bin/inferload"
chmod 0755 "$root/usr/local/bin/inferload"

# ldd prints "libc.so.6 => /lib/.../libc.so.6 (0x…)" and "/lib64/ld-linux-x86-64.so.2 (0x…)";
# linux-vdso has no file. A library it cannot find is an error here, not at run time.
libs=$(ldd "$bin" 2>&1) || case $libs in
  *"not a dynamic executable"* | *"statically linked"*) libs= ;;
  *) echo "ldd $bin failed: $libs" >&2; exit 1 ;;
esac
case $libs in *"not found"*) echo "ldd $bin: a library is missing: $libs" >&2; exit 1 ;; esac
for lib in $(printf '%s\n' "$libs" | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib" # -L: the file itself, at the path the loader asks for
done

# Who the process runs as (USER 65532 in the Dockerfile), so tools that look the user up find it.
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/home/nonroot:/sbin/nologin\n' \
  "$uid" "$uid" >"$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:%s:\n' "$uid" >"$root/etc/group"
chmod 1777 "$root/tmp"
chown "$uid:$uid" "$root/work" "$root/home/nonroot"
