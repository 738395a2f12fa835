// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl leaks' text in LeakSanitizer's format: see leak_report.h. */
#include <inttypes.h>
#include <stdio.h>
#include "leak_report.h"
#include "text.h"

#define LISTED_MAX 5		/* regions or processes named per group */

/* "#N 0xADDR" and LeakSanitizer's %F %L: function, then file:line or (module+0xoffset). */
static void frame_line(FILE *out, unsigned int n, uint64_t address, const char *function,
		       const char *file, unsigned int line, const struct tagctl_frame *f)
{
	fprintf(out, "    #%u %#" PRIx64 " ", n, address);
	if (function[0])
		fprintf(out, "in %s", tagctl_text(function));
	if (file[0]) {
		fprintf(out, " %s", tagctl_text(file));
		if (line)
			fprintf(out, ":%u", line);
	} else if (f->binary[0]) {
		fprintf(out, " (%s+%#" PRIx64 ")", tagctl_text(f->binary), f->offset);
	} else {
		fprintf(out, " (<unknown module>)");
	}
	fputc('\n', out);
}

unsigned int leak_report_frames(FILE *out, const struct tagctl_frame *frames, unsigned int depth)
{
	const struct tagctl_frame *f;
	unsigned int i, j, n = 0;

	for (i = 0; i < depth; i++) {
		f = &frames[i];
		frame_line(out, n++, f->address, f->function, f->file, f->line, f);
		for (j = 0; j < f->nr_inlined; j++)
			frame_line(out, n++, f->address, f->inlined[j].function,
				   f->inlined[j].file, f->inlined[j].line, f);
	}
	/* after the frames: a reader that stops at the first other line has them all */
	for (i = 0, n = 0; i < depth; n += 1 + frames[i].nr_inlined, i++) {
		f = &frames[i];
		if (!f->address)
			fprintf(out, "  memtag: frame #%u: no site recorded\n", n);
		else if (f->stale)
			fprintf(out, "  memtag: frame #%u: %s on disk is another build than the "
				     "process ran\n", n, tagctl_text(f->binary));
	}
	return n;
}

double leak_age_s(uint64_t now_ns, uint64_t since_ns)
{
	return since_ns && now_ns > since_ns ? (double)(now_ns - since_ns) / 1e9 : 0.0;
}

static const char *kind_words(enum leak_kind kind)
{
	switch (kind) {
	case LEAK_REGION:
		return "region(s) live when their owner went away, created at the frames above";
	case LEAK_STRICT:
		return "live when its strict region ended";
	default:
		return "in use when its process exited";
	}
}

/* Which regions or processes a group came from, the first few by name. */
static void print_members(FILE *out, const struct leak_group *g, const struct leak_item *items)
{
	const struct leak_item *it;
	size_t i;

	fprintf(out, "  memtag: from");
	for (i = 0; i < g->nr_items && i < LISTED_MAX; i++) {
		it = &items[g->items[i]];
		if (it->region)
			fprintf(out, "%s region %" PRIu32 " '%s' (pid %" PRIu32 ")", i ? "," : "",
				it->region, tagctl_text(it->region_name), it->tgid);
		else
			fprintf(out, "%s pid %" PRIu32 "%s%s%s", i ? "," : "", it->tgid,
				it->profile ? " (" : "",
				it->profile ? tagctl_text(it->profile->comm) : "",
				it->profile ? ")" : "");
	}
	if (g->nr_items > LISTED_MAX)
		fprintf(out, " and %zu more", g->nr_items - LISTED_MAX);
	fputc('\n', out);
}

void leak_report_group(FILE *out, const struct leak_group *g, const struct leak_item *items,
		       const struct tagctl_frame *frames, unsigned int depth, uint64_t now_ns)
{
	/* a leaked region is one object, allocated where it was created */
	fprintf(out, "Direct leak of %" PRIu64 " byte(s) in %" PRIu64 " object(s) allocated from:\n",
		g->bytes, g->objects);
	leak_report_frames(out, frames, depth);
	fprintf(out, "  memtag: %s: %s, oldest %.1fs ago\n", leak_kind_name(g->kind),
		kind_words(g->kind), leak_age_s(now_ns, g->oldest_ns));
	print_members(out, g, items);
	fputc('\n', out);
}

void leak_report_add(struct leak_totals *t, const struct leak_group *groups, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (groups[i].kind == LEAK_REGION) {
			t->region_bytes += groups[i].bytes;
			t->regions += groups[i].objects;
		} else {
			t->alloc_bytes += groups[i].bytes;
			t->allocs += groups[i].objects;
		}
	}
}

void leak_report_summary(FILE *out, const struct leak_totals *t)
{
	fprintf(out, "  memtag: %" PRIu64 " byte(s) in %" PRIu64 " allocation(s), %" PRIu64
		" byte(s) in %" PRIu64 " leaked region(s), %zu growing region(s)\n",
		t->alloc_bytes, t->allocs, t->region_bytes, t->regions, t->growing);
	/* LeakSanitizer's: the sum of the headings above */
	fprintf(out, "SUMMARY: memtag: %" PRIu64 " byte(s) leaked in %" PRIu64 " allocation(s).\n",
		t->alloc_bytes + t->region_bytes, t->allocs + t->regions);
}
