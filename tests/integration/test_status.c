// SPDX-License-Identifier: GPL-2.0-or-later
/* STATUS over netlink, through libmemtag and through tagctl. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include "client.h"
#include "itest.h"
#include "../../kmod/version.h"

static char out[4096];

static enum memtag_backend expected(void)
{
	return strcmp(itest_expected_backend(), "mte") ? MEMTAG_BACKEND_SOFTWARE
						       : MEMTAG_BACKEND_MTE;
}

static void test_status_fields(void)
{
	struct memtag_client *client;
	struct memtag_status st;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_status_get(client, &st), 0);
	CU_ASSERT_STRING_EQUAL(st.version, MEMTAG_VERSION);
	CU_ASSERT_EQUAL(st.backend, expected());
	CU_ASSERT_FALSE(st.backend_forced);
	CU_ASSERT_EQUAL(st.mte_capable, expected() == MEMTAG_BACKEND_MTE);
	memtag_client_close(client);
}

static void test_counter_counts_requests(void)
{
	struct memtag_client *client;
	struct memtag_status a, b;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL(memtag_status_get(client, &a), 0);
	CU_ASSERT_EQUAL(memtag_status_get(client, &b), 0);
	CU_ASSERT_EQUAL(b.status_requests, a.status_requests + 1);
	CU_ASSERT_TRUE(a.status_requests >= 1);
	memtag_client_close(client);
}

/* Send cmd with one u32 attribute (none if attr is 0); expect err. */
static void expect_rejected(uint8_t cmd, int attr, int err, const char *message)
{
	struct memtag_client *client;
	struct nl_msg *msg;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	msg = memtag_request_new(client, cmd, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	if (attr)
		nla_put_u32(msg, attr, 1);
	CU_ASSERT_EQUAL(memtag_request_run(client, msg, NULL, NULL), err);
	if (message)
		CU_ASSERT_STRING_EQUAL(memtag_client_error(client), message);
	memtag_client_close(client);
}

static void test_attribute_rejected_with_message(void)
{
	expect_rejected(MEMTAG_CMD_STATUS, MEMTAG_A_BACKEND, -EINVAL, "STATUS takes no attributes");
}

static void test_unknown_attribute_rejected(void)
{
	/* strict validation: beyond maxattr */
	expect_rejected(MEMTAG_CMD_STATUS, MEMTAG_A_MAX + 1, -EINVAL, NULL);
}

static void test_unknown_command_rejected(void)
{
	expect_rejected(MEMTAG_CMD_MAX + 1, 0, -EOPNOTSUPP, NULL);
}

static int events_group(struct nl_sock *sock)
{
	if (genl_connect(sock))
		return -1;
	return genl_ctrl_resolve_grp(sock, MEMTAG_GENL_NAME, MEMTAG_MCGRP_EVENTS);
}

static void test_events_group_root_only(void)
{
	struct nl_sock *sock = nl_socket_alloc();
	int group = events_group(sock);
	pid_t pid;
	int status;

	CU_ASSERT_TRUE_FATAL(group > 0);
	CU_ASSERT_EQUAL(nl_socket_add_membership(sock, group), 0);
	nl_socket_free(sock);
	pid = fork();
	if (pid == 0) {
		/* an unprivileged user must not see other users' events */
		if (setgid(65534) || setuid(65534))
			_exit(2);
		/* refused for want of the capability: EPERM, nothing else */
		sock = nl_socket_alloc();
		group = events_group(sock);
		if (group <= 0)
			_exit(3);
		_exit(setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				 &group, sizeof(group)) == -1 && errno == EPERM ? 0 : 1);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_tagctl_json(void)
{
	struct json_object *root, *v, *counters;

	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "tagctl -j status"), 0);
	root = json_tokener_parse(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_TRUE(json_object_object_get_ex(root, "backend", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), itest_expected_backend());
	CU_ASSERT_TRUE(json_object_object_get_ex(root, "version", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), MEMTAG_VERSION);
	CU_ASSERT_TRUE(json_object_object_get_ex(root, "backend_forced", &v));
	CU_ASSERT_FALSE(json_object_get_boolean(v));
	CU_ASSERT_TRUE(json_object_object_get_ex(root, "counters", &counters));
	CU_ASSERT_TRUE(json_object_object_get_ex(counters, "status_requests", &v));
	CU_ASSERT_TRUE(json_object_get_int64(v) >= 1);
	json_object_put(root);
}

static void test_tagctl_human(void)
{
	char want[64];

	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl status"), 0);
	snprintf(want, sizeof(want), "backend: %s\n", itest_expected_backend());
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "memtag module " MEMTAG_VERSION));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl status extra"), 2);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl nosuchcommand"), 2);
}

static void test_pkg_config_consumer(void)
{
	char want[64];

	/* built against the installed .so and memtag.pc, not the build tree */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "memtag-consumer"), 0);
	snprintf(want, sizeof(want), "backend=%s\n", itest_expected_backend());
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
}

static const struct test_case status_cases[] = {
	{ "status reports version and the expected backend", test_status_fields },
	{ "status_requests counts each request", test_counter_counts_requests },
	{ "attribute in STATUS rejected with the kernel's message",
	  test_attribute_rejected_with_message },
	{ "unknown attribute rejected by strict validation", test_unknown_attribute_rejected },
	{ "unknown command rejected", test_unknown_command_rejected },
	{ "events group exists and needs CAP_SYS_ADMIN", test_events_group_root_only },
	{ "tagctl -j status fields", test_tagctl_json },
	{ "tagctl status human output and usage errors", test_tagctl_human },
	{ "a pkg-config consumer of libmemtag.so works", test_pkg_config_consumer },
	{ NULL, NULL },
};

int itest_add_status_suites(void)
{
	return add_suite("status", status_cases);
}
