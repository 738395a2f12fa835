// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The API beyond alloc and free: variants, the current region, cleanups
 * and byte limits. Each test runs twice: on the software layout in
 * anonymous memory (tag_testing_anonymous_memory), and in the fallback
 * without the module (plain malloc, no checks).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "memtag.h"
#include "alloc.h"
#include "unit.h"

/* a call, not a jump: the return address stays in the caller */
#define NO_TAIL_CALL __attribute__((noinline, optimize("no-optimize-sibling-calls")))

static bool fallback;	/* the mode the current pass runs in */

/* body on the software layout, then without the module; regions do not cross. */
static void both_modes(void (*body)(void))
{
	enum tag_backend_kind saved = tag_rt.backend;

	fallback = false;
	body();
	tag_rt.backend = TAG_BACKEND_NONE;
	fallback = true;
	body();
	tag_rt.backend = saved;
	fallback = false;
}

static void aligned(void)
{
	struct tag_region *r = tag_region_create(NULL, "aligned", 0);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), a;
	uint64_t before = violations();
	char *p[64], *q;
	int n = 0, i, failed = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (a = 1; a <= page; a *= 2) {
		tag_alloc(r, 24);	/* move the bump pointer off any alignment */
		p[n] = tag_aligned_alloc(r, a, 100);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[n]);
		failed += (uintptr_t)untagged(p[n]) % a != 0;
		failed += tag_size(p[n]) != 100 || tag_region_of(p[n]) != r;
		memset(p[n], 'a', 100);	/* all its bytes are its own */
		n++;
	}
	CU_ASSERT_EQUAL(failed, 0);
	errno = 0;
	CU_ASSERT_PTR_NULL(tag_aligned_alloc(r, 0, 8));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(tag_aligned_alloc(r, 48, 8));	/* not a power of two */
	CU_ASSERT_PTR_NULL(tag_aligned_alloc(r, 2 * page, 8));	/* beyond a page */
	CU_ASSERT_EQUAL(tag_free(r, p[n - 1] + 16), -1);	/* interior */
	CU_ASSERT_EQUAL(errno, EINVAL);
	if (!fallback) {
		before = violations();	/* the interior free was recorded */
		/* the pad in front of a page-aligned chunk is no chunk to free */
		q = tag_alloc(r, 24);
		p[n] = tag_aligned_alloc(r, page, 10);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[n]);
		CU_ASSERT_EQUAL(tag_free(r, q + chunk_span(24, CHUNK_ALIGN)), -1);
		CU_ASSERT_EQUAL(errno, EINVAL);
		CU_ASSERT_EQUAL(violations(), before + 1);	/* an invalid free */
		before = violations();
		p[n][10] = 'x';		/* overflow: the redzone still follows it */
		CU_ASSERT_EQUAL(tag_free(NULL, p[n]), 0);
		CU_ASSERT_EQUAL(violations(), before + 1);
		before = violations();
	}
	for (i = 0; i < n; i++)
		failed += tag_free(NULL, p[i]) != 0;
	CU_ASSERT_EQUAL(failed, 0);
	p[0] = tag_aligned_alloc(r, 256, 40);
	q = tag_realloc(r, p[0], 200);
	CU_ASSERT_PTR_NOT_NULL(q);
	if (!fallback)
		CU_ASSERT_PTR_EQUAL(q, p[0]);	/* newest: grows in place, still aligned */
	CU_ASSERT_EQUAL(tag_region_end(r), 0);	/* the walk crosses the pads: no damage */
	CU_ASSERT_EQUAL(violations(), before);
	errno = 0;
	CU_ASSERT_PTR_NULL(tag_aligned_alloc(r, 64, 8));	/* ended */
	CU_ASSERT_EQUAL(errno, ESTALE);
}

static void test_aligned(void)
{
	both_modes(aligned);
}

