// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl's reports with named sites: leaks (post mortem, strict, growing),
 * escapes and violations with symbolized pc and site, check's suppressions
 * on function, file and binary, stats and top. memtag-scenario commits each
 * case; its binary is at the same path as when it ran, with symbols (-g).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "memtag.h"
#include "itest.h"
#include "../common/lsan_parse.h"

#define SCENARIO_BINARY "/usr/bin/memtag-scenario"

static char out[1 << 20];

static unsigned long long key_of(const char *key)
{
	return itest_value(out, key);
}

/* Run tagctl -j ARGS, expect exit code want, parse what it printed. */
static __attribute__((format(printf, 2, 3))) struct json_object *tagctl_json(int want,
									     const char *fmt, ...)
{
	char args[400];
	struct json_object *root;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -j %s", args), want);
	root = json_tokener_parse(out);
	CU_ASSERT_PTR_NOT_NULL(root);
	return root;
}

/* The member at a dotted path ("site.function", "stack.1.function"), or NULL. */
static struct json_object *at(struct json_object *o, const char *path)
{
	char buf[128], *part, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); o && part; part = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, strtoul(part, NULL, 10));
		else if (!json_object_object_get_ex(o, part, &o))
			o = NULL;
	}
	return o;
}

static const char *str_at(struct json_object *o, const char *path)
{
	struct json_object *v = at(o, path);

	return v ? json_object_get_string(v) : "(missing)";
}

static int64_t int_at(struct json_object *o, const char *path)
{
	struct json_object *v = at(o, path);

	CU_ASSERT_PTR_NOT_NULL(v);
	return v ? json_object_get_int64(v) : -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* The group of a leaks report of kind whose site is in function, or NULL. */
static struct json_object *group_of(struct json_object *report, const char *kind,
				    const char *function)
{
	struct json_object *leaks = at(report, "leaks"), *g;
	size_t i;

	for (i = 0; leaks && i < json_object_array_length(leaks); i++) {
		g = json_object_array_get_idx(leaks, i);
		if (!strcmp(str_at(g, "kind"), kind) && !strcmp(str_at(g, "site.function"), function))
			return g;
	}
	return NULL;
}

/* Is the frame's code in function, itself or inlined into it? */
static bool in_function(struct json_object *frame, const char *function)
{
	struct json_object *callers = at(frame, "inlined_into");
	size_t i;

	if (!strcmp(str_at(frame, "function"), function))
		return true;
	for (i = 0; callers && i < json_object_array_length(callers); i++)
		if (!strcmp(str_at(json_object_array_get_idx(callers, i), "function"), function))
			return true;
	return false;
}

/* A site of the scenario, symbolized to its function, source and binary. */
static void expect_scenario_site(struct json_object *frame, const char *function)
{
	CU_ASSERT_TRUE(in_function(frame, function));
	CU_ASSERT_TRUE(ends_with(str_at(frame, "file"), "scenario.c"));
	CU_ASSERT_TRUE(int_at(frame, "line") > 0);
	CU_ASSERT_STRING_EQUAL(str_at(frame, "binary"), SCENARIO_BINARY);
	/* the ELF offset is the runtime address less the load bias */
	CU_ASSERT_TRUE(int_at(frame, "offset") > 0);
	CU_ASSERT_TRUE(int_at(frame, "offset") <= int_at(frame, "address"));
	CU_ASSERT_FALSE(json_object_get_boolean(at(frame, "stale")));
}

static unsigned long killed_service(const char *options, unsigned long *region)
{
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "MEMTAG_OPTIONS='%s' memtag-scenario "
				  "killed-service", options), 128 + 9);
	*region = key_of("region");
	return key_of("pid");
}

