// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cleanups: callbacks on a region, run newest first when it ends or is
 * reset, children's before their parent's, while the memory is still
 * there (as apr_pool_cleanup_register and talloc destructors). Each runs
 * once: a reset drops them, as apr_pool_clear does.
 */
#include <errno.h>
#include "memtag.h"
#include "alloc.h"

struct tag_cleanup {
	struct tag_cleanup *next;
	void (*fn)(void *arg);
	void *arg;
};

/* The regions whose cleanups this thread is running, innermost first. */
struct closing {
	const struct tag_region *root;
	struct closing *outer;
};

static __thread struct closing *closing_top __attribute__((tls_model("initial-exec")));

/* Pending cleanups are counted up the tree: a subtree without any costs a load. */
static void count_pending(struct tag_region *r, int delta)
{
	for (; r; r = r->parent)
		atomic_fetch_add_explicit(&r->cleanups_pending, (unsigned int)delta,
					  memory_order_relaxed);
}

static unsigned int pending(const struct tag_region *r)
{
	return atomic_load_explicit(&r->cleanups_pending, memory_order_relaxed);
}

int tag_region_cleanup_add(struct tag_region *r, void (*fn)(void *arg), void *arg)
{
	struct tag_cleanup *c;

	if (!tag_region_live(r))
		return -1;
	if (!fn) {
		errno = EINVAL;
		return -1;
	}
	c = malloc(sizeof(*c));
	if (!c)
		return -1;
	*c = (struct tag_cleanup){ .next = r->cleanups, .fn = fn, .arg = arg };
	r->cleanups = c;
	count_pending(r, 1);
	return 0;
}

int tag_region_cleanup_remove(struct tag_region *r, void (*fn)(void *arg), void *arg)
{
	struct tag_cleanup **link, *c;

	if (!tag_region_live(r))
		return -1;
	for (link = &r->cleanups; (c = *link); link = &c->next) {
		if (c->fn == fn && c->arg == arg) {
			*link = c->next;
			free(c);
			count_pending(r, -1);
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/* Would ending or resetting r end a region whose cleanups are running? */
static bool closing(const struct tag_region *r)
{
	const struct closing *f;
	const struct tag_region *a;

	for (f = closing_top; f; f = f->outer)
		for (a = f->root; a; a = a->parent)
			if (a == r)
				return true;
	return false;
}

/* A child of r with cleanups to run, or NULL. */
static struct tag_region *child_pending(struct tag_region *r)
{
	struct tag_region *child;

	pthread_mutex_lock(&tag_rt.lock);
	for (child = r->children; child && !pending(child); child = child->sibling)
		;
	pthread_mutex_unlock(&tag_rt.lock);
	return child;
}

/* Run r's newest cleanup, taken off first: it may add, remove or allocate. */
static bool run_one(struct tag_region *r)
{
	struct tag_cleanup *c = r->cleanups;

	if (!c)
		return false;
	r->cleanups = c->next;
	count_pending(r, -1);
	c->fn(c->arg);
	free(c);
	return true;
}

/*
 * Children first, then r's own, until none is left: a cleanup may create
 * a child or register another cleanup in the closing subtree, and those
 * run too (one that registers itself again never ends). While they run,
 * r and its ancestors cannot be ended or reset.
 */
static void run_subtree(struct tag_region *r)
{
	struct closing frame = { .root = r, .outer = closing_top };
	struct tag_region *child;

	closing_top = &frame;
	for (;;) {
		child = child_pending(r);
		if (child)
			run_subtree(child);
		else if (!run_one(r))
			break;
	}
	closing_top = frame.outer;
}

int tag_cleanups_run(struct tag_region *r)
{
	if (closing(r)) {
		errno = EBUSY;	/* from a cleanup, of its own region or an ancestor */
		return -1;
	}
	if (pending(r))
		run_subtree(r);
	return 0;
}