static void strings(void)
{
	struct tag_region *r = tag_region_create(NULL, "strings", 0);
	static const char bytes[] = { 1, 0, 2, 0, 3 };
	char *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	p = tag_strndup(r, "hello world", 5);
	CU_ASSERT_STRING_EQUAL(p, "hello");
	CU_ASSERT_EQUAL(tag_size(p), 6);
	p = tag_strndup(r, "hi", 100);		/* shorter than n */
	CU_ASSERT_STRING_EQUAL(p, "hi");
	CU_ASSERT_EQUAL(tag_size(p), 3);
	p = tag_memdup(r, bytes, sizeof(bytes));
	CU_ASSERT_EQUAL(memcmp(p, bytes, sizeof(bytes)), 0);
	CU_ASSERT_EQUAL(tag_size(p), sizeof(bytes));
	p = tag_asprintf(r, "%d-%s-%05.1f", 42, "x", 2.25);
	CU_ASSERT_STRING_EQUAL(p, "42-x-002.2");
	CU_ASSERT_EQUAL(tag_size(p), strlen("42-x-002.2") + 1);
	CU_ASSERT_PTR_EQUAL(tag_region_of(p), r);
	CU_ASSERT_EQUAL(tag_free(NULL, p), 0);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	errno = 0;
	CU_ASSERT_PTR_NULL(tag_strndup(r, "late", 4));
	CU_ASSERT_EQUAL(errno, ESTALE);
}

static void test_strings(void)
{
	both_modes(strings);
}

static NO_TAIL_CALL char *vformat(struct tag_region *r, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = tag_vasprintf(r, fmt, ap);
	va_end(ap);
	return p;
}

/* Callers of the variants, to see whose site their chunks carry. */
static NO_TAIL_CALL char *dup_here(struct tag_region *r)
{
	return tag_strndup(r, "site", 4);
}

static NO_TAIL_CALL void *array_here(struct tag_region *r)
{
	return tag_alloc_array(r, 3, 8);
}

static NO_TAIL_CALL void *aligned_here(struct tag_region *r)
{
	return tag_aligned_alloc(r, 64, 8);
}

/* The site is the variant's caller (a return address in it), not variants.c. */
static bool site_in(const void *p, const void *fn)
{
	uint64_t site = chunk_of(untagged(p))->site;

	return site > (uintptr_t)fn && site - (uintptr_t)fn < 512;
}

static void test_vasprintf_and_sites(void)
{
	struct tag_region *r = tag_region_create(NULL, "sites", 0);
	char *p = vformat(r, "[%s|%3d]", "ab", 7);

	CU_ASSERT_STRING_EQUAL(p, "[ab|  7]");
	CU_ASSERT_TRUE(site_in(p, (const void *)vformat));
	CU_ASSERT_TRUE(site_in(dup_here(r), (const void *)dup_here));
	CU_ASSERT_TRUE(site_in(array_here(r), (const void *)array_here));
	CU_ASSERT_TRUE(site_in(aligned_here(r), (const void *)aligned_here));
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
}

static void arrays(void)
{
	struct tag_region *r = tag_region_create(NULL, "arrays", 0);
	int *a, *b, i, bad = 0;

	errno = 0;
	CU_ASSERT_PTR_NULL(tag_alloc_array(r, SIZE_MAX / 2, 3));
	CU_ASSERT_EQUAL(errno, ENOMEM);
	a = tag_alloc_array(r, 10, sizeof(int));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(tag_size(a), 10 * sizeof(int));
	for (i = 0; i < 10; i++)
		a[i] = i;
	tag_alloc(r, 1);			/* a is no longer the newest: it moves */
	b = tag_realloc_array(r, a, 1000, sizeof(int));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (i = 0; i < 10; i++)
		bad += b[i] != i;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(tag_size(b), 1000 * sizeof(int));
	errno = 0;
	CU_ASSERT_PTR_NULL(tag_realloc_array(r, b, SIZE_MAX / 4 + 1, 4));
	CU_ASSERT_EQUAL(errno, ENOMEM);
	CU_ASSERT_EQUAL(tag_size(b), 1000 * sizeof(int));	/* untouched */
	a = tag_realloc_array(r, NULL, 2, 2);			/* NULL: an allocation */
	CU_ASSERT_EQUAL(tag_size(a), 4);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
}

