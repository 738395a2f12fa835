// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The thread's current region: entered and left around a unit of work,
 * nested, so that allocation hooks without a context argument (SQLite's
 * xMalloc, xmlMemSetup's) allocate in the lifetime of the work at hand.
 * A small stack per thread, in initial-exec TLS: a load and a compare.
 */
#include <errno.h>
#include "memtag.h"
#include "alloc.h"

#define TLS __thread __attribute__((tls_model("initial-exec")))

static TLS struct tag_region *current_stack[TAG_REGION_NESTING_MAX];
static TLS unsigned int current_depth;

bool tag_region_live(const struct tag_region *r)
{
	if (r && r->magic == REGION_LIVE && r->pid == tag_rt.pid)
		return true;
	if (r && r->magic == REGION_LIVE)
		errno = EPERM;	/* another process's, after fork */
	else
		errno = r && r->magic == REGION_ENDED ? ESTALE : EINVAL;
	return false;
}

int tag_region_enter(struct tag_region *r)
{
	if (!tag_region_live(r))
		return -1;
	if (current_depth == TAG_REGION_NESTING_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	current_stack[current_depth++] = r;
	return 0;
}

int tag_region_leave(void)
{
	if (!current_depth) {
		errno = EINVAL;
		return -1;
	}
	current_stack[--current_depth] = NULL;
	return 0;
}

struct tag_region *tag_region_current(void)
{
	return current_depth ? current_stack[current_depth - 1] : NULL;
}
