// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Integration tests, run as root inside a QEMU guest with memtag.ko
 * installed but not loaded. Suites run in order and load/unload the module.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <CUnit/Basic.h>
#include "itest.h"

const char *itest_expected_backend(void)
{
	const char *b = getenv("MEMTAG_EXPECT_BACKEND");

	return b ? b : "software";
}

int itest_run(char *out, size_t len, const char *fmt, ...)
{
	char cmd[512];
	size_t used = 0, n;
	va_list ap;
	FILE *p;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 8, fmt, ap);
	va_end(ap);
	strcat(cmd, " 2>&1");
	out[0] = '\0';
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (used + 1 < len && (n = fread(out + used, 1, len - used - 1, p)) > 0)
		used += n;
	out[used] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int itest_add_suite(const char *name, const struct itest_case *cases)
{
	CU_pSuite suite = CU_add_suite(name, NULL, NULL);

	if (!suite)
		return CU_get_error();
	for (; cases->name; cases++)
		if (!CU_add_test(suite, cases->name, cases->fn))
			return CU_get_error();
	return 0;
}

int main(void)
{
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (itest_add_module_suites() || itest_add_status_suites()) {
		CU_cleanup_registry();
		return 2;
	}
	printf("memtag integration tests: expecting backend=%s\n", itest_expected_backend());
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
