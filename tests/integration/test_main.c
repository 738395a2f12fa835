// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Integration tests, run as root inside a QEMU guest with memtag.ko
 * installed but not loaded. Suites run in order and load/unload the module.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "client.h"
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
	/* drain the rest: a writer cut off by SIGPIPE would change the exit code */
	while (fgetc(p) != EOF)
		;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

unsigned long long itest_value(const char *out, const char *key)
{
	char pattern[64];
	const char *at;

	snprintf(pattern, sizeof(pattern), "%s=", key);
	for (at = out; (at = strstr(at, pattern)); at++)
		if (at == out || at[-1] == '\n')
			return strtoull(at + strlen(pattern), NULL, 10);
	CU_FAIL("scenario output lacks a key");
	return 0;
}

int itest_write_param(const char *name, unsigned long value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/memtag/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%lu\n", value);
	return fclose(f) ? -errno : 0;
}

unsigned long itest_read_param(const char *name)
{
	unsigned long n = 0;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/memtag/parameters/%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

int itest_segment_state(struct memtag_client *c, uint32_t tgid, uint32_t id)
{
	struct memtag_segment_record *all;
	size_t n, i;
	int state = -1;

	if (memtag_segment_list(c, tgid, &all, &n))
		return -2;
	for (i = 0; i < n; i++)
		if (all[i].id == id)
			state = (int)all[i].state;
	free(all);
	return state;
}

/* make stress (tests/stress/guest-stress.sh): the fuzzers, larger, and the stress suite. */
static int add_stress_suites(void)
{
	return itest_add_stress_suite() || itest_add_fuzz_suite();
}

static int add_suites(void)
{
	return itest_add_module_suites() || itest_add_status_suites() ||
	       itest_add_region_suite() || itest_add_alloc_suite() || itest_add_api_suite() ||
	       itest_add_profile_suite() ||
	       itest_add_tagctl_suite() || itest_add_reports_suite() ||
	       itest_add_export_suite() || itest_add_scale_suite() ||
	       itest_add_scan_suite() || itest_add_security_suite() ||
	       itest_add_host_suite() ||
	       itest_add_fuzz_suite() || itest_add_syscalls_suite() ||
	       itest_add_software_on_mte_suite() || itest_add_unload_suite();
}

int main(void)
{
	printf("memtag integration tests: expecting backend=%s\n", itest_expected_backend());
	fflush(stdout);
	if (getenv("MEMTAG_STRESS"))
		return run_suites(add_stress_suites);
	return run_suites(add_suites);
}
