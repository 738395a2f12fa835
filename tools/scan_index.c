// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl scan's pure logic: where a word points, and whether it may. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "scan.h"

/* Nesting is at most 16 deep in the module; this bounds a corrupt chain. */
#define SCAN_MAX_DEPTH 64

static int by_address(const void *a, const void *b)
{
	const struct memtag_segment_record *x = *(const struct memtag_segment_record *const *)a;
	const struct memtag_segment_record *y = *(const struct memtag_segment_record *const *)b;

	return (x->address > y->address) - (x->address < y->address);
}

static int by_id(const void *a, const void *b)
{
	const struct memtag_region_record *x = *(const struct memtag_region_record *const *)a;
	const struct memtag_region_record *y = *(const struct memtag_region_record *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

static bool is_mapped_by(const struct memtag_segment_record *s, uint32_t tgid)
{
	return s->tgid == tgid && s->address && s->size;
}

int scan_index_init(struct scan_index *ix, const struct memtag_segment_record *segments,
		    size_t nr_segments, uint32_t tgid,
		    const struct memtag_region_record *regions, size_t nr_regions)
{
	size_t i;

	ix->nr_segments = 0;
	ix->nr_regions = nr_regions;
	ix->segments = malloc((nr_segments ? nr_segments : 1) * sizeof(*ix->segments));
	ix->regions = malloc((nr_regions ? nr_regions : 1) * sizeof(*ix->regions));
	if (!ix->segments || !ix->regions) {
		scan_index_free(ix);
		return -ENOMEM;
	}
	for (i = 0; i < nr_segments; i++)
		if (is_mapped_by(&segments[i], tgid))
			ix->segments[ix->nr_segments++] = &segments[i];
	for (i = 0; i < nr_regions; i++)
		ix->regions[i] = &regions[i];
	qsort(ix->segments, ix->nr_segments, sizeof(*ix->segments), by_address);
	qsort(ix->regions, ix->nr_regions, sizeof(*ix->regions), by_id);
	return 0;
}

void scan_index_free(struct scan_index *ix)
{
	free(ix->segments);
	free(ix->regions);
	ix->segments = NULL;
	ix->regions = NULL;
	ix->nr_segments = 0;
	ix->nr_regions = 0;
}

const struct memtag_segment_record *scan_segment_of(const struct scan_index *ix, uint64_t word)
{
	uint64_t address = word & SCAN_ADDRESS_MASK;
	size_t lo = 0, hi = ix->nr_segments, mid;
	const struct memtag_segment_record *s;

	/* the last segment starting at or below address */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ix->segments[mid]->address <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = ix->segments[lo - 1];
	return address - s->address < s->size ? s : NULL;
}

static const struct memtag_region_record *region_of(const struct scan_index *ix, uint32_t id)
{
	size_t lo = 0, hi = ix->nr_regions, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ix->regions[mid]->id == id)
			return ix->regions[mid];
		if (ix->regions[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool scan_descends(const struct scan_index *ix, uint32_t region, uint32_t ancestor)
{
	const struct memtag_region_record *r = region_of(ix, region);
	unsigned int depth;

	for (depth = 0; r && r->parent && depth < SCAN_MAX_DEPTH; depth++) {
		if (r->parent == ancestor)
			return true;
		r = region_of(ix, r->parent);
	}
	return false;
}

enum scan_why scan_classify(const struct scan_index *ix, uint32_t holder, uint64_t word,
			    const struct memtag_segment_record **target)
{
	const struct memtag_segment_record *s = scan_segment_of(ix, word);

	if (!s)
		return SCAN_NONE;
	*target = s;
	if (s->state == MEMTAG_SEGMENT_ENDED)
		return SCAN_ENDED;
	if (s->state == MEMTAG_SEGMENT_RESET)
		return SCAN_RESET;
	return scan_descends(ix, s->region, holder) ? SCAN_ENDING : SCAN_NONE;
}

size_t scan_words(const struct scan_index *ix, const struct memtag_segment_record *holder,
		  uint64_t at, const void *buf, size_t len,
		  void (*fn)(const struct scan_ref *ref, void *arg), void *arg)
{
	const unsigned char *bytes = buf;
	struct scan_ref ref = { .holder = holder };
	uint64_t lowest, highest;
	size_t i, first = (8 - at % 8) % 8, found = 0;

	if (!ix->nr_segments)
		return 0;
	lowest = ix->segments[0]->address;
	highest = ix->segments[ix->nr_segments - 1]->address +
		  ix->segments[ix->nr_segments - 1]->size;
	for (i = first; i + 8 <= len; i += 8) {
		memcpy(&ref.value, bytes + i, 8);
		/* most words are not pointers into any segment: reject them cheaply */
		if ((ref.value & SCAN_ADDRESS_MASK) < lowest ||
		    (ref.value & SCAN_ADDRESS_MASK) >= highest)
			continue;
		ref.why = scan_classify(ix, holder->region, ref.value, &ref.target);
		if (ref.why == SCAN_NONE)
			continue;
		ref.holder_offset = holder->region_offset + at + i;
		ref.target_offset = ref.target->region_offset +
				    ((ref.value & SCAN_ADDRESS_MASK) - ref.target->address);
		fn(&ref, arg);
		found++;
	}
	return found;
}

const char *scan_why_name(enum scan_why why)
{
	switch (why) {
	case SCAN_ENDED:
		return "ended";
	case SCAN_RESET:
		return "reset";
	case SCAN_ENDING:
		return "ending";
	default:
		return "none";
	}
}

bool scan_is_holder(const struct memtag_segment_record *segment)
{
	return segment->state == MEMTAG_SEGMENT_LIVE && segment->address && segment->size;
}
