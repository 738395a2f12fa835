/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MEMTAG_ITEST_H
#define MEMTAG_ITEST_H

#include <stddef.h>
#include <stdint.h>
#include "../common/cunit_run.h"

/* The backend this guest must report: "mte" or "software". */
const char *itest_expected_backend(void);
/* Run a shell command; its stdout and stderr go to out. Returns the exit code. */
int itest_run(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The number after "key=" at the start of a line of out; a test failure if none. */
unsigned long long itest_value(const char *out, const char *key);

/* Write a module parameter (/sys/module/memtag/parameters/name); 0 or -errno. */
int itest_write_param(const char *name, unsigned long value);
/* A module parameter's value; 0 if it cannot be read. */
unsigned long itest_read_param(const char *name);

struct memtag_client;
/* The state the module lists segment id of tgid (0: any) in; -1: not listed, -2: no list. */
int itest_segment_state(struct memtag_client *c, uint32_t tgid, uint32_t id);

int itest_add_module_suites(void);
int itest_add_status_suites(void);
int itest_add_unload_suite(void);
int itest_add_region_suite(void);
int itest_add_alloc_suite(void);
int itest_add_api_suite(void);
int itest_add_software_on_mte_suite(void);
int itest_add_tagctl_suite(void);
int itest_add_scale_suite(void);
int itest_add_scan_suite(void);
int itest_add_reports_suite(void);
int itest_add_export_suite(void);
int itest_add_profile_suite(void);
int itest_add_security_suite(void);
int itest_add_host_suite(void);
int itest_add_fuzz_suite(void);
int itest_add_syscalls_suite(void);
int itest_add_stress_suite(void);

#endif
