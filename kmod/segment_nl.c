// SPDX-License-Identifier: GPL-2.0
/* The segment dump: where each region's memory is, for scans. */
#include <linux/cred.h>
#include <net/genetlink.h>
#include "memtag.h"
#include "region.h"
#include "segment.h"

static int put_segment(struct sk_buff *msg, const struct memtag_segment_report *s)
{
	if (nla_put_u32(msg, MEMTAG_A_SEGMENT_ID, s->id) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_ID, s->region) ||
	    nla_put_string(msg, MEMTAG_A_REGION_NAME, s->region_name) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_TGID, s->tgid) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_UID, from_kuid_munged(current_user_ns(), s->uid)) ||
	    nla_put_u32(msg, MEMTAG_A_SEGMENT_STATE, s->state) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_SEGMENT_ADDRESS, s->address, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_SEGMENT_SIZE, s->size, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_SEGMENT_REGION_OFFSET, s->region_offset,
			      MEMTAG_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static bool next_segment(const struct memtag_viewer *v, struct netlink_callback *cb,
			 unsigned long *pos, void *item)
{
	unsigned int generation;
	bool found = memtag_segment_next(v, pos, item, &generation);

	cb->seq = generation;	/* NLM_F_DUMP_INTR when segments changed between parts */
	return found;
}

static int put_segment_item(struct sk_buff *skb, const void *item)
{
	return put_segment(skb, item);
}

int memtag_nl_segment_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct memtag_segment_report seg;

	/* a region table's claims and ends first: segments as the owners left them */
	if (!cb->args[0])
		memtag_region_settle_all();
	return memtag_nl_dump(skb, cb, MEMTAG_CMD_SEGMENT_GET, &seg, next_segment,
			      put_segment_item);
}
