#!/usr/bin/env bash
# Boot memtag test guests in QEMU: real Debian kernels (6.1 and 6.12 on
# x86_64 and arm64 with MTE) and a KASAN/lockdep/kmemleak debug kernel.
#
#   run.sh [--demo | --script FILE] [--selftest CASE] [TARGET...]
#
# --script runs FILE in the guest instead of the tests (module installed,
# not loaded), and prints what it wrote: for poking at a kernel by hand.
# --selftest breaks the run on purpose (harness-selftest.sh): it must fail.
# MEMTAG_GUEST_OVERLAY=DIR (tests/package/check.sh): DIR's files (the
# installed .debs and DKMS's module) go over the staged root, and the
# module is not built here.
#
# One line per target with its CUnit counts; exit status 1 if any failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
. "$here/rootfs.sh"
. "$here/verdict.sh"

all_targets=(x86_64-6.1 arm64-6.1 x86_64-6.12 arm64-6.12 x86_64-debug)
# warn, leak: the module is built broken; wrong-backend: the tests are told
# a lie; the others: the guest runs a small action broken in that one way.
selftests=(warn wrong-backend leak suite-init test-not-run no-summary call-trace hung-task)
guest_timeout=600
# more vCPUs for the benchmark's threads variant (MTTCG); tests use one
guest_cpus=${MEMTAG_GUEST_CPUS:-1}
mode=test
script=$here/demo.sh
selftest=
targets=()

usage() {
	echo "usage: $0 [--demo | --script FILE] [--selftest CASE] [TARGET...]" >&2
	echo "self-test cases: ${selftests[*]}" >&2
	echo "targets: ${all_targets[*]}" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--demo) mode=demo ;;
	--script) mode=demo; script=$(realpath "${2:?--script needs a file}"); shift ;;
	--selftest) selftest=${2:-}; shift ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) targets+=("$1") ;;
	esac
	shift
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
[ -z "$selftest" ] || case " ${selftests[*]} " in *" $selftest "*) ;; *) usage ;; esac

# Sets kdir, kimage, kver and builtin (folder with modules.builtin*).
prepare_kernel() {
	local arch=$1 series=$2 root
	if [ "$series" = debug ]; then
		[ "$arch" = x86_64 ] || die "the debug kernel target is x86_64 only"
		kdir=$("$here/debug-kernel.sh") || die "debug kernel build failed"
		kimage=$kdir/arch/x86/boot/bzImage
		builtin=$kdir
	else
		root=$(fetch_kernel "$arch" "$series") || die "cannot fetch the $series kernel for $arch"
		kdir=$root/build
		kimage=$root/kernel
		builtin=$root/tree/lib/modules/$(cat "$root/release")
	fi
	kver=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
}

expected_backend() {
	local arch=$1
	[ "$selftest" = wrong-backend ] && { [ "$arch" = arm64 ] && echo software || echo mte; return; }
	[ "$arch" = arm64 ] && echo mte || echo software
}

