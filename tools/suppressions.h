/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Suppression files for tagctl check, like LeakSanitizer's:
 *   # comment
 *   leak:PATTERN
 *   escape:PATTERN
 *   misuse:PATTERN
 * A PATTERN suppresses a finding of its class when it matches, as
 * LeakSanitizer's do, the region name, the site ("0x..."), the kind, or,
 * where the site symbolizes, a function name, source file or binary (module)
 * path of the site, of any frame of its stack or of the faulting pc; e.g.
 * leak:cache_fill, leak:libGL.so, misuse:vendor_*_init.
 */
#ifndef TAGCTL_SUPPRESSIONS_H
#define TAGCTL_SUPPRESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include "classes.h"

struct suppression {
	enum tagctl_class class;
	char pattern[256];
	unsigned long hits;
};

struct suppressions {
	struct suppression *items;
	size_t count;
};

/* 0, or -1 with "FILE:LINE: why" in err. */
int suppressions_load(const char *path, struct suppressions *s, char *err, size_t errlen);
int suppressions_add_line(struct suppressions *s, const char *line, char *err, size_t errlen);
/*
 * sanitizer_common's TemplateMatch: templ matches str when it occurs in it
 * (a substring); '*' matches any text, a leading '^' anchors at the start,
 * '$' at the end; each piece between wildcards is taken at its first place
 * (LeakSanitizer's rule: "foo$" does not match "foofoo"). No other character
 * is special. An empty str matches nothing.
 */
bool suppression_template_match(const char *templ, const char *str);
/* The first suppression of class matching one of subjects (hits counted), or NULL. */
struct suppression *suppressions_match(struct suppressions *s, enum tagctl_class class,
				       const char *const *subjects, size_t nsubjects);
void suppressions_free(struct suppressions *s);

#endif
