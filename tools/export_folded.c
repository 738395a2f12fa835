// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl export --format folded: one line per call stack,
 * "comm;outer;...;inner BYTES", the input of flamegraph.pl and speedscope.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "export.h"

/* Room for comm and MEMTAG_STACK_MAX formatted frames. */
#define FRAME_TEXT_MAX 600
#define STACK_TEXT_MAX (16 + MEMTAG_STACK_MAX * FRAME_TEXT_MAX)

/* ';' separates frames and a line ends the stack: neither may be in a name. */
static void append_frame(char *stack, size_t len, const char *name)
{
	size_t at = strlen(stack), i;

	if (at && at + 1 < len)
		stack[at++] = ';';
	for (i = 0; name[i] && at + 1 < len; i++) {
		char c = name[i];

		stack[at++] = c == ';' ? ':' : (c == '\n' || c == '\r') ? ' ' : c;
	}
	stack[at] = '\0';
}

static void site_stack(const struct export_input *in, const struct memtag_profile *p,
		       const struct memtag_site *s, char *stack, size_t len)
{
	char frame[FRAME_TEXT_MAX];
	struct tagctl_frame f;
	unsigned int i;

	stack[0] = '\0';
	append_frame(stack, len, p->comm[0] ? p->comm : "?");
	/* stack[] is innermost first; folded lines start at the root */
	for (i = export_site_depth(s); i > 0; i--) {
		in->symbolize(in->symbolize_ctx, p, s->stack[i - 1], &f);
		append_frame(stack, len, tagctl_frame_format(&f, frame, sizeof(frame)));
	}
}

static int by_stack(const void *a, const void *b)
{
	return strcmp(((const struct folded_stack *)a)->stack,
		      ((const struct folded_stack *)b)->stack);
}

/* Sort, and add up stacks that read the same (sites that symbolize alike). */
static void merge(struct folded *f)
{
	size_t i, kept = 0;

	qsort(f->stacks, f->count, sizeof(*f->stacks), by_stack);
	for (i = 0; i < f->count; i++) {
		if (kept && !strcmp(f->stacks[kept - 1].stack, f->stacks[i].stack)) {
			f->stacks[kept - 1].bytes += f->stacks[i].bytes;
			free(f->stacks[i].stack);
			continue;
		}
		f->stacks[kept++] = f->stacks[i];
	}
	f->count = kept;
}

static size_t count_sites(const struct export_input *in)
{
	size_t i, n = 0;

	for (i = 0; i < in->nr_profiles; i++)
		n += in->profiles[i].nr_sites;
	return n;
}

int export_folded_build(const struct export_input *in, struct folded *out)
{
	char *text = malloc(STACK_TEXT_MAX);
	const struct memtag_profile *p;
	size_t i, j;
	uint64_t bytes;

	out->count = 0;
	out->stacks = calloc(count_sites(in) + 1, sizeof(*out->stacks));
	if (!text || !out->stacks)
		goto nomem;
	for (i = 0; i < in->nr_profiles; i++) {
		p = &in->profiles[i];
		for (j = 0; j < p->nr_sites; j++) {
			bytes = export_site_weight(p, &p->sites[j]);
			if (!bytes)
				continue;
			site_stack(in, p, &p->sites[j], text, STACK_TEXT_MAX);
			out->stacks[out->count].stack = strdup(text);
			if (!out->stacks[out->count].stack)
				goto nomem;
			out->stacks[out->count++].bytes = bytes;
		}
	}
	free(text);
	merge(out);
	return 0;
nomem:
	free(text);
	export_folded_free(out);
	return -ENOMEM;
}

void export_folded_free(struct folded *f)
{
	size_t i;

	for (i = 0; f->stacks && i < f->count; i++)
		free(f->stacks[i].stack);
	free(f->stacks);
	f->stacks = NULL;
	f->count = 0;
}

int export_folded_write(FILE *out, const struct export_input *in)
{
	struct folded f;
	size_t i;
	int ret = export_folded_build(in, &f);

	if (ret)
		return ret;
	for (i = 0; i < f.count; i++)
		fprintf(out, "%s %" PRIu64 "\n", f.stacks[i].stack, f.stacks[i].bytes);
	export_folded_free(&f);
	return 0;
}
