// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memtag-scenario NAME: one misuse (or clean workload) as a service would
 * commit it. Prints key=value lines (region, offset, address) before the
 * misuse, so that the test can compare them with what the module recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "memtag.h"
#include "mte.h"
#include "alloc.h"

static void show(const char *key, unsigned long long value)
{
	printf("%s=%llu\n", key, value);
	fflush(stdout);
}

/*
 * Where p lies in region r, from the module's listing of our segments: not
 * from libmemtag's own segment table, which its fault handler reads.
 */
static uint64_t listed_offset(struct tag_region *r, void *p)
{
	uint64_t at = (uintptr_t)untagged(p), offset = UINT64_MAX;
	struct memtag_segment_record *all = NULL;
	struct memtag_client *client;
	size_t n = 0, i;

	if (memtag_client_open(&client) || memtag_segment_list(client, getpid(), &all, &n))
		exit(3);
	memtag_client_close(client);
	for (i = 0; i < n; i++)
		if (all[i].region == tag_region_id(r) && at >= all[i].address &&
		    at < all[i].address + all[i].size)
			offset = all[i].region_offset + (at - all[i].address);
	free(all);
	if (offset == UINT64_MAX) {
		fprintf(stderr, "scenario: the module lists no segment of region %u at %p\n",
			tag_region_id(r), p);
		exit(92);
	}
	return offset;
}

static void show_chunk(struct tag_region *r, void *p)
{
	show("region", tag_region_id(r));
	show("offset", listed_offset(r, p));
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

/*
 * With quarantine_mb=0 an ended region's first segment is recycled at
 * once: lifetime 3 reuses lifetime 1's addresses (software: with lifetime 2's pages),
 * lifetime 4 lifetime 2's. An escape from lifetime 4 is still caught.
 */
static int recycled(void)
{
	uintptr_t base[4];
	char name[32], *p = NULL;
	struct tag_region *r;
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "lifetime-%d", i + 1);
		r = must_create(NULL, name, 0);
		p = must_alloc(r, 64);
		memset(p, 'x', 64);
		base[i] = (uintptr_t)untagged(tag_segment_find(p)->base);
		if (i == 3)
			show_chunk(r, p + 8);
		tag_region_end(r);
	}
	show("recycled", base[2] == base[0] && base[3] == base[1]);
	show("value", (unsigned char)((volatile char *)p)[8]);	/* the escape */
	return 0;
}

/* A runtime with guard pages of its own (a JIT, a GC) handles SIGSEGV too. */
static char *guard;
static volatile int guard_faults;

static void on_guard(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if ((char *)si->si_addr < guard || (char *)si->si_addr >= guard + 2 * 4096) {
		/* not a guard page: a crash reporter's turn, then memtag's death */
		if (write(STDOUT_FILENO, "crash_reporter=1\n", 17) < 0)
			_exit(97);
		return;
	}
	guard_faults++;
	mprotect((void *)((uintptr_t)si->si_addr & ~4095UL), 4096, PROT_READ | PROT_WRITE);
}

