// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The API beyond alloc and free with the module: aligned chunks on real
 * segments (MTE: pads and chunks tagged apart, every byte written), byte
 * limits on the segments the module maps, cleanups, the current region
 * and the report. Each case runs in a child: a fault ends the child, not
 * the test run, and shows as a failed case.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "memtag.h"
#include "itest.h"

static uint64_t violations(void)
{
	struct tag_stats s;

	tag_stats(&s);
	return s.violations;
}

/* body in a child; its exit code is the number of the first check that failed */
static void in_child(int (*body)(void))
{
	int status;
	pid_t pid = fork();

	CU_ASSERT_TRUE_FATAL(pid >= 0);
	if (!pid)
		_exit(body());
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fprintf(stderr, "api: the child died of signal %d\n", WTERMSIG(status));
	else if (WEXITSTATUS(status))
		fprintf(stderr, "api: the child's check %d failed\n", WEXITSTATUS(status));
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

#define CHECK(n, cond) do { if (!(cond)) return (n); } while (0)

static int aligned(void)
{
	struct tag_region *r = tag_region_create(NULL, "itest-aligned", 0);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), a;
	uint64_t before = violations();
	char *p[32];
	int n = 0, i, round;

	CHECK(1, r);
	for (round = 0; round < 3; round++) {
		for (a = 1, n = 0; a <= page; a *= 2, n++) {
			CHECK(2, tag_alloc(r, 24 + (size_t)n));
			p[n] = tag_aligned_alloc(r, a, 100 + (size_t)n);
			/* the address, without an MTE tag in its top byte */
			CHECK(3, p[n] && ((uintptr_t)p[n] & ~(0xffUL << 56) & (a - 1)) == 0);
			memset(p[n], 'a', 100 + (size_t)n);	/* MTE: every granule tagged right */
			CHECK(4, tag_size(p[n]) == 100 + (size_t)n && tag_region_of(p[n]) == r);
		}
		for (i = 0; i < n; i++)
			CHECK(5, tag_free(NULL, p[i]) == 0);
		CHECK(6, tag_region_reset(r) == 0);	/* the walk crosses the pads */
	}
	CHECK(7, tag_region_end(r) == 0);
	CHECK(8, violations() == before);
	return 0;
}

static void test_aligned(void)
{
	in_child(aligned);
}

static size_t fill(struct tag_region *r)
{
	size_t got = 0;

	while (got < (64UL << 20) && tag_alloc(r, 4096))
		got += 4096;
	return got;
}

/* What the module says the region holds. */
static uint64_t reserved(uint32_t id)
{
	struct memtag_region_record *all;
	struct memtag_client *c;
	uint64_t bytes = UINT64_MAX;
	size_t n, i;

	if (memtag_client_open(&c))
		return UINT64_MAX;
	if (!memtag_region_list(c, &all, &n)) {
		for (i = 0; i < n; i++)
			if (all[i].id == id)
				bytes = all[i].bytes_reserved;
		free(all);
	}
	memtag_client_close(c);
	return bytes;
}

static int limits(void)
{
	struct tag_region *p = tag_region_create(NULL, "itest-limited", 0);
	struct tag_region *c = tag_region_create(p, "itest-limited-child", 0);
	size_t limit = 1UL << 20, got;

	CHECK(1, p && c && tag_region_set_limit(p, limit) == 0);
	errno = 0;
	got = fill(c);
	CHECK(2, errno == ENOMEM);
	CHECK(3, got > limit && got <= limit + (64UL << 10));
	CHECK(4, tag_region_charged(p) <= limit);
	/* the segments the module mapped for the child: the limit and its first */
	CHECK(5, reserved(tag_region_id(c)) <= limit + (64UL << 10));
	CHECK(6, reserved(tag_region_id(c)) >= limit);
	CHECK(7, tag_region_end(c) == 0 && tag_region_charged(p) == 0);
	CHECK(8, fill(p) > limit && tag_region_charged(p) <= limit);
	CHECK(9, tag_region_reset(p) == 0 && tag_region_charged(p) == 0);
	CHECK(11, fill(p) > limit && tag_region_charged(p) <= limit);
	CHECK(10, tag_region_end(p) == 0);
	return 0;
}

static void test_limits(void)
{
	in_child(limits);
}

static int order[8], ran;

static void note(void *arg)
{
	order[ran++ % 8] = (int)(intptr_t)arg;
}

static char *saved;
static char copy[32];

static void read_region(void *arg)
{
	(void)arg;
	strcpy(copy, saved);	/* before the module revokes it */
}

static int cleanups_and_current(void)
{
	struct tag_region *r = tag_region_create(NULL, "itest-cleanups", 0);
	struct tag_region *c = tag_region_create(r, "itest-cleanups-child", 0);
	char *text = NULL, line[64];
	size_t len = 0;
	FILE *out;

	CHECK(1, r && c);
	CHECK(2, tag_region_enter(r) == 0 && tag_region_enter(c) == 0);
	saved = tag_asprintf(tag_region_current(), "in %s", tag_region_name(c));
	CHECK(3, saved && tag_region_of(saved) == c);
	CHECK(4, tag_region_leave() == 0 && tag_region_current() == r);
	CHECK(5, tag_region_leave() == 0 && !tag_region_current());
	tag_region_cleanup_add(r, note, (void *)1);
	tag_region_cleanup_add(r, note, (void *)2);
	tag_region_cleanup_add(c, note, (void *)3);
	tag_region_cleanup_add(c, read_region, NULL);
	out = open_memstream(&text, &len);
	CHECK(6, out && tag_region_report(r, out) == 0 && !fclose(out));
	CHECK(7, strstr(text, "region itest-cleanups (id ") != NULL);
	CHECK(8, strstr(text, "\n  region itest-cleanups-child (id ") != NULL);
	snprintf(line, sizeof(line), "\n    %zu bytes in 1 chunks at ", strlen(saved) + 1);
	CHECK(9, strstr(text, line) != NULL);
	free(text);
	CHECK(10, tag_region_end(r) == 0);
	CHECK(11, ran == 3 && order[0] == 3 && order[1] == 2 && order[2] == 1);
	CHECK(12, !strcmp(copy, "in itest-cleanups-child"));
	return 0;
}

static void test_cleanups_and_current(void)
{
	in_child(cleanups_and_current);
}

static const struct test_case cases[] = {
	{ "tag_aligned_alloc on module segments: every power of two, reset, end", test_aligned },
	{ "byte limits on the segments the module maps", test_limits },
	{ "cleanups before revocation, the current region, the report", test_cleanups_and_current },
	{ NULL, NULL },
};

int itest_add_api_suite(void)
{
	return add_suite("api", cases);
}
