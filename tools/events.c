// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl events: the module's record of escapes, misuse and leaks. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "memtag.h"
#include "classes.h"
#include "scan.h"
#include "symbolize.h"
#include "tagctl.h"
#include "text.h"
#include "window.h"

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
	       tagctl_text(e->region_name), e->offset);
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

/* --dump: the JSON fields of tagctl_event_json(), in order, tab-separated */
static void print_event_dump(const struct memtag_event_record *e)
{
	printf("%" PRIu64 "\t%" PRIu64 "\t%s\t%s\t%s\t%d\t%" PRIu32 "\t%s\t%" PRIu32 "\t%" PRIu32
	       "\t%" PRIu64 "\t%#" PRIx64 "\t%#" PRIx64 "\t%#" PRIx64 "\t%" PRIu64 "\t%" PRIu64 "\n",
	       e->seq, e->time_ns, memtag_event_kind_name(e->kind),
	       tagctl_class_name(tagctl_class_of(e->kind)), seen_by(e->flags),
	       !!(e->flags & MEMTAG_EVENT_F_CONTINUED), e->region, tagctl_dump_text(e->region_name),
	       e->tgid, e->uid, e->offset, e->address, e->ip, e->site, e->size, e->count);
}

/* Where an event happened and what allocated or created the memory, by name. */
static void add_symbols(struct json_object *o, const struct tagctl_frame *site,
			const struct tagctl_frame *pc)
{
	json_object_object_add(o, "site_symbol", site->address ? tagctl_frame_json(site) : NULL);
	json_object_object_add(o, "pc_symbol", pc->address ? tagctl_frame_json(pc) : NULL);
}

struct json_object *tagctl_event_json_symbolized(const struct memtag_event_record *e,
						 struct tagctl_symbols *sy)
{
	struct json_object *o = tagctl_event_json(e);
	struct tagctl_frame site, pc;

	tagctl_symbols_event(sy, e, &site, &pc);
	add_symbols(o, &site, &pc);
	return o;
}

void tagctl_print_event_symbolized(const struct memtag_event_record *e, struct tagctl_symbols *sy)
{
	struct tagctl_frame site, pc;
	char text[1024];

	tagctl_print_event(e);
	tagctl_symbols_event(sy, e, &site, &pc);
	if (pc.address)
		printf("    at   %s\n", tagctl_text(tagctl_frame_describe(&pc, text, sizeof(text))));
	if (site.address)
		printf("    site %s\n",
		       tagctl_text(tagctl_frame_describe(&site, text, sizeof(text))));
}

/* What a listing keeps. */
struct event_filter {
	unsigned int classes;
	long pid;			/* -1: every process */
	uint32_t kinds;			/* 1 << kind; 0: every kind */
	int64_t since;			/* -1: every seq */
};

bool tagctl_event_wanted(const struct memtag_event_record *e, long pid, uint32_t kinds)
{
	return (pid < 0 || e->tgid == (uint32_t)pid) &&
	       (!kinds || (e->kind <= MEMTAG_EVENT_MAX && (kinds & (1u << e->kind))));
}

static bool keep_event(const void *item, const void *ctx)
{
	const struct memtag_event_record *e = item;
	const struct event_filter *filter = ctx;

	return (filter->classes & tagctl_class_of(e->kind)) &&
	       tagctl_event_wanted(e, filter->pid, filter->kinds) &&
	       (filter->since < 0 || e->seq > (uint64_t)filter->since);
}

struct event_args {
	const struct tagctl_command *cmd;
	long pid;
	bool scan;			/* escapes: add the references a scan finds */
	uint32_t kinds;
	int64_t since;
};

static const struct tagctl_opt event_opts[] = {
	{ 'P', 'P', "pid", "P", "the record of process P only" },
	{ 'k', 'k', "kind", "KINDS", "these kinds (use-after-end,...) or classes only" },
	{ 'a', 'a', "since", "SEQ", "records after sequence number SEQ only; says the last" },
	{ 0 },
};

static const struct tagctl_opt escape_opts[] = {
	{ 'P', 'P', "pid", "P", "escapes of process P" },
	{ 'k', 'k', "kind", "KINDS", "these kinds (use-after-end,...) only" },
	{ 'a', 'a', "since", "SEQ", "records after sequence number SEQ only; says the last" },
	{ 's', 's', "scan", NULL, "add the dangling references a scan finds" },
	{ 0 },
};

int tagctl_parse_kind_option(const struct tagctl_command *cmd, const char *arg, uint32_t *kinds)
{
	char err[256], why[300];

	*kinds = tagctl_parse_kinds(arg, err, sizeof(err));
	if (*kinds)
		return TAGCTL_EXIT_OK;
	snprintf(why, sizeof(why), "--kind: %s", err);
	return tagctl_usage_error(cmd, why);
}

