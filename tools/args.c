// SPDX-License-Identifier: GPL-2.0-or-later
/* Command lines the report commands share: --pid and the option loop. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "opts.h"
#include "tagctl.h"
#include "units.h"

#define CAP_SYS_ADMIN_BIT 21

/* Does this process have CAP_SYS_ADMIN (the module shows it every user's)? */
static bool sees_all(void)
{
	char line[256];
	uint64_t caps = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, &caps) == 1)
			break;
	if (f)
		fclose(f);
	return caps & (1ULL << CAP_SYS_ADMIN_BIT);
}

int tagctl_check_pid_access(const struct tagctl_command *cmd, long pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%ld", pid);
	/* gone (post-mortem), ours, or we see all: the module decides */
	if (stat(path, &st) || st.st_uid == getuid() || sees_all())
		return TAGCTL_EXIT_OK;
	fprintf(stderr, "tagctl %s: process %ld belongs to uid %u; only that user or root "
			"(CAP_SYS_ADMIN) sees its regions and events\n", cmd->name, pid,
		(unsigned int)st.st_uid);
	return TAGCTL_EXIT_DENIED;
}

int tagctl_parse_pid(const struct tagctl_command *cmd, const char *arg, long *pid)
{
	if (tagctl_parse_long(arg, 1, INT32_MAX, pid))
		return tagctl_usage_error(cmd, "--pid needs a process id");
	return TAGCTL_EXIT_OK;
}

static bool is_global(int key)
{
	return key >= TAGCTL_KEY_JSON && key <= TAGCTL_KEY_HELP;
}

int tagctl_parse_args(const struct tagctl_command *cmd, int argc, char **argv, long *pid,
		      int (*option)(int c, const char *arg, void *ctx), void *ctx)
{
	struct tagctl_opt_state s;
	const char *arg;
	char where[32], err[512];
	int key, ret = TAGCTL_EXIT_OK;

	snprintf(where, sizeof(where), "tagctl %s", cmd->name);
	tagctl_opt_init(&s, argc, argv, cmd->options, tagctl_global_opts, where);
	while (!ret && (key = tagctl_opt_next(&s, &arg, err, sizeof(err))) != TAGCTL_OPT_END) {
		if (key == TAGCTL_OPT_ERROR) {
			fprintf(stderr, "%s\n", err);
			ret = TAGCTL_EXIT_USAGE;
		} else if (is_global(key)) {
			continue;	/* main has applied them */
		} else if (key == 'P' && pid) {
			ret = tagctl_parse_pid(cmd, arg, pid);
		} else {
			ret = option(key, arg, ctx);
		}
	}
	if (!ret && pid && *pid > 0)
		ret = tagctl_check_pid_access(cmd, *pid);
	return ret;
}

void tagctl_command_help(const struct tagctl_command *cmd, FILE *out)
{
	char synopsis[512], help[2048];

	tagctl_opt_synopsis(cmd->options, synopsis, sizeof(synopsis));
	fprintf(out, "Usage: tagctl [GLOBAL OPTIONS] %s%s%s\n%s\n", cmd->name,
		*synopsis ? " " : "", synopsis, cmd->summary);
	tagctl_opt_help(cmd->options, help, sizeof(help));
	if (*help)
		fprintf(out, "\nOptions:\n%s", help);
	tagctl_opt_help(tagctl_global_opts, help, sizeof(help));
	fprintf(out, "\nGlobal options (before or after the command):\n%s", help);
}
