// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The allocator's fast paths on the host: the software layout on anonymous
 * memory (tag_testing_anonymous_memory), no module. What free must refuse,
 * what it must find in O(1), and what end must still catch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "memtag.h"
#include "pagemap.h"
#include "alloc.h"
#include "testing.h"
#include "unit.h"

/* shared with test_api.c */
uint64_t violations(void)
{
	struct tag_stats s;

	tag_stats(&s);
	return s.violations;
}

int alloc_suite_init(void)
{
	/* reports counted, not fatal, not printed */
	setenv("MEMTAG_OPTIONS", "halt_on_error=0:verbose=0", 1);
	tag_testing_anonymous_memory();
	return tag_region_create(NULL, "probe", 0) ? 0 : -1;
}

static void test_bad_frees_refused(void)
{
	struct tag_region *a = tag_region_create(NULL, "a", 0), *b = tag_region_create(NULL, "b", 0);
	char *p = tag_alloc(a, 100), *q = tag_alloc(b, 40);
	int local;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(tag_free(a, NULL), 0);
	errno = 0;
	CU_ASSERT_EQUAL(tag_free(a, p + 16), -1);	/* interior, 16-aligned */
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(tag_free(a, p + 3), -1);	/* interior, unaligned */
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(tag_free(a, &local), -1);	/* not region memory at all */
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(tag_free(a, q), -1);		/* b's */
	CU_ASSERT_EQUAL(errno, EXDEV);
	CU_ASSERT_EQUAL(tag_free(a, p), 0);
	CU_ASSERT_EQUAL(tag_free(a, p), -1);		/* twice */
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(tag_region_end(b), 0);
	CU_ASSERT_EQUAL(tag_free(b, q), -1);		/* into an ended region */
	CU_ASSERT_EQUAL(errno, ESTALE);
	CU_ASSERT_EQUAL(tag_region_end(a), 0);
}

/* Frees into old segments find them through the page map, not a list walk. */
static void test_free_finds_any_segment(void)
{
	struct tag_region *r = tag_region_create(NULL, "many-segments", 0);
	enum { N = 40000 };	/* 200 B chunks: several doubling segments */
	char **p = calloc(N, sizeof(*p));
	size_t segments = 0;
	struct tag_segment *seg;
	int i, failed = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (i = 0; i < N; i++)
		p[i] = tag_alloc(r, 200);
	for (seg = r->segments; seg; seg = seg->next)
		segments++;
	CU_ASSERT(segments >= 5);
	CU_ASSERT_PTR_EQUAL(tag_pagemap_get(p[0]), r->segments->next ? tag_segment_find(p[0]) : NULL);
	for (i = 0; i < N; i++)
		failed += tag_free(r, p[i]) != 0;
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	free(p);
}

/* An overflow is seen at free; a write after free when its chunk leaves the ring, or at end. */
static void test_damage_caught(void)
{
	struct tag_region *r = tag_region_create(NULL, "damage", 0);
	char *p = tag_alloc(r, 24), *q;
	uint64_t before = violations();
	int i;

	p[24] = 'x';			/* one past the end */
	CU_ASSERT_EQUAL(tag_free(r, p), 0);
	CU_ASSERT_EQUAL(violations(), before + 1);

	q = tag_alloc(r, 64);
	CU_ASSERT_EQUAL(tag_free(r, q), 0);
	q[3] = 'y';			/* use after free, in the head */
	for (i = 0; i < 16; i++)	/* push q out of the ring of recent frees */
		tag_free(r, tag_alloc(r, 16));
	CU_ASSERT_EQUAL(violations(), before + 2);

	q = tag_alloc(r, 200);
	CU_ASSERT_EQUAL(tag_free(r, q), 0);
	q[150] = 'z';			/* beyond the head: only end sees it */
	CU_ASSERT_EQUAL(violations(), before + 2);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	CU_ASSERT_EQUAL(violations(), before + 3);
}