static void test_post_mortem_leaks(void)
{
	static struct lsan_report lsan;
	const struct lsan_frame *f;
	struct json_object *r, *g;
	uint64_t region_bytes;
	char want[128];
	const char *text;
	unsigned int i;
	unsigned long region, pid = killed_service("", &region);

	r = tagctl_json(0, "leaks --pid %lu", pid);
	CU_ASSERT_EQUAL(int_at(r, "summary.items"), 3);
	CU_ASSERT_EQUAL(int_at(r, "summary.leaked_regions"), 1);
	CU_ASSERT_EQUAL(int_at(r, "summary.leaked_allocations"), 5);
	CU_ASSERT_EQUAL(int_at(r, "summary.leaked_allocation_bytes"), 4 * 128 + 4096);
	g = group_of(r, "region-leaked", "killed_service");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	expect_scenario_site(at(g, "site"), "killed_service");
	CU_ASSERT_EQUAL(int_at(g, "count"), 1);
	CU_ASSERT_EQUAL(int_at(g, "from.0.region"), (int64_t)region);
	CU_ASSERT_STRING_EQUAL(str_at(g, "from.0.region_name"), "service-cache");
	/* largest first: the buffer before the cache entries */
	text = json_object_to_json_string(at(r, "leaks"));
	CU_ASSERT_TRUE(strstr(text, "session_buffer_new") && strstr(text, "cache_entry_new") &&
		       strstr(text, "session_buffer_new") < strstr(text, "cache_entry_new"));
	g = group_of(r, "allocations-at-exit", "session_buffer_new");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(int_at(g, "count"), 1);
	CU_ASSERT_EQUAL(int_at(g, "bytes"), 4096);
	expect_scenario_site(at(g, "site"), "session_buffer_new");
	CU_ASSERT_EQUAL(int_at(g, "from.0.pid"), (int64_t)pid);
	CU_ASSERT_STRING_EQUAL(str_at(g, "from.0.comm"), "memtag-scenario");
	g = group_of(r, "allocations-at-exit", "cache_entry_new");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(int_at(g, "count"), 4);
	CU_ASSERT_EQUAL(int_at(g, "bytes"), 512);
	region_bytes = (uint64_t)int_at(r, "summary.leaked_region_bytes");
	json_object_put(r);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl leaks --pid %lu", pid), 0);
	/* LeakSanitizer's headings and SUMMARY (the sum of the headings, the region too) */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Direct leak of 4096 byte(s) in 1 object(s) "
					   "allocated from:\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n  memtag: allocations-at-exit: in use when its "
					   "process exited, oldest "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " in session_buffer_new "));
	snprintf(want, sizeof(want), "\nSUMMARY: memtag: %" PRIu64 " byte(s) leaked in "
		 "6 allocation(s).\n", 4608 + region_bytes);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	/* and a reader written to LeakSanitizer's format reads it */
	CU_ASSERT_EQUAL(lsan_parse(out, &lsan), 0);
	if (lsan.error[0])
		fprintf(stderr, "\n%s\n%s", lsan.error, out);
	CU_ASSERT_EQUAL(lsan.nr_leaks, 3);
	CU_ASSERT_STRING_EQUAL(lsan.tool, "memtag");
	CU_ASSERT_EQUAL(lsan.summary_bytes, 4608 + region_bytes);
	for (i = 0; i < lsan.nr_leaks; i++) {
		f = &lsan.leaks[i].frames[0];
		CU_ASSERT_TRUE(lsan.leaks[i].direct);
		CU_ASSERT_TRUE(ends_with(f->file, "scenario.c") && f->line > 0);
		if (lsan.leaks[i].bytes == 4096)
			CU_ASSERT_STRING_EQUAL(f->function, "session_buffer_new");
	}
}

static void test_leak_stacks(void)
{
	struct json_object *r, *g;
	unsigned long region, pid = killed_service("stack_depth=4", &region);

	r = tagctl_json(0, "leaks --pid %lu", pid);
	g = group_of(r, "allocations-at-exit", "cache_entry_new");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	/*
	 * four frames, as asked: cache_entry_new, killed_service, main and
	 * libc's caller of main; the call chain is deeper (libc, _start)
	 */
	CU_ASSERT_EQUAL(json_object_array_length(at(g, "stack")), 4);
	expect_scenario_site(at(g, "stack.0"), "cache_entry_new");
	expect_scenario_site(at(g, "stack.1"), "killed_service");
	json_object_put(r);
}

