// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl events: the module's record of escapes, misuse and leaks. */
#include <inttypes.h>
#include <stdio.h>
#include <json-c/json.h>
#include "memtag.h"
#include "classes.h"
#include "tagctl.h"

static const char *seen_by(uint32_t flags)
{
	if (flags & MEMTAG_EVENT_F_KERNEL)
		return "kernel";
	if (flags & MEMTAG_EVENT_F_SIGNAL)
		return "signal";
	return "library";
}

struct json_object *tagctl_event_json(const struct memtag_event_record *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_uint64(e->seq));
	json_object_object_add(o, "time_ns", json_object_new_uint64(e->time_ns));
	json_object_object_add(o, "kind", json_object_new_string(memtag_event_kind_name(e->kind)));
	json_object_object_add(o, "class",
			       json_object_new_string(tagctl_class_name(tagctl_class_of(e->kind))));
	json_object_object_add(o, "seen_by", json_object_new_string(seen_by(e->flags)));
	json_object_object_add(o, "continued",
			       json_object_new_boolean(e->flags & MEMTAG_EVENT_F_CONTINUED));
	json_object_object_add(o, "region", json_object_new_int64(e->region));
	json_object_object_add(o, "region_name", json_object_new_string(e->region_name));
	json_object_object_add(o, "pid", json_object_new_int64(e->tgid));
	json_object_object_add(o, "uid", json_object_new_int64(e->uid));
	json_object_object_add(o, "offset", json_object_new_uint64(e->offset));
	json_object_object_add(o, "address", json_object_new_uint64(e->address));
	json_object_object_add(o, "ip", json_object_new_uint64(e->ip));
	json_object_object_add(o, "site", json_object_new_uint64(e->site));
	json_object_object_add(o, "size", json_object_new_uint64(e->size));
	json_object_object_add(o, "count", json_object_new_uint64(e->count));
	return o;
}

void tagctl_print_event(const struct memtag_event_record *e)
{
	printf("%-6" PRIu64 " %-22s %-7s pid %-6" PRIu32 " region %" PRIu32 " '%s' offset %" PRIu64,
	       e->seq, memtag_event_kind_name(e->kind), seen_by(e->flags), e->tgid, e->region,
	       e->region_name, e->offset);
	if (e->address)
		printf(" address %#" PRIx64, e->address);
	if (e->ip)
		printf(" pc %#" PRIx64, e->ip);
	if (e->site)
		printf(" site %#" PRIx64, e->site);
	if (e->count)
		printf(" count %" PRIu64, e->count);
	if (e->size)
		printf(" bytes %" PRIu64, e->size);
	printf("%s\n", e->flags & MEMTAG_EVENT_F_CONTINUED ? " (continued)" : "");
}

static int fetch_events(struct memtag_client *client, void **items, size_t *count)
{
	return memtag_event_list(client, (struct memtag_event_record **)items, count);
}

static struct json_object *event_item_json(const void *item)
{
	return tagctl_event_json(item);
}

static void print_events(const void *items, size_t count)
{
	const struct memtag_event_record *e = items;
	size_t i;

	for (i = 0; i < count; i++)
		tagctl_print_event(&e[i]);
	if (!count)
		printf("no events recorded\n");
}

static bool is_escape(const void *item)
{
	return tagctl_class_of(((const struct memtag_event_record *)item)->kind) == TAGCTL_ESCAPE;
}

static bool is_misuse(const void *item)
{
	return tagctl_class_of(((const struct memtag_event_record *)item)->kind) == TAGCTL_MISUSE;
}

static bool is_leak(const void *item)
{
	return tagctl_class_of(((const struct memtag_event_record *)item)->kind) == TAGCTL_LEAK;
}

/* events, escapes, violations and leaks: one listing, four filters */
static int run_event_list(const struct tagctl_options *opts, int argc,
			  const struct tagctl_command *cmd, bool (*keep)(const void *item))
{
	const struct tagctl_list list = {
		.cmd = cmd,
		.fetch = fetch_events,
		.item_size = sizeof(struct memtag_event_record),
		.to_json = event_item_json,
		.print = print_events,
		.keep = keep,
	};

	return tagctl_run_list(opts, argc, &list);
}

static int run_events(const struct tagctl_options *opts, int argc, char **argv)
{
	(void)argv;
	return run_event_list(opts, argc, &tagctl_events_command, NULL);
}

static int run_escapes(const struct tagctl_options *opts, int argc, char **argv)
{
	(void)argv;
	return run_event_list(opts, argc, &tagctl_escapes_command, is_escape);
}

static int run_violations(const struct tagctl_options *opts, int argc, char **argv)
{
	(void)argv;
	return run_event_list(opts, argc, &tagctl_violations_command, is_misuse);
}

static int run_leaks(const struct tagctl_options *opts, int argc, char **argv)
{
	(void)argv;
	return run_event_list(opts, argc, &tagctl_leaks_command, is_leak);
}

const struct tagctl_command tagctl_events_command = {
	.name = "events",
	.summary = "recorded escapes, misuse and leaks, oldest first",
	.usage = "tagctl [-j] [-p] events",
	.run = run_events,
};

const struct tagctl_command tagctl_escapes_command = {
	.name = "escapes",
	.summary = "uses of memory after its region ended or was reset",
	.usage = "tagctl [-j] [-p] escapes",
	.run = run_escapes,
};

const struct tagctl_command tagctl_violations_command = {
	.name = "violations",
	.summary = "misuse: bad frees, overflows, use after free, foreign regions",
	.usage = "tagctl [-j] [-p] violations",
	.run = run_violations,
};

const struct tagctl_command tagctl_leaks_command = {
	.name = "leaks",
	.summary = "regions left open by their owner, live allocations of strict regions",
	.usage = "tagctl [-j] [-p] leaks",
	.run = run_leaks,
};