/*
 * api.md: every byte of a freed chunk, and the redzones of live ones, are
 * checked at reset as at end: damage the ring and free cannot see is found
 * there, once, and the region's next lifetime starts clean.
 */
static void test_damage_caught_at_reset_and_end(void)
{
	struct tag_region *r = tag_region_create(NULL, "reset-damage", 0);
	uint64_t before = violations();
	char *q, *live;

	q = tag_alloc(r, 200);
	CU_ASSERT_EQUAL(tag_free(r, q), 0);
	q[150] = 'z';			/* use after free, beyond the ring's 16 bytes */
	CU_ASSERT_EQUAL(violations(), before);
	CU_ASSERT_EQUAL(tag_region_reset(r), 0);
	CU_ASSERT_EQUAL(violations(), before + 1);
	live = tag_alloc(r, 24);
	live[24] = 'x';			/* overflow of a chunk never freed */
	CU_ASSERT_EQUAL(violations(), before + 1);
	CU_ASSERT_EQUAL(tag_region_reset(r), 0);
	CU_ASSERT_EQUAL(violations(), before + 2);
	/* a clean lifetime after them: nothing more */
	CU_ASSERT_EQUAL(tag_free(r, tag_alloc(r, 24)), 0);
	CU_ASSERT_EQUAL(tag_region_reset(r), 0);
	CU_ASSERT_EQUAL(violations(), before + 2);
	live = tag_alloc(r, 40);
	live[40] = 'x';			/* and at end */
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	CU_ASSERT_EQUAL(violations(), before + 3);
}

/* The ring's check of small chunks (two overlapping loads, or the general path) and end's of every byte. */
static void test_small_and_tail_damage_caught(void)
{
	static const size_t ring_sizes[] = { 4, 10, 15, 16, 40 }, end_sizes[] = { 17, 33, 100, 255 };
	struct tag_region *r = tag_region_create(NULL, "small-damage", 0);
	uint64_t before = violations();
	size_t i, j;
	char *q;

	for (i = 0; i < sizeof(ring_sizes) / sizeof(ring_sizes[0]); i++) {
		q = tag_alloc(r, ring_sizes[i]);
		CU_ASSERT_EQUAL(tag_free(r, q), 0);
		/* the last byte the ring checks: within the first 16 */
		q[(ring_sizes[i] < 16 ? ring_sizes[i] : 16) - 1] = 'y';
		for (j = 0; j < 16; j++)
			tag_free(r, tag_alloc(r, 24));
		CU_ASSERT_EQUAL(violations(), before + i + 1);
	}
	before = violations();
	for (i = 0; i < sizeof(end_sizes) / sizeof(end_sizes[0]); i++) {
		q = tag_alloc(r, end_sizes[i]);
		CU_ASSERT_EQUAL(tag_free(r, q), 0);
		q[end_sizes[i] - 1] = 'z';	/* the last byte: end compares it */
	}
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	CU_ASSERT_EQUAL(violations(), before + sizeof(end_sizes) / sizeof(end_sizes[0]));
}

/* Always the same creation site: bytes allocated in 200-byte chunks; segments it took. */
static __attribute__((noinline)) size_t lifetime_at_one_site(size_t bytes, size_t *first)
{
	struct tag_region *r = tag_region_create(NULL, "sized", 0);
	struct tag_segment *seg;
	size_t n = 0, i;

	for (i = 0; i < bytes / 200; i++)
		tag_alloc(r, 200);
	for (seg = r->segments; seg; seg = seg->next, n++)
		*first = seg->size;	/* the last in the list is the first */
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	return n;
}

