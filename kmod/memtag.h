/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMTAG_MEMTAG_H
#define MEMTAG_MEMTAG_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>
#include "uapi/linux/memtag.h"

/* Module-wide counters: atomics so that they are never lost. */
struct memtag_counters {
	atomic64_t status_requests;
	atomic64_t regions_created;
	atomic64_t regions_ended;
	atomic64_t regions_leaked;
	atomic64_t violations;
};

extern struct memtag_counters memtag_counters;

int memtag_backend_init(void);
enum memtag_backend memtag_backend(void);
bool memtag_backend_forced(void);
bool memtag_cpu_has_mte(void);
const char *memtag_backend_name(enum memtag_backend backend);

extern struct genl_family memtag_family;
extern const struct nla_policy memtag_region_create_policy[MEMTAG_A_MAX + 1];
extern const struct nla_policy memtag_region_id_policy[MEMTAG_A_MAX + 1];
int memtag_nl_region_create(struct sk_buff *skb, struct genl_info *info);
int memtag_nl_region_end(struct sk_buff *skb, struct genl_info *info);
int memtag_nl_region_reset(struct sk_buff *skb, struct genl_info *info);
int memtag_nl_region_dump(struct sk_buff *skb, struct netlink_callback *cb);
extern const struct nla_policy memtag_segment_add_policy[MEMTAG_A_MAX + 1];
extern const struct nla_policy memtag_event_report_policy[MEMTAG_A_MAX + 1];
extern const struct nla_policy memtag_event_get_policy[MEMTAG_A_MAX + 1];
int memtag_nl_segment_add(struct sk_buff *skb, struct genl_info *info);
int memtag_nl_event_report(struct sk_buff *skb, struct genl_info *info);
int memtag_nl_event_dump(struct sk_buff *skb, struct netlink_callback *cb);
int memtag_nl_segment_dump(struct sk_buff *skb, struct netlink_callback *cb);
extern const struct nla_policy memtag_dump_policy[MEMTAG_A_MAX + 1];
u64 memtag_bytes_reserved(void);
u64 memtag_regions_live(void);

/* Who looks at a dump: their namespace, user, and whether they see all. */
struct memtag_viewer {
	struct net *net;
	u64 net_cookie;
	kuid_t uid;
	bool all;
};

/* Records of a namespace and user: the viewer's own, or all with CAP_SYS_ADMIN. */
static inline bool memtag_viewer_sees(const struct memtag_viewer *v, struct net *net, kuid_t uid)
{
	return net_eq(net, v->net) && (v->all || uid_eq(uid, v->uid));
}

/* The same for records that name their namespace by cookie (events). */
static inline bool memtag_viewer_sees_cookie(const struct memtag_viewer *v, u64 net_cookie,
					     kuid_t uid)
{
	return net_cookie == v->net_cookie && (v->all || uid_eq(uid, v->uid));
}

/* Who asks for the dump cb answers. */
void memtag_viewer_of(struct sk_buff *skb, struct netlink_callback *cb, struct memtag_viewer *v);

/* Copy the next item at or after *pos that v may see; false at the end. */
typedef bool (*memtag_dump_next_fn)(const struct memtag_viewer *v, struct netlink_callback *cb,
				    unsigned long *pos, void *item);
typedef int (*memtag_dump_put_fn)(struct sk_buff *skb, const void *item);

/* One message of cmd per item, resuming at cb->args[0]. */
int memtag_nl_dump(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd, void *item,
		   memtag_dump_next_fn next, memtag_dump_put_fn put);

struct memtag_caller;
/* The identity of the sender of a request. */
void memtag_caller_of(struct genl_info *info, struct memtag_caller *caller);

int memtag_netlink_init(void);
void memtag_netlink_exit(void);

#endif /* MEMTAG_MEMTAG_H */
