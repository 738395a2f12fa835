// SPDX-License-Identifier: GPL-2.0
/* The event record: a bounded ring of misuse; counters are never lost. */
#include <linux/hashtable.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include "event.h"
#include "memtag.h"

static unsigned int event_ring_size = 4096;
module_param(event_ring_size, uint, 0444);
MODULE_PARM_DESC(event_ring_size, "Events kept for tagctl; older ones are dropped (default 4096)");

static unsigned int event_user_share = 25;
module_param(event_user_share, uint, 0644);
MODULE_PARM_DESC(event_user_share,
		 "Percent of the event ring one user's records may fill; more are refused (default 25)");

/* A user's records in the ring: one user cannot evict everybody's. */
struct event_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int held;	/* slots of the ring holding its records */
	u64 refused;		/* records not kept: it held its share */
};

static struct memtag_event *ring;
static u64 next_seq;
static DEFINE_SPINLOCK(ring_lock);	/* ring, next_seq, event_users */
static DEFINE_HASHTABLE(event_users, 6);
static atomic64_t totals[__MEMTAG_EVENT_MAX];
static atomic64_t dropped;

int __init memtag_event_init(void)
{
	if (!event_ring_size || event_ring_size > (1U << 20)) {
		pr_err("memtag: event_ring_size must be 1 to 1048576\n");
		return -EINVAL;
	}
	ring = kvcalloc(event_ring_size, sizeof(*ring), GFP_KERNEL);
	return ring ? 0 : -ENOMEM;
}

void memtag_event_exit(void)
{
	struct hlist_node *tmp;
	struct event_user *u;
	unsigned int bkt;

	hash_for_each_safe(event_users, bkt, tmp, u, node) {
		hash_del(&u->node);
		kfree(u);
	}
	kvfree(ring);
}

static struct event_user *event_user_find(kuid_t uid)
{
	struct event_user *u;

