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

struct tag_segment;

/* Record seg for [base, base + size); false if out of memory or range. */
bool tag_pagemap_set(const void *base, size_t size, struct tag_segment *seg);
/* The segment recorded for addr (tag bits ignored), or NULL. */
struct tag_segment *tag_pagemap_get(const void *addr);

#endif
