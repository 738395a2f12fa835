// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The contenders of the request loop: glibc malloc/free, talloc,
 * talloc_pool, APR pools, memtag regions, and for one allocation one
 * mmap+munmap. Each request: K allocations, every byte written, every
 * fourth allocation frees the one two before it (a quarter freed early;
 * APR cannot free one allocation), then the rest goes at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <talloc.h>
#include "memtag.h"
#include "bench.h"

static __thread void *slots[BENCH_MAX_K];

void bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "memtag-bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

void bench_sizes_init(uint16_t *sizes, size_t n)
{
	uint32_t x = 20261201;
	size_t i;

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		sizes[i] = (uint16_t)(16 + (x >> 16) % 240);
	}
}

/* Write every byte; the compiler must not drop the allocation. */
static inline void touch(void *p, size_t n, size_t i)
{
	memset(p, (int)(i & 0xff) | 1, n);
	asm volatile("" : : "r"(p) : "memory");
}

static inline bool early_free(size_t i)
{
	return (i & 3) == 3;
}

/* ---- glibc ---- */

static void req_malloc(const uint16_t *sizes, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		slots[i] = malloc(sizes[i]);
		if (!slots[i])
			bench_die("malloc failed");
		touch(slots[i], sizes[i], i);
		if (early_free(i)) {
			free(slots[i - 2]);
			slots[i - 2] = NULL;
		}
	}
	for (i = 0; i < k; i++)
		free(slots[i]);
}

/* K=1: one mmap of the allocation's size (a page), touched, unmapped. */
static void req_mmap(const uint16_t *sizes, size_t k)
{
	void *p = mmap(NULL, sizes[0], PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)k;
	if (p == MAP_FAILED)
		bench_die("mmap failed");
	touch(p, sizes[0], 0);
	munmap(p, sizes[0]);
}

/* ---- talloc ---- */

static void talloc_request(void *ctx, const uint16_t *sizes, size_t k)
{
	size_t i;

	if (!ctx)
		bench_die("talloc context failed");
	for (i = 0; i < k; i++) {
		slots[i] = talloc_size(ctx, sizes[i]);
		if (!slots[i])
			bench_die("talloc_size failed");
		touch(slots[i], sizes[i], i);
		if (early_free(i))
			talloc_free(slots[i - 2]);
	}
	talloc_free(ctx);
}

static void req_talloc(const uint16_t *sizes, size_t k)
{
	talloc_request(talloc_new(NULL), sizes, k);
}

/* A pool big enough for the request: data and talloc's headers (about 100 B). */
static void req_talloc_pool(const uint16_t *sizes, size_t k)
{
	talloc_request(talloc_pool(NULL, k * 384), sizes, k);
}

/* ---- APR ---- */

static apr_pool_t *kept_pool;

static int apr_setup(size_t k)
{
	static bool initialised;

	(void)k;
	if (!initialised && apr_initialize() != APR_SUCCESS)
		return -1;
	initialised = true;
	return 0;
}

static void apr_request(apr_pool_t *pool, const uint16_t *sizes, size_t k)
{
	size_t i;
	void *p;

	for (i = 0; i < k; i++) {
		p = apr_palloc(pool, sizes[i]);
		if (!p)
			bench_die("apr_palloc failed");
		touch(p, sizes[i], i);
	}
}

static void req_apr(const uint16_t *sizes, size_t k)
{
	apr_pool_t *pool;

	if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
		bench_die("apr_pool_create failed");
	apr_request(pool, sizes, k);
	apr_pool_destroy(pool);
}

static int apr_clear_setup(size_t k)
{
	if (apr_setup(k) || apr_pool_create(&kept_pool, NULL) != APR_SUCCESS)
		return -1;
	return 0;
}

static void req_apr_clear(const uint16_t *sizes, size_t k)
{
	apr_request(kept_pool, sizes, k);
	apr_pool_clear(kept_pool);
}

static void apr_clear_teardown(void)
{
	apr_pool_destroy(kept_pool);
	kept_pool = NULL;
}

/* ---- memtag ---- */

static struct tag_region *kept_region;

static void memtag_request(struct tag_region *r, const uint16_t *sizes, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		slots[i] = tag_alloc(r, sizes[i]);
		if (!slots[i])
			bench_die("tag_alloc failed: %m");
		touch(slots[i], sizes[i], i);
		if (early_free(i) && tag_free(r, slots[i - 2]))
			bench_die("tag_free failed: %m");
	}
}

static void req_memtag(const uint16_t *sizes, size_t k)
{
	struct tag_region *r = tag_region_create(NULL, "bench-request", 0);

	if (!r)
		bench_die("tag_region_create failed: %m");
	memtag_request(r, sizes, k);
	if (tag_region_end(r))
		bench_die("tag_region_end failed: %m");
}

static int memtag_reset_setup(size_t k)
{
	(void)k;
	kept_region = tag_region_create(NULL, "bench-reset", 0);
	return kept_region ? 0 : -1;
}

static void req_memtag_reset(const uint16_t *sizes, size_t k)
{
	memtag_request(kept_region, sizes, k);
	if (tag_region_reset(kept_region))
		bench_die("tag_region_reset failed: %m");
}

static void memtag_reset_teardown(void)
{
	tag_region_end(kept_region);
	kept_region = NULL;
}

/* malloc first: the ratios are to it. */
const struct contender bench_contenders[] = {
	{ .name = "malloc", .request = req_malloc },
	{ .name = "talloc", .request = req_talloc },
	{ .name = "talloc-pool", .request = req_talloc_pool },
	{ .name = "apr-pool", .setup = apr_setup, .request = req_apr },
	{ .name = "apr-clear", .setup = apr_clear_setup, .request = req_apr_clear,
	  .teardown = apr_clear_teardown },
	{ .name = "memtag-end", .request = req_memtag },
	{ .name = "memtag-reset", .setup = memtag_reset_setup, .request = req_memtag_reset,
	  .teardown = memtag_reset_teardown },
	{ .name = "mmap", .request = req_mmap, .only_k = 1 },
};
const size_t bench_ncontenders = sizeof(bench_contenders) / sizeof(bench_contenders[0]);

/*
 * Tag instructions, counted where libmemtag issues them: the bench links
 * with --wrap for tag_mte_tag_new (one irg, then one stg per granule) and
 * tag_mte_set (one stg per granule). TCO toggles (msr) are not counted.
 */
static __thread struct tag_insns insns;

void *__real_tag_mte_tag_new(void *p, size_t len, unsigned int exclude_tag);
void *__wrap_tag_mte_tag_new(void *p, size_t len, unsigned int exclude_tag);
void __real_tag_mte_set(void *p, size_t len);
void __wrap_tag_mte_set(void *p, size_t len);

void *__wrap_tag_mte_tag_new(void *p, size_t len, unsigned int exclude_tag)
{
	insns.irg++;
	insns.stg += (len + 15) / 16;
	return __real_tag_mte_tag_new(p, len, exclude_tag);
}

void __wrap_tag_mte_set(void *p, size_t len)
{
	insns.stg += (len + 15) / 16;
	__real_tag_mte_set(p, len);
}

void bench_tag_insns(struct tag_insns *out)
{
	*out = insns;
}