# Build the guest's root: module via 'make install-module', library and
# tagctl via 'make install-lib install-tools', tests, busybox and kmod.
stage_root() {
	local target=$1 arch=$2 work=$3 root=$3/root series=${1#*-} darch t f kmod_bin
	darch=$(deb_arch "$arch")
	t=$(triplet "$darch")
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,usr/share/memtag}
	mkdir -p "$root/lib/modules/$kver"
	cp "$builtin"/modules.builtin "$builtin"/modules.builtin.modinfo \
		"$builtin"/modules.order "$root/lib/modules/$kver/" 2>/dev/null || true
	: >"$work/build.log"
	[ -n "${MEMTAG_GUEST_OVERLAY:-}" ] ||
		make -s -C "$top" ARCH="$arch" KDIR="$kdir" MODDIR="$work/module" DESTDIR="$root" \
			MEMTAG_SELFTEST_WARN="$([ "$selftest" = warn ] && echo y)" \
			MEMTAG_SELFTEST_LEAK="$([ "$selftest" = leak ] && echo y)" \
			install-module >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; die "$target: module build failed"; }
	make -s -C "$top" ARCH="$arch" lib tools tests >>"$work/build.log" 2>&1 ||
		{ cat "$work/build.log" >&2; die "$target: userspace build failed"; }
	make -s -C "$top" ARCH="$arch" DESTDIR="$root" PREFIX=/usr LIBDIR="/usr/lib/$t" \
		install-lib install-tools >>"$work/build.log" 2>&1 || die "$target: install failed"
	install -m 755 "$top/build/$arch/tests/memtag-itest" "$top/build/$arch/tests/memtag-scenario" \
		"$top/build/$arch/tests/memtag-sample-service" "$top/build/$arch/tests/memtag-bench" \
		"$top/build/$arch/tests/memtag-pprof-read" "$root/usr/bin/"
	# promtool checks tagctl's Prometheus export; Debian's is built for this host only
	if [ "$arch" = "$(uname -m)" ]; then
		install -m 755 /usr/bin/promtool "$root/usr/bin/"
		copy_libs "$root" "$darch" /usr/bin/promtool
	fi
	build_consumer "$arch" "$root" "$t"
	# developer hook: more binaries for --script runs
	for f in ${MEMTAG_EXTRA_BINARIES:-}; do
		install -m 755 "$f" "$root/usr/bin/" && copy_libs "$root" "$darch" "$f"
	done

	install -m 755 "$(guest_tool "$darch" busybox)" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	kmod_bin=$(guest_tool "$darch" kmod)
	install -m 755 "$kmod_bin" "$root/usr/bin/kmod"
	for f in modprobe insmod rmmod lsmod modinfo depmod; do
		ln -s ../bin/kmod "$root/usr/sbin/$f"
		ln -s ../usr/bin/kmod "$root/sbin/$f"
	done
	for f in "$root/usr/bin/kmod" "$root/usr/bin/tagctl" "$root/usr/bin/memtag-itest" \
		"$root/usr/bin/memtag-scenario" "$root/usr/bin/memtag-sample-service" \
		"$root/usr/bin/memtag-bench" \
		"$root/usr/bin/memtag-consumer" "$root/usr/lib/$t/libmemtag.so.0"; do
		copy_libs "$root" "$darch" "$f"
	done
	if [ -n "${MEMTAG_GUEST_OVERLAY:-}" ]; then
		cp -a "$MEMTAG_GUEST_OVERLAY/." "$root/"
		depmod -b "$root" "$kver" 2>>"$work/build.log"
	fi
	install -m 755 "$here/guest-init.sh" "$root/init"
	install -m 755 "$script" "$root/usr/share/memtag/demo.sh"
	cat >"$root/etc/memtag-test.conf" <<CONF
MEMTAG_TARGET=$target
MEMTAG_MODE=$mode
MEMTAG_EXPECT_BACKEND=$(expected_backend "$arch")
MEMTAG_WORKLOAD_REGIONS=$([ "$series" = debug ] || [ -n "$selftest" ] && echo 100 || echo 2500)
MEMTAG_SELFTEST=$(case "$selftest" in warn | wrong-backend) ;; *) echo "$selftest" ;; esac)
CONF
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$work/initrd.gz"
}

# A program built only from the installed header, .so and memtag.pc. The
# headers live in /usr/include/memtag (memtag.pc's -I), not in linux/.
build_consumer() {
	local arch=$1 root=$2 t=$3 cc=gcc flags
	[ "$arch" = arm64 ] && cc=aarch64-linux-gnu-gcc
	[ -f "$root/usr/include/memtag/memtag.h" ] && [ -f "$root/usr/include/memtag/linux/memtag.h" ] &&
		[ ! -e "$root/usr/include/linux/memtag.h" ] || die "the headers are not installed in /usr/include/memtag"
	flags=$(PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$root/usr/lib/$t/pkgconfig:/usr/lib/$t/pkgconfig:/usr/share/pkgconfig" \
		pkg-config --cflags --libs memtag) || die "pkg-config cannot find the installed memtag.pc"
	# shellcheck disable=SC2086
	$cc -Wall -Wextra -Werror -o "$root/usr/bin/memtag-consumer" \
		"$top/tests/integration/consumer.c" $flags -Wl,-rpath-link,"/usr/lib/$t"
}

boot() {
	local arch=$1 work=$2 append="panic=-1 panic_on_warn=1 oops=panic loglevel=5"
	case "$arch" in
	x86_64)
		timeout -k 5 "$guest_timeout" qemu-system-x86_64 -accel tcg -m 1024 -smp "$guest_cpus" \
			-nographic -no-reboot -kernel "$kimage" -initrd "$work/initrd.gz" \
			-append "console=ttyS0 $append" ;;
	arm64)
		timeout -k 5 "$guest_timeout" qemu-system-aarch64 -M virt,mte=on \
			-cpu max,pauth-impdef=on -m 1024 -smp "$guest_cpus" -nographic -no-reboot \
			-kernel "$kimage" -initrd "$work/initrd.gz" \
			-append "console=ttyAMA0 $append" ;;
	esac </dev/null >"$work/console.log" 2>&1 || true
}

