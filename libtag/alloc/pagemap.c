// SPDX-License-Identifier: LGPL-2.1-or-later
/* The address-to-segment map: 36 bits of page number in three 12-bit levels. */
#include <stdint.h>
#include <sys/mman.h>
#include "mte.h"
#include "pagemap.h"

struct tag_pm_node tag_pagemap_root;

/* Nodes come from mmap: never malloc, which a signal handler may interrupt. */
static struct tag_pm_node *node_new(void)
{
	void *p = mmap(NULL, sizeof(struct tag_pm_node), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static struct tag_pm_node *child(struct tag_pm_node *n, uintptr_t i, bool make)
{
	struct tag_pm_node *c = __atomic_load_n((struct tag_pm_node **)&n->slot[i], __ATOMIC_ACQUIRE);

	if (!c && make) {
		c = node_new();
		if (c)
			__atomic_store_n((struct tag_pm_node **)&n->slot[i], c, __ATOMIC_RELEASE);
	}
	return c;
}

static void **leaf_slot(uintptr_t page, bool make)
{
	struct tag_pm_node *mid, *leaf;

	mid = child(&tag_pagemap_root, (page >> (2 * PM_BITS)) & PM_MASK, make);
	leaf = mid ? child(mid, (page >> PM_BITS) & PM_MASK, make) : NULL;
	return leaf ? &leaf->slot[page & PM_MASK] : NULL;
}

bool tag_pagemap_set(const void *base, size_t size, struct tag_segment *seg)
{
	uintptr_t a = (uintptr_t)untagged(base), page, last;
	void **slot;

	if (!size || a + size < a || ((a + size - 1) >> PM_VA_BITS))
		return false;
	last = (a + size - 1) >> PM_PAGE_SHIFT;
	for (page = a >> PM_PAGE_SHIFT; page <= last; page++) {
		slot = leaf_slot(page, seg != NULL);
		if (!slot && seg)
			return false;
		if (slot)
			__atomic_store_n((struct tag_segment **)slot, seg, __ATOMIC_RELEASE);
	}
	return true;
}
