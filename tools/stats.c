// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl stats: counters in the manner of Go's runtime.MemStats. The module's
 * (regions, bytes, events by kind) and each process's allocation totals
 * from its profile (allocated, freed, in use, leaked). With --interval, one
 * sample per line (or JSON object per line) with the change since the last.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "memtag.h"
#include "leak_groups.h"
#include "region_view.h"
#include "tagctl.h"
#include "text.h"

/* A named value; counters only grow, gauges go both ways. */
struct stat_value {
	const char *name;
	uint64_t value;
};

#define N_MODULE 9
#define N_PROCESS 8

/* Allocation totals of one process (or of all shown), from profile sites. */
struct proc_totals {
	uint32_t tgid;
	char comm[16];
	bool alive;
	uint64_t v[N_PROCESS];
};

struct sample {
	uint64_t time_ns;
	struct memtag_status st;
	struct proc_totals total;
	struct proc_totals *procs;
	size_t nr_procs;
};

struct stats_args {
	long pid;			/* -1: every process */
	uint64_t interval_ns;		/* 0: one report */
	long count;			/* samples; -1: until interrupted */
};

static const char *const process_names[N_PROCESS] = {
	"alloc_objects", "alloc_bytes", "free_objects", "free_bytes",
	"inuse_objects", "inuse_bytes", "leaked_objects", "leaked_bytes",
};

static void module_values(const struct memtag_status *st, struct stat_value *v)
{
	const struct stat_value all[N_MODULE] = {
		{ "regions_created", st->regions_created },
		{ "regions_ended", st->regions_ended },
		{ "regions_leaked", st->regions_leaked },
		{ "regions_live", st->regions_live },
		{ "bytes_reserved", st->bytes_reserved },
		{ "violations", st->violations },
		{ "events", st->events },
		{ "events_dropped", st->events_dropped },
		{ "profiles", st->profiles },
	};

	memcpy(v, all, sizeof(all));
}

/* In use is allocated minus freed; for an exited process, what it held at exit. */
static void add_site(struct proc_totals *t, const struct memtag_site *s)
{
	uint64_t inuse_objects, inuse_bytes;

	leak_site_in_use(s, &inuse_objects, &inuse_bytes);
	t->v[0] += s->alloc_objects;
	t->v[1] += s->alloc_bytes;
	t->v[2] += s->free_objects;
	t->v[3] += s->free_bytes;
	t->v[4] += inuse_objects;
	t->v[5] += inuse_bytes;
	t->v[6] += s->leaked_objects;
	t->v[7] += s->leaked_bytes;
}

static void add_totals(struct proc_totals *sum, const struct proc_totals *p)
{
	size_t i;

	for (i = 0; i < N_PROCESS; i++)
		sum->v[i] += p->v[i];
}

static int take_processes(struct sample *s, const struct memtag_profile *p, size_t n)
{
	size_t i, j;

	s->procs = calloc(n ? n : 1, sizeof(*s->procs));
	if (!s->procs)
		return -ENOMEM;
	s->nr_procs = n;
	for (i = 0; i < n; i++) {
		s->procs[i].tgid = p[i].tgid;
		snprintf(s->procs[i].comm, sizeof(s->procs[i].comm), "%s", p[i].comm);
		s->procs[i].alive = !p[i].exited_ns;
		for (j = 0; j < p[i].nr_sites; j++)
			add_site(&s->procs[i], &p[i].sites[j]);
		add_totals(&s->total, &s->procs[i]);
	}
	return 0;
}

static int take_sample(struct memtag_client *client, const struct stats_args *a,
		       struct sample *s)
{
	struct memtag_profile *profiles;
	size_t n;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = memtag_status_get(client, &s->st);
	if (!ret)
		ret = memtag_profile_list(client, a->pid > 0 ? (uint32_t)a->pid : 0, &profiles, &n);
	if (ret)
		return ret;
	s->time_ns = tagctl_now_ns();
	ret = take_processes(s, profiles, n);
	memtag_profile_list_free(profiles, n);
	return ret;
}

static void free_sample(struct sample *s)
{
	free(s->procs);
	s->procs = NULL;
}

static struct json_object *values_json(const struct stat_value *v, size_t n)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_object_add(o, v[i].name, json_object_new_uint64(v[i].value));
	return o;
}

