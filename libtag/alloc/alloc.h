/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmemtag's allocator: process-wide state, regions, segments, sites. */
#ifndef MEMTAG_ALLOC_H
#define MEMTAG_ALLOC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/types.h>
#include "chunk.h"
#include "mte.h"
#include "../client/client.h"
#include "options.h"

enum tag_backend_kind {
	TAG_BACKEND_NONE,	/* module missing: plain malloc, no checks */
	TAG_BACKEND_SOFTWARE,	/* /dev/memtag segments, redzones, poison */
	TAG_BACKEND_MTE,	/* PROT_MTE segments, a tag per chunk */
};

#define REGION_LIVE 0x52656721u
#define REGION_ENDED 0x456e6421u
#define RECENT_FREED 16
#define FIRST_SEGMENT_BYTES (64UL << 10)
/* first segments are 64 KiB to 1 MiB, a power of two: what their creation site needs */
#define FIRST_SEGMENT_CLASSES 5
#define FIRST_SEGMENT_MAX (FIRST_SEGMENT_BYTES << (FIRST_SEGMENT_CLASSES - 1))
#define MAX_GROWN_SEGMENT_BYTES (64UL << 20)
#define MAX_SEGMENT_BYTES (1UL << 30)
#define ZOMBIES_KEPT 1024
#define TAG_REGION_DEPTH_MAX 16	/* the module's nesting bound */

struct tag_region;

/* A mapped piece of a region; kept, revoked, in quarantine after its lifetime. */
struct tag_segment {
	struct tag_segment *next;		/* in its region, or in quarantine */
	char *base;
	size_t size;
	size_t used;
	size_t start;				/* first chunk: past a claimed descriptor */
	uint64_t region_offset;
	uint64_t map_offset;			/* on /dev/memtag (software) */
	uint32_t id;				/* the module's segment id */
	uint32_t reserved_id;			/* spare: a region reserved on it, to claim */
	struct tag_region *region;		/* NULL once retired */
	uint32_t region_id;
	uint64_t lifetime;
	void *last_chunk;			/* tagged, for MTE neighbour tags */
	enum memtag_event_kind retired;		/* why it ended, UNSPEC while live */
	char name[MEMTAG_REGION_NAME_MAX];
};

/* Blocks of a region in fallback mode (no module). */
struct fallback_block {
	struct fallback_block *next, *prev;
	struct tag_region *region;
	size_t size;
	uint32_t bucket;
	uint32_t magic;				/* FALLBACK_LIVE */
	uint32_t offset;			/* from the malloc'ed start (aligned blocks) */
	max_align_t data[];
};

#define FALLBACK_LIVE 0x466c4221u

struct tag_region {
	union {
		struct {
			uint32_t magic;
			pid_t pid;
		};
		uint64_t key;			/* both, as tag_rt.fast_key holds them */
	};
	uint32_t id;
	unsigned int flags;
	uint32_t slot;				/* MTE: 1 + its slot in the region table, 0: none */
	uint64_t chunk_key;			/* a live chunk's magic and region, as one word */
	uint64_t lifetime;
	uint64_t site;
	struct tag_region *parent, *children, *sibling;
	struct tag_segment *segments;		/* this lifetime's, newest first */
	size_t next_segment_bytes;
	struct chunk *recent_freed[RECENT_FREED];
	unsigned int recent_pos;
	struct fallback_block *blocks;
	struct tag_region *zombie_next;
	char name[MEMTAG_REGION_NAME_MAX];
	/* cleanup.c, limit.c: callbacks and the byte limit */
	struct tag_cleanup *cleanups;		/* newest first */
	atomic_uint cleanups_pending;		/* in it and its descendants */
	atomic_size_t limit;			/* 0: none */
	atomic_size_t charged;			/* of it and its descendants */
	size_t charged_self;			/* this lifetime's own part of charged */
	size_t fallback_bytes;			/* blocks of this lifetime (no module) */
};

/* A new block of r, the newest, of n bytes counted in the profile's bucket. */
static inline void fallback_link(struct tag_region *r, struct fallback_block *b, size_t n,
				 uint32_t bucket)
{
	b->size = n;
	b->bucket = bucket;
	b->region = r;
	b->magic = FALLBACK_LIVE;
	b->prev = NULL;
	b->next = r->blocks;
	if (r->blocks)
		r->blocks->prev = b;
	r->blocks = b;
}

/* What malloc gave for b: an aligned block starts offset bytes in. */
static inline void fallback_block_free(struct fallback_block *b)
{
	free((char *)b - b->offset);
}

