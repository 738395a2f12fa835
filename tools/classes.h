/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The three classes tagctl reports and gates on: leaks, escapes, misuse. */
#ifndef TAGCTL_CLASSES_H
#define TAGCTL_CLASSES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtag.h"

enum tagctl_class {
	TAGCTL_LEAK = 1 << 0,
	TAGCTL_ESCAPE = 1 << 1,
	TAGCTL_MISUSE = 1 << 2,
	TAGCTL_ALL_CLASSES = TAGCTL_LEAK | TAGCTL_ESCAPE | TAGCTL_MISUSE,
};

enum tagctl_class tagctl_class_of(enum memtag_event_kind kind);
const char *tagctl_class_name(enum tagctl_class class);
/* "leak,escape" -> mask; 0 and a message in err on a bad name. */
unsigned int tagctl_parse_classes(const char *list, char *err, size_t errlen);

/*
 * "use-after-end,double-free" or classes ("escape") -> a mask of 1 << kind;
 * 0 and a message in err on a bad name.
 */
uint32_t tagctl_parse_kinds(const char *list, char *err, size_t errlen);

#endif
