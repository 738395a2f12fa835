/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMTAG_SEGMENT_H
#define MEMTAG_SEGMENT_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include "event.h"

/* The pgoff of segment id is id << MEMTAG_SEGMENT_PGOFF_SHIFT: 1 GiB apart. */
#define MEMTAG_SEGMENT_PGOFF_SHIFT (30 - PAGE_SHIFT)
#define MEMTAG_SEGMENT_MAX_BYTES SZ_1G

/*
 * A piece of a region's memory, mapped from /dev/memtag by its owner.
 * Pages come on first touch; revocation unmaps them so that the next touch
 * faults into memtag_segment_fault(), which records the escape.
 */
struct memtag_segment {
	struct kref ref;
	struct mutex lock;		/* state, pages, mapping */
	u32 id;
	u64 region_offset;
	unsigned long npages;
	unsigned long resident;
	struct page **pages;		/* while live (software); NULL once revoked */
	bool module_memory;		/* software: the pages are ours, mapped from /dev/memtag */
	struct page *scratch;		/* served after revocation, in continue mode */
	unsigned int nr_vmas;		/* vmas pointing here (mremap copies) */
	struct address_space *mapping;	/* while mapped */
	enum memtag_event_kind revoked;	/* UNSPEC while live */
	u32 region_flags;		/* MEMTAG_REGION_F_* */
	unsigned long address;		/* where the owner maps it; 0: nowhere */
	struct memtag_event owner;	/* region, name, tgid, uid, net */
	struct list_head node;		/* in its region */
};

int memtag_segment_init(void);
void memtag_segment_exit(void);
/*
 * A new segment of bytes. address 0: pages from the module, mapped from
 * /dev/memtag (software backend); otherwise memory the owner mapped itself
 * at address (MTE), of which only the range is kept.
 */
struct memtag_segment *memtag_segment_new(const struct memtag_event *owner, u32 region_flags,
					  u64 region_offset, u64 bytes, unsigned long address);
/* End the segment's lifetime: unmap, free its pages, drop the region's reference. */
void memtag_segment_revoke(struct memtag_segment *seg, enum memtag_event_kind why);
/*
 * The same in two steps: marked revoked now (quick, under a caller's lock),
 * the slow part (unmap, free pages, the reference) later, without it.
 */
void memtag_segment_revoke_mark(struct memtag_segment *seg, enum memtag_event_kind why);
void memtag_segment_revoke_finish(struct memtag_segment *seg);
/* Move from's pages into to, a revoked segment its owner still maps; to is live again. */
int memtag_segment_recycle(struct memtag_segment *from, struct memtag_segment *to,
			   enum memtag_event_kind why);
/* Map a recycled segment's pages into the calling owner's mapping at once. */
void memtag_segment_prefault(struct memtag_segment *seg);
/* A live segment changes hands (a spare given to a region): whose it is now. */
void memtag_segment_assign(struct memtag_segment *seg, const struct memtag_event *owner,
			   u32 region_flags, u64 region_offset);
/* A reference on segment id, or NULL. */
struct memtag_segment *memtag_segment_get(u32 id);
void memtag_segment_put(struct memtag_segment *seg);
/* The owner's descriptor at the head of a live segment (claim word first). */
int memtag_segment_read_head(struct memtag_segment *seg, void *buf, size_t len, bool wait);
void memtag_segment_clear_head(struct memtag_segment *seg, size_t len);
/* Free the pages of a segment nobody maps any more (its owner left). */
void memtag_segment_release_pages(struct memtag_segment *seg);
u64 memtag_segment_offset(const struct memtag_segment *seg);

/* A segment as reported, for scans. */
struct memtag_segment_report {
	u32 id;
	u32 region;
	char region_name[MEMTAG_REGION_NAME_MAX];
	pid_t tgid;
	kuid_t uid;
	enum memtag_segment_state state;
	u64 address;
	u64 size;
	u64 region_offset;
};

/* Copy the next segment from *pos visible to viewer; false at the end. */
struct memtag_viewer;
bool memtag_segment_next(const struct memtag_viewer *v, unsigned long *pos,
			 struct memtag_segment_report *report, unsigned int *generation);

#endif /* MEMTAG_SEGMENT_H */
