// SPDX-License-Identifier: LGPL-2.1-or-later
/* Region memory: segments mapped from the module (software) or PROT_MTE. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "mte.h"
#include "pagemap.h"
#include "alloc.h"

#ifndef PROT_MTE
#define PROT_MTE 0x20
#endif

/*
 * Segment records are recycled, never freed: the SIGSEGV handler may read
 * one it found in the page map while another thread retires it.
 */
static struct tag_segment *unused_records;

static struct tag_segment *record_new(void)
{
	struct tag_segment *seg = unused_records;

	if (!seg)
		return calloc(1, sizeof(*seg));
	unused_records = seg->next;
	memset(seg, 0, sizeof(*seg));
	return seg;
}

static void record_free(struct tag_segment *seg)
{
	seg->next = unused_records;
	unused_records = seg;
}

static size_t page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) & ~(page - 1);
}

static void unmap_segment(struct tag_segment *seg);
static int size_class(size_t bytes);
static struct tag_segment *pop(struct tag_segment **top, unsigned int *n);

/* Anonymous mode: a recycled range of bytes, its record dropped; caller holds tag_rt.lock. */
static void *anonymous_recycled(size_t bytes)
{
	int cls = size_class(bytes);
	struct tag_segment *old;
	void *p;

	old = cls >= 0 ? pop(&tag_rt.recyclable[cls], &tag_rt.nr_recyclable[cls]) : NULL;
	if (!old)
		return NULL;
	p = old->base;
	tag_pagemap_set(p, bytes, NULL);
	record_free(old);
	return p;
}

