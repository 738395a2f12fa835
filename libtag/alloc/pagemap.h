/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which segment holds an address: a three-level radix tree over page
 * numbers, as jemalloc's rtree, so that tag_free, tag_promote and the
 * SIGSEGV handler find a pointer's metadata in three loads, whatever the
 * number of segments. Readers take no lock (signal handlers read it too);
 * writers hold tag_rt.lock. Nodes are never freed.
 */
#ifndef MEMTAG_PAGEMAP_H
#define MEMTAG_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mte.h"

#define PM_PAGE_SHIFT 12
#define PM_BITS 12
#define PM_FANOUT (1UL << PM_BITS)
#define PM_MASK (PM_FANOUT - 1)
#define PM_VA_BITS (PM_PAGE_SHIFT + 3 * PM_BITS)	/* 48 */

struct tag_segment;

struct tag_pm_node {
	void *slot[PM_FANOUT];
};

extern struct tag_pm_node tag_pagemap_root __attribute__((visibility("hidden")));

/* Record seg for [base, base + size); false if out of memory or range. */
bool tag_pagemap_set(const void *base, size_t size, struct tag_segment *seg);

/* The segment recorded for addr (tag bits ignored), or NULL: three loads. */
static inline struct tag_segment *tag_pagemap_get(const void *addr)
{
	uintptr_t page = (uintptr_t)untagged(addr) >> PM_PAGE_SHIFT;
	struct tag_pm_node *mid, *leaf;

	if (page >> (3 * PM_BITS))
		return NULL;
	mid = __atomic_load_n((struct tag_pm_node **)&tag_pagemap_root.slot[page >> (2 * PM_BITS)],
			      __ATOMIC_ACQUIRE);
	if (!mid)
		return NULL;
	leaf = __atomic_load_n((struct tag_pm_node **)&mid->slot[(page >> PM_BITS) & PM_MASK],
			       __ATOMIC_ACQUIRE);
	if (!leaf)
		return NULL;
	return __atomic_load_n((struct tag_segment **)&leaf->slot[page & PM_MASK],
			       __ATOMIC_ACQUIRE);
}

#endif
