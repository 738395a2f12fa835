/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Leak items as tagctl leaks reports them and tagctl check counts them. */
#ifndef TAGCTL_LEAKS_H
#define TAGCTL_LEAKS_H

#include <stdint.h>
#include "leak_groups.h"
#include "symbolize.h"

struct json_object;
struct memtag_client;

/* The module's records and the leak items found in them. */
struct leak_records {
	struct memtag_region_record *regions;
	size_t nr_regions;
	struct memtag_event_record *events;
	size_t nr_events;
	struct tagctl_symbols sy;	/* profiles, and a symbolizer for their sites */
	struct leak_item *items;
	size_t nr_items;
};

/* Read regions, events and profiles (of pid, -1: all); 0 or a negative errno. */
int leak_records_load(struct memtag_client *client, long pid, struct leak_records *r);
void leak_records_free(struct leak_records *r);


/* The frames of an item's stack, symbolized; returns how many (item->depth). */
unsigned int leak_item_frames(struct tagctl_symbols *sy, const struct leak_item *it,
			      struct tagctl_frame frames[MEMTAG_STACK_MAX]);
/* {class, kind, region, region_name, pid, uid, bytes, count, since_ns, site, stack} */
struct json_object *leak_item_json(const struct leak_item *it,
				   const struct tagctl_frame *frames, unsigned int depth);
/* One line, as tagctl_print_event() prints events, and its frames below. */
void leak_item_print(const struct leak_item *it, const struct tagctl_frame *frames,
		     unsigned int depth);

#endif
