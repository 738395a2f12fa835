/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MEMTAG_UNIT_H
#define MEMTAG_UNIT_H

#include <CUnit/CUnit.h>

struct unit_test {
	const char *name;
	CU_TestFunc fn;
};

/* Each suite file defines one of these. */
int add_extack_suite(void);
int add_status_suite(void);

/* Register a suite from a NULL-terminated table; 0 or a CUnit error. */
int add_suite(const char *name, const struct unit_test *tests);

#endif
