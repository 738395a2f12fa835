/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMTAG_EVENT_H
#define MEMTAG_EVENT_H

#include <linux/types.h>
#include <linux/uidgid.h>
#include <net/net_namespace.h>
#include "uapi/linux/memtag.h"

/* One recorded misuse. Whoever records fills what it knows; zero is "none". */
struct memtag_event {
	u64 seq;
	u64 time_ns;
	u32 kind;
	u32 flags;
	u32 region;
	pid_t tgid;
	kuid_t uid;		/* who did it: charged for its slot in the ring */
	kuid_t seen_by;		/* whose record it is: the region's owner */
	u64 offset;
	u64 address;
	u64 ip;
	u64 site;
	u64 size;
	u64 count;
	possible_net_t net;	/* counted by segments; unused in the ring */
	u64 net_cookie;		/* the namespace, in the ring: never reused */
	char name[MEMTAG_REGION_NAME_MAX];
};

int memtag_event_init(void);
void memtag_event_exit(void);
/* Record e (seq and time are filled in) and multicast it; may sleep. */
void memtag_event_record(struct memtag_event *e, struct net *net);
/* The first event at or after *pos that viewer may see; false at the end. */
struct memtag_viewer;
/* Records the ring dropped before the dump reached them are added to *lost. */
bool memtag_event_next(const struct memtag_viewer *v, u64 *pos,
		       struct memtag_event *e, u64 *lost);
u64 memtag_event_total(enum memtag_event_kind kind);
u64 memtag_events_recorded(void);
u64 memtag_events_dropped(void);
/* Records of uid refused since load: it held its share of the ring. */
u64 memtag_events_dropped_of(kuid_t uid);
int memtag_put_event(struct sk_buff *msg, const struct memtag_event *e,
		     struct user_namespace *ns);

#endif /* MEMTAG_EVENT_H */
