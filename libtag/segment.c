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

/* Quarantine: the oldest retired segments are unmapped past the budget. */
static void trim_quarantine(void)
{
	struct tag_segment *seg;

	while (tag_rt.quarantine && tag_rt.quarantine_bytes > tag_rt.opts.quarantine_bytes) {
		seg = tag_rt.quarantine;
		tag_rt.quarantine = seg->next;
		if (!tag_rt.quarantine)
			tag_rt.quarantine_tail = NULL;
		tag_rt.quarantine_bytes -= seg->size;
		tag_pagemap_set(seg->base, seg->size, NULL);
		munmap(untagged(seg->base), seg->size);
		record_free(seg);
	}
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
