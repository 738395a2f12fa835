// SPDX-License-Identifier: GPL-2.0-or-later
/* Command lines the report commands share: --pid and getopt's loop. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tagctl.h"

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
	char *end;

	*pid = strtol(arg, &end, 10);
	if (*end || !*arg || *pid <= 0)
		return tagctl_usage_error(cmd, "--pid needs a process id");
	return TAGCTL_EXIT_OK;
}

int tagctl_parse_args(const struct tagctl_command *cmd, int argc, char **argv,
		      const struct option *options, long *pid,
		      int (*option)(int c, const char *arg, void *ctx), void *ctx)
{
	int c, ret = TAGCTL_EXIT_OK;

	while (!ret && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'P')
			ret = tagctl_parse_pid(cmd, optarg, pid);
		else if (c == '?' || !option)
			ret = tagctl_usage_error(cmd, "unknown option");
		else
			ret = option(c, optarg, ctx);
	}
	if (!ret && optind < argc)
		ret = tagctl_usage_error(cmd, "unexpected argument");
	if (!ret && *pid > 0)
		ret = tagctl_check_pid_access(cmd, *pid);
	return ret;
}
