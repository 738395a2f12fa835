// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl regions: one line per region the caller may see. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "memtag.h"
#include "region_view.h"
#include "tagctl.h"
#include "text.h"

/* The JSON fields of a region row, in output order. */
enum region_field {
	F_ID, F_NAME, F_PARENT, F_STATE, F_PID, F_UID, F_RESERVED, F_RESIDENT, F_RESETS,
	F_STRICT, F_SITE, F_CREATED, F_DEPTH, F_GROWTH, NR_REGION_FIELDS,
};

static const char *const region_keys[NR_REGION_FIELDS] = {
	"id", "name", "parent", "state", "pid", "uid", "bytes_reserved", "bytes_resident",
	"resets", "strict", "site", "created_ns", "depth", "growth",
};

/*
 * One row's object with a handle on each value: a listing sets the values
 * in place and prints the object per row, instead of allocating some 15
 * json-c objects per region (malloc dominated 100,000-region listings).
 */
struct region_row {
	struct json_object *obj;
	struct json_object *value[NR_REGION_FIELDS];
};

static void region_row_init(struct region_row *row)
{
	const int flags = JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY;
	int f;

	row->obj = json_object_new_object();
	for (f = 0; f < NR_REGION_FIELDS; f++) {
		if (f == F_NAME || f == F_STATE)
			row->value[f] = json_object_new_string("");
		else if (f == F_STRICT)
			row->value[f] = json_object_new_boolean(0);
		else
			row->value[f] = json_object_new_int64(0);
		json_object_object_add_ex(row->obj, region_keys[f], row->value[f], flags);
	}
}

static void region_row_set(struct region_row *row, const struct memtag_region_record *r,
			   unsigned int depth)
{
	struct json_object **v = row->value;

	json_object_set_int64(v[F_ID], r->id);
	json_object_set_string(v[F_NAME], r->name);
	json_object_set_int64(v[F_PARENT], r->parent);
	json_object_set_string(v[F_STATE], memtag_region_state_name(r->state));
	json_object_set_int64(v[F_PID], r->tgid);
	json_object_set_int64(v[F_UID], r->uid);
	json_object_set_uint64(v[F_RESERVED], r->bytes_reserved);
	json_object_set_uint64(v[F_RESIDENT], r->bytes_resident);
	json_object_set_int64(v[F_RESETS], r->resets);
	json_object_set_boolean(v[F_STRICT], r->flags & MEMTAG_REGION_F_STRICT);
	json_object_set_uint64(v[F_SITE], r->site);
	json_object_set_uint64(v[F_CREATED], r->created_ns);
	json_object_set_int64(v[F_DEPTH], depth);
	json_object_set_int64(v[F_GROWTH], r->growth);
}

