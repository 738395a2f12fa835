// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl leaks and check: leaks collected from records, grouped by site. */
#include <stdlib.h>
#include <string.h>
#include "leak_groups.h"
#include "unit.h"

/* One program run twice (different load addresses) and a third, live, process. */
static struct memtag_binary svc_a = { .start = 0x1000, .end = 0x9000, .bias = 0x1000,
				      .path = "/usr/bin/svc" };
static struct memtag_binary svc_b = { .start = 0x5000, .end = 0xd000, .bias = 0x5000,
				      .path = "/usr/bin/svc" };
static struct memtag_site sites_a[] = {
	{ .alloc_objects = 5, .alloc_bytes = 500, .free_objects = 2, .free_bytes = 200,
	  .first_ns = 100, .depth = 1, .stack = { 0x1500 } },
	{ .alloc_objects = 1, .alloc_bytes = 10, .free_objects = 1, .free_bytes = 10,
	  .first_ns = 90, .depth = 1, .stack = { 0x1600 } },
	/* the strict region's site, with its caller */
	{ .alloc_objects = 7, .alloc_bytes = 70, .free_objects = 7, .free_bytes = 70,
	  .leaked_objects = 7, .leaked_bytes = 70, .first_ns = 42, .depth = 2,
	  .stack = { 0x1800, 0x1900 } },
	/* counts a process got wrong must not wrap around */
	{ .alloc_objects = 1, .alloc_bytes = 1, .free_objects = 3, .free_bytes = 3,
	  .depth = 1, .stack = { 0x1a00 } },
};
static struct memtag_site sites_b[] = {
	{ .alloc_objects = 1, .alloc_bytes = 50, .first_ns = 50, .depth = 1,
	  .stack = { 0x5500 } },
	{ .alloc_objects = 1, .alloc_bytes = 8, .first_ns = 60, .depth = 1,
	  .stack = { 0x77000 } },	/* outside every binary */
};
static struct memtag_site sites_live[] = {
	{ .alloc_objects = 9, .alloc_bytes = 900, .depth = 1, .stack = { 0x1500 } },
};
static const struct memtag_profile profiles[] = {
	{ .id = 1, .tgid = 10, .started_ns = 1, .exited_ns = 1000, .nr_binaries = 1,
	  .binaries = &svc_a, .nr_sites = 4, .sites = sites_a },
	{ .id = 2, .tgid = 11, .started_ns = 2, .exited_ns = 1000, .nr_binaries = 1,
	  .binaries = &svc_b, .nr_sites = 2, .sites = sites_b },
	{ .id = 3, .tgid = 12, .started_ns = 3, .nr_binaries = 1, .binaries = &svc_a,
	  .nr_sites = 1, .sites = sites_live },
};
static const struct memtag_region_record regions[] = {
	{ .id = 5, .state = MEMTAG_REGION_LEAKED, .tgid = 10, .site = 0x1700,
	  .created_ns = 20, .bytes_reserved = 65536, .name = "forgotten" },
	{ .id = 6, .state = MEMTAG_REGION_LIVE, .tgid = 10, .site = 0x1700,
	  .bytes_reserved = 65536, .name = "live" },
	{ .id = 7, .state = MEMTAG_REGION_ENDED, .tgid = 11, .name = "ended" },
};
static const struct memtag_event_record events[] = {
	{ .kind = MEMTAG_EVENT_ALLOCS_LEAKED, .tgid = 10, .region = 8, .region_name = "job",
	  .site = 0x1800, .size = 70, .count = 7, .time_ns = 300 },
	{ .kind = MEMTAG_EVENT_REGION_LEAKED, .tgid = 10, .region = 5, .site = 0x1700 },
	{ .kind = MEMTAG_EVENT_DOUBLE_FREE, .tgid = 10, .region = 5, .site = 0x1700 },
};

static struct leak_sources sources(long pid)
{
	struct leak_sources s = {
		.regions = regions, .nr_regions = 3, .events = events, .nr_events = 3,
		.profiles = profiles, .nr_profiles = 3, .pid = pid,
	};

	return s;
}

