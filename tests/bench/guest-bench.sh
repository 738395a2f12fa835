#!/bin/sh
# Inside the guest: libmemtag call costs, and tagctl's cost per listed region.
modprobe memtag max_leaked=200000
echo 200000 > /sys/module/memtag/parameters/max_regions_per_user
memtag-bench 1000000 2000 100000
