#!/usr/bin/env bash
# checkpatch --strict and sparse (x86_64 and arm64) on the module; all must be silent.
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
# Fails on a non-zero exit and on any output at all.
checkpatch() {
	local out rc=0
	out=$(cd "$top" && "$cp_dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types "$@" 2>&1) || rc=$?
	[ -z "$out" ] || printf '%s\n' "$out"
	[ "$rc" -eq 0 ] && [ -z "$out" ]
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

build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
# sparse against both architectures' headers: the MTE code in kmod/backend.c
# is compiled for arm64 only. Any output fails but kbuild's BTF notice (the
# Debian header trees have no vmlinux).
run_sparse() {
	local arch=$1 kdir=$2 log
	log="$build/sparse-$arch.log"
	rm -rf "$build/$arch" && mkdir -p "$build/$arch"
	cp -r "$top/Kbuild" "$top/kmod" "$build/$arch/"
	say "sparse (C=2) on kmod/ for $arch against $kdir"
	# run from make check: an outer make's flags would add "Entering directory" lines
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$kdir" \
		M="$build/$arch" ARCH="$arch" \
		CROSS_COMPILE="$([ "$arch" = arm64 ] && echo aarch64-linux-gnu-)" C=2 modules >"$log" 2>&1; then
		cat "$log"
		die "sparse build for $arch failed"
	fi
	if grep -v '^Skipping BTF generation for .* due to unavailability of vmlinux$' "$log"; then
		say "sparse ($arch): FAIL"
		return 1
	fi
}
host=$(uname -m | sed -e 's/aarch64/arm64/')
run_sparse "$host" "${KDIR:-$("$here/kdir.sh" "$host")}" || status=1
for arch in x86_64 arm64; do
	[ "$arch" = "$host" ] || run_sparse "$arch" "$("$here/kdir.sh" "$arch")" || status=1
done
[ "$status" -eq 0 ] && say "static checks: checkpatch and sparse (x86_64, arm64) clean"
exit "$status"
