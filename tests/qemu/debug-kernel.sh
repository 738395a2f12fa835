#!/usr/bin/env bash
# Build (once per machine) an x86_64 kernel from Debian's linux-source-6.1
# with KASAN, UBSAN, lockdep and kmemleak; print the cached tree's path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
[ -n "$tarball" ] || die "linux-source-6.1 is not installed (run 'make deps')"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)

enable=(64BIT PRINTK TTY SERIAL_8250 SERIAL_8250_CONSOLE BLK_DEV_INITRD RD_GZIP
	BINFMT_ELF BINFMT_SCRIPT PROC_FS SYSFS DEVTMPFS MODULES MODULE_UNLOAD NET UNIX
	INET MULTIUSER FUTEX SHMEM TMPFS EPOLL SIGNALFD TIMERFD EVENTFD POSIX_TIMERS
	PROC_SYSCTL MAGIC_SYSRQ STACKTRACE KALLSYMS DEBUG_KERNEL DEBUG_FS KASAN
	KASAN_GENERIC KASAN_INLINE PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_KMEMLEAK
	DEBUG_LIST DEBUG_VM UBSAN PANIC_ON_OOPS PRINTK_TIME SLUB NET_NS FILE_LOCKING
	STACKPROTECTOR_STRONG BUG)
disable=(SLOB KASAN_OUTLINE DEBUG_KMEMLEAK_DEFAULT_OFF)
key=$(printf '%s\n' "$srcver" "${enable[@]}" -- "${disable[@]}" | sha256sum | cut -c1-12)
tree="$memtag_cache/debug-kernel/$key"

if [ -f "$tree/.complete" ]; then
	echo "$tree/src"
	exit 0
fi
rm -rf "$tree"
mkdir -p "$tree"
say "building the debug kernel (linux-source-6.1 $srcver, KASAN+UBSAN+lockdep+kmemleak); once per machine, a few minutes"
tar -C "$tree" -xf "$tarball"
mv "$tree"/linux-source-6.1 "$tree/src"
cd "$tree/src"
make -s tinyconfig >&2
args=()
for opt in "${enable[@]}"; do args+=(-e "$opt"); done
for opt in "${disable[@]}"; do args+=(-d "$opt"); done
scripts/config "${args[@]}"
make -s olddefconfig >&2
for opt in KASAN UBSAN PROVE_LOCKING DEBUG_KMEMLEAK SLUB MODULES; do
	grep -q "^CONFIG_$opt=y" .config || die "debug kernel config lost CONFIG_$opt"
done
make -s -j"$(nproc)" bzImage modules >&2
make -s modules_prepare >&2
touch "$tree/.complete"
echo "$tree/src"