/* A site's next first segment holds what its last lifetime used; it shrinks slowly. */
static void test_first_segment_sized_by_site(void)
{
	size_t first = 0, i;

	CU_ASSERT(lifetime_at_one_site(150 << 10, &first) >= 2);	/* outgrew 64 KiB */
	CU_ASSERT_EQUAL(first, 64 << 10);
	CU_ASSERT_EQUAL(lifetime_at_one_site(150 << 10, &first), 1);	/* 256 KiB from the start */
	CU_ASSERT_EQUAL(first, 256 << 10);
	for (i = 0; i < 15; i++)
		lifetime_at_one_site(1 << 10, &first);
	CU_ASSERT_EQUAL(first, 256 << 10);				/* 15 small ones: kept */
	lifetime_at_one_site(1 << 10, &first);
	lifetime_at_one_site(1 << 10, &first);
	CU_ASSERT_EQUAL(first, 128 << 10);				/* the 16th: one class down */
}

/* Size and region from the pointer alone; free without the region. */
static void test_size_and_region_of(void)
{
	struct tag_region *r = tag_region_create(NULL, "lookups", 0);
	char *p = tag_alloc(r, 100), *q = tag_alloc(r, 1);
	int local;

	CU_ASSERT_EQUAL(tag_size(p), 100);
	CU_ASSERT_EQUAL(tag_size(q), 1);
	CU_ASSERT_PTR_EQUAL(tag_region_of(p), r);
	errno = 0;
	CU_ASSERT_EQUAL(tag_size(p + 16), 0);		/* interior */
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(tag_region_of(p + 16));
	CU_ASSERT_PTR_NULL(tag_region_of(&local));
	CU_ASSERT_EQUAL(tag_free(NULL, p), 0);
	CU_ASSERT_EQUAL(tag_size(p), 0);			/* freed: no longer a live chunk */
	CU_ASSERT_EQUAL(tag_free(NULL, p), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(tag_free(NULL, &local), -1);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	CU_ASSERT_PTR_NULL(tag_region_of(q));		/* ended */
}

static void test_realloc(void)
{
	struct tag_region *r = tag_region_create(NULL, "realloc", 0);
	char *p = tag_alloc(r, 10), *q, *moved;
	uint64_t before = violations();

	memcpy(p, "0123456789", 10);
	q = tag_realloc(r, p, 300);		/* the newest chunk: grows where it is */
	CU_ASSERT_PTR_EQUAL(q, p);
	CU_ASSERT_EQUAL(tag_size(q), 300);
	memset(q + 10, 'x', 290);		/* all its bytes are its own */
	tag_alloc(r, 8);			/* no longer the newest */
	moved = tag_realloc(r, q, 400);
	CU_ASSERT_PTR_NOT_EQUAL(moved, q);
	CU_ASSERT_EQUAL(memcmp(moved, "0123456789xxx", 13), 0);
	CU_ASSERT_EQUAL(tag_size(q), 0);		/* the old one was freed */
	CU_ASSERT_PTR_EQUAL(tag_realloc(r, moved, 20), moved);	/* shrinks where it is */
	errno = 0;
	CU_ASSERT_PTR_NULL(tag_realloc(r, moved + 16, 8));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);	/* no damage left behind */
	CU_ASSERT_EQUAL(violations(), before);
}

