// SPDX-License-Identifier: GPL-2.0-or-later
/* Leaked regions and allocations, collected from the records and grouped by site. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "leak_groups.h"
#include "symbolize.h"

const char *leak_kind_name(enum leak_kind kind)
{
	switch (kind) {
	case LEAK_REGION:
		return "region-leaked";
	case LEAK_STRICT:
		return "allocations-leaked";
	default:
		return "allocations-at-exit";
	}
}

uint64_t tagctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void leak_site_in_use(const struct memtag_site *s, uint64_t *objects, uint64_t *bytes)
{
	/* the counts are the process's word: never below zero */
	*objects = s->alloc_objects > s->free_objects ? s->alloc_objects - s->free_objects : 0;
	*bytes = s->alloc_bytes > s->free_bytes ? s->alloc_bytes - s->free_bytes : 0;
}

struct collector {
	const struct leak_sources *src;
	struct leak_item *items;
	size_t count, cap;
};

static bool wanted(const struct leak_sources *src, uint32_t tgid)
{
	return src->pid < 0 || tgid == (uint32_t)src->pid;
}

static int add_item(struct collector *c, const struct leak_item *it)
{
	struct leak_item *grown;

	if (c->count == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		grown = realloc(c->items, c->cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		c->items = grown;
	}
	c->items[c->count++] = *it;
	return 0;
}

static void set_stack(struct leak_item *it, const uint64_t *stack, unsigned int depth)
{
	it->depth = depth < MEMTAG_STACK_MAX ? depth : MEMTAG_STACK_MAX;
	memcpy(it->stack, stack, it->depth * sizeof(it->stack[0]));
}

/* What a region record or an event says of a leak's owner and region. */
static void set_owner(struct leak_item *it, const struct leak_sources *src, uint32_t tgid,
		      uint32_t uid, uint32_t region, const char *name, uint64_t time_ns)
{
	it->tgid = tgid;
	it->uid = uid;
	it->region = region;
	snprintf(it->region_name, sizeof(it->region_name), "%s", name);
	it->profile = tagctl_profile_at(src->profiles, src->nr_profiles, tgid, time_ns);
}

static int collect_regions(struct collector *c)
{
	const struct leak_sources *src = c->src;
	const struct memtag_region_record *r;
	struct leak_item it;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < src->nr_regions; i++) {
		r = &src->regions[i];
		if (r->state != MEMTAG_REGION_LEAKED || !wanted(src, r->tgid))
			continue;
		memset(&it, 0, sizeof(it));
		it.kind = LEAK_REGION;
		set_owner(&it, src, r->tgid, r->uid, r->id, r->name, r->created_ns);
		it.bytes = r->bytes_reserved;
		it.objects = 1;
		it.since_ns = r->created_ns;
		set_stack(&it, &r->site, 1);
		ret = add_item(c, &it);
	}
	return ret;
}

/* The one site of p whose innermost frame is address, or NULL (none, or ambiguous). */
static const struct memtag_site *site_at(const struct memtag_profile *p, uint64_t address)
{
	const struct memtag_site *found = NULL;
	size_t i;

	for (i = 0; p && i < p->nr_sites; i++) {
		if (!p->sites[i].depth || p->sites[i].stack[0] != address)
			continue;
		if (found)
			return NULL;
		found = &p->sites[i];
	}
	return found;
}

/* An event knows the return address only: the profile may know the whole stack. */
static void strict_stack(struct leak_item *it, const struct memtag_event_record *e)
{
	const struct memtag_site *s = site_at(it->profile, e->site);

	it->since_ns = s ? s->first_ns : e->time_ns;
	if (s)
		set_stack(it, s->stack, s->depth);
	else
		set_stack(it, &e->site, 1);
}

