// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memtag-bench: what the calls cost, measured (never asserted).
 * Prints "bench NAME VALUE UNIT [# note]" lines; make bench collects them.
 *
 *   memtag-bench [key=value...]   (keys: see struct params)
 *
 * The request loop (issue 8) runs every contender in the same process,
 * alternating within each round; the figure is the median of the rounds.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/auxv.h>
#include "memtag.h"
#include "testing.h"
#include "bench.h"

#ifndef HWCAP2_MTE
#define HWCAP2_MTE (1 << 18)
#endif
#define MAX_ROUNDS 15
#define MAX_THREADS 4

struct params {
	long rounds;		/* of the request loop and the threads variant */
	long k1, k50, k1000;	/* requests per contender and round, per K */
	long threads_ms;	/* run time of one thread, per thread count and round */
	long big;		/* chunks of the big region */
	long regions;		/* tag_region_create+end pairs */
	long listed;		/* regions listed through the module */
	long lua;		/* Lua states per contender and round */
	long anonymous;		/* 1: no module (host dry runs; see testing.h) */
	long warm;		/* lifetimes first, past the quarantine: the steady state */
};

static struct params P = {
	.rounds = 5, .k1 = 300, .k50 = 200, .k1000 = 20, .threads_ms = 300,
	.big = 1000000, .regions = 2000, .listed = 100000, .lua = 50, .warm = 5000,
};

static uint16_t sizes[BENCH_SIZES];
static bool mte;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void report(const char *name, double value, const char *unit)
{
	printf("bench %-36s %14.1f %s\n", name, value, unit);
	fflush(stdout);
}

static void report_note(const char *name, double value, const char *unit, const char *note)
{
	printf("bench %-36s %14.1f %-12s # %s\n", name, value, unit, note);
	fflush(stdout);
}

