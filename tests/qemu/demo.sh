#!/bin/sh
# The demo inside the guest: load the module, run a service with an escape
# and a leak, and look at what memtag recorded.
step() { printf '\n$ %s\n' "$*"; "$@"; }
echo "memtag demo on $(uname -r) ($(uname -m))"
step tagctl status
step modprobe memtag
step tagctl status
printf '\n$ MEMTAG_OPTIONS=halt_on_error=0 memtag-sample-service\n'
MEMTAG_OPTIONS=halt_on_error=0 memtag-sample-service
step tagctl regions
step tagctl events
step tagctl -j -p events
step tagctl status
