// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl regions: filters, durations, sorting and the --tree order. */
#include <string.h>
#include "region_view.h"
#include "units.h"
#include "unit.h"

#define S 1000000000ULL

static struct memtag_region_record rec(uint32_t id, uint32_t parent, uint32_t pid,
				       enum memtag_region_state state, uint64_t bytes,
				       uint64_t created, const char *name)
{
	struct memtag_region_record r = { .id = id, .parent = parent, .tgid = pid,
					  .state = state, .bytes_reserved = bytes,
					  .created_ns = created };

	strcpy(r.name, name);
	return r;
}

static void test_durations(void)
{
	uint64_t ns;

	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("30s", &ns), 0);
	CU_ASSERT_EQUAL(ns, 30 * S);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("250ms", &ns), 0);
	CU_ASSERT_EQUAL(ns, 250000000ULL);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("2h", &ns), 0);
	CU_ASSERT_EQUAL(ns, 7200 * S);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("30", &ns), 0);	/* plain: seconds */
	CU_ASSERT_EQUAL(ns, 30 * S);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("s", &ns), -1);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("-5s", &ns), -1);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("5sec", &ns), -1);
}

static void test_filters(void)
{
	struct memtag_region_record young = rec(1, 0, 10, MEMTAG_REGION_LIVE, 4096, 95 * S, "a");
	struct memtag_region_record old = rec(2, 0, 11, MEMTAG_REGION_LEAKED, 65536, 10 * S, "b");
	struct region_filter f;

	region_filter_init(&f, 100 * S);
	CU_ASSERT_TRUE(region_filter_keep(&f, &young) && region_filter_keep(&f, &old));
	f.pid = 11;
	CU_ASSERT_FALSE(region_filter_keep(&f, &young));
	CU_ASSERT_TRUE(region_filter_keep(&f, &old));
	region_filter_init(&f, 100 * S);
	f.state = MEMTAG_REGION_LEAKED;
	CU_ASSERT_FALSE(region_filter_keep(&f, &young));
	region_filter_init(&f, 100 * S);
	f.older_than_ns = 30 * S;
	CU_ASSERT_FALSE(region_filter_keep(&f, &young));
	CU_ASSERT_TRUE(region_filter_keep(&f, &old));
	region_filter_init(&f, 100 * S);
	f.min_bytes = 8192;
	CU_ASSERT_FALSE(region_filter_keep(&f, &young));
	CU_ASSERT_TRUE(region_filter_keep(&f, &old));
}

static void test_sorting(void)
{
	struct memtag_region_record r[3] = {
		rec(1, 0, 1, MEMTAG_REGION_LIVE, 10, 30 * S, "c"),
		rec(2, 0, 1, MEMTAG_REGION_LIVE, 30, 10 * S, "a"),
		rec(3, 0, 1, MEMTAG_REGION_LIVE, 20, 20 * S, "b"),
	};
	enum region_sort sort;

	CU_ASSERT_EQUAL(parse_sort("bytes", &sort), 0);
	region_sort(r, 3, sort);
	CU_ASSERT_EQUAL(r[0].id, 2);
	CU_ASSERT_EQUAL(r[2].id, 1);
	region_sort(r, 3, SORT_AGE);
	CU_ASSERT_EQUAL(r[0].id, 2);	/* oldest first */
	region_sort(r, 3, SORT_NAME);
	CU_ASSERT_STRING_EQUAL(r[0].name, "a");
	CU_ASSERT_STRING_EQUAL(r[2].name, "c");
	CU_ASSERT_EQUAL(parse_sort("size", &sort), -1);
}

static void test_tree_order(void)
{
	/* 1 -> {2 -> {4}, 3}; 5 whose parent 9 is not listed is a root */
	struct memtag_region_record r[5] = {
		rec(4, 2, 1, MEMTAG_REGION_LIVE, 0, 0, "grandchild"),
		rec(1, 0, 1, MEMTAG_REGION_LIVE, 0, 0, "conn"),
		rec(3, 1, 1, MEMTAG_REGION_LIVE, 0, 0, "req-b"),
		rec(5, 9, 1, MEMTAG_REGION_LIVE, 0, 0, "orphan"),
		rec(2, 1, 1, MEMTAG_REGION_LIVE, 0, 0, "req-a"),
	};
	size_t order[5];
	unsigned int depth[5];
	static const uint32_t want_id[5] = { 1, 2, 4, 3, 5 };
	static const unsigned int want_depth[5] = { 0, 1, 2, 1, 0 };
	size_t i;

	region_tree(r, 5, order, depth);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(r[order[i]].id, want_id[i]);
		CU_ASSERT_EQUAL(depth[i], want_depth[i]);
	}
}

int add_region_view_suite(void)
{
	static const struct test_case tests[] = {
		{ "durations for --older-than", test_durations },
		{ "filters by pid, state, age, bytes", test_filters },
		{ "sorting by bytes, age, name", test_sorting },
		{ "--tree: depth-first under parents, orphans as roots", test_tree_order },
		{ NULL, NULL },
	};

	return add_suite("region view", tests);
}