# Files a guest printed between "MEMTAG-FILE NAME" and "MEMTAG-FILE-END" go to WORK/NAME.
save_guest_files() {
	local work=$1 name
	for name in $(sed -n 's/^MEMTAG-FILE \([A-Za-z0-9][A-Za-z0-9._-]*\)$/\1/p' "$work/console.txt"); do
		sed -n "/^MEMTAG-FILE $name\$/,/^MEMTAG-FILE-END\$/p" "$work/console.txt" |
			sed '1d;$d' >"$work/$name"
		echo "(the guest wrote $work/$name)"
	done
}

run_target() {
	local target=$1 arch=${1%%-*} series=${1#*-} work start verdict problems reasons
	work="$top/build/guest/$target${selftest:+-$selftest}${MEMTAG_GUEST_OVERLAY:+-package}"
	mkdir -p "$work"
	start=$(date +%s)
	guest_timeout=$(guest_timeout_for "$series")
	prepare_kernel "$arch" "$series"
	stage_root "$target" "$arch" "$work"
	say "$target: booting $kver"
	boot "$arch" "$work"
	tr -d '\r' <"$work/console.log" >"$work/console.txt"
	if [ "$mode" = demo ]; then
		sed -n '/^MEMTAG-BEGIN/,/^MEMTAG-END/p' "$work/console.txt" | sed '1d;$d' |
			sed '/^MEMTAG-FILE /,/^MEMTAG-FILE-END$/d'
		save_guest_files "$work"
	else
		sed -n '/^Run Summary:/,/^Elapsed time/p' "$work/console.txt" | sed "s/^/  [$target] /"
	fi
	problems=$(kernel_problems "$work/console.txt")
	reasons=$(verdict_reasons "$work/console.txt" "$mode" "$series" "$guest_timeout")
	if [ "$mode" = demo ] && [ -z "$reasons" ] && [ -z "$problems" ]; then
		printf '\n(demo on %s, kernel %s: clean, %ss)\n\n' "$target" "$kver" "$(($(date +%s) - start))"
		return 0
	fi
	if [ -z "$reasons" ] && [ -z "$problems" ]; then
		printf '%-14s %-24s PASS  %s  (%ss)\n' "$target" "$kver" \
			"$(cunit_counts "$work/console.txt")" "$(($(date +%s) - start))"
		grep -aE "^MEMTAG-KMEMLEAK-(CLEAN|SCANNED)" "$work/console.txt" | sed "s/^/  [$target] /" || true
		return 0
	fi
	printf '%-14s %-24s FAIL  %s  (%ss)\n' "$target" "$kver" \
		"$(cunit_counts "$work/console.txt")" "$(($(date +%s) - start))"
	[ -z "$reasons" ] || printf '%s\n' "$reasons" | sed 's/^/  reason: /'
	[ -z "$problems" ] || printf '%s\n' "$problems" | sed 's/^/  kernel report: /'
	grep -a -B2 -A3 -- '\.\.\.FAILED' "$work/console.txt" | sed 's/^/  /' | head -n 40 || true
	echo "  full console log: $work/console.txt"
	return 1
}

passed=0
failed=0
for target in "${targets[@]}"; do
	case " ${all_targets[*]} " in *" $target "*) ;; *) die "unknown target '$target' (${all_targets[*]})" ;; esac
	# not in a condition, so that 'set -e' stays in force inside run_target
	set +e
	(set -e; run_target "$target")
	rc=$?
	set -e
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
[ "$mode" = demo ] || echo "guests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