static void test_strict_leaks_by_site(void)
{
	struct json_object *r, *g;
	unsigned long pid, region;

	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "memtag-scenario strict-sites"), 0);
	pid = key_of("pid");
	region = key_of("region");
	r = tagctl_json(0, "leaks --pid %lu", pid);
	/* the region ended: nothing of it was in use at exit */
	CU_ASSERT_EQUAL(int_at(r, "summary.items"), 1);
	g = group_of(r, "allocations-leaked", "strict_record_new");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(int_at(g, "count"), 3);
	CU_ASSERT_EQUAL(int_at(g, "bytes"), 3 * 48);
	expect_scenario_site(at(g, "site"), "strict_record_new");
	CU_ASSERT_EQUAL(int_at(g, "from.0.region"), (int64_t)region);
	CU_ASSERT_STRING_EQUAL(str_at(g, "from.0.region_name"), "strict-report");
	json_object_put(r);
}

/* The one escape a scenario made, checked against what it printed; returns its pid. */
static unsigned long expect_escape(const char *scenario, const char *kind, const char *region_name,
				   const char *function)
{
	unsigned long pid, region, offset;
	struct json_object *r;

	itest_run(out, sizeof(out), "memtag-scenario %s", scenario);
	pid = key_of("pid");
	region = key_of("region");
	offset = key_of("offset");
	r = tagctl_json(0, "escapes --pid %lu", pid);
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(r), 1);
	CU_ASSERT_STRING_EQUAL(str_at(r, "0.kind"), kind);
	CU_ASSERT_EQUAL(int_at(r, "0.pid"), (int64_t)pid);
	CU_ASSERT_EQUAL(int_at(r, "0.region"), (int64_t)region);
	CU_ASSERT_STRING_EQUAL(str_at(r, "0.region_name"), region_name);
	CU_ASSERT_EQUAL(int_at(r, "0.offset"), (int64_t)offset);
	CU_ASSERT_EQUAL(int_at(r, "0.pc_symbol.address"), int_at(r, "0.ip"));
	/* the faulting instruction, looked up as it is */
	expect_scenario_site(at(r, "0.pc_symbol"), function);
	json_object_put(r);
	return pid;
}

/* Events of the escape kinds in the module's record, by the library's list. */
static size_t escape_events(void)
{
	struct memtag_event_record *all = NULL;
	struct memtag_client *client;
	size_t n = 0, i, escapes = 0;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL(memtag_event_list(client, &all, &n), 0);
	for (i = 0; i < n; i++)
		escapes += all[i].kind == MEMTAG_EVENT_USE_AFTER_END ||
			   all[i].kind == MEMTAG_EVENT_STALE_AFTER_RESET;
	free(all);
	memtag_client_close(client);
	return escapes;
}

/* The module's status, read by the library. */
static struct memtag_status module_status(void)
{
	struct memtag_status st = { 0 };
	struct memtag_client *client;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL(memtag_status_get(client, &st), 0);
	memtag_client_close(client);
	return st;
}

