#!/usr/bin/env bash
# The verdict of tests/qemu/verdict.sh on sample consoles, on the host (no
# guest, under a second): a clean console passes; the same console with one
# kernel report line added fails on that line, for each pattern; a console
# that stops before its verdict (a hung or crashed guest) fails as such; a
# CUnit line that lies fails. harness-selftest.sh runs it before its guests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/verdict.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { echo "verdict test: FAIL: $*"; failed=$((failed + 1)); }

# What a passing guest prints, with near misses that must not fail it:
# CUnit's own "WARNING - ..." and kernel lines that merely mention a word.
clean_console() {
	cat <<'EOF'
[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)
[    0.412345] rcu: Hierarchical RCU implementation.
[    1.234567] kmemleak: Kernel memory leak detector initialized (mem pool available: 15735)
MEMTAG-BEGIN x86_64-6.1 6.1.0-28-amd64 x86_64
     CUnit - A unit testing framework for C - Version 2.1-3
Suite: sample
  Test: passes ...passed
  Test: skips ...skipped: not here
WARNING - Suite initialization failed for 'none'
Run Summary:    Type  Total    Ran Passed Failed Inactive
              suites      1      1    n/a      0        0
               tests      2      2      2      0        0
             asserts      4      4      4      0      n/a
Elapsed time =    0.010 seconds
MEMTAG-SKIP sample/skips: not here
MEMTAG-CUNIT registered=2 run=2 passed=1 failed=0 skipped=1 asserts_failed=0 suites_failed=0 inactive=0
MEMTAG-END rc=0 uptime=12.34s
MEMTAG-DMESG-BEGIN
MEMTAG-DMESG-END
MEMTAG-VERDICT: PASS
EOF
}

# One line of each kind the kernel prints when something is wrong, as it
# prints it (x86_64 and arm64, 6.1 and 6.12), and the guest's own marker.
reports=(
	'[   12.000001] WARNING: CPU: 0 PID: 123 at kmod/region.c:42 memtag_end+0x1/0x2 [memtag]'
	'[   12.000002] BUG: kernel NULL pointer dereference, address: 0000000000000008'
	'[   12.000003] BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 31s!'
	'[   12.000004] Oops: 0002 [#1] PREEMPT SMP NOPTI'
	'[   12.000005] BUG: KASAN: slab-use-after-free in memtag_region_put+0x10/0x20 [memtag]'
	'[   12.000006] UBSAN: shift-out-of-bounds in kmod/backend.c:77:14'
	'[   12.000007] WARNING: possible circular locking dependency detected'
	'[   12.000008] WARNING: possible recursive locking detected'
	'[   12.000009] WARNING: inconsistent lock state'
	'unreferenced object 0xffff888003a1b200 (size 64):'
	'[   12.000010] kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'
	'[   12.000011] Kernel panic - not syncing: panic_on_warn set ...'
	'[   12.000012] Call Trace:'
	'[   12.000013] Call trace:'
	'[   12.000014] INFO: task memtag-itest:77 blocked for more than 120 seconds.'
	'[   12.000015] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:'
	'[   12.000016] rcu: INFO: rcu_sched self-detected stall on CPU'
	'[   12.000017] rcu_sched self-detected stall on CPU { 0}  (t=21000 jiffies)'
	'[   12.000018] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP KASAN NOPTI'
	'[   12.000019] general protection fault: 0000 [#1] SMP NOPTI'
	'[   12.000020] Unable to handle kernel paging request at virtual address dead000000000108'
	'MEMTAG-KMEMLEAK-REPORT'
)

clean=$tmp/clean.txt
clean_console >"$clean"
[ -z "$(kernel_problems "$clean")" ] || bad "the clean console has a kernel report: $(kernel_problems "$clean")"
[ -z "$(verdict_reasons "$clean" test 6.1 600)" ] || bad "the clean console fails: $(verdict_reasons "$clean" test 6.1 600)"
ok

