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
