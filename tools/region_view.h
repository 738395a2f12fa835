/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Filtering, sorting and nesting of region listings (tagctl regions). */
#ifndef TAGCTL_REGION_VIEW_H
#define TAGCTL_REGION_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtag.h"

enum region_sort { SORT_ID, SORT_BYTES, SORT_AGE, SORT_NAME };

struct region_filter {
	long pid;			/* -1: any */
	long uid;			/* -1: any */
	int state;			/* -1: any, else enum memtag_region_state */
	uint64_t min_bytes;
	uint64_t older_than_ns;
	uint64_t now_ns;		/* CLOCK_BOOTTIME of the listing */
};

void region_filter_init(struct region_filter *f, uint64_t now_ns);
bool region_filter_keep(const struct region_filter *f, const struct memtag_region_record *r);
int parse_sort(const char *s, enum region_sort *sort);
void region_sort(struct memtag_region_record *r, size_t n, enum region_sort sort);
/*
 * Depth-first order for --tree: order[i] indexes r, depth[i] its nesting.
 * Regions whose parent is not listed are roots. Both arrays hold n entries.
 */
void region_tree(const struct memtag_region_record *r, size_t n, size_t *order,
		 unsigned int *depth);

#endif
