// SPDX-License-Identifier: LGPL-2.1-or-later
/* Events: reports of misuse to the module, and the module's record of them. */
#include <errno.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include "client.h"

static const struct nla_policy event_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_EVENT_SEQ] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_TIME_NS] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_KIND] = { .type = NLA_U32 },
	[MEMTAG_A_EVENT_FLAGS] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_ID] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_NAME] = { .type = NLA_STRING },
	[MEMTAG_A_EVENT_TGID] = { .type = NLA_U32 },
	[MEMTAG_A_EVENT_UID] = { .type = NLA_U32 },
	[MEMTAG_A_EVENT_OFFSET] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_ADDRESS] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_IP] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_SITE] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_SIZE] = { .type = NLA_U64 },
	[MEMTAG_A_EVENT_COUNT] = { .type = NLA_U64 },
};

int memtag_event_parse(struct nlmsghdr *nlh, struct memtag_event_record *e)
{
	struct nlattr *tb[MEMTAG_A_MAX + 1];

	memset(e, 0, sizeof(*e));
	if (genlmsg_parse(nlh, 0, tb, MEMTAG_A_MAX, event_policy) || !tb[MEMTAG_A_EVENT_KIND] ||
	    !tb[MEMTAG_A_EVENT_SEQ])
		return -EPROTO;
	e->seq = memtag_attr_u64(tb[MEMTAG_A_EVENT_SEQ]);
	e->time_ns = memtag_attr_u64(tb[MEMTAG_A_EVENT_TIME_NS]);
	e->kind = memtag_attr_u32(tb[MEMTAG_A_EVENT_KIND]);
	e->flags = memtag_attr_u32(tb[MEMTAG_A_EVENT_FLAGS]);
	e->region = memtag_attr_u32(tb[MEMTAG_A_REGION_ID]);
	e->tgid = memtag_attr_u32(tb[MEMTAG_A_EVENT_TGID]);
	e->uid = memtag_attr_u32(tb[MEMTAG_A_EVENT_UID]);
	e->offset = memtag_attr_u64(tb[MEMTAG_A_EVENT_OFFSET]);
	e->address = memtag_attr_u64(tb[MEMTAG_A_EVENT_ADDRESS]);
	e->ip = memtag_attr_u64(tb[MEMTAG_A_EVENT_IP]);
	e->site = memtag_attr_u64(tb[MEMTAG_A_EVENT_SITE]);
	e->size = memtag_attr_u64(tb[MEMTAG_A_EVENT_SIZE]);
	e->count = memtag_attr_u64(tb[MEMTAG_A_EVENT_COUNT]);
	if (tb[MEMTAG_A_REGION_NAME])
		nla_strlcpy(e->region_name, tb[MEMTAG_A_REGION_NAME], sizeof(e->region_name));
	return 0;
}

static int parse_event(struct nlmsghdr *nlh, void *item)
{
	return memtag_event_parse(nlh, item);
}

int memtag_event_list(struct memtag_client *client, struct memtag_event_record **events,
		      size_t *count)
{
	return memtag_dump(client, MEMTAG_CMD_EVENT_GET, sizeof(**events), parse_event,
			   (void **)events, count);
}

int memtag_event_report(struct memtag_client *client, const struct memtag_event_record *e)
{
	struct nl_msg *msg = memtag_request_new(client, MEMTAG_CMD_EVENT_REPORT, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, MEMTAG_A_EVENT_KIND, e->kind) ||
	    nla_put_u32(msg, MEMTAG_A_EVENT_FLAGS, e->flags) ||
	    (e->region && nla_put_u32(msg, MEMTAG_A_REGION_ID, e->region)) ||
	    (e->region_name[0] && nla_put_string(msg, MEMTAG_A_REGION_NAME, e->region_name)) ||
	    nla_put_u64(msg, MEMTAG_A_EVENT_OFFSET, e->offset) ||
	    nla_put_u64(msg, MEMTAG_A_EVENT_ADDRESS, e->address) ||
	    nla_put_u64(msg, MEMTAG_A_EVENT_IP, e->ip) ||
	    nla_put_u64(msg, MEMTAG_A_EVENT_SITE, e->site) ||
	    nla_put_u64(msg, MEMTAG_A_EVENT_SIZE, e->size) ||
	    nla_put_u64(msg, MEMTAG_A_EVENT_COUNT, e->count)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return memtag_request_run(client, msg, NULL, NULL);
}

const char *memtag_event_kind_name(enum memtag_event_kind kind)
{
	static const char *const names[] = {
		[MEMTAG_EVENT_USE_AFTER_END] = "use-after-end",
		[MEMTAG_EVENT_STALE_AFTER_RESET] = "stale-after-reset",
		[MEMTAG_EVENT_USE_AFTER_FREE] = "use-after-free",
		[MEMTAG_EVENT_OVERFLOW] = "overflow",
		[MEMTAG_EVENT_DOUBLE_FREE] = "double-free",
		[MEMTAG_EVENT_INVALID_FREE] = "invalid-free",
		[MEMTAG_EVENT_WRONG_REGION_FREE] = "wrong-region-free",
		[MEMTAG_EVENT_ALLOC_IN_ENDED] = "alloc-in-ended-region",
		[MEMTAG_EVENT_FOREIGN_REGION] = "foreign-region",
		[MEMTAG_EVENT_REGION_LEAKED] = "region-leaked",
		[MEMTAG_EVENT_ALLOCS_LEAKED] = "allocations-leaked",
		[MEMTAG_EVENT_TAG_MISMATCH] = "tag-mismatch",
	};

	if (kind <= 0 || kind > MEMTAG_EVENT_MAX || !names[kind])
		return "unknown";
	return names[kind];
}
