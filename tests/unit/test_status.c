// SPDX-License-Identifier: GPL-2.0-or-later
/* STATUS reply parsing, on messages built the way the module builds them. */
#include <errno.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include "client.h"
#include "unit.h"

enum { WITH_VERSION = 1, WITH_FORCED = 2, WITH_MTE = 4, WITH_COUNTERS = 8 };

static struct nl_msg *status_reply(int parts, uint32_t backend, uint64_t requests)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;

	genlmsg_put(msg, 0, 0, 0x20, 0, 0, MEMTAG_CMD_STATUS, MEMTAG_GENL_VERSION);
	if (parts & WITH_VERSION)
		nla_put_string(msg, MEMTAG_A_VERSION, "9.8.7");
	nla_put_u32(msg, MEMTAG_A_BACKEND, backend);
	if (parts & WITH_FORCED)
		nla_put_flag(msg, MEMTAG_A_BACKEND_FORCED);
	if (parts & WITH_MTE)
		nla_put_flag(msg, MEMTAG_A_MTE_CAPABLE);
	if (parts & WITH_COUNTERS) {
		nest = nla_nest_start(msg, MEMTAG_A_COUNTERS);
		nla_put_u64(msg, MEMTAG_COUNTER_STATUS_REQUESTS, requests);
		nla_nest_end(msg, nest);
	}
	return msg;
}

static void test_full_reply(void)
{
	struct nl_msg *msg = status_reply(WITH_VERSION | WITH_FORCED | WITH_MTE | WITH_COUNTERS,
					  MEMTAG_BACKEND_SOFTWARE, 1234567890123ULL);
	struct memtag_status st;

	CU_ASSERT_EQUAL(memtag_status_parse(nlmsg_hdr(msg), &st), 0);
	CU_ASSERT_STRING_EQUAL(st.version, "9.8.7");
	CU_ASSERT_EQUAL(st.backend, MEMTAG_BACKEND_SOFTWARE);
	CU_ASSERT_TRUE(st.backend_forced);
	CU_ASSERT_TRUE(st.mte_capable);
	CU_ASSERT_EQUAL(st.status_requests, 1234567890123ULL);
	nlmsg_free(msg);
}

static void test_flags_absent(void)
{
	struct nl_msg *msg = status_reply(WITH_VERSION | WITH_COUNTERS, MEMTAG_BACKEND_MTE, 1);
	struct memtag_status st;

	CU_ASSERT_EQUAL(memtag_status_parse(nlmsg_hdr(msg), &st), 0);
	CU_ASSERT_EQUAL(st.backend, MEMTAG_BACKEND_MTE);
	CU_ASSERT_FALSE(st.backend_forced);
	CU_ASSERT_FALSE(st.mte_capable);
	nlmsg_free(msg);
}

static void test_missing_version_is_protocol_error(void)
{
	struct nl_msg *msg = status_reply(WITH_COUNTERS, MEMTAG_BACKEND_MTE, 1);
	struct memtag_status st;

	CU_ASSERT_EQUAL(memtag_status_parse(nlmsg_hdr(msg), &st), -EPROTO);
	nlmsg_free(msg);
}

static void test_missing_counters_is_protocol_error(void)
{
	struct nl_msg *msg = status_reply(WITH_VERSION, MEMTAG_BACKEND_MTE, 1);
	struct memtag_status st;

	CU_ASSERT_EQUAL(memtag_status_parse(nlmsg_hdr(msg), &st), -EPROTO);
	nlmsg_free(msg);
}

static void test_backend_names(void)
{
	CU_ASSERT_STRING_EQUAL(memtag_backend_name(MEMTAG_BACKEND_SOFTWARE), "software");
	CU_ASSERT_STRING_EQUAL(memtag_backend_name(MEMTAG_BACKEND_MTE), "mte");
	CU_ASSERT_STRING_EQUAL(memtag_backend_name(__MEMTAG_BACKEND_MAX), "unknown");
}

int add_status_suite(void)
{
	static const struct test_case tests[] = {
		{ "full reply is parsed", test_full_reply },
		{ "absent flags read as false", test_flags_absent },
		{ "reply without version is rejected", test_missing_version_is_protocol_error },
		{ "reply without counters is rejected", test_missing_counters_is_protocol_error },
		{ "backend names", test_backend_names },
		{ NULL, NULL },
	};

	return add_suite("status", tests);
}
