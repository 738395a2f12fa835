// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl regions: one line per region the caller may see. */
#include <inttypes.h>
#include <stdio.h>
#include <json-c/json.h>
#include "memtag.h"
#include "tagctl.h"

static struct json_object *region_json(const struct memtag_region_record *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(r->id));
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "parent", json_object_new_int64(r->parent));
	json_object_object_add(o, "state",
			       json_object_new_string(memtag_region_state_name(r->state)));
	json_object_object_add(o, "pid", json_object_new_int64(r->tgid));
	json_object_object_add(o, "uid", json_object_new_int64(r->uid));
	json_object_object_add(o, "bytes_reserved", json_object_new_uint64(r->bytes_reserved));
	json_object_object_add(o, "bytes_resident", json_object_new_uint64(r->bytes_resident));
	json_object_object_add(o, "resets", json_object_new_int64(r->resets));
	json_object_object_add(o, "strict",
			       json_object_new_boolean(r->flags & MEMTAG_REGION_F_STRICT));
	json_object_object_add(o, "site", json_object_new_uint64(r->site));
	json_object_object_add(o, "created_ns", json_object_new_uint64(r->created_ns));
	return o;
}

static void print_table(const struct memtag_region_record *r, size_t n)
{
	size_t i;

	printf("%-6s %-6s %-7s %-8s %-6s %12s %12s %-20s %s\n", "ID", "PARENT", "STATE", "PID",
	       "UID", "RESERVED", "RESIDENT", "NAME", "SITE");
	for (i = 0; i < n; i++)
		printf("%-6" PRIu32 " %-6" PRIu32 " %-7s %-8" PRIu32 " %-6" PRIu32 " %12" PRIu64
		       " %12" PRIu64 " %-20s %#" PRIx64 "\n",
		       r[i].id, r[i].parent, memtag_region_state_name(r[i].state), r[i].tgid,
		       r[i].uid, r[i].bytes_reserved, r[i].bytes_resident, r[i].name, r[i].site);
}

static int fetch_regions(struct memtag_client *client, void **items, size_t *count)
{
	return memtag_region_list(client, (struct memtag_region_record **)items, count);
}

static struct json_object *region_item_json(const void *item)
{
	return region_json(item);
}

static void print_regions(const void *items, size_t count)
{
	print_table(items, count);
}

static int run_regions(const struct tagctl_options *opts, int argc, char **argv)
{
	static const struct tagctl_list list = {
		.cmd = &tagctl_regions_command,
		.fetch = fetch_regions,
		.item_size = sizeof(struct memtag_region_record),
		.to_json = region_item_json,
		.print = print_regions,
	};

	(void)argv;
	return tagctl_run_list(opts, argc, &list);
}

const struct tagctl_command tagctl_regions_command = {
	.name = "regions",
	.summary = "list regions: live, and leaked by owners that left",
	.usage = "tagctl [-j] [-p] regions",
	.run = run_regions,
};
