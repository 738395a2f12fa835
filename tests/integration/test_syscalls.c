// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * System calls per lifetime, counted by a ptrace tracer (tests/common/
 * syscount.c): the allocation fast path must not enter the kernel, and
 * create, end and reset must not make more calls than the bounds below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "memtag.h"
#include "../common/syscount.h"
#include "itest.h"

/*
 * The calls libmemtag makes per lifetime in the steady state (recycled
 * segments waiting): upper bounds, the one place to tighten them. In
 * software mode create claims the region the previous end reserved (no
 * call), end and reset are one ioctl each (the revocation); under MTE
 * create claims a slot of the region table and end writes its end word
 * (no call; a refill every MEMTAG_TABLE_SLOTS lifetimes), reset is one
 * ioctl.
 */
struct lifetime_calls {
	unsigned int create, end, reset;
};
static const struct lifetime_calls bound_software = { .create = 0, .end = 1, .reset = 1 };
static const struct lifetime_calls bound_mte = { .create = 0, .end = 0, .reset = 1 };
/*
 * MANY_LIFETIMES create, fill and end in one section: under MTE at most
 * MANY_CALLS_MTE calls, every one a MEMTAG_IOC_TABLE_REFILL (ioctl).
 */
#define MANY_LIFETIMES (2 * MEMTAG_TABLE_SLOTS)
#define MANY_CALLS_MTE 2
/* A small quarantine, so that the warm-up reaches the steady state: 16 first segments */
#define QUARANTINE_OPTION "quarantine_mb=1"
#define WARM_UP_LIFETIMES 48
/*
 * Counted apart: munmap of segments leaving the quarantine (its budget is
 * process-wide, so how many go at one end depends on the process's past).
 */
#define QUARANTINE_UNMAPS 4

#define LIFETIMES 3
#define FAST_ALLOCS 1000	/* of 16 B: 64 B each with header and redzone, in 64 KiB */

enum {
	SECTION_CALIBRATE,	/* one getpid: the tracer sees calls at all */
	SECTION_FAST,
	SECTION_CREATE,
	SECTION_END = SECTION_CREATE + LIFETIMES,
	SECTION_RESET = SECTION_END + LIFETIMES,
	SECTION_MANY = SECTION_RESET + LIFETIMES,
	SECTIONS,
};

static void *chunks[FAST_ALLOCS];

/* The same call sites inside and outside the sections: warm site caches. */
static __attribute__((noinline)) int fill(struct tag_region *r, unsigned int n, bool free_all)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		chunks[i] = tag_alloc(r, 16);
		if (!chunks[i])
			return -1;
		memset(chunks[i], 0x5a, 16);
	}
	for (i = 0; free_all && i < n; i++)
		if (tag_free(r, chunks[i]))
			return -1;
	return 0;
}

static struct tag_region *create(unsigned int section)
{
	struct tag_region *r;

	syscount_begin(section);
	r = tag_region_create(NULL, "syscalls", 0);
	syscount_end(section);
	if (!r)
		_exit(2);
	return r;
}

/* In the traced child. */
static void lifetimes(void *arg)
{
	struct tag_region *r;
	unsigned int i;

	(void)arg;
	/* read at libmemtag's first call, which is this child's */
	setenv("MEMTAG_OPTIONS", QUARANTINE_OPTION, 1);
	syscount_begin(SECTION_CALIBRATE);
	syscall(SYS_getpid);
	syscount_end(SECTION_CALIBRATE);
	/* the first lifetimes set up the runtime, the socket, the profile */
	for (i = 0; i < WARM_UP_LIFETIMES; i++) {
		r = tag_region_create(NULL, "syscalls-warm-up", 0);
		if (!r || fill(r, 100, true) || tag_region_reset(r) || tag_region_end(r))
			_exit(2);
	}
	r = tag_region_create(NULL, "syscalls-fast", 0);
	if (!r)
		_exit(2);
	syscount_begin(SECTION_FAST);
	if (fill(r, FAST_ALLOCS, true))
		_exit(3);
	syscount_end(SECTION_FAST);
	tag_region_end(r);

	for (i = 0; i < LIFETIMES; i++) {
		r = create(SECTION_CREATE + i);
		if (fill(r, 10, false))
			_exit(3);
		syscount_begin(SECTION_END + i);
		if (tag_region_end(r))
			_exit(4);
		syscount_end(SECTION_END + i);
	}
	r = tag_region_create(NULL, "syscalls-reset", 0);
	for (i = 0; r && i < LIFETIMES; i++) {
		if (fill(r, 10, false))
			_exit(3);
		syscount_begin(SECTION_RESET + i);
		if (tag_region_reset(r))
			_exit(4);
		syscount_end(SECTION_RESET + i);
	}
	if (!r || tag_region_end(r))
		_exit(4);
	syscount_begin(SECTION_MANY);
	for (i = 0; i < MANY_LIFETIMES; i++) {
		r = tag_region_create(NULL, "syscalls-many", 0);
		if (!r || fill(r, 10, false) || tag_region_end(r))
			_exit(5);
	}
	syscount_end(SECTION_MANY);
}

