// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl segments: the segments of the regions the caller may see, where they are mapped. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <json-c/json.h>
#include "memtag.h"
#include "tagctl.h"
#include "text.h"

static const char *segment_state_name(enum memtag_segment_state state)
{
	switch (state) {
	case MEMTAG_SEGMENT_LIVE:
		return "live";
	case MEMTAG_SEGMENT_ENDED:
		return "ended";
	case MEMTAG_SEGMENT_RESET:
		return "reset";
	default:
		return "unknown";
	}
}

static struct json_object *segment_json(const struct memtag_segment_record *g)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(g->id));
	json_object_object_add(o, "region", json_object_new_int64(g->region));
	json_object_object_add(o, "region_name", json_object_new_string(g->region_name));
	json_object_object_add(o, "pid", json_object_new_int64(g->tgid));
	json_object_object_add(o, "uid", json_object_new_int64(g->uid));
	json_object_object_add(o, "state", json_object_new_string(segment_state_name(g->state)));
	json_object_object_add(o, "address", json_object_new_uint64(g->address));
	json_object_object_add(o, "size", json_object_new_uint64(g->size));
	json_object_object_add(o, "region_offset", json_object_new_uint64(g->region_offset));
	return o;
}

static void print_segments(const struct tagctl_options *opts,
			   const struct memtag_segment_record *g, size_t n)
{
	struct json_object *list;
	char size[16];
	size_t i;

	if (opts->json) {
		list = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(list, segment_json(&g[i]));
		tagctl_print_json(opts, list);
		json_object_put(list);
		return;
	}
	if (!opts->dump)
		printf("%-6s %-6s %-6s %-8s %-6s %-18s %12s %12s %s\n", "ID", "REGION", "STATE",
		       "PID", "UID", "ADDRESS", "SIZE", "OFFSET", "NAME");
	for (i = 0; i < n; i++) {
		if (opts->dump)	/* the JSON fields, in order */
			printf("%" PRIu32 "\t%" PRIu32 "\t%s\t%" PRIu32 "\t%" PRIu32 "\t%s\t%#" PRIx64
			       "\t%" PRIu64 "\t%" PRIu64 "\n", g[i].id, g[i].region,
			       tagctl_dump_text(g[i].region_name), g[i].tgid, g[i].uid,
			       segment_state_name(g[i].state), g[i].address, g[i].size,
			       g[i].region_offset);
		else
			printf("%-6" PRIu32 " %-6" PRIu32 " %-6s %-8" PRIu32 " %-6" PRIu32 " %#-18" PRIx64
			       " %12s %12" PRIu64 " %s\n", g[i].id, g[i].region,
			       segment_state_name(g[i].state), g[i].tgid, g[i].uid, g[i].address,
			       opts->human ? tagctl_human_size(g[i].size, size, sizeof(size)) :
			       (snprintf(size, sizeof(size), "%" PRIu64, g[i].size), size),
			       g[i].region_offset, tagctl_text(g[i].region_name));
	}
}

static const struct tagctl_opt segments_opts[] = {
	{ 'P', 'P', "pid", "P", "segments of process P" },
	{ 0 },
};

static int run_segments(const struct tagctl_options *opts, int argc, char **argv)
{
	struct memtag_segment_record *segments = NULL;
	struct memtag_client *client;
	long pid = -1;
	size_t n;
	int ret;

	ret = tagctl_parse_args(&tagctl_segments_command, argc, argv, &pid, NULL, NULL);
	if (ret || (ret = tagctl_connect(&client)))
		return ret;
	ret = memtag_segment_list(client, pid > 0 ? (uint32_t)pid : 0, &segments, &n);
	if (ret)
		ret = tagctl_fail(client, "segments", ret);
	else
		print_segments(opts, segments, n);
	free(segments);
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_segments_command = {
	.name = "segments",
	.summary = "list the segments of regions: where each is mapped, its size and state",
	.options = segments_opts,
	.run = run_segments,
	.dump = true,
};
