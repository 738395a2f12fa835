// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl export from real module data: the sample service runs, each format
 * is written, and independent readers (pprof's Go package, promtool) must
 * accept it and find what the service allocated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "memtag.h"
#include "itest.h"

/*
 * What memtag-sample-service allocates: three 64-byte replies in request
 * regions that end, "session 42" (11 bytes, freed twice) and "session 43"
 * (11 bytes) in a strict region it leaves open at exit.
 */
#define SERVICE_ALLOC_BYTES (3 * 64 + 11 + 11)
#define SERVICE_ALLOC_OBJECTS 5
#define SERVICE_HELD_AT_EXIT 11
#define SERVICE_COMM "memtag-sample-s"	/* comm is cut at 15 characters */

static char out[1 << 20];
static unsigned long service_pid;

static int run_service(void)
{
	const char *at;

	itest_run(out, sizeof(out), "MEMTAG_OPTIONS=halt_on_error=0,verbose=0,stack_depth=4 "
				    "memtag-sample-service > /dev/null 2>&1 & echo pid=$!; wait");
	at = strstr(out, "pid=");
	service_pid = at ? strtoul(at + 4, NULL, 10) : 0;
	return service_pid ? 0 : -1;
}

/* The value of the first sample line that starts with prefix, or -1. */
static long long metric_value(const char *text, const char *prefix)
{
	const char *line, *next, *value;

	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : NULL;
		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		value = memrchr(line, ' ', next ? (size_t)(next - line) : strlen(line));
		return value ? strtoll(value + 1, NULL, 10) : -1;
	}
	return -1;
}

static void test_folded(void)
{
	unsigned long long sum = 0;
	char *line, *save = NULL;
	size_t lines = 0;
	bool named_main = false;

	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "tagctl export --format folded --pid %lu",
					service_pid), 0);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		CU_ASSERT_EQUAL(strncmp(line, SERVICE_COMM ";", strlen(SERVICE_COMM) + 1), 0);
		named_main |= strstr(line, ";main (") != NULL;
		sum += strtoull(strrchr(line, ' ') + 1, NULL, 10);
		lines++;
	}
	/* exited: only what it held at exit weighs, under main's frame */
	CU_ASSERT_EQUAL(lines, 1);
	CU_ASSERT_EQUAL(sum, SERVICE_HELD_AT_EXIT);
	CU_ASSERT_TRUE(named_main);
}

static struct json_object *json_of(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	if (!o)
		fprintf(stderr, "not JSON: %.400s\n", text);
	return o;
}

static long long json_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

static void check_pprof_samples(struct json_object *samples)
{
	struct json_object *s, *v;
	size_t i;

	CU_ASSERT_EQUAL(json_object_array_length(samples), 3);	/* replies, 2 sessions */
	for (i = 0; i < json_object_array_length(samples); i++) {
		s = json_object_array_get_idx(samples, i);
		CU_ASSERT_TRUE(json_object_object_get_ex(s, "pid", &v) &&
			       json_object_get_int64(json_object_array_get_idx(v, 0)) ==
				       (int64_t)service_pid);
		CU_ASSERT_TRUE(json_object_object_get_ex(s, "comm", &v) &&
			       !strcmp(json_object_get_string(json_object_array_get_idx(v, 0)),
				       SERVICE_COMM));
		CU_ASSERT_TRUE(json_object_object_get_ex(s, "stack", &v) &&
			       json_object_array_length(v) >= 2);
	}
}

static void test_pprof(void)
{
	struct json_object *summary, *root, *totals, *samples;

	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "tagctl -j export --format pprof "
				       "-o /tmp/service.pb.gz --pid %lu", service_pid), 0);
	summary = json_of(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
	CU_ASSERT_EQUAL(json_int(summary, "processes"), 1);
	CU_ASSERT_TRUE(json_int(summary, "size_bytes") > 0);
	json_object_put(summary);
	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "memtag-pprof-read /tmp/service.pb.gz"),
			      0);
	root = json_of(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(root, "totals", &totals));
	CU_ASSERT_EQUAL(json_int(totals, "alloc_space"), SERVICE_ALLOC_BYTES);
	CU_ASSERT_EQUAL(json_int(totals, "alloc_objects"), SERVICE_ALLOC_OBJECTS);
	CU_ASSERT_EQUAL(json_int(totals, "inuse_space"), SERVICE_HELD_AT_EXIT);
	CU_ASSERT_EQUAL(json_int(totals, "inuse_objects"), 1);
	CU_ASSERT_EQUAL(json_int(totals, "leaked_space"), SERVICE_HELD_AT_EXIT);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(root, "samples", &samples));
	check_pprof_samples(samples);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"file\":\"/usr/bin/memtag-sample-service\""));
	json_object_put(root);
}

