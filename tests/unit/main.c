// SPDX-License-Identifier: GPL-2.0-or-later
/* Host unit tests: pure logic of libmemtag, no kernel needed. */
#include "unit.h"

static int add_suites(void)
{
	return add_alloc_suite() || add_api_suite() || add_extack_suite() || add_status_suite() || add_options_suite() ||
	       add_chunk_suite() || add_suppressions_suite() || add_region_view_suite() ||
	       add_symbolize_suite() || add_leak_groups_suite() ||
	       add_scan_suite() || add_export_suite() || add_text_suite() ||
	       add_syscount_suite() || add_tagctl_args_suite() || add_leak_report_suite() ||
	       add_window_suite();
}

int main(void)
{
	return run_suites(add_suites);
}
