/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MEMTAG_UNIT_H
#define MEMTAG_UNIT_H

#include <stdint.h>
#include "../common/cunit_run.h"

int add_extack_suite(void);
int add_status_suite(void);
int add_options_suite(void);
int add_chunk_suite(void);
int add_suppressions_suite(void);
int add_region_view_suite(void);
int add_scan_suite(void);
int add_symbolize_suite(void);
int add_leak_groups_suite(void);
int add_export_suite(void);
int add_alloc_suite(void);
int add_api_suite(void);
/* test_alloc.c, for the suites on anonymous memory: the fixture, violations so far */
int alloc_suite_init(void);
uint64_t violations(void);
int add_text_suite(void);
int add_syscount_suite(void);
int add_tagctl_args_suite(void);
int add_leak_report_suite(void);
int add_window_suite(void);

#endif
