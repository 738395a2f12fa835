// SPDX-License-Identifier: LGPL-2.1-or-later
/* Region records in the module: create, end, reset, list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include "internal.h"

#define DUMP_RETRIES 8

static const struct nla_policy region_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_REGION_ID] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_NAME] = { .type = NLA_STRING },
	[MEMTAG_A_REGION_PARENT] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_STATE] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_TGID] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_UID] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_SITE] = { .type = NLA_U64 },
	[MEMTAG_A_REGION_CREATED_NS] = { .type = NLA_U64 },
	[MEMTAG_A_REGION_RESETS] = { .type = NLA_U32 },
};

int memtag_region_parse(struct nlmsghdr *nlh, struct memtag_region_record *r)
{
	static const int required[] = {
		MEMTAG_A_REGION_ID, MEMTAG_A_REGION_NAME, MEMTAG_A_REGION_PARENT,
		MEMTAG_A_REGION_STATE, MEMTAG_A_REGION_TGID, MEMTAG_A_REGION_UID,
		MEMTAG_A_REGION_SITE, MEMTAG_A_REGION_CREATED_NS, MEMTAG_A_REGION_RESETS,
	};
	struct nlattr *tb[MEMTAG_A_MAX + 1];
	size_t i;

	memset(r, 0, sizeof(*r));
	if (genlmsg_parse(nlh, 0, tb, MEMTAG_A_MAX, region_policy))
		return -EPROTO;
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!tb[required[i]])
			return -EPROTO;
	r->id = nla_get_u32(tb[MEMTAG_A_REGION_ID]);
	r->parent = nla_get_u32(tb[MEMTAG_A_REGION_PARENT]);
	r->state = nla_get_u32(tb[MEMTAG_A_REGION_STATE]);
	r->tgid = nla_get_u32(tb[MEMTAG_A_REGION_TGID]);
	r->uid = nla_get_u32(tb[MEMTAG_A_REGION_UID]);
	r->site = nla_get_u64(tb[MEMTAG_A_REGION_SITE]);
	r->created_ns = nla_get_u64(tb[MEMTAG_A_REGION_CREATED_NS]);
	r->resets = nla_get_u32(tb[MEMTAG_A_REGION_RESETS]);
	nla_strlcpy(r->name, tb[MEMTAG_A_REGION_NAME], sizeof(r->name));
	return 0;
}

static int on_region(struct nlmsghdr *nlh, void *arg)
{
	return memtag_region_parse(nlh, arg);
}

int memtag_region_create(struct memtag_client *client, uint32_t parent, const char *name,
			 uint64_t site, struct memtag_region_record *region)
{
	struct nl_msg *msg;

	if (!name || strlen(name) >= MEMTAG_REGION_NAME_MAX)
		return -ENAMETOOLONG;
	msg = memtag_request_new(client, MEMTAG_CMD_REGION_CREATE, 0);
	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, MEMTAG_A_REGION_NAME, name) ||
	    (parent && nla_put_u32(msg, MEMTAG_A_REGION_PARENT, parent)) ||
	    nla_put_u64(msg, MEMTAG_A_REGION_SITE, site)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return memtag_request_run(client, msg, on_region, region);
}

static int region_command(struct memtag_client *client, uint8_t cmd, uint32_t id,
			  struct memtag_region_record *region)
{
	struct nl_msg *msg = memtag_request_new(client, cmd, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, MEMTAG_A_REGION_ID, id)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return memtag_request_run(client, msg, region ? on_region : NULL, region);
}

int memtag_region_end(struct memtag_client *client, uint32_t id)
{
	return region_command(client, MEMTAG_CMD_REGION_END, id, NULL);
}

int memtag_region_reset(struct memtag_client *client, uint32_t id,
			struct memtag_region_record *region)
{
	return region_command(client, MEMTAG_CMD_REGION_RESET, id, region);
}

struct region_array {
	struct memtag_region_record *items;
	size_t count;
	size_t capacity;
};

static int collect_region(struct nlmsghdr *nlh, void *arg)
{
	struct region_array *a = arg;
	struct memtag_region_record *grown;

	if (a->count == a->capacity) {
		a->capacity = a->capacity ? 2 * a->capacity : 64;
		grown = realloc(a->items, a->capacity * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		a->items = grown;
	}
	return memtag_region_parse(nlh, &a->items[a->count++]);
}

int memtag_region_list(struct memtag_client *client, struct memtag_region_record **regions,
		       size_t *count)
{
	struct region_array a = { 0 };
	struct nl_msg *msg;
	int tries, ret = -EINTR;

	for (tries = 0; tries < DUMP_RETRIES && ret == -EINTR; tries++) {
		a.count = 0;
		msg = memtag_request_new(client, MEMTAG_CMD_REGION_GET, NLM_F_DUMP);
		if (!msg) {
			ret = -ENOMEM;
			break;
		}
		ret = memtag_request_run(client, msg, collect_region, &a);
	}
	if (ret) {
		free(a.items);
		return ret;
	}
	*regions = a.items;
	*count = a.count;
	return 0;
}

const char *memtag_region_state_name(enum memtag_region_state state)
{
	switch (state) {
	case MEMTAG_REGION_LIVE:
		return "live";
	case MEMTAG_REGION_ENDED:
		return "ended";
	case MEMTAG_REGION_LEAKED:
		return "leaked";
	default:
		return "unknown";
	}
}
