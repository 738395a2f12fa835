#!/bin/sh
# The demo inside the guest: what a user sees on a fresh host.
step() { printf '\n$ %s\n' "$*"; "$@"; }
echo "memtag demo on $(uname -r) ($(uname -m))"
step tagctl status
step modprobe memtag
step modinfo memtag
step tagctl status
step tagctl -j -p status
step modprobe -r memtag
