// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl leaks: the leak checker's summary, in the manner of LeakSanitizer.
 * Leaked regions by creation site, leaked allocations by allocation site
 * (strict regions, and processes that exited holding them), and live
 * regions that keep growing. A report, not a gate: tagctl check is the gate.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "memtag.h"
#include "leaks.h"
#include "leak_report.h"
#include "tagctl.h"
#include "text.h"

#define DEFAULT_GROWING 5

struct leaks_args {
	long pid;			/* -1: every process */
	unsigned long growing;		/* live regions grown this many samples in a row */
};

/* Everything the report is made of. */
struct leaks_data {
	struct leak_records rec;
	struct leak_groups groups;
	uint64_t now_ns;
};

int leak_records_load(struct memtag_client *client, long pid, struct leak_records *r)
{
	struct leak_sources src = { .pid = pid };
	int ret;

	memset(r, 0, sizeof(*r));
	ret = memtag_region_list(client, &r->regions, &r->nr_regions);
	if (!ret)
		ret = memtag_event_list(client, &r->events, &r->nr_events);
	if (!ret)
		ret = tagctl_symbols_load(&r->sy, client, pid > 0 ? (uint32_t)pid : 0);
	if (ret)
		return ret;
	src.regions = r->regions;
	src.nr_regions = r->nr_regions;
	src.events = r->events;
	src.nr_events = r->nr_events;
	src.profiles = r->sy.profiles;
	src.nr_profiles = r->sy.nr_profiles;
	return leak_items_collect(&src, &r->items, &r->nr_items);
}

void leak_records_free(struct leak_records *r)
{
	free(r->items);
	tagctl_symbols_free(&r->sy);
	free(r->events);
	free(r->regions);
	memset(r, 0, sizeof(*r));
}

unsigned int leak_item_frames(struct tagctl_symbols *sy, const struct leak_item *it,
			      struct tagctl_frame frames[MEMTAG_STACK_MAX])
{
	unsigned int i;

	for (i = 0; i < it->depth; i++)
		tagctl_symbolize_frame(sy->symbolizer, it->profile, it->stack[i],
				       TAGCTL_RETURN_ADDRESS, &frames[i]);
	return it->depth;
}

static struct json_object *frames_json(const struct tagctl_frame *frames, unsigned int depth)
{
	struct json_object *stack = json_object_new_array();
	unsigned int i;

	for (i = 0; i < depth; i++)
		json_object_array_add(stack, tagctl_frame_json(&frames[i]));
	return stack;
}

struct json_object *leak_item_json(const struct leak_item *it,
				   const struct tagctl_frame *frames, unsigned int depth)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "class", json_object_new_string("leak"));
	json_object_object_add(o, "kind", json_object_new_string(leak_kind_name(it->kind)));
	json_object_object_add(o, "region", json_object_new_int64(it->region));
	json_object_object_add(o, "region_name", json_object_new_string(it->region_name));
	json_object_object_add(o, "pid", json_object_new_int64(it->tgid));
	json_object_object_add(o, "uid", json_object_new_int64(it->uid));
	json_object_object_add(o, "bytes", json_object_new_uint64(it->bytes));
	json_object_object_add(o, "count", json_object_new_uint64(it->objects));
	json_object_object_add(o, "since_ns", json_object_new_uint64(it->since_ns));
	json_object_object_add(o, "site", depth ? tagctl_frame_json(&frames[0]) : NULL);
	json_object_object_add(o, "stack", frames_json(frames, depth));
	return o;
}

void leak_item_print(const struct leak_item *it, const struct tagctl_frame *frames,
		     unsigned int depth)
{
	printf("%-22s pid %-6" PRIu32, leak_kind_name(it->kind), it->tgid);
	/* what a process held at exit belongs to no one region */
	if (it->region)
		printf(" region %" PRIu32 " '%s'", it->region, tagctl_text(it->region_name));
	printf(" bytes %" PRIu64 " count %" PRIu64 "\n", it->bytes, it->objects);
	leak_report_frames(stdout, frames, depth);
}

static void print_group(struct leaks_data *d, const struct leak_group *g)
{
	struct tagctl_frame frames[MEMTAG_STACK_MAX];
	unsigned int depth = leak_item_frames(&d->rec.sy, g->first, frames);

	leak_report_group(stdout, g, d->rec.items, frames, depth, d->now_ns);
}

static bool is_growing(const struct leaks_args *a, const struct memtag_region_record *r)
{
	return r->state == MEMTAG_REGION_LIVE && r->growth >= a->growing &&
	       (a->pid < 0 || r->tgid == (uint32_t)a->pid);
}

static void symbolize_region_site(struct leaks_data *d, const struct memtag_region_record *r,
				  struct tagctl_frame *f)
{
	const struct memtag_profile *p = tagctl_profile_at(d->rec.sy.profiles, d->rec.sy.nr_profiles,
							   r->tgid, r->created_ns);

