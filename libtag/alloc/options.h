/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MEMTAG_OPTIONS and MEMTAG_REQUIRE: per-process behaviour. */
#ifndef MEMTAG_OPTIONS_H
#define MEMTAG_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum tag_mte_mode { TAG_MTE_SYNC, TAG_MTE_ASYNC, TAG_MTE_ASYMM };

struct tag_options {
	bool halt_on_error;		/* abort (default) or report and continue */
	bool require;			/* MEMTAG_REQUIRE=1: no module, no regions */
	bool verbose;			/* a line on stderr per event */
	enum tag_mte_mode mte_mode;
	size_t quarantine_bytes;	/* address space kept revoked after end */
	unsigned int stack_depth;	/* frames kept per site (1: return address) */
};

/* Defaults, then "key=value:key=value" (also ',' separated) from spec. */
int tag_options_parse(struct tag_options *opts, const char *spec, char *err, size_t errlen);
void tag_options_defaults(struct tag_options *opts);

#endif
