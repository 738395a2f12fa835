// SPDX-License-Identifier: GPL-2.0-or-later
/* Host unit tests: pure logic of libmemtag, no kernel needed. */
#include <CUnit/Basic.h>
#include "unit.h"

int add_suite(const char *name, const struct unit_test *tests)
{
	CU_pSuite suite = CU_add_suite(name, NULL, NULL);

	if (!suite)
		return CU_get_error();
	for (; tests->name; tests++)
		if (!CU_add_test(suite, tests->name, tests->fn))
			return CU_get_error();
	return 0;
}

int main(void)
{
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (add_extack_suite() || add_status_suite()) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
