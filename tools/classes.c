// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>
#include "classes.h"

enum tagctl_class tagctl_class_of(enum memtag_event_kind kind)
{
	switch (kind) {
	case MEMTAG_EVENT_REGION_LEAKED:
	case MEMTAG_EVENT_ALLOCS_LEAKED:
		return TAGCTL_LEAK;
	case MEMTAG_EVENT_USE_AFTER_END:
	case MEMTAG_EVENT_STALE_AFTER_RESET:
		return TAGCTL_ESCAPE;
	default:
		return TAGCTL_MISUSE;
	}
}

const char *tagctl_class_name(enum tagctl_class class)
{
	switch (class) {
	case TAGCTL_LEAK:
		return "leak";
	case TAGCTL_ESCAPE:
		return "escape";
	default:
		return "misuse";
	}
}

unsigned int tagctl_parse_classes(const char *list, char *err, size_t errlen)
{
	static const enum tagctl_class all[] = { TAGCTL_LEAK, TAGCTL_ESCAPE, TAGCTL_MISUSE };
	unsigned int mask = 0;
	const char *p = list;
	size_t len, i;

	while (*p) {
		len = strcspn(p, ",");
		for (i = 0; i < 3; i++)
			if (strlen(tagctl_class_name(all[i])) == len &&
			    !strncmp(p, tagctl_class_name(all[i]), len))
				break;
		if (i == 3) {
			snprintf(err, errlen, "unknown class '%.*s' (use leak, escape, misuse)",
				 (int)len, p);
			return 0;
		}
		mask |= all[i];
		p += len + (p[len] == ',');
	}
	if (!mask)
		snprintf(err, errlen, "no class given (use leak, escape, misuse)");
	return mask;
}

/* A class's kinds, as a mask of 1 << kind. */
static uint32_t class_kinds(unsigned int classes)
{
	uint32_t mask = 0;
	int k;

	for (k = MEMTAG_EVENT_UNSPEC + 1; k <= MEMTAG_EVENT_MAX; k++)
		if (classes & tagctl_class_of((enum memtag_event_kind)k))
			mask |= 1u << k;
	return mask;
}

uint32_t tagctl_parse_kinds(const char *list, char *err, size_t errlen)
{
	uint32_t mask = 0, one;
	const char *p = list, *name;
	char word[64];
	size_t len;
	int k;

	while (*p) {
		len = strcspn(p, ",");
		snprintf(word, sizeof(word), "%.*s", (int)len, p);
		one = 0;
		for (k = MEMTAG_EVENT_UNSPEC + 1; k <= MEMTAG_EVENT_MAX && !one; k++) {
			name = memtag_event_kind_name((enum memtag_event_kind)k);
			if (name && !strcmp(word, name))
				one = 1u << k;
		}
		if (!one && (!strcmp(word, "leak") || !strcmp(word, "escape") ||
			     !strcmp(word, "misuse")))
			one = class_kinds(tagctl_parse_classes(word, err, errlen));
		if (!one) {
			snprintf(err, errlen, "unknown kind '%s' (a kind as events prints it, "
				 "e.g. use-after-end, or a class: leak, escape, misuse)", word);
			return 0;
		}
		mask |= one;
		p += len + (p[len] == ',');
	}
	if (!mask)
		snprintf(err, errlen, "no kind given");
	return mask;
}
