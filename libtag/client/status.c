// SPDX-License-Identifier: LGPL-2.1-or-later
/* The STATUS command: module version, backend and counters. */
#include <errno.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include "client.h"

static const struct nla_policy status_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_VERSION] = { .type = NLA_STRING },
	[MEMTAG_A_BACKEND] = { .type = NLA_U32 },
	[MEMTAG_A_BACKEND_FORCED] = { .type = NLA_FLAG },
	[MEMTAG_A_MTE_CAPABLE] = { .type = NLA_FLAG },
	[MEMTAG_A_COUNTERS] = { .type = NLA_NESTED },
	[MEMTAG_A_EVENT_TOTALS] = { .type = NLA_NESTED },
};

static const struct nla_policy counter_policy[MEMTAG_COUNTER_MAX + 1] = {
	[MEMTAG_COUNTER_STATUS_REQUESTS] = { .type = NLA_U64 },
	[MEMTAG_COUNTER_REGIONS_CREATED] = { .type = NLA_U64 },
	[MEMTAG_COUNTER_REGIONS_ENDED] = { .type = NLA_U64 },
	[MEMTAG_COUNTER_REGIONS_LEAKED] = { .type = NLA_U64 },
	[MEMTAG_COUNTER_VIOLATIONS] = { .type = NLA_U64 },
	[MEMTAG_COUNTER_EVENTS] = { .type = NLA_U64 },
	[MEMTAG_COUNTER_EVENTS_DROPPED] = { .type = NLA_U64 },
	[MEMTAG_COUNTER_BYTES_RESERVED] = { .type = NLA_U64 },
	[MEMTAG_COUNTER_REGIONS_LIVE] = { .type = NLA_U64 },
	[MEMTAG_COUNTER_PROFILES] = { .type = NLA_U64 },
	[MEMTAG_COUNTER_EVENTS_REFUSED] = { .type = NLA_U64 },
};

static int parse_counters(struct nlattr *nest, struct memtag_status *status)
{
	struct nlattr *tb[MEMTAG_COUNTER_MAX + 1];

	if (!nest || nla_parse_nested(tb, MEMTAG_COUNTER_MAX, nest, counter_policy))
		return -EPROTO;
	status->status_requests = memtag_attr_u64(tb[MEMTAG_COUNTER_STATUS_REQUESTS]);
	status->regions_created = memtag_attr_u64(tb[MEMTAG_COUNTER_REGIONS_CREATED]);
	status->regions_ended = memtag_attr_u64(tb[MEMTAG_COUNTER_REGIONS_ENDED]);
	status->regions_leaked = memtag_attr_u64(tb[MEMTAG_COUNTER_REGIONS_LEAKED]);
	status->violations = memtag_attr_u64(tb[MEMTAG_COUNTER_VIOLATIONS]);
	status->events = memtag_attr_u64(tb[MEMTAG_COUNTER_EVENTS]);
	status->events_dropped = memtag_attr_u64(tb[MEMTAG_COUNTER_EVENTS_DROPPED]);
	status->bytes_reserved = memtag_attr_u64(tb[MEMTAG_COUNTER_BYTES_RESERVED]);
	status->regions_live = memtag_attr_u64(tb[MEMTAG_COUNTER_REGIONS_LIVE]);
	status->profiles = memtag_attr_u64(tb[MEMTAG_COUNTER_PROFILES]);
	status->events_refused = memtag_attr_u64(tb[MEMTAG_COUNTER_EVENTS_REFUSED]);
	return 0;
}

/* Totals per event kind; kinds this library does not know are skipped. */
static void parse_totals(struct nlattr *nest, struct memtag_status *status)
{
	struct nlattr *attr;
	int rem;

	if (!nest)
		return;
	nla_for_each_nested(attr, nest, rem)
		if (nla_type(attr) > 0 && nla_type(attr) <= MEMTAG_EVENT_MAX &&
		    nla_len(attr) == sizeof(uint64_t))
			status->event_totals[nla_type(attr)] = nla_get_u64(attr);
}

int memtag_status_parse(struct nlmsghdr *nlh, struct memtag_status *status)
{
	struct nlattr *tb[MEMTAG_A_MAX + 1];

	memset(status, 0, sizeof(*status));
	if (genlmsg_parse(nlh, 0, tb, MEMTAG_A_MAX, status_policy))
		return -EPROTO;
	if (!tb[MEMTAG_A_VERSION] || !tb[MEMTAG_A_BACKEND])
		return -EPROTO;
	nla_strlcpy(status->version, tb[MEMTAG_A_VERSION], sizeof(status->version));
	status->backend = nla_get_u32(tb[MEMTAG_A_BACKEND]);
	status->backend_forced = tb[MEMTAG_A_BACKEND_FORCED] != NULL;
	status->mte_capable = tb[MEMTAG_A_MTE_CAPABLE] != NULL;
	parse_totals(tb[MEMTAG_A_EVENT_TOTALS], status);
	return parse_counters(tb[MEMTAG_A_COUNTERS], status);
}

static int on_status(struct nlmsghdr *nlh, void *arg)
{
	return memtag_status_parse(nlh, arg);
}

int memtag_status_get(struct memtag_client *client, struct memtag_status *status)
{
	struct nl_msg *msg = memtag_request_new(client, MEMTAG_CMD_STATUS, 0);

	if (!msg)
		return -ENOMEM;
	return memtag_request_run(client, msg, on_status, status);
}
