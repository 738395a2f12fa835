// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memtag-scenario NAME: one misuse (or clean workload) as a service would
 * commit it. Prints key=value lines (region, offset, address) before the
 * misuse, so that the test can compare them with what the module recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "memtag.h"
#include "mte.h"
#include "tag_internal.h"

static void show(const char *key, unsigned long long value)
{
	printf("%s=%llu\n", key, value);
	fflush(stdout);
}

static void show_chunk(struct tag_region *r, void *p)
{
	struct tag_segment *seg = tag_segment_find(p);

	show("region", tag_region_id(r));
	show("offset", seg->region_offset + (uint64_t)((char *)untagged(p) - seg->base));
	show("address", (uintptr_t)p);
	show("pid", (unsigned long long)getpid());
}

static struct tag_region *must_create(struct tag_region *parent, const char *name, unsigned int f)
{
	struct tag_region *r = tag_region_create(parent, name, f);

	if (!r) {
		fprintf(stderr, "scenario: tag_region_create: %s\n", strerror(errno));
		exit(90);
	}
	return r;
}

static void *must_alloc(struct tag_region *r, size_t n)
{
	void *p = tag_alloc(r, n);

	if (!p) {
		fprintf(stderr, "scenario: tag_alloc: %s\n", strerror(errno));
		exit(91);
	}
	return p;
}

static int use_after_end(void)
{
	struct tag_region *r = must_create(NULL, "http-request", 0);
	char *p = must_alloc(r, 64);

	must_alloc(r, 100);
	p = must_alloc(r, 64);
	strcpy(p, "escaping");
	show_chunk(r, p + 5);
	tag_region_end(r);
	show("value", (unsigned char)((volatile char *)p)[5]);	/* the escape */
	return 0;
}

static int stale_after_reset(void)
{
	struct tag_region *r = must_create(NULL, "pool", 0);
	char *p = must_alloc(r, 32);

	show_chunk(r, p);
	tag_region_reset(r);
	must_alloc(r, 32);
	((volatile char *)p)[0] = 1;
	return 0;
}

static int use_after_free(void)
{
	struct tag_region *r = must_create(NULL, "session", 0);
	char *p = must_alloc(r, 64), *q = must_alloc(r, 64);

	show_chunk(r, p);
	tag_free(r, p);
	((volatile char *)p)[0] = 'x';	/* MTE faults here */
	tag_free(r, q);			/* software: the poison check at the next free */
	return 0;
}

static int overflow(void)
{
	struct tag_region *r = must_create(NULL, "parser", 0);
	char *p = must_alloc(r, 24);

	must_alloc(r, 24);
	show_chunk(r, p + 32);
	((volatile char *)p)[32] = 'x';	/* past the rounded data: redzone or next tag */
	tag_free(r, p);
	return 0;
}

/* API misuse: each call fails with errno, nothing breaks afterwards. */
static int bad_frees(void)
{
	struct tag_region *a = must_create(NULL, "a", 0), *b = must_create(NULL, "b", 0);
	char *p = must_alloc(a, 40), stack_byte;
	int ok = 1;

	show("region", tag_region_id(a));
	show("pid", (unsigned long long)getpid());
	ok &= tag_free(a, p) == 0;
	ok &= tag_free(a, p) == -1 && errno == EINVAL;			/* double */
	p = must_alloc(a, 40);
	ok &= tag_free(a, p + 8) == -1 && errno == EINVAL;		/* interior */
	ok &= tag_free(a, &stack_byte) == -1 && errno == EINVAL;	/* not ours */
	ok &= tag_free(b, p) == -1 && errno == EXDEV;			/* wrong region */
	ok &= tag_free(a, p) == 0;
	tag_region_end(a);
	ok &= tag_alloc(a, 8) == NULL && errno == ESTALE;		/* ended */
	p = must_alloc(b, 16);						/* still fine */
	ok &= tag_free(b, p) == 0 && tag_region_end(b) == 0;
	show("ok", ok);
	return ok ? 0 : 1;
}

__attribute__((noinline)) static void *leaky_site_one(struct tag_region *r)
{
	return must_alloc(r, 100);
}

__attribute__((noinline)) static void *leaky_site_two(struct tag_region *r)
{
	return must_alloc(r, 7);
}

static int strict_leaks(void)
{
	struct tag_region *r = must_create(NULL, "strict-job", TAG_REGION_STRICT);
	struct tag_stats st;
	int i;

	show("region", tag_region_id(r));
	show("pid", (unsigned long long)getpid());
	for (i = 0; i < 3; i++)
		leaky_site_one(r);
	for (i = 0; i < 2; i++)
		leaky_site_two(r);
	tag_free(r, must_alloc(r, 5));
	tag_region_end(r);
	tag_stats(&st);
	show("allocs_leaked", st.allocs_leaked);
	return 0;
}

static int leak_at_exit(void)
{
	struct tag_region *r = must_create(NULL, "forgotten", 0);

	must_alloc(r, 5000);
	show("region", tag_region_id(r));
	show("pid", (unsigned long long)getpid());
	return 0;
}

