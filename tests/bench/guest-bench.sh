#!/bin/sh
# Inside the guest: libmemtag call costs, and tagctl's cost per listed region.
# Without the module libmemtag would fall back to malloc and the figures
# would be malloc's: a failed step fails the run.
modprobe memtag max_leaked=200000 || exit 1
echo 200000 > /sys/module/memtag/parameters/max_regions_per_user || exit 1
MEMTAG_REQUIRE=1 memtag-bench 1000000 2000 100000
