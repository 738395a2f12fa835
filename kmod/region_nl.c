// SPDX-License-Identifier: GPL-2.0
/* Region commands of the memtag family: create, end, reset, dump. */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "memtag.h"
#include "region.h"
#include "segment.h"

/* Bounded before any arithmetic: the quota sum cannot wrap. Not const: 6.1's policy. */
static struct netlink_range_validation segment_size_range = {
	.min = PAGE_SIZE,
	.max = MEMTAG_SEGMENT_MAX_BYTES,
};

const struct nla_policy memtag_region_create_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_REGION_NAME] = { .type = NLA_NUL_STRING, .len = MEMTAG_REGION_NAME_MAX - 1 },
	[MEMTAG_A_REGION_PARENT] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_SITE] = { .type = NLA_U64 },
	[MEMTAG_A_REGION_FLAGS] = NLA_POLICY_MASK(NLA_U32, MEMTAG_REGION_F_ALL),
};

const struct nla_policy memtag_segment_add_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MEMTAG_A_SEGMENT_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U64, &segment_size_range),
	[MEMTAG_A_SEGMENT_ADDRESS] = { .type = NLA_U64 },
};

const struct nla_policy memtag_region_id_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static u32 get_u32_or_0(struct genl_info *info, int attr)
{
	return info->attrs[attr] ? nla_get_u32(info->attrs[attr]) : 0;
}

static u64 get_u64_or_0(struct genl_info *info, int attr)
{
	return info->attrs[attr] ? nla_get_u64(info->attrs[attr]) : 0;
}

void memtag_caller_of(struct genl_info *info, struct memtag_caller *caller)
{
	caller->tgid = current->tgid;
	/* the effective uid, as the kernel's own permission checks use */
	caller->uid = current_euid();
	caller->portid = info->snd_portid;
	caller->file = NULL;
	caller->net = genl_info_net(info);
}

static int put_region(struct sk_buff *msg, const struct memtag_region_info *r)
{
	if (nla_put_u32(msg, MEMTAG_A_REGION_ID, r->id) ||
	    nla_put_string(msg, MEMTAG_A_REGION_NAME, r->name) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_PARENT, r->parent) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_STATE, r->state) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_TGID, r->tgid) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_UID,
			from_kuid_munged(current_user_ns(), r->uid)) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_REGION_SITE, r->site, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_REGION_CREATED_NS, r->created_ns, MEMTAG_A_PAD) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_RESETS, r->resets) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_FLAGS, r->flags) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_REGION_BYTES_RESERVED, r->bytes_reserved,
			      MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_REGION_BYTES_RESIDENT, r->bytes_resident,
			      MEMTAG_A_PAD) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_GROWTH, r->growth))
		return -EMSGSIZE;
	return 0;
}

