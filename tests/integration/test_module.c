// SPDX-License-Identifier: GPL-2.0-or-later
/* Loading, parameters, modinfo and unloading of memtag.ko via kmod. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "memtag.h"
#include "itest.h"
#include "../../kmod/version.h"

static char out[4096];

static int module_loaded(void)
{
	return access("/sys/module/memtag", F_OK) == 0;
}

static void test_tagctl_says_module_missing(void)
{
	static const char *const commands[] = {
		"", "regions", "events", "escapes", "violations", "leaks", "monitor", "check",
		"scan", "export --format folded", "export --format pprof -o /tmp/x.pb.gz",
		"stats", "top", "leaks --pid 1", "check --fail-on leak", "segments",
		"regions --dump", "events --since 0",
	};
	size_t i;

	CU_ASSERT_FALSE_FATAL(module_loaded());
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl status"), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "not loaded"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "modprobe memtag"));
	/* every command, not status alone (export and top as scripts run them) */
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl %s", commands[i]), 3);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "module is not loaded"));
		if (!strstr(out, "module is not loaded"))
			fprintf(stderr, "tagctl %s said: %s\n", commands[i], out);
	}
}

static void test_library_says_module_missing(void)
{
	struct memtag_client *client = (void *)1;

	CU_ASSERT_EQUAL(memtag_client_open(&client), -ENOENT);
	CU_ASSERT_PTR_NULL(client);
}

static void test_fallback_without_module(void)
{
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "memtag-scenario fallback"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "created=1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "freed=1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "memtag module is not loaded"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "MEMTAG_REQUIRE=1 memtag-scenario fallback"), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "MEMTAG_REQUIRE=1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "created=0"));
}

static void test_modinfo_fields(void)
{
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "modinfo -F version memtag"), 0);
	CU_ASSERT_STRING_EQUAL(out, MEMTAG_VERSION "\n");
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "modinfo -F license memtag"), 0);
	CU_ASSERT_STRING_EQUAL(out, "GPL\n");
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "modinfo -F description memtag"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "regions"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "modinfo -F parm memtag"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "backend:"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "modinfo -F filename memtag"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/extra/memtag.ko"));
}

static void test_bad_backend_parameter_refused(void)
{
	CU_ASSERT_NOT_EQUAL(itest_run(out, sizeof(out), "modprobe memtag backend=bogus"), 0);
	CU_ASSERT_FALSE(module_loaded());
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "dmesg | tail -n 5"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown backend 'bogus'"));
}

static void test_backend_mte_needs_mte(void)
{
	int ret = itest_run(out, sizeof(out), "modprobe memtag backend=mte");

	if (!strcmp(itest_expected_backend(), "mte")) {
		CU_ASSERT_EQUAL(ret, 0);
		CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "modprobe -r memtag"), 0);
	} else {
		CU_ASSERT_NOT_EQUAL(ret, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "No such device"));
	}
	CU_ASSERT_FALSE(module_loaded());
}

static void test_forced_software_backend(void)
{
	struct memtag_client *client;
	struct memtag_status st;

	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "modprobe memtag backend=software"), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL(memtag_status_get(client, &st), 0);
	CU_ASSERT_EQUAL(st.backend, MEMTAG_BACKEND_SOFTWARE);
	CU_ASSERT_TRUE(st.backend_forced);
	memtag_client_close(client);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "modprobe -r memtag"), 0);
}

static void test_load(void)
{
	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "modprobe memtag"), 0);
	CU_ASSERT_TRUE(module_loaded());
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "lsmod"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "memtag"));
}

static void test_unload(void)
{
	struct memtag_client *client;

	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "modprobe -r memtag"), 0);
	CU_ASSERT_FALSE(module_loaded());
	CU_ASSERT_EQUAL(memtag_client_open(&client), -ENOENT);
}

static const struct test_case unloaded_cases[] = {
	{ "tagctl says the module is not loaded (exit 3)", test_tagctl_says_module_missing },
	{ "library returns -ENOENT without the module", test_library_says_module_missing },
	{ "regions fall back to malloc without the module", test_fallback_without_module },
	{ "modinfo shows version, license, description, parameters", test_modinfo_fields },
	{ "backend=bogus is refused at load", test_bad_backend_parameter_refused },
	{ "backend=mte loads only with MTE", test_backend_mte_needs_mte },
	{ "backend=software forces the software backend", test_forced_software_backend },
	{ "modprobe memtag loads the module", test_load },
	{ NULL, NULL },
};

static const struct test_case unload_cases[] = {
	{ "modprobe -r memtag unloads cleanly", test_unload },
	{ NULL, NULL },
};


int itest_add_module_suites(void)
{
	return add_suite("module", unloaded_cases);
}

int itest_add_unload_suite(void)
{
	return add_suite("unload", unload_cases);
}
