// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A byte limit per region, as talloc_set_memlimit: what a region and its
 * descendants take beyond the first segment of each lifetime counts
 * against its limit and every ancestor's. Checked where memory is added
 * (a new segment; without the module, a block), never per allocation in
 * a segment: tag_alloc's fast path does not change.
 */
#include <errno.h>
#include <unistd.h>
#include "memtag.h"
#include "alloc.h"

/* What the first segment of a lifetime holds, free of charge (both modes). */
#define UNCHARGED_BYTES FIRST_SEGMENT_BYTES

static size_t page_floor(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return n & ~(page - 1);
}

/* The least room left under r's and its ancestors' limits: SIZE_MAX if none. */
static size_t room(const struct tag_region *r)
{
	size_t least = SIZE_MAX, limit, used;

	for (; r; r = r->parent) {
		limit = atomic_load_explicit(&r->limit, memory_order_relaxed);
		used = atomic_load_explicit(&r->charged, memory_order_relaxed);
		if (limit && (used >= limit ? 0 : limit - used) < least)
			least = used >= limit ? 0 : limit - used;
	}
	return least;
}

static void uncharge_from(struct tag_region *r, struct tag_region *stop, size_t bytes)
{
	for (; r != stop; r = r->parent)
		atomic_fetch_sub_explicit(&r->charged, bytes, memory_order_relaxed);
}

/*
 * bytes more for r and each ancestor, or none if that takes one over its
 * limit. Added first, then checked: regions growing in other threads
 * under the same ancestor cannot both pass on the same room.
 */
static bool charge(struct tag_region *r, size_t bytes)
{
	struct tag_region *a;
	size_t limit, now;

	if (!bytes)
		return true;
	for (a = r; a; a = a->parent) {
		now = atomic_fetch_add_explicit(&a->charged, bytes, memory_order_relaxed) + bytes;
		limit = atomic_load_explicit(&a->limit, memory_order_relaxed);
		if (limit && now > limit) {
			uncharge_from(r, a->parent, bytes);
			errno = ENOMEM;
			return false;
		}
	}
	r->charged_self += bytes;
	return true;
}

bool tag_limit_charge(struct tag_region *r, size_t min_bytes, size_t *bytes, size_t *charged)
{
	size_t left;

	*charged = 0;
	if (!r->segments)	/* a lifetime's first segment */
		return true;
	left = page_floor(room(r));
	/* up to the limit, not a doubling past it: the limit holds to a page */
	if (left < *bytes)
		*bytes = left > min_bytes ? left : min_bytes;
	if (!charge(r, *bytes))
		return false;
	*charged = *bytes;
	return true;
}

void tag_limit_refund(struct tag_region *r, size_t charged)
{
	uncharge_from(r, NULL, charged);
	r->charged_self -= charged;
}

/* The part of a lifetime's blocks past what a first segment would hold. */
static size_t over_first(size_t bytes)
{
	return bytes > UNCHARGED_BYTES ? bytes - UNCHARGED_BYTES : 0;
}

static size_t block_bytes(size_t size, size_t offset)
{
	return sizeof(struct fallback_block) + size + offset;
}

bool tag_limit_fallback_alloc(struct tag_region *r, size_t n)
{
	size_t before = r->fallback_bytes, after = before + block_bytes(n, 0);

	if (!charge(r, over_first(after) - over_first(before)))
		return false;
	r->fallback_bytes = after;
	return true;
}

void tag_limit_fallback_free(struct tag_region *r, const struct fallback_block *b)
{
	size_t before = r->fallback_bytes, after = before - block_bytes(b->size, b->offset);
	size_t refund = over_first(before) - over_first(after);

	r->fallback_bytes = after;
	uncharge_from(r, NULL, refund);
	r->charged_self -= refund;
}

void tag_limit_release(struct tag_region *r)
{
	uncharge_from(r, NULL, r->charged_self);
	r->charged_self = 0;
	r->fallback_bytes = 0;
}

int tag_region_set_limit(struct tag_region *r, size_t bytes)
{
	if (!tag_region_live(r))
		return -1;
	atomic_store_explicit(&r->limit, bytes, memory_order_relaxed);
	return 0;
}

size_t tag_region_charged(const struct tag_region *r)
{
	return r ? atomic_load_explicit(&r->charged, memory_order_relaxed) : 0;
}
