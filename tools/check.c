// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl check: the CI gate. Exit 0 when clean, 8 + a bit per failing class. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "classes.h"
#include "suppressions.h"
#include "tagctl.h"

struct check {
	unsigned int fail_on;
	long pid;			/* -1: every process */
	struct suppressions sup;
	unsigned long found[3], suppressed;
	unsigned int failing;
};

static int class_index(enum tagctl_class c)
{
	return c == TAGCTL_LEAK ? 0 : c == TAGCTL_ESCAPE ? 1 : 2;
}

/* Does e fail the check? Counts it either way. */
static bool judge(struct check *ck, const struct memtag_event_record *e)
{
	enum tagctl_class class = tagctl_class_of(e->kind);
	char site[32];
	const char *subjects[3] = { e->region_name, site, memtag_event_kind_name(e->kind) };

	if (!(ck->fail_on & class) || (ck->pid >= 0 && e->tgid != (uint32_t)ck->pid))
		return false;
	snprintf(site, sizeof(site), "%#" PRIx64, e->site);
	if (suppressions_match(&ck->sup, class, subjects, 3)) {
		ck->suppressed++;
		return false;
	}
	ck->found[class_index(class)]++;
	ck->failing |= class;
	return true;
}

static void report_suppressions(const struct check *ck)
{
	size_t i;

	for (i = 0; i < ck->sup.count; i++)
		printf("suppression %s:%s %s\n", tagctl_class_name(ck->sup.items[i].class),
		       ck->sup.items[i].pattern,
		       ck->sup.items[i].hits ? "" : "matched nothing");
	for (i = 0; i < ck->sup.count; i++)
		if (ck->sup.items[i].hits)
			printf("suppression %s:%s matched %lu time%s\n",
			       tagctl_class_name(ck->sup.items[i].class), ck->sup.items[i].pattern,
			       ck->sup.items[i].hits, ck->sup.items[i].hits == 1 ? "" : "s");
}

static struct json_object *summary_json(const struct check *ck, struct json_object *failures)
{
	struct json_object *o = json_object_new_object(), *sups = json_object_new_array();
	size_t i;

	json_object_object_add(o, "leaks", json_object_new_uint64(ck->found[0]));
	json_object_object_add(o, "escapes", json_object_new_uint64(ck->found[1]));
	json_object_object_add(o, "misuse", json_object_new_uint64(ck->found[2]));
	json_object_object_add(o, "suppressed", json_object_new_uint64(ck->suppressed));
	for (i = 0; i < ck->sup.count; i++) {
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "class", json_object_new_string(
					       tagctl_class_name(ck->sup.items[i].class)));
		json_object_object_add(s, "pattern", json_object_new_string(ck->sup.items[i].pattern));
		json_object_object_add(s, "hits", json_object_new_uint64(ck->sup.items[i].hits));
		json_object_array_add(sups, s);
	}
	json_object_object_add(o, "suppressions", sups);
	json_object_object_add(o, "failures", failures);
	return o;
}

static int parse_args(struct check *ck, int argc, char **argv)
{
	static const struct option options[] = {
		{ "fail-on", required_argument, NULL, 'f' },
		{ "suppressions", required_argument, NULL, 's' },
		{ "pid", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	char err[512], *end;
	int c;

	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			ck->fail_on = tagctl_parse_classes(optarg, err, sizeof(err));
			if (!ck->fail_on)
				return tagctl_usage_error(&tagctl_check_command, err);
			break;
		case 's':
			if (suppressions_load(optarg, &ck->sup, err, sizeof(err)))
				return tagctl_usage_error(&tagctl_check_command, err);
			break;
		case 'P':
			ck->pid = strtol(optarg, &end, 10);
			if (*end || ck->pid < 0)
				return tagctl_usage_error(&tagctl_check_command, "--pid needs a pid");
			break;
		default:
			return tagctl_usage_error(&tagctl_check_command, "unknown option");
		}
	}
	if (optind < argc)
		return tagctl_usage_error(&tagctl_check_command, "unexpected argument");
	return TAGCTL_EXIT_OK;
}

static int run_check(const struct tagctl_options *opts, int argc, char **argv)
{
	struct check ck = { .fail_on = TAGCTL_ALL_CLASSES, .pid = -1 };
	struct memtag_event_record *events = NULL;
	struct json_object *failures = json_object_new_array(), *summary;
	struct memtag_client *client = NULL;
	size_t n = 0, i;
	int ret;

	ret = parse_args(&ck, argc, argv);
	if (!ret)
		ret = tagctl_connect(&client);
	if (!ret && (ret = memtag_event_list(client, &events, &n)))
		ret = tagctl_fail(client, "check", ret);
	for (i = 0; !ret && i < n; i++) {
		if (!judge(&ck, &events[i]))
			continue;
		if (opts->json)
			json_object_array_add(failures, tagctl_event_json(&events[i]));
		else
			tagctl_print_event(&events[i]);
	}
	if (!ret) {
		if (opts->json) {
			summary = summary_json(&ck, failures);
			failures = NULL;
			tagctl_print_json(opts, summary);
			json_object_put(summary);
		} else {
			report_suppressions(&ck);
			printf("check: %lu leaks, %lu escapes, %lu misuse, %lu suppressed\n",
			       ck.found[0], ck.found[1], ck.found[2], ck.suppressed);
		}
		ret = ck.failing ? TAGCTL_EXIT_CHECK + (int)ck.failing : TAGCTL_EXIT_OK;
	}
	json_object_put(failures);
	free(events);
	suppressions_free(&ck.sup);
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_check_command = {
	.name = "check",
	.summary = "CI gate: exit 0 when clean, 8+1 leaks, +2 escapes, +4 misuse",
	.usage = "tagctl [-j] check [--fail-on leak,escape,misuse] [--suppressions FILE] [--pid P]",
	.run = run_check,
};
