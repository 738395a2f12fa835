// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl scan: words against segment ranges, region ancestry, offsets. */
#include <string.h>
#include "scan.h"
#include "unit.h"

#define PID 42
#define MTE_TAG(n) ((uint64_t)(n) << 56)

/* conn(1) -> req(2) -> parse(3); cache(4) unrelated; old(5) ended */
static const struct memtag_region_record regions[] = {
	{ .id = 3, .parent = 2, .name = "parse" },
	{ .id = 1, .parent = 0, .name = "conn" },
	{ .id = 2, .parent = 1, .name = "req" },
	{ .id = 4, .parent = 0, .name = "cache" },
};

static struct memtag_segment_record seg(uint32_t id, uint32_t region, uint32_t tgid,
					enum memtag_segment_state state, uint64_t address,
					uint64_t size, uint64_t region_offset)
{
	struct memtag_segment_record s = { .id = id, .region = region, .tgid = tgid,
					   .state = state, .address = address, .size = size,
					   .region_offset = region_offset };

	return s;
}

/* Unsorted on purpose; one of another process and one unmapped. */
static struct memtag_segment_record segments[8];

static void make_segments(void)
{
	segments[0] = seg(10, 2, PID, MEMTAG_SEGMENT_LIVE, 0x30000, 0x10000, 0);
	segments[1] = seg(11, 1, PID, MEMTAG_SEGMENT_LIVE, 0x10000, 0x10000, 0);
	segments[2] = seg(12, 1, PID, MEMTAG_SEGMENT_LIVE, 0x50000, 0x20000, 0x10000);
	segments[3] = seg(13, 3, PID, MEMTAG_SEGMENT_LIVE, 0x80000, 0x10000, 0);
	segments[4] = seg(14, 5, PID, MEMTAG_SEGMENT_ENDED, 0x90000, 0x10000, 0);
	segments[5] = seg(15, 4, PID, MEMTAG_SEGMENT_RESET, 0xa0000, 0x10000, 0x20000);
	segments[6] = seg(16, 4, PID + 1, MEMTAG_SEGMENT_LIVE, 0xb0000, 0x10000, 0);
	segments[7] = seg(17, 4, PID, MEMTAG_SEGMENT_LIVE, 0, 0x10000, 0);
}

static void index_for(struct scan_index *ix)
{
	make_segments();
	CU_ASSERT_EQUAL_FATAL(scan_index_init(ix, segments, 8, PID, regions, 4), 0);
}

static void test_segment_lookup(void)
{
	struct scan_index ix;

	index_for(&ix);
	CU_ASSERT_EQUAL(ix.nr_segments, 6);	/* not the other process's, not the unmapped */
	CU_ASSERT_PTR_NULL(scan_segment_of(&ix, 0xffff));
	CU_ASSERT_EQUAL(scan_segment_of(&ix, 0x10000)->id, 11);
	CU_ASSERT_EQUAL(scan_segment_of(&ix, 0x1fff8)->id, 11);
	CU_ASSERT_PTR_NULL(scan_segment_of(&ix, 0x20000));	/* one past the end */
	CU_ASSERT_EQUAL(scan_segment_of(&ix, 0x6ffff)->id, 12);
	CU_ASSERT_PTR_NULL(scan_segment_of(&ix, 0xb0000));	/* another process's */
	CU_ASSERT_PTR_NULL(scan_segment_of(&ix, 0));
	/* MTE/TBI tags in the top byte are not part of the address */
	CU_ASSERT_EQUAL(scan_segment_of(&ix, MTE_TAG(0x0b) | 0x30010)->id, 10);
	CU_ASSERT_PTR_NULL(scan_segment_of(&ix, MTE_TAG(0x0b) | 0x2f000));
	scan_index_free(&ix);
}

static void test_ancestry(void)
{
	struct scan_index ix;

	index_for(&ix);
	CU_ASSERT_TRUE(scan_descends(&ix, 2, 1));
	CU_ASSERT_TRUE(scan_descends(&ix, 3, 1));	/* grandchild */
	CU_ASSERT_FALSE(scan_descends(&ix, 1, 1));	/* strict */
	CU_ASSERT_FALSE(scan_descends(&ix, 2, 2));
	CU_ASSERT_FALSE(scan_descends(&ix, 1, 2));	/* ancestors outlive */
	CU_ASSERT_FALSE(scan_descends(&ix, 4, 1));
	CU_ASSERT_FALSE(scan_descends(&ix, 99, 1));	/* not listed */
	scan_index_free(&ix);
}

