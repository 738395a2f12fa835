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
/* Register with add_suites, run verbosely; 0 when all passed, 1 or 2 else. */
int run_suites(int (*add_suites)(void));

#endif
