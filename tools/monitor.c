// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl monitor: events as the module records them, like ip monitor. */
#include <stdio.h>
#include <stdlib.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <json-c/json.h>
#include "client.h"
#include "tagctl.h"

struct monitor {
	const struct tagctl_options *opts;
	long remaining;		/* -1: forever */
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct monitor *m = arg;
	struct memtag_event_record e;
	struct json_object *o;

	if (memtag_event_parse(nlmsg_hdr(msg), &e))
		return NL_SKIP;
	if (m->opts->json) {
		o = tagctl_event_json(&e);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		tagctl_print_event(&e);
	}
	fflush(stdout);
	if (m->remaining > 0)
		m->remaining--;
	return NL_OK;
}

static int listen_events(struct monitor *m)
{
	struct nl_sock *sock = nl_socket_alloc();
	int group, ret = TAGCTL_EXIT_OK;

	if (!sock || genl_connect(sock)) {
		fprintf(stderr, "tagctl monitor: cannot open a netlink socket\n");
		nl_socket_free(sock);
		return TAGCTL_EXIT_ERROR;
	}
	group = genl_ctrl_resolve_grp(sock, MEMTAG_GENL_NAME, MEMTAG_MCGRP_EVENTS);
	if (group < 0 || nl_socket_add_membership(sock, group)) {
		fprintf(stderr, "tagctl monitor: cannot join the events group: it needs "
				"CAP_SYS_ADMIN (run as root)\n");
		nl_socket_free(sock);
		return TAGCTL_EXIT_DENIED;
	}
	nl_socket_disable_seq_check(sock);
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, on_event, m);
	fprintf(stderr, "tagctl monitor: listening\n");
	while (m->remaining != 0)
		if (nl_recvmsgs_default(sock) < 0) {
			ret = TAGCTL_EXIT_ERROR;
			break;
		}
	nl_socket_free(sock);
	return ret;
}

static const struct tagctl_opt monitor_opts[] = {
	{ 'c', 'c', "count", "N", "stop after N events" },
	{ 0 },
};

static int monitor_option(int c, const char *arg, void *ctx)
{
	struct monitor *m = ctx;

	(void)c;	/* only --count */
	if (tagctl_parse_long(arg, 1, LONG_MAX, &m->remaining))
		return tagctl_usage_error(&tagctl_monitor_command, "--count needs N > 0");
	return TAGCTL_EXIT_OK;
}

static int run_monitor(const struct tagctl_options *opts, int argc, char **argv)
{
	struct monitor m = { .opts = opts, .remaining = -1 };
	struct memtag_client *client;
	int ret;

	ret = tagctl_parse_args(&tagctl_monitor_command, argc, argv, NULL, monitor_option, &m);
	if (ret)
		return ret;
	ret = tagctl_connect(&client);	/* a clear message when the module is missing */
	if (ret)
		return ret;
	memtag_client_close(client);
	return listen_events(&m);
}

const struct tagctl_command tagctl_monitor_command = {
	.name = "monitor",
	.summary = "print events as they are recorded (root); --count N to stop after N",
	.options = monitor_opts,
	.run = run_monitor,
};
