// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 100,000 regions: created under one root (ending it ends them all in one
 * request), listed by tagctl in several dump pieces, every row checked.
 * Times are printed for the record, never asserted.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include "memtag.h"
#include "itest.h"

#define SCALE_REGIONS 100000
#define LIMIT_PARAM "/sys/module/memtag/parameters/max_regions_per_user"
#define LISTING "/tmp/scale-regions.json"
#define SCALE_TARGET "x86_64-6.1"

/* created[i]: the id of region i; region 0 is the root, i > 0 its children */
static uint32_t created[SCALE_REGIONS];
static char out[4096];

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Set an unsigned module parameter; the value it had goes to *old. */
static int swap_param(const char *path, unsigned long value, unsigned long *old)
{
	FILE *f = fopen(path, "r+");
	int ret = 0;

	if (!f)
		return -errno;
	if (fscanf(f, "%lu", old) != 1 || fseek(f, 0, SEEK_SET) || fprintf(f, "%lu\n", value) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static const char *name_of(uint32_t i, char *name, size_t len)
{
	snprintf(name, len, i ? "scale-%u" : "scale-root", i);
	return name;
}

static int create_all(struct memtag_client *client)
{
	struct memtag_region_record r;
	char name[32];
	uint32_t i;
	int ret;

	for (i = 0; i < SCALE_REGIONS; i++) {
		ret = memtag_region_create(client, i ? created[0] : 0,
					   name_of(i, name, sizeof(name)), i, &r);
		if (ret)
			return ret;
		created[i] = r.id;
	}
	return 0;
}

struct id_index {
	uint32_t id;
	uint32_t i;
};

static int by_id(const void *a, const void *b)
{
	const struct id_index *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int64_t field(struct json_object *row, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(row, key, &v) ? json_object_get_int64(v) : -1;
}

/* Rows that are not what region i was created as; each region seen once. */
static size_t bad_rows(struct json_object *rows, const struct id_index *index)
{
	size_t n = json_object_array_length(rows), k, bad = 0;
	struct id_index key, *hit;
	struct json_object *row, *name;
	char *seen = calloc(SCALE_REGIONS, 1), want[32];

	if (!seen)
		return n;
	for (k = 0; k < n; k++) {
		row = json_object_array_get_idx(rows, k);
		key.id = (uint32_t)field(row, "id");
		hit = bsearch(&key, index, SCALE_REGIONS, sizeof(*index), by_id);
		if (!hit || seen[hit->i]++) {
			bad++;
			continue;
		}
		json_object_object_get_ex(row, "name", &name);
		bad += strcmp(json_object_get_string(name), name_of(hit->i, want, sizeof(want))) ||
		       field(row, "parent") != (hit->i ? created[0] : 0) ||
		       field(row, "site") != hit->i || field(row, "pid") != getpid() ||
		       field(row, "depth") != 0;
	}
	free(seen);
	return bad;
}

static void check_listing(void)
{
	struct id_index *index = malloc(SCALE_REGIONS * sizeof(*index));
	struct json_object *rows;
	double t0 = seconds();
	uint32_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(index);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -j regions --pid %d > " LISTING,
				  (int)getpid()), 0);
	printf("scale: tagctl -j regions: %.1f s\n", seconds() - t0);
	t0 = seconds();
	rows = json_object_from_file(LISTING);
	printf("scale: parsed: %.1f s\n", seconds() - t0);
	CU_ASSERT_PTR_NOT_NULL(rows);
	for (i = 0; i < SCALE_REGIONS; i++)
		index[i] = (struct id_index){ .id = created[i], .i = i };
	qsort(index, SCALE_REGIONS, sizeof(*index), by_id);
	if (rows) {
		CU_ASSERT_EQUAL(json_object_array_length(rows), SCALE_REGIONS);
		CU_ASSERT_EQUAL(bad_rows(rows, index), 0);
	}
	json_object_put(rows);
	free(index);
	unlink(LISTING);
}

/* TCG takes some 45 s for this: one target carries it, not the debug kernel. */
static bool scale_target(void)
{
	FILE *f = fopen("/etc/memtag-test.conf", "r");
	char line[128];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = !strcmp(line, "MEMTAG_TARGET=" SCALE_TARGET "\n");
	if (f)
		fclose(f);
	return found;
}

static void test_hundred_thousand_regions(void)
{
	struct memtag_client *client;
	unsigned long limit, ignored;
	double t0;

	if (!scale_target())
		TEST_SKIP("runs on " SCALE_TARGET " only: some 50 s under TCG");
	t0 = seconds();
	CU_ASSERT_EQUAL_FATAL(swap_param(LIMIT_PARAM, SCALE_REGIONS + 1000, &limit), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL(create_all(client), 0);
	printf("scale: created %d regions: %.1f s\n", SCALE_REGIONS, seconds() - t0);
	check_listing();
	/* text too: a header and a line per region */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "set -o pipefail; tagctl regions --pid %d | wc -l",
				  (int)getpid()), 0);
	CU_ASSERT_EQUAL(strtoul(out, NULL, 10), SCALE_REGIONS + 1);
	/* one request ends the whole tree */
	CU_ASSERT_EQUAL(memtag_region_end(client, created[0]), 0);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -j regions --pid %d", (int)getpid()),
			0);
	CU_ASSERT_STRING_EQUAL(out, "[]\n");
	memtag_client_close(client);
	CU_ASSERT_EQUAL(swap_param(LIMIT_PARAM, limit, &ignored), 0);
	printf("scale: %.1f s in all\n", seconds() - t0);
}

int itest_add_scale_suite(void)
{
	static const struct test_case cases[] = {
		{ "100,000 regions listed by tagctl, every row checked", test_hundred_thousand_regions },
		{ NULL, NULL },
	};

	return add_suite("scale", cases);
}
