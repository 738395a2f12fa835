// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl's option grammar: short, long, grouped, abbreviated, --x=VALUE. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "opts.h"
#include "tagctl.h"

/* -h is human-readable output, as in df, du, free and ip; help is --help. */
const struct tagctl_opt tagctl_global_opts[] = {
	{ TAGCTL_KEY_JSON, 'j', "json", NULL, "JSON output" },
	{ TAGCTL_KEY_PRETTY, 'p', "pretty", NULL, "indent JSON output" },
	{ TAGCTL_KEY_HUMAN, 'h', "human", NULL, "sizes and times in K/M/G, s/m/h/d (text)" },
	{ TAGCTL_KEY_DUMP, 'D', "dump", NULL, "tab-separated lines for scripts, as wg show dump" },
	{ TAGCTL_KEY_VERSION, 'V', "version", NULL, "print the version and exit" },
	{ TAGCTL_KEY_HELP, 0, "help", NULL, "this help" },
	{ 0 },
};

void tagctl_opt_init(struct tagctl_opt_state *s, int argc, char **argv,
		     const struct tagctl_opt *a, const struct tagctl_opt *b, const char *where)
{
	memset(s, 0, sizeof(*s));
	s->argc = argc;
	s->argv = argv;
	s->index = 1;
	s->tables[0] = a;
	s->tables[1] = b;
	s->where = where;
}

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return TAGCTL_OPT_ERROR;
}

static const struct tagctl_opt *find_short(const struct tagctl_opt_state *s, char c)
{
	const struct tagctl_opt *o;
	int t;

	for (t = 0; t < 2; t++)
		for (o = s->tables[t]; o && o->key; o++)
			if (o->short_name == c)
				return o;
	return NULL;
}

/* An exact long name, else the one it abbreviates; *many when it is ambiguous. */
static const struct tagctl_opt *find_long(const struct tagctl_opt_state *s, const char *name,
					  size_t n, int *many)
{
	const struct tagctl_opt *o, *found = NULL;
	int t;

	*many = 0;
	for (t = 0; t < 2; t++) {
		for (o = s->tables[t]; o && o->key; o++) {
			if (!o->long_name || strncmp(o->long_name, name, n))
				continue;
			if (!o->long_name[n])
				return o;
			if (found && found->key != o->key)
				(*many)++;
			found = o;
		}
	}
	return found;
}

static void list_candidates(const struct tagctl_opt_state *s, const char *name, size_t n,
			    char *buf, size_t len)
{
	const struct tagctl_opt *o;
	size_t used = 0;
	int t;

	buf[0] = '\0';
	for (t = 0; t < 2; t++)
		for (o = s->tables[t]; o && o->key; o++)
			if (o->long_name && !strncmp(o->long_name, name, n) && used < len)
				used += (size_t)snprintf(buf + used, len - used, "%s--%s",
							 used ? ", " : "", o->long_name);
}

static int unknown(const struct tagctl_opt_state *s, const char *what, char *err, size_t len)
{
	return fail(err, len, "%s: unknown option '%s'; try '%s --help'", s->where, what,
		    s->where);
}

static int missing(const struct tagctl_opt *o, const char *typed, char *err, size_t len)
{
	if (typed[1] != '-' && o->long_name)
		return fail(err, len, "tagctl: option '%s' (--%s) needs an argument", typed,
			    o->long_name);
	return fail(err, len, "tagctl: option '%s' needs an argument", typed);
}

static int next_long(struct tagctl_opt_state *s, const char *word, const char **arg,
		     char *err, size_t len)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	const struct tagctl_opt *o;
	char typed[64], names[256];
	int many;

	snprintf(typed, sizeof(typed), "--%.*s", (int)n, name);
	o = n ? find_long(s, name, n, &many) : NULL;
	if (!o)
		return unknown(s, typed, err, len);
	if (many) {
		list_candidates(s, name, n, names, sizeof(names));
		return fail(err, len, "%s: option '%s' is ambiguous: %s", s->where, typed, names);
	}
	snprintf(typed, sizeof(typed), "--%s", o->long_name);
	if (!o->arg && eq)
		return fail(err, len, "tagctl: option '%s' takes no argument", typed);
	if (o->arg && !eq && s->index >= s->argc)
		return missing(o, typed, err, len);
	if (o->arg)
		*arg = eq ? eq + 1 : s->argv[s->index++];
	return o->key;
}