/* A copy must outlive the original: only into an ancestor, and it keeps its site. */
static void test_promote_ancestor_rule(void)
{
	struct tag_region *conn = tag_region_create(NULL, "conn", 0);
	struct tag_region *req = tag_region_create(conn, "req", 0);
	struct tag_region *other = tag_region_create(NULL, "other", 0);
	char *p = tag_strdup(req, "keep me"), *q;

	errno = 0;
	CU_ASSERT_PTR_NULL(tag_promote(p, other));	/* unrelated: may end first */
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(tag_promote(p, req));	/* itself */
	CU_ASSERT_PTR_NULL(tag_promote(p + 16, conn));	/* not a chunk start */
	q = tag_promote(p, conn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_STRING_EQUAL(q, "keep me");
	CU_ASSERT_PTR_EQUAL(tag_region_of(q), conn);
	CU_ASSERT_EQUAL(chunk_of(q)->bucket, chunk_of(p)->bucket);	/* the same site */
	CU_ASSERT_EQUAL(tag_size(p), 0);
	CU_ASSERT_EQUAL(tag_region_end(conn), 0);
	CU_ASSERT_EQUAL(tag_region_end(other), 0);
}

static void test_pagemap(void)
{
	static char area[3 * 4096] __attribute__((aligned(4096)));
	struct tag_segment *fake = (struct tag_segment *)area;

	CU_ASSERT_PTR_NULL(tag_pagemap_get(area + 4096));
	CU_ASSERT_TRUE(tag_pagemap_set(area, 2 * 4096, fake));
	CU_ASSERT_PTR_EQUAL(tag_pagemap_get(area), fake);
	CU_ASSERT_PTR_EQUAL(tag_pagemap_get(area + 2 * 4096 - 1), fake);
	CU_ASSERT_PTR_NULL(tag_pagemap_get(area + 2 * 4096));
	CU_ASSERT_FALSE(tag_pagemap_set((void *)(1UL << 48), 4096, fake));	/* beyond 48 bits */
	CU_ASSERT_PTR_NULL(tag_pagemap_get((void *)(1UL << 48)));
	CU_ASSERT_TRUE(tag_pagemap_set(area, 2 * 4096, NULL));
	CU_ASSERT_PTR_NULL(tag_pagemap_get(area));
}

static bool buried(const struct tag_region *r)
{
	const struct tag_region *z;

	for (z = tag_rt.zombies; z; z = z->zombie_next)
		if (z == r)
			return true;
	return false;
}

/*
 * api.md: an ended handle stays valid for error reporting until 1024 more
 * regions have ended. The last of those frees it: after that the test
 * only looks for it in the list, never through it.
 */
static void test_ended_handles_kept(void)
{
	struct tag_region *a = tag_region_create(NULL, "ended-first", 0), *r;
	uint64_t before;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(tag_region_end(a), 0);
	for (i = 0; i < 1023; i++) {
		r = tag_region_create(NULL, "ended-later", 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(tag_region_end(r), 0);
	}
	before = violations();
	errno = 0;
	CU_ASSERT_PTR_NULL(tag_alloc(a, 8));	/* 1023 later: still caught */
	CU_ASSERT_EQUAL(errno, ESTALE);
	CU_ASSERT_EQUAL(violations(), before + 1);
	CU_ASSERT_TRUE(buried(a));
	CU_ASSERT_PTR_EQUAL(tag_rt.zombies, a);	/* the oldest kept */
	r = tag_region_create(NULL, "ended-last", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	CU_ASSERT_FALSE(buried(a));		/* the 1024th later end let it go */
	CU_ASSERT_EQUAL(tag_rt.zombie_count, 1024);
}

static const struct test_case cases[] = {
	{ "bad frees: interior, foreign, other region, twice, ended", test_bad_frees_refused },
	{ "free finds old segments through the page map", test_free_finds_any_segment },
	{ "overflow at free, use after free on ring eviction and at end", test_damage_caught },
	{ "small chunks on ring eviction, every freed byte at end", test_small_and_tail_damage_caught },
	{ "use after free and overflow of a live chunk at reset and at end",
	  test_damage_caught_at_reset_and_end },
	{ "first segments sized by what their creation site used", test_first_segment_sized_by_site },
	{ "page map: set, get, bounds, clear", test_pagemap },
	{ "ended handles: ESTALE until 1024 more regions have ended", test_ended_handles_kept },
	{ "tag_size, tag_region_of, tag_free(NULL, p)", test_size_and_region_of },
	{ "tag_realloc: in place when newest, else moved, bad pointers refused", test_realloc },
	{ "tag_promote: ancestors only, site kept", test_promote_ancestor_rule },
	{ NULL, NULL },
};

int add_alloc_suite(void)
{
	return add_suite_fixture("alloc (anonymous memory)", alloc_suite_init, NULL, cases);
}
