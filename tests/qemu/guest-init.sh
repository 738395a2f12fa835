#!/bin/sh
# /init of a memtag test guest: run the tests, check the kernel, print a verdict.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# applet links; kmod's modprobe & co are already in place and stay
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /tmp && mount -t tmpfs tmp /tmp
. /etc/memtag-test.conf
# the debug kernel runs a smaller clean workload: KASAN under TCG is slow
export MEMTAG_EXPECT_BACKEND MEMTAG_WORKLOAD_REGIONS
kmemleak=/sys/kernel/debug/kmemleak
# Only leaks made from here on count: no scans but ours, and what a first
# scan finds now (the boot's) is cleared. "clear" alone forgets only leaks
# already reported by a scan.
if [ -e "$kmemleak" ]; then
	echo scan=off >"$kmemleak"
	echo scan >"$kmemleak"
	echo clear >"$kmemleak"
fi

# Harness self-test (harness-selftest.sh): a small action broken on purpose
# in one way, instead of the tests; the run must fail for that reason.
selftest() {
	case "$MEMTAG_SELFTEST" in
	# the module is built to leak one allocation at load
	leak) modprobe memtag && modprobe -r memtag || return 1 ;;
	# the kernel's lines, as arm64 and the hung task detector print them
	call-trace) echo "<4>Call trace:" >/dev/kmsg ;;
	hung-task) echo "<3>INFO: task memtag-itest:1 blocked for more than 120 seconds." >/dev/kmsg ;;
	# rc 0 and a PASS verdict, but no test ran
	no-summary) return 0 ;;
	suite-init | test-not-run) MEMTAG_SELFTEST_CUNIT=$MEMTAG_SELFTEST ;;
	*) echo "unknown MEMTAG_SELFTEST=$MEMTAG_SELFTEST"; return 1 ;;
	esac
	MEMTAG_SELFTEST_CUNIT=${MEMTAG_SELFTEST_CUNIT:-pass} memtag-itest
}

echo "MEMTAG-BEGIN $MEMTAG_TARGET $(uname -r) $(uname -m)"
if [ -n "${MEMTAG_SELFTEST:-}" ]; then
	selftest
elif [ "$MEMTAG_MODE" = demo ]; then
	/usr/share/memtag/demo.sh
else
	memtag-itest
fi
rc=$?
echo "MEMTAG-END rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)s"

# debugfs files have size 0: read the report, then look at what was read
if [ -e "$kmemleak" ]; then
	# kmemleak ignores objects younger than 5 s; a write of "scan" scans
	sleep 6
	echo "MEMTAG-KMEMLEAK-SCANNING uptime=$(cut -d' ' -f1 /proc/uptime)s"
	if echo scan >"$kmemleak" && echo scan >"$kmemleak" && cat "$kmemleak" >/tmp/kmemleak; then
		if [ -s /tmp/kmemleak ]; then
			echo "MEMTAG-KMEMLEAK-REPORT"
			cat /tmp/kmemleak
			rc=1
		else
			echo "MEMTAG-KMEMLEAK-CLEAN"
			echo "MEMTAG-KMEMLEAK-SCANNED uptime=$(cut -d' ' -f1 /proc/uptime)s"
		fi
	else
		echo "MEMTAG-KMEMLEAK-UNAVAILABLE: $kmemleak cannot be scanned or read"
		rc=1
	fi
fi
echo "MEMTAG-DMESG-BEGIN"
dmesg
echo "MEMTAG-DMESG-END"
if [ "$rc" -eq 0 ]; then
	echo "MEMTAG-VERDICT: PASS"
else
	echo "MEMTAG-VERDICT: FAIL rc=$rc"
fi
sync
reboot -f
