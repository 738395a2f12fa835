// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl check: the CI gate. Exit 0 when clean, 8 + a bit per failing class. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "classes.h"
#include "leaks.h"
#include "suppressions.h"
#include "tagctl.h"
#include "window.h"

struct check {
	unsigned int fail_on;
	long pid;			/* -1: every process */
	struct suppressions sup;
	unsigned long found[3], suppressed;
	unsigned int failing;
	struct leak_window window;	/* --since */
	int64_t last_seq;
};

static int class_index(enum tagctl_class c)
{
	return c == TAGCTL_LEAK ? 0 : c == TAGCTL_ESCAPE ? 1 : 2;
}

/* What a suppression pattern is matched against. */
#define FRAME_SUBJECTS (3 + 2 * TAGCTL_INLINED_MAX)
#define MAX_SUBJECTS (3 + 2 * FRAME_SUBJECTS * MEMTAG_STACK_MAX)

struct subjects {
	const char *text[MAX_SUBJECTS];
	size_t count;
	char site[32];
};

/* Region name, site address and kind, as before sites had names. */
static void base_subjects(struct subjects *sb, const char *region_name, uint64_t site,
			  const char *kind)
{
	snprintf(sb->site, sizeof(sb->site), "%#" PRIx64, site);
	sb->text[0] = region_name;
	sb->text[1] = sb->site;
	sb->text[2] = kind;
	sb->count = 3;
}

static void add_subject(struct subjects *sb, const char *text)
{
	if (text[0] && sb->count < MAX_SUBJECTS)
		sb->text[sb->count++] = text;
}

/* A symbolized frame: its functions (inlined ones too), source files and binary. */
static void frame_subjects(struct subjects *sb, const struct tagctl_frame *f)
{
	unsigned int i;

	add_subject(sb, f->function);
	add_subject(sb, f->file);
	/* LeakSanitizer names a frame in no module "<unknown module>" */
	add_subject(sb, f->binary[0] || !f->address ? f->binary : "<unknown module>");
	for (i = 0; i < f->nr_inlined; i++) {
		add_subject(sb, f->inlined[i].function);
		add_subject(sb, f->inlined[i].file);
	}
}

/* Does a finding of class fail the check? Counts it either way. */
static bool judge(struct check *ck, enum tagctl_class class, const struct subjects *sb)
{
	if (suppressions_match(&ck->sup, class, sb->text, sb->count)) {
		ck->suppressed++;
		return false;
	}
	ck->found[class_index(class)]++;
	ck->failing |= class;
	return true;
}

static bool wanted(const struct check *ck, enum tagctl_class class, uint32_t tgid)
{
	return (ck->fail_on & class) && (ck->pid < 0 || tgid == (uint32_t)ck->pid);
}

/* Escapes and misuse; leaks are judged as leak items (judge_leak). */
static bool judge_event(struct check *ck, struct tagctl_symbols *sy,
			const struct memtag_event_record *e)
{
	enum tagctl_class class = tagctl_class_of(e->kind);
	struct tagctl_frame site, pc;
	struct subjects sb;

	if (class == TAGCTL_LEAK || !wanted(ck, class, e->tgid) ||
	    !leak_window_event(&ck->window, e))
		return false;
	tagctl_symbols_event(sy, e, &site, &pc);
	base_subjects(&sb, e->region_name, e->site, memtag_event_kind_name(e->kind));
	frame_subjects(&sb, &site);
	frame_subjects(&sb, &pc);
	return judge(ck, class, &sb);
}

/* Call only for an item the check wants (its frames are symbolized for this). */
static bool judge_leak(struct check *ck, const struct leak_item *it,
		       const struct tagctl_frame *frames, unsigned int depth)
{
	struct subjects sb;
	unsigned int i;

	base_subjects(&sb, it->region_name, depth ? it->stack[0] : 0, leak_kind_name(it->kind));
	for (i = 0; i < depth; i++)
		frame_subjects(&sb, &frames[i]);
	return judge(ck, TAGCTL_LEAK, &sb);
}

/* Which suppressions were used, and how often: stale ones are worth removing. */
static void report_suppressions(const struct check *ck)
{
	const struct suppression *sup;
	size_t i;

	for (i = 0; i < ck->sup.count; i++) {
		sup = &ck->sup.items[i];
		printf("suppression %s:%s ", tagctl_class_name(sup->class), sup->pattern);
		if (sup->hits)
			printf("matched %lu time%s\n", sup->hits, sup->hits == 1 ? "" : "s");
		else
			printf("matched nothing\n");
	}
}

static struct json_object *summary_json(const struct check *ck, struct json_object *failures)
{
	struct json_object *o = json_object_new_object(), *sups = json_object_new_array();
	size_t i;

