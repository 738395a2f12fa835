// SPDX-License-Identifier: GPL-2.0
/* The memtag generic netlink family: commands and the events group. */
#include <net/genetlink.h>
#include "memtag.h"
#include "version.h"

static const struct nla_policy memtag_status_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_VERSION] = { .type = NLA_REJECT,
			       .reject_message = "STATUS takes no attributes" },
	[MEMTAG_A_BACKEND] = { .type = NLA_REJECT,
			       .reject_message = "STATUS takes no attributes" },
	[MEMTAG_A_BACKEND_FORCED] = { .type = NLA_REJECT,
				      .reject_message = "STATUS takes no attributes" },
	[MEMTAG_A_MTE_CAPABLE] = { .type = NLA_REJECT,
				   .reject_message = "STATUS takes no attributes" },
	[MEMTAG_A_COUNTERS] = { .type = NLA_REJECT,
				.reject_message = "STATUS takes no attributes" },
};

static const struct genl_multicast_group memtag_mcgrps[] = {
	{
		.name = MEMTAG_MCGRP_EVENTS,
#ifdef GENL_MCAST_CAP_SYS_ADMIN
		/* events describe every user's regions */
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
#endif
	},
};

static int memtag_put_counters(struct sk_buff *msg)
{
	struct nlattr *nest = nla_nest_start(msg, MEMTAG_A_COUNTERS);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, MEMTAG_COUNTER_STATUS_REQUESTS,
			      atomic64_read(&memtag_counters.status_requests),
			      MEMTAG_COUNTER_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int memtag_put_status(struct sk_buff *msg)
{
	if (nla_put_string(msg, MEMTAG_A_VERSION, MEMTAG_VERSION) ||
	    nla_put_u32(msg, MEMTAG_A_BACKEND, memtag_backend()))
		return -EMSGSIZE;
	if (memtag_backend_forced() && nla_put_flag(msg, MEMTAG_A_BACKEND_FORCED))
		return -EMSGSIZE;
	if (memtag_cpu_has_mte() && nla_put_flag(msg, MEMTAG_A_MTE_CAPABLE))
		return -EMSGSIZE;
	return memtag_put_counters(msg);
}

static struct genl_family memtag_family;

static int memtag_nl_status(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	atomic64_inc(&memtag_counters.status_requests);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL_ACCOUNT);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &memtag_family, 0, MEMTAG_CMD_STATUS);
	if (!hdr || memtag_put_status(msg)) {
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "status reply does not fit in one message");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops memtag_ops[] = {
	{
		.cmd = MEMTAG_CMD_STATUS,
		.doit = memtag_nl_status,
		.policy = memtag_status_policy,
		.maxattr = MEMTAG_A_MAX,
	},
};

static struct genl_family memtag_family __ro_after_init = {
	.name = MEMTAG_GENL_NAME,
	.version = MEMTAG_GENL_VERSION,
	.maxattr = MEMTAG_A_MAX,
	.module = THIS_MODULE,
	.netnsok = true,
	.parallel_ops = true,
	.ops = memtag_ops,
	.n_ops = ARRAY_SIZE(memtag_ops),
	.mcgrps = memtag_mcgrps,
	.n_mcgrps = ARRAY_SIZE(memtag_mcgrps),
};

int __init memtag_netlink_init(void)
{
	return genl_register_family(&memtag_family);
}

void memtag_netlink_exit(void)
{
	genl_unregister_family(&memtag_family);
}
