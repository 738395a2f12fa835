// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl leaks' text read by a LeakSanitizer reader (tests/common/lsan_parse.c,
 * written to LeakSanitizer's documented format), and suppressions that match
 * as LeakSanitizer's do (sanitizer_common's TemplateMatch).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "leak_report.h"
#include "suppressions.h"
#include "../common/lsan_parse.h"
#include "unit.h"

static struct lsan_report report;

static void set_frame(struct tagctl_frame *f, uint64_t address, const char *function,
		      const char *file, unsigned int line, const char *binary)
{
	memset(f, 0, sizeof(*f));
	f->address = address;
	f->offset = address - 0x1000;
	snprintf(f->function, sizeof(f->function), "%s", function);
	snprintf(f->file, sizeof(f->file), "%s", file);
	f->line = line;
	snprintf(f->binary, sizeof(f->binary), "%s", binary);
}

/* A region leaked by one process, and allocations another held at exit. */
static const struct leak_item items[] = {
	{ .kind = LEAK_REGION, .tgid = 10, .region = 5, .region_name = "ses\tsion cache",
	  .bytes = 65536, .objects = 1, .since_ns = 20, .depth = 1, .stack = { 0x1700 } },
	{ .kind = LEAK_AT_EXIT, .tgid = 11, .bytes = 4096, .objects = 1, .since_ns = 50,
	  .depth = 3, .stack = { 0x1500, 0x1600, 0x1650 } },
	{ .kind = LEAK_STRICT, .tgid = 11, .region = 8, .region_name = "job", .bytes = 384,
	  .objects = 3, .since_ns = 60, .depth = 1, .stack = { 0x1800 } },
};

/* Print the groups of items with frames as tagctl leaks does; returns the text (free it). */
static char *print_report(void)
{
	struct tagctl_frame frames[3][MEMTAG_STACK_MAX];
	struct leak_totals t = { .growing = 0 };
	struct leak_groups g = { 0 };
	char *text = NULL;
	size_t len = 0, i, k;
	FILE *out = open_memstream(&text, &len);

	set_frame(&frames[0][0], 0x1700, "main", "/src/svc.c", 44, "/usr/bin/svc");
	/* inlined into two callers: three frames at one address */
	set_frame(&frames[1][0], 0x1500, "buffer_new", "/src/svc.c", 10, "/usr/bin/svc");
	frames[1][0].nr_inlined = 2;
	snprintf(frames[1][0].inlined[0].function, 128, "handle_request");
	snprintf(frames[1][0].inlined[0].file, 256, "/src/svc.c");
	frames[1][0].inlined[0].line = 29;
	snprintf(frames[1][0].inlined[1].function, 128, "serve");
	/* a symbol table only, then nothing at all, in a rebuilt binary */
	set_frame(&frames[1][1], 0x1600, "worker_loop", "", 0, "/usr/lib/libw.so.1");
	set_frame(&frames[1][2], 0x1650, "", "", 0, "/usr/bin/svc");
	frames[1][2].stale = true;
	set_frame(&frames[2][0], 0x1800, "", "", 0, "");
	CU_ASSERT_EQUAL_FATAL(leak_groups_build(items, 3, &g), 0);
	for (i = 0; i < g.count; i++) {
		k = (size_t)(g.groups[i].first - items);
		leak_report_group(out, &g.groups[i], items, frames[k], g.groups[i].first->depth, 90);
	}
	leak_report_add(&t, g.groups, g.count);
	leak_report_summary(out, &t);
	fclose(out);
	leak_groups_free(&g);
	return text;
}

static const struct lsan_leak *leak_of(uint64_t bytes)
{
	unsigned int i;

	for (i = 0; i < report.nr_leaks; i++)
		if (report.leaks[i].bytes == bytes)
			return &report.leaks[i];
	return NULL;
}