static void test_prometheus(void)
{
	char prefix[128];
	struct memtag_client *client;
	struct memtag_status before, after;
	long long created;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_status_get(client, &before), 0);
	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "tagctl export --format prometheus "
				       "-o /tmp/textfile/memtag.prom"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "wrote /tmp/textfile/memtag.prom (prometheus, "));
	CU_ASSERT_EQUAL_FATAL(memtag_status_get(client, &after), 0);
	memtag_client_close(client);
	/* the temporary file is gone */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "ls -A /tmp/textfile"), 0);
	CU_ASSERT_STRING_EQUAL(out, "memtag.prom\n");
	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "cat /tmp/textfile/memtag.prom"), 0);
	created = metric_value(out, "memtag_regions_created_total ");
	CU_ASSERT_TRUE(created >= (long long)before.regions_created &&
		       created <= (long long)after.regions_created);
	snprintf(prefix, sizeof(prefix), "memtag_leaked_bytes{pid=\"%lu\",comm=\"%s\"}",
		 service_pid, SERVICE_COMM);
	CU_ASSERT_EQUAL(metric_value(out, prefix), SERVICE_HELD_AT_EXIT);
	snprintf(prefix, sizeof(prefix), "memtag_allocated_bytes_total{pid=\"%lu\",", service_pid);
	CU_ASSERT_EQUAL(metric_value(out, prefix), SERVICE_ALLOC_BYTES);
	snprintf(prefix, sizeof(prefix), "memtag_inuse_bytes{pid=\"%lu\",", service_pid);
	CU_ASSERT_EQUAL(metric_value(out, prefix), -1);	/* it exited: holds nothing */
}

/* The file test_prometheus wrote, checked by Prometheus's own promtool. */
static void test_promtool(void)
{
#ifdef __x86_64__
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "test -s /tmp/textfile/memtag.prom && "
				  "promtool check metrics < /tmp/textfile/memtag.prom"), 0);
	if (strlen(out) > 0)
		printf("promtool: %s\n", out);
#else
	TEST_SKIP("x86_64 guests only: Debian's promtool is an x86_64 binary");
#endif
}

/* In-use bytes of a live process in a Prometheus export; 0 without a profile. */
static long long inuse_of(pid_t pid)
{
	char prefix[64];
	long long v;

	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl export --format prometheus"), 0);
	snprintf(prefix, sizeof(prefix), "memtag_inuse_bytes{pid=\"%d\",", (int)pid);
	v = metric_value(out, prefix);
	return v < 0 ? 0 : v;
}

/* Tell the other side, and wait for its answer: one byte each way. */
static char step(int to, int from, char what)
{
	char got = 0;

	if (write(to, &what, 1) != 1 || read(from, &got, 1) != 1)
		return 0;
	return got;
}

/* The child holds 1000 + 24 bytes, then ends its region, then exits. */
static void __attribute__((noreturn)) live_child(int from, int to)
{
	struct tag_region *r = tag_region_create(NULL, "export-live", 0);
	bool held = r && tag_alloc(r, 1000) && tag_alloc(r, 24);
	char c;

	if (read(from, &c, 1) != 1 || write(to, held ? "h" : "x", 1) != 1)
		_exit(1);
	if (read(from, &c, 1) != 1 || tag_region_end(r) || write(to, "e", 1) != 1)
		_exit(1);
	_exit(read(from, &c, 1) == 1 ? 0 : 1);
}

/* In a child: the itest process itself must not hold the module (unload). */
static void test_live_inuse(void)
{
	int down[2], up[2], status = -1;
	pid_t pid;

	CU_ASSERT_FATAL(!pipe(down) && !pipe(up));
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (!pid) {
		close(down[1]);
		close(up[0]);
		live_child(down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	CU_ASSERT_EQUAL(step(down[1], up[0], 'a'), 'h');
	CU_ASSERT_EQUAL(inuse_of(pid), 1024);
	CU_ASSERT_EQUAL(step(down[1], up[0], 'e'), 'e');
	CU_ASSERT_EQUAL(inuse_of(pid), 0);
	CU_ASSERT_EQUAL(write(down[1], "q", 1), 1);
	close(down[1]);
	close(up[0]);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_svg(void)
{
	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "tagctl export --format svg "
				       "-o /tmp/service.svg --pid %lu && cat /tmp/service.svg",
				       service_pid), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<?xml"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<title>all (11 bytes, 100.00%)</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<title>" SERVICE_COMM " (11 bytes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "</svg>\n"));
}

static void test_bad_usage(void)
{
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl export"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "--format is required"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl export --format dot"), 2);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -j export --format folded"), 2);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl export --format folded --pid 4000000"),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "no allocation profile for pid 4000000"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl export --format svg -o /nonexistent/x"),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot create a temporary file next to /nonexistent/x"));
}

static int setup(void)
{
	return run_service() || itest_run(out, sizeof(out), "mkdir -p /tmp/textfile");
}

int itest_add_export_suite(void)
{
	static const struct test_case cases[] = {
		{ "folded: what the exited service held, under main", test_folded },
		{ "pprof: pprof's reader finds the service's allocations", test_pprof },
		{ "prometheus: atomic textfile, values", test_prometheus },
		{ "prometheus: promtool check metrics accepts it", test_promtool },
		{ "prometheus: a live process's bytes in use", test_live_inuse },
		{ "svg: a flame graph of the service", test_svg },
		{ "usage and failures: exit codes and messages", test_bad_usage },
		{ NULL, NULL },
	};

	return add_suite_fixture("export", setup, NULL, cases);
}
