// SPDX-License-Identifier: LGPL-2.1-or-later
/* Region memory: segments mapped from the module (software) or PROT_MTE. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "mte.h"
#include "pagemap.h"
#include "tag_internal.h"

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

/* Map the memory: from /dev/memtag, or anonymous PROT_MTE. */
static int map_segment(struct tag_region *r, struct tag_segment *seg)
{
	struct memtag_segment_grant grant;
	void *p;
	int ret;

	if (tag_rt.anonymous) {
		/* tests and callgrind on the host: the software layout, no module */
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
	size_t bytes = page_round(min_bytes);
	struct tag_segment *seg;
	int ret;

	if (bytes < r->next_segment_bytes)
		bytes = r->next_segment_bytes;
	if (bytes > MAX_SEGMENT_BYTES) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&tag_rt.lock);
	seg = record_new();
	pthread_mutex_unlock(&tag_rt.lock);
	if (!seg)
		return NULL;
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
		errno = -ret;
		return NULL;
	}
	r->next_segment_bytes = bytes * 2 < MAX_GROWN_SEGMENT_BYTES ? bytes * 2
								   : MAX_GROWN_SEGMENT_BYTES;
	seg->next = r->segments;
	r->segments = seg;
	return seg;
}

/* Recyclable segments kept at most: bounds what the process keeps mapped. */
#define RECYCLABLE_MAX 16

static void unmap_segment(struct tag_segment *seg)
{
	tag_pagemap_set(seg->base, seg->size, NULL);
	munmap(untagged(seg->base), seg->size);
	record_free(seg);
}

/* Quarantine: past the budget the oldest go, to be recycled or unmapped. */
static void trim_quarantine(void)
{
	struct tag_segment *seg;

	while (tag_rt.quarantine && tag_rt.quarantine_bytes > tag_rt.opts.quarantine_bytes) {
		seg = tag_rt.quarantine;
		tag_rt.quarantine = seg->next;
		if (!tag_rt.quarantine)
			tag_rt.quarantine_tail = NULL;
		tag_rt.quarantine_bytes -= seg->size;
		if (seg->size == FIRST_SEGMENT_BYTES && tag_kernel_backed() &&
		    tag_rt.nr_recyclable < RECYCLABLE_MAX) {
			seg->next = tag_rt.recyclable;
			tag_rt.recyclable = seg;
			tag_rt.nr_recyclable++;
			continue;
		}
		unmap_segment(seg);
	}
}

static struct tag_segment *take_recyclable(void)
{
	struct tag_segment *seg = tag_rt.recyclable;

	if (seg) {
		tag_rt.recyclable = seg->next;
		tag_rt.nr_recyclable--;
	}
	return seg;
}

static void note_grant(struct tag_segment *seg, const struct memtag_segment_grant *grant)
{
	seg->size = grant->size;
	seg->id = grant->id;
	seg->map_offset = grant->offset;
	seg->region_offset = grant->region_offset;
}

void tag_segment_adopt(struct tag_region *r, struct tag_segment *seg)
{
	seg->used = 0;
	seg->region = r;
	seg->region_id = r->id;
	seg->lifetime = r->lifetime;
	seg->last_chunk = NULL;
	seg->retired = MEMTAG_EVENT_UNSPEC;
	memcpy(seg->name, r->name, sizeof(seg->name));
	seg->next = r->segments;
	r->segments = seg;
}

