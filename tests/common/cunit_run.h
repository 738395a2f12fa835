/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Suite tables and the runner shared by the unit and integration tests. */
#ifndef MEMTAG_CUNIT_RUN_H
#define MEMTAG_CUNIT_RUN_H

#include <CUnit/CUnit.h>

struct test_case {
	const char *name;
	CU_TestFunc fn;
};

/* Register a suite from a table ending in { NULL, NULL }; 0 or a CUnit error. */
int add_suite(const char *name, const struct test_case *cases);
/* The same with per-suite set-up and tear-down. */
int add_suite_fixture(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
		      const struct test_case *cases);
/*
 * Register with add_suites, run verbosely, print a MEMTAG-CUNIT line with
 * the counts; 0 only when every registered test ran (or skipped) and
 * nothing failed: no assert, no test, no suite set-up or tear-down.
 */
int run_suites(int (*add_suites)(void));

/*
 * The running test does not apply here: record it as skipped, with the
 * reason, so that it is reported as a skip and not counted as a pass.
 */
void test_skip(const char *reason);
#define TEST_SKIP(reason)           \
	do {                        \
		test_skip(reason);  \
		return;             \
	} while (0)

#endif
