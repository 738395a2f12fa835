// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl: audit memtag regions. Command table and shared plumbing. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "memtag.h"
#include "tagctl.h"

static const struct tagctl_command *const commands[] = {
	&tagctl_status_command,
	&tagctl_regions_command,
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
	size_t i;

	fprintf(out, "Usage: tagctl [-j] [-p] COMMAND [ARGS]\n\n"
		     "Options:\n"
		     "  -j, --json     JSON output\n"
		     "  -p, --pretty   indent JSON output\n"
		     "  -V, --version  print the version and exit\n"
		     "  -h, --help     this help; 'tagctl COMMAND --help' for a command\n\n"
		     "Commands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
}

int tagctl_usage_error(const struct tagctl_command *cmd, const char *why)
{
	fprintf(stderr, "tagctl %s: %s; usage: %s\n", cmd->name, why, cmd->usage);
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

static const struct tagctl_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tagctl_options opts = { 0 };
	const struct tagctl_command *cmd;
	int c;

	/* '+': options after the command belong to the command */
	while ((c = getopt_long(argc, argv, "+jpVh", long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			opts.json = true;
			break;
		case 'p':
			opts.pretty = true;
			break;
		case 'V':
			printf("tagctl %s\n", memtag_library_version());
			return TAGCTL_EXIT_OK;
		case 'h':
			usage(stdout);
			return TAGCTL_EXIT_OK;
		default:
			usage(stderr);
			return TAGCTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return TAGCTL_EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		cmd = optind + 1 < argc ? find_command(argv[optind + 1]) : NULL;
		if (!cmd) {
			usage(stdout);
			return TAGCTL_EXIT_OK;
		}
		printf("Usage: %s\n", cmd->usage);
		return TAGCTL_EXIT_OK;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "tagctl: unknown command '%s'; try 'tagctl --help'\n", argv[optind]);
		return TAGCTL_EXIT_USAGE;
	}
	if (wants_help(argc - optind, argv + optind)) {
		printf("Usage: %s\n", cmd->usage);
		return TAGCTL_EXIT_OK;
	}
	/* the command sees its own name as argv[0], as getopt expects */
	argv += optind;
	argc -= optind;
	optind = 1;
	return cmd->run(&opts, argc, argv);
}
