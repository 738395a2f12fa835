// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl status: module version, backend and counters. */
#include <inttypes.h>
#include <stdio.h>
#include <json-c/json.h>
#include "memtag.h"
#include "tagctl.h"

static void print_human(const struct memtag_status *st)
{
	printf("memtag module %s, tagctl %s\n", st->version, memtag_library_version());
	printf("backend: %s%s\n", memtag_backend_name(st->backend),
	       st->backend_forced ? " (set by the backend= module parameter)" : "");
	printf("cpu mte: %s\n", st->mte_capable ? "yes" : "no");
	printf("counters:\n");
	printf("  status_requests %" PRIu64 "\n", st->status_requests);
}

static void print_json(const struct tagctl_options *opts, const struct memtag_status *st)
{
	struct json_object *root = json_object_new_object();
	struct json_object *counters = json_object_new_object();

	json_object_object_add(root, "version", json_object_new_string(st->version));
	json_object_object_add(root, "tagctl_version",
			       json_object_new_string(memtag_library_version()));
	json_object_object_add(root, "backend",
			       json_object_new_string(memtag_backend_name(st->backend)));
	json_object_object_add(root, "backend_forced", json_object_new_boolean(st->backend_forced));
	json_object_object_add(root, "mte_capable", json_object_new_boolean(st->mte_capable));
	json_object_object_add(counters, "status_requests",
			       json_object_new_uint64(st->status_requests));
	json_object_object_add(root, "counters", counters);
	tagctl_print_json(opts, root);
	json_object_put(root);
}

static int run_status(const struct tagctl_options *opts, int argc, char **argv)
{
	struct memtag_client *client;
	struct memtag_status st;
	int ret;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "tagctl status: takes no arguments; usage: %s\n",
			tagctl_status_command.usage);
		return TAGCTL_EXIT_USAGE;
	}
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
			print_human(&st);
	}
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_status_command = {
	.name = "status",
	.summary = "module version, backend and counters",
	.usage = "tagctl [-j] [-p] status",
	.run = run_status,
};