static void test_parses_as_leaksanitizer(void)
{
	char *text = print_report();
	const struct lsan_leak *l;

	CU_ASSERT_EQUAL(lsan_parse(text, &report), 0);
	if (report.error[0])
		fprintf(stderr, "\n%s\n%s", report.error, text);
	CU_ASSERT_EQUAL(report.nr_leaks, 3);
	CU_ASSERT_STRING_EQUAL(report.tool, "memtag");
	/* the SUMMARY adds up the headings, regions included, as LeakSanitizer's does */
	CU_ASSERT_EQUAL(report.summary_bytes, 65536 + 4096 + 384);
	CU_ASSERT_EQUAL(report.summary_allocations, 1 + 1 + 3);
	l = leak_of(4096);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_TRUE(l->direct);
	CU_ASSERT_EQUAL(l->objects, 1);
	/* inlined callers are frames of their own, at the same address */
	CU_ASSERT_EQUAL_FATAL(l->nr_frames, 5);
	CU_ASSERT_STRING_EQUAL(l->frames[0].function, "buffer_new");
	CU_ASSERT_STRING_EQUAL(l->frames[0].file, "/src/svc.c");
	CU_ASSERT_EQUAL(l->frames[0].line, 10);
	CU_ASSERT_STRING_EQUAL(l->frames[1].function, "handle_request");
	CU_ASSERT_EQUAL(l->frames[1].line, 29);
	CU_ASSERT_EQUAL(l->frames[1].address, 0x1500);
	CU_ASSERT_STRING_EQUAL(l->frames[2].function, "serve");
	CU_ASSERT_STRING_EQUAL(l->frames[3].function, "worker_loop");
	CU_ASSERT_STRING_EQUAL(l->frames[3].module, "/usr/lib/libw.so.1");
	CU_ASSERT_EQUAL(l->frames[3].offset, 0x600);
	CU_ASSERT_STRING_EQUAL(l->frames[4].function, "");
	CU_ASSERT_STRING_EQUAL(l->frames[4].module, "/usr/bin/svc");
	CU_ASSERT_EQUAL(l->frames[4].address, 0x1650);
	l = leak_of(384);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_STRING_EQUAL(l->frames[0].module, "<unknown module>");
	l = leak_of(65536);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_STRING_EQUAL(l->frames[0].function, "main");
	/* memtag's facts are lines of their own, names escaped */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  memtag: region-leaked: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  memtag: from region 5 'ses\\x09sion cache' (pid 10)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  memtag: allocations-at-exit: in use when its "
					    "process exited, oldest 0.0s ago\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  memtag: frame #4: /usr/bin/svc on disk is another "
					    "build than the process ran\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nSUMMARY: memtag: 70016 byte(s) leaked in "
					    "5 allocation(s).\n"));
	free(text);
}

/* The reader itself refuses what LeakSanitizer would not print. */
static void test_reader_is_strict(void)
{
	CU_ASSERT_EQUAL(lsan_parse("Direct leak of 7 byte(s) in 1 object(s) allocated from:\n"
				   "    #0 0x4af01b in malloc /x/asan_malloc_linux.cc:52:3\n"
				   "    #1 0x4da26a in main memory-leak.c:4:7\n"
				   "    #2 0x7f07  (/lib/libc.so.6+0x21ec4)\n\n"
				   "SUMMARY: AddressSanitizer: 7 byte(s) leaked in 1 allocation(s).\n",
				   &report), 0);
	CU_ASSERT_EQUAL(report.leaks[0].frames[1].line, 4);
	CU_ASSERT_STRING_EQUAL(report.leaks[0].frames[2].module, "/lib/libc.so.6");
	/* the old memtag heading, frames out of order, a sum that is off */
	CU_ASSERT_EQUAL(lsan_parse("Direct leak (in use when its process exited) of 7 byte(s) in "
				   "1 object(s), oldest 1.0s ago, allocated from:\n"
				   "    #0 0x1 in f a.c:1\n\n"
				   "SUMMARY: memtag: 7 byte(s) leaked in 1 allocation(s).\n",
				   &report), -1);
	CU_ASSERT_EQUAL(lsan_parse("Direct leak of 7 byte(s) in 1 object(s) allocated from:\n"
				   "    #1 0x1 in f a.c:1\n\n"
				   "SUMMARY: memtag: 7 byte(s) leaked in 1 allocation(s).\n",
				   &report), -1);
	CU_ASSERT_EQUAL(lsan_parse("Direct leak of 7 byte(s) in 1 object(s) allocated from:\n"
				   "    #0 0x1 in f a.c:1 (/bin/a+0x1)\n\n"
				   "SUMMARY: memtag: 7 byte(s) leaked in 1 allocation(s).\n",
				   &report), -1);
	CU_ASSERT_EQUAL(lsan_parse("Direct leak of 7 byte(s) in 1 object(s) allocated from:\n"
				   "    #0 0x1 in f a.c:1\n\n"
				   "SUMMARY: memtag: 8 byte(s) leaked in 1 allocation(s).\n",
				   &report), -1);
}

