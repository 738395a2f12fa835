// SPDX-License-Identifier: GPL-2.0-or-later
/* A reader of LeakSanitizer's report format: see lsan_parse.h. */
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lsan_parse.h"

#define HEADING "^(Direct|Indirect) leak of ([0-9]+) byte\\(s\\) in ([0-9]+) object\\(s\\) allocated from:$"
/* #N ADDRESS, then "in FUNCTION " or nothing, then a location */
#define FRAME "^    #([0-9]+) 0x([0-9a-f]+) (in ([^ ]+) )?(.*)$"
#define MODULE "^ ?\\((.+)\\+0x([0-9a-f]+)\\)$"
#define SOURCE "^ ?([^ :]+)(:([0-9]+))?(:([0-9]+))?$"
#define SUMMARY "^SUMMARY: ([A-Za-z]+): ([0-9]+) byte\\(s\\) leaked in ([0-9]+) allocation\\(s\\)\\.$"

struct parser {
	regex_t heading, frame, module, source, summary;
	struct lsan_report *r;
	struct lsan_leak *leak;		/* the one whose frames follow, or NULL */
	unsigned int line;
};

static int fail(struct parser *p, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(p->r->error, sizeof(p->r->error), "line %u: %s", p->line, why);
	return -1;
}

static void copy(char *dst, size_t len, const char *line, const regmatch_t *m)
{
	size_t n = m->rm_so < 0 ? 0 : (size_t)(m->rm_eo - m->rm_so);

	if (n >= len)
		n = len - 1;
	memcpy(dst, line + (m->rm_so < 0 ? 0 : m->rm_so), n);
	dst[n] = '\0';
}

static uint64_t number(const char *line, const regmatch_t *m, int base)
{
	char buf[32];

	copy(buf, sizeof(buf), line, m);
	return strtoull(buf, NULL, base);
}

static int parse_location(struct parser *p, struct lsan_frame *f, const char *loc)
{
	regmatch_t m[6];

	if (!strcmp(loc + (loc[0] == ' '), "(<unknown module>)")) {
		snprintf(f->module, sizeof(f->module), "<unknown module>");
		return 0;
	}
	if (!regexec(&p->module, loc, 3, m, 0)) {
		copy(f->module, sizeof(f->module), loc, &m[1]);
		f->offset = number(loc, &m[2], 16);
		return 0;
	}
	if (f->function[0] && !regexec(&p->source, loc, 6, m, 0)) {
		copy(f->file, sizeof(f->file), loc, &m[1]);
		f->line = m[3].rm_so >= 0 ? (unsigned int)number(loc, &m[3], 10) : 0;
		return 0;
	}
	return fail(p, "frame location '%s' is neither (MODULE+0xOFFSET) nor FILE:LINE", loc);
}

static int parse_frame(struct parser *p, const char *line, const regmatch_t *m)
{
	struct lsan_frame *f;
	char loc[600];

	if (!p->leak)
		return fail(p, "a frame outside a leak");
	if (number(line, &m[1], 10) != p->leak->nr_frames)
		return fail(p, "frame #%" PRIu64 " where #%u was due", number(line, &m[1], 10),
			    p->leak->nr_frames);
	if (p->leak->nr_frames == LSAN_FRAMES_MAX)
		return fail(p, "more than %d frames", LSAN_FRAMES_MAX);
	f = &p->leak->frames[p->leak->nr_frames++];
	memset(f, 0, sizeof(*f));
	f->address = number(line, &m[2], 16);
	copy(f->function, sizeof(f->function), line, &m[4]);
	copy(loc, sizeof(loc), line, &m[5]);
	/* with no function, %F printed nothing: two blanks before the location */
	if (!f->function[0] && loc[0] != ' ')
		return fail(p, "no blank for the empty function");
	return parse_location(p, f, loc);
}

static int parse_line(struct parser *p, const char *line)
{
	regmatch_t m[6];
	struct lsan_report *r = p->r;

	if (!regexec(&p->heading, line, 4, m, 0)) {
		if (r->nr_leaks == LSAN_LEAKS_MAX)
			return fail(p, "more than %d leaks", LSAN_LEAKS_MAX);
		p->leak = &r->leaks[r->nr_leaks++];
		memset(p->leak, 0, sizeof(*p->leak));
		p->leak->direct = line[0] == 'D';
		p->leak->bytes = number(line, &m[2], 10);
		p->leak->objects = number(line, &m[3], 10);
		return 0;
	}
	if (!regexec(&p->frame, line, 6, m, 0))
		return parse_frame(p, line, m);
	if (strstr(line, "leak of ") && strstr(line, "byte(s)"))
		return fail(p, "a heading not in LeakSanitizer's form: '%s'", line);
	if (!regexec(&p->summary, line, 4, m, 0)) {
		r->has_summary = true;
		copy(r->tool, sizeof(r->tool), line, &m[1]);
		r->summary_bytes = number(line, &m[2], 10);
		r->summary_allocations = number(line, &m[3], 10);
	} else if (!strncmp(line, "SUMMARY:", 8)) {
		return fail(p, "a SUMMARY not in LeakSanitizer's form: '%s'", line);
	}
	/* anything else ends the frames of a leak: other text */
	if (p->leak && !p->leak->nr_frames)
		return fail(p, "a leak without frames");
	p->leak = NULL;
	return 0;
}

static int check_sums(struct parser *p)
{
	uint64_t bytes = 0, objects = 0;
	unsigned int i;

	if (!p->r->has_summary)
		return fail(p, "no SUMMARY line");
	for (i = 0; i < p->r->nr_leaks; i++) {
		bytes += p->r->leaks[i].bytes;
		objects += p->r->leaks[i].objects;
	}
	if (bytes != p->r->summary_bytes || objects != p->r->summary_allocations)
		return fail(p, "SUMMARY says %" PRIu64 " byte(s) in %" PRIu64 ", the leaks add up to "
			    "%" PRIu64 " in %" PRIu64, p->r->summary_bytes,
			    p->r->summary_allocations, bytes, objects);
	return 0;
}

int lsan_parse(const char *text, struct lsan_report *r)
{
	struct parser p = { .r = r };
	const char *s = text, *end;
	char line[1024];
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (regcomp(&p.heading, HEADING, REG_EXTENDED) ||
	    regcomp(&p.frame, FRAME, REG_EXTENDED) || regcomp(&p.module, MODULE, REG_EXTENDED) ||
	    regcomp(&p.source, SOURCE, REG_EXTENDED) || regcomp(&p.summary, SUMMARY, REG_EXTENDED)) {
		snprintf(r->error, sizeof(r->error), "regcomp failed");
		return -1;
	}
	while (!ret && *s) {
		end = strchr(s, '\n');
		if (!end)
			end = s + strlen(s);
		snprintf(line, sizeof(line), "%.*s", (int)(end - s), s);
		p.line++;
		ret = parse_line(&p, line);
		s = *end ? end + 1 : end;
	}
	if (!ret && p.leak && !p.leak->nr_frames)
		ret = fail(&p, "a leak without frames");
	if (!ret)
		ret = check_sums(&p);
	regfree(&p.heading);
	regfree(&p.frame);
	regfree(&p.module);
	regfree(&p.source);
	regfree(&p.summary);
	return ret;
}
