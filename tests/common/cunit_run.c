// SPDX-License-Identifier: GPL-2.0-or-later
#include <CUnit/Basic.h>
#include "cunit_run.h"

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
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