static int put_segment(struct sk_buff *msg, const struct memtag_segment_info *seg)
{
	if (!seg->id)
		return 0;
	if (nla_put_u32(msg, MEMTAG_A_SEGMENT_ID, seg->id) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_SEGMENT_OFFSET, seg->offset, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_SEGMENT_SIZE, seg->size, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_SEGMENT_REGION_OFFSET, seg->region_offset,
			      MEMTAG_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/*
 * Replies are allocated before the command changes anything, so that only
 * the send can fail after it; callers undo what they can then.
 */
static struct sk_buff *reply_new(void)
{
	return genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL_ACCOUNT);
}

/* Send msg (from reply_new()) with the region (if r) and the segment (if seg->id). */
static int reply(struct sk_buff *msg, struct genl_info *info, u8 cmd,
		 const struct memtag_region_info *r, const struct memtag_segment_info *seg)
{
	void *hdr = genlmsg_put_reply(msg, info, &memtag_family, 0, cmd);

	if (!hdr || (r && put_region(msg, r)) || put_segment(msg, seg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* A segment in the request is for the software backend without an address only. */
static bool address_fits_backend(struct genl_info *info)
{
	bool address = info->attrs[MEMTAG_A_SEGMENT_ADDRESS];

	if (address == (memtag_backend() != MEMTAG_BACKEND_SOFTWARE))
		return true;
	GENL_SET_ERR_MSG(info, "an address is given with the MTE backend only");
	return false;
}

int memtag_nl_region_create(struct sk_buff *skb, struct genl_info *info)
{
	struct memtag_segment_info seg = {};
	struct memtag_segment_req none = {};
	struct memtag_region_info region;
	struct memtag_caller caller;
	struct sk_buff *msg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, MEMTAG_A_REGION_NAME)) {
		GENL_SET_ERR_MSG(info, "a region needs a name");
		return -EINVAL;
	}
	msg = reply_new();
	if (!msg)
		return -ENOMEM;
	memtag_caller_of(info, &caller);
	ret = memtag_region_create(&caller, nla_data(info->attrs[MEMTAG_A_REGION_NAME]),
				   get_u32_or_0(info, MEMTAG_A_REGION_PARENT),
				   get_u32_or_0(info, MEMTAG_A_REGION_FLAGS),
				   get_u64_or_0(info, MEMTAG_A_REGION_SITE), &none, &region, &seg,
				   info->extack);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	ret = reply(msg, info, MEMTAG_CMD_REGION_CREATE, &region, &seg);
	if (ret)	/* the caller cannot know the id: no region it cannot end */
		memtag_region_undo_create(&caller, region.id);
	return ret;
}

int memtag_nl_region_end(struct sk_buff *skb, struct genl_info *info)
{
	struct memtag_segment_info none;
	struct memtag_caller caller;
	u32 reserved;

	if (GENL_REQ_ATTR_CHECK(info, MEMTAG_A_REGION_ID)) {
		GENL_SET_ERR_MSG(info, "a region id is required");
		return -EINVAL;
	}
	memtag_caller_of(info, &caller);
	return memtag_region_end(&caller, nla_get_u32(info->attrs[MEMTAG_A_REGION_ID]), 0, &none,
				 &reserved, info->extack);
}

int memtag_nl_region_reset(struct sk_buff *skb, struct genl_info *info)
{
	struct memtag_segment_info seg = {};
	struct memtag_segment_req none = {};
	struct memtag_region_info region;
	struct memtag_caller caller;
	struct sk_buff *msg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, MEMTAG_A_REGION_ID)) {
		GENL_SET_ERR_MSG(info, "a region id is required");
		return -EINVAL;
	}
	/* a reset cannot be undone: only the send may fail after it */
	msg = reply_new();
	if (!msg)
		return -ENOMEM;
	memtag_caller_of(info, &caller);
	ret = memtag_region_reset(&caller, nla_get_u32(info->attrs[MEMTAG_A_REGION_ID]), &none,
				  &region, &seg, info->extack);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return reply(msg, info, MEMTAG_CMD_REGION_RESET, &region, &seg);
}

static bool next_region(const struct memtag_viewer *v, struct netlink_callback *cb,
			unsigned long *pos, void *item)
{
	unsigned int generation;
	bool found = memtag_region_next(v, pos, item, &generation);

	cb->seq = generation;	/* NLM_F_DUMP_INTR when regions changed between parts */
	return found;
}

static int put_region_item(struct sk_buff *skb, const void *item)
{
	return put_region(skb, item);
}

int memtag_nl_region_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct memtag_region_info region;

	return memtag_nl_dump(skb, cb, MEMTAG_CMD_REGION_GET, &region, next_region,
			      put_region_item);
}

int memtag_nl_segment_add(struct sk_buff *skb, struct genl_info *info)
{
	struct memtag_segment_info seg;
	struct memtag_caller caller;
	struct sk_buff *msg;
	u32 id;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, MEMTAG_A_REGION_ID) ||
	    GENL_REQ_ATTR_CHECK(info, MEMTAG_A_SEGMENT_SIZE)) {
		GENL_SET_ERR_MSG(info, "a segment needs a region id and a size");
		return -EINVAL;
	}
	/* MTE memory is the process's own; software memory comes from us */
	if (!address_fits_backend(info))
		return -EINVAL;
	msg = reply_new();
	if (!msg)
		return -ENOMEM;
	memtag_caller_of(info, &caller);
	id = nla_get_u32(info->attrs[MEMTAG_A_REGION_ID]);
	ret = memtag_region_add_segment(&caller, id,
					nla_get_u64(info->attrs[MEMTAG_A_SEGMENT_SIZE]),
					get_u64_or_0(info, MEMTAG_A_SEGMENT_ADDRESS), &seg,
					info->extack);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	ret = reply(msg, info, MEMTAG_CMD_SEGMENT_ADD, NULL, &seg);
	if (ret)	/* nobody knows its offset: take it back */
		memtag_region_undo_segment(&caller, id, seg.id);
	return ret;
}
