#!/bin/sh
# The demo inside the guest: load the module, run a service with an escape,
# a double free and a leak, and look at what memtag recorded: the reports a
# user reads, then a flame graph of what the processes held.
# Any step that does not end as it should fails the demo (and make demo).
failures=0
# step WANT CMD...: show and run CMD, which must exit WANT
step() {
	want=$1
	shift
	printf '\n$ %s\n' "$*"
	"$@"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "memtag demo: '$*' exited $got, not $want"
		failures=$((failures + 1))
	fi
}
echo "memtag demo on $(uname -r) ($(uname -m))"
# not loaded yet: tagctl says so, and exits 3
step 3 tagctl status
step 0 modprobe memtag
step 0 tagctl status
printf '\n$ MEMTAG_OPTIONS=halt_on_error=0,stack_depth=8 MEMTAG_REQUIRE=1 memtag-sample-service\n'
MEMTAG_OPTIONS=halt_on_error=0,stack_depth=8 MEMTAG_REQUIRE=1 memtag-sample-service ||
	{ echo "memtag demo: memtag-sample-service failed"; failures=$((failures + 1)); }
# reports, not gates: they exit 0 whatever they found
step 0 tagctl regions --tree
step 0 tagctl leaks
step 0 tagctl escapes
step 0 tagctl violations
step 0 tagctl status
# A flame graph of what the processes held (leaked, for those that exited);
# run.sh saves it on the host as build/guest/<target>/flamegraph.svg.
step 0 tagctl export --format svg -o /tmp/flamegraph.svg
echo "MEMTAG-FILE flamegraph.svg"
cat /tmp/flamegraph.svg || failures=$((failures + 1))
echo "MEMTAG-FILE-END"
[ "$failures" -eq 0 ]
