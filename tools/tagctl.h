/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TAGCTL_H
#define TAGCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include "opts.h"
#include "units.h"

/* Exit codes: documented in tagctl(8); scripts rely on them. */
enum tagctl_exit {
	TAGCTL_EXIT_OK = 0,
	TAGCTL_EXIT_ERROR = 1,		/* the request failed */
	TAGCTL_EXIT_USAGE = 2,		/* bad command line */
	TAGCTL_EXIT_NO_MODULE = 3,	/* the memtag module is not loaded */
	TAGCTL_EXIT_DENIED = 4,		/* permission denied */
	/* tagctl check: 8 plus 1 (leaks), 2 (escapes), 4 (misuse) found */
	TAGCTL_EXIT_CHECK = 8,
};

struct tagctl_options {
	bool json;
	bool pretty;
	bool human;		/* -h: sizes and times in K/M/G, s/m/h/d */
	bool dump;		/* -D: tab-separated lines, see tagctl.md "Dump form" */
};

struct tagctl_opt;
struct tagctl_command {
	const char *name;
	const char *summary;
	const struct tagctl_opt *options;	/* zero key ends; NULL: none */
	int (*run)(const struct tagctl_options *opts, int argc, char **argv);
	bool dump;				/* has a --dump form */
};

extern const struct tagctl_command tagctl_status_command;
extern const struct tagctl_command tagctl_regions_command;
extern const struct tagctl_command tagctl_segments_command;
extern const struct tagctl_command tagctl_events_command;
extern const struct tagctl_command tagctl_escapes_command;
extern const struct tagctl_command tagctl_violations_command;
extern const struct tagctl_command tagctl_leaks_command;
extern const struct tagctl_command tagctl_monitor_command;
extern const struct tagctl_command tagctl_check_command;
extern const struct tagctl_command tagctl_stats_command;
extern const struct tagctl_command tagctl_top_command;
extern const struct tagctl_command tagctl_scan_command;
extern const struct tagctl_command tagctl_export_command;

/* A command line a command cannot take: say why and how; returns the exit code. */
int tagctl_usage_error(const struct tagctl_command *cmd, const char *why);
/* --pid's value: a process id, or a usage error (its exit code). */
int tagctl_parse_pid(const struct tagctl_command *cmd, const char *arg, long *pid);
/*
 * Another user's live process, asked for by one who may not see it: say so
 * (the module would answer with an empty list). Returns an exit code.
 */
int tagctl_check_pid_access(const struct tagctl_command *cmd, long pid);
/*
 * cmd's options (its table and the global ones, which main has applied):
 * 'P' (--pid) fills *pid when pid is not NULL, any other command option goes
 * to option() (NULL: none), which returns an exit code. Returns an exit code.
 */
int tagctl_parse_args(const struct tagctl_command *cmd, int argc, char **argv, long *pid,
		      int (*option)(int c, const char *arg, void *ctx), void *ctx);
/* The --help of cmd, from its option table. */
void tagctl_command_help(const struct tagctl_command *cmd, FILE *out);

struct memtag_client;
/* Connect to the module, or explain why not; returns an exit code. */
int tagctl_connect(struct memtag_client **client);
/* Report a failed request; returns the matching exit code. */
int tagctl_fail(const struct memtag_client *client, const char *what, int err);
/* Keep the items keep() accepts, in order; returns how many. */
size_t tagctl_keep(void *items, size_t count, size_t size,
		   bool (*keep)(const void *item, const void *ctx), const void *ctx);

struct memtag_event_record;
/* Is e of process pid (-1: any) and of one of kinds (1 << kind; 0: any)? */
bool tagctl_event_wanted(const struct memtag_event_record *e, long pid, uint32_t kinds);
/* --kind's value (tagctl_parse_kinds) into *kinds, or a usage error of cmd. */
int tagctl_parse_kind_option(const struct tagctl_command *cmd, const char *arg, uint32_t *kinds);
void tagctl_print_event(const struct memtag_event_record *e);
struct json_object *tagctl_event_json(const struct memtag_event_record *e);
/* The same with the site and pc named (function, file:line) as their profile allows. */
struct tagctl_symbols;
void tagctl_print_event_symbolized(const struct memtag_event_record *e, struct tagctl_symbols *sy);
struct json_object *tagctl_event_json_symbolized(const struct memtag_event_record *e,
						 struct tagctl_symbols *sy);

/* Print a json-c object as the command's output. */
struct json_object;
void tagctl_print_json(const struct tagctl_options *opts, struct json_object *obj);

#endif /* TAGCTL_H */
