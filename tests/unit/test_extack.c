// SPDX-License-Identifier: GPL-2.0-or-later
/* Extended-ACK parsing: the kernel's error text must reach the user. */
#include <errno.h>
#include <string.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include "client.h"
#include "unit.h"

/* An NLMSG_ERROR the way the kernel lays it out, optionally uncapped. */
static size_t build_error(char *buf, size_t size, const char *text, int flags,
			  size_t echoed_payload)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *err = NLMSG_DATA(nlh);
	size_t len = NLMSG_HDRLEN + sizeof(*err) + echoed_payload;
	struct nlattr *attr;

	memset(buf, 0, size);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = flags;
	err->error = -EINVAL;
	err->msg.nlmsg_len = sizeof(err->msg) + echoed_payload;
	if (text) {
		attr = (struct nlattr *)(buf + len);
		attr->nla_type = NLMSGERR_ATTR_MSG;
		attr->nla_len = NLA_HDRLEN + strlen(text) + 1;
		memcpy((char *)attr + NLA_HDRLEN, text, strlen(text) + 1);
		len += NLA_ALIGN(attr->nla_len);
	}
	nlh->nlmsg_len = len;
	return len;
}

static void test_capped_message(void)
{
	char buf[256], text[MEMTAG_ERRMSG_MAX];

	build_error(buf, sizeof(buf), "STATUS takes no attributes",
		    NLM_F_CAPPED | NLM_F_ACK_TLVS, 0);
	CU_ASSERT_EQUAL(memtag_extack_message((struct nlmsghdr *)buf, text, sizeof(text)), 0);
	CU_ASSERT_STRING_EQUAL(text, "STATUS takes no attributes");
}

static void test_uncapped_skips_echoed_request(void)
{
	char buf[256], text[MEMTAG_ERRMSG_MAX];

	build_error(buf, sizeof(buf), "bad region id", NLM_F_ACK_TLVS, 20);
	CU_ASSERT_EQUAL(memtag_extack_message((struct nlmsghdr *)buf, text, sizeof(text)), 0);
	CU_ASSERT_STRING_EQUAL(text, "bad region id");
}

static void test_no_tlvs(void)
{
	char buf[256], text[MEMTAG_ERRMSG_MAX];

	build_error(buf, sizeof(buf), NULL, NLM_F_CAPPED, 0);
	CU_ASSERT_EQUAL(memtag_extack_message((struct nlmsghdr *)buf, text, sizeof(text)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(text, "");
}

static void test_truncated_echo_is_rejected(void)
{
	char buf[256], text[MEMTAG_ERRMSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	build_error(buf, sizeof(buf), NULL, NLM_F_ACK_TLVS, 0);
	/* claims an echoed request longer than the message */
	((struct nlmsgerr *)NLMSG_DATA(nlh))->msg.nlmsg_len = 4096;
	CU_ASSERT_EQUAL(memtag_extack_message(nlh, text, sizeof(text)), -EPROTO);
}

static void test_long_message_is_cut(void)
{
	char buf[512], text[16];

	build_error(buf, sizeof(buf), "a message longer than the buffer",
		    NLM_F_CAPPED | NLM_F_ACK_TLVS, 0);
	CU_ASSERT_EQUAL(memtag_extack_message((struct nlmsghdr *)buf, text, sizeof(text)), 0);
	CU_ASSERT_EQUAL(strlen(text), sizeof(text) - 1);
}

int add_extack_suite(void)
{
	static const struct test_case tests[] = {
		{ "capped error carries the kernel message", test_capped_message },
		{ "uncapped error skips the echoed request", test_uncapped_skips_echoed_request },
		{ "error without TLVs has no message", test_no_tlvs },
		{ "echo longer than the message is rejected", test_truncated_echo_is_rejected },
		{ "long message is cut to the buffer", test_long_message_is_cut },
		{ NULL, NULL },
	};

	return add_suite("extack", tests);
}
