// SPDX-License-Identifier: GPL-2.0-or-later
/* Suppression files of tagctl check. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "suppressions.h"

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return s;
}

int suppressions_add_line(struct suppressions *s, const char *line, char *err, size_t errlen)
{
	char buf[512], *text, *colon, *pattern;
	struct suppression *grown, *item;
	unsigned int class;

	snprintf(buf, sizeof(buf), "%s", line);
	text = trim(buf);
	if (!*text || *text == '#')
		return 0;
	colon = strchr(text, ':');
	/* "leak: foo" means "leak:foo": a blank is never part of a pattern's ends */
	pattern = colon ? trim(colon + 1) : NULL;
	if (!colon || !*pattern) {
		snprintf(err, errlen, "'%s' is not CLASS:PATTERN", text);
		return -1;
	}
	*colon = '\0';
	text = trim(text);
	class = tagctl_parse_classes(text, err, errlen);
	if (!class || (class & (class - 1))) {
		snprintf(err, errlen, "'%s' is not one of leak, escape, misuse", text);
		return -1;
	}
	if (strlen(pattern) >= sizeof(item->pattern)) {
		snprintf(err, errlen, "pattern longer than %zu bytes", sizeof(item->pattern) - 1);
		return -1;
	}
	grown = realloc(s->items, (s->count + 1) * sizeof(*grown));
	if (!grown) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	s->items = grown;
	item = &s->items[s->count++];
	item->class = class;
	item->hits = 0;
	strcpy(item->pattern, pattern);
	return 0;
}

int suppressions_load(const char *path, struct suppressions *s, char *err, size_t errlen)
{
	char line[512], why[256];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (suppressions_add_line(s, line, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: %s", path, n, why);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

bool suppression_template_match(const char *templ, const char *str)
{
	bool start = false, asterisk = false;
	const char *found;
	char part[sizeof(((struct suppression *)0)->pattern)];
	size_t n;

	if (!str || !*str)
		return false;
	if (*templ == '^') {
		start = true;
		templ++;
	}
	while (*templ) {
		if (*templ == '*') {
			templ++;
			start = false;
			asterisk = true;
			continue;
		}
		if (*templ == '$')
			return !*str || asterisk;
		if (!*str)
			return false;
		/* the text up to the next '*' or '$', found at its first place */
		n = strcspn(templ, "*$");
		if (n >= sizeof(part))
			return false;
		memcpy(part, templ, n);
		part[n] = '\0';
		found = strstr(str, part);
		if (!found || (start && found != str))
			return false;
		str = found + n;
		templ += n;
		start = false;
		asterisk = false;
	}
	return true;
}

struct suppression *suppressions_match(struct suppressions *s, enum tagctl_class class,
				       const char *const *subjects, size_t nsubjects)
{
	size_t i, j;

	for (i = 0; i < s->count; i++) {
		if (s->items[i].class != class)
			continue;
		for (j = 0; j < nsubjects; j++) {
			if (subjects[j] && suppression_template_match(s->items[i].pattern, subjects[j])) {
				s->items[i].hits++;
				return &s->items[i];
			}
		}
	}
	return NULL;
}

void suppressions_free(struct suppressions *s)
{
	free(s->items);
	s->items = NULL;
	s->count = 0;
}
