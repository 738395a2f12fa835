// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl: audit memtag regions. Command table and shared plumbing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "memtag.h"
#include "opts.h"
#include "tagctl.h"

static const struct tagctl_command *const commands[] = {
	&tagctl_status_command,
	&tagctl_regions_command,
	&tagctl_segments_command,
	&tagctl_events_command,
	&tagctl_escapes_command,
	&tagctl_violations_command,
	&tagctl_leaks_command,
	&tagctl_monitor_command,
	&tagctl_check_command,
	&tagctl_scan_command,
	&tagctl_export_command,
	&tagctl_stats_command,
	&tagctl_top_command,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	char help[1024];
	size_t i;

	tagctl_opt_help(tagctl_global_opts, help, sizeof(help));
	fprintf(out, "Usage: tagctl [OPTIONS] [COMMAND [ARGS]]\n"
		     "Without a command: status. A command may be shortened to a unique prefix.\n\n"
		     "'tagctl help COMMAND' or 'tagctl COMMAND --help' lists its options.\n\n"
		     "Options (before or after the command):\n%s\n"
		     "Commands:\n",
		help);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
}

int tagctl_usage_error(const struct tagctl_command *cmd, const char *why)
{
	fprintf(stderr, "tagctl %s: %s; try 'tagctl %s --help'\n", cmd->name, why, cmd->name);
	return TAGCTL_EXIT_USAGE;
}

int tagctl_connect(struct memtag_client **client)
{
	int ret = memtag_client_open(client);

	if (ret == -ENOENT) {
		fprintf(stderr, "tagctl: the memtag kernel module is not loaded; "
				"load it with 'modprobe memtag' (as root)\n");
		return TAGCTL_EXIT_NO_MODULE;
	}
	if (ret)
		return tagctl_fail(NULL, "cannot open a netlink socket", ret);
	return TAGCTL_EXIT_OK;
}

int tagctl_fail(const struct memtag_client *client, const char *what, int err)
{
	const char *detail = memtag_client_error(client);

	fprintf(stderr, "tagctl: %s: %s%s%s\n", what, strerror(-err),
		*detail ? ": " : "", detail);
	if (err == -EPERM || err == -EACCES)
		return TAGCTL_EXIT_DENIED;
	return TAGCTL_EXIT_ERROR;
}

void tagctl_print_json(const struct tagctl_options *opts, struct json_object *obj)
{
	int flags = opts->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
				 : JSON_C_TO_STRING_PLAIN;

	puts(json_object_to_json_string_ext(obj, flags | JSON_C_TO_STRING_NOSLASHESCAPE));
}

size_t tagctl_keep(void *items, size_t count, size_t size,
		   bool (*keep)(const void *item, const void *ctx), const void *ctx)
{
	char *base = items;
	size_t i, kept = 0;

	for (i = 0; i < count; i++) {
		if (!keep(base + i * size, ctx))
			continue;
		if (kept != i)
			memcpy(base + kept * size, base + i * size, size);
		kept++;
	}
	return kept;
}

/*
 * Global options (before the command, or with stop_at_word false after it,
 * where the command's options are checked too): applied to opts. Returns
 * -1 to go on, else the exit code (help, version, a usage error).
 */
static int global_options(struct tagctl_opt_state *s, struct tagctl_options *opts,
			  const struct tagctl_command *cmd)
{
	const char *arg;
	char err[512];
	int key;

	while ((key = tagctl_opt_next(s, &arg, err, sizeof(err))) != TAGCTL_OPT_END) {
		switch (key) {
		case TAGCTL_OPT_ERROR:
			fprintf(stderr, "%s\n", err);
			return TAGCTL_EXIT_USAGE;
		case TAGCTL_KEY_JSON:
			opts->json = true;
			break;
		case TAGCTL_KEY_PRETTY:
			opts->pretty = true;
			break;
		case TAGCTL_KEY_HUMAN:
			opts->human = true;
			break;
		case TAGCTL_KEY_DUMP:
			opts->dump = true;
			break;
		case TAGCTL_KEY_VERSION:
			printf("tagctl %s\n", memtag_library_version());
			return TAGCTL_EXIT_OK;
		case TAGCTL_KEY_HELP:
			if (cmd)
				tagctl_command_help(cmd, stdout);
			else
				usage(stdout);
			return TAGCTL_EXIT_OK;
		default:
			break;		/* the command's: it parses them itself */
		}
	}
	return -1;
}

static const struct tagctl_command *find_command(const char *word)
{
	const struct tagctl_command *cmd;
	char err[512];

	cmd = tagctl_find_command(commands, N_COMMANDS, word, err, sizeof(err));
	if (!cmd)
		fprintf(stderr, "%s\n", err);
	return cmd;
}

/* tagctl help [COMMAND] */
static int help(int argc, char **argv)
{
	const struct tagctl_command *cmd;

	if (argc < 2) {
		usage(stdout);
		return TAGCTL_EXIT_OK;
	}
	if (argc > 2) {
		fprintf(stderr, "tagctl help: one command at most; try 'tagctl --help'\n");
		return TAGCTL_EXIT_USAGE;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return TAGCTL_EXIT_USAGE;
	tagctl_command_help(cmd, stdout);
	return TAGCTL_EXIT_OK;
}

int main(int argc, char **argv)
{
	static char status_word[] = "status";
	static char *status_argv[] = { status_word, NULL };
	struct tagctl_options opts = { 0 };
	const struct tagctl_command *cmd;
	struct tagctl_opt_state s;
	char where[32];
	int ret;

	tagctl_opt_init(&s, argc, argv, tagctl_global_opts, NULL, "tagctl");
	s.stop_at_word = true;
	ret = global_options(&s, &opts, NULL);
	if (ret >= 0)
		return ret;
	argc -= s.index;
	argv += s.index;
	if (!argc) {			/* bare tagctl: status, as bare wg shows wg show */
		argc = 1;
		argv = status_argv;
	} else if (!strcmp(argv[0], "help")) {
		return help(argc, argv);
	}
	cmd = find_command(argv[0]);
	if (!cmd)
		return TAGCTL_EXIT_USAGE;
	/* the same grammar after the command: its options and the global ones */
	snprintf(where, sizeof(where), "tagctl %s", cmd->name);
	tagctl_opt_init(&s, argc, argv, cmd->options, tagctl_global_opts, where);
	ret = global_options(&s, &opts, cmd);
	if (ret >= 0)
		return ret;
	if (opts.dump && !cmd->dump)
		return tagctl_usage_error(cmd, "no --dump form (regions, events, escapes, "
					  "violations, leaks and segments have one; -j is for all)");
	if (opts.dump && opts.json)
		return tagctl_usage_error(cmd, "--dump and --json are two forms: pick one");
	return cmd->run(&opts, argc, argv);
}
