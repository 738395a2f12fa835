#!/usr/bin/env bash
# Print a folder holding libapr1-dev for ARCH (x86_64 or arm64), unpacked
# into the cache. libapr1-dev is not multiarch: installing the arm64 one
# removes the amd64 one, so the other architecture's copy is fetched with
# 'apt-get download' and unpacked with dpkg-deb -x (once per version).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../qemu/lib.sh"

arch=$(deb_arch "${1:?usage: foreign-dev.sh ARCH}")
dir="$memtag_cache/foreign/$arch"
deb=$(fetch_deb "libapr1-dev:$arch")
if [ "$(cat "$dir/.from" 2>/dev/null)" != "$(basename "$deb")" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$deb" "$dir"
	basename "$deb" >"$dir/.from"
fi
echo "$dir"
