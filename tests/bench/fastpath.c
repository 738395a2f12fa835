// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memtag-fastpath: the allocation fast path, for callgrind on the host.
 * libmemtag runs on anonymous memory with the software backend's layout
 * (tag_testing_anonymous_memory: static library only, no module), so the
 * counts are of libmemtag's own code, not of the module's.
 *
 *   memtag-fastpath MODE N [SEGMENTS|SITES]
 *
 * Each mode calls one noinline measured_* function N times; callgrind
 * collects it alone (--toggle-collect=measured_*), and two values of N
 * give the cost of one call without the setup (tests/bench/fastpath.sh).
 *   pair64 / pairmix       tag_alloc+tag_free of 64 B / of 16-255 B
 *   malloc64 / mallocmix   malloc+free, the same sizes
 *   free SEGMENTS          tag_free alone, of chunks of one region, with
 *                          SEGMENTS segments in the process (other regions)
 *   sites-alloc SITES      tag_alloc alone, from SITES call sites in turn
 *   sites-free SITES       tag_free alone of those chunks
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chunk.h"
#include "memtag.h"
#include "testing.h"

#define MAX_SITES 1000

static volatile unsigned long sink;

static void die(const char *what)
{
	fprintf(stderr, "memtag-fastpath: %s\n", what);
	exit(1);
}

static size_t mixed_size(unsigned long i)
{
	uint32_t x = (uint32_t)i * 1103515245u + 12345u;

	return 16 + (x >> 16) % 240;
}

__attribute__((noinline)) void measured_pair(struct tag_region *r, size_t n)
{
	void *p = tag_alloc(r, n);

	if (!p || tag_free(r, p))
		die("tag_alloc/tag_free failed");
}

__attribute__((noinline)) void measured_malloc_pair(size_t n)
{
	void *p = malloc(n);

	if (!p)
		die("malloc failed");
	asm volatile("" : : "r"(p) : "memory");
	free(p);
}

__attribute__((noinline)) void measured_free(struct tag_region *r, void *p)
{
	if (tag_free(r, p))
		die("tag_free failed");
}

/* One of MAX_SITES distinct calls of tag_alloc, by number. */
#define SITE1(n)                          \
	case (n):                         \
		p = tag_alloc(r, 64);     \
		sink = (n);               \
		break;
#define SITE10(n) SITE1((n) + 0) SITE1((n) + 1) SITE1((n) + 2) SITE1((n) + 3) SITE1((n) + 4) \
	SITE1((n) + 5) SITE1((n) + 6) SITE1((n) + 7) SITE1((n) + 8) SITE1((n) + 9)
#define SITE100(n) SITE10((n) + 0) SITE10((n) + 10) SITE10((n) + 20) SITE10((n) + 30) \
	SITE10((n) + 40) SITE10((n) + 50) SITE10((n) + 60) SITE10((n) + 70) SITE10((n) + 80) \
	SITE10((n) + 90)

__attribute__((noinline)) void *measured_site_alloc(struct tag_region *r, unsigned int site)
{
	void *p = NULL;

	switch (site) {
		SITE100(0) SITE100(100) SITE100(200) SITE100(300) SITE100(400)
		SITE100(500) SITE100(600) SITE100(700) SITE100(800) SITE100(900)
	}
	if (!p)
		die("tag_alloc failed");
	return p;
}

static struct tag_region *region(const char *name)
{
	struct tag_region *r = tag_region_create(NULL, name, 0);

	if (!r)
		die("tag_region_create failed");
	return r;
}

/* Chunks of r from sites call sites in turn; check they are that many sites. */
static void **alloc_from_sites(struct tag_region *r, unsigned long n, unsigned int sites)
{
	void **p = malloc(sizeof(*p) * n);
	uint64_t seen[MAX_SITES];
	unsigned int nseen = 0, j;
	unsigned long i;

	if (!p || sites < 1 || sites > MAX_SITES)
		die("bad site count or no memory");
	for (i = 0; i < n; i++) {
		p[i] = measured_site_alloc(r, (unsigned int)(i % sites));
		for (j = 0; j < nseen && seen[j] != chunk_of(p[i])->site; j++)
			;
		if (j == nseen && nseen < MAX_SITES)
			seen[nseen++] = chunk_of(p[i])->site;
	}
	if (nseen != (n < sites ? n : sites))
		die("the compiler merged call sites: fewer sites than asked");
	return p;
}

int main(int argc, char **argv)
{
	unsigned long n, i, extra;
	struct tag_region *r;
	void **p;

	if (argc < 3)
		die("usage: memtag-fastpath MODE N [SEGMENTS|SITES]");
	n = strtoul(argv[2], NULL, 10);
	extra = argc > 3 ? strtoul(argv[3], NULL, 10) : 1;
	tag_testing_anonymous_memory();
	if (!strcmp(argv[1], "pair64") || !strcmp(argv[1], "pairmix")) {
		r = region("fastpath");
		for (i = 0; i < n; i++)
			measured_pair(r, argv[1][4] == '6' ? 64 : mixed_size(i));
	} else if (!strcmp(argv[1], "malloc64") || !strcmp(argv[1], "mallocmix")) {
		for (i = 0; i < n; i++)
			measured_malloc_pair(argv[1][6] == '6' ? 64 : mixed_size(i));
	} else if (!strcmp(argv[1], "free")) {
		if (extra < 1 || extra > 64)
			die("1 to 64 segments");
		for (i = 0; i + 1 < extra; i++)
			region("other");	/* live, each with its first segment */
		r = region("fastpath");
		p = malloc(sizeof(*p) * n);
		for (i = 0; p && i < n; i++)
			p[i] = tag_alloc(r, 64);
		for (i = 0; p && i < n; i++)
			measured_free(r, p[i]);
	} else if (!strcmp(argv[1], "sites-alloc") || !strcmp(argv[1], "sites-free")) {
		r = region("fastpath");
		p = alloc_from_sites(r, n, (unsigned int)extra);
		if (!strcmp(argv[1], "sites-free"))
			for (i = 0; i < n; i++)
				measured_free(r, p[i]);
	} else {
		die("unknown mode");
	}
	return 0;
}