struct tag_runtime {
	pthread_mutex_t lock;			/* all but the alloc/free fast path */
	struct tag_options opts;
	enum tag_backend_kind backend;
	struct memtag_client *client;
	int dev_fd;
	pid_t pid;
	bool anonymous;				/* tests: anonymous memory, no module */
	uint32_t local_ids;			/* region ids when anonymous */
	struct tag_segment *quarantine, *quarantine_tail;
	size_t quarantine_bytes;
	/*
	 * First-size segments out of quarantine, kept mapped for reuse rather
	 * than unmapped: software, revoked ones whose pages the next end moves
	 * in; MTE, ranges for the next create. spares: software, live, waiting
	 * for the next creates (the module keeps them on the open file).
	 */
	struct tag_segment *recyclable[FIRST_SEGMENT_CLASSES], *spares;
	unsigned int nr_recyclable[FIRST_SEGMENT_CLASSES], nr_spares;
	struct tag_region *zombies, *zombies_tail;
	unsigned int zombie_count;
	atomic_uint_fast64_t regions_created, regions_ended, violations;
	/*
	 * REGION_LIVE and this process's pid, as a region's key holds them,
	 * on the software backend; 0 elsewhere. One compare on the fast path
	 * says: a live region of ours, redzones and poison.
	 */
	uint64_t fast_key;
	uint64_t mte_key;			/* the same on the MTE backend, else 0 */
	/*
	 * MTE: the region table shared with the module (create and end
	 * without a call), NULL without it; table_ready: slots holding a
	 * reserved region nobody took yet (bit i: slot i).
	 */
	struct memtag_region_slot *table;
	atomic_uint_fast64_t table_ready;
	atomic_uint table_ends;			/* slot ends so far; 1 + their number */
	unsigned int table_empty_at;		/* when a refill found none free, 0: never */
	int report_fd;				/* raw netlink, for signal handlers */
	int family;
};

/* hidden: the fast paths reach it PC-relative, not through the GOT */
#define TAG_HIDDEN __attribute__((visibility("hidden")))

extern struct tag_runtime tag_rt TAG_HIDDEN;

/* Does the module keep this process's regions (not fallback, not a test)? */
static inline bool tag_kernel_backed(void)
{
	return tag_rt.backend != TAG_BACKEND_NONE && !tag_rt.anonymous;
}

/* Initialise once (options, module, backend); false: no regions possible. */
bool tag_runtime_ready(void);
/* The process's connection to the module; call with tag_rt.lock held. */
struct memtag_client *tag_client(void);
bool tag_mte_enable(void);

/* Segments (backend specific mapping, shared bookkeeping). */
struct tag_segment *tag_segment_new(struct tag_region *r, size_t min_bytes);
/*
 * Register r with the module and give it a first segment: a region
 * reserved on a spare, claimed without a call, or one request.
 */
int tag_segment_open_region(struct tag_region *r, const struct tag_region *parent,
			    uint32_t kflags);
/* End (or reset) r in the module, recycling pages when it can; 0 or -errno. */
int tag_segment_end_region(struct tag_region *r);
/* *first: a recycled segment for r's next lifetime (tag_segment_adopt it), or NULL. */
int tag_segment_reset_region(struct tag_region *r, struct tag_segment **first);
/* Bytes of a first segment for a region created at site: what it used last. */
size_t tag_segment_first_bytes(uint64_t site);
/* r's lifetime is over: remember what it used, for its site's next ones. */
void tag_segment_note_use(const struct tag_region *r);
/* seg becomes r's newest segment, empty. */
void tag_segment_adopt(struct tag_region *r, struct tag_segment *seg);
/* A forked child has none of the parent's mappings (the region table: its own). */
void tag_segment_after_fork(void);
/* Map the region table from tag_rt.dev_fd (MTE); without it, create and end are ioctls. */
void tag_segment_table_init(void);
void tag_segment_retire(struct tag_segment *seg, enum memtag_event_kind why);
struct tag_segment *tag_segment_find(const void *addr);

/* Misuse: print, tell the module; abort if halt_on_error and memory is damaged. */
struct tag_report {
	enum memtag_event_kind kind;
	const struct tag_region *region;	/* may be NULL */
	uint32_t region_id;
	const char *region_name;
	uint64_t offset;
	const void *address;
	uint64_t site;
	uint64_t size;
	uint64_t count;
	uint32_t flags;
};

void tag_report(const struct tag_report *report);
const char *tag_event_name(enum memtag_event_kind kind);
/* Install the SIGSEGV handler that reports tag faults and escapes. */
int tag_signal_init(void);

/*
 * The allocation profile (sites.c): per-site counters, in an area the
 * module maps (dev_fd) or, without it, in private memory.
 */
void tag_profile_init(int dev_fd);
void tag_profile_after_fork(int dev_fd);

/*
 * The hot part of the profile, inline in tag_alloc: at depth 1 (the
 * default) a process-wide index from a site (a return address) to its
 * bucket, open addressing, written only when a site is first met (under
 * the profile lock) and read without a lock, so that a known site costs
 * a multiply, a load and a compare, whatever the number of sites (no
 * per-thread cache to miss). At depth > 1 it stays empty: every lookup
 * takes the slow path, which walks the stack. An entry is only made once
 * the profile area exists, so a hit implies tag_profile_area != NULL.
 */
