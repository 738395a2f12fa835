#!/usr/bin/env bash
# libmemtag's fast path in instructions per call, from callgrind on the host
# (deterministic, unlike time on these machines). memtag-fastpath runs
# libmemtag over anonymous memory with the software backend's layout
# (tag_testing_anonymous_memory): libmemtag's own instructions, not the
# module's, and no MTE (valgrind does not run MTE code).
#
#   fastpath.sh BINARY [--check]
#
# A cost is (Ir(N2) - Ir(N1)) / (N2 - N1) of the measured function alone
# (--toggle-collect), so set-up and first-time costs drop out. --check
# fails if tag_free costs more than 1.2x with 64 segments than with 1, after
# 100,000 frees than after 1,000, or from 1,000 sites than from 1.
set -euo pipefail
shopt -s inherit_errexit
bin=${1:?usage: fastpath.sh BINARY [--check]}
check=${2:-}
failed=0

# Instructions collected in FUNCTION for: memtag-fastpath ARGS...
ir() {
	local fn=$1 out
	shift
	out=$(mktemp)
	valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file="$out" \
		"$bin" "$@" >/dev/null 2>"$out.log" || { cat "$out.log" >&2; exit 1; }
	local total
	total=$(sed -n 's/^totals: //p' "$out")
	rm -f "$out" "$out.log"
	[ -n "$total" ] || { echo "memtag: no callgrind totals for $*" >&2; exit 1; }
	echo "$total"
}

# Instructions of one call: FUNCTION MODE N1 N2 [EXTRA]
per_call() {
	local a b
	a=$(ir "$1" "$2" "$3" ${5:+"$5"})
	b=$(ir "$1" "$2" "$4" ${5:+"$5"})
	awk -v a="$a" -v b="$b" -v n="$(($4 - $3))" 'BEGIN {printf "%.1f", (b - a) / n}'
}

line() { printf 'bench %-46s %10s %s\n' "callgrind $1" "$2" "${3:-instructions/op}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# NAME VALUE BASE: fail (with --check) if VALUE > 1.2 * BASE
bounded() {
	if [ "$check" = --check ] && awk -v a="$2" -v b="$3" 'BEGIN {exit !(a > 1.2 * b)}'; then
		echo "memtag: $1: $2 instructions against $3: more than 1.2x" >&2
		failed=1
	fi
}

echo "bench: callgrind on the host: libmemtag over anonymous memory (software layout), not the module"
pair64=$(per_call 'measured_pair' pair64 100000 200000)
malloc64=$(per_call 'measured_malloc_pair' malloc64 100000 200000)
pairmix=$(per_call 'measured_pair' pairmix 100000 200000)
mallocmix=$(per_call 'measured_malloc_pair' mallocmix 100000 200000)
line 'tag_alloc+tag_free(64)' "$pair64"
line 'malloc+free(64)' "$malloc64"
line 'tag_alloc+tag_free/malloc+free(64)' "$(ratio "$pair64" "$malloc64")" x
line 'tag_alloc+tag_free(16-255)' "$pairmix"
line 'malloc+free(16-255)' "$mallocmix"
line 'tag_alloc+tag_free/malloc+free(16-255)' "$(ratio "$pairmix" "$mallocmix")" x

seg1=$(per_call measured_free free 10000 20000 1)
seg64=$(per_call measured_free free 10000 20000 64)
line 'tag_free, 1 segment' "$seg1"
line 'tag_free, 64 segments' "$seg64"
bounded 'tag_free with 64 segments' "$seg64" "$seg1"

early=$(per_call measured_free free 1000 2000 1)
late=$(per_call measured_free free 100000 101000 1)
line 'tag_free after 1,000 frees' "$early"
line 'tag_free after 100,000 frees' "$late"
bounded 'tag_free after 100,000 frees' "$late" "$early"

alloc1=$(per_call measured_site_alloc sites-alloc 2000 4000 1)
alloc1000=$(per_call measured_site_alloc sites-alloc 2000 4000 1000)
free1=$(per_call measured_free sites-free 2000 4000 1)
free1000=$(per_call measured_free sites-free 2000 4000 1000)
line 'tag_alloc(64), 1 site' "$alloc1"
line 'tag_alloc(64), 1,000 sites' "$alloc1000"
line 'tag_free, 1 site' "$free1"
line 'tag_free, 1,000 sites' "$free1000"
bounded 'tag_free from 1,000 sites' "$free1000" "$free1"
exit "$failed"
