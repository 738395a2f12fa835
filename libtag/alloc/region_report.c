// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A region's live chunks by allocation site, and its children's, as
 * talloc_report_full prints: for a look at what a long-lived region
 * holds. A diagnostic: it walks every chunk, under the process lock.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include "memtag.h"
#include "alloc.h"

#define REPORT_SITES 64

struct site_count {
	uint64_t site;
	uint64_t chunks, bytes;
};

struct census {
	const struct tag_region *region;
	struct site_count sites[REPORT_SITES];
	unsigned int nsites;
	uint64_t chunks, bytes;
};

static void count(struct census *c, uint64_t site, size_t bytes)
{
	unsigned int i;

	for (i = 0; i < c->nsites && c->sites[i].site != site; i++)
		;
	if (i == c->nsites && c->nsites < REPORT_SITES)
		c->sites[c->nsites++].site = site;
	else if (i == c->nsites)
		i = REPORT_SITES - 1;	/* the rest, with the last site */
	c->sites[i].chunks++;
	c->sites[i].bytes += bytes;
	c->chunks++;
	c->bytes += bytes;
}

static bool count_chunk(struct tag_segment *seg, struct chunk *ch, void *arg)
{
	struct census *c = arg;

	if (ch->magic == CHUNK_LIVE && ch->region == seg->region_id)
		count(c, ch->site, ch->size);
	return ch->size <= CHUNK_MAX_SIZE;	/* a damaged header ends the walk */
}

/* Without the module, a block knows its profile bucket: its site is there. */
static uint64_t bucket_site(uint32_t bucket)
{
	if (!tag_profile_area || bucket >= MEMTAG_PROFILE_BUCKETS)
		return 0;
	return tag_profile_area->buckets[bucket].stack[0];
}

static void take_census(struct census *c, struct tag_region *r)
{
	struct tag_segment *seg;
	struct fallback_block *b;

	c->region = r;
	for (seg = r->segments; seg; seg = seg->next)
		tag_segment_walk(seg, count_chunk, c);
	for (b = r->blocks; b; b = b->next)
		count(c, bucket_site(b->bucket), b->size);
}

static void print_site(FILE *out, int depth, const struct site_count *s)
{
	Dl_info info = { 0 };
	bool found = s->site && dladdr((void *)(uintptr_t)s->site, &info);

	fprintf(out, "%*s%" PRIu64 " bytes in %" PRIu64 " chunks at %#" PRIx64, depth * 2 + 2, "",
		s->bytes, s->chunks, s->site);
	if (found && info.dli_sname)
		fprintf(out, " %s+%#" PRIxPTR, info.dli_sname,
			(uintptr_t)s->site - (uintptr_t)info.dli_saddr);
	else if (found && info.dli_fname)
		fprintf(out, " (%s)", info.dli_fname);
	fputc('\n', out);
}

static void print_region(FILE *out, int depth, const struct census *c)
{
	const struct tag_region *r = c->region;
	size_t limit = atomic_load_explicit(&r->limit, memory_order_relaxed);
	unsigned int i;

	fprintf(out, "%*sregion %s (id %" PRIu32 "): %" PRIu64 " bytes in %" PRIu64 " live chunks",
		depth * 2, "", r->name, r->id, c->bytes, c->chunks);
	if (limit)
		fprintf(out, ", limit %zu, charged %zu", limit, tag_region_charged(r));
	fputc('\n', out);
	for (i = 0; i < c->nsites; i++)
		print_site(out, depth, &c->sites[i]);
}

static void report_tree(FILE *out, int depth, struct tag_region *r)
{
	struct census c = { 0 };
	struct tag_region *child;

	take_census(&c, r);
	print_region(out, depth, &c);
	for (child = r->children; child; child = child->sibling)
		report_tree(out, depth + 1, child);
}

int tag_region_report(struct tag_region *r, FILE *out)
{
	int ret;

	if (!tag_region_live(r))
		return -1;
	if (!out) {
		errno = EINVAL;
		return -1;
	}
	/* children lists are shared: held across the walk */
	pthread_mutex_lock(&tag_rt.lock);
	report_tree(out, 0, r);
	pthread_mutex_unlock(&tag_rt.lock);
	ret = fflush(out);
	return ret ? -1 : 0;	/* errno from the write */
}
