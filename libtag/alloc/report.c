// SPDX-License-Identifier: LGPL-2.1-or-later
/* Misuse reports: one line on stderr and a record in the module. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "alloc.h"

const char *tag_event_name(enum memtag_event_kind kind)
{
	return memtag_event_kind_name(kind);
}

/* Damage to memory is worth stopping for; API misuse only fails the call. */
static bool corrupts_memory(enum memtag_event_kind kind)
{
	return kind == MEMTAG_EVENT_USE_AFTER_FREE || kind == MEMTAG_EVENT_OVERFLOW;
}

void tag_report(const struct tag_report *r)
{
	struct memtag_event_record e = {
		.kind = r->kind,
		.flags = r->flags,
		.region = r->region ? r->region->id : r->region_id,
		.offset = r->offset,
		.address = (uintptr_t)r->address,
		.site = r->site,
		.size = r->size,
		.count = r->count,
	};
	const char *name = r->region ? r->region->name : r->region_name;
	struct memtag_client *client;

	if (name)
		snprintf(e.region_name, sizeof(e.region_name), "%s", name);
	if (r->kind != MEMTAG_EVENT_ALLOCS_LEAKED)
		atomic_fetch_add_explicit(&tag_rt.violations, 1, memory_order_relaxed);
	if (tag_rt.opts.verbose)
		fprintf(stderr, "memtag: %s in region '%s' (id %" PRIu32 ") at offset %" PRIu64
				", address %p, size %" PRIu64 ", site %#" PRIx64 "\n",
			tag_event_name(r->kind), name ? name : "?", e.region, r->offset,
			r->address, r->size, r->site);
	pthread_mutex_lock(&tag_rt.lock);
	client = tag_client();
	if (client)
		memtag_event_report(client, &e);
	pthread_mutex_unlock(&tag_rt.lock);
	if (tag_rt.opts.halt_on_error && corrupts_memory(r->kind)) {
		fprintf(stderr, "memtag: aborting (MEMTAG_OPTIONS=halt_on_error=0 to go on)\n");
		abort();
	}
}
