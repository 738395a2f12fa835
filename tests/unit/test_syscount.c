// SPDX-License-Identifier: GPL-2.0-or-later
/* The tracer the guest's system-call test relies on: it must see every call. */
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "../common/syscount.h"
#include "unit.h"

static void three_calls_then_none(void *arg)
{
	(void)arg;
	syscount_begin(0);
	syscall(SYS_getpid);
	syscall(SYS_getpid);
	syscall(SYS_getpid);
	syscount_end(0);
	syscall(SYS_getpid);	/* outside every section: not counted */
	syscount_begin(1);
	syscount_end(1);
	syscount_begin(2);
	syscall(SYS_getuid);
	syscount_end(2);
}

static void test_counts_per_section(void)
{
	struct syscount sc;

	syscount_run(three_calls_then_none, NULL, &sc);
	CU_ASSERT_TRUE_FATAL(sc.status == 0);
	CU_ASSERT_EQUAL(sc.count[0], 3);
	CU_ASSERT_EQUAL(sc.nr[0][0], SYS_getpid);
	CU_ASSERT_EQUAL(sc.nr[0][2], SYS_getpid);
	CU_ASSERT_EQUAL(sc.count[1], 0);
	CU_ASSERT_EQUAL(sc.count[2], 1);
	CU_ASSERT_EQUAL(sc.nr[2][0], SYS_getuid);
	CU_ASSERT_EQUAL(sc.count[3], 0);
}

static void exits_with_7(void *arg)
{
	(void)arg;
	_exit(7);
}

static void test_child_status(void)
{
	struct syscount sc;

	syscount_run(exits_with_7, NULL, &sc);
	CU_ASSERT_TRUE(WIFEXITED(sc.status) && WEXITSTATUS(sc.status) == 7);
}

int add_syscount_suite(void)
{
	static const struct test_case tests[] = {
		{ "system calls counted per section, markers not", test_counts_per_section },
		{ "the child's exit status comes back", test_child_status },
		{ NULL, NULL },
	};

	return add_suite("syscount", tests);
}
