#!/bin/sh
# Inside the guest: the request loop against glibc, talloc and APR, threads,
# a big region, the calls one by one, and tagctl's cost per listed region.
# Without the module libmemtag would fall back to malloc and the figures
# would be malloc's: a failed step fails the run.
modprobe memtag max_leaked=200000 || exit 1
echo 200000 > /sys/module/memtag/parameters/max_regions_per_user || exit 1
echo "bench: $(uname -r) $(uname -m), $(tagctl status | grep -i -m1 backend)"
MEMTAG_REQUIRE=1 memtag-bench "$@"