/* Changes since the last sample: gauges can fall, so signed. */
static struct json_object *deltas_json(const struct stat_value *now, const struct stat_value *then,
				       size_t n)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_object_add(o, now[i].name,
				       json_object_new_int64((int64_t)(now[i].value - then[i].value)));
	return o;
}

static void process_values(const struct proc_totals *p, struct stat_value *v)
{
	size_t i;

	for (i = 0; i < N_PROCESS; i++) {
		v[i].name = process_names[i];
		v[i].value = p->v[i];
	}
}

static struct json_object *process_json(const struct proc_totals *p)
{
	struct stat_value v[N_PROCESS];
	struct json_object *o;

	process_values(p, v);
	o = values_json(v, N_PROCESS);
	json_object_object_add(o, "pid", json_object_new_int64(p->tgid));
	json_object_object_add(o, "comm", json_object_new_string(p->comm));
	json_object_object_add(o, "alive", json_object_new_boolean(p->alive));
	return o;
}

static struct json_object *events_json(const struct memtag_status *st)
{
	struct json_object *o = json_object_new_object();
	int kind;

	for (kind = 1; kind <= MEMTAG_EVENT_MAX; kind++)
		json_object_object_add(o, memtag_event_kind_name(kind),
				       json_object_new_uint64(st->event_totals[kind]));
	return o;
}

static struct json_object *sample_json(const struct sample *s, const struct sample *prev)
{
	struct stat_value m[N_MODULE], pm[N_MODULE], t[N_PROCESS], pt[N_PROCESS];
	struct json_object *o = json_object_new_object(), *procs = json_object_new_array();
	struct json_object *delta = NULL;
	size_t i;

	module_values(&s->st, m);
	process_values(&s->total, t);
	json_object_object_add(o, "time_ns", json_object_new_uint64(s->time_ns));
	json_object_object_add(o, "module", values_json(m, N_MODULE));
	json_object_object_add(o, "events", events_json(&s->st));
	json_object_object_add(o, "total", values_json(t, N_PROCESS));
	for (i = 0; i < s->nr_procs; i++)
		json_object_array_add(procs, process_json(&s->procs[i]));
	json_object_object_add(o, "processes", procs);
	if (prev) {
		module_values(&prev->st, pm);
		process_values(&prev->total, pt);
		delta = json_object_new_object();
		json_object_object_add(delta, "interval_ns",
				       json_object_new_uint64(s->time_ns - prev->time_ns));
		json_object_object_add(delta, "module", deltas_json(m, pm, N_MODULE));
		json_object_object_add(delta, "total", deltas_json(t, pt, N_PROCESS));
	}
	json_object_object_add(o, "delta", delta);
	return o;
}

static void print_values(const char *title, const struct stat_value *v, size_t n)
{
	size_t i;

	printf("%s:\n", title);
	for (i = 0; i < n; i++)
		printf("  %-16s %" PRIu64 "\n", v[i].name, v[i].value);
}

static void print_report(const struct sample *s)
{
	struct stat_value m[N_MODULE], t[N_PROCESS];
	size_t i;
	int kind;

	module_values(&s->st, m);
	process_values(&s->total, t);
	print_values("module", m, N_MODULE);
	printf("events by kind:%s\n", s->st.events ? "" : " none");
	for (kind = 1; kind <= MEMTAG_EVENT_MAX; kind++)
		if (s->st.event_totals[kind])
			printf("  %-22s %" PRIu64 "\n", memtag_event_kind_name(kind),
			       s->st.event_totals[kind]);
	print_values("allocations (all processes shown)", t, N_PROCESS);
	printf("%-8s %-16s %-6s %12s %14s %12s %14s %12s %14s\n", "PID", "COMM", "STATE",
	       "ALLOCS", "ALLOC-BYTES", "FREES", "FREE-BYTES", "INUSE", "INUSE-BYTES");
	for (i = 0; i < s->nr_procs; i++) {
		const struct proc_totals *p = &s->procs[i];

		printf("%-8" PRIu32 " %-16s %-6s %12" PRIu64 " %14" PRIu64 " %12" PRIu64
		       " %14" PRIu64 " %12" PRIu64 " %14" PRIu64 "\n", p->tgid, tagctl_text(p->comm),
		       p->alive ? "alive" : "exited", p->v[0], p->v[1], p->v[2], p->v[3],
		       p->v[4], p->v[5]);
	}
}