static void report_ratio(const char *name, double value)
{
	printf("bench %-36s %14.2f x\n", name, value);
	fflush(stdout);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, long n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static const uint16_t *request_sizes(long req, size_t k)
{
	return sizes + ((size_t)req * k) % (BENCH_SIZES - BENCH_MAX_K);
}

static uint64_t tag_insns_now(void)
{
	struct tag_insns t;

	bench_tag_insns(&t);
	return t.irg + t.stg;
}

/* ---- the request loop ---- */

struct result {
	double ns[MAX_ROUNDS];		/* per request, each round */
	double insns;			/* tag instructions per request */
	bool ran;
};

static void run_contender(const struct contender *c, size_t k, long n, long round,
			  struct result *res)
{
	uint64_t insns0;
	double t0;
	long i;

	if (c->setup && c->setup(k))
		bench_die("%s: setup failed: %m", c->name);
	insns0 = tag_insns_now();
	t0 = now_ns();
	for (i = 0; i < n; i++)
		c->request(request_sizes(i, k), k);
	res->ns[round] = (now_ns() - t0) / (double)n;
	res->insns = (double)(tag_insns_now() - insns0) / (double)n;
	res->ran = true;
	if (c->teardown)
		c->teardown();
}

static const struct result *find(const struct result *res, const char *name)
{
	size_t i;

	for (i = 0; i < bench_ncontenders; i++)
		if (!strcmp(bench_contenders[i].name, name))
			return res[i].ran ? &res[i] : NULL;
	return NULL;
}

static void print_ratio(size_t k, const struct result *res, const char *a, const char *b)
{
	const struct result *x = find(res, a), *y = find(res, b);
	char name[96];

	if (!x || !y)
		return;
	snprintf(name, sizeof(name), "req-k%zu-%s/%s", k, a, b);
	report_ratio(name, median(x->ns, P.rounds) / median(y->ns, P.rounds));
}

static void print_requests(size_t k, long n, const struct result *res)
{
	char name[96], note[128];
	size_t i;

	for (i = 0; i < bench_ncontenders; i++) {
		const struct result *r = &res[i];
		double lo = r->ns[0], hi = r->ns[0];
		long j;

		if (!r->ran)
			continue;
		for (j = 1; j < P.rounds; j++) {
			lo = r->ns[j] < lo ? r->ns[j] : lo;
			hi = r->ns[j] > hi ? r->ns[j] : hi;
		}
		snprintf(name, sizeof(name), "req-k%zu-%s", k, bench_contenders[i].name);
		snprintf(note, sizeof(note), "median of %ld rounds of %ld, min %.0f max %.0f",
			 P.rounds, n, lo, hi);
		report_note(name, median(r->ns, P.rounds), "ns/request", note);
		if (i)
			print_ratio(k, res, bench_contenders[i].name, "malloc");
		if (mte && !strncmp(bench_contenders[i].name, "memtag", 6)) {
			snprintf(name, sizeof(name), "req-k%zu-%s-tag-insns", k,
				 bench_contenders[i].name);
			report_note(name, r->insns, "insns/request",
				    "irg+stg libmemtag executes; emulated (slow) under TCG");
		}
	}
	print_ratio(k, res, "memtag-reset", "memtag-end");
	if (k == 1)
		print_ratio(k, res, "memtag-end", "mmap");
	if (k == 1000) {
		print_ratio(k, res, "memtag-end", "apr-pool");
		print_ratio(k, res, "memtag-reset", "apr-clear");
	}
}

/*
 * Requests before the measured rounds: a tenth, and for memtag at a K
 * whose lifetimes need a first segment bigger than 64 KiB (libmemtag
 * sizes it by what the creation site used: about 190 B a chunk here),
 * as many as pass the quarantine once (warm= lifetimes of 64 KiB) in
 * segments of that size, after which they are recycled: the steady state
 * of a service serving such requests.
 */
static long warm_requests(const struct contender *c, size_t k, long n)
{
	unsigned long first = 64UL << 10;
	long warm = n / 10 + 1;

	if (strncmp(c->name, "memtag", 6))
		return warm;
	while (first < k * 192 && first < (1UL << 20))
		first <<= 1;
	if (first > (64UL << 10) && P.warm * (long)((64UL << 10) / 1024) / (long)(first / 1024) > warm)
		warm = P.warm * (long)((64UL << 10) / 1024) / (long)(first / 1024) + 16;
	return warm;
}

static void bench_requests(size_t k, long n)
{
	struct result res[16] = { 0 };
	long round;
	size_t i, j;

	if (n <= 0)
		return;
	/* warm-up: first touches, library initialisation, memtag's steady state */
	for (i = 0; i < bench_ncontenders; i++) {
		if (!bench_contenders[i].only_k || bench_contenders[i].only_k == k) {
			run_contender(&bench_contenders[i], k, warm_requests(&bench_contenders[i], k, n),
				      0, &res[i]);
			res[i].ran = false;
		}
	}
	for (round = 0; round < P.rounds; round++) {
		/* alternate: each round starts one contender later */
		for (j = 0; j < bench_ncontenders; j++) {
			i = ((size_t)round + j) % bench_ncontenders;
			if (!bench_contenders[i].only_k || bench_contenders[i].only_k == k)
				run_contender(&bench_contenders[i], k, n, round, &res[i]);
		}
	}
	print_requests(k, n, res);
}

/* ---- threads: each its own regions ---- */

struct worker {
	pthread_t thread;
	const struct contender *c;
	long n;
	pthread_barrier_t *start;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	long i;

	pthread_barrier_wait(w->start);
	for (i = 0; i < w->n; i++)
		w->c->request(request_sizes(i, 50), 50);
	return NULL;
}

/* Requests per second of t threads, each doing n requests of 50 allocations. */
static double throughput(const struct contender *c, int t, long n)
{
	struct worker w[MAX_THREADS];
	pthread_barrier_t start;
	double t0;
	int i;

	pthread_barrier_init(&start, NULL, (unsigned int)t + 1);
	for (i = 0; i < t; i++) {
		w[i] = (struct worker){ .c = c, .n = n, .start = &start };
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			bench_die("pthread_create failed");
	}
	/* the clock starts before the workers can: none is done before it */
	t0 = now_ns();
	pthread_barrier_wait(&start);
	for (i = 0; i < t; i++)
		pthread_join(w[i].thread, NULL);
	pthread_barrier_destroy(&start);
	return (double)t * (double)n / ((now_ns() - t0) / 1e9);
}

static void bench_threads(const struct contender *c)
{
	static const int counts[] = { 1, 2, 4 };
	double rate[3][MAX_ROUNDS], med[3];
	char name[96];
	long round;
	int i;

	long n;

	if (P.threads_ms <= 0)
		return;
	/* requests for one thread to run threads_ms */
	n = (long)(throughput(c, 1, 20) * (double)P.threads_ms / 1e3);
	n = n < 20 ? 20 : n;
	for (round = 0; round < P.rounds; round++)
		for (i = 0; i < 3; i++)
			rate[i][round] = throughput(c, counts[i], n);
	for (i = 0; i < 3; i++) {
		med[i] = median(rate[i], P.rounds);
		snprintf(name, sizeof(name), "threads%d-k50-%s", counts[i], c->name);
		report(name, med[i], "requests/s");
	}
	for (i = 1; i < 3; i++) {
		snprintf(name, sizeof(name), "threads%d/1-k50-%s", counts[i], c->name);
		report_ratio(name, med[i] / med[0]);
	}
}

/* ---- a Lua state per request ---- */

static void bench_lua(long n)
{
	void (*const runs[2])(void) = { bench_lua_default, bench_lua_memtag };
	static const char *const names[2] = { "lua-default", "lua-memtag" };
	double ns[2][MAX_ROUNDS], t0, med[2];
	char note[96];
	long round, i;
	int c;

	if (n <= 0)
		return;
	runs[0]();	/* warm-up */
	/*
	 * A state needs about 100 KiB: libmemtag gives its region first
	 * segments of 128 KiB, recycled once as many have passed the
	 * quarantine (warm= lifetimes of 64 KiB): the steady state.
	 */
	for (i = 0; i < P.warm / 2 + 16; i++)
		runs[1]();
	for (round = 0; round < P.rounds; round++) {
		for (c = 0; c < 2; c++) {
			int which = (int)((c + round) % 2);

			t0 = now_ns();
			for (i = 0; i < n; i++)
				runs[which]();
			ns[which][round] = (now_ns() - t0) / (double)n;
		}
	}
	for (c = 0; c < 2; c++) {
		med[c] = median(ns[c], P.rounds);
		snprintf(note, sizeof(note), "median of %ld rounds of %ld Lua states", P.rounds, n);
		report_note(names[c], med[c], "ns/request", note);
	}
	report_ratio("lua-memtag/lua-default", med[1] / med[0]);
}

/* ---- a big region, and the calls one by one ---- */

static void bench_big(long n)
{
	struct tag_region *r = tag_region_create(NULL, "bench-big", 0);
	void **p = malloc(sizeof(*p) * (size_t)n);
	double t0, end_ns, free_ns;
	uint64_t insns0;
	long i;

	if (!r || !p)
		bench_die("cannot set up %ld chunks: %m", n);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		p[i] = tag_alloc(r, 64);
	report("tag_alloc(64)", (now_ns() - t0) / (double)n, "ns/op");
	insns0 = tag_insns_now();
	t0 = now_ns();
	tag_region_end(r);
	end_ns = now_ns() - t0;
	report_note("end-region-of-1M-chunks", end_ns / 1e3, "us",
		    "tag_region_end of a region holding n chunks of 64 B");
	if (mte)
		report_note("end-region-of-1M-chunks-tag-insns", (double)(tag_insns_now() - insns0),
			    "insns", "stg libmemtag executes at that end");

	for (i = 0; i < n; i++)
		p[i] = malloc(64);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		free(p[i]);
	free_ns = now_ns() - t0;
	report_note("free-1M-malloc-chunks", free_ns / 1e3, "us", "free of n malloc'ed 64 B chunks");
	report_ratio("end-region-of-1M/free-1M-malloc", end_ns / free_ns);

	r = tag_region_create(NULL, "bench-free", 0);
	if (!r)
		bench_die("tag_region_create failed: %m");
	for (i = 0; i < n; i++)
		p[i] = tag_alloc(r, 64);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		tag_free(r, p[i]);
	report("tag_free", (now_ns() - t0) / (double)n, "ns/op");
	tag_region_end(r);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		free(p[i] = malloc(64));
	report("malloc+free(64) for scale", (now_ns() - t0) / (double)n, "ns/op");
	free(p);
}

static void bench_regions(long n)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++)
		tag_region_end(tag_region_create(NULL, "bench-region", 0));
	report("tag_region_create+end", (now_ns() - t0) / (double)n / 1e3, "us/op");
}

