// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl monitor: events as the module records them, like ip monitor. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <json-c/json.h>
#include "client.h"
#include "tagctl.h"

struct monitor {
	const struct tagctl_options *opts;
	long remaining;		/* -1: forever */
	long pid;		/* -1: every process */
	uint32_t kinds;		/* 1 << kind; 0: every kind */
	uint64_t rcvbuf;	/* 0: libnl's */
	bool seen;		/* an event came: last_seq is its */
	uint64_t last_seq;
	uint64_t start_seq;	/* the module's next seq once the monitor joined */
};

/*
 * The monitor sees every user's events, and the module numbers every one it
 * records: a gap in the numbers is what this socket lost (the kernel reports
 * ENOBUFS before the events still queued, so the gap comes after those).
 */
static void report_gap(struct monitor *m, uint64_t seq)
{
	uint64_t first = m->seen ? m->last_seq + 1 : m->start_seq;

	if (seq <= first)
		return;
	fprintf(stderr, "tagctl monitor: %" PRIu64 " event(s) lost, seq %" PRIu64 " to %" PRIu64
		"; 'tagctl events --since %" PRId64 "' lists them while the module's ring holds "
		"them\n", seq - first, first, seq - 1, (int64_t)first - 1);
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct monitor *m = arg;
	struct memtag_event_record e;
	struct json_object *o;

	if (memtag_event_parse(nlmsg_hdr(msg), &e))
		return NL_SKIP;
	report_gap(m, e.seq);
	m->seen = true;
	m->last_seq = e.seq;
	if (!tagctl_event_wanted(&e, m->pid, m->kinds))
		return NL_OK;
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

static void overflowed(void)
{
	fprintf(stderr, "tagctl monitor: events lost: the socket's receive buffer overflowed "
			"(ENOBUFS); the gap in sequence numbers says how many; --rcvbuf SIZE "
			"gives it more room\n");
}

static int join_group(struct nl_sock *sock)
{
	int group = genl_ctrl_resolve_grp(sock, MEMTAG_GENL_NAME, MEMTAG_MCGRP_EVENTS), ret;

	if (group < 0) {
		fprintf(stderr, "tagctl monitor: the module has no '%s' multicast group: %s\n",
			MEMTAG_MCGRP_EVENTS, nl_geterror(group));
		return TAGCTL_EXIT_ERROR;
	}
	ret = nl_socket_add_membership(sock, group);
	if (ret == -NLE_PERM) {
		fprintf(stderr, "tagctl monitor: permission denied: joining memtag's events group "
				"needs CAP_SYS_ADMIN (run as root); 'tagctl events' lists your own\n");
		return TAGCTL_EXIT_DENIED;
	}
	if (ret) {
		fprintf(stderr, "tagctl monitor: cannot join the events group: %s\n",
			nl_geterror(ret));
		return TAGCTL_EXIT_ERROR;
	}
	return TAGCTL_EXIT_OK;
}

static int listen_events(struct monitor *m, struct memtag_client *client)
{
	struct memtag_status st;
	struct nl_sock *sock = nl_socket_alloc();
	int ret = TAGCTL_EXIT_OK, err;

	if (!sock || genl_connect(sock)) {
		fprintf(stderr, "tagctl monitor: cannot open a netlink socket\n");
		nl_socket_free(sock);
		return TAGCTL_EXIT_ERROR;
	}
	ret = join_group(sock);
	if (!ret && m->rcvbuf && (err = nl_socket_set_buffer_size(sock, (int)m->rcvbuf, 0))) {
		fprintf(stderr, "tagctl monitor: cannot set the receive buffer: %s\n",
			nl_geterror(err));
		ret = TAGCTL_EXIT_ERROR;
	}
	/* joined first: every event from here on is numbered start_seq or later */
	if (!ret && (err = memtag_status_get(client, &st)))
		ret = tagctl_fail(client, "monitor", err);
	if (ret) {
		nl_socket_free(sock);
		return ret;
	}
	m->start_seq = st.events;
	nl_socket_disable_seq_check(sock);
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, on_event, m);
	fprintf(stderr, "tagctl monitor: listening\n");
	while (m->remaining != 0) {
		errno = 0;
		err = nl_recvmsgs_default(sock);
		/* libnl says NLE_NOMEM for the socket's ENOBUFS */
		if (err == -NLE_NOMEM && errno == ENOBUFS) {
			overflowed();
		} else if (err < 0) {
			fprintf(stderr, "tagctl monitor: receive failed: %s\n", nl_geterror(err));
			ret = TAGCTL_EXIT_ERROR;
			break;
		}
	}
	nl_socket_free(sock);
	return ret;
}

static const struct tagctl_opt monitor_opts[] = {
	{ 'c', 'c', "count", "N", "stop after N events (those the filters let through)" },
	{ 'P', 'P', "pid", "P", "events of process P only" },
	{ 'k', 'k', "kind", "KINDS", "these kinds (use-after-end,...) or classes only" },
	{ 'b', 'b', "rcvbuf", "SIZE", "the socket's receive buffer (64K, 4M), as ip -rcvbuf" },
	{ 0 },
};

static int monitor_option(int c, const char *arg, void *ctx)
{
	const struct tagctl_command *cmd = &tagctl_monitor_command;
	struct monitor *m = ctx;

	switch (c) {
	case 'k':
		return tagctl_parse_kind_option(cmd, arg, &m->kinds);
	case 'b':
		if (tagctl_parse_size(arg, &m->rcvbuf) || !m->rcvbuf || m->rcvbuf > INT32_MAX / 2)
			return tagctl_usage_error(cmd, "--rcvbuf takes a size: 64K, 4M (up to 1G)");
		return TAGCTL_EXIT_OK;
	default:
		if (tagctl_parse_long(arg, 1, LONG_MAX, &m->remaining))
			return tagctl_usage_error(cmd, "--count needs N > 0");
		return TAGCTL_EXIT_OK;
	}
}

static int run_monitor(const struct tagctl_options *opts, int argc, char **argv)
{
	struct monitor m = { .opts = opts, .remaining = -1, .pid = -1 };
	struct memtag_client *client;
	int ret;

	ret = tagctl_parse_args(&tagctl_monitor_command, argc, argv, &m.pid, monitor_option, &m);
	if (ret)
		return ret;
	ret = tagctl_connect(&client);	/* a clear message when the module is missing */
	if (ret)
		return ret;
	ret = listen_events(&m, client);
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_monitor_command = {
	.name = "monitor",
	.summary = "print events as they are recorded (root); --count N to stop after N",
	.options = monitor_opts,
	.run = run_monitor,
};
