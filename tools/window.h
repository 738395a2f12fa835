/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --since SEQ (events, escapes, violations, check): the records after
 * sequence number SEQ, and the last sequence number, for the next run's
 * --since. The module numbers records from 0 in the order it makes them,
 * for every user; STATUS's events counter is the next number.
 */
#ifndef TAGCTL_WINDOW_H
#define TAGCTL_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct memtag_client;
struct memtag_event_record;
struct tagctl_command;

struct tagctl_window {
	int64_t since;			/* -1: no --since, everything */
	uint64_t recorded;		/* STATUS's events before the list: the next seq then */
	uint64_t dropped;		/* STATUS's events_dropped */
};

/* --since's value: a sequence number, or -1 (everything); else a usage error. */
int tagctl_parse_since(const struct tagctl_command *cmd, const char *arg, int64_t *since);
/* Before the records are read: what the module has numbered. 0 or a negative errno. */
int tagctl_window_start(struct memtag_client *client, struct tagctl_window *w);
/*
 * After: the last sequence number (-1: none yet), the larger of what STATUS
 * had numbered and the newest record read, so a record made after the list
 * is never behind it.
 */
int64_t tagctl_window_last(const struct tagctl_window *w, const struct memtag_event_record *e,
			   size_t n);
/*
 * Are all records after since still in the ring? When not, says so on
 * standard error, in cmd's name, with what to do.
 */
bool tagctl_window_complete(const struct tagctl_command *cmd, const struct tagctl_window *w);

#endif
