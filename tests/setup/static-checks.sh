#!/usr/bin/env bash
# checkpatch --strict and sparse on the module; both must be silent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../qemu/lib.sh"

checkpatch_dir() {
	local tarball srcver dir
	tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || die "linux-source-6.1 is not installed (run 'make deps')"
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	dir="$memtag_cache/checkpatch/$srcver"
	if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
		rm -rf "$dir" && mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf "$tarball" \
			linux-source-6.1/scripts/checkpatch.pl linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch
	fi
	echo "$dir"
}

status=0
cp_dir=$(checkpatch_dir)
say "checkpatch --strict on kmod/"
files=$(cd "$top" && find kmod -name '*.[ch]' ! -name '*.mod.c' ! -name compat.h | sort)
checkpatch() {
	(cd "$top" && "$cp_dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types "$@")
}
# shellcheck disable=SC2086
if ! checkpatch -f $files Kbuild kmod/Kbuild; then
	say "checkpatch: FAIL"
	status=1
fi
# compat.h is where kernel versions are compared, as in WireGuard's compat layer
if ! checkpatch --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f kmod/compat.h; then
	say "checkpatch: FAIL (compat.h)"
	status=1
fi

kdir=${KDIR:-$("$here/kdir.sh" "$(uname -m)")}
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cp -r "$top/Kbuild" "$top/kmod" "$build/"
say "sparse (C=2) on kmod/ against $kdir"
log="$build/sparse.log"
make -s -C "$kdir" M="$build" C=2 modules >"$log" 2>&1 || {
	cat "$log"
	die "sparse build failed"
}
if grep -E 'warning:|error:' "$log" | grep -v 'Skipping BTF' ; then
	say "sparse: FAIL"
	status=1
fi
[ "$status" -eq 0 ] && say "static checks: checkpatch and sparse clean"
exit "$status"