/* Its faults go to it, libmemtag's handler stays: an escape afterwards is caught. */
static int chained(void)
{
	struct sigaction sa = { .sa_sigaction = on_guard, .sa_flags = SA_SIGINFO };
	struct tag_region *r;
	char *p;

	guard = mmap(NULL, 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sigaction(SIGSEGV, &sa, NULL);
	r = must_create(NULL, "after-guards", 0);	/* libmemtag's handler goes in */
	p = must_alloc(r, 64);
	((volatile char *)guard)[0] = 1;
	((volatile char *)guard)[4096] = 1;
	show("guard_faults", guard_faults);
	show_chunk(r, p + 1);
	tag_region_end(r);
	show("value", (unsigned char)((volatile char *)p)[1]);	/* the escape */
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
	tag_free(r, q);
	tag_region_end(r);		/* software: the poison check at end */
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

/* Each refused through the library with the errno api.md names; key=1 if so. */
static int bad_arguments(void)
{
	char long_name[MEMTAG_REGION_NAME_MAX + 1];
	struct tag_region *r;
	char *p;

	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	show("pid", (unsigned long long)getpid());
	errno = 0;
	show("null_name", !tag_region_create(NULL, NULL, 0) && errno == EINVAL);
	errno = 0;
	show("long_name", !tag_region_create(NULL, long_name, 0) && errno == EINVAL);
	errno = 0;
	show("bad_flags", !tag_region_create(NULL, "flags", 0x2) && errno == EINVAL);
	r = must_create(NULL, "ended", 0);
	p = must_alloc(r, 16);
	show("region", tag_region_id(r));
	if (tag_region_end(r))
		return 1;
	errno = 0;
	show("free_into_ended", tag_free(r, p) == -1 && errno == ESTALE);
	return 0;
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
		if (i % 10 == 1)	/* a child of conn: conn outlives it */
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

/* Three frames of call stack under the allocation, none inlined. */
static __attribute__((noinline)) void *depth_inner(struct tag_region *r)
{
	void *p = tag_alloc(r, 24);

	if (!p)
		exit(91);
	__asm__ volatile("" ::: "memory");
	return p;
}

static __attribute__((noinline)) void *depth_middle(struct tag_region *r)
{
	void *p = depth_inner(r);

	__asm__ volatile("" ::: "memory");
	return p;
}

static __attribute__((noinline)) void *depth_outer(struct tag_region *r)
{
	void *p = depth_middle(r);

	__asm__ volatile("" ::: "memory");
	return p;
}

static bool returns_into(uint64_t address, void *fn)
{
	return address > (uintptr_t)fn && address < (uintptr_t)fn + 256;
}

/* With stack_depth=4 the site is inner < middle < outer < profile_depth. */
static int profile_depth(void)
{
	struct tag_region *r = must_create(NULL, "deep", 0);
	struct memtag_client *client;
	struct memtag_profile *all;
	const struct memtag_site *s;
	size_t n, i;

	depth_outer(r);
	if (memtag_client_open(&client) || memtag_profile_list(client, getpid(), &all, &n) || n != 1)
		return 3;
	for (i = 0; i < all[0].nr_sites; i++) {
		s = &all[0].sites[i];
		/* for the test's log when the match below fails */
		printf("site %zu: frames %u, from inner %#llx middle %#llx outer %#llx\n", i,
		       s->depth, (unsigned long long)(s->stack[0] - (uintptr_t)depth_inner),
		       (unsigned long long)(s->stack[1] - (uintptr_t)depth_middle),
		       (unsigned long long)(s->stack[2] - (uintptr_t)depth_outer));
		if (s->depth == 4 && returns_into(s->stack[0], depth_inner) &&
		    returns_into(s->stack[1], depth_middle) && returns_into(s->stack[2], depth_outer))
			show("depth", s->depth);
	}
	memtag_profile_list_free(all, n);
	memtag_client_close(client);
	return 0;
}

/* One allocation site, not inlined: its return address is known. */
static __attribute__((noinline)) void *allocate_here(struct tag_region *r, size_t n)
{
	void *p = must_alloc(r, n);

	__asm__ volatile("" ::: "memory");
	return p;
}

/* Own profile, the site in allocate_here (NULL if absent); free with memtag_profile_list_free. */
static const struct memtag_site *own_site(struct memtag_profile **all, size_t *n)
{
	static struct memtag_client *client;
	size_t i;

	if ((!client && memtag_client_open(&client)) ||
	    memtag_profile_list(client, getpid(), all, n) || *n != 1)
		exit(3);
	for (i = 0; i < (*all)[0].nr_sites; i++)
		if (returns_into((*all)[0].sites[i].stack[0], allocate_here))
			return &(*all)[0].sites[i];
	return NULL;
}

static void show_site(const char *prefix, const struct memtag_site *s)
{
	char key[64];

	snprintf(key, sizeof(key), "%salloc_objects", prefix);
	show(key, s ? s->alloc_objects : 0);
	snprintf(key, sizeof(key), "%salloc_bytes", prefix);
	show(key, s ? s->alloc_bytes : 0);
	snprintf(key, sizeof(key), "%sfree_objects", prefix);
	show(key, s ? s->free_objects : 0);
	snprintf(key, sizeof(key), "%sfree_bytes", prefix);
	show(key, s ? s->free_bytes : 0);
	snprintf(key, sizeof(key), "%sleaked_objects", prefix);
	show(key, s ? s->leaked_objects : 0);
}

/* 10 x 100 bytes at allocate_here, 3 freed; what the module shows of us. */
static int profile_self(void)
{
	struct tag_region *r = must_create(NULL, "profiled", 0);
	const struct memtag_binary *bin;
	const struct memtag_site *s;
	struct memtag_profile *all;
	char exe[MEMTAG_PROFILE_PATH_MAX] = "";
	void *kept[10];
	size_t n;
	int i;

	for (i = 0; i < 10; i++)
		kept[i] = allocate_here(r, 100);
	for (i = 0; i < 3; i++)
		tag_free(r, kept[i]);
	s = own_site(&all, &n);
	show_site("", s);
	show("depth", s ? s->depth : 0);
	show("first_ns_set", s && s->first_ns);
	show("exited_ns", all[0].exited_ns);
	show("comm_ok", !strcmp(all[0].comm, "memtag-scenario"));
	bin = s ? memtag_profile_binary_of(&all[0], s->stack[0]) : NULL;
	if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0)
		exe[0] = '\0';
	show("binary_is_exe", bin && !strcmp(bin->path, exe));
	show("build_id_len", bin ? bin->build_id_len : 0);
	memtag_profile_list_free(all, n);
	tag_region_end(r);
	s = own_site(&all, &n);
	show_site("end_", s);
	memtag_profile_list_free(all, n);
	return 0;
}

static const struct memtag_segment_record *segment_of(struct memtag_segment_record **all, uint32_t region)
{
	struct memtag_client *client;
	size_t n, i;

	if (memtag_client_open(&client) || memtag_segment_list(client, getpid(), all, &n))
		exit(3);
	memtag_client_close(client);
	for (i = 0; i < n; i++)
		if ((*all)[i].region == region)
			return &(*all)[i];
	return NULL;
}

/* Where the module says our segment is, before and after the region ends. */
static int segments_self(void)
{
	struct tag_region *r = must_create(NULL, "mapped", 0);
	uint64_t p = (uintptr_t)untagged(allocate_here(r, 32)), address;
	const struct memtag_segment_record *seg;
	struct memtag_segment_record *all;
	uint32_t id = tag_region_id(r);

	seg = segment_of(&all, id);
	show("listed", seg != NULL);
	show("state", seg ? seg->state : 99);
	show("name_ok", seg && !strcmp(seg->region_name, "mapped"));
	show("pid_ok", seg && seg->tgid == (uint32_t)getpid());
	show("inside", seg && p >= seg->address && p < seg->address + seg->size);
	address = seg ? seg->address : 0;
	free(all);
	tag_region_end(r);
	seg = segment_of(&all, id);
	show("after_listed", seg != NULL);
	show("after_state", seg ? seg->state : 99);
	show("after_same_address", seg && seg->address == address);
	free(all);
	return 0;
}

/* Report scenarios (tagctl leaks): each site its own frame, not a tail call. */
static void *allocated(void *p)
{
	if (!p)
		exit(91);
	return p;
}

static __attribute__((noinline)) void *cache_entry_new(struct tag_region *r)
{
	return allocated(tag_alloc(r, 128));
}

static __attribute__((noinline)) void *session_buffer_new(struct tag_region *r)
{
	return allocated(tag_alloc(r, 4096));
}

static __attribute__((noinline)) void *strict_record_new(struct tag_region *r)
{
	return allocated(tag_alloc(r, 48));
}

/* A service killed while it holds memory: 4 cache entries and a buffer in use. */
static int killed_service(void)
{
	struct tag_region *r = tag_region_create(NULL, "service-cache", 0);
	int i;

	if (!r)
		exit(90);
	for (i = 0; i < 4; i++)
		cache_entry_new(r);
	tag_free(r, cache_entry_new(r));
	session_buffer_new(r);
	show("region", tag_region_id(r));
	show("pid", (unsigned long long)getpid());
	raise(SIGKILL);
	return 0;
}

/* A strict region ends with 3 records live; the process then exits cleanly. */
static int strict_sites(void)
{
	struct tag_region *r = tag_region_create(NULL, "strict-report", TAG_REGION_STRICT);
	int i;

	if (!r)
		exit(90);
	for (i = 0; i < 3; i++)
		strict_record_new(r);
	show("region", tag_region_id(r));
	show("pid", (unsigned long long)getpid());
	return tag_region_end(r);
}

/*
 * Long enough that a step of growth (MTE tagging under TCG is slow) ends
 * before the next sample: a sample that sees no growth resets the count.
 */
#define GROWTH_SAMPLE_MS "250"

static int set_sampling(const char *ms)
{
	FILE *f = fopen("/sys/module/memtag/parameters/sample_interval_ms", "w");
	int ok = f && fputs(ms, f) >= 0;

	return f && !fclose(f) && ok ? 0 : -1;
}

/* The module's growth count of region id, or -1. */
static long report_growth_of(struct memtag_client *client, uint32_t id)
{
	struct memtag_region_record *all;
	size_t n, i;
	long growth = -1;

	if (memtag_region_list(client, &all, &n))
		return -1;
	for (i = 0; i < n; i++)
		if (all[i].id == id)
			growth = all[i].growth;
	free(all);
	return growth;
}

/* Bigger by as much as it holds: a new segment (MTE) and new pages (software). */
static void grow(struct tag_region *r, size_t *held)
{
	size_t n = *held ? *held : 65536;

	memset(must_alloc(r, n), 1, n);
	*held += n;
}

/* After each step wait for the sampler to see it; returns the growth reached. */
static long grow_to(struct memtag_client *client, struct tag_region *r, size_t *held, long want)
{
	long growth = report_growth_of(client, tag_region_id(r)), seen;
	int polls;

	while (growth >= 0 && growth < want && *held < (32UL << 20)) {
		grow(r, held);
		for (polls = 0; polls < 3000; polls++) {
			seen = report_growth_of(client, tag_region_id(r));
			if (seen != growth)
				break;
			usleep(2000);
		}
		growth = seen;
	}
	return growth;
}

/*
 * A region that grows in 3 samples in a row, then sampling stops so that the
 * count stays while the test looks (sampling is restarted by the test). Waits
 * to be killed.
 */
static int growing_region(void)
{
	struct tag_region *r = tag_region_create(NULL, "growing-cache", 0);
	struct memtag_client *client;
	size_t held = 0;
	int tries;

	if (!r || memtag_client_open(&client) || set_sampling(GROWTH_SAMPLE_MS))
		return 90;
	/* a sample between the last look and the stop resets the count: go again */
	for (tries = 0; tries < 3; tries++) {
		if (grow_to(client, r, &held, 3) < 3)
			return 92;
		if (set_sampling("0"))
			return 90;
		if (report_growth_of(client, tag_region_id(r)) >= 3)
			break;
		set_sampling(GROWTH_SAMPLE_MS);
	}
	show("region", tag_region_id(r));
	show("pid", (unsigned long long)getpid());
	/* the module's count, which stays: sampling is off */
	show("growth", (unsigned long long)report_growth_of(client, tag_region_id(r)));
	show("ready", tries < 3);
	pause();
	return 0;
}

/* Where p lies in its region, as tagctl scan reports offsets. */
static uint64_t region_offset_of(void *p)
{
	struct tag_segment *seg = tag_segment_find(p);

	return seg->region_offset + (uint64_t)((char *)untagged(p) - seg->base);
}

/* For tagctl scan: where a pointer is held (slot) and where it points (p). */
static void show_reference(const char *as, struct tag_region *holder, void *slot,
			   struct tag_region *target, void *p)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_holder", as);
	show(key, tag_region_id(holder));
	snprintf(key, sizeof(key), "%s_holder_offset", as);
	show(key, region_offset_of(slot));
	snprintf(key, sizeof(key), "%s_target", as);
	show(key, tag_region_id(target));
	snprintf(key, sizeof(key), "%s_target_offset", as);
	show(key, region_offset_of(p));
}

/* Say so, then keep still until stdin closes: the test scans meanwhile. */
static void hold_still(void)
{
	/* as a process others of its user may not ptrace (tagctl scan: denied) */
	if (getenv("MEMTAG_SCENARIO_UNDUMPABLE") && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		exit(93);
	show("pid", (unsigned long long)getpid());
	show("ready", 1);
	while (getchar() != EOF)
		;
}

/* A parent keeps a pointer into its child's data: the child ends first. */
static int child_pointer(void)
{
	struct tag_region *conn = must_create(NULL, "conn", 0);
	struct tag_region *req = must_create(conn, "req", 0);
	void **slot = must_alloc(conn, 4 * sizeof(void *));
	char *data = must_alloc(req, 32);

	memset(slot, 0, 4 * sizeof(void *));
	slot[1] = data + 8;
	show_reference("ending", conn, &slot[1], req, data + 8);
	hold_still();
	return tag_region_end(conn);
}

/* A live region keeps pointers into an ended region and a reset one's past. */
static int dangling_pointers(void)
{
	struct tag_region *cache = must_create(NULL, "cache", 0);
	struct tag_region *gone = must_create(NULL, "gone", 0);
	struct tag_region *pool = must_create(NULL, "pool", 0);
	void **slot = must_alloc(cache, 4 * sizeof(void *));
	char *old = must_alloc(gone, 48), *stale = must_alloc(pool, 16);

	memset(slot, 0, 4 * sizeof(void *));
	slot[0] = old + 16;
	slot[3] = stale;
	show_reference("ended", cache, &slot[0], gone, old + 16);
	show_reference("reset", cache, &slot[3], pool, stale);
	tag_region_end(gone);
	tag_region_reset(pool);
	hold_still();
	return tag_region_end(pool) || tag_region_end(cache);
}

/*
 * Software backend, halt_on_error=0: a write into a freed chunk is found
 * when the 16th later free pushes it out of the ring of recent frees; a
 * write past its first 16 bytes only at the end, which checks every byte.
 */
static int recent_free_bound(void)
{
	struct tag_region *r = must_create(NULL, "ring", 0);
	char *first = must_alloc(r, 64), *late = must_alloc(r, 64), *other[40];
	unsigned long long found_at = 0, late_found_at = 0;
	struct tag_stats s;
	uint64_t before;
	int i;

	for (i = 0; i < 40; i++)
		other[i] = must_alloc(r, 64);
	show_chunk(r, first);
	show("late_address", (uintptr_t)(late + 32));
	tag_free(r, first);
	((volatile char *)first)[0] = 'x';
	tag_stats(&s);
	before = s.violations;
	for (i = 0; i < 20 && !found_at; i++) {
		tag_free(r, other[i]);
		tag_stats(&s);
		if (s.violations != before)
			found_at = i + 1;
	}
	show("found_at", found_at);
	tag_free(r, late);
	((volatile char *)late)[32] = 'x';
	before = s.violations;
	for (i = 20; i < 40 && !late_found_at; i++) {
		tag_free(r, other[i]);
		tag_stats(&s);
		if (s.violations != before)
			late_found_at = i - 19;
	}
	show("late_found_at", late_found_at);
	before = s.violations;
	tag_region_end(r);
	tag_stats(&s);
	show("late_found_at_end", s.violations - before);
	return 0;
}

/* With mte_mode=asymm a write is checked late (async), a read at once. */
static int write_after_end(void)
{
	struct tag_region *r = must_create(NULL, "written-after", 0);
	char *p = must_alloc(r, 64);

	show_chunk(r, p + 5);
	tag_region_end(r);
	((volatile char *)p)[5] = 'x';	/* the escape */
	show("written", 1);		/* a system call: an async fault is delivered */
	return 0;
}

/*
 * Reserved regions (software backend): with quarantine_mb=0 every end from
 * the second on recycles its first segment and reserves the next create's
 * region on it; the create claims it without a call.
 */
/* MTE: the id reserved in the nth ready slot of the region table (creates take the lowest). */
static uint32_t slot_reserved(unsigned int n)
{
	uint64_t ready = atomic_load(&tag_rt.table_ready);
	unsigned int i;

	for (i = 0; tag_rt.table && i < MEMTAG_TABLE_SLOTS; i++)
		if ((ready >> i & 1) && !n--)
			return tag_rt.table[i].id;
	return 0;
}

/* The id the next create claims: a spare's reservation, or a slot's (MTE). */
static uint32_t next_reserved(void)
{
	if (tag_rt.backend == TAG_BACKEND_MTE)
		return slot_reserved(0);
	return tag_rt.spares ? tag_rt.spares->reserved_id : 0;
}

static void reserved_warm_up(void)
{
	int i;

	for (i = 0; i < 4; i++)
		tag_region_end(must_create(NULL, "reserved-warm-up", 0));
}

/* Does `tagctl -j regions` of this process have this (spaces dropped)? */
static bool tagctl_says(const char *want)
{
	static char listing[65536];
	size_t n = 0;
	char cmd[64];
	FILE *f;
	int c;

	snprintf(cmd, sizeof(cmd), "tagctl -j regions --pid %d", (int)getpid());
	f = popen(cmd, "r");
	if (!f)
		exit(93);
	while ((c = fgetc(f)) != EOF && n + 1 < sizeof(listing))
		if (c != ' ' && c != '\n')
			listing[n++] = (char)c;
	listing[n] = '\0';
	if (pclose(f))
		exit(94);
	return strstr(listing, want) != NULL;
}

static bool tagctl_lists_id(uint32_t id)
{
	char want[32];

	snprintf(want, sizeof(want), "\"id\":%u,", id);
	return tagctl_says(want);
}

/*
 * Three reservations, two claimed (a region and its child), then SIGKILL:
 * the claimed ones leak with their names, the third is never reported.
 * listed: tagctl reads the descriptors first; else the file's release does.
 */
static int reserved_then_killed(bool listed)
{
	struct tag_region *a, *b, *d, *c, *child;
	uint32_t unclaimed, want_c, want_child;
	char parent[32];

	reserved_warm_up();
	a = must_create(NULL, "reserved-a", 0);
	b = must_create(NULL, "reserved-b", 0);
	d = must_create(NULL, "reserved-d", 0);
	tag_region_end(a);
	tag_region_end(b);
	tag_region_end(d);
	unclaimed = tag_rt.spares && tag_rt.spares->next && tag_rt.spares->next->next ?
			    tag_rt.spares->next->next->reserved_id : 0;
	if (tag_rt.backend == TAG_BACKEND_MTE)
		unclaimed = slot_reserved(2);	/* the two before it go to c and child */
	want_c = next_reserved();
	c = must_create(NULL, "claimed-listed", 0);
	want_child = next_reserved();
	child = must_create(c, "claimed-child", 0);
	memset(must_alloc(c, 100), 1, 100);
	memset(must_alloc(child, 200), 2, 200);
	show("claimed", want_c && tag_region_id(c) == want_c);
	show("child_claimed", want_child && tag_region_id(child) == want_child);
	show("unclaimed", unclaimed);
	show("region", tag_region_id(c));
	show("child", tag_region_id(child));
	show("pid", (unsigned long long)getpid());
	if (listed) {
		snprintf(parent, sizeof(parent), "\"parent\":%u,", tag_region_id(c));
		show("listed", tagctl_lists_id(tag_region_id(c)) &&
				       tagctl_says("\"name\":\"claimed-listed\""));
		show("child_listed", tagctl_lists_id(tag_region_id(child)) &&
					     tagctl_says("\"name\":\"claimed-child\"") &&
					     tagctl_says(parent));
		show("unclaimed_listed", unclaimed && tagctl_lists_id(unclaimed));
	}
	raise(SIGKILL);
	return 0;
}

static int reserved_listed(void)
{
	return reserved_then_killed(true);
}

static int reserved_unlisted(void)
{
	return reserved_then_killed(false);
}

/* An escape from a region created without a call: recorded with its name. */
static int claimed_escape(void)
{
	struct tag_region *r;
	uint32_t want;
	char *p;

	reserved_warm_up();
	want = next_reserved();
	r = must_create(NULL, "claimed-escape", 0);
	show("claimed", want && tag_region_id(r) == want);
	p = must_alloc(r, 64);
	strcpy(p, "escaping");
	show_chunk(r, p + 5);
	tag_region_end(r);
	show("value", (unsigned char)((volatile char *)p)[5]);	/* the escape */
	return 0;
}

/*
 * Run with max_regions_per_user=3: a reservation stands in for the region
 * whose end made it, so claiming it never takes the user past the limit.
 * Exit 0, or which step went wrong.
 */
static int reserved_quota(void)
{
	struct tag_region *x, *a, *b, *c, *e;
	uint32_t want;

	x = must_create(NULL, "quota-x", 0);
	tag_region_end(x);	/* its segment waits to be recycled */
	a = must_create(NULL, "quota-a", 0);
	b = must_create(NULL, "quota-b", 0);
	c = must_create(NULL, "quota-c", 0);
	if (tag_region_create(NULL, "quota-over", 0) || errno != EDQUOT)
		return 40;
	if (tag_region_end(c))
		return 41;
	/* MTE: the slot is reserved again at the next refill, by this create */
	want = next_reserved();
	if (!want && tag_rt.backend != TAG_BACKEND_MTE)
		return 42;	/* the end reserved nothing */
	e = tag_region_create(NULL, "quota-claimed", 0);
	if (!e || (want && tag_region_id(e) != want))
		return 43;
	if (tag_region_create(NULL, "quota-over-again", 0) || errno != EDQUOT)
		return 44;
	if (tag_region_end(e) || tag_region_end(b) || tag_region_end(a))
		return 45;
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
		{ "recycled", recycled },
		{ "chained", chained },
		{ "use-after-free", use_after_free },
		{ "overflow", overflow },
		{ "recent-free-bound", recent_free_bound },
		{ "write-after-end", write_after_end },
		{ "bad-frees", bad_frees },
		{ "bad-arguments", bad_arguments },
		{ "strict-leaks", strict_leaks },
		{ "leak-at-exit", leak_at_exit },
		{ "foreign", foreign },
		{ "fallback", fallback },
		{ "vma-tricks", vma_tricks },
		{ "clean-workload", clean_workload },
		{ "profile-depth", profile_depth },
		{ "profile-self", profile_self },
		{ "segments-self", segments_self },
		{ "killed-service", killed_service },
		{ "strict-sites", strict_sites },
		{ "growing-region", growing_region },
		{ "child-pointer", child_pointer },
		{ "dangling-pointers", dangling_pointers },
		{ "reserved-listed", reserved_listed },
		{ "reserved-unlisted", reserved_unlisted },
		{ "claimed-escape", claimed_escape },
		{ "reserved-quota", reserved_quota },
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
