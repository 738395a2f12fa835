/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tagctl's one option grammar: a table per command, read by the parser and
 * by the help that lists it, so that the two cannot disagree. Pure: no
 * globals, no output; errors are written to a buffer.
 */
#ifndef TAGCTL_OPTS_H
#define TAGCTL_OPTS_H

#include <stdbool.h>
#include <stddef.h>

struct tagctl_opt {
	int key;		/* > 0: what the parser returns for it */
	char short_name;	/* 0: none */
	const char *long_name;	/* NULL: none */
	const char *arg;	/* NULL: a flag; else the argument's name in help */
	const char *help;
};

/* Keys of the global options, accepted before and after the command. */
enum tagctl_global_key {
	TAGCTL_KEY_JSON = 1000,
	TAGCTL_KEY_PRETTY,
	TAGCTL_KEY_HUMAN,
	TAGCTL_KEY_DUMP,
	TAGCTL_KEY_VERSION,
	TAGCTL_KEY_HELP,
};

/* The global options' table, ended by a zero key. */
extern const struct tagctl_opt tagctl_global_opts[];

/* Iteration over argv[1..argc-1] with up to two tables (zero key ends each). */
struct tagctl_opt_state {
	int argc;
	char **argv;
	int index;		/* next argv element */
	int sub;		/* position within a group of short options, 0: none */
	bool stop_at_word;	/* before the command: a word ends the options */
	const struct tagctl_opt *tables[2];
	const char *where;	/* "tagctl" or "tagctl CMD": for messages */
};

enum tagctl_opt_result {
	TAGCTL_OPT_END = 0,	/* no more options (stop_at_word: index is the word) */
	TAGCTL_OPT_ERROR = -1,	/* err holds the message */
};

void tagctl_opt_init(struct tagctl_opt_state *s, int argc, char **argv,
		     const struct tagctl_opt *a, const struct tagctl_opt *b, const char *where);
/*
 * The next option: its key (*arg its argument, NULL for a flag), END, or
 * ERROR with one line in err: unknown or ambiguous option, missing or
 * unwanted argument, an argument that is not an option.
 */
int tagctl_opt_next(struct tagctl_opt_state *s, const char **arg, char *err, size_t len);

/* A table's entries as help lines ("  -P, --pid P      what"), to buf. */
size_t tagctl_opt_help(const struct tagctl_opt *table, char *buf, size_t len);
/* A table as a synopsis ("[-P P] [-t]"), to buf. */
size_t tagctl_opt_synopsis(const struct tagctl_opt *table, char *buf, size_t len);

/* The command names starts: the one whose name it is or starts, or NULL. */
struct tagctl_command;
const struct tagctl_command *tagctl_find_command(const struct tagctl_command *const *cmds,
						 size_t n, const char *word, char *err,
						 size_t len);

#endif
