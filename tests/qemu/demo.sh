#!/bin/sh
# The demo inside the guest: load the module, run a service with an escape,
# a double free and a leak, and look at what memtag recorded: the reports a
# user reads, then a flame graph of what the processes held.
step() { printf '\n$ %s\n' "$*"; "$@"; }
echo "memtag demo on $(uname -r) ($(uname -m))"
step tagctl status
step modprobe memtag
step tagctl status
printf '\n$ MEMTAG_OPTIONS=halt_on_error=0,stack_depth=8 memtag-sample-service\n'
MEMTAG_OPTIONS=halt_on_error=0,stack_depth=8 memtag-sample-service
step tagctl regions --tree
step tagctl leaks
step tagctl escapes
step tagctl violations
step tagctl status
# A flame graph of what the processes held (leaked, for those that exited);
# run.sh saves it on the host as build/guest/<target>/flamegraph.svg.
step tagctl export --format svg -o /tmp/flamegraph.svg
echo "MEMTAG-FILE flamegraph.svg"
cat /tmp/flamegraph.svg
echo "MEMTAG-FILE-END"