#define MATCH(t, s) suppression_template_match(t, s)

static void test_template_match(void)
{
	/* a substring of the function, file or module, as LeakSanitizer's */
	CU_ASSERT_TRUE(MATCH("libGL.so", "/usr/lib/x86_64-linux-gnu/libGL.so.1.7.0"));
	CU_ASSERT_TRUE(MATCH("cache_entry", "order_cache_entry_new"));
	CU_ASSERT_FALSE(MATCH("cache_entry_newer", "cache_entry_new"));
	/* '*' is any text, '/' included; pieces in order */
	CU_ASSERT_TRUE(MATCH("vendor_*_init", "libvendor_gfx_init_all"));
	CU_ASSERT_TRUE(MATCH("/usr/*/libfoo", "/usr/lib/x/libfoo.so"));
	CU_ASSERT_FALSE(MATCH("init*vendor_", "libvendor_gfx_init"));
	CU_ASSERT_TRUE(MATCH("*", "x"));
	/* anchors */
	CU_ASSERT_TRUE(MATCH("^cache", "cache_fill"));
	CU_ASSERT_FALSE(MATCH("^cache", "order_cache_fill"));
	CU_ASSERT_TRUE(MATCH("fill$", "order_cache_fill"));
	CU_ASSERT_FALSE(MATCH("fill$", "fill_cache"));
	CU_ASSERT_TRUE(MATCH("^cache_fill$", "cache_fill"));
	CU_ASSERT_FALSE(MATCH("^cache_fill$", "cache_fill2"));
	CU_ASSERT_TRUE(MATCH("^cache*$", "cache_fill"));
	CU_ASSERT_TRUE(MATCH("^*fill", "cache_fill"));
	/* LeakSanitizer's rule: a piece is taken at its first place */
	CU_ASSERT_FALSE(MATCH("foo$", "foofoo"));
	CU_ASSERT_FALSE(MATCH("*foo$", "foofoo"));
	CU_ASSERT_TRUE(MATCH("foo$", "barfoo"));
	/* nothing else is special: fnmatch's '?' and '[' are letters */
	CU_ASSERT_FALSE(MATCH("cache_?ill", "cache_fill"));
	CU_ASSERT_TRUE(MATCH("a[1]", "x a[1] y"));
	CU_ASSERT_FALSE(MATCH("a[1]", "a1"));
	/* an empty subject (a frame that did not symbolize) matches nothing */
	CU_ASSERT_FALSE(MATCH("*", ""));
	CU_ASSERT_FALSE(MATCH("", ""));
	CU_ASSERT_TRUE(MATCH("", "x"));
}

static void test_suppression_file_matches_module(void)
{
	const char *frame[] = { "request", "0x7f00", "allocations-at-exit", "gl_alloc",
				"/build/mesa/gl.c", "/usr/lib/x86_64-linux-gnu/libGL.so.1" };
	const char *other[] = { "request", "0x7f00", "allocations-at-exit", "main",
				"/src/svc.c", "/usr/bin/svc" };
	struct suppressions s = { 0 };
	char err[128];

	CU_ASSERT_EQUAL(suppressions_add_line(&s, "leak:libGL.so\n", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(suppressions_match(&s, TAGCTL_LEAK, frame, 6));
	CU_ASSERT_PTR_NULL(suppressions_match(&s, TAGCTL_LEAK, other, 6));
	CU_ASSERT_PTR_NULL(suppressions_match(&s, TAGCTL_ESCAPE, frame, 6));
	suppressions_free(&s);
}

int add_leak_report_suite(void)
{
	static const struct test_case tests[] = {
		{ "leaks text parses as LeakSanitizer's report", test_parses_as_leaksanitizer },
		{ "the LeakSanitizer reader refuses other forms", test_reader_is_strict },
		{ "suppression patterns match as TemplateMatch", test_template_match },
		{ "leak:libGL.so matches the module path", test_suppression_file_matches_module },
		{ NULL, NULL },
	};

	return add_suite("leak report", tests);
}
