#!/bin/sh
# Inside the guest: the request loop against glibc, talloc and APR, threads,
# a big region, the calls one by one, and tagctl's cost per listed region.
modprobe memtag max_leaked=200000
echo 200000 > /sys/module/memtag/parameters/max_regions_per_user
echo "bench: $(uname -r) $(uname -m), $(tagctl status | grep -i -m1 backend)"
memtag-bench "$@"