static void test_escapes_name_the_pc(void)
{
	struct json_object *r, *scan, *refs = NULL;
	unsigned long pid;
	size_t events, found = 0;
	int rc;

	pid = expect_escape("use-after-end", "use-after-end", "http-request", "use_after_end");
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl escapes --pid %lu", pid), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "    at   use_after_end ("));
	expect_escape("stale-after-reset", "stale-after-reset", "pool", "stale_after_reset");
	/* another process's events are not listed */
	r = tagctl_json(0, "escapes --pid %lu", pid + 1000000);
	CU_ASSERT_EQUAL(json_object_array_length(r), 0);
	json_object_put(r);
	/*
	 * with --scan, the references a scan finds follow the events in one
	 * list: the events 'escapes' lists (these two among them), and the
	 * references of a scan (exit 10 when there are any, 0 when none)
	 */
	r = tagctl_json(0, "escapes");
	events = json_object_array_length(r);
	/* as many as the module's record holds of the escape kinds, counted here */
	CU_ASSERT_EQUAL(events, escape_events());
	json_object_put(r);
	rc = itest_run(out, sizeof(out), "{ tagctl -j scan 2>/dev/null; }");
	CU_ASSERT_TRUE(rc == 0 || rc == 10);
	scan = json_tokener_parse(out);
	CU_ASSERT_PTR_NOT_NULL(scan);
	if (scan && json_object_object_get_ex(scan, "references", &refs))
		found = json_object_array_length(refs);
	CU_ASSERT_PTR_NOT_NULL(refs);
	CU_ASSERT_EQUAL(rc, found ? 10 : 0);
	json_object_put(scan);
	r = tagctl_json(0, "escapes --scan");
	CU_ASSERT_TRUE(json_object_is_type(r, json_type_array));
	CU_ASSERT_EQUAL(json_object_array_length(r), events + found);
	json_object_put(r);
}

static void test_violations_name_the_site(void)
{
	struct json_object *r, *e;
	unsigned long pid;
	size_t i, n;

	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "memtag-scenario bad-frees"), 0);
	pid = key_of("pid");
	r = tagctl_json(0, "violations --pid %lu", pid);
	n = json_object_array_length(r);
	/*
	 * double, interior, not ours, wrong region, alloc in ended: each in
	 * bad_frees (a double free names the chunk's allocation, inlined there)
	 */
	CU_ASSERT_EQUAL(n, 5);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(r, i);
		CU_ASSERT_STRING_EQUAL(str_at(e, "class"), "misuse");
		CU_ASSERT_EQUAL(int_at(e, "pid"), (int64_t)pid);
		expect_scenario_site(at(e, "site_symbol"), "bad_frees");
		CU_ASSERT_EQUAL(int_at(e, "site_symbol.address"), int_at(e, "site"));
	}
	json_object_put(r);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl violations --pid %lu", pid), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "    site bad_frees ("));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl violations --pid x"), 2);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl violations --scan"), 2);
}

static int check_with(unsigned long pid, const char *suppressions)
{
	FILE *f = fopen("/tmp/reports.supp", "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(suppressions, f);
	fclose(f);
	return itest_run(out, sizeof(out), "tagctl check --pid %lu --suppressions /tmp/reports.supp",
			 pid);
}

static void test_check_suppresses_by_symbol(void)
{
	unsigned long region, pid = killed_service("", &region), misuser;
	struct json_object *r;

	/* the same three leaks tagctl leaks reports */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --pid %lu", pid), 8 + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "check: 3 leaks, 0 escapes, 0 misuse"));
	r = tagctl_json(8 + 1, "check --pid %lu", pid);
	CU_ASSERT_EQUAL(int_at(r, "leaks"), 3);
	CU_ASSERT_STRING_EQUAL(str_at(r, "failures.0.kind"), "region-leaked");
	CU_ASSERT_STRING_EQUAL(str_at(r, "failures.1.kind"), "allocations-at-exit");
	json_object_put(r);
	/* by function, by glob on a function, by region name */
	CU_ASSERT_EQUAL(check_with(pid, "leak:cache_entry_new\nleak:session_buffer_*\n"
				   "leak:service-cache\n"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "suppression leak:cache_entry_new matched 1 time\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "suppression leak:session_buffer_* matched 1 time\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "3 suppressed"));
	/* by binary path and by source file */
	CU_ASSERT_EQUAL(check_with(pid, "leak:*/memtag-scenario\n"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "suppression leak:*/memtag-scenario matched 3 times"));
	CU_ASSERT_EQUAL(check_with(pid, "leak:*/scenario.c\n"), 0);
	/* near misses: a longer name, another class, another binary */
	CU_ASSERT_EQUAL(check_with(pid, "leak:cache_entry_newer\nescape:session_buffer_new\n"
				   "leak:*/other-service\n"), 8 + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "suppression leak:cache_entry_newer matched nothing"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "suppression escape:session_buffer_new matched nothing"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "check: 3 leaks"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "memtag-scenario bad-frees"), 0);
	misuser = key_of("pid");
	CU_ASSERT_EQUAL(check_with(misuser, "misuse:bad_frees\n"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "suppression misuse:bad_frees matched 5 times"));
	/* as LeakSanitizer's: a substring matches, anchors make it whole (was fnmatch's whole) */
	CU_ASSERT_EQUAL(check_with(misuser, "misuse:bad_free\n"), 0);
	CU_ASSERT_EQUAL(check_with(misuser, "misuse:^bad_free$\n"), 8 + 4);
	CU_ASSERT_EQUAL(check_with(misuser, "misuse:^bad_frees$\n"), 0);
	CU_ASSERT_EQUAL(check_with(pid, "leak:memtag-scenario\n"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "suppression leak:memtag-scenario matched 3 times"));
}

