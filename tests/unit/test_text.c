// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl's escaping of other users' text for the terminal. */
#include <string.h>
#include "text.h"
#include "unit.h"

static const char *esc(const char *s)
{
	static char out[256];

	return tagctl_escape(s, out, sizeof(out));
}

static void test_plain_kept(void)
{
	CU_ASSERT_STRING_EQUAL(esc("http-request 42"), "http-request 42");
	CU_ASSERT_STRING_EQUAL(esc(""), "");
	/* printable UTF-8 stays as it is */
	CU_ASSERT_STRING_EQUAL(esc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
			       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

static void test_controls_escaped(void)
{
	/* an ANSI sequence that would clear root's screen */
	CU_ASSERT_STRING_EQUAL(esc("x\x1b[2Jy"), "x\\x1b[2Jy");
	CU_ASSERT_STRING_EQUAL(esc("a\nb\rc\td\x7f"), "a\\x0ab\\x0dc\\x09d\\x7f");
	/* C1 controls: 8-bit CSI raw and as UTF-8 U+009B */
	CU_ASSERT_STRING_EQUAL(esc("\x9b" "31m"), "\\x9b31m");
	CU_ASSERT_STRING_EQUAL(esc("\xc2\x9b" "31m"), "\\xc2\\x9b31m");
	/* the escape character itself, so that output is unambiguous */
	CU_ASSERT_STRING_EQUAL(esc("a\\x1b"), "a\\\\x1b");
}

static void test_invalid_utf8_escaped(void)
{
	CU_ASSERT_STRING_EQUAL(esc("\xc3"), "\\xc3");	/* cut short */
	CU_ASSERT_STRING_EQUAL(esc("\xc0\xaf"), "\\xc0\\xaf");	/* overlong */
	CU_ASSERT_STRING_EQUAL(esc("\xed\xa0\x80"), "\\xed\\xa0\\x80");	/* surrogate */
	CU_ASSERT_STRING_EQUAL(esc("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");	/* > U+10FFFF */
}

static const char *dump(const char *s)
{
	static char out[256];

	return tagctl_dump_escape(s, out, sizeof(out));
}

static void test_dump_fields(void)
{
	/* one word per field, whatever the name holds */
	CU_ASSERT_STRING_EQUAL(dump("http request"), "http\\x20request");
	CU_ASSERT_STRING_EQUAL(dump("a\tb\nc"), "a\\x09b\\x0ac");
	CU_ASSERT_STRING_EQUAL(dump("a\\b"), "a\\\\b");
	CU_ASSERT_STRING_EQUAL(dump("caf\xc3\xa9"), "caf\xc3\xa9");
	/* an empty field is "-", and "-" itself is told apart from it */
	CU_ASSERT_STRING_EQUAL(dump(""), "-");
	CU_ASSERT_STRING_EQUAL(dump("-"), "\\x2d");
	CU_ASSERT_STRING_EQUAL(dump("--x"), "--x");
	CU_ASSERT_STRING_EQUAL(tagctl_dump_text(NULL), "-");
	CU_ASSERT_PTR_NULL(strpbrk(dump(" \t\n\r\v\f"), " \t\n\r\v\f"));
}

static void test_bounded(void)
{
	char out[8];

	/* never past the buffer, never half an escape */
	CU_ASSERT_STRING_EQUAL(tagctl_escape("abcdefghij", out, sizeof(out)), "abcdefg");
	CU_ASSERT_STRING_EQUAL(tagctl_escape("abcde\x1b", out, sizeof(out)), "abcde");
	CU_ASSERT_STRING_EQUAL(tagctl_escape("ab\x1b", out, sizeof(out)), "ab\\x1b");
	CU_ASSERT_STRING_EQUAL(tagctl_text(NULL), "");
	/* rotating buffers: several in one printf stay distinct */
	CU_ASSERT_STRING_NOT_EQUAL(tagctl_text("one"), tagctl_text("two"));
}

int add_text_suite(void)
{
	static const struct test_case cases[] = {
		{ "plain text and printable UTF-8 kept", test_plain_kept },
		{ "control characters escaped", test_controls_escaped },
		{ "invalid UTF-8 escaped", test_invalid_utf8_escaped },
		{ "bounded, never half an escape", test_bounded },
		{ "dump fields: one word, '-' for empty", test_dump_fields },
		{ NULL, NULL },
	};

	return add_suite("text", cases);
}
