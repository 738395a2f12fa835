// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl export: what an allocation site holds, the same for every format. */
#include "export.h"

/* The counts are the process's word: never let frees exceed allocations. */
static uint64_t held(uint64_t allocated, uint64_t freed)
{
	return allocated > freed ? allocated - freed : 0;
}

void export_site_values(const struct memtag_profile *p, const struct memtag_site *s,
			int64_t v[EXPORT_NR_VALUES])
{
	uint64_t inuse = held(s->alloc_bytes, s->free_bytes);

	v[EXPORT_INUSE_SPACE] = (int64_t)inuse;
	v[EXPORT_INUSE_OBJECTS] = (int64_t)held(s->alloc_objects, s->free_objects);
	v[EXPORT_ALLOC_SPACE] = (int64_t)s->alloc_bytes;
	v[EXPORT_ALLOC_OBJECTS] = (int64_t)s->alloc_objects;
	v[EXPORT_LEAKED_SPACE] = (int64_t)(s->leaked_bytes + (p->exited_ns ? inuse : 0));
}

uint64_t export_site_weight(const struct memtag_profile *p, const struct memtag_site *s)
{
	int64_t v[EXPORT_NR_VALUES];

	export_site_values(p, s, v);
	return (uint64_t)v[p->exited_ns ? EXPORT_LEAKED_SPACE : EXPORT_INUSE_SPACE];
}

unsigned int export_site_depth(const struct memtag_site *s)
{
	unsigned int n = s->depth < MEMTAG_STACK_MAX ? s->depth : MEMTAG_STACK_MAX, i;

	/* backtrace() may end a stack with a null frame: the stack ends there */
	for (i = 0; i < n && s->stack[i]; i++)
		;
	return i;
}
