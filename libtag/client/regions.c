// SPDX-License-Identifier: LGPL-2.1-or-later
/* Region records in the module: create, end, reset, list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include "client.h"

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
	[MEMTAG_A_REGION_FLAGS] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_BYTES_RESERVED] = { .type = NLA_U64 },
	[MEMTAG_A_REGION_BYTES_RESIDENT] = { .type = NLA_U64 },
	[MEMTAG_A_REGION_GROWTH] = { .type = NLA_U32 },
	[MEMTAG_A_SEGMENT_ID] = { .type = NLA_U32 },
	[MEMTAG_A_SEGMENT_SIZE] = { .type = NLA_U64 },
	[MEMTAG_A_SEGMENT_OFFSET] = { .type = NLA_U64 },
	[MEMTAG_A_SEGMENT_REGION_OFFSET] = { .type = NLA_U64 },
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
	r->flags = memtag_attr_u32(tb[MEMTAG_A_REGION_FLAGS]);
	r->bytes_reserved = memtag_attr_u64(tb[MEMTAG_A_REGION_BYTES_RESERVED]);
	r->bytes_resident = memtag_attr_u64(tb[MEMTAG_A_REGION_BYTES_RESIDENT]);
	r->growth = memtag_attr_u32(tb[MEMTAG_A_REGION_GROWTH]);
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
	return memtag_region_create_flags(client, parent, name, 0, site, region);
}

int memtag_region_create_flags(struct memtag_client *client, uint32_t parent, const char *name,
			       uint32_t flags, uint64_t site, struct memtag_region_record *region)
{
	struct nl_msg *msg;

	if (!name || strlen(name) >= MEMTAG_REGION_NAME_MAX)
		return -ENAMETOOLONG;
	msg = memtag_request_new(client, MEMTAG_CMD_REGION_CREATE, 0);
	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, MEMTAG_A_REGION_NAME, name) ||
	    (parent && nla_put_u32(msg, MEMTAG_A_REGION_PARENT, parent)) ||
	    (flags && nla_put_u32(msg, MEMTAG_A_REGION_FLAGS, flags)) ||
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

static int on_segment(struct nlmsghdr *nlh, void *arg)
{
	struct memtag_segment_grant *grant = arg;
	struct nlattr *tb[MEMTAG_A_MAX + 1];

	if (genlmsg_parse(nlh, 0, tb, MEMTAG_A_MAX, region_policy) ||
	    !tb[MEMTAG_A_SEGMENT_ID] || !tb[MEMTAG_A_SEGMENT_OFFSET] ||
	    !tb[MEMTAG_A_SEGMENT_SIZE] || !tb[MEMTAG_A_SEGMENT_REGION_OFFSET])
		return -EPROTO;
	grant->id = nla_get_u32(tb[MEMTAG_A_SEGMENT_ID]);
	grant->offset = nla_get_u64(tb[MEMTAG_A_SEGMENT_OFFSET]);
	grant->size = nla_get_u64(tb[MEMTAG_A_SEGMENT_SIZE]);
	grant->region_offset = nla_get_u64(tb[MEMTAG_A_SEGMENT_REGION_OFFSET]);
	return 0;
}

int memtag_segment_add(struct memtag_client *client, uint32_t region, uint64_t size,
		       uint64_t address, struct memtag_segment_grant *grant)
{
	struct nl_msg *msg = memtag_request_new(client, MEMTAG_CMD_SEGMENT_ADD, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, MEMTAG_A_REGION_ID, region) ||
	    nla_put_u64(msg, MEMTAG_A_SEGMENT_SIZE, size) ||
	    (address && nla_put_u64(msg, MEMTAG_A_SEGMENT_ADDRESS, address))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return memtag_request_run(client, msg, on_segment, grant);
}

static int parse_region(struct nlmsghdr *nlh, void *item)
{
	return memtag_region_parse(nlh, item);
}

int memtag_region_list(struct memtag_client *client, struct memtag_region_record **regions,
		       size_t *count)
{
	return memtag_dump(client, MEMTAG_CMD_REGION_GET, sizeof(**regions), parse_region,
			   (void **)regions, count);
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
