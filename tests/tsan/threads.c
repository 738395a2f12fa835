// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memtag-threads: four threads create, allocate in, free, promote, reset
 * and end regions of their own at once, on the host (anonymous memory, no
 * module), built with ThreadSanitizer: a data race in the allocator's
 * shared state makes it exit 66. Then they grow children of one shared,
 * limited region, each entered as current and with a cleanup. Also checks
 * the counts add up.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memtag.h"
#include "testing.h"

#define THREADS 4
#define REGIONS 2000
#define ALLOCS 50

static void *work(void *arg)
{
	struct tag_region *conn = tag_region_create(NULL, "conn", 0);
	long i, j, failed = 0;

	for (i = 0; i < REGIONS && conn; i++) {
		struct tag_region *r = tag_region_create(conn, "req", 0);
		char *keep = NULL, *p;

		for (j = 0; r && j < ALLOCS; j++) {
			p = tag_alloc(r, 16 + (size_t)(j * 37 + i) % 240);
			failed += !p;
			if (!p)
				continue;
			memset(p, (int)j, 16);
			if (j % 4 == 0)
				failed += tag_free(r, p) != 0;
			else
				keep = p;
		}
		if (keep && i % 7 == 0)
			keep = tag_promote(keep, conn);
		if (keep && i % 3 == 0)
			failed += tag_free(NULL, keep) != 0;
		if (i % 11 == 0)
			failed += tag_region_reset(r) != 0;
		failed += !r || tag_region_end(r) != 0;
	}
	failed += !conn || tag_region_end(conn) != 0;
	*(long *)arg = failed;
	return NULL;
}

#define SHARED_CHILDREN 200
#define SHARED_LIMIT (16UL << 20)

static struct tag_region *shared;
static atomic_long cleanups_run;

static void cleanup(void *arg)
{
	(void)arg;
	atomic_fetch_add(&cleanups_run, 1);
}

/* 256 KiB each: growth past the first segment, charged to the shared parent */
static void *work_shared(void *arg)
{
	long i, j, failed = 0;

	for (i = 0; i < SHARED_CHILDREN; i++) {
		struct tag_region *r = tag_region_create(shared, "shared-req", 0);

		failed += !r || tag_region_enter(r) || tag_region_cleanup_add(r, cleanup, NULL);
		for (j = 0; r && j < 64; j++)
			failed += !tag_alloc(tag_region_current(), 4096);
		failed += tag_region_leave() || tag_region_end(r);
	}
	*(long *)arg = failed;
	return NULL;
}

static long run(void *(*fn)(void *))
{
	long failed[THREADS] = { 0 }, total = 0;
	pthread_t t[THREADS];
	int i;

	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, fn, &failed[i]);
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		total += failed[i];
	}
	return total;
}

int main(void)
{
	long total;
	struct tag_stats s;

	setenv("MEMTAG_OPTIONS", "halt_on_error=0:quarantine_mb=1", 1);
	tag_testing_anonymous_memory();
	total = run(work);
	shared = tag_region_create(NULL, "shared", 0);
	total += !shared || tag_region_set_limit(shared, SHARED_LIMIT);
	total += run(work_shared);
	total += tag_region_charged(shared) != 0;	/* every child gave its share back */
	total += atomic_load(&cleanups_run) != THREADS * SHARED_CHILDREN;
	total += tag_region_end(shared) != 0;
	tag_stats(&s);
	printf("memtag-threads: %d threads x %d regions: %ld failed calls, %llu violations, "
	       "%llu live allocations, %llu live regions\n", THREADS, REGIONS, total,
	       (unsigned long long)s.violations, (unsigned long long)s.live_allocs,
	       (unsigned long long)s.regions_live);
	if (total || s.violations || s.live_allocs || s.regions_live) {
		printf("threads: 0 passed, 1 failed\n");
		return 1;
	}
	printf("threads: 1 passed, 0 failed\n");
	return 0;
}