	hash_for_each_possible(event_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

static void event_user_put_if_idle(struct event_user *u)
{
	if (u->held || u->refused)
		return;
	hash_del(&u->node);
	kfree(u);
}

/* Slots one user may hold; at least one. */
static unsigned int share_slots(void)
{
	u64 slots = (u64)event_ring_size * min(READ_ONCE(event_user_share), 100U) / 100;

	return max_t(u64, slots, 1);
}

/*
 * The ring's accounting for uid, made if need be. Called and returns with
 * ring_lock held; may drop it to allocate. NULL: out of memory.
 */
static struct event_user *event_user_get(kuid_t uid)
{
	struct event_user *u = event_user_find(uid), *fresh;

	if (u)
		return u;
	spin_unlock(&ring_lock);
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	spin_lock(&ring_lock);
	u = event_user_find(uid);
	if (u || !fresh) {
		kfree(fresh);
		return u;
	}
	fresh->uid = uid;
	hash_add(event_users, &fresh->node, __kuid_val(uid));
	return fresh;
}

/*
 * Put e in the ring, under ring_lock. A user holding its share may push out
 * its own records only: refused rather than evicting another user's.
 */
static bool ring_store(struct memtag_event *e)
{
	struct event_user *u = event_user_get(e->uid), *old;
	struct memtag_event *slot = &ring[next_seq % event_ring_size];
	bool full = next_seq >= event_ring_size;

	if (!u || (full && !uid_eq(slot->uid, e->uid) && u->held >= share_slots())) {
		if (u)
			u->refused++;
		atomic64_inc(&dropped);
		return false;
	}
	e->seq = next_seq++;
	u->held++;	/* first: the record pushed out may be u's last one */
	if (full) {
		atomic64_inc(&dropped);
		old = event_user_find(slot->uid);
		if (!WARN_ON_ONCE(!old)) {
			old->held--;
			event_user_put_if_idle(old);
		}
	}
	*slot = *e;
	write_pnet(&slot->net, NULL);	/* the cookie names it; a pointer could be reused */
	return true;
}

int memtag_put_event(struct sk_buff *msg, const struct memtag_event *e,
		     struct user_namespace *ns)
{
	if (nla_put_u64_64bit(msg, MEMTAG_A_EVENT_SEQ, e->seq, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_EVENT_TIME_NS, e->time_ns, MEMTAG_A_PAD) ||
	    nla_put_u32(msg, MEMTAG_A_EVENT_KIND, e->kind) ||
	    nla_put_u32(msg, MEMTAG_A_EVENT_FLAGS, e->flags) ||
	    nla_put_u32(msg, MEMTAG_A_REGION_ID, e->region) ||
	    nla_put_string(msg, MEMTAG_A_REGION_NAME, e->name) ||
	    nla_put_u32(msg, MEMTAG_A_EVENT_TGID, e->tgid) ||
	    nla_put_u32(msg, MEMTAG_A_EVENT_UID, from_kuid_munged(ns, e->uid)) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_EVENT_OFFSET, e->offset, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_EVENT_ADDRESS, e->address, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_EVENT_IP, e->ip, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_EVENT_SITE, e->site, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_EVENT_SIZE, e->size, MEMTAG_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMTAG_A_EVENT_COUNT, e->count, MEMTAG_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* Listeners are optional: a failed multicast loses nothing recorded. */
static void multicast(const struct memtag_event *e, struct net *net)
{
	struct sk_buff *msg;
	void *hdr;

	/* faults record events: build no message nobody will read */
	if (!genl_has_listeners(&memtag_family, net, 0))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &memtag_family, 0, MEMTAG_CMD_EVENT);
	/* listeners need CAP_SYS_ADMIN: uids as the initial namespace sees them */
	if (!hdr || memtag_put_event(msg, e, &init_user_ns)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&memtag_family, net, msg, 0, 0, GFP_KERNEL);
}

/*
 * Misuse, whoever saw it: the module (software escapes, foreign attempts)
 * or libmemtag (MTE faults, bad frees), so that the counter means the
 * same on both backends. Leaks are not misuse.
 */
static bool is_violation(enum memtag_event_kind kind)
{
	return kind != MEMTAG_EVENT_REGION_LEAKED && kind != MEMTAG_EVENT_ALLOCS_LEAKED;
}

void memtag_event_record(struct memtag_event *e, struct net *net)
{
	bool kept;

	if (WARN_ON_ONCE(e->kind == MEMTAG_EVENT_UNSPEC || e->kind > MEMTAG_EVENT_MAX))
		return;
	e->time_ns = ktime_get_boottime_ns();
	e->net_cookie = net->net_cookie;
	atomic64_inc(&totals[e->kind]);
	if (is_violation(e->kind))
		atomic64_inc(&memtag_counters.violations);
	spin_lock(&ring_lock);
	kept = ring_store(e);
	spin_unlock(&ring_lock);
	/* a refused record is not multicast either: a flood costs its sender */
	if (kept)
		multicast(e, net);
}

/*
 * Records before *pos the ring no longer holds go to *lost: a dump that
 * had not reached them yet says so. The ring lock is dropped every 1,024
 * records passed (another user's records fill most of a big ring).
 */
bool memtag_event_next(const struct memtag_viewer *v, u64 *pos,
		       struct memtag_event *e, u64 *lost)
{
	unsigned int looked = 0;
	bool found = false;
	u64 seq, oldest;

	spin_lock(&ring_lock);
	for (seq = *pos;; seq++) {
		oldest = next_seq > event_ring_size ? next_seq - event_ring_size : 0;
		if (seq < oldest) {
			*lost += oldest - seq;
			seq = oldest;
		}
		if (seq >= next_seq)
			break;
		if (memtag_viewer_sees_cookie(v, ring[seq % event_ring_size].net_cookie,
					      ring[seq % event_ring_size].seen_by)) {
			*e = ring[seq % event_ring_size];
			found = true;
			break;
		}
		if (!(++looked % 1024)) {
			spin_unlock(&ring_lock);
			cond_resched();
			spin_lock(&ring_lock);
		}
	}
	*pos = seq;
	spin_unlock(&ring_lock);
	return found;
}

u64 memtag_event_total(enum memtag_event_kind kind)
{
	return kind <= MEMTAG_EVENT_MAX ? atomic64_read(&totals[kind]) : 0;
}

u64 memtag_events_recorded(void)
{
	u64 seq;

	spin_lock(&ring_lock);
	seq = next_seq;
	spin_unlock(&ring_lock);
	return seq;
}

u64 memtag_events_dropped(void)
{
	return atomic64_read(&dropped);
}

u64 memtag_events_dropped_of(kuid_t uid)
{
	struct event_user *u;
	u64 n;

	spin_lock(&ring_lock);
	u = event_user_find(uid);
	n = u ? u->refused : 0;
	spin_unlock(&ring_lock);
	return n;
}