	tagctl_symbolize_frame(d->rec.sy.symbolizer, p, r->site, TAGCTL_RETURN_ADDRESS, f);
}

/* Not a leak: a memtag line of its own, no frames that a LeakSanitizer reader would take. */
static void print_growing(struct leaks_data *d, const struct memtag_region_record *r)
{
	struct tagctl_frame site;
	char text[1024];

	symbolize_region_site(d, r, &site);
	printf("memtag: growing region %" PRIu32 " '%s' (pid %" PRIu32 ") of %" PRIu64 " byte(s), "
	       "grew in %" PRIu32 " samples in a row, %.1fs old, created at %#" PRIx64 " %s\n",
	       r->id, tagctl_text(r->name), r->tgid, r->bytes_reserved, r->growth,
	       leak_age_s(d->now_ns, r->created_ns), r->site,
	       tagctl_text(tagctl_frame_describe(&site, text, sizeof(text))));
}

static void add_up(const struct leaks_data *d, const struct leaks_args *a,
		   struct leak_totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	leak_report_add(t, d->groups.groups, d->groups.count);
	for (i = 0; i < d->rec.nr_regions; i++)
		t->growing += is_growing(a, &d->rec.regions[i]);
}

static void print_text(struct leaks_data *d, const struct leaks_args *a)
{
	struct leak_totals t;
	size_t i, growing = 0;

	add_up(d, a, &t);
	for (i = 0; i < d->groups.count; i++)
		print_group(d, &d->groups.groups[i]);
	for (i = 0; i < d->rec.nr_regions; i++)
		if (is_growing(a, &d->rec.regions[i])) {
			print_growing(d, &d->rec.regions[i]);
			growing++;
		}
	if (growing)
		printf("\n");
	leak_report_summary(stdout, &t);
}

static struct json_object *members_json(const struct leak_group *g, const struct leak_item *items)
{
	struct json_object *list = json_object_new_array(), *o;
	const struct leak_item *it;
	size_t i;

	for (i = 0; i < g->nr_items; i++) {
		it = &items[g->items[i]];
		o = json_object_new_object();
		json_object_object_add(o, "pid", json_object_new_int64(it->tgid));
		json_object_object_add(o, "uid", json_object_new_int64(it->uid));
		json_object_object_add(o, "comm", it->profile ?
				       json_object_new_string(it->profile->comm) : NULL);
		json_object_object_add(o, "region", json_object_new_int64(it->region));
		json_object_object_add(o, "region_name", json_object_new_string(it->region_name));
		json_object_object_add(o, "bytes", json_object_new_uint64(it->bytes));
		json_object_object_add(o, "count", json_object_new_uint64(it->objects));
		json_object_object_add(o, "since_ns", json_object_new_uint64(it->since_ns));
		json_object_array_add(list, o);
	}
	return list;
}

static struct json_object *group_json(struct leaks_data *d, const struct leak_group *g)
{
	struct tagctl_frame frames[MEMTAG_STACK_MAX];
	unsigned int depth = leak_item_frames(&d->rec.sy, g->first, frames);
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(leak_kind_name(g->kind)));
	json_object_object_add(o, "bytes", json_object_new_uint64(g->bytes));
	json_object_object_add(o, "count", json_object_new_uint64(g->objects));
	json_object_object_add(o, "oldest_ns", json_object_new_uint64(g->oldest_ns));
	json_object_object_add(o, "oldest_age_ns", json_object_new_uint64(
				       d->now_ns > g->oldest_ns ? d->now_ns - g->oldest_ns : 0));
	json_object_object_add(o, "site", depth ? tagctl_frame_json(&frames[0]) : NULL);
	json_object_object_add(o, "stack", frames_json(frames, depth));
	json_object_object_add(o, "from", members_json(g, d->rec.items));
	return o;
}

static struct json_object *growing_json(struct leaks_data *d, const struct memtag_region_record *r)
{
	struct json_object *o = json_object_new_object();
	struct tagctl_frame site;

	symbolize_region_site(d, r, &site);
	json_object_object_add(o, "region", json_object_new_int64(r->id));
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "pid", json_object_new_int64(r->tgid));
	json_object_object_add(o, "uid", json_object_new_int64(r->uid));
	json_object_object_add(o, "bytes_reserved", json_object_new_uint64(r->bytes_reserved));
	json_object_object_add(o, "bytes_resident", json_object_new_uint64(r->bytes_resident));
	json_object_object_add(o, "growth", json_object_new_int64(r->growth));
	json_object_object_add(o, "created_ns", json_object_new_uint64(r->created_ns));
	json_object_object_add(o, "site", tagctl_frame_json(&site));
	return o;
}

static struct json_object *summary_json(const struct leaks_data *d, const struct leaks_args *a)
{
	struct json_object *o = json_object_new_object();
	struct leak_totals t;