static int collect_strict(struct collector *c)
{
	const struct leak_sources *src = c->src;
	const struct memtag_event_record *e;
	struct leak_item it;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < src->nr_events; i++) {
		e = &src->events[i];
		if (e->kind != MEMTAG_EVENT_ALLOCS_LEAKED || !wanted(src, e->tgid))
			continue;
		memset(&it, 0, sizeof(it));
		it.kind = LEAK_STRICT;
		set_owner(&it, src, e->tgid, e->uid, e->region, e->region_name, e->time_ns);
		it.bytes = e->size;
		it.objects = e->count;
		it.has_seq = true;
		it.seq = e->seq;
		strict_stack(&it, e);
		ret = add_item(c, &it);
	}
	return ret;
}

static int collect_profile(struct collector *c, const struct memtag_profile *p)
{
	const struct memtag_site *s;
	struct leak_item it;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < p->nr_sites; i++) {
		s = &p->sites[i];
		memset(&it, 0, sizeof(it));
		leak_site_in_use(s, &it.objects, &it.bytes);
		if (!it.objects)
			continue;
		it.kind = LEAK_AT_EXIT;
		it.tgid = p->tgid;
		it.uid = p->uid;
		it.since_ns = s->first_ns;
		it.profile = p;
		set_stack(&it, s->stack, s->depth);
		ret = add_item(c, &it);
	}
	return ret;
}

int leak_items_collect(const struct leak_sources *src, struct leak_item **items,
		       size_t *count)
{
	struct collector c = { .src = src };
	size_t i;
	int ret;

	ret = collect_regions(&c);
	if (!ret)
		ret = collect_strict(&c);
	for (i = 0; !ret && i < src->nr_profiles; i++)
		if (src->profiles[i].exited_ns && wanted(src, src->profiles[i].tgid))
			ret = collect_profile(&c, &src->profiles[i]);
	if (ret) {
		free(c.items);
		return ret;
	}
	*items = c.items;
	*count = c.count;
	return 0;
}

/* A site as code, whichever process ran it: binary and ELF offset per frame. */
struct keyed_item {
	size_t index;
	const struct leak_item *item;
	const char *binary[MEMTAG_STACK_MAX];	/* NULL: unmapped, at is the address */
	uint64_t at[MEMTAG_STACK_MAX];
};

static void key_of(struct keyed_item *k, const struct leak_item *items, size_t i)
{
	const struct memtag_binary *b;
	unsigned int f;

	k->index = i;
	k->item = &items[i];
	for (f = 0; f < items[i].depth; f++) {
		b = tagctl_binary_of(items[i].profile, items[i].stack[f]);
		k->binary[f] = b ? b->path : NULL;
		k->at[f] = items[i].stack[f] - (b ? b->bias : 0);
	}
}

static int compare_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Unmapped addresses mean something only within their process. */
static int compare_frame(const struct keyed_item *a, const struct keyed_item *b, unsigned int f)
{
	if (!a->binary[f] || !b->binary[f]) {
		if (a->binary[f] || b->binary[f])
			return a->binary[f] ? 1 : -1;
		if (a->item->tgid != b->item->tgid)
			return compare_u64(a->item->tgid, b->item->tgid);
	} else if (strcmp(a->binary[f], b->binary[f])) {
		return strcmp(a->binary[f], b->binary[f]);
	}
	return compare_u64(a->at[f], b->at[f]);
}

static int compare_sites(const struct keyed_item *a, const struct keyed_item *b)
{
	unsigned int f;
	int c;

	if (a->item->kind != b->item->kind)
		return a->item->kind < b->item->kind ? -1 : 1;
	if (a->item->depth != b->item->depth)
		return compare_u64(a->item->depth, b->item->depth);
	for (f = 0; f < a->item->depth; f++) {
		c = compare_frame(a, b, f);
		if (c)
			return c;
	}
	return 0;
}

/* By site, then in record order: a group's first item is its earliest. */
static int by_site(const void *pa, const void *pb)
{
	const struct keyed_item *a = pa, *b = pb;

	return compare_sites(a, b) ?: compare_u64(a->index, b->index);
}

static int by_bytes(const void *pa, const void *pb)
{
	const struct leak_group *a = pa, *b = pb;

	if (a->bytes != b->bytes)
		return a->bytes < b->bytes ? 1 : -1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return compare_u64(a->items[0], b->items[0]);
}

