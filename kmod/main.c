// SPDX-License-Identifier: GPL-2.0
/* memtag: lifetime-scoped tagged memory regions, module entry points. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include "memtag.h"
#include "event.h"
#include "region.h"
#include "segment.h"
#include "version.h"

struct memtag_counters memtag_counters;

static int __init memtag_init(void)
{
	int ret;

#ifdef MEMTAG_SELFTEST_WARN_AT_LOAD
	WARN(1, "deliberate warning: harness self-test build\n");
#endif
#ifdef MEMTAG_SELFTEST_LEAK_AT_LOAD
	/* deliberate leak, for kmemleak to find: harness self-test build */
	if (!kmalloc(64, GFP_KERNEL))
		return -ENOMEM;
#endif
	ret = memtag_backend_init();
	if (ret)
		return ret;
	ret = memtag_event_init();
	if (ret)
		return ret;
	ret = memtag_segment_init();
	if (ret)
		goto free_events;
	memtag_region_init();
	/* last: nobody reaches the family before everything it uses is ready */
	ret = memtag_netlink_init();
	if (ret)
		goto free_regions;
	pr_info("version %s loaded\n", MEMTAG_VERSION);
	return 0;
free_regions:
	memtag_segment_exit();
	memtag_region_exit();
free_events:
	memtag_event_exit();
	return ret;
}

static void __exit memtag_exit(void)
{
	/* first: no request runs while what it uses goes away */
	memtag_netlink_exit();
	memtag_segment_exit();
	memtag_region_exit();
	memtag_event_exit();
	pr_info("unloaded\n");
}

module_init(memtag_init);
module_exit(memtag_exit);
MODULE_DESCRIPTION("Lifetime-scoped tagged memory regions with leak, escape and misuse audit");
MODULE_VERSION(MEMTAG_VERSION);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The memtag developers");
