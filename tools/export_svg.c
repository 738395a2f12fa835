// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl export --format svg: a flame graph of the folded stacks, one
 * self-contained SVG without scripts. The root is at the bottom, each
 * frame's width is its share of the bytes, and hovering shows its title.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "export.h"

#define WIDTH		1200
#define MARGIN		10
#define FRAME_HEIGHT	16
#define TITLE_HEIGHT	36
#define CHAR_WIDTH	7.2	/* 12px monospace */
#define MIN_WIDTH	0.1	/* narrower frames are not drawn */

struct flame_node {
	const char *name;		/* into a folded stack, not terminated */
	size_t name_len;
	uint64_t bytes;
	struct flame_node *child, *last_child, *next;
};

struct flame {
	struct flame_node *nodes;	/* nodes[0] is the root, "all" */
	size_t used;
	unsigned int depth;		/* deepest level, the root is 0 */
};

static struct flame_node *child_named(struct flame *fl, struct flame_node *parent,
				      const char *name, size_t len)
{
	struct flame_node *n;

	for (n = parent->child; n; n = n->next)
		if (n->name_len == len && !memcmp(n->name, name, len))
			return n;
	n = &fl->nodes[fl->used++];
	n->name = name;
	n->name_len = len;
	if (parent->last_child)
		parent->last_child->next = n;
	else
		parent->child = n;
	parent->last_child = n;
	return n;
}

static void add_stack(struct flame *fl, const struct folded_stack *s)
{
	struct flame_node *node = &fl->nodes[0];
	const char *name = s->stack, *end;
	unsigned int depth = 0;

	node->bytes += s->bytes;
	for (;;) {
		end = strchrnul(name, ';');
		node = child_named(fl, node, name, (size_t)(end - name));
		node->bytes += s->bytes;
		if (++depth > fl->depth)
			fl->depth = depth;
		if (!*end)
			break;
		name = end + 1;
	}
}

static int flame_build(struct flame *fl, const struct folded *f)
{
	size_t i, frames = 1;		/* the root */
	const char *c;

	for (i = 0; i < f->count; i++)
		for (c = f->stacks[i].stack, frames++; *c; c++)
			frames += *c == ';';
	memset(fl, 0, sizeof(*fl));
	fl->nodes = calloc(frames, sizeof(*fl->nodes));
	if (!fl->nodes)
		return -ENOMEM;
	fl->used = 1;
	fl->nodes[0].name = "all";
	fl->nodes[0].name_len = 3;
	for (i = 0; i < f->count; i++)
		add_stack(fl, &f->stacks[i]);
	return 0;
}

/* XML text of at most max bytes of name; never splits a UTF-8 sequence. */
static void put_text(FILE *out, const char *name, size_t len, size_t max)
{
	size_t i, cut = len;

	if (len > max) {
		cut = max > 2 ? max - 2 : 0;
		while (cut && ((unsigned char)name[cut] & 0xc0) == 0x80)
			cut--;
	}
	for (i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '&')
			fputs("&amp;", out);
		else if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else
			fputc(c < 0x20 ? '?' : c, out);
	}
	if (cut < len)
		fputs("..", out);
}

/* flamegraph.pl's "hot" palette, stable per name. */
static void color_of(const char *name, size_t len, unsigned int rgb[3])
{
	uint32_t h = 2166136261U;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619U;
	rgb[0] = 205 + h % 50;
	rgb[1] = (h >> 8) % 230;
	rgb[2] = (h >> 16) % 55;
}

static void draw(FILE *out, const struct flame *fl, const struct flame_node *n, double x,
		 unsigned int level, double scale, uint64_t total)
{
	double w = (double)n->bytes * scale;
	double y = TITLE_HEIGHT + (double)(fl->depth - level) * FRAME_HEIGHT;
	const struct flame_node *c;
	unsigned int rgb[3];

	if (w < MIN_WIDTH)
		return;
	color_of(n->name, n->name_len, rgb);
	fputs("<g><title>", out);
	put_text(out, n->name, n->name_len, n->name_len);
	fprintf(out, " (%" PRIu64 " bytes, %.2f%%)</title>", n->bytes,
		100.0 * (double)n->bytes / (double)total);
	fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
		     "fill=\"rgb(%u,%u,%u)\" rx=\"2\"/>",
		x, y, w, FRAME_HEIGHT - 1, rgb[0], rgb[1], rgb[2]);
	if (w > 3 * CHAR_WIDTH) {
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + 11.5);
		put_text(out, n->name, n->name_len, (size_t)((w - 6) / CHAR_WIDTH));
		fputs("</text>", out);
	}
	fputs("</g>\n", out);
	for (c = n->child; c; c = c->next) {
		draw(out, fl, c, x, level + 1, scale, total);
		x += (double)c->bytes * scale;
	}
}

static void put_svg(FILE *out, const struct flame *fl)
{
	const struct flame_node *root = &fl->nodes[0];
	unsigned int height = TITLE_HEIGHT + (fl->depth + 1) * FRAME_HEIGHT + MARGIN;

	fprintf(out, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		     "<svg version=\"1.1\" width=\"%d\" height=\"%u\" viewBox=\"0 0 %d %u\" "
		     "xmlns=\"http://www.w3.org/2000/svg\">\n"
		     "<style>text{font:12px monospace;fill:#000}"
		     "rect{stroke:#fff;stroke-width:0.5}</style>\n"
		     "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%u\" fill=\"#f8f8f0\"/>\n"
		     "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" style=\"font-size:16px\">"
		     "memtag: bytes in use by allocation site (leaked, for processes that exited)"
		     "</text>\n",
		WIDTH, height, WIDTH, height, WIDTH, height, WIDTH / 2);
	if (root->bytes)
		draw(out, fl, root, MARGIN, 0, (double)(WIDTH - 2 * MARGIN) / (double)root->bytes,
		     root->bytes);
	else
		fprintf(out, "<text x=\"%d\" y=\"%d\">no allocations in use</text>\n", MARGIN,
			TITLE_HEIGHT + 12);
	fputs("</svg>\n", out);
}

int export_svg_write(FILE *out, const struct export_input *in)
{
	struct folded f;
	struct flame fl;
	int ret = export_folded_build(in, &f);

	if (ret)
		return ret;
	ret = flame_build(&fl, &f);
	if (!ret)
		put_svg(out, &fl);
	free(fl.nodes);
	export_folded_free(&f);
	return ret;
}