/* Listing n records: through the library, and through tagctl -j regions. */
static void bench_listing(long n)
{
	struct memtag_region_record *all, r;
	struct memtag_client *client;
	size_t count;
	double t0;
	long i;

	if (n <= 0 || memtag_client_open(&client))
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

/*
 * Ended regions' first segments are recycled once they leave the
 * quarantine (256 MiB by default: 4,096 of them): the lifetimes before
 * that map fresh segments. Measure the steady state a service runs in.
 */
static void bench_steady_state(long n)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		struct tag_region *r = tag_region_create(NULL, "bench-warm", 0);

		if (!r || !tag_alloc(r, 64) || tag_region_end(r))
			bench_die("warm-up lifetime %ld failed: %m", i);
	}
	if (n > 0)
		printf("bench: %ld lifetimes first, past the quarantine (%.1f us each)\n", n,
		       (now_ns() - t0) / (double)n / 1e3);
}

static void parse_args(int argc, char **argv)
{
	static const struct {
		const char *key;
		long *value;
	} keys[] = {
		{ "rounds", &P.rounds }, { "k1", &P.k1 }, { "k50", &P.k50 },
		{ "k1000", &P.k1000 }, { "threads_ms", &P.threads_ms }, { "big", &P.big },
		{ "regions", &P.regions }, { "listed", &P.listed }, { "lua", &P.lua },
		{ "anonymous", &P.anonymous }, { "warm", &P.warm },
	};
	size_t j, len;
	int i;

	for (i = 1; i < argc; i++) {
		for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
			len = strlen(keys[j].key);
			if (!strncmp(argv[i], keys[j].key, len) && argv[i][len] == '=') {
				*keys[j].value = atol(argv[i] + len + 1);
				break;
			}
		}
		if (j == sizeof(keys) / sizeof(keys[0]))
			bench_die("unknown argument '%s' (rounds= k1= k50= k1000= threads_ms= big= "
				  "regions= listed= lua= anonymous= warm=)", argv[i]);
	}
	if (P.rounds < 1 || P.rounds > MAX_ROUNDS)
		bench_die("rounds must be 1 to %d", MAX_ROUNDS);
}

int main(int argc, char **argv)
{
	size_t i;

	parse_args(argc, argv);
	if (P.anonymous)
		tag_testing_anonymous_memory();
	bench_sizes_init(sizes, BENCH_SIZES);
	mte = getauxval(AT_HWCAP2) & HWCAP2_MTE;
	printf("bench: %ld rounds, %ld CPUs online, MTE %s\n", P.rounds,
	       sysconf(_SC_NPROCESSORS_ONLN), mte ? "yes (emulated under TCG)" : "no");
	bench_steady_state(P.warm);
	bench_requests(1, P.k1);
	bench_requests(50, P.k50);
	bench_requests(1000, P.k1000);
	for (i = 0; i < bench_ncontenders; i++)
		if (!strcmp(bench_contenders[i].name, "memtag-end") ||
		    !strcmp(bench_contenders[i].name, "malloc"))
			bench_threads(&bench_contenders[i]);
	bench_lua(P.lua);
	if (P.big > 0)
		bench_big(P.big);
	if (P.regions > 0)
		bench_regions(P.regions);
	bench_listing(P.listed);
	return 0;
}
