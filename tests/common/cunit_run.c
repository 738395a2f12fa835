// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
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

/* Tests that called test_skip(), printed after the run. */
struct skip {
	char suite[96];
	char test[160];
	char reason[160];
};

static struct skip *skips;
static unsigned int nskips, skips_lost;

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

void test_skip(const char *reason)
{
	CU_pSuite suite = CU_get_current_suite();
	CU_pTest test = CU_get_current_test();
	struct skip *grown = realloc(skips, (nskips + 1) * sizeof(*skips));

	printf("skipped: %s ", reason);
	if (!grown) {
		/* still a skip, not a pass: the run fails below */
		skips_lost++;
		return;
	}
	skips = grown;
	snprintf(skips[nskips].suite, sizeof(skips->suite), "%s", suite ? suite->pName : "?");
	snprintf(skips[nskips].test, sizeof(skips->test), "%s", test ? test->pName : "?");
	snprintf(skips[nskips].reason, sizeof(skips->reason), "%s", reason);
	nskips++;
}

/*
 * Harness self-test (tests/qemu/harness-selftest.sh): MEMTAG_SELFTEST_CUNIT
 * replaces the real suites by a tiny one that is broken on purpose, so
 * that the run must fail for that reason alone.
 */
static void selftest_passes(void)
{
	CU_PASS("the harness self-test's passing test");
}

static void selftest_skips(void)
{
	TEST_SKIP("the harness self-test's skipped test");
}

static int selftest_init_fails(void)
{
	return -1;
}

static int add_selftest_suites(const char *which)
{
	static const struct test_case cases[] = {
		{ "a test that passes", selftest_passes },
		{ "a test that skips", selftest_skips },
		{ NULL, NULL },
	};
	static const struct test_case lone[] = {
		{ "a test in a suite whose set-up fails", selftest_passes },
		{ NULL, NULL },
	};
	CU_pTest test;
	int ret = add_suite("selftest", cases);

	if (ret || !strcmp(which, "pass"))
		return ret;
	if (!strcmp(which, "suite-init"))
		return add_suite_fixture("selftest-init", selftest_init_fails, NULL, lone);
	if (!strcmp(which, "test-not-run")) {
		/* registered, then switched off: CUnit counts no failure for it */
		test = CU_get_test(CU_get_suite("selftest"), "a test that passes");
		return test ? CU_set_test_active(test, CU_FALSE) : CUE_NOTEST;
	}
	printf("MEMTAG_SELFTEST_CUNIT=%s: not pass, suite-init or test-not-run\n", which);
	return CUE_NOTEST;
}

/* One line for the harness (tests/qemu/run.sh) and people; 1 if the run failed. */
static int report(void)
{
	const CU_RunSummary *sum = CU_get_run_summary();
	unsigned int registered = CU_get_registry()->uiNumberOfTests, i;
	unsigned int failed = sum->nTestsFailed, passed;

	for (i = 0; i < nskips; i++)
		printf("MEMTAG-SKIP %s/%s: %s\n", skips[i].suite, skips[i].test, skips[i].reason);
	passed = sum->nTestsRun - failed > nskips ? sum->nTestsRun - failed - nskips : 0;
	printf("MEMTAG-CUNIT registered=%u run=%u passed=%u failed=%u skipped=%u "
	       "asserts_failed=%u suites_failed=%u inactive=%u\n",
	       registered, sum->nTestsRun, passed, failed, nskips, sum->nAssertsFailed,
	       sum->nSuitesFailed, sum->nTestsInactive + sum->nSuitesInactive);
	if (sum->nSuitesFailed)
		printf("MEMTAG-CUNIT-FAIL: %u suite(s) failed their set-up or tear-down\n",
		       sum->nSuitesFailed);
	if (sum->nTestsRun != registered)
		printf("MEMTAG-CUNIT-FAIL: %u registered test(s) did not run\n",
		       registered - sum->nTestsRun);
	if (skips_lost)
		printf("MEMTAG-CUNIT-FAIL: %u skip(s) could not be recorded\n", skips_lost);
	return failed || sum->nAssertsFailed || sum->nSuitesFailed || skips_lost ||
	       sum->nTestsRun != registered;
}

int run_suites(int (*add_suites)(void))
{
	const char *selftest = getenv("MEMTAG_SELFTEST_CUNIT");
	int failed;
	CU_ErrorCode err;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (selftest && *selftest ? add_selftest_suites(selftest) : add_suites()) {
		CU_cleanup_registry();
		return 2;
	}
	select_suites();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	/* a failed set-up or an inactive test is an error here, counted below */
	err = CU_basic_run_tests();
	failed = report();
	if (err != CUE_SUCCESS) {
		printf("MEMTAG-CUNIT-FAIL: CUnit: %s\n", CU_get_error_msg());
		failed = 1;
	}
	CU_cleanup_registry();
	free(skips);
	return failed;
}