static int foreign(void)
{
	struct tag_region *r = must_create(NULL, "parents", 0);
	char *p = must_alloc(r, 16);
	uint64_t offset = tag_segment_find(p)->map_offset;
	pid_t pid = fork();
	int status;

	show("region", tag_region_id(r));
	if (pid == 0) {
		int fd = open(MEMTAG_DEVICE, O_RDWR);
		void *m = mmap(NULL, 65536, PROT_READ, MAP_SHARED, fd, (off_t)offset);
		int ok = tag_alloc(r, 8) == NULL && errno == EPERM;

		ok &= tag_region_end(r) == -1 && errno == EPERM;
		ok &= m == MAP_FAILED && errno == EPERM;
		show("child", (unsigned long long)getpid());
		_exit(ok ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	show("child_ok", WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return tag_region_end(r);
}

/* Ways to get a second mapping of a segment: each must be refused. */
static int vma_tricks(void)
{
	struct tag_region *r = must_create(NULL, "tricks", 0);
	char *p = must_alloc(r, 64);
	struct tag_segment *seg = tag_segment_find(p);
	void *elsewhere = mmap(NULL, seg->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *moved;

	show("pid", (unsigned long long)getpid());
	show("dofork_refused", madvise(seg->base, seg->size, MADV_DOFORK) != 0);
	moved = mremap(seg->base, seg->size, seg->size, MREMAP_MAYMOVE | MREMAP_FIXED, elsewhere);
	show("mremap_refused", moved == MAP_FAILED);
	show("split_refused", munmap(seg->base, 4096) != 0);
	tag_region_end(r);
	show("value", (unsigned char)((volatile char *)p)[0]);	/* still caught */
	return 0;
}

static int fallback(void)
{
	struct tag_region *r = tag_region_create(NULL, "no-module", 0);
	char *p;

	if (!r) {
		show("created", 0);
		return 3;
	}
	p = tag_alloc(r, 10);
	strcpy(p, "plain");
	show("created", 1);
	show("freed", tag_free(r, p) == 0);
	return tag_region_end(r);
}

#define THREADS 4
#define ALLOCS 100

/* MEMTAG_WORKLOAD_REGIONS: regions per thread (the debug kernel runs fewer). */
static long regions_per_thread(void)
{
	const char *s = getenv("MEMTAG_WORKLOAD_REGIONS");

	return s ? strtol(s, NULL, 10) : 2500;
}

/* A service's life: connections hold requests, pools reset, results promoted. */
static void *workload_thread(void *arg)
{
	struct tag_region *conn = must_create(NULL, "connection", 0);
	struct tag_region *pool = must_create(conn, "pool", 0);
	long id = (long)arg, i, j;

	for (i = 0; i < regions_per_thread(); i++) {
		struct tag_region *req = must_create(i % 2 ? conn : pool, "request", 0);
		char *keep = NULL;

		for (j = 0; j < ALLOCS; j++) {
			char *p = must_alloc(req, (size_t)(j * 7 + id) % 300 + 1);

			memset(p, (int)j, (size_t)(j * 7 + id) % 300 + 1);
			if (j % 3 == 0)
				tag_free(req, p);
			else
				keep = p;
		}
		if (i % 10 == 0)
			keep = tag_promote(keep, conn);
		tag_region_end(req);
		if (i % 100 == 99)
			tag_region_reset(pool);
	}
	tag_region_end(conn);
	return NULL;
}

static int clean_workload(void)
{
	pthread_t threads[THREADS];
	struct tag_stats st;
	long i;

	long n = getenv("MEMTAG_WORKLOAD_THREADS") ? atol(getenv("MEMTAG_WORKLOAD_THREADS")) : THREADS;

	for (i = 0; i < n && i < THREADS; i++)
		pthread_create(&threads[i], NULL, workload_thread, (void *)i);
	for (i = 0; i < n && i < THREADS; i++)
		pthread_join(threads[i], NULL);
	tag_stats(&st);
	show("pid", (unsigned long long)getpid());
	show("regions_created", st.regions_created);
	show("allocs", st.allocs);
	show("violations", st.violations);
	show("live_allocs", st.live_allocs);
	show("regions_live", st.regions_live);
	return 0;
}

/* Keep N region records open (for listing benchmarks) until killed. */
static int hold_regions(long n)
{
	struct memtag_region_record r;
	struct memtag_client *client;
	long i;

	if (memtag_client_open(&client))
		return 1;
	for (i = 0; i < n; i++)
		if (memtag_region_create(client, 0, "held", 0, &r))
			return 2;
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(void);
	} scenarios[] = {
		{ "use-after-end", use_after_end },
		{ "stale-after-reset", stale_after_reset },
		{ "use-after-free", use_after_free },
		{ "overflow", overflow },
		{ "bad-frees", bad_frees },
		{ "strict-leaks", strict_leaks },
		{ "leak-at-exit", leak_at_exit },
		{ "foreign", foreign },
		{ "fallback", fallback },
		{ "vma-tricks", vma_tricks },
		{ "clean-workload", clean_workload },
	};
	size_t i;

	if (argc == 3 && !strcmp(argv[1], "hold-regions"))
		return hold_regions(atol(argv[2]));
	for (i = 0; argc == 2 && i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(argv[1], scenarios[i].name))
			return scenarios[i].run();
	fprintf(stderr, "usage: memtag-scenario NAME\n");
	return 2;
}