static void test_arrays(void)
{
	both_modes(arrays);
}

static void *current_elsewhere(void *arg)
{
	(void)arg;
	return tag_region_current();
}

static void test_current(void)
{
	struct tag_region *a = tag_region_create(NULL, "cur-a", 0);
	struct tag_region *b = tag_region_create(a, "cur-b", 0);
	pthread_t t;
	void *seen = a;
	int i, failed = 0, status;
	pid_t child;

	CU_ASSERT_PTR_NULL(tag_region_current());
	errno = 0;
	CU_ASSERT_EQUAL(tag_region_leave(), -1);	/* not inside any */
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(tag_region_enter(NULL), -1);
	CU_ASSERT_EQUAL(tag_region_enter(a), 0);
	CU_ASSERT_EQUAL(tag_region_enter(b), 0);
	CU_ASSERT_PTR_EQUAL(tag_region_current(), b);
	/* another thread has a current region of its own */
	CU_ASSERT_EQUAL(pthread_create(&t, NULL, current_elsewhere, NULL), 0);
	pthread_join(t, &seen);
	CU_ASSERT_PTR_NULL(seen);
	/* a forked child inherits the stack, with regions it does not own */
	child = fork();
	if (!child)
		_exit(tag_region_current() == b && !tag_alloc(tag_region_current(), 8) &&
		      errno == EPERM ? 0 : 1);
	CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(tag_region_leave(), 0);
	CU_ASSERT_PTR_EQUAL(tag_region_current(), a);
	CU_ASSERT_EQUAL(tag_region_leave(), 0);
	CU_ASSERT_PTR_NULL(tag_region_current());
	for (i = 0; i < TAG_REGION_NESTING_MAX; i++)
		failed += tag_region_enter(a) != 0;
	CU_ASSERT_EQUAL(failed, 0);
	errno = 0;
	CU_ASSERT_EQUAL(tag_region_enter(b), -1);	/* one too deep */
	CU_ASSERT_EQUAL(errno, EOVERFLOW);
	CU_ASSERT_PTR_EQUAL(tag_region_current(), a);
	for (i = 0; i < TAG_REGION_NESTING_MAX; i++)
		failed += tag_region_leave() != 0;
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT_EQUAL(tag_region_end(a), 0);
	errno = 0;
	CU_ASSERT_EQUAL(tag_region_enter(b), -1);	/* ended with its parent */
	CU_ASSERT_EQUAL(errno, ESTALE);
}

/* What the cleanups saw: who ran, in which order, and what a call returned. */
static struct {
	int order[16];
	int n;
	struct tag_region *region;	/* for the cleanups that act on one */
	char *memory;			/* allocated before the end, read by a cleanup */
	int result, err;
	char copy[16];
} seen;

static void note(void *arg)
{
	if (seen.n < 16)
		seen.order[seen.n++] = (int)(intptr_t)arg;
}

static void end_own(void *arg)
{
	(void)arg;
	errno = 0;
	seen.result = tag_region_end(seen.region);
	seen.err = errno;
}

static void use_memory(void *arg)
{
	char *late = tag_strdup(arg, "late");

	/* the region's memory is there, and it still allocates */
	strcpy(seen.copy, seen.memory);
	note((void *)(intptr_t)(late && !strcmp(late, "late") ? 100 : -100));
}

static void add_another(void *arg)
{
	struct tag_region *child = tag_region_create(arg, "late-child", 0);

	tag_region_cleanup_add(arg, note, (void *)7);
	tag_region_cleanup_add(child, note, (void *)8);
}