static void test_collect(void)
{
	struct leak_sources src = sources(-1);
	struct leak_item *items;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(leak_items_collect(&src, &items, &n), 0);
	/* a leaked region, a strict report, then sites in use at exit (not the live process) */
	CU_ASSERT_EQUAL_FATAL(n, 5);
	CU_ASSERT_EQUAL(items[0].kind, LEAK_REGION);
	CU_ASSERT_EQUAL(items[0].region, 5);
	CU_ASSERT_STRING_EQUAL(items[0].region_name, "forgotten");
	CU_ASSERT_EQUAL(items[0].bytes, 65536);
	CU_ASSERT_EQUAL(items[0].since_ns, 20);
	CU_ASSERT_PTR_EQUAL(items[0].profile, &profiles[0]);
	CU_ASSERT_EQUAL(items[0].stack[0], 0x1700);
	CU_ASSERT_EQUAL(items[1].kind, LEAK_STRICT);
	CU_ASSERT_EQUAL(items[1].objects, 7);
	CU_ASSERT_EQUAL(items[1].bytes, 70);
	/* the profile gave the strict site its caller and its first allocation */
	CU_ASSERT_EQUAL(items[1].depth, 2);
	CU_ASSERT_EQUAL(items[1].stack[1], 0x1900);
	CU_ASSERT_EQUAL(items[1].since_ns, 42);
	CU_ASSERT_EQUAL(items[2].kind, LEAK_AT_EXIT);
	CU_ASSERT_EQUAL(items[2].objects, 3);
	CU_ASSERT_EQUAL(items[2].bytes, 300);
	CU_ASSERT_EQUAL(items[2].since_ns, 100);
	CU_ASSERT_EQUAL(items[3].tgid, 11);
	CU_ASSERT_EQUAL(items[3].bytes, 50);
	CU_ASSERT_EQUAL(items[4].stack[0], 0x77000);
	free(items);
}

static void test_pid_filter(void)
{
	struct leak_sources src = sources(11);
	struct leak_item *items;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(leak_items_collect(&src, &items, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(items[0].tgid, 11);
	CU_ASSERT_EQUAL(items[1].tgid, 11);
	free(items);
	src = sources(12);	/* alive: nothing leaked yet */
	CU_ASSERT_EQUAL_FATAL(leak_items_collect(&src, &items, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	free(items);
}

static void test_groups_by_code_not_address(void)
{
	struct leak_sources src = sources(-1);
	struct leak_groups g;
	struct leak_item *items;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(leak_items_collect(&src, &items, &n), 0);
	CU_ASSERT_EQUAL_FATAL(leak_groups_build(items, n, &g), 0);
	/* 0x1500 in one run and 0x5500 in the other are svc+0x500: one group */
	CU_ASSERT_EQUAL_FATAL(g.count, 4);
	CU_ASSERT_EQUAL(g.groups[0].kind, LEAK_REGION);
	CU_ASSERT_EQUAL(g.groups[0].bytes, 65536);
	CU_ASSERT_EQUAL(g.groups[1].kind, LEAK_AT_EXIT);
	CU_ASSERT_EQUAL(g.groups[1].bytes, 350);
	CU_ASSERT_EQUAL(g.groups[1].objects, 4);
	CU_ASSERT_EQUAL(g.groups[1].oldest_ns, 50);
	CU_ASSERT_EQUAL_FATAL(g.groups[1].nr_items, 2);
	CU_ASSERT_EQUAL(g.groups[1].items[0], 2);
	CU_ASSERT_EQUAL(g.groups[1].items[1], 3);
	CU_ASSERT_PTR_EQUAL(g.groups[1].first, &items[2]);
	CU_ASSERT_EQUAL(g.groups[2].kind, LEAK_STRICT);
	CU_ASSERT_EQUAL(g.groups[3].bytes, 8);
	leak_groups_free(&g);
	free(items);
}

static void test_unmapped_sites_stay_per_process(void)
{
	struct leak_item items[3] = {
		{ .kind = LEAK_AT_EXIT, .tgid = 1, .bytes = 1, .depth = 1, .stack = { 0x10 } },
		{ .kind = LEAK_AT_EXIT, .tgid = 2, .bytes = 2, .depth = 1, .stack = { 0x10 } },
		{ .kind = LEAK_AT_EXIT, .tgid = 1, .bytes = 4, .depth = 1, .stack = { 0x10 } },
	};
	struct leak_groups g;

	CU_ASSERT_EQUAL_FATAL(leak_groups_build(items, 3, &g), 0);
	CU_ASSERT_EQUAL_FATAL(g.count, 2);
	CU_ASSERT_EQUAL(g.groups[0].bytes, 5);
	CU_ASSERT_EQUAL(g.groups[1].bytes, 2);
	leak_groups_free(&g);
	CU_ASSERT_EQUAL_FATAL(leak_groups_build(items, 0, &g), 0);
	CU_ASSERT_EQUAL(g.count, 0);
	leak_groups_free(&g);
}

static void test_kind_names(void)
{
	CU_ASSERT_STRING_EQUAL(leak_kind_name(LEAK_REGION), "region-leaked");
	CU_ASSERT_STRING_EQUAL(leak_kind_name(LEAK_STRICT), "allocations-leaked");
	CU_ASSERT_STRING_EQUAL(leak_kind_name(LEAK_AT_EXIT), "allocations-at-exit");
}

int add_leak_groups_suite(void)
{
	static const struct test_case tests[] = {
		{ "leaked regions, strict reports and sites at exit", test_collect },
		{ "--pid keeps one process; live ones have not leaked", test_pid_filter },
		{ "one group per site across runs, largest first", test_groups_by_code_not_address },
		{ "unmapped sites group within a process only", test_unmapped_sites_stay_per_process },
		{ "kind names", test_kind_names },
		{ NULL, NULL },
	};

	return add_suite("leak groups", tests);
}
