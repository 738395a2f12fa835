// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "cunit_run.h"

/* MEMTAG_SUITES=a,b: run only those suites (poking at a guest by hand). */
static void select_suites(void)
{
	const char *only = getenv("MEMTAG_SUITES");
	CU_pSuite suite;
	size_t len;
	const char *at;

	if (!only || !*only)
		return;
	for (suite = CU_get_registry()->pSuite; suite; suite = suite->pNext) {
		len = strlen(suite->pName);
		for (at = strstr(only, suite->pName); at; at = strstr(at + 1, suite->pName))
			if ((at == only || at[-1] == ',') && (at[len] == ',' || !at[len]))
				break;
		CU_set_suite_active(suite, at ? CU_TRUE : CU_FALSE);
	}
}

int add_suite(const char *name, const struct test_case *cases)
{
	return add_suite_fixture(name, NULL, NULL, cases);
}

int add_suite_fixture(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
		      const struct test_case *cases)
{
	CU_pSuite suite = CU_add_suite(name, init, cleanup);

	if (!suite)
		return CU_get_error();
	for (; cases->name; cases++)
		if (!CU_add_test(suite, cases->name, cases->fn))
			return CU_get_error();
	return 0;
}

int run_suites(int (*add_suites)(void))
{
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (add_suites()) {
		CU_cleanup_registry();
		return 2;
	}
	select_suites();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
