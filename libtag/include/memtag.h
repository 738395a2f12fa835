/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmemtag: lifetime-scoped tagged memory for Linux services.
 *
 * Control-plane API: talk to the memtag kernel module over generic netlink.
 * All functions return 0 or a negative errno; a failed request keeps the
 * kernel's extended-ACK message, read with memtag_client_error().
 */
#ifndef MEMTAG_LIBMEMTAG_H
#define MEMTAG_LIBMEMTAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/memtag.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MEMTAG_VERSION_MAX 32

/* One netlink connection; use one per thread (not thread-safe). */
struct memtag_client;

/* What the STATUS command reports. */
struct memtag_status {
	char version[MEMTAG_VERSION_MAX];	/* module version */
	enum memtag_backend backend;
	bool backend_forced;	/* chosen by the module's backend= parameter */
	bool mte_capable;	/* the CPUs support MTE */
	uint64_t status_requests;
	uint64_t regions_created;
	uint64_t regions_ended;
	uint64_t regions_leaked;	/* owner exited or closed its socket first */
	uint64_t violations;		/* misuse recorded */
	uint64_t events;		/* events recorded since load */
	uint64_t events_dropped;	/* records the ring overwrote (counts stay) */
	uint64_t bytes_reserved;	/* bytes of live region segments */
	uint64_t regions_live;
	uint64_t profiles;		/* allocation profiles kept, live and exited */
	uint64_t events_refused;	/* the caller's user's events refused: over its share */
	uint64_t event_totals[__MEMTAG_EVENT_MAX];	/* by enum memtag_event_kind */
};

/* A recorded misuse, leak or escape. Zero fields are unknown. */
struct memtag_event_record {
	uint64_t seq;
	uint64_t time_ns;		/* CLOCK_BOOTTIME */
	enum memtag_event_kind kind;
	uint32_t flags;			/* MEMTAG_EVENT_F_* */
	uint32_t region;
	char region_name[MEMTAG_REGION_NAME_MAX];
	uint32_t tgid;
	uint32_t uid;
	uint64_t offset;		/* in the region */
	uint64_t address;
	uint64_t ip;
	uint64_t site;			/* allocation or creation site */
	uint64_t size;
	uint64_t count;
};

/* A region as the module records it. */
struct memtag_region_record {
	uint32_t id;
	uint32_t parent;		/* 0: none */
	enum memtag_region_state state;
	uint32_t resets;
	uint32_t tgid;			/* owner process */
	uint32_t uid;			/* owner user */
	uint64_t site;			/* creation site (return address) */
	uint64_t created_ns;		/* CLOCK_BOOTTIME */
	uint32_t flags;			/* MEMTAG_REGION_F_* */
	uint64_t bytes_reserved;
	uint64_t bytes_resident;
	uint32_t growth;		/* samples in a row in which it grew */
	char name[MEMTAG_REGION_NAME_MAX];
};

/* A segment of a region, where its owner mapped it (for scans). */
struct memtag_segment_record {
	uint32_t id;
	uint32_t region;
	char region_name[MEMTAG_REGION_NAME_MAX];
	uint32_t tgid;
	uint32_t uid;
	enum memtag_segment_state state;
	uint64_t address;		/* 0: not mapped */
	uint64_t size;
	uint64_t region_offset;		/* where it starts in the region */
};

/* A loaded ELF object of a profiled process. */
struct memtag_binary {
	uint64_t start, end;		/* runtime addresses */
	uint64_t bias;			/* runtime address - ELF address */
	uint8_t build_id[MEMTAG_BUILD_ID_MAX];
	unsigned int build_id_len;
	char path[MEMTAG_PROFILE_PATH_MAX];
};

/* One allocation site (call stack) of a profile. */
struct memtag_site {
	uint64_t alloc_objects, alloc_bytes;
	uint64_t free_objects, free_bytes;
	uint64_t leaked_objects, leaked_bytes;	/* live at the end of strict regions */
	uint64_t first_ns;		/* CLOCK_BOOTTIME of its first allocation */
	uint32_t flags;			/* MEMTAG_PROFILE_BUCKET_F_* */
	unsigned int depth;
	uint64_t stack[MEMTAG_STACK_MAX];	/* runtime return addresses, innermost first */
};

/* The allocation profile of a process, live or exited. */
struct memtag_profile {
	uint64_t id;
	uint32_t tgid;
	uint32_t uid;
	char comm[16];
	uint64_t started_ns;
	uint64_t exited_ns;		/* 0: still running */
	size_t nr_binaries;
	struct memtag_binary *binaries;
	size_t nr_sites;
	struct memtag_site *sites;
};

/* Connect; -ENOENT when the memtag module is not loaded. */
int memtag_client_open(struct memtag_client **client);
void memtag_client_close(struct memtag_client *client);
/* The kernel's message about the last failed request, or "" if none. */
const char *memtag_client_error(const struct memtag_client *client);

int memtag_status_get(struct memtag_client *client, struct memtag_status *status);

/*
 * Region records in the module. The calling process owns what it creates;
 * records of a client whose socket closes while still live become leaks.
 */
int memtag_region_create(struct memtag_client *client, uint32_t parent, const char *name,
			 uint64_t site, struct memtag_region_record *region);
int memtag_region_end(struct memtag_client *client, uint32_t id);
int memtag_region_reset(struct memtag_client *client, uint32_t id,
			struct memtag_region_record *region);