static void cleanups_order(void)
{
	struct tag_region *r = tag_region_create(NULL, "cleanups", 0);
	struct tag_region *c = tag_region_create(r, "cleanups-child", 0);
	struct tag_region *g = tag_region_create(c, "cleanups-grandchild", 0);
	static const int expect[] = { 6, 5, 4, 3, 2, 1 };

	memset(&seen, 0, sizeof(seen));
	CU_ASSERT_EQUAL(tag_region_cleanup_add(r, note, (void *)1), 0);
	CU_ASSERT_EQUAL(tag_region_cleanup_add(r, note, (void *)2), 0);
	CU_ASSERT_EQUAL(tag_region_cleanup_add(c, note, (void *)4), 0);
	CU_ASSERT_EQUAL(tag_region_cleanup_add(r, note, (void *)3), 0);
	CU_ASSERT_EQUAL(tag_region_cleanup_add(c, note, (void *)5), 0);
	CU_ASSERT_EQUAL(tag_region_cleanup_add(g, note, (void *)6), 0);
	CU_ASSERT_EQUAL(tag_region_cleanup_add(r, note, (void *)99), 0);
	CU_ASSERT_EQUAL(tag_region_cleanup_remove(r, note, (void *)99), 0);
	errno = 0;
	CU_ASSERT_EQUAL(tag_region_cleanup_remove(r, note, (void *)99), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(tag_region_cleanup_add(r, NULL, NULL), -1);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	CU_ASSERT_EQUAL(seen.n, 6);		/* each once */
	CU_ASSERT_EQUAL(memcmp(seen.order, expect, sizeof(expect)), 0);
	errno = 0;
	CU_ASSERT_EQUAL(tag_region_cleanup_add(r, note, NULL), -1);
	CU_ASSERT_EQUAL(errno, ESTALE);
}

static void test_cleanups_order(void)
{
	both_modes(cleanups_order);
}

static void cleanups_at_reset(void)
{
	struct tag_region *r = tag_region_create(NULL, "cleanup-reset", 0);
	struct tag_region *c = tag_region_create(r, "cleanup-reset-child", 0);

	memset(&seen, 0, sizeof(seen));
	tag_region_cleanup_add(r, note, (void *)1);
	tag_region_cleanup_add(c, note, (void *)2);
	CU_ASSERT_EQUAL(tag_region_reset(r), 0);
	CU_ASSERT_EQUAL(seen.n, 2);
	CU_ASSERT_EQUAL(seen.order[0], 2);	/* the child's first */
	CU_ASSERT_EQUAL(tag_region_reset(r), 0);
	CU_ASSERT_EQUAL(seen.n, 2);		/* dropped after running */
	tag_region_cleanup_add(r, note, (void *)3);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	CU_ASSERT_EQUAL(seen.n, 3);
	CU_ASSERT_EQUAL(seen.order[2], 3);
}

static void test_cleanups_at_reset(void)
{
	both_modes(cleanups_at_reset);
}

static void cleanups_acting(void)
{
	struct tag_region *r = tag_region_create(NULL, "cleanup-acts", 0);
	struct tag_region *c = tag_region_create(r, "cleanup-acts-child", 0);
	struct tag_region *d = tag_region_create(r, "cleanup-acts-done", 0);

	memset(&seen, 0, sizeof(seen));
	seen.memory = tag_strdup(r, "still here");
	/* ending its own region, or an ancestor, from a cleanup: refused */
	seen.region = r;
	tag_region_cleanup_add(c, end_own, NULL);
	tag_region_cleanup_add(r, use_memory, r);
	tag_region_cleanup_add(r, add_another, r);
	CU_ASSERT_EQUAL(tag_region_reset(r), 0);
	CU_ASSERT_EQUAL(seen.result, -1);
	CU_ASSERT_EQUAL(seen.err, EBUSY);
	CU_ASSERT_STRING_EQUAL(seen.copy, "still here");
	/* added while closing: 8 (a new child's) before 7, then use_memory's */
	CU_ASSERT_EQUAL(seen.n, 3);
	CU_ASSERT_EQUAL(seen.order[0], 8);
	CU_ASSERT_EQUAL(seen.order[1], 7);
	CU_ASSERT_EQUAL(seen.order[2], 100);
	/* ending a region that is not closing, from a cleanup: done */
	d = tag_region_create(r, "cleanup-acts-other", 0);
	c = tag_region_create(r, "cleanup-acts-child2", 0);
	seen.region = d;
	seen.result = 1;
	tag_region_cleanup_add(c, end_own, NULL);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	CU_ASSERT_EQUAL(seen.result, 0);
	CU_ASSERT_EQUAL(d->magic, REGION_ENDED);
}

static void test_cleanups_acting(void)
{
	both_modes(cleanups_acting);
}

/* Allocate 4 KiB chunks in r until it fails; the bytes it got, errno in *err. */
static size_t fill(struct tag_region *r, int *err)
{
	size_t got = 0;

	errno = 0;
	while (got < (64UL << 20) && tag_alloc(r, 4096))
		got += 4096;
	*err = errno;
	return got;
}

/* What a lifetime's first segment holds uncharged: its size (without the module, 64 KiB). */
static size_t first_bytes(const struct tag_region *r)
{
	const struct tag_segment *seg = r->segments;

	while (seg && seg->next)
		seg = seg->next;
	return seg ? seg->size : FIRST_SEGMENT_BYTES;
}

static void limits(void)
{
	struct tag_region *p = tag_region_create(NULL, "limited", 0);
	struct tag_region *c = tag_region_create(p, "limited-child", 0);
	size_t limit = 256UL << 10, got, again, first = first_bytes(c);
	int err;

	CU_ASSERT_EQUAL(tag_region_set_limit(p, limit), 0);
	/* a child counts in its parent's limit */
	got = fill(c, &err);
	CU_ASSERT_EQUAL(err, ENOMEM);
	CU_ASSERT(got > limit);				/* the first segment is free */
	CU_ASSERT(got <= limit + first);
	CU_ASSERT(tag_region_charged(p) <= limit);
	CU_ASSERT_EQUAL(tag_region_charged(p), tag_region_charged(c));
	CU_ASSERT_PTR_NULL(tag_alloc(p, 100000));	/* the parent is full too */
	/* the child's end gives its share back */
	CU_ASSERT_EQUAL(tag_region_end(c), 0);
	CU_ASSERT_EQUAL(tag_region_charged(p), 0);
	first = first_bytes(p);
	got = fill(p, &err);
	CU_ASSERT_EQUAL(err, ENOMEM);
	CU_ASSERT(got > limit && got <= limit + first);
	/* a reset does too, and the limit stays */
	CU_ASSERT_EQUAL(tag_region_reset(p), 0);
	CU_ASSERT_EQUAL(tag_region_charged(p), 0);
	first = first_bytes(p);
	again = fill(p, &err);
	CU_ASSERT_EQUAL(err, ENOMEM);
	CU_ASSERT(again > limit && again <= limit + first);
	/* a tighter limit on a child, under a looser one; 0 lifts it */
	CU_ASSERT_EQUAL(tag_region_reset(p), 0);
	c = tag_region_create(p, "limited-child2", 0);
	CU_ASSERT_EQUAL(tag_region_set_limit(c, 64UL << 10), 0);
	first = first_bytes(c);
	got = fill(c, &err);
	CU_ASSERT(got > (64UL << 10) && got <= (64UL << 10) + first);
	CU_ASSERT_EQUAL(tag_region_set_limit(c, 0), 0);
	CU_ASSERT_EQUAL(tag_region_set_limit(p, 0), 0);
	again = fill(c, &err);
	CU_ASSERT_EQUAL(again, 64UL << 20);		/* no limit: the test's own cap */
	CU_ASSERT_EQUAL(tag_region_end(p), 0);
	errno = 0;
	CU_ASSERT_EQUAL(tag_region_set_limit(p, 1), -1);
	CU_ASSERT_EQUAL(errno, ESTALE);
}

static void test_limits(void)
{
	both_modes(limits);
}

/* An aligned chunk counts like any: its pad and all. */
static void limits_aligned(void)
{
	struct tag_region *r = tag_region_create(NULL, "limited-aligned", 0);
	size_t got = 0, first = first_bytes(r);

	tag_region_set_limit(r, 128UL << 10);
	errno = 0;
	while (got < (8UL << 20) && tag_aligned_alloc(r, 4096, 4000))
		got += 4000;
	CU_ASSERT_EQUAL(errno, ENOMEM);
	/* pads take up to half of a page-aligned 4000-byte chunk's room */
	CU_ASSERT(got > (128UL << 10) / 2 && got <= (128UL << 10) + first);
	CU_ASSERT(tag_region_charged(r) <= (128UL << 10));
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
}

static void test_limits_aligned(void)
{
	both_modes(limits_aligned);
}

static NO_TAIL_CALL void *site_a(struct tag_region *r)
{
	return tag_alloc(r, 100);
}

static NO_TAIL_CALL void *site_b(struct tag_region *r)
{
	return tag_alloc(r, 50);
}

static void report(void)
{
	struct tag_region *r = tag_region_create(NULL, "report-parent", 0);
	struct tag_region *c = tag_region_create(r, "report-child", 0);
	char *text = NULL, *line;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	void *gone;

	site_a(r);
	site_a(r);
	gone = site_a(r);
	site_b(r);
	site_b(r);
	site_b(c);
	tag_region_set_limit(c, 1UL << 20);
	tag_free(r, gone);
	CU_ASSERT_EQUAL(tag_region_report(r, out), 0);
	fclose(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	line = strstr(text, "region report-parent");
	CU_ASSERT_PTR_NOT_NULL(line);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, ": 300 bytes in 4 live chunks\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  200 bytes in 2 chunks at "));	/* the freed one gone */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  100 bytes in 2 chunks at "));
	/* the child, indented under its parent, with its limit */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  region report-child"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, ": 50 bytes in 1 live chunks, limit 1048576, charged 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n    50 bytes in 1 chunks at "));
	free(text);
	CU_ASSERT_EQUAL(tag_region_end(r), 0);
	errno = 0;
	CU_ASSERT_EQUAL(tag_region_report(r, stderr), -1);
	CU_ASSERT_EQUAL(errno, ESTALE);
}

static void test_report(void)
{
	both_modes(report);
}

static const struct test_case cases[] = {
	{ "tag_aligned_alloc: every power of two to a page, bad ones refused", test_aligned },
	{ "tag_strndup, tag_memdup, tag_asprintf", test_strings },
	{ "tag_vasprintf; variants record their caller's site", test_vasprintf_and_sites },
	{ "tag_alloc_array, tag_realloc_array: overflow refused", test_arrays },
	{ "tag_region_enter/leave/current: nested, per thread, bounded", test_current },
	{ "cleanups: newest first, children's first, once, removable", test_cleanups_order },
	{ "cleanups at reset: run and dropped", test_cleanups_at_reset },
	{ "cleanups that allocate, add, end: defined", test_cleanups_acting },
	{ "byte limits: children counted, given back at end and reset", test_limits },
	{ "byte limits: aligned chunks", test_limits_aligned },
	{ "tag_region_report: live chunks by site, children indented", test_report },
	{ NULL, NULL },
};

int add_api_suite(void)
{
	return add_suite_fixture("api (anonymous memory, then fallback)", alloc_suite_init, NULL, cases);
}
