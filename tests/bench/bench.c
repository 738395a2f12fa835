// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memtag-bench: what the calls cost, measured (never asserted).
 * Prints "bench NAME VALUE UNIT" lines; make bench collects them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "memtag.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void report(const char *name, double value, const char *unit)
{
	printf("bench %-28s %12.1f %s\n", name, value, unit);
	fflush(stdout);
}

static void bench_alloc_free(long n)
{
	struct tag_region *r = tag_region_create(NULL, "bench", 0);
	double t0, t1;
	long i;
	void **p = malloc(sizeof(*p) * (size_t)n);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		p[i] = tag_alloc(r, 64);
	t1 = now_ns();
	report("tag_alloc(64)", (t1 - t0) / n, "ns/op");
	t0 = now_ns();
	for (i = 0; i < n; i++)
		tag_free(r, p[i]);
	t1 = now_ns();
	report("tag_free", (t1 - t0) / n, "ns/op");
	t0 = now_ns();
	for (i = 0; i < n; i++)
		free(p[i] = malloc(64));
	t1 = now_ns();
	report("malloc+free(64) for scale", (t1 - t0) / n, "ns/op");
	t0 = now_ns();
	tag_region_end(r);
	report("tag_region_end after n allocs", (now_ns() - t0) / 1e3, "us");
	free(p);
}

static void bench_regions(long n)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++)
		tag_region_end(tag_region_create(NULL, "bench-region", 0));
	report("tag_region_create+end", (now_ns() - t0) / n / 1e3, "us/op");
}

/* Listing n records: through the library, and through tagctl -j regions. */
static void bench_listing(long n)
{
	struct memtag_region_record *all, r;
	struct memtag_client *client;
	size_t count;
	double t0;
	long i;

	if (memtag_client_open(&client))
		return;
	for (i = 0; i < n; i++)
		if (memtag_region_create(client, 0, "held", 0, &r))
			break;
	t0 = now_ns();
	if (!memtag_region_list(client, &all, &count)) {
		report("memtag_region_list", (now_ns() - t0) / 1e3 / (double)count, "us/region");
		free(all);
	}
	t0 = now_ns();
	if (system("tagctl -j regions > /dev/null") == 0)
		report("tagctl -j regions", (now_ns() - t0) / 1e3 / (double)count, "us/region");
	t0 = now_ns();
	if (system("tagctl regions > /dev/null") == 0)
		report("tagctl regions", (now_ns() - t0) / 1e3 / (double)count, "us/region");
	report("regions listed", (double)count, "regions");
	memtag_client_close(client);	/* they become leaked records; unload frees them */
}

int main(int argc, char **argv)
{
	long allocs = argc > 1 ? atol(argv[1]) : 1000000;
	long regions = argc > 2 ? atol(argv[2]) : 2000;

	long listed = argc > 3 ? atol(argv[3]) : 100000;

	bench_alloc_free(allocs);
	bench_regions(regions);
	bench_listing(listed);
	return 0;
}
