// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>
#include "region_view.h"

void region_filter_init(struct region_filter *f, uint64_t now_ns)
{
	memset(f, 0, sizeof(*f));
	f->pid = -1;
	f->uid = -1;
	f->state = -1;
	f->now_ns = now_ns;
}

bool region_filter_keep(const struct region_filter *f, const struct memtag_region_record *r)
{
	if (f->pid >= 0 && r->tgid != (uint32_t)f->pid)
		return false;
	if (f->uid >= 0 && r->uid != (uint32_t)f->uid)
		return false;
	if (f->state >= 0 && (int)r->state != f->state)
		return false;
	if (r->bytes_reserved < f->min_bytes)
		return false;
	return !f->older_than_ns || f->now_ns - r->created_ns > f->older_than_ns;
}

int parse_sort(const char *s, enum region_sort *sort)
{
	static const char *const names[] = { "id", "bytes", "age", "name" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*sort = (enum region_sort)i;
			return 0;
		}
	}
	return -1;
}

static int compare(const void *a, const void *b, void *arg)
{
	const struct memtag_region_record *x = a, *y = b;

	switch (*(const enum region_sort *)arg) {
	case SORT_BYTES:	/* largest first */
		return (x->bytes_reserved < y->bytes_reserved) - (x->bytes_reserved > y->bytes_reserved);
	case SORT_AGE:		/* oldest first */
		return (x->created_ns > y->created_ns) - (x->created_ns < y->created_ns);
	case SORT_NAME:
		return strcmp(x->name, y->name) ?: (x->id > y->id) - (x->id < y->id);
	default:
		return (x->id > y->id) - (x->id < y->id);
	}
}

void region_sort(struct memtag_region_record *r, size_t n, enum region_sort sort)
{
	qsort_r(r, n, sizeof(*r), compare, &sort);
}

/* Indexes of r ordered by one field, for binary searches. */
struct index {
	const struct memtag_region_record *r;
	size_t *at;
	size_t n;
	bool by_parent;
};

static uint32_t key(const struct index *ix, size_t i)
{
	return ix->by_parent ? ix->r[ix->at[i]].parent : ix->r[ix->at[i]].id;
}

static int compare_index(const void *a, const void *b, void *arg)
{
	const struct index *ix = arg;
	const struct memtag_region_record *x = &ix->r[*(const size_t *)a];
	const struct memtag_region_record *y = &ix->r[*(const size_t *)b];
	uint32_t kx = ix->by_parent ? x->parent : x->id, ky = ix->by_parent ? y->parent : y->id;

	return (kx > ky) - (kx < ky) ?: (x->id > y->id) - (x->id < y->id);
}

static void index_build(struct index *ix, const struct memtag_region_record *r, size_t n,
			bool by_parent)
{
	size_t i;

	ix->r = r;
	ix->n = n;
	ix->by_parent = by_parent;
	ix->at = malloc((n ? n : 1) * sizeof(*ix->at));
	for (i = 0; ix->at && i < n; i++)
		ix->at[i] = i;
	if (ix->at)
		qsort_r(ix->at, n, sizeof(*ix->at), compare_index, ix);
}

/* First position whose key is >= k. */
static size_t lower_bound(const struct index *ix, uint32_t k)
{
	size_t lo = 0, hi = ix->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (key(ix, mid) < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void visit(const struct index *children, size_t at, unsigned int d, size_t *order,
		  unsigned int *depth, size_t *k)
{
	uint32_t id = children->r[at].id;
	size_t i;

	order[*k] = at;
	depth[(*k)++] = d;
	for (i = lower_bound(children, id); i < children->n && key(children, i) == id; i++)
		visit(children, children->at[i], d + 1, order, depth, k);
}

void region_tree(const struct memtag_region_record *r, size_t n, size_t *order,
		 unsigned int *depth)
{
	struct index ids, children;
	size_t i, k = 0, pos;

	index_build(&ids, r, n, false);
	index_build(&children, r, n, true);
	if (!ids.at || !children.at) {
		for (i = 0; i < n; i++) {	/* no memory for nesting: flat */
			order[i] = i;
			depth[i] = 0;
		}
	} else {
		for (i = 0; i < n; i++) {
			pos = lower_bound(&ids, r[i].parent);
			if (!r[i].parent || pos == n || key(&ids, pos) != r[i].parent)
				visit(&children, i, 0, order, depth, &k);
		}
	}
	free(ids.at);
	free(children.at);
}