static int next_short(struct tagctl_opt_state *s, const char **arg, char *err, size_t len)
{
	const char *word = s->argv[s->index - 1];
	const struct tagctl_opt *o;
	char typed[3] = { '-', word[s->sub], '\0' };

	o = find_short(s, word[s->sub]);
	if (!o) {
		s->sub = 0;
		return unknown(s, typed, err, len);
	}
	s->sub++;
	if (!o->arg) {
		if (!word[s->sub])
			s->sub = 0;
		return o->key;
	}
	if (word[s->sub]) {		/* -P42 */
		*arg = word + s->sub;
	} else if (s->index < s->argc) {
		*arg = s->argv[s->index++];
	} else {
		s->sub = 0;
		return missing(o, typed, err, len);
	}
	s->sub = 0;
	return o->key;
}

int tagctl_opt_next(struct tagctl_opt_state *s, const char **arg, char *err, size_t len)
{
	const char *word;

	*arg = NULL;
	err[0] = '\0';
	if (s->sub)
		return next_short(s, arg, err, len);
	if (s->index >= s->argc)
		return TAGCTL_OPT_END;
	word = s->argv[s->index];
	if (word[0] != '-' || !word[1]) {
		if (s->stop_at_word)
			return TAGCTL_OPT_END;
		return fail(err, len, "%s: unexpected argument '%s'; try '%s --help'", s->where,
			    word, s->where);
	}
	s->index++;
	if (!strcmp(word, "--")) {
		if (s->index < s->argc && !s->stop_at_word)
			return fail(err, len, "%s: unexpected argument '%s'; try '%s --help'",
				    s->where, s->argv[s->index], s->where);
		return TAGCTL_OPT_END;
	}
	if (word[1] == '-')
		return next_long(s, word, arg, err, len);
	s->sub = 1;
	return next_short(s, arg, err, len);
}

static size_t append(char *buf, size_t len, size_t used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (used >= len)
		return used;
	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	return n < 0 ? used : used + (size_t)n;
}

size_t tagctl_opt_help(const struct tagctl_opt *table, char *buf, size_t len)
{
	const struct tagctl_opt *o;
	size_t used = 0;
	char names[64];

	if (len)
		buf[0] = '\0';
	for (o = table; o && o->key; o++) {
		if (o->short_name)
			snprintf(names, sizeof(names), "-%c%s%s", o->short_name,
				 o->long_name ? ", --" : "", o->long_name ? o->long_name : "");
		else
			snprintf(names, sizeof(names), "    --%s", o->long_name);
		if (o->arg)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), " %s", o->arg);
		used = append(buf, len, used, "  %-28s %s\n", names, o->help);
	}
	return used;
}

size_t tagctl_opt_synopsis(const struct tagctl_opt *table, char *buf, size_t len)
{
	const struct tagctl_opt *o;
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (o = table; o && o->key; o++) {
		used = append(buf, len, used, "%s[", used ? " " : "");
		if (o->short_name)
			used = append(buf, len, used, "-%c", o->short_name);
		else
			used = append(buf, len, used, "--%s", o->long_name);
		if (o->arg)
			used = append(buf, len, used, " %s", o->arg);
		used = append(buf, len, used, "]");
	}
	return used;
}

const struct tagctl_command *tagctl_find_command(const struct tagctl_command *const *cmds,
						 size_t n, const char *word, char *err,
						 size_t len)
{
	const struct tagctl_command *found = NULL;
	size_t i, many = 0, used = 0, wl = strlen(word);
	char names[256] = "";

	for (i = 0; wl && i < n; i++) {
		if (!strcmp(cmds[i]->name, word))
			return cmds[i];
		if (strncmp(cmds[i]->name, word, wl))
			continue;
		used = append(names, sizeof(names), used, "%s%s", found ? ", " : "", cmds[i]->name);
		many += found != NULL;
		found = cmds[i];
	}
	if (found && !many)
		return found;
	if (found)
		fail(err, len, "tagctl: command '%s' is ambiguous: %s", word, names);
	else
		fail(err, len, "tagctl: unknown command '%s'; try 'tagctl --help'", word);
	return NULL;
}