static void test_classify(void)
{
	const struct memtag_segment_record *t = NULL;
	struct scan_index ix;

	index_for(&ix);
	CU_ASSERT_EQUAL(scan_classify(&ix, 1, 0x30040, &t), SCAN_ENDING);
	CU_ASSERT_EQUAL(t->id, 10);
	CU_ASSERT_EQUAL(scan_classify(&ix, 1, 0x80000, &t), SCAN_ENDING);
	CU_ASSERT_EQUAL(scan_classify(&ix, 2, 0x10040, &t), SCAN_NONE);	/* into the parent */
	CU_ASSERT_EQUAL(scan_classify(&ix, 1, 0x50000, &t), SCAN_NONE);	/* its own */
	CU_ASSERT_EQUAL(scan_classify(&ix, 2, 0x30008, &t), SCAN_NONE);	/* a child's own */
	CU_ASSERT_EQUAL(scan_classify(&ix, 4, 0x30000, &t), SCAN_NONE);	/* unrelated, live */
	CU_ASSERT_EQUAL(scan_classify(&ix, 1, 0x90008, &t), SCAN_ENDED);
	CU_ASSERT_EQUAL(t->region, 5);
	CU_ASSERT_EQUAL(scan_classify(&ix, 4, 0xa0000, &t), SCAN_RESET);	/* its old lifetime */
	CU_ASSERT_EQUAL(scan_classify(&ix, 1, 0xc0000, &t), SCAN_NONE);
	scan_index_free(&ix);
}

struct collected {
	struct scan_ref refs[8];
	size_t n;
};

static void collect(const struct scan_ref *ref, void *arg)
{
	struct collected *c = arg;

	if (c->n < 8)
		c->refs[c->n++] = *ref;
}

static void test_words_and_offsets(void)
{
	struct collected c = { .n = 0 };
	uint64_t words[6] = {
		0x12345678,			/* not a pointer */
		MTE_TAG(0x3) | 0x30020,		/* req, tagged: ending */
		0x50000,			/* conn's own second segment */
		0x90010,			/* old, ended */
		0xa0100,			/* cache, reset */
		0x1fff9,			/* conn's first segment */
	};
	unsigned char buf[sizeof(words) + 4];
	struct scan_index ix;

	index_for(&ix);
	/* conn's second segment (region offset 0x10000), read from offset 0x100 */
	CU_ASSERT_EQUAL(scan_words(&ix, &segments[2], 0x100, words, sizeof(words), collect, &c), 3);
	CU_ASSERT_EQUAL_FATAL(c.n, 3);
	CU_ASSERT_EQUAL(c.refs[0].why, SCAN_ENDING);
	CU_ASSERT_EQUAL(c.refs[0].holder_offset, 0x10000 + 0x100 + 8);
	CU_ASSERT_EQUAL(c.refs[0].target->region, 2);
	CU_ASSERT_EQUAL(c.refs[0].target_offset, 0x20);
	CU_ASSERT_EQUAL(c.refs[0].value, MTE_TAG(0x3) | 0x30020);
	CU_ASSERT_EQUAL(c.refs[1].why, SCAN_ENDED);
	CU_ASSERT_EQUAL(c.refs[1].holder_offset, 0x10000 + 0x100 + 24);
	CU_ASSERT_EQUAL(c.refs[1].target_offset, 0x10);
	CU_ASSERT_EQUAL(c.refs[2].why, SCAN_RESET);
	CU_ASSERT_EQUAL(c.refs[2].target_offset, 0x20000 + 0x100);
	/* a buffer starting off alignment: only aligned words count */
	c.n = 0;
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 4, words, sizeof(words));
	CU_ASSERT_EQUAL(scan_words(&ix, &segments[2], 0x100 - 4, buf, sizeof(buf), collect, &c),
			3);
	CU_ASSERT_EQUAL(c.n ? c.refs[0].holder_offset : 0, 0x10000 + 0x100 + 8);
	scan_index_free(&ix);
}

static void test_holders_and_names(void)
{
	make_segments();
	CU_ASSERT_TRUE(scan_is_holder(&segments[0]));
	CU_ASSERT_FALSE(scan_is_holder(&segments[4]));	/* ended */
	CU_ASSERT_FALSE(scan_is_holder(&segments[5]));	/* reset */
	CU_ASSERT_FALSE(scan_is_holder(&segments[7]));	/* not mapped */
	CU_ASSERT_STRING_EQUAL(scan_why_name(SCAN_ENDING), "ending");
	CU_ASSERT_STRING_EQUAL(scan_why_name(SCAN_ENDED), "ended");
	CU_ASSERT_STRING_EQUAL(scan_why_name(SCAN_RESET), "reset");
}

static void test_empty(void)
{
	const struct memtag_segment_record *t = NULL;
	struct scan_index ix;
	uint64_t word = 0x10000;

	CU_ASSERT_EQUAL_FATAL(scan_index_init(&ix, NULL, 0, PID, NULL, 0), 0);
	CU_ASSERT_PTR_NULL(scan_segment_of(&ix, word));
	CU_ASSERT_EQUAL(scan_classify(&ix, 1, word, &t), SCAN_NONE);
	CU_ASSERT_FALSE(scan_descends(&ix, 2, 1));
	scan_index_free(&ix);
}

int add_scan_suite(void)
{
	static const struct test_case tests[] = {
		{ "segment lookup: bounds, other processes, tags masked", test_segment_lookup },
		{ "ancestry: strict descendants only", test_ancestry },
		{ "classify: ending, ended, reset, allowed", test_classify },
		{ "words: aligned, offsets in holder and target", test_words_and_offsets },
		{ "holders are live mapped segments; why names", test_holders_and_names },
		{ "nothing indexed finds nothing", test_empty },
		{ NULL, NULL },
	};

	return add_suite("scan", tests);
}
