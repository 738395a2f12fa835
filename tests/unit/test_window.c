// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl check --since: which findings fall after a sequence number; --kind's names. */
#include <string.h>
#include "classes.h"
#include "leak_groups.h"
#include "unit.h"

static const struct memtag_profile old_proc = { .tgid = 20, .started_ns = 100, .exited_ns = 200 };
static const struct memtag_profile new_proc = { .tgid = 21, .started_ns = 300, .exited_ns = 400 };
static const struct memtag_profile quiet_old = { .tgid = 22, .started_ns = 100, .exited_ns = 150 };
static const struct memtag_profile quiet_new = { .tgid = 23, .started_ns = 100, .exited_ns = 450 };

/* seq 3..8 of a run: old_proc's region leaked at 3, SEQ = 5, new_proc's at 7 */
static const struct memtag_event_record events[] = {
	{ .seq = 3, .time_ns = 200, .kind = MEMTAG_EVENT_REGION_LEAKED, .tgid = 20, .region = 1 },
	{ .seq = 5, .time_ns = 250, .kind = MEMTAG_EVENT_DOUBLE_FREE, .tgid = 30 },
	{ .seq = 6, .time_ns = 350, .kind = MEMTAG_EVENT_USE_AFTER_END, .tgid = 30 },
	{ .seq = 7, .time_ns = 400, .kind = MEMTAG_EVENT_REGION_LEAKED, .tgid = 21, .region = 2 },
	{ .seq = 8, .time_ns = 420, .kind = MEMTAG_EVENT_ALLOCS_LEAKED, .tgid = 30, .region = 9 },
};

static void test_since_window(void)
{
	const struct leak_item region_old = { .kind = LEAK_REGION, .tgid = 20, .region = 1,
					      .profile = &old_proc };
	const struct leak_item region_new = { .kind = LEAK_REGION, .tgid = 21, .region = 2,
					      .profile = &new_proc };
	/* its region-leaked event is no longer in the ring */
	const struct leak_item region_gone = { .kind = LEAK_REGION, .tgid = 24, .region = 3 };
	const struct leak_item strict = { .kind = LEAK_STRICT, .tgid = 30, .has_seq = true, .seq = 8 };
	const struct leak_item exit_old = { .kind = LEAK_AT_EXIT, .tgid = 20, .profile = &old_proc };
	const struct leak_item exit_new = { .kind = LEAK_AT_EXIT, .tgid = 21, .profile = &new_proc };
	/* processes whose regions did not leak: by exit time against seq 5's time */
	const struct leak_item exit_q_old = { .kind = LEAK_AT_EXIT, .tgid = 22, .profile = &quiet_old };
	const struct leak_item exit_q_new = { .kind = LEAK_AT_EXIT, .tgid = 23, .profile = &quiet_new };
	struct leak_window w;

	leak_window_init(&w, 5, events, 5, true);
	CU_ASSERT_EQUAL(w.since_ns, 250);
	CU_ASSERT_FALSE(leak_window_event(&w, &events[1]));
	CU_ASSERT_TRUE(leak_window_event(&w, &events[2]));
	CU_ASSERT_FALSE(leak_window_item(&w, &region_old, events, 5));
	CU_ASSERT_TRUE(leak_window_item(&w, &region_new, events, 5));
	CU_ASSERT_FALSE(leak_window_item(&w, &region_gone, events, 5));
	CU_ASSERT_TRUE(leak_window_item(&w, &strict, events, 5));
	CU_ASSERT_FALSE(leak_window_item(&w, &exit_old, events, 5));
	CU_ASSERT_TRUE(leak_window_item(&w, &exit_new, events, 5));
	CU_ASSERT_FALSE(leak_window_item(&w, &exit_q_old, events, 5));
	CU_ASSERT_TRUE(leak_window_item(&w, &exit_q_new, events, 5));
	/* records after SEQ were overwritten: a region without its event may be new */
	leak_window_init(&w, 5, events, 5, false);
	CU_ASSERT_TRUE(leak_window_item(&w, &region_gone, events, 5));
	/* the last seq: nothing after it */
	leak_window_init(&w, 8, events, 5, true);
	CU_ASSERT_FALSE(leak_window_item(&w, &strict, events, 5));
	CU_ASSERT_FALSE(leak_window_item(&w, &region_new, events, 5));
	CU_ASSERT_FALSE(leak_window_item(&w, &exit_new, events, 5));
	/* -1: everything */
	leak_window_init(&w, -1, events, 5, true);
	CU_ASSERT_TRUE(leak_window_item(&w, &region_old, events, 5));
	CU_ASSERT_TRUE(leak_window_item(&w, &exit_q_old, events, 5));
	CU_ASSERT_TRUE(leak_window_event(&w, &events[0]));
}

static void test_kind_names(void)
{
	char err[256];
	uint32_t m;

	m = tagctl_parse_kinds("double-free,use-after-end", err, sizeof(err));
	CU_ASSERT_EQUAL(m, (1u << MEMTAG_EVENT_DOUBLE_FREE) | (1u << MEMTAG_EVENT_USE_AFTER_END));
	m = tagctl_parse_kinds("escape", err, sizeof(err));
	CU_ASSERT_EQUAL(m, (1u << MEMTAG_EVENT_USE_AFTER_END) |
			   (1u << MEMTAG_EVENT_STALE_AFTER_RESET));
	m = tagctl_parse_kinds("leak,overflow", err, sizeof(err));
	CU_ASSERT_EQUAL(m, (1u << MEMTAG_EVENT_REGION_LEAKED) | (1u << MEMTAG_EVENT_ALLOCS_LEAKED) |
			   (1u << MEMTAG_EVENT_OVERFLOW));
	CU_ASSERT_EQUAL(tagctl_parse_kinds("double-fre", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown kind 'double-fre'"));
	CU_ASSERT_EQUAL(tagctl_parse_kinds("", err, sizeof(err)), 0);
}

int add_window_suite(void)
{
	static const struct test_case tests[] = {
		{ "--since: findings after a sequence number", test_since_window },
		{ "--kind: kind and class names", test_kind_names },
		{ NULL, NULL },
	};

	return add_suite("since and kinds", tests);
}
