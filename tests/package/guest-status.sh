#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# In the guest of tests/package/check.sh (run.sh --script): the module DKMS
# built from memtag-dkms's source, loaded as systemd-modules-load would load
# it from the package's modules-load.d file, then the status suite against
# the packaged tagctl and libmemtag. Exit 0 only if all of that holds.
fail() { echo "MEMTAG-PACKAGE-FAIL: $*"; exit 1; }

conf=/usr/lib/modules-load.d/memtag.conf
[ -f "$conf" ] || fail "no $conf"
path=$(modinfo -n memtag) || fail "modinfo finds no memtag module"
case "$path" in
*/updates/dkms/memtag.ko*) ;;
*) fail "modinfo says $path, not the DKMS build in updates/dkms" ;;
esac
for m in $(sed 's/#.*//' "$conf"); do
	modprobe "$m" || fail "modprobe $m (from $conf) failed"
done
grep -q '^memtag ' /proc/modules || fail "memtag is not loaded"
echo "loaded $path"
tagctl status || fail "tagctl status failed"

MEMTAG_SUITES=status memtag-itest >/tmp/itest.out 2>&1
cat /tmp/itest.out
line=$(grep '^MEMTAG-CUNIT ' /tmp/itest.out) || fail "no CUnit summary"
field() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
[ "$(field run)" -gt 0 ] || fail "no status test ran"
for f in failed skipped asserts_failed suites_failed; do
	[ "$(field $f)" = 0 ] || fail "status suite: $f=$(field $f)"
done
echo "MEMTAG-PACKAGE-PASS: status suite, $(field run) tests, on the DKMS-built module"
