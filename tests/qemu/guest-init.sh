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
# Only leaks made from here on count.
[ -w "$kmemleak" ] && echo clear >"$kmemleak"

echo "MEMTAG-BEGIN $MEMTAG_TARGET $(uname -r) $(uname -m)"
if [ "$MEMTAG_MODE" = demo ]; then
	/usr/share/memtag/demo.sh
else
	memtag-itest
fi
rc=$?
echo "MEMTAG-END rc=$rc"

if [ -w "$kmemleak" ]; then
	# kmemleak ignores objects younger than 5 s
	sleep 6
	echo scan >"$kmemleak"
	echo scan >"$kmemleak"
	if [ -s "$kmemleak" ]; then
		echo "MEMTAG-KMEMLEAK-REPORT"
		cat "$kmemleak"
		rc=1
	else
		echo "MEMTAG-KMEMLEAK-CLEAN"
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
