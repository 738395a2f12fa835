// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl top: processes using memtag, live (ncurses): regions, bytes, leaks,
 * violations per second. Refreshes every -d seconds, q quits. When stdout is
 * not a terminal, or with -j, one snapshot is printed, so scripts and tests
 * can read it.
 */
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "memtag.h"
#include "classes.h"
#include "leaks.h"
#include "tagctl.h"
#include "text.h"

struct top_row {
	uint32_t tgid;
	char comm[16];
	size_t regions;			/* live */
	uint64_t reserved;		/* bytes of its live regions */
	uint64_t inuse;			/* bytes allocated and not freed (profile) */
	size_t leaks;			/* as tagctl leaks counts them */
	uint64_t violations;		/* escapes and misuse in the last window */
	double per_s;
};

struct snapshot {
	struct top_row *rows;
	size_t count;
	uint64_t window_ns;
};

/* The row of tgid, added when new; NULL when out of memory. */
static struct top_row *row_of(struct snapshot *s, uint32_t tgid)
{
	struct top_row *grown;
	size_t i;

	for (i = 0; i < s->count; i++)
		if (s->rows[i].tgid == tgid)
			return &s->rows[i];
	grown = realloc(s->rows, (s->count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	s->rows = grown;
	memset(&s->rows[s->count], 0, sizeof(*s->rows));
	s->rows[s->count].tgid = tgid;
	return &s->rows[s->count++];
}

static int add_profiles(struct snapshot *s, const struct memtag_profile *p, size_t n)
{
	struct top_row *row;
	uint64_t objects, bytes;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (p[i].exited_ns)
			continue;
		row = row_of(s, p[i].tgid);
		if (!row)
			return -ENOMEM;
		snprintf(row->comm, sizeof(row->comm), "%s", p[i].comm);
		for (j = 0; j < p[i].nr_sites; j++) {
			leak_site_in_use(&p[i].sites[j], &objects, &bytes);
			row->inuse += bytes;
		}
	}
	return 0;
}

static int add_regions(struct snapshot *s, const struct memtag_region_record *r, size_t n)
{
	struct top_row *row;
	size_t i;

	for (i = 0; i < n; i++) {
		if (r[i].state != MEMTAG_REGION_LIVE)
			continue;
		row = row_of(s, r[i].tgid);
		if (!row)
			return -ENOMEM;
		row->regions++;
		row->reserved += r[i].bytes_reserved;
	}
	return 0;
}

/* Counted only for the processes shown: those alive. */
static void add_leaks(struct snapshot *s, const struct leak_item *items, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < s->count; j++)
			if (s->rows[j].tgid == items[i].tgid)
				s->rows[j].leaks++;
}

static void add_violations(struct snapshot *s, const struct memtag_event_record *e, size_t n,
			   uint64_t now_ns)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (tagctl_class_of(e[i].kind) == TAGCTL_LEAK || e[i].time_ns + s->window_ns < now_ns)
			continue;
		for (j = 0; j < s->count; j++)
			if (s->rows[j].tgid == e[i].tgid)
				s->rows[j].violations++;
	}
	for (j = 0; j < s->count; j++)
		s->rows[j].per_s = (double)s->rows[j].violations * 1e9 / (double)s->window_ns;
}

/* A process without a profile (no allocations yet) is named by /proc. */
static void fill_comm(struct top_row *row)
{
	char path[64];
	FILE *f;

	if (row->comm[0])
		return;
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/comm", row->tgid);
	f = fopen(path, "r");
	if (f && fgets(row->comm, sizeof(row->comm), f))
		row->comm[strcspn(row->comm, "\n")] = '\0';
	if (f)
		fclose(f);
}

static int by_reserved(const void *a, const void *b)
{
	const struct top_row *ra = a, *rb = b;

	if (ra->reserved != rb->reserved)
		return ra->reserved < rb->reserved ? 1 : -1;
	return ra->tgid < rb->tgid ? -1 : ra->tgid > rb->tgid;
}

static int take_snapshot(struct memtag_client *client, struct snapshot *s)
{
	struct leak_records r;
	size_t i;
	int ret;

	s->count = 0;
	ret = leak_records_load(client, -1, &r);
	if (!ret)
		ret = add_profiles(s, r.sy.profiles, r.sy.nr_profiles);
	if (!ret)
		ret = add_regions(s, r.regions, r.nr_regions);
	if (!ret) {
		add_leaks(s, r.items, r.nr_items);
		add_violations(s, r.events, r.nr_events, tagctl_now_ns());
		for (i = 0; i < s->count; i++)
			fill_comm(&s->rows[i]);
		qsort(s->rows, s->count, sizeof(*s->rows), by_reserved);
	}
	leak_records_free(&r);
	return ret;
}

static const char header_format[] = "%-8s %-16s %8s %14s %14s %6s %8s";
static const char row_format[] = "%-8" PRIu32 " %-16s %8zu %14s %14s %6zu %8.1f";