static struct syscount counted;
static bool counted_ok;

static int count_lifetimes(void)
{
	syscount_run(lifetimes, NULL, &counted);
	counted_ok = counted.status == 0;
	if (!counted_ok)
		printf("syscalls: the traced child failed (status %#x)\n", counted.status);
	return 0;
}

static unsigned int unmaps(unsigned int section)
{
	unsigned int i, n = 0;

	for (i = 0; i < counted.count[section] && i < SYSCOUNT_KEPT; i++)
		n += counted.nr[section][i] == SYS_munmap;
	return n;
}

/* The most calls of one of the lifetimes' sections: but munmap, or munmap only. */
static unsigned int most_of(unsigned int first, bool only_unmaps)
{
	unsigned int i, n = 0, here;

	for (i = 0; i < LIFETIMES; i++) {
		here = unmaps(first + i);
		if (!only_unmaps)
			here = counted.count[first + i] - here;
		n = here > n ? here : n;
	}
	return n;
}

static unsigned int most(unsigned int first)
{
	return most_of(first, false);
}

static void test_fast_path_stays_in_user_space(void)
{
	char calls[256];

	CU_ASSERT_TRUE_FATAL(counted_ok);
	CU_ASSERT_EQUAL_FATAL(counted.count[SECTION_CALIBRATE], 1);
	if (counted.count[SECTION_FAST])
		printf("\n    %u system calls in %d tag_alloc+tag_free: %s\n",
		       counted.count[SECTION_FAST], FAST_ALLOCS,
		       syscount_list(&counted, SECTION_FAST, calls, sizeof(calls)));
	CU_ASSERT_EQUAL(counted.count[SECTION_FAST], 0);
}

static void test_calls_per_lifetime(void)
{
	const struct lifetime_calls *bound =
		strcmp(itest_expected_backend(), "mte") ? &bound_software : &bound_mte;
	char c[256], e[256], r[256];

	CU_ASSERT_TRUE_FATAL(counted_ok);
	printf("\n    syscalls create=%u end=%u reset=%u (bounds %u %u %u; %s backend),"
	       " quarantine munmap end=%u reset=%u\n"
	       "    create: %s\n    end: %s\n    reset: %s\n",
	       most(SECTION_CREATE), most(SECTION_END), most(SECTION_RESET),
	       bound->create, bound->end, bound->reset, itest_expected_backend(),
	       most_of(SECTION_END, true), most_of(SECTION_RESET, true),
	       syscount_list(&counted, SECTION_CREATE + LIFETIMES - 1, c, sizeof(c)),
	       syscount_list(&counted, SECTION_END + LIFETIMES - 1, e, sizeof(e)),
	       syscount_list(&counted, SECTION_RESET + LIFETIMES - 1, r, sizeof(r)));
	CU_ASSERT_TRUE(most(SECTION_CREATE) <= bound->create);
	CU_ASSERT_TRUE(most(SECTION_END) <= bound->end);
	CU_ASSERT_TRUE(most(SECTION_RESET) <= bound->reset);
	CU_ASSERT_EQUAL(most_of(SECTION_CREATE, true), 0);
	CU_ASSERT_TRUE(most_of(SECTION_END, true) <= QUARANTINE_UNMAPS);
	CU_ASSERT_TRUE(most_of(SECTION_RESET, true) <= QUARANTINE_UNMAPS);
}

/* Under MTE: a batch of lifetimes makes only the refills of the region table. */
static void test_many_lifetimes_refill_only(void)
{
	unsigned int i, n = counted.count[SECTION_MANY], ioctls = 0;
	char calls[256];

	CU_ASSERT_TRUE_FATAL(counted_ok);
	printf("\n    %u system calls in %d lifetimes: %s\n", n, MANY_LIFETIMES,
	       syscount_list(&counted, SECTION_MANY, calls, sizeof(calls)));
	if (strcmp(itest_expected_backend(), "mte"))
		TEST_SKIP("MTE only: a software end is its revocation, one call each");
	for (i = 0; i < n && i < SYSCOUNT_KEPT; i++)
		ioctls += counted.nr[SECTION_MANY][i] == SYS_ioctl;
	CU_ASSERT_TRUE(n <= MANY_CALLS_MTE);
	CU_ASSERT_EQUAL(ioctls, n < SYSCOUNT_KEPT ? n : SYSCOUNT_KEPT);
}

int itest_add_syscalls_suite(void)
{
	static const struct test_case cases[] = {
		{ "tag_alloc/tag_free of a warm region make no system call",
		  test_fast_path_stays_in_user_space },
		{ "system calls of create, end and reset within the bounds",
		  test_calls_per_lifetime },
		{ "2 tables of lifetimes under MTE make at most 2 calls, refills of the table",
		  test_many_lifetimes_refill_only },
		{ NULL, NULL },
	};

	return add_suite_fixture("syscalls", count_lifetimes, NULL, cases);
}