static void test_growing_regions(void)
{
	struct json_object *r, *grown;
	unsigned long pid, region, growth;

	/* no fatal assertion until it is killed: unload needs it gone */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "memtag-scenario growing-region > /tmp/grow.out 2>&1 & "
				  "echo $! > /tmp/grow.pid; "
				  "for i in $(seq 1200); do grep -q ready= /tmp/grow.out && "
				  "break; sleep 0.1; done; cat /tmp/grow.out"), 0);
	pid = key_of("pid");
	region = key_of("region");
	CU_ASSERT_EQUAL(key_of("ready"), 1);
	/* what the module counted once the scenario stopped sampling (3 or more) */
	growth = key_of("growth");
	CU_ASSERT_TRUE(growth >= 3);
	r = tagctl_json(0, "leaks --pid %lu --growing 3", pid);
	CU_ASSERT_EQUAL(int_at(r, "summary.growing_regions"), 1);
	CU_ASSERT_EQUAL(int_at(r, "growing.0.region"), (int64_t)region);
	CU_ASSERT_STRING_EQUAL(str_at(r, "growing.0.name"), "growing-cache");
	CU_ASSERT_EQUAL(int_at(r, "growing.0.growth"), (int64_t)growth);
	expect_scenario_site(at(r, "growing.0.site"), "growing_region");
	json_object_put(r);
	/* the threshold is inclusive: growth itself lists it, one more does not */
	r = tagctl_json(0, "leaks --pid %lu --growing %lu", pid, growth);
	CU_ASSERT_EQUAL(int_at(r, "summary.growing_regions"), 1);
	json_object_put(r);
	r = tagctl_json(0, "leaks --pid %lu --growing %lu", pid, growth + 1);
	CU_ASSERT_EQUAL(int_at(r, "summary.growing_regions"), 0);
	json_object_put(r);
	r = tagctl_json(0, "leaks --pid %lu --growing 1000", pid);
	grown = at(r, "growing");
	CU_ASSERT_TRUE(json_object_is_type(grown, json_type_array) &&
		       json_object_array_length(grown) == 0);
	json_object_put(r);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl leaks --pid %lu --growing 3", pid), 0);
	/* not a leak: a memtag line, no LeakSanitizer heading or frames */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "memtag: growing region "));
	CU_ASSERT_PTR_NULL(strstr(out, "    #0 "));
	itest_run(out, sizeof(out), "echo 1000 > /sys/module/memtag/parameters/sample_interval_ms; "
		  "kill -9 $(cat /tmp/grow.pid)");
}

