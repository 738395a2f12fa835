/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Suppression files for tagctl check, like LeakSanitizer's:
 *   # comment
 *   leak:PATTERN
 *   escape:PATTERN
 *   misuse:PATTERN
 * A PATTERN (fnmatch(3)) suppresses a finding of its class when it matches the
 * region name, the site ("0x..."), the kind, or, where the site symbolizes,
 * a function name, source file or binary path of the site, its stack or the
 * faulting pc; e.g. leak:cache_fill, leak:*libfoo.so*, misuse:*vendor*.
 */
#ifndef TAGCTL_SUPPRESSIONS_H
#define TAGCTL_SUPPRESSIONS_H

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
/* The first suppression of class matching one of subjects (hits counted), or NULL. */
struct suppression *suppressions_match(struct suppressions *s, enum tagctl_class class,
				       const char *const *subjects, size_t nsubjects);
void suppressions_free(struct suppressions *s);

#endif
