#!/usr/bin/env bash
# The harness must fail runs that are broken, each for its own reason: a
# module that WARNs or leaks at load, a guest whose assertions fail, a suite
# whose set-up fails, a registered test that does not run, no CUnit summary,
# an arm64 stack dump, a hung task. If any passes, the harness is lying.
#
#   harness-selftest.sh [TARGET [DEBUG_TARGET]]
# The leak case needs kmemleak: it runs on the debug target (about 3 min).
# First, on the host: verdict-test.sh, every kernel report pattern alone and
# the verdict of a guest that stops early, on sample consoles (a second).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:-x86_64-6.1}
debug_target=${2:-x86_64-debug}
passed=0
failed=0

if "$here/verdict-test.sh"; then
	passed=$((passed + 1))
else
	echo "harness self-test verdict-test: FAIL (the verdict of sample consoles is wrong)"
	failed=$((failed + 1))
fi

expect_failure() {
	local variant=$1 on=$2 pattern=$3 out
	if out=$("$here/run.sh" --selftest "$variant" "$on" 2>&1); then
		echo "harness self-test $variant: FAIL (the run passed; it must not)"
		echo "$out" | tail -n 20
		failed=$((failed + 1))
	elif ! grep -qE "$pattern" <<<"$out"; then
		echo "harness self-test $variant: FAIL (failed, but not for the expected reason /$pattern/)"
		echo "$out" | tail -n 20
		failed=$((failed + 1))
	else
		echo "harness self-test $variant on $on: ok, the run failed: $(grep -m1 -E "$pattern" <<<"$out")"
		passed=$((passed + 1))
	fi
}

expect_failure warn "$target" 'kernel report: .*(WARNING:|panic_on_warn)'
expect_failure wrong-backend "$target" 'reason: MEMTAG-VERDICT: FAIL'
expect_failure suite-init "$target" 'reason: 1 suite\(s\) failed their set-up'
expect_failure test-not-run "$target" 'reason: 1 registered test\(s\) did not run'
expect_failure no-summary "$target" 'reason: no CUnit summary'
expect_failure call-trace "$target" 'kernel report: .*Call trace:'
expect_failure hung-task "$target" 'kernel report: .*INFO: task .* blocked for more than'
expect_failure leak "$debug_target" 'kernel report: .*(unreferenced object|new suspected memory leaks|MEMTAG-KMEMLEAK-REPORT)'
echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