static int event_option(int c, const char *arg, void *ctx)
{
	struct event_args *a = ctx;

	switch (c) {
	case 'k':
		return tagctl_parse_kind_option(a->cmd, arg, &a->kinds);
	case 'a':
		return tagctl_parse_since(a->cmd, arg, &a->since);
	default:
		a->scan = true;	/* escapes only: the others' tables lack it */
		return TAGCTL_EXIT_OK;
	}
}

static int parse_event_args(int argc, char **argv, struct event_args *a)
{
	return tagctl_parse_args(a->cmd, argc, argv, &a->pid, event_option, a);
}

/* Sites are named when the profiles can be read; addresses do otherwise. */
static void load_symbols(struct tagctl_symbols *sy, struct memtag_client *client, long pid)
{
	int ret = tagctl_symbols_load(sy, client, pid > 0 ? (uint32_t)pid : 0);

	if (ret)
		fprintf(stderr, "tagctl: cannot read allocation profiles (%s): sites are shown "
				"as addresses\n", strerror(-ret));
}

static int print_events(const struct tagctl_options *opts, const struct event_args *a,
			const struct memtag_event_record *e, size_t n, struct tagctl_symbols *sy,
			int64_t last)
{
	struct json_object *array = opts->json ? json_object_new_array() : NULL;
	size_t i, scanned = 0;
	int ret = TAGCTL_EXIT_OK;

	for (i = 0; i < n; i++) {
		if (array)
			json_object_array_add(array, tagctl_event_json_symbolized(&e[i], sy));
		else if (opts->dump)
			print_event_dump(&e[i]);
		else
			tagctl_print_event_symbolized(&e[i], sy);
	}
	if (a->scan)
		ret = tagctl_scan_append(a->pid, array, &scanned);	/* dangling references */
	if (array) {
		tagctl_print_json(opts, array);
		json_object_put(array);
	} else if (opts->dump) {
		/* a dump has records only: the last seq goes to stderr */
		if (a->since >= 0)
			fprintf(stderr, "last seq %" PRId64 "\n", last);
	} else {
		if (!n && !scanned)
			printf("no events recorded%s\n", a->since >= 0 ? " after that seq" : "");
		/* for the next run's --since */
		if (a->since >= 0)
			printf("last seq %" PRId64 "\n", last);
	}
	return ret;
}

/* events, escapes and violations: one listing, a class filter and --pid */
static int run_event_list(const struct tagctl_options *opts, int argc, char **argv,
			  const struct tagctl_command *cmd, unsigned int classes)
{
	struct event_args a = { .cmd = cmd, .pid = -1, .since = -1 };
	struct event_filter filter = { .classes = classes };
	struct memtag_event_record *events = NULL;
	struct tagctl_window w = { 0 };
	struct tagctl_symbols sy = { 0 };
	struct memtag_client *client;
	int64_t last = -1;
	size_t n;
	int ret;

	ret = parse_event_args(argc, argv, &a);
	if (!ret && a.scan && opts->dump)
		ret = tagctl_usage_error(cmd, "--scan has no --dump form (scan's lines differ)");
	if (ret || (ret = tagctl_connect(&client)))
		return ret;
	w.since = a.since;
	ret = a.since >= 0 ? tagctl_window_start(client, &w) : 0;
	if (!ret)
		ret = memtag_event_list(client, &events, &n);
	if (ret) {
		ret = tagctl_fail(client, cmd->name, ret);
	} else {
		last = tagctl_window_last(&w, events, n);
		tagctl_window_complete(cmd, &w);
		filter.pid = a.pid;
		filter.kinds = a.kinds;
		filter.since = a.since;
		n = tagctl_keep(events, n, sizeof(*events), keep_event, &filter);
		load_symbols(&sy, client, a.pid);
		ret = print_events(opts, &a, events, n, &sy, last);
	}
	tagctl_symbols_free(&sy);
	free(events);
	memtag_client_close(client);
	return ret;
}

static int run_events(const struct tagctl_options *opts, int argc, char **argv)
{
	return run_event_list(opts, argc, argv, &tagctl_events_command, TAGCTL_ALL_CLASSES);
}

static int run_escapes(const struct tagctl_options *opts, int argc, char **argv)
{
	return run_event_list(opts, argc, argv, &tagctl_escapes_command, TAGCTL_ESCAPE);
}

static int run_violations(const struct tagctl_options *opts, int argc, char **argv)
{
	return run_event_list(opts, argc, argv, &tagctl_violations_command, TAGCTL_MISUSE);
}

const struct tagctl_command tagctl_events_command = {
	.name = "events",
	.summary = "recorded escapes, misuse and leaks, oldest first",
	.options = event_opts,
	.run = run_events,
	.dump = true,
};

const struct tagctl_command tagctl_escapes_command = {
	.name = "escapes",
	.summary = "uses of memory after its region ended or was reset",
	.options = escape_opts,
	.run = run_escapes,
	.dump = true,
};

const struct tagctl_command tagctl_violations_command = {
	.name = "violations",
	.summary = "misuse: bad frees, overflows, use after free, foreign regions",
	.options = event_opts,
	.run = run_violations,
	.dump = true,
};
