#!/usr/bin/env bash
# The harness must fail runs that are broken: a module that WARNs at load,
# and a guest whose assertions fail. If either passes, the harness is lying.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:-x86_64-6.1}
passed=0
failed=0

expect_failure() {
	local variant=$1 pattern=$2 out
	if out=$("$here/run.sh" --selftest "$variant" "$target" 2>&1); then
		echo "harness self-test $variant: FAIL (the run passed; it must not)"
		echo "$out" | tail -n 20
		failed=$((failed + 1))
	elif ! grep -qE "$pattern" <<<"$out"; then
		echo "harness self-test $variant: FAIL (failed, but not for the expected reason /$pattern/)"
		echo "$out" | tail -n 20
		failed=$((failed + 1))
	else
		echo "harness self-test $variant: ok, the run failed: $(grep -m1 -E "$pattern" <<<"$out")"
		passed=$((passed + 1))
	fi
}

expect_failure warn 'kernel report: .*(WARNING:|panic_on_warn)'
expect_failure wrong-backend 'reason: MEMTAG-VERDICT: FAIL'
echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