/* Plain output streams one reused row; -p builds the array json-c indents. */
static void print_json(const struct tagctl_options *opts, const struct memtag_region_record *r,
		       const size_t *order, const unsigned int *depth, size_t n)
{
	struct json_object *list;
	struct region_row row;
	size_t i;

	if (opts->pretty) {
		list = json_object_new_array_ext((int)n);
		for (i = 0; i < n; i++) {
			region_row_init(&row);
			region_row_set(&row, &r[order[i]], depth[i]);
			json_object_array_add(list, row.obj);
		}
		tagctl_print_json(opts, list);
		json_object_put(list);
		return;
	}
	region_row_init(&row);
	putchar('[');
	for (i = 0; i < n; i++) {
		region_row_set(&row, &r[order[i]], depth[i]);
		if (i)
			putchar(',');
		fputs(json_object_to_json_string_ext(row.obj, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
	}
	puts("]");
	json_object_put(row.obj);
}

struct regions_args {
	struct region_filter filter;
	enum region_sort sort;
	bool tree;
};

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* -h: the same columns, sizes in K/M/G and the age in s/m/h/d */
static void print_row_human(const struct memtag_region_record *r, unsigned int depth,
			    uint64_t now)
{
	char name[4 * MEMTAG_REGION_NAME_MAX + 40], reserved[16], resident[16], age[16];

	snprintf(name, sizeof(name), "%*s%s", (int)(2 * depth), "", tagctl_text(r->name));
	printf("%-6" PRIu32 " %-6" PRIu32 " %-7s %-8" PRIu32 " %-6" PRIu32 " %12s %12s %9s %-24s %#"
	       PRIx64 "\n", r->id, r->parent, memtag_region_state_name(r->state), r->tgid, r->uid,
	       tagctl_human_size(r->bytes_reserved, reserved, sizeof(reserved)),
	       tagctl_human_size(r->bytes_resident, resident, sizeof(resident)),
	       tagctl_human_duration(now - r->created_ns, age, sizeof(age)), name, r->site);
}

static void print_row(const struct memtag_region_record *r, unsigned int depth, uint64_t now)
{
	/* age in rounded tenths of a second: printf's %f was a fifth of the cost */
	uint64_t tenths = (now - r->created_ns + 50000000) / 100000000;
	char name[4 * MEMTAG_REGION_NAME_MAX + 40];

	snprintf(name, sizeof(name), "%*s%s", (int)(2 * depth), "", tagctl_text(r->name));
	printf("%-6" PRIu32 " %-6" PRIu32 " %-7s %-8" PRIu32 " %-6" PRIu32 " %12" PRIu64
	       " %12" PRIu64 " %6" PRIu64 ".%" PRIu64 "s %-24s %#" PRIx64 "\n",
	       r->id, r->parent, memtag_region_state_name(r->state), r->tgid, r->uid,
	       r->bytes_reserved, r->bytes_resident, tenths / 10, tenths % 10, name, r->site);
}

/* --dump: the JSON fields in their order, tab-separated, every one always there */
static void print_row_dump(const struct memtag_region_record *r, unsigned int depth)
{
	printf("%" PRIu32 "\t%s\t%" PRIu32 "\t%s\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu64 "\t%" PRIu64
	       "\t%" PRIu32 "\t%d\t%#" PRIx64 "\t%" PRIu64 "\t%u\t%" PRIu32 "\n", r->id,
	       tagctl_dump_text(r->name), r->parent, memtag_region_state_name(r->state), r->tgid,
	       r->uid, r->bytes_reserved, r->bytes_resident, r->resets,
	       !!(r->flags & MEMTAG_REGION_F_STRICT), r->site, r->created_ns, depth, r->growth);
}

static int print_regions(const struct tagctl_options *opts, const struct regions_args *a,
			 const struct memtag_region_record *r, size_t n)
{
	size_t *order = calloc(n ? n : 1, sizeof(*order)), i;
	unsigned int *depth = calloc(n ? n : 1, sizeof(*depth));

	if (!order || !depth) {
		free(order);
		free(depth);
		fprintf(stderr, "tagctl regions: out of memory\n");
		return TAGCTL_EXIT_ERROR;
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	if (a->tree)
		region_tree(r, n, order, depth);
	if (opts->json) {
		print_json(opts, r, order, depth, n);
	} else if (opts->dump) {
		for (i = 0; i < n; i++)
			print_row_dump(&r[order[i]], depth[i]);
	} else {
		printf("%-6s %-6s %-7s %-8s %-6s %12s %12s %9s %-24s %s\n", "ID", "PARENT",
		       "STATE", "PID", "UID", "RESERVED", "RESIDENT", "AGE", "NAME", "SITE");
		for (i = 0; i < n; i++)
			(opts->human ? print_row_human : print_row)(&r[order[i]], depth[i],
								    a->filter.now_ns);
	}
	free(order);
	free(depth);
	return TAGCTL_EXIT_OK;
}

static const struct tagctl_opt regions_opts[] = {
	{ 'P', 'P', "pid", "P", "regions of process P" },
	{ 'u', 'u', "uid", "U", "regions of user U" },
	{ 's', 's', "state", "STATE", "live, ended or leaked" },
	{ 'o', 'o', "older-than", "D", "older than D (250ms, 30s, 5m, 2h, 1d; plain: seconds)" },
	{ 'm', 'm', "min-bytes", "SIZE", "reserving SIZE or more (4096, 64K, 1M, 2GiB)" },
	{ 'S', 'S', "sort", "KEY", "id, bytes (largest first), age (oldest first) or name" },
	{ 't', 't', "tree", NULL, "children under their parents" },
	{ 0 },
};

static int regions_option(int c, const char *arg, void *ctx)
{
	const struct tagctl_command *cmd = &tagctl_regions_command;
	struct regions_args *a = ctx;

	switch (c) {
	case 'u':
		if (tagctl_parse_long(arg, 0, UINT32_MAX, &a->filter.uid))
			return tagctl_usage_error(cmd, "--uid needs a user id");
		break;
	case 'm':
		if (tagctl_parse_size(arg, &a->filter.min_bytes))
			return tagctl_usage_error(cmd, "--min-bytes takes a size: 4096, 64K, 1M, 2GiB");
		break;
	case 's':
		if (!strcmp(arg, "live"))
			a->filter.state = MEMTAG_REGION_LIVE;
		else if (!strcmp(arg, "leaked"))
			a->filter.state = MEMTAG_REGION_LEAKED;
		else if (!strcmp(arg, "ended"))
			a->filter.state = MEMTAG_REGION_ENDED;
		else
			return tagctl_usage_error(cmd, "--state is live, ended or leaked");
		break;
	case 'o':
		if (tagctl_parse_duration_ns(arg, &a->filter.older_than_ns))
			return tagctl_usage_error(cmd, "--older-than takes 250ms, 30s, 5m, 2h, 1d");
		break;
	case 'S':
		if (parse_sort(arg, &a->sort))
			return tagctl_usage_error(cmd, "--sort is id, bytes, age or name");
		break;
	default:
		a->tree = true;
		break;
	}
	return TAGCTL_EXIT_OK;
}

static int parse_args(struct regions_args *a, int argc, char **argv)
{
	return tagctl_parse_args(&tagctl_regions_command, argc, argv, &a->filter.pid,
				 regions_option, a);
}

static int run_regions(const struct tagctl_options *opts, int argc, char **argv)
{
	struct memtag_region_record *regions = NULL;
	struct memtag_client *client;
	struct regions_args a = { .sort = SORT_ID };
	size_t n, i, kept = 0;
	int ret;

	region_filter_init(&a.filter, boottime_ns());
	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	ret = tagctl_connect(&client);
	if (ret)
		return ret;
	ret = memtag_region_list(client, &regions, &n);
	if (ret) {
		ret = tagctl_fail(client, "regions", ret);
	} else {
		for (i = 0; i < n; i++)
			if (region_filter_keep(&a.filter, &regions[i]))
				regions[kept++] = regions[i];
		region_sort(regions, kept, a.sort);
		ret = print_regions(opts, &a, regions, kept);
	}
	free(regions);
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_regions_command = {
	.name = "regions",
	.summary = "list regions: live, and leaked by owners that left",
	.options = regions_opts,
	.run = run_regions,
	.dump = true,
};
