// SPDX-License-Identifier: GPL-2.0
/* The memtag generic netlink family: commands and the events group. */
#include <linux/capability.h>
#include <linux/cred.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "compat.h"
#include "memtag.h"
#include "event.h"
#include "profile.h"
#include "region.h"
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
	[MEMTAG_A_EVENT_TOTALS] = { .type = NLA_REJECT,
				    .reject_message = "STATUS takes no attributes" },
};

/* Dumps that take no attributes: every one is refused. */
const struct nla_policy memtag_dump_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_UNSPEC] = { .type = NLA_REJECT },
};

static const struct genl_multicast_group memtag_mcgrps[] = {
	{
		.name = MEMTAG_MCGRP_EVENTS,
		/* events describe every user's regions; compat.h insists on the flag */
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static int memtag_put_counters(struct sk_buff *msg)
{
	const struct {
		int attr;
		atomic64_t *value;
	} counters[] = {
		{ MEMTAG_COUNTER_STATUS_REQUESTS, &memtag_counters.status_requests },
		{ MEMTAG_COUNTER_REGIONS_CREATED, &memtag_counters.regions_created },
		{ MEMTAG_COUNTER_REGIONS_ENDED, &memtag_counters.regions_ended },
		{ MEMTAG_COUNTER_REGIONS_LEAKED, &memtag_counters.regions_leaked },
		{ MEMTAG_COUNTER_VIOLATIONS, &memtag_counters.violations },
	};
	struct nlattr *nest = nla_nest_start(msg, MEMTAG_A_COUNTERS);
	size_t i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		if (nla_put_u64_64bit(msg, counters[i].attr, atomic64_read(counters[i].value),
				      MEMTAG_COUNTER_PAD))
			goto cancel;
	if (nla_put_u64_64bit(msg, MEMTAG_COUNTER_EVENTS, memtag_events_recorded(),
			      MEMTAG_COUNTER_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_COUNTER_EVENTS_DROPPED, memtag_events_dropped(),
			      MEMTAG_COUNTER_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_COUNTER_BYTES_RESERVED, memtag_bytes_reserved(),
			      MEMTAG_COUNTER_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_COUNTER_REGIONS_LIVE, memtag_regions_live(),
			      MEMTAG_COUNTER_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_COUNTER_PROFILES, memtag_profiles_kept(),
			      MEMTAG_COUNTER_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_COUNTER_EVENTS_REFUSED,
			      memtag_events_dropped_of(current_euid()), MEMTAG_COUNTER_PAD))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;
cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static int memtag_put_event_totals(struct sk_buff *msg)
{
	struct nlattr *nest = nla_nest_start(msg, MEMTAG_A_EVENT_TOTALS);
	int kind;

	if (!nest)
		return -EMSGSIZE;
	for (kind = 1; kind <= MEMTAG_EVENT_MAX; kind++) {
		if (nla_put_u64_64bit(msg, kind, memtag_event_total(kind), 0)) {
			nla_nest_cancel(msg, nest);
			return -EMSGSIZE;
		}
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
	return memtag_put_counters(msg) ?: memtag_put_event_totals(msg);
}

static int memtag_nl_status(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	atomic64_inc(&memtag_counters.status_requests);
	memtag_region_settle_all();	/* regions claimed without a call count too */
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
	{
		.cmd = MEMTAG_CMD_REGION_CREATE,
		.doit = memtag_nl_region_create,
		.policy = memtag_region_create_policy,
		.maxattr = MEMTAG_A_MAX,
	},
	{
		.cmd = MEMTAG_CMD_REGION_END,
		.doit = memtag_nl_region_end,
		.policy = memtag_region_id_policy,
		.maxattr = MEMTAG_A_MAX,
	},
	{
		.cmd = MEMTAG_CMD_REGION_RESET,
		.doit = memtag_nl_region_reset,
		.policy = memtag_region_id_policy,
		.maxattr = MEMTAG_A_MAX,
	},
	{
		.cmd = MEMTAG_CMD_REGION_GET,
		.dumpit = memtag_nl_region_dump,
		.policy = memtag_region_id_policy,
		.maxattr = MEMTAG_A_MAX,
	},
	{
		.cmd = MEMTAG_CMD_SEGMENT_ADD,
		.doit = memtag_nl_segment_add,
		.policy = memtag_segment_add_policy,
		.maxattr = MEMTAG_A_MAX,
	},
	{
		.cmd = MEMTAG_CMD_EVENT_REPORT,
		.doit = memtag_nl_event_report,
		.policy = memtag_event_report_policy,
		.maxattr = MEMTAG_A_MAX,
	},
	{
		.cmd = MEMTAG_CMD_EVENT_GET,
		.dumpit = memtag_nl_event_dump,
		.policy = memtag_event_get_policy,
		.maxattr = MEMTAG_A_MAX,
	},
	{
		.cmd = MEMTAG_CMD_PROFILE_GET,
		.dumpit = memtag_nl_profile_dump,
		.policy = memtag_dump_policy,
		.maxattr = MEMTAG_A_MAX,
	},
	{
		.cmd = MEMTAG_CMD_SEGMENT_GET,
		.dumpit = memtag_nl_segment_dump,
		.policy = memtag_dump_policy,
		.maxattr = MEMTAG_A_MAX,
	},
};

struct genl_family memtag_family __ro_after_init = {
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

void memtag_viewer_of(struct sk_buff *skb, struct netlink_callback *cb, struct memtag_viewer *v)
{
	v->net = sock_net(skb->sk);
	v->net_cookie = v->net->net_cookie;
	/* the effective uid, as the kernel's own permission checks use */
	v->uid = current_euid();
	v->all = netlink_net_capable(cb->skb, CAP_SYS_ADMIN);
}

int memtag_nl_dump(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd, void *item,
		   memtag_dump_next_fn next, memtag_dump_put_fn put)
{
	struct memtag_viewer viewer;
	unsigned long pos = cb->args[0];
	void *hdr;

	memtag_viewer_of(skb, cb, &viewer);
	while (next(&viewer, cb, &pos, item)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &memtag_family, NLM_F_MULTI, cmd);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (put(skb, item)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		pos++;
	}
	cb->args[0] = pos;
	return skb->len;
}

/* A closed socket is an owner gone: its live regions become leaks. */
static int memtag_netlink_released(struct notifier_block *nb, unsigned long event,
				   void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC)
		memtag_region_owner_gone(n->net, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block memtag_netlink_notifier = {
	.notifier_call = memtag_netlink_released,
};

int __init memtag_netlink_init(void)
{
	int ret = netlink_register_notifier(&memtag_netlink_notifier);

	if (ret)
		return ret;
	ret = genl_register_family(&memtag_family);
	if (ret)
		netlink_unregister_notifier(&memtag_netlink_notifier);
	return ret;
}

void memtag_netlink_exit(void)
{
	genl_unregister_family(&memtag_family);
	netlink_unregister_notifier(&memtag_netlink_notifier);
}