static void test_stats(void)
{
	unsigned long region, pid = killed_service("", &region);
	struct memtag_status st;
	struct json_object *r;

	/*
	 * nothing else creates regions or frees twice meanwhile (the growing
	 * scenario, killed just before, may still be leaking its region)
	 */
	st = module_status();
	r = tagctl_json(0, "stats --pid %lu", pid);
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(at(r, "processes")), 1);
	CU_ASSERT_EQUAL(int_at(r, "processes.0.pid"), (int64_t)pid);
	CU_ASSERT_FALSE(json_object_get_boolean(at(r, "processes.0.alive")));
	CU_ASSERT_EQUAL(int_at(r, "processes.0.alloc_objects"), 6);
	CU_ASSERT_EQUAL(int_at(r, "processes.0.alloc_bytes"), 5 * 128 + 4096);
	CU_ASSERT_EQUAL(int_at(r, "processes.0.free_objects"), 1);
	CU_ASSERT_EQUAL(int_at(r, "processes.0.inuse_objects"), 5);
	CU_ASSERT_EQUAL(int_at(r, "processes.0.inuse_bytes"), 4608);
	CU_ASSERT_EQUAL(int_at(r, "total.inuse_bytes"), 4608);
	CU_ASSERT_EQUAL(int_at(r, "module.regions_created"), (int64_t)st.regions_created);
	CU_ASSERT_EQUAL(int_at(r, "events.double-free"),
			(int64_t)st.event_totals[MEMTAG_EVENT_DOUBLE_FREE]);
	CU_ASSERT_PTR_NULL(at(r, "delta"));
	json_object_put(r);
	/* a stream: one object per line, the second with the change since the first */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "set -o pipefail; tagctl -j stats --interval 100ms --count 2 | sed -n 2p"), 0);
	r = json_tokener_parse(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	/* at least the interval asked for (a sleep is never shorter) */
	CU_ASSERT_TRUE(int_at(r, "delta.interval_ns") >= 100000000);
	CU_ASSERT_PTR_NOT_NULL(at(r, "delta.module.regions_created"));
	json_object_put(r);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "set -o pipefail; tagctl stats --interval 100ms --count 2 | "
				  "grep -c ' regions_live '"), 0);
	CU_ASSERT_STRING_EQUAL(out, "2\n");
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl stats --interval 0"), 2);
}

static void test_top_snapshot(void)
{
	struct json_object *r, *row = NULL;
	unsigned long pid;
	char pattern[32];
	size_t i;

	/* no fatal assertion until it is killed: unload needs it gone */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "memtag-scenario hold-regions 3 > /dev/null 2>&1 & echo $!; "
				  "for i in $(seq 300); do [ $(tagctl regions --pid $! | wc -l) "
				  "-ge 4 ] && break; sleep 0.1; done"), 0);
	pid = strtoul(out, NULL, 10);
	r = tagctl_json(0, "top");
	for (i = 0; r && i < json_object_array_length(r); i++)
		if (int_at(json_object_array_get_idx(r, i), "pid") == (int64_t)pid)
			row = json_object_array_get_idx(r, i);
	CU_ASSERT_PTR_NOT_NULL(row);
	CU_ASSERT_EQUAL(int_at(row, "regions"), 3);
	CU_ASSERT_EQUAL(int_at(row, "leaks"), 0);
	CU_ASSERT_STRING_EQUAL(str_at(row, "comm"), "memtag-scenario");
	json_object_put(r);
	/* not a terminal: one snapshot as text */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "set -o pipefail; tagctl top -d 0.5 | cat"), 0);
	snprintf(pattern, sizeof(pattern), "\n%-8lu memtag-scenario", pid);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "PID "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, pattern));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl top -d 0"), 2);
	itest_run(out, sizeof(out), "kill -9 %lu", pid);
}

int itest_add_reports_suite(void)
{
	static const struct test_case cases[] = {
		{ "leaks: SIGKILLed service, by site, named", test_post_mortem_leaks },
		{ "leaks: stack_depth=4 names the callers", test_leak_stacks },
		{ "leaks: strict region's live allocations by site", test_strict_leaks_by_site },
		{ "escapes: region, offset and the pc by name", test_escapes_name_the_pc },
		{ "violations: every misuse with its site by name", test_violations_name_the_site },
		{ "check: suppressions on function, file, binary", test_check_suppresses_by_symbol },
		{ "leaks --growing: a region grown 3 samples in a row", test_growing_regions },
		{ "stats: per process totals, interval deltas", test_stats },
		{ "top: one snapshot when not a terminal", test_top_snapshot },
		{ NULL, NULL },
	};

	return add_suite("reports", cases);
}
