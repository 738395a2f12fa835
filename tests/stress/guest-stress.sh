#!/bin/sh
# make stress, inside the guest (tests/qemu/run.sh --script): the fuzzers
# at MEMTAG_FUZZ_SCALE times their make check size, owners killed holding
# regions, workers against dumpers. The harness fails the run on any kernel
# report (KASAN, UBSAN, lockdep, kmemleak, WARN) and on a non-zero exit.
modprobe memtag || exit 1
echo "stress: start uptime=$(cut -d' ' -f1 /proc/uptime)s"
# 1,000,000 netlink messages, 80,000 ioctl steps (about 3 min on the debug kernel)
MEMTAG_STRESS=1 MEMTAG_FUZZ_SCALE=10 MEMTAG_FUZZ_IOCTL_SCALE=4 memtag-itest
rc=$?
echo "stress: end rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)s"
tagctl status
modprobe -r memtag || rc=1
exit $rc
