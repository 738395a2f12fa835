// SPDX-License-Identifier: GPL-2.0-or-later
/* MEMTAG_OPTIONS parsing. */
#include <errno.h>
#include <string.h>
#include "options.h"
#include "unit.h"

static struct tag_options opts;
static char err[256];

static void test_defaults(void)
{
	CU_ASSERT_EQUAL(tag_options_parse(&opts, NULL, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(opts.halt_on_error);
	CU_ASSERT_EQUAL(opts.mte_mode, TAG_MTE_SYNC);
	CU_ASSERT_EQUAL(opts.quarantine_bytes, 256UL << 20);
	CU_ASSERT_EQUAL(tag_options_parse(&opts, "", err, sizeof(err)), 0);
	CU_ASSERT_TRUE(opts.halt_on_error);
}

static void test_several_options(void)
{
	CU_ASSERT_EQUAL(tag_options_parse(&opts, "halt_on_error=0:mte_mode=async,quarantine_mb=8",
					  err, sizeof(err)), 0);
	CU_ASSERT_FALSE(opts.halt_on_error);
	CU_ASSERT_EQUAL(opts.mte_mode, TAG_MTE_ASYNC);
	CU_ASSERT_EQUAL(opts.quarantine_bytes, 8UL << 20);
	CU_ASSERT_EQUAL(tag_options_parse(&opts, "mte_mode=asymm:stack_depth=8:verbose=false",
					  err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(opts.mte_mode, TAG_MTE_ASYMM);
	CU_ASSERT_EQUAL(opts.stack_depth, 8);
	CU_ASSERT_FALSE(opts.verbose);
}

static void test_errors_say_what(void)
{
	CU_ASSERT_EQUAL(tag_options_parse(&opts, "halt_on_eror=0", err, sizeof(err)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown option 'halt_on_eror'"));
	CU_ASSERT_EQUAL(tag_options_parse(&opts, "halt_on_error=maybe", err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad value 'maybe' for halt_on_error"));
	CU_ASSERT_EQUAL(tag_options_parse(&opts, "quarantine_mb=-1", err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(tag_options_parse(&opts, "stack_depth=0", err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(tag_options_parse(&opts, "stack_depth=65", err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(tag_options_parse(&opts, "verbose", err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not key=value"));
}

static void test_too_long(void)
{
	char spec[600];

	memset(spec, 'a', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = '\0';
	CU_ASSERT_EQUAL(tag_options_parse(&opts, spec, err, sizeof(err)), -E2BIG);
}

int add_options_suite(void)
{
	static const struct test_case tests[] = {
		{ "defaults", test_defaults },
		{ "several options, both separators", test_several_options },
		{ "errors name the option and value", test_errors_say_what },
		{ "overlong MEMTAG_OPTIONS refused", test_too_long },
		{ NULL, NULL },
	};

	return add_suite("options", tests);
}
