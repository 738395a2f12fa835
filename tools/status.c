// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl status: module version, backend, counters and events by kind. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "memtag.h"
#include "tagctl.h"

struct counter {
	const char *name;
	uint64_t value;
};

#define N_COUNTERS 11

static void counters_of(const struct memtag_status *st, struct counter *c)
{
	const struct counter all[N_COUNTERS] = {
		{ "status_requests", st->status_requests },
		{ "regions_created", st->regions_created },
		{ "regions_ended", st->regions_ended },
		{ "regions_leaked", st->regions_leaked },
		{ "violations", st->violations },
		{ "events", st->events },
		{ "events_dropped", st->events_dropped },
		{ "bytes_reserved", st->bytes_reserved },
		{ "regions_live", st->regions_live },
		{ "profiles", st->profiles },
		{ "events_refused", st->events_refused },
	};
	size_t i;

	for (i = 0; i < N_COUNTERS; i++)
		c[i] = all[i];
}

static void print_human(const struct tagctl_options *opts, const struct memtag_status *st)
{
	struct counter c[N_COUNTERS];
	char size[16];
	int kind;
	size_t i;

	counters_of(st, c);
	printf("memtag module %s, tagctl %s\n", st->version, memtag_library_version());
	printf("backend: %s%s\n", memtag_backend_name(st->backend),
	       st->backend_forced ? " (set by the backend= module parameter)" : "");
	printf("cpu mte: %s\n", st->mte_capable ? "yes" : "no");
	printf("counters:\n");
	for (i = 0; i < N_COUNTERS; i++) {
		if (opts->human && !strcmp(c[i].name, "bytes_reserved"))
			printf("  %-16s %s\n", c[i].name,
			       tagctl_human_size(c[i].value, size, sizeof(size)));
		else
			printf("  %-16s %" PRIu64 "\n", c[i].name, c[i].value);
	}
	printf("events by kind:%s\n", st->events ? "" : " none");
	for (kind = 1; kind <= MEMTAG_EVENT_MAX; kind++)
		if (st->event_totals[kind])
			printf("  %-22s %" PRIu64 "\n", memtag_event_kind_name(kind),
			       st->event_totals[kind]);
}

static void print_json(const struct tagctl_options *opts, const struct memtag_status *st)
{
	struct json_object *root = json_object_new_object();
	struct json_object *counters = json_object_new_object();
	struct json_object *events = json_object_new_object();
	struct counter c[N_COUNTERS];
	int kind;
	size_t i;

	counters_of(st, c);
	json_object_object_add(root, "version", json_object_new_string(st->version));
	json_object_object_add(root, "tagctl_version",
			       json_object_new_string(memtag_library_version()));
	json_object_object_add(root, "backend",
			       json_object_new_string(memtag_backend_name(st->backend)));
	json_object_object_add(root, "backend_forced", json_object_new_boolean(st->backend_forced));
	json_object_object_add(root, "mte_capable", json_object_new_boolean(st->mte_capable));
	for (i = 0; i < N_COUNTERS; i++)
		json_object_object_add(counters, c[i].name, json_object_new_uint64(c[i].value));
	for (kind = 1; kind <= MEMTAG_EVENT_MAX; kind++)
		json_object_object_add(events, memtag_event_kind_name(kind),
				       json_object_new_uint64(st->event_totals[kind]));
	json_object_object_add(root, "counters", counters);
	json_object_object_add(root, "events", events);
	tagctl_print_json(opts, root);
	json_object_put(root);
}

static int run_status(const struct tagctl_options *opts, int argc, char **argv)
{
	struct memtag_client *client;
	struct memtag_status st;
	int ret;

	ret = tagctl_parse_args(&tagctl_status_command, argc, argv, NULL, NULL, NULL);
	if (!ret)
		ret = tagctl_connect(&client);
	if (ret)
		return ret;
	ret = memtag_status_get(client, &st);
	if (ret) {
		ret = tagctl_fail(client, "status", ret);
	} else {
		if (opts->json)
			print_json(opts, &st);
		else
			print_human(opts, &st);
	}
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_status_command = {
	.name = "status",
	.summary = "module version, backend, counters, events by kind",
	.run = run_status,
};
