/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tagctl leaks' text, in LeakSanitizer's format, so that what parses
 * LeakSanitizer's reports parses memtag's:
 *
 *   Direct leak of 4096 byte(s) in 1 object(s) allocated from:
 *       #0 0x5611f3e011b3 in session_buffer_new /build/ordersvc/ordersvc.c:10
 *       #1 0x5611f3e011b3 in handle_request /build/ordersvc/ordersvc.c:29
 *     memtag: allocations-at-exit: in use when its process exited, oldest 890.0s ago
 *     memtag: from pid 4310 (ordersvc)
 *
 *   SUMMARY: memtag: 4096 byte(s) leaked in 1 allocation(s).
 *
 * Frames are LeakSanitizer's default stack_trace_format ("    #%n %p %F %L"):
 * "in FUNCTION FILE:LINE", else "in FUNCTION (MODULE+0xOFFSET)", else
 * " (MODULE+0xOFFSET)", else " (<unknown module>)"; a function inlined into
 * its callers is one frame each, at the same address, as LeakSanitizer's
 * symbolizer prints them. memtag's own facts are lines of their own that
 * start "  memtag: " (never '#', never a heading). Pure: host tests print
 * synthetic groups and parse them.
 */
#ifndef TAGCTL_LEAK_REPORT_H
#define TAGCTL_LEAK_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include "leak_groups.h"
#include "symbolize.h"

/* What the SUMMARY adds up: every group (regions too), and the growing regions. */
struct leak_totals {
	uint64_t region_bytes, regions, alloc_bytes, allocs;
	size_t growing;
};

/* Seconds from since_ns to now_ns; 0 when either is not known. */
double leak_age_s(uint64_t now_ns, uint64_t since_ns);
/* The frames, numbered from 0 (inlined callers take numbers of their own); returns how many. */
unsigned int leak_report_frames(FILE *out, const struct tagctl_frame *frames, unsigned int depth);
/* One group: the heading, its frames, memtag's facts, a blank line. */
void leak_report_group(FILE *out, const struct leak_group *g, const struct leak_item *items,
		       const struct tagctl_frame *frames, unsigned int depth, uint64_t now_ns);
/* The totals of groups into t (growing left as it is). */
void leak_report_add(struct leak_totals *t, const struct leak_group *groups, size_t count);
/* memtag's split of the totals, then LeakSanitizer's SUMMARY line. */
void leak_report_summary(FILE *out, const struct leak_totals *t);

#endif