/* One row's text; -h writes its sizes in K/M/G. */
static const char *format_row(const struct top_row *r, bool human, char *buf, size_t len)
{
	char reserved[24], inuse[24];

	if (human) {
		tagctl_human_size(r->reserved, reserved, sizeof(reserved));
		tagctl_human_size(r->inuse, inuse, sizeof(inuse));
	} else {
		snprintf(reserved, sizeof(reserved), "%" PRIu64, r->reserved);
		snprintf(inuse, sizeof(inuse), "%" PRIu64, r->inuse);
	}
	snprintf(buf, len, row_format, r->tgid, tagctl_text(r->comm), r->regions, reserved, inuse,
		 r->leaks, r->per_s);
	return buf;
}

static struct json_object *row_json(const struct top_row *row)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "pid", json_object_new_int64(row->tgid));
	json_object_object_add(o, "comm", json_object_new_string(row->comm));
	json_object_object_add(o, "regions", json_object_new_uint64(row->regions));
	json_object_object_add(o, "bytes_reserved", json_object_new_uint64(row->reserved));
	json_object_object_add(o, "inuse_bytes", json_object_new_uint64(row->inuse));
	json_object_object_add(o, "leaks", json_object_new_uint64(row->leaks));
	json_object_object_add(o, "violations", json_object_new_uint64(row->violations));
	json_object_object_add(o, "violations_per_s", json_object_new_double(row->per_s));
	return o;
}

static void print_snapshot(const struct tagctl_options *opts, const struct snapshot *s)
{
	struct json_object *list;
	char row[256];
	size_t i;

	if (opts->json) {
		list = json_object_new_array();
		for (i = 0; i < s->count; i++)
			json_object_array_add(list, row_json(&s->rows[i]));
		tagctl_print_json(opts, list);
		json_object_put(list);
		return;
	}
	printf(header_format, "PID", "COMM", "REGIONS", "RESERVED", "INUSE", "LEAKS", "VIOL/S");
	printf("\n");
	for (i = 0; i < s->count; i++)
		printf("%s\n", format_row(&s->rows[i], opts->human, row, sizeof(row)));
}

static void draw(const struct snapshot *s, double delay, bool human)
{
	char row[256];
	size_t i;
	int y = 2;

	erase();
	mvprintw(0, 0, "memtag top: %zu processes, refresh %.1fs, q quits", s->count, delay);
	attron(A_REVERSE);
	mvprintw(1, 0, header_format, "PID", "COMM", "REGIONS", "RESERVED", "INUSE", "LEAKS",
		 "VIOL/S");
	attroff(A_REVERSE);
	for (i = 0; i < s->count && y < LINES; i++, y++)
		mvprintw(y, 0, "%s", format_row(&s->rows[i], human, row, sizeof(row)));
	refresh();
}

static int live_view(struct memtag_client *client, struct snapshot *s, double delay,
		     bool human)
{
	int ret = 0, key = 0;

	initscr();
	cbreak();
	noecho();
	curs_set(0);
	timeout((int)(delay * 1000));
	while (key != 'q' && key != 'Q') {
		ret = take_snapshot(client, s);
		if (ret)
			break;
		draw(s, delay, human);
		key = getch();
	}
	endwin();
	return ret;
}

/* -d as top(1) has it, -i as stats has it: the same option */
static const struct tagctl_opt top_opts[] = {
	{ 'd', 'd', "delay", "D", "refresh every D: 0.1 to 3600 s (1.5, 1.5s, 500ms, 1m)" },
	{ 'd', 'i', "interval", "D", "the same as --delay" },
	{ 0 },
};

static int top_option(int c, const char *arg, void *ctx)
{
	uint64_t ns;

	(void)c;	/* only --delay */
	if (tagctl_parse_duration_ns(arg, &ns) || ns < 100000000ULL || ns > 3600000000000ULL)
		return tagctl_usage_error(&tagctl_top_command, "-d takes seconds, 0.1 to 3600");
	*(double *)ctx = (double)ns / 1e9;
	return TAGCTL_EXIT_OK;
}

static int parse_args(double *delay, int argc, char **argv)
{
	return tagctl_parse_args(&tagctl_top_command, argc, argv, NULL, top_option, delay);
}

static int run_top(const struct tagctl_options *opts, int argc, char **argv)
{
	struct memtag_client *client;
	struct snapshot s = { 0 };
	double delay = 1.0;
	int ret;

	ret = parse_args(&delay, argc, argv);
	if (ret || (ret = tagctl_connect(&client)))
		return ret;
	s.window_ns = (uint64_t)(delay * 1e9);
	if (opts->json || !isatty(STDOUT_FILENO)) {
		ret = take_snapshot(client, &s);
		if (!ret)
			print_snapshot(opts, &s);
	} else {
		ret = live_view(client, &s, delay, opts->human);
	}
	if (ret)
		ret = tagctl_fail(client, "top", ret);
	free(s.rows);
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_top_command = {
	.name = "top",
	.summary = "processes live: regions, bytes, leaks, violations per second",
	.options = top_opts,
	.run = run_top,
};