	json_object_object_add(o, "leaks", json_object_new_uint64(ck->found[0]));
	json_object_object_add(o, "escapes", json_object_new_uint64(ck->found[1]));
	json_object_object_add(o, "misuse", json_object_new_uint64(ck->found[2]));
	json_object_object_add(o, "suppressed", json_object_new_uint64(ck->suppressed));
	json_object_object_add(o, "since", json_object_new_int64(ck->window.since));
	json_object_object_add(o, "last_seq", json_object_new_int64(ck->last_seq));
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

static int check_option(int c, const char *arg, void *ctx)
{
	struct check *ck = ctx;
	char err[512];

	if (c == 'a')
		return tagctl_parse_since(&tagctl_check_command, arg, &ck->window.since);
	if (c == 'f') {
		ck->fail_on = tagctl_parse_classes(arg, err, sizeof(err));
		if (!ck->fail_on)
			return tagctl_usage_error(&tagctl_check_command, err);
	} else if (suppressions_load(arg, &ck->sup, err, sizeof(err))) {
		return tagctl_usage_error(&tagctl_check_command, err);
	}
	return TAGCTL_EXIT_OK;
}

static const struct tagctl_opt check_opts[] = {
	{ 'f', 'f', "fail-on", "CLASSES", "fail on these of leak,escape,misuse (default: all)" },
	{ 's', 's', "suppressions", "FILE", "CLASS:PATTERN lines, as LeakSanitizer's" },
	{ 'P', 'P', "pid", "P", "findings of process P only" },
	{ 'a', 'a', "since", "SEQ", "findings recorded after sequence number SEQ only" },
	{ 0 },
};

static int parse_args(struct check *ck, int argc, char **argv)
{
	return tagctl_parse_args(&tagctl_check_command, argc, argv, &ck->pid, check_option, ck);
}

/* Judge every finding; failures go to the array (JSON) or stdout. */
static void judge_all(struct check *ck, struct leak_records *d, struct json_object *failures)
{
	struct tagctl_frame frames[MEMTAG_STACK_MAX];
	const struct leak_item *it;
	unsigned int depth;
	size_t i;

	for (i = 0; i < d->nr_events; i++) {
		if (!judge_event(ck, &d->sy, &d->events[i]))
			continue;
		if (failures)
			json_object_array_add(failures,
					      tagctl_event_json_symbolized(&d->events[i], &d->sy));
		else
			tagctl_print_event_symbolized(&d->events[i], &d->sy);
	}
	for (i = 0; i < d->nr_items; i++) {
		it = &d->items[i];
		if (!wanted(ck, TAGCTL_LEAK, it->tgid) ||
		    !leak_window_item(&ck->window, it, d->events, d->nr_events))
			continue;	/* symbolizing its stack would be for nothing */
		depth = leak_item_frames(&d->sy, it, frames);
		if (!judge_leak(ck, it, frames, depth))
			continue;
		if (failures)
			json_object_array_add(failures, leak_item_json(it, frames, depth));
		else
			leak_item_print(it, frames, depth);
	}
}

static void print_summary(const struct tagctl_options *opts, const struct check *ck,
			  struct json_object *failures)
{
	struct json_object *summary;

	if (opts->json) {
		summary = summary_json(ck, json_object_get(failures));
		tagctl_print_json(opts, summary);
		json_object_put(summary);
		return;
	}
	report_suppressions(ck);
	/* for the next run's --since */
	printf("last seq %" PRId64 "\n", ck->last_seq);
	printf("check: %lu leaks, %lu escapes, %lu misuse, %lu suppressed\n",
	       ck->found[0], ck->found[1], ck->found[2], ck->suppressed);
}

static int run_check(const struct tagctl_options *opts, int argc, char **argv)
{
	struct check ck = { .fail_on = TAGCTL_ALL_CLASSES, .pid = -1, .window.since = -1 };
	struct tagctl_window w = { 0 };
	struct json_object *failures = NULL;
	struct memtag_client *client = NULL;
	struct leak_records d = { 0 };
	int ret;

	ret = parse_args(&ck, argc, argv);
	if (!ret)
		ret = tagctl_connect(&client);
	w.since = ck.window.since;
	if (!ret && ((ret = tagctl_window_start(client, &w)) ||
		     (ret = leak_records_load(client, ck.pid, &d))))
		ret = tagctl_fail(client, "check", ret);
	if (!ret) {
		ck.last_seq = tagctl_window_last(&w, d.events, d.nr_events);
		leak_window_init(&ck.window, w.since, d.events, d.nr_events,
				 tagctl_window_complete(&tagctl_check_command, &w));
		failures = opts->json ? json_object_new_array() : NULL;
		judge_all(&ck, &d, failures);
		print_summary(opts, &ck, failures);
		ret = ck.failing ? TAGCTL_EXIT_CHECK + (int)ck.failing : TAGCTL_EXIT_OK;
	}
	json_object_put(failures);
	leak_records_free(&d);
	suppressions_free(&ck.sup);
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_check_command = {
	.name = "check",
	.summary = "CI gate: exit 0 when clean, 8+1 leaks, +2 escapes, +4 misuse",
	.options = check_opts,
	.run = run_check,
};