	add_up(d, a, &t);
	json_object_object_add(o, "leaked_allocation_bytes", json_object_new_uint64(t.alloc_bytes));
	json_object_object_add(o, "leaked_allocations", json_object_new_uint64(t.allocs));
	json_object_object_add(o, "leaked_region_bytes", json_object_new_uint64(t.region_bytes));
	json_object_object_add(o, "leaked_regions", json_object_new_uint64(t.regions));
	json_object_object_add(o, "growing_regions", json_object_new_uint64(t.growing));
	json_object_object_add(o, "growing_threshold", json_object_new_uint64(a->growing));
	/* what tagctl check counts as leaks */
	json_object_object_add(o, "items", json_object_new_uint64(d->rec.nr_items));
	json_object_object_add(o, "groups", json_object_new_uint64(d->groups.count));
	return o;
}

static void print_json(const struct tagctl_options *opts, struct leaks_data *d,
		       const struct leaks_args *a)
{
	struct json_object *root = json_object_new_object();
	struct json_object *leaks = json_object_new_array(), *growing = json_object_new_array();
	size_t i;

	for (i = 0; i < d->groups.count; i++)
		json_object_array_add(leaks, group_json(d, &d->groups.groups[i]));
	for (i = 0; i < d->rec.nr_regions; i++)
		if (is_growing(a, &d->rec.regions[i]))
			json_object_array_add(growing, growing_json(d, &d->rec.regions[i]));
	json_object_object_add(root, "summary", summary_json(d, a));
	json_object_object_add(root, "leaks", leaks);
	json_object_object_add(root, "growing", growing);
	tagctl_print_json(opts, root);
	json_object_put(root);
}

/*
 * --dump: one line per leak item (what check counts), its innermost frame:
 * kind pid uid region region_name bytes count since_ns site function file line
 * binary offset. Growing regions are in regions --dump (growth).
 */
static void print_dump(struct leaks_data *d)
{
	struct tagctl_frame frames[MEMTAG_STACK_MAX], none = { 0 };
	const struct leak_item *it;
	const struct tagctl_frame *f;
	size_t i;

	for (i = 0; i < d->rec.nr_items; i++) {
		it = &d->rec.items[i];
		f = leak_item_frames(&d->rec.sy, it, frames) ? &frames[0] : &none;
		printf("%s\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t%s\t%" PRIu64 "\t%" PRIu64 "\t%"
		       PRIu64 "\t%#" PRIx64 "\t%s\t%s\t%u\t%s\t%#" PRIx64 "\n",
		       leak_kind_name(it->kind), it->tgid, it->uid, it->region,
		       tagctl_dump_text(it->region_name), it->bytes, it->objects, it->since_ns,
		       f->address, tagctl_dump_text(f->function), tagctl_dump_text(f->file),
		       f->line, tagctl_dump_text(f->binary), f->offset);
	}
}

static int leaks_option(int c, const char *arg, void *ctx)
{
	struct leaks_args *a = ctx;

	long n;

	(void)c;	/* only --growing */
	if (tagctl_parse_long(arg, 0, LONG_MAX, &n))
		return tagctl_usage_error(&tagctl_leaks_command, "--growing needs a number of samples");
	a->growing = (unsigned long)n;
	return TAGCTL_EXIT_OK;
}

static const struct tagctl_opt leaks_opts[] = {
	{ 'P', 'P', "pid", "P", "leaks of process P" },
	{ 'g', 'g', "growing", "SAMPLES", "growing: bigger SAMPLES samples in a row (default 5)" },
	{ 0 },
};

static int parse_args(struct leaks_args *a, int argc, char **argv)
{
	return tagctl_parse_args(&tagctl_leaks_command, argc, argv, &a->pid, leaks_option, a);
}

static int run_leaks(const struct tagctl_options *opts, int argc, char **argv)
{
	struct leaks_args a = { .pid = -1, .growing = DEFAULT_GROWING };
	struct leaks_data d = { 0 };
	struct memtag_client *client;
	int ret;

	ret = parse_args(&a, argc, argv);
	if (ret || (ret = tagctl_connect(&client)))
		return ret;
	ret = leak_records_load(client, a.pid, &d.rec);
	if (!ret)
		ret = leak_groups_build(d.rec.items, d.rec.nr_items, &d.groups);
	d.now_ns = tagctl_now_ns();
	if (ret)
		ret = tagctl_fail(client, "leaks", ret);
	else if (opts->json)
		print_json(opts, &d, &a);
	else if (opts->dump)
		print_dump(&d);
	else
		print_text(&d, &a);
	leak_groups_free(&d.groups);
	leak_records_free(&d.rec);
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_leaks_command = {
	.name = "leaks",
	.summary = "leaked regions and allocations by site, and growing regions",
	.options = leaks_opts,
	.run = run_leaks,
	.dump = true,
};
