// SPDX-License-Identifier: LGPL-2.1-or-later
/* The region API: create, allocate, free, promote, reset, end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "memtag.h"
#include "mte.h"
#include "pagemap.h"
#include "alloc.h"

#define SITE() ((uint64_t)(uintptr_t)__builtin_return_address(0))
/* off the fast paths: keeps alloc and free small, their registers few */
#define COLD __attribute__((noinline, cold))
#define SITES_TRACKED 64
/* a chunk leaving the ring of recent frees has its head checked; end checks all */
#define RECENT_POISON_CHECKED 16

static void count_one(atomic_uint_fast64_t *counter)
{
	atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

static COLD void report_region(enum memtag_event_kind kind, const struct tag_region *r,
			  const void *address, uint64_t site)
{
	struct tag_report rep = { .kind = kind, .region = r, .address = address, .site = site };

	tag_report(&rep);
}

/* r is not usable now: say why (errno, report). Off the fast path. */
static __attribute__((noinline, cold)) bool region_refused(struct tag_region *r,
							  enum memtag_event_kind if_ended,
							  uint64_t site)
{
	if (!r || (r->magic != REGION_LIVE && r->magic != REGION_ENDED)) {
		errno = EINVAL;
		return false;
	}
	if (r->pid != tag_rt.pid) {
		report_region(MEMTAG_EVENT_FOREIGN_REGION, r, NULL, site);
		errno = EPERM;
		return false;
	}
	report_region(if_ended, r, NULL, site);
	errno = ESTALE;
	return false;
}

/* Is r a live region of this process? Two compares on the fast path. */
static inline bool region_usable(struct tag_region *r, enum memtag_event_kind if_ended,
				 uint64_t site)
{
	if (__builtin_expect(r && r->magic == REGION_LIVE && r->pid == tag_rt.pid, 1))
		return true;
	return region_refused(r, if_ended, site);
}

static uint32_t kernel_flags(unsigned int flags)
{
	uint32_t kflags = flags & TAG_REGION_STRICT ? MEMTAG_REGION_F_STRICT : 0;

	if (!tag_rt.opts.halt_on_error)
		kflags |= MEMTAG_REGION_F_CONTINUE;
	return kflags;
}

static int kernel_call(int (*call)(struct tag_region *), struct tag_region *r)
{
	int ret;

	if (!tag_kernel_backed())
		return 0;
	ret = call(r);
	if (ret)
		errno = -ret;
	return ret ? -1 : 0;
}

/*
 * Known to the module (or numbered here) and with a first segment, so
 * that tag_alloc stays out of the kernel.
 */
static int open_region(struct tag_region *r, struct tag_region *parent)
{
	if (tag_kernel_backed())
		return tag_segment_open_region(r, parent, kernel_flags(r->flags));
	r->id = __atomic_add_fetch(&tag_rt.local_ids, 1, __ATOMIC_RELAXED);
	if (tag_rt.backend == TAG_BACKEND_NONE)
		return 0;
	return tag_segment_new(r, 0) ? 0 : -errno;
}

static bool first_segment(struct tag_region *r)
{
	if (tag_rt.backend == TAG_BACKEND_NONE)
		return true;
	return tag_segment_new(r, 0) != NULL;
}

static struct pending_table *pending_table(void);

struct tag_region *tag_region_create(struct tag_region *parent, const char *name,
				     unsigned int flags)
{
	uint64_t site = SITE();
	struct tag_region *r;
	int ret;

	if (!tag_runtime_ready()) {
		errno = ENOENT;
		return NULL;
	}
	if (parent && !region_usable(parent, MEMTAG_EVENT_ALLOC_IN_ENDED, site))
		return NULL;
	if (!name || strlen(name) >= MEMTAG_REGION_NAME_MAX || (flags & ~TAG_REGION_STRICT)) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->magic = REGION_LIVE;
	r->pid = tag_rt.pid;
	r->flags = flags;
	r->site = site;
	r->next_segment_bytes = tag_segment_first_bytes(site);
	strcpy(r->name, name);
	/* the table end counts into, made here: end makes no system call of its own */
	pending_table();
	/* no process-wide lock across the module call */
	ret = open_region(r, parent);
	if (!ret && parent) {
		pthread_mutex_lock(&tag_rt.lock);
		r->parent = parent;
		r->sibling = parent->children;
		parent->children = r;
		pthread_mutex_unlock(&tag_rt.lock);
	}
	if (ret) {
		free(r);
		errno = -ret;
		return NULL;
	}
	r->chunk_key = CHUNK_LIVE | (uint64_t)r->id << 32;
	count_one(&tag_rt.regions_created);
	return r;
}

static COLD void *fallback_alloc(struct tag_region *r, size_t n, uint32_t bucket)
{
	struct fallback_block *b = malloc(sizeof(*b) + n);

	if (!b || !tag_limit_fallback_alloc(r, n)) {
		free(b);	/* over a limit: ENOMEM */
		return NULL;
	}
	b->offset = 0;
	fallback_link(r, b, n, bucket);
	return b->data;
}

/* Without the module: the block p starts (its header is in front of it), or NULL. */
static struct fallback_block *block_of(const void *p)
{
	struct fallback_block *b = (struct fallback_block *)((char *)p - sizeof(*b));

	return b->magic == FALLBACK_LIVE ? b : NULL;
}

static struct chunk *place_chunk(struct tag_region *r, size_t n)
{
	size_t redzone = tag_rt.backend == TAG_BACKEND_SOFTWARE ? CHUNK_ALIGN : 0;
	size_t span = chunk_span(n, redzone);
	struct tag_segment *seg = r->segments;
	struct chunk *c;

	if (!seg || seg->used + span > seg->size) {
		seg = tag_segment_new(r, span);
		if (!seg)
			return NULL;
	}
	c = (struct chunk *)(seg->base + seg->used);
	if (tag_rt.backend == TAG_BACKEND_MTE) {
		/* neighbours differ: an overflow into the next chunk faults */
		c = tag_mte_tag_new(c, span, seg->used ? tag_of(seg->last_chunk) : 0);
		seg->last_chunk = c;
	}
	seg->used += span;
	chunk_init(c, r->id, n, redzone, 0, r->lifetime);
	return c;
}

/* bucket: the profile's, or UINT32_MAX to look it up from site. */
static void *alloc_in(struct tag_region *r, size_t n, uint64_t site, uint32_t bucket)
{
	struct chunk *c;
	void *p;

	if (!region_usable(r, MEMTAG_EVENT_ALLOC_IN_ENDED, site))
		return NULL;
	if (n > CHUNK_MAX_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	if (bucket == UINT32_MAX)
		bucket = tag_profile_site(site);
	if (tag_rt.backend == TAG_BACKEND_NONE) {
		p = fallback_alloc(r, n, bucket);
	} else {
		c = place_chunk(r, n);
		if (c) {
			c->site = site;
			c->bucket = bucket;
		}
		p = c ? chunk_data(c) : NULL;
	}
	if (!p)
		return NULL;
	tag_profile_alloc(bucket, n);
	return p;
}

static void *alloc_at(struct tag_region *r, size_t n, uint64_t site)
{
	return alloc_in(r, n, site, UINT32_MAX);
}

/* Past this, tag_alloc takes the general path (and its size checks). */
#define FAST_MAX_SIZE (1UL << 20)

/*
 * MTE's fast path: the same checks as alloc_fast, then place_chunk's tag
 * (unlike the neighbour's) and alloc_in's header and counts, no redzone.
 */
static __attribute__((noinline)) void *alloc_mte(struct tag_region *r, size_t n, uint64_t site)
{
	const struct tag_site_entry *e = &tag_site_index[tag_site_home(site)];
	struct memtag_profile_bucket *b;
	struct tag_segment *seg = r->segments;
	size_t span = chunk_span(n, 0);
	struct chunk *c;
	uint32_t bucket;

	if (n > FAST_MAX_SIZE || __atomic_load_n(&e->site, __ATOMIC_ACQUIRE) != site || !seg ||
	    seg->used + span > seg->size)
		return alloc_at(r, n, site);
	bucket = __atomic_load_n(&e->bucket, __ATOMIC_RELAXED);
	c = tag_mte_tag_new(seg->base + seg->used, span, seg->used ? tag_of(seg->last_chunk) : 0);
	seg->last_chunk = c;
	seg->used += span;
	c->key = r->chunk_key;
	c->size = (uint32_t)n;
	c->redzone = 0;
	c->site = site;
	c->lifetime = (uint32_t)r->lifetime;
	c->bucket = bucket;
	b = &tag_profile_area->buckets[bucket];
	tag_profile_add(&b->alloc_objects, 1);
	tag_profile_add(&b->alloc_bytes, n);
	return chunk_data(c);
}

/* Not the software fast path: MTE's, or the general one. */
static __attribute__((noinline)) void *alloc_slow(struct tag_region *r, size_t n, uint64_t site)
{
	if (r && r->key == tag_rt.mte_key)
		return alloc_mte(r, n, site);
	return alloc_at(r, n, site);
}

#define ALWAYS_INLINE inline __attribute__((always_inline))

/*
 * The fast path: software backend, a live region of ours, a known site,
 * room in the current segment. Validates first and tail-calls the
 * general path on any doubt, so that it needs no frame; no call of its
 * own. Same layout and counts as place_chunk and alloc_in.
 */
static ALWAYS_INLINE void *alloc_fast(struct tag_region *r, size_t n, uint64_t site)
{
	const struct tag_site_entry *e = &tag_site_index[tag_site_home(site)];
	struct memtag_profile_bucket *b;
	struct tag_segment *seg;
	struct chunk *c;
	uint32_t bucket;
	size_t span;

	/* the site first: its acquire load orders the loads after it */
	if (__builtin_expect(!r || r->key != tag_rt.fast_key || n > FAST_MAX_SIZE ||
			     __atomic_load_n(&e->site, __ATOMIC_ACQUIRE) != site, 0))
		return alloc_slow(r, n, site);
	seg = r->segments;
	span = chunk_span(n, CHUNK_ALIGN);
	if (__builtin_expect(!seg || seg->used + span > seg->size, 0))
		return alloc_slow(r, n, site);
	bucket = __atomic_load_n(&e->bucket, __ATOMIC_RELAXED);
	c = (struct chunk *)(seg->base + seg->used);
	seg->used += span;
	c->key = r->chunk_key;
	c->size = (uint32_t)n;
	c->redzone = CHUNK_ALIGN;
	c->site = site;
	c->lifetime = (uint32_t)r->lifetime;
	c->bucket = bucket;
	chunk_fill_redzone16(c, n);
	/* an index hit: the area exists (see tag_profile_site) */
	b = &tag_profile_area->buckets[bucket];
	tag_profile_add(&b->alloc_objects, 1);
	tag_profile_add(&b->alloc_bytes, n);
	return chunk_data(c);
}

void *tag_alloc(struct tag_region *r, size_t n)
{
	return alloc_fast(r, n, SITE());
}

void *tag_calloc(struct tag_region *r, size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = alloc_at(r, nmemb * size, SITE());
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

char *tag_strdup(struct tag_region *r, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = alloc_at(r, n, SITE());

	if (p)
		memcpy(p, s, n);
	return p;
}

/* The segment of r that p points into (past a header), or NULL: O(1). */
static struct tag_segment *own_segment(struct tag_region *r, const void *p)
{
	const char *a = untagged(p);
	struct tag_segment *seg = r->segments;

	/* most frees are of recent allocations: the current segment first */
	if (!seg || a < seg->base || a >= seg->base + seg->size)
		seg = tag_pagemap_get(a);
	if (seg && seg->region == r && a >= seg->base + sizeof(struct chunk) &&
	    a < seg->base + seg->used && !((uintptr_t)a & (CHUNK_ALIGN - 1)))
		return seg;
	return NULL;
}

static COLD void report_chunk(enum memtag_event_kind kind, const struct tag_region *r,
			 const struct tag_segment *seg, const struct chunk *c, size_t at)
{
	const char *data = (const char *)untagged(c) + sizeof(*c);
	struct tag_report rep = {
		.kind = kind,
		.region = r,
		.offset = seg->region_offset + (uint64_t)(data + at - seg->base),
		.address = data + at,
		.site = c->site,
		.size = c->size,
	};

	tag_report(&rep);
}

/* Report what a check found, once: the damage is mended for later checks. */
static COLD void report_damage(const struct tag_region *r, const struct tag_segment *seg,
			  struct chunk *c, enum chunk_damage damage, size_t at, size_t limit)
{
	switch (damage) {
	case CHUNK_REDZONE:
		report_chunk(MEMTAG_EVENT_OVERFLOW, r, seg, c, at);
		chunk_fill_redzone(c, c->size, c->redzone);
		break;
	case CHUNK_POISON:
		report_chunk(MEMTAG_EVENT_USE_AFTER_FREE, r, seg, c, at);
		memset(chunk_data(c), POISON_BYTE, c->size < limit ? c->size : limit);
		break;
	default:
		break;
	}
}

/* Check a chunk's redzone and (up to limit bytes of) poison. */
static COLD void check_chunk(const struct tag_region *r, const struct tag_segment *seg,
			struct chunk *c, size_t limit)
{
	size_t at = 0;
	enum chunk_damage damage = chunk_check_head(c, limit, &at);

	report_damage(r, seg, c, damage, at, limit);
}

/*
 * A freed chunk leaving the ring of recent frees: was it written since?
 * One bounded check per free, whatever the number of frees; end and reset
 * check every chunk in full.
 */
static void check_evicted(struct tag_region *r, struct chunk *c)
{
	if (!chunk_freed_intact(c, RECENT_POISON_CHECKED))
		check_chunk(r, tag_pagemap_get(c), c, RECENT_POISON_CHECKED);
}

/* p is not a chunk of r: whose is it? */
static COLD int bad_free(struct tag_region *r, void *p, uint64_t site)
{
	struct tag_segment *seg;
	struct tag_report rep = { .region = r, .address = p, .site = site };

	pthread_mutex_lock(&tag_rt.lock);
	seg = tag_segment_find(p);
	rep.kind = r && seg && seg->region && seg->region != r ? MEMTAG_EVENT_WRONG_REGION_FREE
								: MEMTAG_EVENT_INVALID_FREE;
	pthread_mutex_unlock(&tag_rt.lock);
	tag_report(&rep);
	errno = rep.kind == MEMTAG_EVENT_WRONG_REGION_FREE ? EXDEV : EINVAL;
	return -1;
}

static COLD int fallback_free(struct tag_region *r, void *p)
{
	struct fallback_block *b = block_of(p);

	if (!b || b->region != r) {
		errno = b ? EXDEV : EINVAL;
		return -1;
	}
	if (b->prev)
		b->prev->next = b->next;
	else
		r->blocks = b->next;
	if (b->next)
		b->next->prev = b->prev;
	b->magic = 0;
	tag_profile_free(b->bucket, b->size, false);
	tag_limit_fallback_free(r, b);
	fallback_block_free(b);
	return 0;
}

static void release_chunk(struct tag_region *r, struct chunk *c)
{
	struct chunk **slot;

	tag_profile_free(c->bucket, c->size, false);
	if (tag_rt.backend == TAG_BACKEND_MTE) {
		c->magic = CHUNK_FREED;
		/* a new tag: the old pointer faults from now on */
		tag_mte_tag_new(c, chunk_span(c->size, c->redzone), tag_of(c));
		return;
	}
	chunk_poison(c);
	slot = &r->recent_freed[r->recent_pos++ % RECENT_FREED];
	if (*slot)
		check_evicted(r, *slot);
	*slot = c;
}

static int free_at(struct tag_region *r, void *p, uint64_t site)
{
	struct tag_segment *seg;
	struct chunk *c;
	int ret = 0;

	if (!p)
		return 0;
	if (!region_usable(r, MEMTAG_EVENT_INVALID_FREE, site))
		return -1;
	if (tag_rt.backend == TAG_BACKEND_NONE)
		return fallback_free(r, p);
	seg = own_segment(r, p);
	if (!seg)
		return bad_free(r, p, site);
	c = chunk_of(p);
	tag_mte_checks(false);
	if (c->magic == CHUNK_FREED && c->region == r->id) {
		report_chunk(MEMTAG_EVENT_DOUBLE_FREE, r, seg, c, 0);
		errno = EINVAL;
		ret = -1;
	} else if (c->magic != CHUNK_LIVE || c->region != r->id) {
		ret = bad_free(r, p, site);
	} else {
		if (!chunk_redzone_intact(c))
			check_chunk(r, seg, c, SIZE_MAX);
		release_chunk(r, with_tag(c, tag_of(p)));
	}
	tag_mte_checks(true);
	return ret;
}

/*
 * The live chunk p starts and its region, from the pointer alone (the
 * page map): what tag_free(NULL, p), tag_size and tag_region_of need.
 */
static struct chunk *chunk_at(const void *p, struct tag_region **owner)
{
	struct tag_segment *seg = p ? tag_pagemap_get(p) : NULL;
	const char *a = untagged(p);
	struct chunk *c;
	bool live;

	if (!seg || !seg->region || a < seg->base + sizeof(*c) || a >= seg->base + seg->used ||
	    ((uintptr_t)a & (CHUNK_ALIGN - 1)))
		return NULL;
	c = chunk_of((void *)a);
	tag_mte_checks(false);
	live = c->magic == CHUNK_LIVE && c->region == seg->region_id;
	tag_mte_checks(true);
	if (!live)
		return NULL;
	*owner = seg->region;
	return c;
}

struct tag_region *tag_region_of(const void *p)
{
	struct tag_region *r = NULL;
	struct fallback_block *b;

	if (tag_rt.backend == TAG_BACKEND_NONE) {
		b = p ? block_of(p) : NULL;
		r = b ? b->region : NULL;
	} else {
		chunk_at(p, &r);
	}
	if (!r)
		errno = EINVAL;
	return r;
}

size_t tag_size(const void *p)
{
	struct tag_region *r;
	struct fallback_block *b;
	struct chunk *c;
	size_t n;

	if (tag_rt.backend == TAG_BACKEND_NONE) {
		b = p ? block_of(p) : NULL;
		n = b ? b->size : 0;
	} else {
		c = chunk_at(p, &r);
		tag_mte_checks(false);
		n = c ? c->size : 0;
		tag_mte_checks(true);
	}
	if (!n && p)
		errno = EINVAL;
	return n;
}

/*
 * MTE's fast path of free_at: a live chunk of r, found as free_fast finds
 * it; its header read with tag checks off (the pointer may be stale),
 * then release_chunk's new tag. On any doubt the general path.
 */
static __attribute__((noinline)) int free_mte(struct tag_region *r, void *p, uint64_t site)
{
	const char *a = untagged(p);
	struct tag_segment *seg = r->segments;
	struct memtag_profile_bucket *b;
	uint32_t bucket, size;
	struct chunk *c;
	uintptr_t off;

	off = (uintptr_t)a - (uintptr_t)(seg ? seg->base : NULL);
	if (!seg || off >= seg->size) {
		seg = tag_pagemap_get(a);
		if (!seg || seg->region != r)
			return free_at(r, p, site);
		off = (uintptr_t)a - (uintptr_t)seg->base;
	}
	if (off < sizeof(*c) || off >= seg->used || (off & (CHUNK_ALIGN - 1)))
		return free_at(r, p, site);
	c = chunk_of(p);
	tag_mte_checks(false);
	if (c->key != r->chunk_key) {
		tag_mte_checks(true);
		return free_at(r, p, site);
	}
	bucket = c->bucket;
	size = c->size;
	c->magic = CHUNK_FREED;
	/* a new tag: the old pointer faults from now on */
	tag_mte_tag_new(c, chunk_span(size, c->redzone), tag_of(c));
	tag_mte_checks(true);
	if (bucket < MEMTAG_PROFILE_BUCKETS) {
		b = &tag_profile_area->buckets[bucket];
		tag_profile_add(&b->free_objects, 1);
		tag_profile_add(&b->free_bytes, size);
	}
	return 0;
}

/* Not the software fast path: MTE's, or the general one. */
static __attribute__((noinline)) int free_slow(struct tag_region *r, void *p, uint64_t site)
{
	if (r && p && r->key == tag_rt.mte_key)
		return free_mte(r, p, site);
	if (!r && p) {
		/* the region from the pointer: for hooks that get no context */
		r = tag_region_of(p);
		if (!r)
			return bad_free(NULL, p, site);
	}
	return free_at(r, p, site);
}

/*
 * The fast path of free_at and release_chunk: software backend, a live
 * chunk of r (its segment the current one, else from the page map), its
 * redzone intact (the same three loads), and the chunk leaving the ring
 * of recent frees still poisoned (its first 16 bytes). Everything is
 * checked before anything is written: on any doubt the general path
 * starts over and reports. SITE() here is the caller's of the function
 * this is inlined into.
 */
static ALWAYS_INLINE int free_fast(struct tag_region *r, void *p)
{
	struct memtag_profile_bucket *b;
	struct tag_segment *seg;
	struct chunk *c, *old, **slot;
	const char *a = p;
	uint32_t bucket, size;
	uintptr_t off;

	if (__builtin_expect(!r || r->key != tag_rt.fast_key, 0))
		return free_slow(r, p, SITE());
	seg = r->segments;
	c = chunk_of(p);
	/* most frees are of recent allocations: the current segment first (NULL is in none) */
	off = (uintptr_t)a - (uintptr_t)(seg ? seg->base : NULL);
	if (__builtin_expect(!seg || off >= seg->size, 0)) {
		seg = tag_pagemap_get(a);
		if (!seg || seg->region != r)
			return free_slow(r, p, SITE());
		off = (uintptr_t)a - (uintptr_t)seg->base;
	}
	/* a header in the used part, aligned, a live chunk of r, its redzone intact */
	if (__builtin_expect(off < sizeof(*c) || off >= seg->used || (off & (CHUNK_ALIGN - 1)) ||
			     c->key != r->chunk_key || !chunk_redzone16_intact(c), 0))
		return free_slow(r, p, SITE());
	slot = &r->recent_freed[r->recent_pos % RECENT_FREED];
	old = *slot;
	if (__builtin_expect(old && !chunk_freed_head_intact(old), 0))
		return free_slow(r, p, SITE());
	r->recent_pos++;
	*slot = c;
	bucket = c->bucket;
	size = c->size;
	/*
	 * A counted bucket means the area existed when the chunk was made, in
	 * this process (the key holds our pid): it still does.
	 */
	if (__builtin_expect(bucket < MEMTAG_PROFILE_BUCKETS, 1)) {
		b = &tag_profile_area->buckets[bucket];
		tag_profile_add(&b->free_objects, 1);
		tag_profile_add(&b->free_bytes, size);
	}
	c->magic = CHUNK_FREED;
	chunk_poison_data(chunk_data(c), size);
	return 0;
}

int tag_free(struct tag_region *r, void *p)
{
	return free_fast(r, p);
}

/*
 * p's chunk, the newest of its segment, grows or shrinks to n where it
 * is: the segment's bump pointer moves, the redzone (software) or the
 * tags of the new granules (MTE) follow. false: it cannot.
 */
static bool resize_in_place(struct tag_region *r, void *p, size_t n)
{
	struct tag_segment *seg = r->segments;
	struct chunk *c = chunk_of(untagged(p));
	size_t old_span, new_span;
	char *start = (char *)c;

	if (!seg || start < seg->base || start >= seg->base + seg->used)
		return false;
	tag_mte_checks(false);
	old_span = chunk_span(c->size, c->redzone);
	new_span = chunk_span(n, c->redzone);
	if (start + old_span != seg->base + seg->used || start + new_span > seg->base + seg->size) {
		tag_mte_checks(true);
		return false;
	}
	if (tag_rt.backend == TAG_BACKEND_MTE && new_span > old_span)
		tag_mte_set(with_tag(start + old_span, tag_of(p)), new_span - old_span);
	seg->used += new_span - old_span;
	tag_profile_free(c->bucket, c->size, false);
	tag_profile_alloc(c->bucket, n);
	c->size = (uint32_t)n;
	chunk_fill_redzone(c, n, c->redzone);
	tag_mte_checks(true);
	return true;
}

void *tag_realloc(struct tag_region *r, void *p, size_t n)
{
	return tag_realloc_site(r, p, n, SITE());
}

void *tag_realloc_site(struct tag_region *r, void *p, size_t n, uint64_t site)
{
	struct fallback_block *b;
	struct tag_region *owner;
	size_t old;
	void *q;

	if (!p)
		return alloc_fast(r, n, site);	/* lua_Alloc and the like allocate so */
	if (!region_usable(r, MEMTAG_EVENT_ALLOC_IN_ENDED, site))
		return NULL;
	if (n > CHUNK_MAX_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	if (tag_rt.backend == TAG_BACKEND_NONE) {
		b = block_of(p);
		if (!b || b->region != r) {
			errno = EINVAL;
			return NULL;
		}
		old = b->size;
	} else {
		if (!chunk_at(p, &owner) || owner != r) {
			errno = EINVAL;
			return NULL;
		}
		if (resize_in_place(r, p, n))
			return p;
		tag_mte_checks(false);
		old = chunk_of(untagged(p))->size;
		tag_mte_checks(true);
	}
	q = alloc_fast(r, n, site);
	if (!q)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	free_fast(r, p);
	return q;
}

/* Does outer outlive r: is it r's parent, or its parent's, and so on? */
static bool outlives(const struct tag_region *outer, const struct tag_region *r)
{
	for (r = r->parent; r; r = r->parent)
		if (r == outer)
			return true;
	return false;
}

void *tag_promote(void *p, struct tag_region *outer)
{
	struct fallback_block *b = NULL;
	struct tag_region *from = NULL;
	uint64_t site = SITE();
	struct chunk *c = NULL;
	uint32_t bucket;
	size_t size;
	void *q;

	if (tag_rt.backend == TAG_BACKEND_NONE) {
		b = p ? block_of(p) : NULL;
		from = b ? b->region : NULL;
	} else {
		c = chunk_at(p, &from);
	}
	if (!from || !outer || !outlives(outer, from)) {
		errno = EINVAL;	/* not a chunk, or a copy that would not outlive p */
		return NULL;
	}
	tag_mte_checks(false);
	size = c ? c->size : b->size;
	bucket = c ? c->bucket : b->bucket;
	site = c ? c->site : site;
	tag_mte_checks(true);
	/* the copy keeps the allocation's site: it is the same object */
	q = alloc_in(outer, size, site, bucket);
	if (!q)
		return NULL;
	memcpy(q, p, size);
	free_at(from, p, site);
	return q;
}

struct leak_site {
	uint64_t site;
	uint64_t count;
	uint64_t bytes;
};

struct end_check {
	struct tag_region *region;
	struct pending_table *pending;		/* this thread's, NULL: count at once */
	bool strict, software;
	struct leak_site sites[SITES_TRACKED];
	unsigned int nsites;
};

static void count_leak(struct end_check *ec, const struct chunk *c)
{
	unsigned int i;

	for (i = 0; i < ec->nsites && ec->sites[i].site != c->site; i++)
		;
	if (i == ec->nsites && ec->nsites < SITES_TRACKED)
		ec->sites[ec->nsites++].site = c->site;
	else if (i == ec->nsites)
		i = SITES_TRACKED - 1;	/* the rest, folded into the last site */
	ec->sites[i].count++;
	ec->sites[i].bytes += c->size;
}

/*
 * What an end or reset takes out of the profile, per bucket, applied only
 * once the module agreed (a failed end leaves the region usable and its
 * counts as they were).
 */
struct pending_frees {
	uint64_t objects, bytes, leaked_objects, leaked_bytes;
};

/* One per thread (ends run in parallel), made at the thread's first end. */
struct pending_table {
	struct pending_frees bucket[MEMTAG_PROFILE_BUCKETS];
	uint16_t touched[MEMTAG_PROFILE_BUCKETS];
	unsigned int nr_touched;
};

static __thread struct pending_table *pending_tls __attribute__((tls_model("initial-exec")));
static pthread_key_t pending_key;
static pthread_once_t pending_once = PTHREAD_ONCE_INIT;

static void pending_key_init(void)
{
	pthread_key_create(&pending_key, free);
}

static struct pending_table *pending_table(void)
{
	if (!pending_tls) {
		pthread_once(&pending_once, pending_key_init);
		pending_tls = calloc(1, sizeof(*pending_tls));
		if (pending_tls)
			pthread_setspecific(pending_key, pending_tls);	/* freed at thread exit */
	}
	return pending_tls;
}

static void pending_free(struct pending_table *t, const struct chunk *c, bool leaked)
{
	struct pending_frees *p;

	if (c->bucket >= MEMTAG_PROFILE_BUCKETS)
		return;
	if (!t) {	/* no memory for the table: count now */
		tag_profile_free(c->bucket, c->size, leaked);
		return;
	}
	p = &t->bucket[c->bucket];
	if (!p->objects)
		t->touched[t->nr_touched++] = (uint16_t)c->bucket;
	p->objects++;
	p->bytes += c->size;
	if (leaked) {
		p->leaked_objects++;
		p->leaked_bytes += c->size;
	}
}

static void pending_apply(bool apply)
{
	struct pending_table *t = pending_tls;
	struct pending_frees *p;
	unsigned int i;

	for (i = 0; t && i < t->nr_touched; i++) {
		p = &t->bucket[t->touched[i]];
		if (apply)
			tag_profile_free_n(t->touched[i], p->objects, p->bytes, p->leaked_objects,
					   p->leaked_bytes);
		*p = (struct pending_frees){ 0 };
	}
	if (t)
		t->nr_touched = 0;
}

/* One chunk at end: its damage (reported), and its count if still live. */
static bool check_at_end(struct tag_segment *seg, struct chunk *c, void *arg)
{
	struct end_check *ec = arg;
	enum chunk_damage damage;
	size_t at = 0;

	/* the common case in a few loads: software, untouched redzone and poison */
	if (c->magic == CHUNK_LIVE && c->size <= CHUNK_MAX_SIZE &&
	    (!ec->software || chunk_slack_intact(c)))
		goto counted;
	if (ec->software && c->size <= CHUNK_MAX_SIZE && chunk_freed_intact(c, SIZE_MAX) &&
	    chunk_slack_intact(c))
		return true;
	damage = chunk_check(c, &at);
	if (damage == CHUNK_BAD_HEADER) {
		/* the walk cannot go on: an overflow wrote over this header */
		report_chunk(MEMTAG_EVENT_OVERFLOW, ec->region, seg, c, 0);
		return false;
	}
	/* MTE: no redzone and no poison, the tags did the checking */
	if (tag_rt.backend == TAG_BACKEND_SOFTWARE)
		report_damage(ec->region, seg, c, damage, at, SIZE_MAX);
	if (c->magic != CHUNK_LIVE)
		return true;
counted:
	/* its memory goes with the lifetime */
	pending_free(ec->pending, c, ec->strict);
	if (ec->strict)
		count_leak(ec, c);
	return true;
}

static void report_leaks(struct end_check *ec)
{
	unsigned int i;

	for (i = 0; i < ec->nsites; i++) {
		struct tag_report rep = {
			.kind = MEMTAG_EVENT_ALLOCS_LEAKED,
			.region = ec->region,
			.site = ec->sites[i].site,
			.size = ec->sites[i].bytes,
			.count = ec->sites[i].count,
		};

		tag_report(&rep);
	}
}

/* Check r's memory before it goes: damage, and leaks of strict regions. */
static void check_lifetime(struct tag_region *r)
{
	struct end_check ec = {
		.region = r,
		.pending = pending_table(),
		.strict = r->flags & TAG_REGION_STRICT,
		.software = tag_rt.backend == TAG_BACKEND_SOFTWARE,
	};
	struct tag_segment *seg;

	for (seg = r->segments; seg; seg = seg->next)
		tag_segment_walk(seg, check_at_end, &ec);
	report_leaks(&ec);
	/* what this lifetime used sizes its site's next first segments */
	tag_segment_note_use(r);
}

/* The lifetime is over (the module has revoked it): retire its memory. */
static void close_lifetime(struct tag_region *r, enum memtag_event_kind why)
{
	struct tag_segment *seg, *next;
	struct fallback_block *b;

	tag_limit_release(r);
	for (seg = r->segments; seg; seg = next) {
		next = seg->next;
		tag_segment_retire(seg, why);
	}
	while ((b = r->blocks)) {
		r->blocks = b->next;
		b->magic = 0;
		tag_profile_free(b->bucket, b->size, false);
		fallback_block_free(b);
	}
	r->segments = NULL;
	r->next_segment_bytes = tag_segment_first_bytes(r->site);
	memset(r->recent_freed, 0, sizeof(r->recent_freed));
	r->lifetime++;
}

/* Keep ended handles a while so that late use of one is caught, not a crash. */
static void bury(struct tag_region *r)
{
	struct tag_region *oldest;

	r->magic = REGION_ENDED;
	r->zombie_next = NULL;
	if (tag_rt.zombies_tail)
		tag_rt.zombies_tail->zombie_next = r;
	else
		tag_rt.zombies = r;
	tag_rt.zombies_tail = r;
	if (++tag_rt.zombie_count <= ZOMBIES_KEPT)
		return;
	oldest = tag_rt.zombies;
	tag_rt.zombies = oldest->zombie_next;
	tag_rt.zombie_count--;
	oldest->magic = 0;
	free(oldest);
}

static void check_tree(struct tag_region *r)
{
	struct tag_region *child;

	for (child = r->children; child; child = child->sibling)
		check_tree(child);
	check_lifetime(r);
}

static void end_tree(struct tag_region *r)
{
	struct tag_region *child, *next;

	for (child = r->children; child; child = next) {
		next = child->sibling;
		end_tree(child);
	}
	r->children = NULL;
	close_lifetime(r, MEMTAG_EVENT_USE_AFTER_END);
	count_one(&tag_rt.regions_ended);
	bury(r);
}

static void unlink_from_parent(struct tag_region *r)
{
	struct tag_region **link;

	if (!r->parent || r->parent->magic != REGION_LIVE)
		return;
	for (link = &r->parent->children; *link; link = &(*link)->sibling) {
		if (*link == r) {
			*link = r->sibling;
			break;
		}
	}
}

int tag_region_end(struct tag_region *r)
{
	int ret;

	if (!region_usable(r, MEMTAG_EVENT_INVALID_FREE, SITE()) || tag_cleanups_run(r))
		return -1;
	/* check while the memory is there: the module revokes it next */
	check_tree(r);
	ret = kernel_call(tag_segment_end_region, r);
	pending_apply(!ret);
	if (!ret) {
		/* the parent's child list and the process's lists are shared */
		pthread_mutex_lock(&tag_rt.lock);
		unlink_from_parent(r);
		end_tree(r);
		pthread_mutex_unlock(&tag_rt.lock);
	}
	return ret;
}


int tag_region_reset(struct tag_region *r)
{
	struct tag_segment *first = NULL;
	struct tag_region *child, *next;
	int ret;

	if (!region_usable(r, MEMTAG_EVENT_INVALID_FREE, SITE()) || tag_cleanups_run(r))
		return -1;
	check_tree(r);
	ret = tag_kernel_backed() ? tag_segment_reset_region(r, &first) : 0;
	pending_apply(!ret);
	pthread_mutex_lock(&tag_rt.lock);
	if (ret) {
		errno = -ret;
		ret = -1;
	} else {
		for (child = r->children; child; child = next) {
			next = child->sibling;
			end_tree(child);
		}
		r->children = NULL;
		close_lifetime(r, MEMTAG_EVENT_STALE_AFTER_RESET);
		if (first)
			tag_segment_adopt(r, first);	/* pages recycled, no new mapping */
		else if (!first_segment(r))
			ret = -1;	/* errno from the mapping; r stays usable */
	}
	pthread_mutex_unlock(&tag_rt.lock);
	return ret;
}

void tag_stats(struct tag_stats *s)
{
	memset(s, 0, sizeof(*s));
	tag_profile_totals(s);
	s->regions_created = atomic_load(&tag_rt.regions_created);
	s->regions_ended = atomic_load(&tag_rt.regions_ended);
	s->regions_live = s->regions_created - s->regions_ended;
	s->violations = atomic_load(&tag_rt.violations);
}

const char *tag_region_name(const struct tag_region *r)
{
	return r ? r->name : NULL;
}

uint32_t tag_region_id(const struct tag_region *r)
{
	return r ? r->id : 0;
}

/* For the variants (variants.c): their caller's site, as tag_alloc's. */
void *tag_alloc_site(struct tag_region *r, size_t n, uint64_t site)
{
	return alloc_at(r, n, site);
}
