# shellcheck shell=bash
# What a guest's console says about the run: sourced by run.sh, and by
# verdict-test.sh, which feeds these functions sample consoles on the host.
# Each prints one line per reason to fail; nothing means the run passes.

# How long a guest may run before it counts as hung. The debug kernel
# (KASAN under TCG) boots slower and its kmemleak scans of 1 GiB take
# minutes on a slow CI machine: it timed out at 300 s there with the tests
# long done (issue 13's CI note).
guest_timeout_for() {
	if [ -n "${MEMTAG_GUEST_TIMEOUT:-}" ]; then
		echo "$MEMTAG_GUEST_TIMEOUT"
	elif [ "$1" = debug ]; then
		echo 1200
	else
		echo 600
	fi
}

# The kernel said something is wrong: any of these fails the run. Stack
# dumps are "Call Trace:" on x86_64, "Call trace:" on arm64.
kernel_problems() {
	grep -aE 'WARNING:|BUG:|Oops|KASAN:|UBSAN:|possible (circular|recursive) locking|inconsistent lock state|unreferenced object|kmemleak: .* new suspected memory leaks|Kernel panic|Call [Tt]race:|INFO: task .* blocked for more than|rcu: INFO: .* stall|rcu_sched self-detected stall|BUG: workqueue lockup|general protection fault|Unable to handle kernel|MEMTAG-KMEMLEAK-REPORT' \
		"$1" | head -n 5 || true
}

# A field of the MEMTAG-CUNIT line tests/common/cunit_run.c prints.
cunit_field() {
	awk -v key="$2" '/^MEMTAG-CUNIT / {for (i = 2; i <= NF; i++) if (index($i, key "=") == 1)
	     v = substr($i, length(key) + 2)} END {print v}' "$1"
}

cunit_counts() {
	local f=$1
	grep -qa '^MEMTAG-CUNIT ' "$f" || { echo "no CUnit summary"; return; }
	printf 'tests %s registered, %s run, %s passed, %s failed, %s skipped; asserts %s failed' \
		"$(cunit_field "$f" registered)" "$(cunit_field "$f" run)" "$(cunit_field "$f" passed)" \
		"$(cunit_field "$f" failed)" "$(cunit_field "$f" skipped)" "$(cunit_field "$f" asserts_failed)"
}

# Why the tests' own report fails the run, one line per reason (none: it passes).
cunit_problems() {
	local f=$1 field registered run skipped listed total
	if ! grep -qa '^MEMTAG-CUNIT ' "$f"; then
		echo "no CUnit summary: the tests did not run to their end"
		return
	fi
	for field in registered run passed failed skipped asserts_failed suites_failed inactive; do
		case "$(cunit_field "$f" "$field")" in
		"" | *[!0-9]*) echo "the MEMTAG-CUNIT line has no number for $field"; return ;;
		esac
	done
	registered=$(cunit_field "$f" registered)
	run=$(cunit_field "$f" run)
	skipped=$(cunit_field "$f" skipped)
	[ "$run" = "$registered" ] || echo "$((registered - run)) registered test(s) did not run"
	[ "$(cunit_field "$f" suites_failed)" = 0 ] || echo "$(cunit_field "$f" suites_failed) suite(s) failed their set-up or tear-down"
	[ "$(cunit_field "$f" failed)" = 0 ] || echo "$(cunit_field "$f" failed) test(s) failed"
	[ "$(cunit_field "$f" asserts_failed)" = 0 ] || echo "$(cunit_field "$f" asserts_failed) assert(s) failed"
	[ "$(cunit_field "$f" inactive)" = 0 ] || echo "$(cunit_field "$f" inactive) test(s) or suite(s) inactive"
	listed=$(grep -ac '^MEMTAG-SKIP ' "$f" || true)
	[ "$listed" = "$skipped" ] || echo "$skipped skip(s) counted but $listed named"
	# CUnit's own summary agrees: every registered test ran
	total=$(awk '/^ +tests / {print $2 " " $3}' "$f" | tail -n1)
	[ "$total" = "$registered $run" ] || echo "CUnit's summary says tests ${total:-(none)}, not $registered $run"
	grep -a '^MEMTAG-CUNIT-FAIL: CUnit: ' "$f" | sed 's/^MEMTAG-CUNIT-FAIL: //' || true
}

# The debug kernel's kmemleak scan must have run (a report fails above).
kmemleak_problems() {
	local f=$1 series=$2
	[ "$series" = debug ] || return 0
	grep -aq '^MEMTAG-KMEMLEAK-\(CLEAN\|REPORT\)$' "$f" ||
		echo "kmemleak did not scan: $(grep -a '^MEMTAG-KMEMLEAK-' "$f" || echo 'no MEMTAG-KMEMLEAK marker')"
}

# Why the run fails, one line per reason, apart from the kernel's reports:
# no verdict (the guest hung or crashed), a FAIL verdict, the CUnit counts
# (not for the demo) and the debug kernel's kmemleak scan.
verdict_reasons() {
	local f=$1 mode=$2 series=$3 timeout=$4 verdict
	verdict=$(grep -a '^MEMTAG-VERDICT:' "$f" | tail -n1 || true)
	[ -n "$verdict" ] || echo "no verdict (guest crashed, hung or timed out after ${timeout}s; it last printed: $(grep -a '^MEMTAG-' "$f" | tail -n1 || true))"
	[ -z "$verdict" ] || [ "$verdict" = "MEMTAG-VERDICT: PASS" ] || echo "$verdict"
	[ "$mode" = demo ] || cunit_problems "$f"
	kmemleak_problems "$f" "$series"
}