/* All regions the caller may see, in a malloc'ed array (free() it). */
int memtag_region_list(struct memtag_client *client, struct memtag_region_record **regions,
		       size_t *count);

/* The events the caller may see, oldest first, in a malloc'ed array. */
int memtag_event_list(struct memtag_client *client, struct memtag_event_record **events,
		      size_t *count);
const char *memtag_event_kind_name(enum memtag_event_kind kind);
/* Segments of the visible regions; tgid 0: of every process. */
int memtag_segment_list(struct memtag_client *client, uint32_t tgid,
			struct memtag_segment_record **segments, size_t *count);
/* Allocation profiles the caller may see; tgid 0: of every process. */
int memtag_profile_list(struct memtag_client *client, uint32_t tgid,
			struct memtag_profile **profiles, size_t *count);
void memtag_profile_list_free(struct memtag_profile *profiles, size_t count);
/* The binary holding a runtime address of the profile's process, or NULL. */
const struct memtag_binary *memtag_profile_binary_of(const struct memtag_profile *profile,
						     uint64_t address);

const char *memtag_backend_name(enum memtag_backend backend);
const char *memtag_region_state_name(enum memtag_region_state state);
const char *memtag_library_version(void);

/*
 * Regions: lifetimes for memory. Everything allocated in a region ends
 * with it; child regions end with their parent.
 *
 * Threads: distinct regions may be used from different threads at once; one
 * region must not be used by two threads at the same time (as with talloc).
 * Create, end and reset take a process-wide lock and may enter the kernel;
 * tag_alloc and tag_free do not, except to map a new segment when the
 * region's current one is full.
 */
struct tag_region;

#define TAG_REGION_STRICT 0x1u	/* allocations live at end are reported as leaks */

struct tag_stats {
	uint64_t allocs;
	uint64_t frees;
	uint64_t live_allocs;
	uint64_t live_bytes;
	uint64_t regions_created;
	uint64_t regions_ended;
	uint64_t regions_live;
	uint64_t allocs_leaked;		/* live at the end of strict regions */
	uint64_t violations;		/* misuse this process reported */
};

struct tag_region *tag_region_create(struct tag_region *parent, const char *name,
				     unsigned int flags);
void *tag_alloc(struct tag_region *region, size_t size);
void *tag_calloc(struct tag_region *region, size_t nmemb, size_t size);
void *tag_realloc(struct tag_region *region, void *ptr, size_t size);
char *tag_strdup(struct tag_region *region, const char *s);
/* region NULL: found from ptr (a page-map lookup), for hooks without a context */
int tag_free(struct tag_region *region, void *ptr);
/* An intentional escape: a copy of ptr in outer, a region that outlives ptr's. */
void *tag_promote(void *ptr, struct tag_region *outer);
/* Bytes asked for at ptr's allocation; 0 and EINVAL if ptr is not a live chunk start. */
size_t tag_size(const void *ptr);
/* The region ptr (a live chunk start) was allocated in; NULL and EINVAL if none. */
struct tag_region *tag_region_of(const void *ptr);
int tag_region_reset(struct tag_region *region);
int tag_region_end(struct tag_region *region);
void tag_stats(struct tag_stats *stats);
const char *tag_region_name(const struct tag_region *region);
uint32_t tag_region_id(const struct tag_region *region);

/*
 * Variants: one chunk each, at the caller's site, freed and sized like
 * tag_alloc's. Sizes that overflow: NULL, ENOMEM.
 */
/* alignment: a power of two up to the page size (EINVAL otherwise) */
void *tag_aligned_alloc(struct tag_region *region, size_t alignment, size_t size);
char *tag_strndup(struct tag_region *region, const char *s, size_t n);
void *tag_memdup(struct tag_region *region, const void *src, size_t n);
char *tag_asprintf(struct tag_region *region, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *tag_vasprintf(struct tag_region *region, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void *tag_alloc_array(struct tag_region *region, size_t n, size_t size);
void *tag_realloc_array(struct tag_region *region, void *ptr, size_t n, size_t size);

/*
 * The calling thread's current region, for hooks without a context:
 * enter and leave around a unit of work, nested up to
 * TAG_REGION_NESTING_MAX deep. current: the innermost, or NULL outside.
 */
#define TAG_REGION_NESTING_MAX 16
int tag_region_enter(struct tag_region *region);
int tag_region_leave(void);
struct tag_region *tag_region_current(void);

/*
 * Cleanups: fn(arg) when region ends or is reset, before its memory goes;
 * newest first, children's before their parent's, each once. remove: the
 * newest registration of (fn, arg), without running it; ENOENT if none.
 */
int tag_region_cleanup_add(struct tag_region *region, void (*fn)(void *arg), void *arg);
int tag_region_cleanup_remove(struct tag_region *region, void (*fn)(void *arg), void *arg);

/*
 * A byte limit on what region and its descendants take beyond the first
 * 64 KiB of each (0: none): past it, allocations fail with ENOMEM.
 * charged: what counts against it now.
 */
int tag_region_set_limit(struct tag_region *region, size_t bytes);
size_t tag_region_charged(const struct tag_region *region);

/*
 * region's live chunks by allocation site, then its children's, indented
 * (as talloc_report_full). Walks every chunk: a diagnostic, not for hot
 * paths; no other thread may use the subtree meanwhile.
 */
int tag_region_report(struct tag_region *region, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* MEMTAG_LIBMEMTAG_H */