# each line alone, in the middle of the dmesg part, fails the run on itself
for line in "${reports[@]}"; do
	f=$tmp/report.txt
	sed "/^MEMTAG-DMESG-BEGIN\$/a\\
$line" "$clean" >"$f"
	got=$(kernel_problems "$f")
	if [ "$got" = "$line" ]; then ok; else bad "not caught alone: '$line' (got '${got:-nothing}')"; fi
done

# A console cut short (the guest hung, crashed or was killed by timeout):
# no verdict, with the time limit and the last marker in the reason.
expect_reason() {
	local what=$1 file=$2 series=$3 timeout=$4 pattern=$5 got
	got=$(verdict_reasons "$file" test "$series" "$timeout")
	if grep -qE -- "$pattern" <<<"$got"; then ok; else bad "$what: no reason /$pattern/ (got '${got:-nothing}')"; fi
}
sed '/^MEMTAG-END /,$d' "$clean" | sed '/^MEMTAG-CUNIT /d' >"$tmp/hung.txt"
expect_reason "hung in the tests" "$tmp/hung.txt" 6.1 600 \
	'^no verdict \(guest crashed, hung or timed out after 600s; it last printed: MEMTAG-SKIP '
expect_reason "hung in the tests" "$tmp/hung.txt" 6.1 600 '^no CUnit summary'
sed '/^MEMTAG-VERDICT:/d' "$clean" >"$tmp/no-verdict.txt"
expect_reason "hung after the tests" "$tmp/no-verdict.txt" debug 1200 \
	'^no verdict .*timed out after 1200s; it last printed: MEMTAG-DMESG-END\)$'
: >"$tmp/empty.txt"
expect_reason "no output at all" "$tmp/empty.txt" 6.1 600 'it last printed: \)$'
sed 's/^MEMTAG-VERDICT: PASS$/MEMTAG-VERDICT: FAIL rc=1/' "$clean" >"$tmp/fail.txt"
expect_reason "a FAIL verdict" "$tmp/fail.txt" 6.1 600 '^MEMTAG-VERDICT: FAIL rc=1$'
# the debug kernel must have scanned for leaks
expect_reason "no kmemleak scan" "$clean" debug 1200 '^kmemleak did not scan'

# the time limits: per kernel, and the override
[ "$(MEMTAG_GUEST_TIMEOUT='' guest_timeout_for 6.1)" = 600 ] || bad "6.1 guests get $(guest_timeout_for 6.1)s"
[ "$(MEMTAG_GUEST_TIMEOUT='' guest_timeout_for debug)" = 1200 ] || bad "the debug guest gets $(guest_timeout_for debug)s"
[ "$(MEMTAG_GUEST_TIMEOUT=42 guest_timeout_for debug)" = 42 ] || bad "MEMTAG_GUEST_TIMEOUT is not obeyed"
ok

# CUnit lines that lie, each for its own reason
lie() {
	local what=$1 expr=$2 pattern=$3
	sed "$expr" "$clean" >"$tmp/lie.txt"
	expect_reason "$what" "$tmp/lie.txt" 6.1 600 "$pattern"
}
lie "a failed test" 's/ failed=0 / failed=1 /' '^1 test\(s\) failed$'
lie "a failed assert" 's/asserts_failed=0/asserts_failed=2/' '^2 assert\(s\) failed$'
lie "an inactive test" 's/inactive=0/inactive=1/' '^1 test\(s\) or suite\(s\) inactive$'
lie "a skip not named" '/^MEMTAG-SKIP /d' '^1 skip\(s\) counted but 0 named$'
lie "CUnit's summary disagrees" 's/^\( *tests *\)2 *2 /\13      2 /' "^CUnit's summary says tests 3 2, not 2 2$"
lie "a field missing" 's/ inactive=0//' '^the MEMTAG-CUNIT line has no number for inactive$'

echo "verdict test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