static void add_to_group(struct leak_group *g, const struct leak_item *it, size_t index)
{
	if (!g->nr_items) {
		g->kind = it->kind;
		g->first = it;
		g->oldest_ns = it->since_ns;
	}
	g->items[g->nr_items++] = index;
	g->bytes += it->bytes;
	g->objects += it->objects;
	if (it->since_ns < g->oldest_ns)
		g->oldest_ns = it->since_ns;
}

/* Sorted items into groups; every group's index array is a slice of one allocation. */
static size_t fill_groups(const struct keyed_item *k, size_t count, struct leak_group *g,
			  size_t *indexes)
{
	size_t n = 0, i;

	for (i = 0; i < count; i++) {
		if (!i || compare_sites(&k[i - 1], &k[i])) {
			g[n].items = indexes + i;
			n++;
		}
		add_to_group(&g[n - 1], k[i].item, k[i].index);
	}
	return n;
}

int leak_groups_build(const struct leak_item *items, size_t count, struct leak_groups *out)
{
	struct keyed_item *k = calloc(count ? count : 1, sizeof(*k));
	size_t i;

	out->groups = calloc(count ? count : 1, sizeof(*out->groups));
	out->indexes = calloc(count ? count : 1, sizeof(*out->indexes));
	out->count = 0;
	if (!k || !out->groups || !out->indexes) {
		free(k);
		leak_groups_free(out);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++)
		key_of(&k[i], items, i);
	qsort(k, count, sizeof(*k), by_site);
	out->count = fill_groups(k, count, out->groups, out->indexes);
	free(k);
	qsort(out->groups, out->count, sizeof(*out->groups), by_bytes);
	return 0;
}

void leak_groups_free(struct leak_groups *g)
{
	free(g->groups);
	free(g->indexes);
	g->groups = NULL;
	g->indexes = NULL;
	g->count = 0;
}

void leak_window_init(struct leak_window *w, int64_t since,
		      const struct memtag_event_record *events, size_t n, bool complete)
{
	size_t i;

	w->since = since;
	w->complete = complete;
	w->since_ns = 0;
	for (i = 0; since >= 0 && i < n; i++)
		if (events[i].seq <= (uint64_t)since && events[i].time_ns > w->since_ns)
			w->since_ns = events[i].time_ns;
}

bool leak_window_event(const struct leak_window *w, const struct memtag_event_record *e)
{
	return w->since < 0 || e->seq > (uint64_t)w->since;
}

/*
 * Was e recorded in the lifetime of p's process? Its regions leak as the
 * module sees the socket close, which may come a little after the profile's
 * exit: EXIT_SLACK_NS later still counts (a pid is not reused that soon).
 */
#define EXIT_SLACK_NS 1000000000ULL
static bool in_lifetime(const struct memtag_profile *p, const struct memtag_event_record *e)
{
	return !p || (e->time_ns >= p->started_ns &&
		      (!p->exited_ns || e->time_ns <= p->exited_ns + EXIT_SLACK_NS));
}

/* 1: a matching region-leaked event is in the window, 0: only older ones, -1: none. */
static int region_events(const struct leak_window *w, const struct leak_item *it,
			 const struct memtag_event_record *events, size_t n)
{
	const struct memtag_profile *p = it->profile;
	int found = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct memtag_event_record *e = &events[i];

		if (e->kind != MEMTAG_EVENT_REGION_LEAKED || e->tgid != it->tgid)
			continue;
		if (it->kind == LEAK_REGION ? e->region != it->region : !in_lifetime(p, e))
			continue;
		if (leak_window_event(w, e))
			return 1;
		found = 0;
	}
	return found;
}

bool leak_window_item(const struct leak_window *w, const struct leak_item *it,
		      const struct memtag_event_record *events, size_t n)
{
	int r;

	if (w->since < 0)
		return true;
	if (it->has_seq)
		return it->seq > (uint64_t)w->since;
	r = region_events(w, it, events, n);
	if (r >= 0)
		return r;
	if (it->kind == LEAK_REGION)
		return !w->complete;	/* its event is gone: older, unless records were lost */
	return !it->profile || it->profile->exited_ns > w->since_ns;
}
