#!/usr/bin/env bash
# Print the kernel build tree to build the module against for ARCH:
# the running kernel's headers, else the newest installed Debian headers,
# else Debian's bookworm headers unpacked into the cache (fetched once).
# --installed: only this machine's headers; prints nothing when there are none
# (a plain 'make' then builds no module instead of downloading headers).
set -euo pipefail
installed_only=
[ "${1:-}" = --installed ] && { installed_only=1; shift; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../qemu/lib.sh"

arch=$(deb_arch "${1:-$(uname -m)}")
if [ "$arch" = "$(deb_arch "$(uname -m)")" ]; then
	if [ -d "/lib/modules/$(uname -r)/build" ]; then
		echo "/lib/modules/$(uname -r)/build"
		exit 0
	fi
	newest=$(ls -d /lib/modules/*-"$arch"/build 2>/dev/null | sort -V | tail -n1)
	if [ -n "$newest" ]; then
		echo "$newest"
		exit 0
	fi
fi
[ -z "$installed_only" ] || exit 0
root=$(fetch_kernel "$arch" 6.1) || die "no kernel headers for $arch: install linux-headers-$arch or pass KDIR="
echo "$root/build"
