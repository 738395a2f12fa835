// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl check's classes and suppression files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "suppressions.h"
#include "unit.h"

static void test_classes(void)
{
	char err[128];

	CU_ASSERT_EQUAL(tagctl_class_of(MEMTAG_EVENT_USE_AFTER_END), TAGCTL_ESCAPE);
	CU_ASSERT_EQUAL(tagctl_class_of(MEMTAG_EVENT_STALE_AFTER_RESET), TAGCTL_ESCAPE);
	CU_ASSERT_EQUAL(tagctl_class_of(MEMTAG_EVENT_REGION_LEAKED), TAGCTL_LEAK);
	CU_ASSERT_EQUAL(tagctl_class_of(MEMTAG_EVENT_ALLOCS_LEAKED), TAGCTL_LEAK);
	CU_ASSERT_EQUAL(tagctl_class_of(MEMTAG_EVENT_DOUBLE_FREE), TAGCTL_MISUSE);
	CU_ASSERT_EQUAL(tagctl_parse_classes("leak,misuse", err, sizeof(err)),
			TAGCTL_LEAK | TAGCTL_MISUSE);
	CU_ASSERT_EQUAL(tagctl_parse_classes("escape", err, sizeof(err)), TAGCTL_ESCAPE);
	CU_ASSERT_EQUAL(tagctl_parse_classes("leaks", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown class 'leaks'"));
	CU_ASSERT_EQUAL(tagctl_parse_classes("", err, sizeof(err)), 0);
}

static void test_match_and_count(void)
{
	struct suppressions s = { 0 };
	const char *leak[] = { "session-cache", "0x1234", "region-leaked" };
	const char *other[] = { "request", "0x99", "region-leaked" };
	char err[128];

	CU_ASSERT_EQUAL(suppressions_add_line(&s, "# third-party caches\n", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(suppressions_add_line(&s, "  leak:session-*  \n", err, sizeof(err)), 0);
	/* blanks around the colon belong to neither side */
	CU_ASSERT_EQUAL(suppressions_add_line(&s, "misuse : double-free", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.count, 2);
	CU_ASSERT_STRING_EQUAL(s.items[1].pattern, "double-free");
	CU_ASSERT_PTR_NOT_NULL(suppressions_match(&s, TAGCTL_LEAK, leak, 3));
	CU_ASSERT_PTR_NOT_NULL(suppressions_match(&s, TAGCTL_LEAK, leak, 3));
	CU_ASSERT_EQUAL(s.items[0].hits, 2);
	/* a pattern must not match what it does not name, nor another class */
	CU_ASSERT_PTR_NULL(suppressions_match(&s, TAGCTL_LEAK, other, 3));
	CU_ASSERT_PTR_NULL(suppressions_match(&s, TAGCTL_ESCAPE, leak, 3));
	CU_ASSERT_EQUAL(s.items[1].hits, 0);
	suppressions_free(&s);
}

static void test_bad_lines(void)
{
	struct suppressions s = { 0 };
	char err[128];

	CU_ASSERT_EQUAL(suppressions_add_line(&s, "leak", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not CLASS:PATTERN"));
	CU_ASSERT_EQUAL(suppressions_add_line(&s, "bug:x", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(suppressions_add_line(&s, "leak,escape:x", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(s.count, 0);
}

static void test_file_errors_name_the_line(void)
{
	char path[] = "/tmp/memtag-supp-XXXXXX", err[256];
	struct suppressions s = { 0 };
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("leak:a*\n\nescape:\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(suppressions_load(path, &s, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":3: "));
	CU_ASSERT_EQUAL(suppressions_load("/nonexistent/supp", &s, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
	unlink(path);
	suppressions_free(&s);
}

int add_suppressions_suite(void)
{
	static const struct test_case tests[] = {
		{ "event kinds fall in leak, escape, misuse", test_classes },
		{ "suppressions match their class and count hits", test_match_and_count },
		{ "bad suppression lines are refused", test_bad_lines },
		{ "file errors name the line", test_file_errors_name_the_line },
		{ NULL, NULL },
	};

	return add_suite("suppressions", tests);
}
