/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What leaked, from the module's records, grouped by site (tagctl leaks and
 * tagctl check count the same items):
 *   - regions still live when their owner exited or crashed (region records
 *     in state leaked), by creation site;
 *   - allocations live when their strict region ended (allocations-leaked
 *     events), by allocation site;
 *   - allocations in use when their process exited (the profiles of exited
 *     processes: allocated minus freed), by allocation site. A process killed
 *     with SIGKILL leaves these: the post-mortem report.
 * Pure: host tests feed it synthetic records.
 */
#ifndef TAGCTL_LEAK_GROUPS_H
#define TAGCTL_LEAK_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtag.h"

enum leak_kind {
	LEAK_REGION,		/* a region live when its owner went away */
	LEAK_STRICT,		/* allocations live at the end of a strict region */
	LEAK_AT_EXIT,		/* allocations in use when the process exited */
};

struct leak_item {
	enum leak_kind kind;
	uint32_t tgid;
	uint32_t uid;
	uint32_t region;		/* 0: not known (at exit) */
	char region_name[MEMTAG_REGION_NAME_MAX];
	uint64_t bytes;
	uint64_t objects;		/* allocations, or 1 region */
	uint64_t since_ns;		/* region creation, or the site's first allocation */
	const struct memtag_profile *profile;	/* of its process; NULL: not known */
	bool has_seq;
	uint64_t seq;			/* of its event (strict leaks) */
	unsigned int depth;
	uint64_t stack[MEMTAG_STACK_MAX];	/* runtime addresses, innermost first */
};

struct leak_sources {
	const struct memtag_region_record *regions;
	size_t nr_regions;
	const struct memtag_event_record *events;
	size_t nr_events;
	const struct memtag_profile *profiles;
	size_t nr_profiles;
	long pid;			/* -1: every process */
};

/* One item per leaked region, strict-leak report and site at exit; 0 or -ENOMEM. */
int leak_items_collect(const struct leak_sources *src, struct leak_item **items,
		       size_t *count);

struct leak_group {
	enum leak_kind kind;
	const struct leak_item *first;	/* its stack and profile name the group */
	uint64_t bytes;
	uint64_t objects;
	uint64_t oldest_ns;		/* the smallest since_ns */
	size_t nr_items;
	size_t *items;			/* indexes of its items */
};

struct leak_groups {
	struct leak_group *groups;
	size_t count;
	size_t *indexes;		/* backs every group's items */
};

/*
 * Items of one kind whose stacks are equal (frame by frame: same binary and
 * ELF offset, so processes of one program group together; unmapped frames
 * by address within one process) form a group. Largest bytes first.
 */
int leak_groups_build(const struct leak_item *items, size_t count, struct leak_groups *out);
void leak_groups_free(struct leak_groups *g);

/*
 * tagctl check --since SEQ: what was recorded after SEQ. Events by their
 * sequence number; a strict leak by its event's; a leaked region by its
 * region-leaked event's (none left in the ring: older than the window, when
 * the window is complete); what a process held at exit by the region-leaked
 * events of that process's lifetime, else by its exit time against the newest
 * event at or before SEQ that the caller sees.
 */
struct leak_window {
	int64_t since;			/* -1: everything */
	bool complete;			/* no record after since was overwritten */
	uint64_t since_ns;		/* time of the newest visible event <= since; 0: none */
};

void leak_window_init(struct leak_window *w, int64_t since,
		      const struct memtag_event_record *events, size_t n, bool complete);
bool leak_window_event(const struct leak_window *w, const struct memtag_event_record *e);
bool leak_window_item(const struct leak_window *w, const struct leak_item *it,
		      const struct memtag_event_record *events, size_t n);

/* "region-leaked", "allocations-leaked", "allocations-at-exit" */
const char *leak_kind_name(enum leak_kind kind);

/* CLOCK_BOOTTIME, the clock of the module's records, in ns. */
uint64_t tagctl_now_ns(void);

/* Allocations of a site still in use: allocated minus freed. */
void leak_site_in_use(const struct memtag_site *s, uint64_t *objects, uint64_t *bytes);

#endif