/* What the first segment of a create will be; *reuse: memory we have already. */
static int want_first(struct memtag_segment_want *want, struct tag_segment **reuse)
{
	void *p;

	*reuse = NULL;
	want->size = FIRST_SEGMENT_BYTES;
	if (tag_rt.backend == TAG_BACKEND_SOFTWARE && tag_rt.spare) {
		*reuse = tag_rt.spare;
		want->recycle = tag_rt.spare->id;
		want->size = 0;
		return 0;
	}
	if (tag_rt.backend != TAG_BACKEND_MTE)
		return 0;
	*reuse = take_recyclable();
	if (*reuse) {
		want->address = (uintptr_t)untagged((*reuse)->base);
		return 0;
	}
	p = mmap(NULL, FIRST_SEGMENT_BYTES, PROT_READ | PROT_WRITE | PROT_MTE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	madvise(p, FIRST_SEGMENT_BYTES, MADV_DONTFORK);	/* a child has regions of its own */
	want->address = (uintptr_t)p;
	return 0;
}

/* Memory for a first segment the module granted: mapped, in the page map. */
static int first_memory(const struct memtag_segment_want *want, struct tag_segment **seg,
			const struct memtag_segment_grant *grant)
{
	void *p = (void *)(uintptr_t)want->address;

	if (*seg)
		return 0;
	if (!p) {
		p = mmap(NULL, grant->size, PROT_READ | PROT_WRITE, MAP_SHARED, tag_rt.dev_fd,
			 (off_t)grant->offset);
		if (p == MAP_FAILED)
			return -errno;
	}
	*seg = record_new();
	if (*seg && tag_pagemap_set(p, grant->size, *seg)) {
		(*seg)->base = p;
		return 0;
	}
	if (*seg)
		record_free(*seg);
	*seg = NULL;
	if (!want->address)	/* ours; the caller unmaps its own */
		munmap(p, grant->size);
	return -ENOMEM;
}

int tag_segment_open_region(struct tag_region *r, uint32_t parent, uint32_t kflags)
{
	struct memtag_segment_want want = { 0 };
	struct memtag_segment_grant grant;
	struct memtag_region_record rec;
	struct tag_segment *seg;
	int ret;

	ret = want_first(&want, &seg);
	if (ret)
		return ret;
	ret = memtag_region_open(tag_client(), parent, r->name, kflags, r->site, &want, &rec,
				 &grant);
	if (!ret) {
		r->id = rec.id;
		if (seg == tag_rt.spare && seg)
			tag_rt.spare = NULL;
		ret = first_memory(&want, &seg, &grant);
		if (ret)	/* the kernel frees the segment with the region */
			memtag_region_end(tag_client(), r->id);
	}
	if (ret) {
		if (seg && seg != tag_rt.spare)
			unmap_segment(seg);
		else if (!seg && want.address)
			munmap((void *)(uintptr_t)want.address, FIRST_SEGMENT_BYTES);
		return ret;
	}
	note_grant(seg, &grant);
	tag_segment_adopt(r, seg);
	r->next_segment_bytes = FIRST_SEGMENT_BYTES * 2;
	return 0;
}

/* r's first segment, if the module may move its pages into recycled memory. */
static bool recyclable_first(const struct tag_region *r)
{
	const struct tag_segment *seg = r->segments;

	if (tag_rt.backend != TAG_BACKEND_SOFTWARE || !tag_rt.recyclable || !seg)
		return false;
	while (seg->next)
		seg = seg->next;
	return seg->size == FIRST_SEGMENT_BYTES;
}

int tag_segment_end_region(struct tag_region *r)
{
	struct memtag_segment_grant grant;
	struct tag_segment *to;
	int ret;

	if (tag_rt.spare || !recyclable_first(r))
		return memtag_region_end(tag_client(), r->id);
	to = take_recyclable();
	ret = memtag_region_end_recycle(tag_client(), r->id, to->id, &grant);
	if (ret == -EINVAL) {		/* the module would not: unmap it, end plainly */
		unmap_segment(to);
		return memtag_region_end(tag_client(), r->id);
	}
	if (ret) {
		to->next = tag_rt.recyclable;
		tag_rt.recyclable = to;
		tag_rt.nr_recyclable++;
		return ret;
	}
	to->region = NULL;
	to->retired = MEMTAG_EVENT_UNSPEC;
	to->next = NULL;
	tag_rt.spare = to;
	return 0;
}

int tag_segment_reset_region(struct tag_region *r, struct tag_segment **first)
{
	struct memtag_segment_grant grant;
	struct tag_segment *to;
	int ret;

	*first = NULL;
	if (!recyclable_first(r))
		return memtag_region_reset(tag_client(), r->id, NULL);
	to = take_recyclable();
	ret = memtag_region_reset_recycle(tag_client(), r->id, to->id, NULL, &grant);
	if (ret == -EINVAL) {
		unmap_segment(to);
		return memtag_region_reset(tag_client(), r->id, NULL);
	}
	if (ret) {
		to->next = tag_rt.recyclable;
		tag_rt.recyclable = to;
		tag_rt.nr_recyclable++;
		return ret;
	}
	note_grant(to, &grant);
	*first = to;
	return 0;
}

void tag_segment_after_fork(void)
{
	/* VM_DONTCOPY: none of these ranges is mapped in the child */
	tag_rt.quarantine = tag_rt.quarantine_tail = NULL;
	tag_rt.quarantine_bytes = 0;
	tag_rt.recyclable = tag_rt.spare = NULL;
	tag_rt.nr_recyclable = 0;
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

void tag_segment_walk(struct tag_segment *seg,
		      bool (*fn)(struct tag_segment *, struct chunk *, void *), void *arg)
{
	char *p = seg->base, *end = seg->base + seg->used;
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
