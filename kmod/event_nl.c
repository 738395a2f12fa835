// SPDX-License-Identifier: GPL-2.0
/* Event commands: reports from libmemtag and the dump of the record. */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "event.h"
#include "memtag.h"
#include "region.h"

/* What a process may report about itself: misuse seen in userspace. */
#define REPORTABLE_KINDS (BIT(MEMTAG_EVENT_USE_AFTER_END) | BIT(MEMTAG_EVENT_STALE_AFTER_RESET) | \
			  BIT(MEMTAG_EVENT_USE_AFTER_FREE) | BIT(MEMTAG_EVENT_OVERFLOW) | \
			  BIT(MEMTAG_EVENT_DOUBLE_FREE) | BIT(MEMTAG_EVENT_INVALID_FREE) | \
			  BIT(MEMTAG_EVENT_WRONG_REGION_FREE) | \
			  BIT(MEMTAG_EVENT_ALLOC_IN_ENDED) | BIT(MEMTAG_EVENT_FOREIGN_REGION) | \
			  BIT(MEMTAG_EVENT_ALLOCS_LEAKED) | BIT(MEMTAG_EVENT_TAG_MISMATCH))

const struct nla_policy memtag_event_report_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_EVENT_KIND] = NLA_POLICY_RANGE(NLA_U32, 1, MEMTAG_EVENT_MAX),
	[MEMTAG_A_EVENT_FLAGS] = NLA_POLICY_MASK(NLA_U32, MEMTAG_EVENT_F_REPORTABLE),
	[MEMTAG_A_REGION_ID] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_NAME] = { .type = NLA_NUL_STRING, .len = MEMTAG_REGION_NAME_MAX - 1 },
	[MEMTAG_A_EVENT_OFFSET] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_ADDRESS] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_IP] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_SITE] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_SIZE] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_COUNT] = { .type = NLA_U64 },
};

const struct nla_policy memtag_event_get_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_EVENT_SEQ] = { .type = NLA_U64 },
};

static u64 get_u64_or_zero(struct genl_info *info, int attr)
{
	return info->attrs[attr] ? nla_get_u64(info->attrs[attr]) : 0;
}

int memtag_nl_event_report(struct sk_buff *skb, struct genl_info *info)
{
	struct memtag_caller caller;
	struct memtag_event e = {};
	u32 kind;

	if (GENL_REQ_ATTR_CHECK(info, MEMTAG_A_EVENT_KIND)) {
		GENL_SET_ERR_MSG(info, "a report needs an event kind");
		return -EINVAL;
	}
	kind = nla_get_u32(info->attrs[MEMTAG_A_EVENT_KIND]);
	if (!(BIT(kind) & REPORTABLE_KINDS)) {
		GENL_SET_ERR_MSG(info, "only the module records this kind of event");
		return -EINVAL;
	}
	memtag_caller_of(info, &caller);
	/*
	 * The reporter is the socket's process; the name is ours while the
	 * region lives, the reporter's once it ended (we forget ended regions).
	 */
	if (info->attrs[MEMTAG_A_REGION_ID]) {
		e.region = nla_get_u32(info->attrs[MEMTAG_A_REGION_ID]);
		memtag_region_describe(&caller, e.region, &e);
	}
	if (!e.name[0] && info->attrs[MEMTAG_A_REGION_NAME])
		nla_strscpy(e.name, info->attrs[MEMTAG_A_REGION_NAME], sizeof(e.name));
	e.kind = kind;
	if (info->attrs[MEMTAG_A_EVENT_FLAGS])
		e.flags = nla_get_u32(info->attrs[MEMTAG_A_EVENT_FLAGS]);
	e.tgid = caller.tgid;
	e.uid = caller.uid;
	e.seen_by = caller.uid;	/* a report is about the reporter's own regions */
	e.offset = get_u64_or_zero(info, MEMTAG_A_EVENT_OFFSET);
	e.address = get_u64_or_zero(info, MEMTAG_A_EVENT_ADDRESS);
	e.ip = get_u64_or_zero(info, MEMTAG_A_EVENT_IP);
	e.site = get_u64_or_zero(info, MEMTAG_A_EVENT_SITE);
	e.size = get_u64_or_zero(info, MEMTAG_A_EVENT_SIZE);
	e.count = get_u64_or_zero(info, MEMTAG_A_EVENT_COUNT);
	memtag_event_record(&e, caller.net);
	return 0;
}

static bool next_event(const struct memtag_viewer *v, struct netlink_callback *cb,
		       unsigned long *pos, void *item)
{
	u64 seq = *pos, lost = 0;
	bool found = memtag_event_next(v, &seq, item, &lost);

	/*
	 * Records overwritten before this dump reached them: NLM_F_DUMP_INTR.
	 * At the start (0) the ring's oldest record is where it begins.
	 */
	if (*pos && lost)
		cb->args[1] = 1;
	cb->seq = cb->args[1] ? 2 : 1;
	*pos = seq;
	return found;
}

static int put_event_item(struct sk_buff *skb, const void *item)
{
	return memtag_put_event(skb, item, current_user_ns());
}

/* cb->args[0]: the next sequence number to look at; [1]: records were lost. */
int memtag_nl_event_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct memtag_event e;

	return memtag_nl_dump(skb, cb, MEMTAG_CMD_EVENT_GET, &e, next_event, put_event_item);
}