#define TAG_SITE_INDEX_BITS 12
#define TAG_SITE_INDEX (1U << TAG_SITE_INDEX_BITS)	/* 4x the buckets: home slots mostly */
struct tag_site_entry {
	uint64_t site;		/* 0: empty; stored last (release) */
	uint32_t bucket;
	uint32_t pad;
};
extern struct tag_site_entry tag_site_index[TAG_SITE_INDEX] TAG_HIDDEN;
extern struct memtag_profile_area *tag_profile_area TAG_HIDDEN;

/*
 * A site's home slot: its low bits, so that the sites of one stretch of
 * code never collide (a multiplicative hash put half of 1,000 sites of
 * one function on shared slots), with higher bits folded in for sites
 * far apart.
 */
static inline uint32_t tag_site_home(uint64_t site)
{
	return (uint32_t)(site ^ (site >> 16)) & (TAG_SITE_INDEX - 1);
}

uint32_t tag_profile_site_slow(uint64_t site);

/* The bucket of an allocation whose return address into the caller is site. */
static inline uint32_t tag_profile_site(uint64_t site)
{
	const struct tag_site_entry *e = &tag_site_index[tag_site_home(site)];

	if (__atomic_load_n(&e->site, __ATOMIC_ACQUIRE) == site)
		return __atomic_load_n(&e->bucket, __ATOMIC_RELAXED);
	return tag_profile_site_slow(site);
}

static inline void tag_profile_add(__u64 *counter, uint64_t delta)
{
	__atomic_fetch_add(counter, delta, __ATOMIC_RELAXED);
}

static inline void tag_profile_alloc(uint32_t bucket, size_t bytes)
{
	struct memtag_profile_bucket *b;

	if (!tag_profile_area || bucket >= MEMTAG_PROFILE_BUCKETS)
		return;
	b = &tag_profile_area->buckets[bucket];
	tag_profile_add(&b->alloc_objects, 1);
	tag_profile_add(&b->alloc_bytes, bytes);
}

/* leaked_*: of those, still live when their strict region ended */
static inline void tag_profile_free_n(uint32_t bucket, uint64_t objects, uint64_t bytes,
				      uint64_t leaked_objects, uint64_t leaked_bytes)
{
	struct memtag_profile_bucket *b;

	if (!tag_profile_area || bucket >= MEMTAG_PROFILE_BUCKETS)
		return;
	b = &tag_profile_area->buckets[bucket];
	tag_profile_add(&b->free_objects, objects);
	tag_profile_add(&b->free_bytes, bytes);
	if (leaked_objects) {
		tag_profile_add(&b->leaked_objects, leaked_objects);
		tag_profile_add(&b->leaked_bytes, leaked_bytes);
	}
}

static inline void tag_profile_free(uint32_t bucket, size_t bytes, bool leaked)
{
	tag_profile_free_n(bucket, 1, bytes, leaked, leaked ? bytes : 0);
}

void tag_profile_totals(struct tag_stats *stats);

/* Walk a segment's chunks, tag checks off; stop early when fn returns false. */
static inline void tag_segment_walk(struct tag_segment *seg,
				    bool (*fn)(struct tag_segment *, struct chunk *, void *), void *arg)
{
	char *p = seg->base + seg->start, *end = seg->base + seg->used;
	struct chunk *c;

	tag_mte_checks(false);
	while (p + sizeof(struct chunk) <= end) {
		c = (struct chunk *)p;
		if (!fn(seg, c, arg))
			break;
		p += chunk_span(c->size, c->redzone);
	}
	tag_mte_checks(true);
}

/*
 * The API beyond alloc and free (variants.c, cleanup.c, limit.c), with
 * their hooks in region.c and segment.c. An allocation at a given site
 * (the caller's caller), for the variants:
 */
void *tag_alloc_site(struct tag_region *r, size_t n, uint64_t site);
/* Is r a live region of this process? If not, false and errno EINVAL, ESTALE or EPERM. */
bool tag_region_live(const struct tag_region *r);
void *tag_realloc_site(struct tag_region *r, void *p, size_t n, uint64_t site);
/* At end and reset: r's subtree's cleanups, before its memory goes; -1 EBUSY inside one. */
int tag_cleanups_run(struct tag_region *r);
/*
 * A growth segment of *bytes for r: within r's and its ancestors' limits
 * (*bytes may shrink, not below min_bytes); false and ENOMEM if over.
 * *charged: what to refund if the mapping fails.
 */
bool tag_limit_charge(struct tag_region *r, size_t min_bytes, size_t *bytes, size_t *charged);
void tag_limit_refund(struct tag_region *r, size_t charged);
/* Without the module: a block of n bytes (false, ENOMEM: over a limit), and its free. */
bool tag_limit_fallback_alloc(struct tag_region *r, size_t n);
void tag_limit_fallback_free(struct tag_region *r, const struct fallback_block *b);
/* r's lifetime is closed: its charge leaves it and its ancestors. */
void tag_limit_release(struct tag_region *r);

#endif