/* One line per sample: "name value (+change)" for the module and the processes. */
static void print_line(const struct sample *s, const struct sample *prev)
{
	struct stat_value v[N_MODULE + N_PROCESS], pv[N_MODULE + N_PROCESS];
	size_t i;

	module_values(&s->st, v);
	process_values(&s->total, v + N_MODULE);
	printf("%.3f", (double)s->time_ns / 1e9);
	if (prev) {
		module_values(&prev->st, pv);
		process_values(&prev->total, pv + N_MODULE);
	}
	for (i = 0; i < N_MODULE + N_PROCESS; i++) {
		printf(" %s %" PRIu64, v[i].name, v[i].value);
		if (prev)
			printf(" (%+" PRId64 ")", (int64_t)(v[i].value - pv[i].value));
	}
	printf("\n");
}

static void print_sample(const struct tagctl_options *opts, const struct stats_args *a,
			 const struct sample *s, const struct sample *prev)
{
	struct json_object *o;

	if (opts->json) {
		o = sample_json(s, prev);
		tagctl_print_json(opts, o);
		json_object_put(o);
	} else if (a->interval_ns) {
		print_line(s, prev);
	} else {
		print_report(s);
	}
	fflush(stdout);		/* a stream: each sample as it comes */
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ULL),
			       .tv_nsec = (long)(ns % 1000000000ULL) };

	while (nanosleep(&ts, &ts))
		;
}

static int sample_loop(const struct tagctl_options *opts, const struct stats_args *a,
		       struct memtag_client *client)
{
	struct sample s[2];
	struct sample *now = &s[0], *prev = NULL;
	long taken;
	int ret = 0;

	for (taken = 0; a->count < 0 || taken < a->count; taken++) {
		if (taken)
			sleep_ns(a->interval_ns);
		ret = take_sample(client, a, now);
		if (ret)
			break;
		print_sample(opts, a, now, prev);
		if (prev)
			free_sample(prev);
		prev = now;
		now = now == &s[0] ? &s[1] : &s[0];
	}
	if (prev)
		free_sample(prev);
	return ret ? tagctl_fail(client, "stats", ret) : TAGCTL_EXIT_OK;
}

static int stats_option(int c, const char *arg, void *ctx)
{
	const struct tagctl_command *cmd = &tagctl_stats_command;
	struct stats_args *a = ctx;

	if (c == 'i') {
		if (tagctl_parse_duration_ns(arg, &a->interval_ns) || !a->interval_ns)
			return tagctl_usage_error(cmd, "--interval takes 250ms, 1.5s, 5m (more than 0)");
		return TAGCTL_EXIT_OK;
	}
	if (tagctl_parse_long(arg, 1, LONG_MAX, &a->count))
		return tagctl_usage_error(cmd, "--count needs a number of samples");
	return TAGCTL_EXIT_OK;
}

static const struct tagctl_opt stats_opts[] = {
	{ 'P', 'P', "pid", "P", "allocation totals of process P" },
	{ 'i', 'i', "interval", "D", "sample every D (250ms, 1.5s, 5m; plain: seconds)" },
	{ 'c', 'c', "count", "N", "take N samples (without -i: one a second)" },
	{ 0 },
};

static int parse_args(struct stats_args *a, int argc, char **argv)
{
	int ret = tagctl_parse_args(&tagctl_stats_command, argc, argv, &a->pid, stats_option, a);

	/* --count alone samples every second; --interval alone runs until stopped */
	if (a->count > 1 && !a->interval_ns)
		a->interval_ns = 1000000000ULL;
	if (a->count < 0 && !a->interval_ns)
		a->count = 1;
	return ret;
}

static int run_stats(const struct tagctl_options *opts, int argc, char **argv)
{
	struct stats_args a = { .pid = -1, .count = -1 };
	struct memtag_client *client;
	int ret;

	ret = parse_args(&a, argc, argv);
	if (ret || (ret = tagctl_connect(&client)))
		return ret;
	ret = sample_loop(opts, &a, client);
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_stats_command = {
	.name = "stats",
	.summary = "counters of the module and allocation totals per process",
	.options = stats_opts,
	.run = run_stats,
};