/* Map the memory: from /dev/memtag, or anonymous PROT_MTE. */
static int map_segment(struct tag_region *r, struct tag_segment *seg)
{
	struct memtag_segment_grant grant;
	void *p;
	int ret;

	if (tag_rt.anonymous) {
		/*
		 * Tests and callgrind on the host: the software layout, no
		 * module; a range out of quarantine is reused with its pages
		 * (as the module moves them), nothing revoked.
		 */
		p = anonymous_recycled(seg->size);
		if (p) {
			seg->base = p;
			return 0;
		}
		p = mmap(NULL, seg->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		seg->base = p;
		return 0;
	}
	if (tag_rt.backend == TAG_BACKEND_MTE) {
		p = mmap(NULL, seg->size, PROT_READ | PROT_WRITE | PROT_MTE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		madvise(p, seg->size, MADV_DONTFORK);
		/* the module keeps the range: limits, listings and scans */
		ret = memtag_segment_add(tag_client(), r->id, seg->size, (uintptr_t)p, &grant);
		if (ret) {
			munmap(p, seg->size);
			return ret;
		}
		seg->base = p;
		seg->region_offset = grant.region_offset;
		return 0;
	}
	ret = memtag_segment_add(tag_client(), r->id, seg->size, 0, &grant);
	if (ret)
		return ret;
	p = mmap(NULL, seg->size, PROT_READ | PROT_WRITE, MAP_SHARED, tag_rt.dev_fd,
		 (off_t)grant.offset);
	if (p == MAP_FAILED)
		return -errno;	/* the kernel frees the segment with the region */
	seg->base = p;
	seg->region_offset = grant.region_offset;
	seg->map_offset = grant.offset;
	seg->id = grant.id;
	return 0;
}

struct tag_segment *tag_segment_new(struct tag_region *r, size_t min_bytes)
{
	size_t bytes = page_round(min_bytes), charged;
	struct tag_segment *seg;
	int ret;

	if (bytes < r->next_segment_bytes)
		bytes = r->next_segment_bytes;
	if (bytes > MAX_SEGMENT_BYTES) {
		errno = ENOMEM;
		return NULL;
	}
	/* the slow path is where a byte limit is checked: none per allocation */
	if (!tag_limit_charge(r, page_round(min_bytes), &bytes, &charged))
		return NULL;
	pthread_mutex_lock(&tag_rt.lock);
	seg = record_new();
	pthread_mutex_unlock(&tag_rt.lock);
	if (!seg) {
		tag_limit_refund(r, charged);
		return NULL;
	}
	seg->size = bytes;
	seg->region = r;
	seg->region_id = r->id;
	seg->lifetime = r->lifetime;
	seg->region_offset = r->segments ? r->segments->region_offset + r->segments->size : 0;
	memcpy(seg->name, r->name, sizeof(seg->name));
	pthread_mutex_lock(&tag_rt.lock);
	ret = map_segment(r, seg);
	if (!ret && !tag_pagemap_set(seg->base, seg->size, seg)) {
		munmap(seg->base, seg->size);
		ret = -ENOMEM;
	}
	if (ret)
		record_free(seg);
	pthread_mutex_unlock(&tag_rt.lock);
	if (ret) {
		tag_limit_refund(r, charged);
		errno = -ret;
		return NULL;
	}
	r->next_segment_bytes = bytes * 2 < MAX_GROWN_SEGMENT_BYTES ? bytes * 2
								   : MAX_GROWN_SEGMENT_BYTES;
	seg->next = r->segments;
	r->segments = seg;
	return seg;
}

/* Recyclable segments kept at most, per class: 16 of 64 KiB, down to 2 of 1 MiB. */
#define RECYCLABLE_MAX(cls) ((16U >> (cls)) > 2 ? 16U >> (cls) : 2U)
/* Spares the module keeps per open file (MEMTAG_OWNER_SPARES_MAX) */
#define SPARES_MAX 16

static void unmap_segment(struct tag_segment *seg)
{
	tag_pagemap_set(seg->base, seg->size, NULL);
	munmap(untagged(seg->base), seg->size);
	record_free(seg);
}

/* Stacks of segments (recyclable, spares); caller holds tag_rt.lock. */
static void push(struct tag_segment **top, unsigned int *n, struct tag_segment *seg)
{
	seg->next = *top;
	*top = seg;
	++*n;
}

static struct tag_segment *pop(struct tag_segment **top, unsigned int *n)
{
	struct tag_segment *seg = *top;

	if (seg) {
		*top = seg->next;
		--*n;
	}
	return seg;
}

/* The class of a first segment of size bytes, or -1 if it is none. */
static int size_class(size_t bytes)
{
	int cls;

	for (cls = 0; cls < FIRST_SEGMENT_CLASSES; cls++)
		if (bytes == FIRST_SEGMENT_BYTES << cls)
			return cls;
	return -1;
}

/*
 * What creation sites used, so that a region's first segment holds its
 * whole lifetime and growth (SEGMENT_ADD, mmap, fresh pages, revoked at
 * end) stays out of the steady state: direct-mapped by site, under
 * tag_rt.lock, read without it: the site and its class are one word.
 * A site's class grows at once and shrinks one class after SHRINK_AFTER
 * lifetimes in a row that needed less.
 */
#define SIZE_HINTS 64
#define SHRINK_AFTER 16
#define HINT_CLASS_BITS 4
static struct size_hint {
	uint64_t word;			/* site << HINT_CLASS_BITS | class */
	unsigned int smaller;		/* lifetimes in a row that needed less */
} size_hints[SIZE_HINTS];

static struct size_hint *hint_of(uint64_t site)
{
	return &size_hints[(site ^ (site >> 12)) % SIZE_HINTS];
}

size_t tag_segment_first_bytes(uint64_t site)
{
	uint64_t word = __atomic_load_n(&hint_of(site)->word, __ATOMIC_RELAXED);

	if (word >> HINT_CLASS_BITS != site)
		return FIRST_SEGMENT_BYTES;
	return FIRST_SEGMENT_BYTES << (word & ((1U << HINT_CLASS_BITS) - 1));
}

void tag_segment_note_use(const struct tag_region *r)
{
	const struct tag_segment *seg;
	uint64_t word, cls = 0;
	struct size_hint *h;
	size_t used = 0;

	for (seg = r->segments; seg; seg = seg->next)
		used += seg->used;
	while (cls + 1 < FIRST_SEGMENT_CLASSES && (FIRST_SEGMENT_BYTES << cls) < used)
		cls++;
	pthread_mutex_lock(&tag_rt.lock);
	h = hint_of(r->site);
	word = h->word;
	if (word >> HINT_CLASS_BITS != r->site || cls >= (word & ((1U << HINT_CLASS_BITS) - 1))) {
		word = r->site << HINT_CLASS_BITS | cls;
		h->smaller = 0;
	} else if (++h->smaller >= SHRINK_AFTER) {
		word--;
		h->smaller = 0;
	}
	__atomic_store_n(&h->word, word, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&tag_rt.lock);
}

/* Quarantine: past the budget the oldest go, to be recycled or unmapped. */
static void trim_quarantine(void)
{
	struct tag_segment *seg;
	int cls;

	while (tag_rt.quarantine && tag_rt.quarantine_bytes > tag_rt.opts.quarantine_bytes) {
		seg = tag_rt.quarantine;
		tag_rt.quarantine = seg->next;
		if (!tag_rt.quarantine)
			tag_rt.quarantine_tail = NULL;
		tag_rt.quarantine_bytes -= seg->size;
		cls = size_class(seg->size);
		if (cls >= 0 && (tag_kernel_backed() || tag_rt.anonymous) &&
		    tag_rt.nr_recyclable[cls] < RECYCLABLE_MAX(cls)) {
			push(&tag_rt.recyclable[cls], &tag_rt.nr_recyclable[cls], seg);
			continue;
		}
		unmap_segment(seg);
	}
}

/*
 * The per-lifetime calls: one ioctl on /dev/memtag each (see the UAPI
 * header). The open device file owns the regions made here.
 */
static int lifetime_call(unsigned long cmd, struct memtag_ioc_region *req)
{
	return ioctl(tag_rt.dev_fd, cmd, req) ? -errno : 0;
}

/*
 * End or reset region id; in: the segment to recycle or the new first one.
 * *reserved (end): the region the module reserved on the spare, or 0.
 */
static int region_call(unsigned long cmd, uint32_t id, const struct memtag_ioc_segment *in,
		       struct memtag_ioc_segment *out, uint32_t *reserved)
{
	struct memtag_ioc_region req = { .id = id, .segment = *in };
	int ret = lifetime_call(cmd, &req);

	*out = req.segment;
	*reserved = ret ? 0 : req.reserved;
	return ret;
}

static int end_call(uint32_t id, uint32_t recycle, struct memtag_ioc_segment *out,
		    uint32_t *reserved)
{
	struct memtag_ioc_segment in = { .id = recycle };

	return region_call(MEMTAG_IOC_REGION_END, id, &in, out, reserved);
}

static int reset_call(uint32_t id, uint32_t recycle, struct memtag_ioc_segment *out,
		      uint32_t *reserved)
{
	struct memtag_ioc_segment in = { .id = recycle };

	return region_call(MEMTAG_IOC_REGION_RESET, id, &in, out, reserved);
}

static void note_grant(struct tag_segment *seg, const struct memtag_ioc_segment *grant)
{
	seg->size = grant->size;
	seg->id = grant->id;
	seg->map_offset = grant->offset;
	seg->region_offset = 0;
}

void tag_segment_adopt(struct tag_region *r, struct tag_segment *seg)
{
	seg->used = seg->start = 0;
	seg->region = r;
	seg->region_id = r->id;
	seg->lifetime = r->lifetime;
	seg->last_chunk = NULL;
	seg->retired = MEMTAG_EVENT_UNSPEC;
	memcpy(seg->name, r->name, sizeof(seg->name));
	seg->next = r->segments;
	r->segments = seg;
	r->next_segment_bytes = seg->size * 2 < MAX_GROWN_SEGMENT_BYTES ? seg->size * 2
									: MAX_GROWN_SEGMENT_BYTES;
}

/*
 * Memory we have already for a first segment: software, a spare (live,
 * pages moved in); MTE, a range out of quarantine. NULL: a new one.
 */
/*
 * A spare of bytes; when the module keeps as many as it may, any (one of
 * another size would wait for ever, and no end could make a new one).
 */
static struct tag_segment *pop_spare(size_t bytes)
{
	struct tag_segment **link;

	for (link = &tag_rt.spares; *link; link = &(*link)->next)
		if ((*link)->size == bytes)
			return pop(link, &tag_rt.nr_spares);
	return tag_rt.nr_spares >= SPARES_MAX ? pop(&tag_rt.spares, &tag_rt.nr_spares) : NULL;
}

static struct tag_segment *reusable_first(size_t bytes)
{
	struct tag_segment *seg = NULL;
	int cls = size_class(bytes);

	pthread_mutex_lock(&tag_rt.lock);
	if (tag_rt.backend == TAG_BACKEND_SOFTWARE)
		seg = pop_spare(bytes);
	else if (tag_rt.backend == TAG_BACKEND_MTE && cls >= 0)
		seg = pop(&tag_rt.recyclable[cls], &tag_rt.nr_recyclable[cls]);
	pthread_mutex_unlock(&tag_rt.lock);
	return seg;
}

static void *new_mte_range(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE | PROT_MTE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_DONTFORK);	/* a child has regions of its own */
	return p;
}

/* Memory for a new first segment the module granted: mapped, in the page map. */
static int first_memory(uint64_t address, struct tag_segment **seg,
			const struct memtag_ioc_segment *grant)
{
	void *p = (void *)(uintptr_t)address;

	if (!p) {
		p = mmap(NULL, grant->size, PROT_READ | PROT_WRITE, MAP_SHARED, tag_rt.dev_fd,
			 (off_t)grant->offset);
		if (p == MAP_FAILED)
			return -errno;
	}
	pthread_mutex_lock(&tag_rt.lock);
	*seg = record_new();
	if (*seg && tag_pagemap_set(p, grant->size, *seg)) {
		(*seg)->base = p;
		pthread_mutex_unlock(&tag_rt.lock);
		return 0;
	}
	if (*seg)
		record_free(*seg);
	pthread_mutex_unlock(&tag_rt.lock);
	*seg = NULL;
	if (!address)	/* ours; the caller unmaps its own */
		munmap(p, grant->size);
	return -ENOMEM;
}

/* A first segment taken for a create that failed goes back where it was. */
static void give_back(struct tag_segment *seg, uint64_t address, size_t bytes)
{
	int cls;

	if (!seg) {
		if (address)
			munmap((void *)(uintptr_t)address, bytes);
		return;
	}
	cls = size_class(seg->size);
	pthread_mutex_lock(&tag_rt.lock);
	if (tag_rt.backend == TAG_BACKEND_SOFTWARE)
		push(&tag_rt.spares, &tag_rt.nr_spares, seg);	/* the module kept it too */
	else if (cls >= 0)
		push(&tag_rt.recyclable[cls], &tag_rt.nr_recyclable[cls], seg);
	else
		unmap_segment(seg);
	pthread_mutex_unlock(&tag_rt.lock);
}

/* Would the module take this create from a descriptor (else the ioctl says why)? */
static bool claimable(const struct tag_region *r, const struct tag_region *parent)
{
	unsigned int depth = 0;

	if (!r->name[0])
		return false;
	for (; parent; parent = parent->parent)
		if (++depth >= TAG_REGION_DEPTH_MAX)
			return false;
	return true;
}

/*
 * Create without a system call: r is the region the module reserved on
 * the spare seg; the descriptor at its head says what r is (UAPI header,
 * memtag_region_desc), the claim last. Chunks start past it.
 */
/* What r is, for the module: all of a descriptor but its claim word. */
static void describe(struct memtag_region_desc *d, const struct tag_region *r,
		     const struct tag_region *parent, uint32_t kflags)
{
	struct timespec now = { 0 };

	/* coarse: the vDSO answers without a counter read, so never a system call
	 * (a fine clock falls back to one where the clocksource has no vDSO) */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	d->parent = parent ? parent->id : 0;
	d->flags = kflags;
	d->pad = 0;
	d->site = r->site;
	d->created_mono_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	memcpy(d->name, r->name, sizeof(d->name));
}

static void claim_reserved(struct tag_region *r, const struct tag_region *parent,
			   uint32_t kflags, struct tag_segment *seg)
{
	struct memtag_region_desc *d = (struct memtag_region_desc *)seg->base;

	describe(d, r, parent, kflags);
	__atomic_store_n(&d->claim, seg->reserved_id, __ATOMIC_RELEASE);
	r->id = seg->reserved_id;
	seg->reserved_id = 0;
	tag_segment_adopt(r, seg);
	seg->start = seg->used = MEMTAG_REGION_DESC_BYTES;
}

void tag_segment_table_init(void)
{
	void *p;

	tag_rt.table = NULL;
	atomic_store(&tag_rt.table_ready, 0);
	if (tag_rt.backend != TAG_BACKEND_MTE || tag_rt.dev_fd < 0 || tag_rt.anonymous)
		return;
	p = mmap(NULL, page_round(MEMTAG_TABLE_BYTES), PROT_READ | PROT_WRITE, MAP_SHARED,
		 tag_rt.dev_fd, MEMTAG_TABLE_OFFSET);
	if (p != MAP_FAILED)
		tag_rt.table = p;
}

/*
 * A slot of the region table with a region reserved in it, taken; -1 if
 * none. An empty table asks the module for a refill (one call per up to
 * MEMTAG_TABLE_SLOTS lifetimes), but not again until a slot region ended.
 */
static int take_slot(void)
{
	uint64_t ready = atomic_load_explicit(&tag_rt.table_ready, memory_order_acquire), bit;
	struct memtag_ioc_table refill = { 0 };
	unsigned int ends;

	for (;;) {
		while (ready) {
			bit = ready & -ready;
			if (atomic_compare_exchange_weak_explicit(&tag_rt.table_ready, &ready,
								  ready & ~bit,
								  memory_order_acq_rel,
								  memory_order_acquire))
				return __builtin_ctzll(bit);
		}
		ends = atomic_load_explicit(&tag_rt.table_ends, memory_order_relaxed);
		if (refill.count ||
		    ends + 1 == __atomic_load_n(&tag_rt.table_empty_at, __ATOMIC_RELAXED))
			return -1;
		if (ioctl(tag_rt.dev_fd, MEMTAG_IOC_TABLE_REFILL, &refill) || !refill.count) {
			__atomic_store_n(&tag_rt.table_empty_at, ends + 1, __ATOMIC_RELAXED);
			return -1;
		}
		/* the module wrote the slots before it answered; ours to hand out now */
		ready = atomic_fetch_or_explicit(&tag_rt.table_ready, refill.ready,
						 memory_order_acq_rel) | refill.ready;
	}
}

/* After a claim or an end: the module's next look reads the slots (UAPI header). */
static void table_changed(void)
{
	struct memtag_table_header *h = (void *)&tag_rt.table[MEMTAG_TABLE_SLOTS];

	__atomic_fetch_add(&h->generation, 1, __ATOMIC_RELEASE);
}

static void untake_slot(int i)
{
	atomic_fetch_or_explicit(&tag_rt.table_ready, 1ULL << i, memory_order_release);
}

/*
 * Create without a system call (MTE): r is the region reserved in a slot
 * of the table; the slot says what r is and where its first segment is
 * (UAPI header, memtag_region_slot), the claim last. 1: no slot, ask the
 * module; else 0 or -errno.
 */
static int claim_slot(struct tag_region *r, const struct tag_region *parent, uint32_t kflags,
		      size_t bytes)
{
	struct memtag_ioc_segment grant = { .size = bytes };
	struct tag_segment *seg;
	struct memtag_region_slot *s;
	uint64_t address;
	int i, ret;

	if (!tag_rt.table || !claimable(r, parent))
		return 1;
	i = take_slot();
	if (i < 0)
		return 1;
	seg = reusable_first(bytes);
	address = seg ? (uintptr_t)untagged(seg->base) : (uintptr_t)new_mte_range(bytes);
	ret = address ? 0 : -ENOMEM;
	if (!ret && !seg)
		ret = first_memory(address, &seg, &grant);
	if (ret) {
		untake_slot(i);
		give_back(NULL, address, bytes);
		return ret;
	}
	s = &tag_rt.table[i];
	describe(&s->desc, r, parent, kflags);
	s->end = 0;
	s->address = address;
	s->size = bytes;
	s->reserved = 0;
	r->id = s->id;
	r->slot = (uint32_t)i + 1;
	__atomic_store_n(&s->desc.claim, r->id, __ATOMIC_RELEASE);
	table_changed();
	note_grant(seg, &grant);
	tag_segment_adopt(r, seg);
	return 0;
}

/* No process-wide lock across the ioctl: threads create and end in parallel. */
int tag_segment_open_region(struct tag_region *r, const struct tag_region *parent,
			    uint32_t kflags)
{
	struct memtag_ioc_region req = { .parent = parent ? parent->id : 0, .flags = kflags,
					 .site = r->site };
	size_t bytes = tag_segment_first_bytes(r->site);
	struct memtag_ioc_segment none;
	struct tag_segment *seg;
	uint64_t address = 0;
	uint32_t reserved;
	int ret;

	if (tag_rt.backend == TAG_BACKEND_MTE) {
		ret = claim_slot(r, parent, kflags, bytes);
		if (ret <= 0)
			return ret;
	}
	seg = reusable_first(bytes);
	if (seg && seg->reserved_id) {
		if (claimable(r, parent)) {
			claim_reserved(r, parent, kflags, seg);
			return 0;
		}
		give_back(seg, 0, bytes);	/* for a later create; this one asks the module */
		seg = NULL;
	}
	if (seg && tag_rt.backend == TAG_BACKEND_SOFTWARE) {
		req.segment.id = seg->id;
	} else {
		req.segment.size = bytes;
		if (tag_rt.backend == TAG_BACKEND_MTE)
			address = seg ? (uintptr_t)untagged(seg->base) : (uintptr_t)new_mte_range(bytes);
		if (tag_rt.backend == TAG_BACKEND_MTE && !address)
			return -ENOMEM;
		req.segment.address = address;
	}
	memcpy(req.name, r->name, sizeof(req.name));
	ret = lifetime_call(MEMTAG_IOC_REGION_CREATE, &req);
	if (ret) {
		give_back(seg, address, bytes);
		return ret;
	}
	r->id = req.id;
	if (!seg) {
		ret = first_memory(address, &seg, &req.segment);
		if (ret) {	/* the module frees the segment with the region */
			end_call(r->id, 0, &none, &reserved);
			give_back(NULL, address, bytes);
			return ret;
		}
	}
	note_grant(seg, &req.segment);
	tag_segment_adopt(r, seg);
	return 0;
}

/* A recycled segment for r's first segment's pages, if the module may move them. */
static struct tag_segment *recycle_target(const struct tag_region *r, bool reset)
{
	const struct tag_segment *first = r->segments;
	struct tag_segment *to = NULL;
	int cls;

	if (tag_rt.backend != TAG_BACKEND_SOFTWARE || !first)
		return NULL;
	while (first->next)
		first = first->next;
	/* a first segment smaller than the site now needs: let it go */
	cls = size_class(first->size);
	if (cls < 0 || first->size != tag_segment_first_bytes(r->site))
		return NULL;
	pthread_mutex_lock(&tag_rt.lock);
	/* an end makes a spare: the module keeps at most SPARES_MAX */
	if (reset || tag_rt.nr_spares < SPARES_MAX)
		to = pop(&tag_rt.recyclable[cls], &tag_rt.nr_recyclable[cls]);
	pthread_mutex_unlock(&tag_rt.lock);
	return to;
}

/*
 * Reset without a recycled segment: the next first segment still comes in
 * the same call, new (software: the module's pages, mapped here) or, under
 * MTE, a range out of quarantine. *first: NULL if the module gave none.
 */
static int reset_fresh(struct tag_region *r, struct tag_segment **first)
{
	struct memtag_ioc_segment in = { .size = tag_segment_first_bytes(r->site) }, grant;
	struct tag_segment *seg = NULL;
	uint64_t address = 0;
	uint32_t reserved;
	int ret;

	if (tag_rt.backend == TAG_BACKEND_MTE) {
		seg = reusable_first(in.size);
		address = seg ? (uintptr_t)untagged(seg->base) : (uintptr_t)new_mte_range(in.size);
		if (!address)
			return reset_call(r->id, 0, &grant, &reserved);
		in.address = address;
	}
	ret = region_call(MEMTAG_IOC_REGION_RESET, r->id, &in, &grant, &reserved);
	if (!ret && grant.id && !seg && first_memory(address, &seg, &grant))
		grant.id = 0;	/* the module frees it with the next reset or end */
	if (ret || !grant.id) {
		give_back(seg, address, in.size);
		return ret;
	}
	note_grant(seg, &grant);
	*first = seg;
	return 0;
}

/*
 * End or reset r, recycling its first segment's pages into a recycled
 * segment when there is one; *to: that segment, live again, or NULL.
 */
static int end_or_reset(struct tag_region *r, bool reset, struct tag_segment **to)
{
	int (*call)(uint32_t, uint32_t, struct memtag_ioc_segment *, uint32_t *) =
		reset ? reset_call : end_call;
	struct memtag_ioc_segment grant;
	uint32_t reserved;
	int ret, cls;

	*to = recycle_target(r, reset);
	if (!*to)
		return reset ? reset_fresh(r, to) : call(r->id, 0, &grant, &reserved);
	ret = call(r->id, (*to)->id, &grant, &reserved);
	if (ret) {
		cls = size_class((*to)->size);
		pthread_mutex_lock(&tag_rt.lock);
		if (ret == -EINVAL)	/* the module would not take it: let it go */
			unmap_segment(*to);
		else
			push(&tag_rt.recyclable[cls], &tag_rt.nr_recyclable[cls], *to);
		pthread_mutex_unlock(&tag_rt.lock);
		*to = NULL;
		if (ret != -EINVAL)
			return ret;
		return reset ? reset_fresh(r, to) : call(r->id, 0, &grant, &reserved);
	}
	note_grant(*to, &grant);
	(*to)->reserved_id = reserved;	/* the next create claims it */
	return 0;
}

int tag_segment_end_region(struct tag_region *r)
{
	struct tag_segment *to;
	int ret;

	if (r->slot) {
		/* the module ends it (and its subtree) when it next looks */
		__atomic_store_n(&tag_rt.table[r->slot - 1].end, r->id, __ATOMIC_RELEASE);
		table_changed();
		atomic_fetch_add_explicit(&tag_rt.table_ends, 1, memory_order_relaxed);
		return 0;
	}
	ret = end_or_reset(r, false, &to);

	if (to) {
		to->region = NULL;
		to->retired = MEMTAG_EVENT_UNSPEC;
		pthread_mutex_lock(&tag_rt.lock);
		push(&tag_rt.spares, &tag_rt.nr_spares, to);
		pthread_mutex_unlock(&tag_rt.lock);
	}
	return ret;
}

int tag_segment_reset_region(struct tag_region *r, struct tag_segment **first)
{
	return end_or_reset(r, true, first);
}

void tag_segment_after_fork(void)
{
	/* VM_DONTCOPY: none of these ranges is mapped in the child */
	tag_rt.quarantine = tag_rt.quarantine_tail = NULL;
	tag_rt.quarantine_bytes = 0;
	memset(tag_rt.recyclable, 0, sizeof(tag_rt.recyclable));
	memset(tag_rt.nr_recyclable, 0, sizeof(tag_rt.nr_recyclable));
	tag_rt.spares = NULL;
	tag_rt.nr_spares = 0;
	tag_segment_table_init();	/* on the child's own file */
}

/* The segment's lifetime is over (the kernel revoked it in software mode). */
void tag_segment_retire(struct tag_segment *seg, enum memtag_event_kind why)
{
	if (tag_rt.backend == TAG_BACKEND_MTE) {
		/* tag 0: no pointer handed out may touch it any more */
		tag_mte_checks(false);
		tag_mte_set(untagged(seg->base), seg->used);
		tag_mte_checks(true);
	}
	pthread_mutex_lock(&tag_rt.lock);
	seg->retired = why;
	seg->region = NULL;
	seg->next = NULL;
	if (tag_rt.quarantine_tail)
		tag_rt.quarantine_tail->next = seg;
	else
		tag_rt.quarantine = seg;
	tag_rt.quarantine_tail = seg;
	tag_rt.quarantine_bytes += seg->size;
	trim_quarantine();
	pthread_mutex_unlock(&tag_rt.lock);
}

struct tag_segment *tag_segment_find(const void *addr)
{
	return tag_pagemap_get(addr);
}
