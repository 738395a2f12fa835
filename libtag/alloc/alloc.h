/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmemtag's allocator: process-wide state, regions, segments, sites. */
#ifndef MEMTAG_ALLOC_H
#define MEMTAG_ALLOC_H

#include <pthread.h>
#include <stdatomic.h>
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
	max_align_t data[];
};

#define FALLBACK_LIVE 0x466c4221u

struct tag_region {
	uint32_t magic;
	uint32_t id;
	pid_t pid;
	unsigned int flags;
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
};

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
	struct tag_segment *recyclable, *spares;
	unsigned int nr_recyclable, nr_spares;
	struct tag_region *zombies, *zombies_tail;
	unsigned int zombie_count;
	atomic_uint_fast64_t regions_created, regions_ended, violations;
	int report_fd;				/* raw netlink, for signal handlers */
	int family;
};

extern struct tag_runtime tag_rt;

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
/* seg becomes r's newest segment, empty. */
void tag_segment_adopt(struct tag_region *r, struct tag_segment *seg);
/* A forked child has none of the parent's mappings. */
void tag_segment_after_fork(void);
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
 * The hot part of the profile, inline in tag_alloc and tag_free: at depth
 * 1 (the default) a per-thread cache of recent sites in front of the
 * shared table, so that a known site costs a load and a compare; entries
 * carry the profile's generation (a forked child starts anew).
 */
#define TAG_SITE_CACHE 64
struct tag_site_cache_entry {
	uint64_t site;
	uint32_t bucket;
	uint32_t generation;
};
extern __thread struct tag_site_cache_entry tag_site_cache[TAG_SITE_CACHE]
	__attribute__((tls_model("initial-exec")));
extern uint32_t tag_profile_generation;
extern struct memtag_profile_area *tag_profile_area;

static inline struct tag_site_cache_entry *tag_site_slot(uint64_t site)
{
	return &tag_site_cache[(site ^ (site >> 7)) % TAG_SITE_CACHE];
}

uint32_t tag_profile_site_slow(uint64_t site);

/* The bucket of an allocation whose return address into the caller is site. */
static inline uint32_t tag_profile_site(uint64_t site)
{
	const struct tag_site_cache_entry *e = tag_site_slot(site);

	if (e->site == site && e->generation == tag_profile_generation &&
	    tag_rt.opts.stack_depth <= 1)
		return e->bucket;
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

#endif
