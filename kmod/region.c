// SPDX-License-Identifier: GPL-2.0
/* The region registry: lifetimes, ownership, limits and leaks of owners that left. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include "memtag.h"
#include "region.h"
#include "segment.h"

static unsigned int max_regions_per_user = 65536;
module_param(max_regions_per_user, uint, 0644);
MODULE_PARM_DESC(max_regions_per_user, "Live regions one user may own (default 65536)");

static unsigned long max_bytes_per_user = 4UL << 30;
module_param(max_bytes_per_user, ulong, 0644);
MODULE_PARM_DESC(max_bytes_per_user, "Bytes of region memory one user may reserve (default 4 GiB)");

static unsigned int sample_interval_ms = 1000;
module_param(sample_interval_ms, uint, 0644);
MODULE_PARM_DESC(sample_interval_ms,
		 "How often region sizes are sampled to find growing regions, 0: never (default 1000)");

static unsigned int max_leaked = 4096;
module_param(max_leaked, uint, 0644);
MODULE_PARM_DESC(max_leaked, "Leaked-region records kept; the oldest go first (default 4096)");

/* What one user holds, for the per-user limits. */
struct memtag_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int records;	/* regions pointing here, live or leaked */
	unsigned int regions;	/* live ones, for max_regions_per_user */
	unsigned int leaked;	/* leaked ones: the biggest holder's go first */
	unsigned int reserved;	/* in region tables, not claimed yet (not in regions) */
	u64 bytes;		/* of live segments, their metadata included, and tables */
};

/* Segments one region may have: bounds the metadata a caller makes us keep. */
#define MEMTAG_REGION_SEGMENTS_MAX 4096

/* A netlink socket that owns live regions: socket release finds them here. */
struct memtag_owner {
	struct hlist_node node;		/* looked up under RCU, changed under regions_lock */
	u32 portid;
	const void *file;		/* or an open device file; compared only */
	struct net *net;		/* compared only, never dereferenced */
	struct list_head regions;
	struct list_head spares;	/* recycled segments for its next regions */
	unsigned int nr_spares;
	struct list_head reserved;	/* regions reserved on spares, not claimed yet */
	unsigned int nr_reserved;	/* with nr_spares, at most MEMTAG_OWNER_SPARES_MAX */
	struct memtag_table *table;	/* an open file's region table, while it is open */
	bool gone;			/* unhashed, being released: freed by its release */
	struct rcu_head rcu;
};

/* Pages of a region table (struct memtag_region_slot in the UAPI header). */
#define TABLE_MAP_BYTES PAGE_ALIGN(MEMTAG_TABLE_BYTES)
#define TABLE_PAGES (TABLE_MAP_BYTES >> PAGE_SHIFT)

/*
 * An open file's region table: the owner writes the slots, the module
 * keeps in region[] what it reserved in each and trusts only that.
 */
struct memtag_table {
	pid_t tgid;			/* the process that mapped it: the only one served */
	struct memtag_user *user;	/* charged for its pages */
	struct page *pages[TABLE_PAGES];
	struct memtag_region_slot *slots;	/* the pages, mapped for the kernel */
	struct memtag_table_header *header;	/* after the slots */
	u64 settled;			/* the owner's generation at the last full read */
	struct memtag_region *region[MEMTAG_TABLE_SLOTS];	/* reserved or live; NULL: free */
};

/* Recycled segments one socket may hold between an end and the next create. */
#define MEMTAG_OWNER_SPARES_MAX 16

struct memtag_region {
	struct memtag_region_info info;
	unsigned int nr_segments;
	unsigned int depth;
	possible_net_t net;
	struct memtag_user *user;
	struct memtag_owner *owner;	/* while live */
	struct list_head owner_node;
	struct list_head children;	/* records whose parent this is */
	struct list_head sibling;	/* in the parent's children */
	u64 next_offset;		/* region offset of the next segment */
	u64 charged;			/* to user->bytes: live segments and their metadata */
	u64 sampled_size;		/* at the last growth sample */
	struct list_head segments;
	struct list_head leaked;	/* on leaked_regions once its owner left */
	/*
	 * Reserved on a spare (see memtag_region_desc): no facts yet, not
	 * counted as live nor listed; charged to its user already.
	 */
	bool reserved;
	bool settling;			/* its descriptor is being read (parent loops) */
	struct list_head reserve_node;	/* in owner->reserved (a spare's) */
	unsigned int slot;		/* 1 + its slot in its owner's table; 0: none */
	bool segment_pending;		/* claimed in its slot, first segment not added yet */
};

/* Region ids are xarray indices; the mutex orders every state change. */
static DEFINE_XARRAY_ALLOC1(regions);
static DEFINE_MUTEX(regions_lock);
static DEFINE_HASHTABLE(users, 6);
static DEFINE_HASHTABLE(owners, 8);
static LIST_HEAD(leaked_regions);
static unsigned int leaked_count;
static unsigned int regions_generation = 1;
static u32 next_region_id;	/* ids are not reused soon: events name them */
static u64 bytes_reserved;
static u64 regions_live;
/* Segments revoked under regions_lock, to unmap and free once it is dropped. */
static LIST_HEAD(revoke_later);

/*
 * Drop regions_lock, then finish the revocations made under it: unmapping
 * and freeing a region's 4,096 segments keeps nobody else waiting.
 */
static void regions_unlock(void)
{
	struct memtag_segment *seg, *next;
	LIST_HEAD(todo);

	list_splice_init(&revoke_later, &todo);
	mutex_unlock(&regions_lock);
	list_for_each_entry_safe(seg, next, &todo, node) {
		list_del_init(&seg->node);
		memtag_segment_revoke_finish(seg);
		cond_resched();
	}
}

static struct memtag_user *user_find(kuid_t uid)
{
	struct memtag_user *u;

	hash_for_each_possible(users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

static struct memtag_user *user_get(kuid_t uid)
{
	struct memtag_user *u = user_find(uid);

	if (u)
		return u;
	u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
	if (!u)
		return NULL;
	u->uid = uid;
	hash_add(users, &u->node, __kuid_val(uid));
	return u;
}

static void user_put_if_idle(struct memtag_user *u)
{
	if (u->records || u->bytes)
		return;
	hash_del(&u->node);
	kfree(u);
}

static u32 owner_hash(u32 portid, const void *file)
{
	return portid ^ hash_ptr(file, 32);
}

/*
 * Whether the socket or file may own regions; without regions_lock: every
 * generic netlink socket on the host and every /dev/memtag file passes
 * here at release, and one that owns nothing must wait on no global lock.
 */
static bool owner_exists(struct net *net, u32 portid, const void *file)
{
	struct memtag_owner *o;
	bool found = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(owners, o, node, owner_hash(portid, file))
		if (o->portid == portid && o->file == file && (file || net_eq(o->net, net)))
			found = true;
	rcu_read_unlock();
	return found;
}

static struct memtag_owner *owner_find(struct net *net, u32 portid, const void *file)
{
	struct memtag_owner *o;

	hash_for_each_possible(owners, o, node, owner_hash(portid, file))
		if (o->portid == portid && o->file == file && (file || net_eq(o->net, net)))
			return o;
	return NULL;
}

static struct memtag_owner *owner_get(const struct memtag_caller *caller)
{
	struct memtag_owner *o = owner_find(caller->net, caller->portid, caller->file);

	if (o)
		return o;
	o = kzalloc(sizeof(*o), GFP_KERNEL_ACCOUNT);
	if (!o)
		return NULL;
	o->portid = caller->portid;
	o->file = caller->file;
	o->net = caller->net;
	INIT_LIST_HEAD(&o->regions);
	INIT_LIST_HEAD(&o->spares);
	INIT_LIST_HEAD(&o->reserved);
	hash_add_rcu(owners, &o->node, owner_hash(o->portid, o->file));
	return o;
}

static void owner_put_if_empty(struct memtag_owner *o)
{
	if (o->gone || !list_empty(&o->regions) || !list_empty(&o->spares) || o->table)
		return;
	hash_del_rcu(&o->node);
	kfree_rcu(o, rcu);
}

/* r leaves its owner's lists (and table slot, which is free again); o stays. */
static void owner_unlink(struct memtag_owner *o, struct memtag_region *r)
{
	if (r->reserved && !r->slot) {
		list_del_init(&r->reserve_node);
		o->nr_reserved--;
	}
	if (r->slot)	/* kept: a reservation's quota is told apart by it */
		o->table->region[r->slot - 1] = NULL;
	list_del_init(&r->owner_node);
	r->owner = NULL;
}

/* r stops being owned (ended, freed or leaked). */
static void owner_detach(struct memtag_region *r)
{
	struct memtag_owner *o = r->owner;

	if (!o)
		return;
	owner_unlink(o, r);
	owner_put_if_empty(o);
}

u64 memtag_bytes_reserved(void)
{
	return READ_ONCE(bytes_reserved);
}

u64 memtag_regions_live(void)
{
	return READ_ONCE(regions_live);
}

/* A live region stops being live: ended, or leaked by its owner. */
static void region_not_live(struct memtag_region *r)
{
	if (r->reserved && r->slot)
		r->user->reserved--;
	else
		r->user->regions--;
	if (!r->reserved)
		regions_live--;
}

static void event_template(const struct memtag_region *r, struct memtag_event *e)
{
	memset(e, 0, sizeof(*e));
	e->region = r->info.id;
	e->tgid = r->info.tgid;
	e->uid = r->info.uid;
	e->seen_by = r->info.uid;
	e->site = r->info.site;
	write_pnet(&e->net, read_pnet(&r->net));
	strscpy(e->name, r->info.name, sizeof(e->name));
}

static void record_foreign(const struct memtag_caller *caller, const struct memtag_region *r)
{
	struct memtag_event e;

	/* seen by the region's owner (and root), never by the intruder */
	event_template(r, &e);
	e.kind = MEMTAG_EVENT_FOREIGN_REGION;
	e.flags = MEMTAG_EVENT_F_KERNEL;
	e.tgid = caller->tgid;
	e.uid = caller->uid;
	memtag_event_record(&e, caller->net);
}

static bool settle_owner(struct memtag_owner *o, bool wait, bool full);

/* A live region of the caller, or an error with the reason in extack. */
static struct memtag_region *owned_region(const struct memtag_caller *caller, u32 id,
					  struct netlink_ext_ack *extack)
{
	struct memtag_region *r = xa_load(&regions, id);

	if (!r || !net_eq(read_pnet(&r->net), caller->net)) {
		NL_SET_ERR_MSG(extack, "no such region");
		return ERR_PTR(-ENOENT);
	}
	/* another user's region: the same answer as none, so ids tell nothing */
	if (!uid_eq(r->info.uid, caller->uid)) {
		record_foreign(caller, r);
		NL_SET_ERR_MSG(extack, "no such region");
		return ERR_PTR(-ENOENT);
	}
	if (r->info.tgid != caller->tgid) {
		record_foreign(caller, r);
		NL_SET_ERR_MSG(extack, "region belongs to another process");
		return ERR_PTR(-EPERM);
	}
	/* what it claimed (children of r among them) and ended since is known first */
	settle_owner(r->owner, true, false);
	r = xa_load(&regions, id);	/* settling ids reserves none: r, or NULL if it ended */
	if (!r || r->reserved) {
		NL_SET_ERR_MSG(extack, "no such region");
		return ERR_PTR(-ENOENT);
	}
	if (r->info.state != MEMTAG_REGION_LIVE) {
		NL_SET_ERR_MSG(extack, "region is not live");
		return ERR_PTR(-ESTALE);
	}
	return r;
}

/* Bytes of the module's pages its segments have given out (software backend). */
static u64 resident_bytes(const struct memtag_region *r)
{
	struct memtag_segment *seg;
	u64 pages = 0;

	list_for_each_entry(seg, &r->segments, node)
		pages += READ_ONCE(seg->resident);
	return pages << PAGE_SHIFT;
}

static void fill_info(const struct memtag_region *r, struct memtag_region_info *info)
{
	*info = r->info;
	info->bytes_resident = resident_bytes(r);
}

static int check_limits(struct memtag_user *u, struct netlink_ext_ack *extack)
{
	if (u->regions >= max_regions_per_user) {
		NL_SET_ERR_MSG(extack, "user has max_regions_per_user live regions");
		return -EDQUOT;
	}
	return 0;
}

static void init_region(struct memtag_region *r, const struct memtag_caller *caller,
			const char *name, struct memtag_region *parent, u32 flags, u64 site)
{
	r->info.parent = parent ? parent->info.id : 0;
	r->info.state = MEMTAG_REGION_LIVE;
	r->info.flags = flags;
	r->info.tgid = caller->tgid;
	r->info.uid = caller->uid;
	r->info.site = site;
	r->info.created_ns = ktime_get_boottime_ns();
	strscpy(r->info.name, name, sizeof(r->info.name));
	r->depth = parent ? parent->depth + 1 : 0;
	write_pnet(&r->net, get_net(caller->net));	/* put in free_region() */
	INIT_LIST_HEAD(&r->segments);
	INIT_LIST_HEAD(&r->leaked);
	INIT_LIST_HEAD(&r->children);
	INIT_LIST_HEAD(&r->sibling);
	INIT_LIST_HEAD(&r->owner_node);
	INIT_LIST_HEAD(&r->reserve_node);
	if (parent)
		list_add_tail(&r->sibling, &parent->children);
}

/* r's next segment starts here: account for it. */
static void attach_segment(struct memtag_region *r, struct memtag_segment *seg, u64 size)
{
	list_add_tail(&seg->node, &r->segments);
	r->nr_segments++;
	r->next_offset += size;
	r->info.bytes_reserved += size;
	if (!r->reserved)	/* counted once it is claimed */
		bytes_reserved += size;
}

/*
 * What a segment costs its user's byte quota: its bytes and the metadata it
 * makes us keep, so that one-page segments cannot hold unbounded slab.
 */
static u64 segment_cost(u64 size, bool has_pages)
{
	u64 meta = sizeof(struct memtag_segment);

	if (has_pages)	/* the page array of a software segment */
		meta += (size >> PAGE_SHIFT) * sizeof(struct page *);
	return size + meta;
}

static int add_segment_locked(struct memtag_region *r, u64 size, unsigned long address,
			      struct memtag_segment_info *info, struct netlink_ext_ack *extack)
{
	struct memtag_segment *seg;
	struct memtag_event owner;
	u64 cost, total;

	if (r->nr_segments >= MEMTAG_REGION_SEGMENTS_MAX) {
		NL_SET_ERR_MSG(extack, "region has the most segments it may have");
		return -EDQUOT;
	}
	cost = segment_cost(size, !address);
	if (check_add_overflow(r->user->bytes, cost, &total) || total > max_bytes_per_user) {
		NL_SET_ERR_MSG(extack, "user would exceed max_bytes_per_user");
		return -EDQUOT;
	}
	event_template(r, &owner);
	seg = memtag_segment_new(&owner, r->info.flags, r->next_offset, size, address);
	if (IS_ERR(seg)) {
		if (PTR_ERR(seg) == -EFAULT)
			NL_SET_ERR_MSG(extack, "segment address must be page-aligned user memory");
		else
			NL_SET_ERR_MSG(extack, "segment size must be page-aligned, at most 1 GiB");
		return PTR_ERR(seg);
	}
	info->id = seg->id;
	info->offset = memtag_segment_offset(seg);
	info->size = size;
	info->region_offset = r->next_offset;
	attach_segment(r, seg, size);
	r->charged += cost;
	r->user->bytes += cost;
	return 0;
}

int memtag_region_add_segment(const struct memtag_caller *caller, u32 id, u64 size,
			      unsigned long address, struct memtag_segment_info *info,
			      struct netlink_ext_ack *extack)
{
	struct memtag_region *r;
	int ret;

	mutex_lock(&regions_lock);
	r = owned_region(caller, id, extack);
	ret = IS_ERR(r) ? PTR_ERR(r) : add_segment_locked(r, size, address, info, extack);
	regions_unlock();
	return ret;
}

static u64 segment_bytes(const struct memtag_segment *seg)
{
	return (u64)seg->npages << PAGE_SHIFT;
}

/* What a software segment (spares and recycled ones are) costs the quota. */
static u64 spare_cost(const struct memtag_segment *seg)
{
	return segment_cost(segment_bytes(seg), true);
}

/* Where a first segment (region offset 0) is, for the caller's mmap. */
static void segment_info_of(const struct memtag_segment *seg, struct memtag_segment_info *info)
{
	info->id = seg->id;
	info->offset = memtag_segment_offset(seg);
	info->size = segment_bytes(seg);
	info->region_offset = 0;
}

/* A segment of the caller's, with a reference, or an error in extack. */
static struct memtag_segment *callers_segment(const struct memtag_caller *caller, u32 id,
					      struct netlink_ext_ack *extack)
{
	struct memtag_segment *seg = memtag_segment_get(id);

	if (seg && seg->owner.tgid == caller->tgid && uid_eq(seg->owner.uid, caller->uid) &&
	    net_eq(read_pnet(&seg->owner.net), caller->net))
		return seg;
	if (seg)
		memtag_segment_put(seg);
	NL_SET_ERR_MSG(extack, "no such segment of the caller's");
	return ERR_PTR(-ENOENT);
}

/*
 * The pages of r's first segment move to segment to_id (see
 * memtag_segment_recycle()), which is returned live, with a reference and
 * charged to no region yet. r keeps counting the bytes until it is revoked.
 */
static struct memtag_segment *recycle_first(const struct memtag_caller *caller,
					    struct memtag_region *r, u32 to_id,
					    enum memtag_event_kind why,
					    struct netlink_ext_ack *extack)
{
	struct memtag_segment *first, *to;
	int ret;

	if (list_empty(&r->segments)) {
		NL_SET_ERR_MSG(extack, "region has no segment to recycle");
		return ERR_PTR(-EINVAL);
	}
	to = callers_segment(caller, to_id, extack);
	if (IS_ERR(to))
		return to;
	first = list_first_entry(&r->segments, struct memtag_segment, node);
	list_del_init(&first->node);
	ret = memtag_segment_recycle(first, to, why);
	if (ret) {
		list_add(&first->node, &r->segments);
		memtag_segment_put(to);
		NL_SET_ERR_MSG(extack,
			       "recycled segment must be revoked, still mapped, of the first segment's size");
		return ERR_PTR(ret);
	}
	r->nr_segments--;
	return to;
}

static void return_spare(struct memtag_owner *o, struct memtag_segment *seg)
{
	list_add_tail(&seg->node, &o->spares);
	o->nr_spares++;
}

/* A recycled segment waits on its socket for the next region; the user pays. */
static void keep_spare(struct memtag_owner *o, struct memtag_user *u, struct memtag_segment *seg)
{
	struct memtag_event nobody = { .region = 0 };

	memtag_segment_assign(seg, &nobody, 0, 0);
	return_spare(o, seg);
	u->bytes += spare_cost(seg);
}

/*
 * The spare segment id of the caller's socket or file, taken off its list,
 * or NULL. A forked child shares the file but not the spares: they are
 * the process's (and user's: the child may have changed uid) that made them.
 */
static struct memtag_segment *take_spare(struct memtag_owner *o,
					 const struct memtag_caller *caller, u32 id)
{
	struct memtag_segment *seg;

	list_for_each_entry(seg, &o->spares, node) {
		if (seg->id == id && seg->owner.tgid == caller->tgid &&
		    uid_eq(seg->owner.uid, caller->uid) &&
		    net_eq(read_pnet(&seg->owner.net), caller->net)) {
			list_del_init(&seg->node);
			o->nr_spares--;
			return seg;
		}
	}
	return NULL;
}

/* seg, live and charged to r's user already, becomes r's first segment (r pays now). */
static void give_first_segment(struct memtag_region *r, struct memtag_segment *seg,
			       struct memtag_segment_info *info)
{
	struct memtag_event owner;

	event_template(r, &owner);
	memtag_segment_assign(seg, &owner, r->info.flags, 0);
	segment_info_of(seg, info);
	attach_segment(r, seg, info->size);
	r->charged += spare_cost(seg);
}

static void release_spares(struct memtag_owner *o)
{
	struct memtag_segment *seg, *next;
	struct memtag_user *u;

	list_for_each_entry_safe(seg, next, &o->spares, node) {
		list_del_init(&seg->node);
		u = user_find(seg->owner.uid);
		if (u) {
			u->bytes -= spare_cost(seg);
			user_put_if_idle(u);
		}
		/*
		 * Revoked, not just let go: one still mapped (through another
		 * open file) would otherwise stay live, its pages outside the quota.
		 */
		memtag_segment_revoke(seg, MEMTAG_EVENT_USE_AFTER_END);
	}
	o->nr_spares = 0;
}

/* The caller's live region id, not counting foreign attempts; NULL if none. */
static struct memtag_region *own_region_quiet(const struct memtag_caller *caller, u32 id)
{
	struct memtag_region *r = xa_load(&regions, id);

	if (!r || !net_eq(read_pnet(&r->net), caller->net) || r->info.tgid != caller->tgid ||
	    !uid_eq(r->info.uid, caller->uid) || r->info.state != MEMTAG_REGION_LIVE)
		return NULL;
	return r;
}

/* Take back a segment of r as if it had never been added. */
static void remove_segment(struct memtag_region *r, struct memtag_segment *seg)
{
	u64 size = (u64)seg->npages << PAGE_SHIFT;
	u64 cost = segment_cost(size, seg->module_memory);

	list_del_init(&seg->node);
	if (seg->region_offset + size == r->next_offset)
		r->next_offset -= size;
	r->nr_segments--;
	r->info.bytes_reserved -= size;
	r->charged -= cost;
	r->user->bytes -= cost;
	bytes_reserved -= size;
	memtag_segment_revoke(seg, MEMTAG_EVENT_USE_AFTER_END);
}

void memtag_region_undo_segment(const struct memtag_caller *caller, u32 id, u32 segment)
{
	struct memtag_segment *seg;
	struct memtag_region *r;

	mutex_lock(&regions_lock);
	r = own_region_quiet(caller, id);
	if (r) {
		list_for_each_entry(seg, &r->segments, node) {
			if (seg->id == segment) {
				remove_segment(r, seg);
				break;
			}
		}
	}
	mutex_unlock(&regions_lock);
}

/* Revoke every segment of r: the next touch of its memory is recorded. */
static void revoke_segments(struct memtag_region *r, enum memtag_event_kind why)
{
	struct memtag_segment *seg, *next;

	list_for_each_entry_safe(seg, next, &r->segments, node) {
		/* faults see it revoked now; the unmap waits for regions_unlock() */
		memtag_segment_revoke_mark(seg, why);
		list_move_tail(&seg->node, &revoke_later);
	}
	r->user->bytes -= r->charged;
	r->charged = 0;
	/* a leaked record's bytes are a fact kept, no longer reserved */
	if (r->info.state == MEMTAG_REGION_LIVE && !r->reserved)
		bytes_reserved -= r->info.bytes_reserved;
	r->info.bytes_reserved = 0;
	r->next_offset = 0;
	r->nr_segments = 0;
}

static void free_region(struct memtag_region *r)
{
	struct memtag_region *child, *next;

	revoke_segments(r, MEMTAG_EVENT_USE_AFTER_END);
	xa_erase(&regions, r->info.id);
	owner_detach(r);
	list_del_init(&r->sibling);
	/* records that outlive r (leaked children) no longer point at it */
	list_for_each_entry_safe(child, next, &r->children, sibling)
		list_del_init(&child->sibling);
	if (r->info.state == MEMTAG_REGION_LIVE)
		region_not_live(r);
	r->user->records--;
	user_put_if_idle(r->user);
	put_net(read_pnet(&r->net));
	kfree(r);
}

/* A reserved record of o's, charged to u by the caller (a spare's or a slot's). */
static struct memtag_region *new_reservation(const struct memtag_caller *caller,
					     struct memtag_owner *o, struct memtag_user *u)
{
	struct memtag_region *r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);

	if (!r)
		return NULL;
	if (xa_alloc_cyclic(&regions, &r->info.id, r, xa_limit_31b, &next_region_id,
			    GFP_KERNEL_ACCOUNT) < 0) {
		kfree(r);
		return NULL;
	}
	init_region(r, caller, "", NULL, 0, 0);
	r->reserved = true;
	r->owner = o;
	list_add_tail(&r->owner_node, &o->regions);
	r->user = u;
	u->records++;
	return r;
}

/*
 * Reserved regions: an end that recycles reserves the owner's next region
 * on the spare, so that the create claims it without a call (see
 * memtag_region_desc in the UAPI header). The record is charged now; its
 * facts come from the descriptor when the module next needs them.
 */
static bool reserve_region(const struct memtag_caller *caller, struct memtag_owner *o,
			   struct memtag_user *u, struct memtag_segment *seg, u32 *id)
{
	struct memtag_segment_info info;
	struct memtag_region *r;

	/* it stands in for the region being ended, which u->regions counts still */
	if (!caller->file || memtag_backend() != MEMTAG_BACKEND_SOFTWARE ||
	    u->regions > max_regions_per_user)
		return false;
	r = new_reservation(caller, o, u);
	if (!r)
		return false;
	list_add_tail(&r->reserve_node, &o->reserved);
	o->nr_reserved++;
	u->regions++;
	memtag_segment_clear_head(seg, MEMTAG_REGION_DESC_BYTES);
	give_first_segment(r, seg, &info);
	u->bytes += spare_cost(seg);	/* as keep_spare() would */
	*id = r->info.id;
	return true;
}

/* A claimed region becomes an ordinary live one: listed, counted. */
static void region_goes_live(struct memtag_region *r)
{
	struct memtag_owner *o = r->owner;

	if (r->slot) {		/* a table's reservation becomes one of the user's regions */
		r->user->reserved--;
		r->user->regions++;
	} else {
		list_del_init(&r->reserve_node);
		o->nr_reserved--;
	}
	r->reserved = false;
	regions_live++;
	bytes_reserved += r->info.bytes_reserved;
	regions_generation++;
	atomic64_inc(&memtag_counters.regions_created);
}

static void settle_region(struct memtag_region *r, bool wait);
static void end_region(struct memtag_region *r);
/* settle_region() calls through claimed parents: bounds the recursion (regions_lock) */
static unsigned int settle_depth;

/*
 * The parent a descriptor names, if it is a live region of the same open
 * file and process (a forked child shares the file, not its regions).
 */
static struct memtag_region *claimed_parent(struct memtag_region *r, u32 id, bool wait)
{
	struct memtag_region *p = id ? xa_load(&regions, id) : NULL;

	if (!p || p == r || p->owner != r->owner || p->info.state != MEMTAG_REGION_LIVE ||
	    p->info.tgid != r->info.tgid || !uid_eq(p->info.uid, r->info.uid))
		return NULL;
	/* its own descriptor first; a chain deeper than regions may nest reads as none */
	if (p->reserved && settle_depth < MEMTAG_REGION_DEPTH_MAX)
		settle_region(p, wait);
	if (p->reserved || p->depth + 1 >= MEMTAG_REGION_DEPTH_MAX)
		return NULL;
	return p;
}

/* What the descriptor says, applied; apart so that the recursion's frames stay small. */
static noinline_for_stack void apply_claim(struct memtag_region *r,
					   struct memtag_region_desc *d,
					   struct memtag_region *p)
{
	struct memtag_segment *first = list_first_entry_or_null(&r->segments,
								 struct memtag_segment, node);
	struct memtag_event owner;
	u64 now;

	d->name[sizeof(d->name) - 1] = '\0';
	strscpy(r->info.name, d->name[0] ? d->name : "?", sizeof(r->info.name));
	r->info.flags = d->flags & MEMTAG_REGION_F_ALL;
	r->info.site = d->site;
	/* the owner's clock is monotonic (coarse: no counter read, so no system call) */
	now = ktime_get_boottime_ns();
	r->info.created_ns = clamp(d->created_mono_ns + (now - ktime_get_ns()),
				   r->info.created_ns, now);
	if (p) {
		r->info.parent = p->info.id;
		r->depth = p->depth + 1;
		list_add_tail(&r->sibling, &p->children);
	}
	if (first) {	/* a spare's; a slot's comes after (settle_region()) */
		event_template(r, &owner);
		memtag_segment_assign(first, &owner, r->info.flags, 0);
	}
	region_goes_live(r);
}

/*
 * A slot as the owner left it, read once: the claim word first (the
 * owner writes it last, with release order), then, if it is claim (any,
 * for 0), a copy of the rest; -ENOENT if not. Unclaimed slots cost a load.
 */
static int read_slot(const struct memtag_table *t, unsigned int i, u32 claim,
		     struct memtag_region_slot *s)
{
	const struct memtag_region_slot *src = &t->slots[i];

	s->desc.claim = READ_ONCE(src->desc.claim);
	if (claim && s->desc.claim != claim)
		return -ENOENT;
	smp_rmb();	/* pairs with the owner's release store of the claim */
	memcpy((char *)s + sizeof(s->desc.claim), (const char *)src + sizeof(s->desc.claim),
	       sizeof(*s) - sizeof(s->desc.claim));
	return 0;
}

/*
 * The descriptor of a reserved region: in its table slot (with the first
 * segment the owner names there), or at the head of its spare.
 */
static int read_claim(struct memtag_region *r, struct memtag_region_slot *s, bool wait)
{
	struct memtag_segment *first;

	if (r->slot)
		return read_slot(r->owner->table, r->slot - 1, r->info.id, s);
	s->size = 0;
	first = list_first_entry_or_null(&r->segments, struct memtag_segment, node);
	if (!first)
		return -ENOENT;
	return memtag_segment_read_head(first, &s->desc, sizeof(s->desc), wait);
}

/*
 * Read a reserved region's descriptor; claimed, it goes live with those
 * facts (a slot's first segment follows, see settle_table()). Untrusted:
 * bounded, terminated, the parent checked. The recursion through parents
 * is bounded by the nesting limit.
 */
static void settle_region(struct memtag_region *r, bool wait)
{
	struct memtag_region_slot s;
	struct memtag_region *p;

	if (!r->reserved || r->settling || read_claim(r, &s, wait) || s.desc.claim != r->info.id)
		return;
	r->settling = true;
	settle_depth++;
	p = claimed_parent(r, s.desc.parent, wait);
	settle_depth--;
	r->settling = false;
	apply_claim(r, &s.desc, p);
	r->segment_pending = r->slot != 0;
}

/*
 * The first segment a claimed slot names, checked as SEGMENT_ADD's and
 * within the byte quota, else none. Address 0 would ask for the module's
 * pages: the owner's own memory only.
 */
static void add_slot_segment(struct memtag_table *t, struct memtag_region *r)
{
	struct memtag_segment_info seg;
	struct memtag_region_slot s;

	r->segment_pending = false;
	read_slot(t, r->slot - 1, 0, &s);
	if (s.size && s.address)
		add_segment_locked(r, s.size, s.address, &seg, NULL);
}

/* A live region of a table whose slot says it ended: end it; true if so. */
static bool settle_end(struct memtag_table *t, struct memtag_region *r)
{
	if (r->reserved || r->info.state != MEMTAG_REGION_LIVE ||
	    READ_ONCE(t->slots[r->slot - 1].end) != r->info.id)
		return false;
	end_region(r);		/* its subtree with it, as an END would */
	regions_generation++;
	return true;
}

/*
 * The table's claims, then its ends (a region claimed and ended since
 * the last look is created, then ended), then the first segments of the
 * claims still live (after the ends gave their bytes back to the quota).
 * Not full: none if the owner's generation is the one last read (its
 * word: a lie only leaves its own slots unread until a full look).
 * true: something ended (other owners' records may have gone with it).
 */
static bool settle_table(struct memtag_table *t, bool wait, bool full)
{
	struct memtag_region *r;
	bool ended = false;
	unsigned int i;
	u64 gen;

	if (!t)
		return false;
	/* pairs with the owner's release bump, after the slot it wrote */
	gen = smp_load_acquire(&t->header->generation);
	if (gen == t->settled && !full)
		return false;
	t->settled = gen;
	for (i = 0; i < MEMTAG_TABLE_SLOTS; i++)
		if (t->region[i] && t->region[i]->reserved)
			settle_region(t->region[i], wait);
	for (i = 0; i < MEMTAG_TABLE_SLOTS; i++) {
		r = t->region[i];	/* ends free slots: read each anew */
		if (r && settle_end(t, r))
			ended = true;
	}
	for (i = 0; i < MEMTAG_TABLE_SLOTS; i++)
		if (t->region[i] && t->region[i]->segment_pending)
			add_slot_segment(t, t->region[i]);
	return ended;
}

/*
 * The facts of every region the owner claimed (and, in its table, ended)
 * since the module last looked. wait: the owner's own call; else (others'
 * dumps, STATUS, reports) a descriptor whose segment is busy stays unread
 * until a later look. full: every slot, whatever its generation says (the
 * refill, the release). true: a region ended.
 */
static bool settle_owner(struct memtag_owner *o, bool wait, bool full)
{
	struct memtag_region *batch[MEMTAG_OWNER_SPARES_MAX], *r;
	unsigned int n = 0, i;

	if (!o)
		return false;
	/* settling one may settle another (its parent): take the list first */
	list_for_each_entry(r, &o->reserved, reserve_node)
		if (n < ARRAY_SIZE(batch))
			batch[n++] = r;
	for (i = 0; i < n; i++)
		settle_region(batch[i], wait);
	return settle_table(o->table, wait, full);
}

/*
 * r, one a viewer sees, as its owner left it: claimed, or (NULL) ended.
 * A table's region settles with its table, so that the children claimed
 * in it end with it as at an END.
 */
static struct memtag_region *settle_one(struct memtag_region *r, bool wait)
{
	u32 id = r->info.id;

	if (r->slot && r->owner) {
		settle_owner(r->owner, wait, false);
		return xa_load(&regions, id);	/* settling reserves no id */
	}
	if (r->reserved)
		settle_region(r, wait);
	return r;
}

/* What a table costs its user's byte quota: its pages and its record. */
#define TABLE_COST (TABLE_MAP_BYTES + sizeof(struct memtag_table))

static void table_pages_free(struct memtag_table *t)
{
	unsigned int i;

	vunmap(t->slots);
	for (i = 0; i < TABLE_PAGES; i++)
		if (t->pages[i])
			__free_page(t->pages[i]);
	kfree(t);
}

static struct memtag_table *table_new(void)
{
	struct memtag_table *t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct memtag_region_slot) * MEMTAG_TABLE_SLOTS +
		     sizeof(struct memtag_table_header) != MEMTAG_TABLE_BYTES);
	BUILD_BUG_ON(MEMTAG_TABLE_OFFSET % SZ_64K || MEMTAG_TABLE_OFFSET < SZ_1M);
	if (!t)
		return NULL;
	for (i = 0; i < TABLE_PAGES; i++) {
		t->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!t->pages[i])
			goto fail;
	}
	t->slots = vmap(t->pages, TABLE_PAGES, VM_MAP, PAGE_KERNEL);
	if (t->slots) {
		t->header = (struct memtag_table_header *)&t->slots[MEMTAG_TABLE_SLOTS];
		return t;
	}
fail:
	table_pages_free(t);
	return NULL;
}

/* The owner's file is released: its table, emptied already, goes. */
static void table_free(struct memtag_owner *o)
{
	struct memtag_table *t = o->table;

	if (!t)
		return;
	o->table = NULL;
	t->user->bytes -= TABLE_COST;
	user_put_if_idle(t->user);
	table_pages_free(t);
}

int memtag_region_table_map(const struct memtag_caller *caller, struct vm_area_struct *vma)
{
	struct memtag_table *fresh = table_new(), *t;
	struct memtag_owner *o;
	struct memtag_user *u;
	u64 total;
	int ret = 0;

	if (!fresh)
		return -ENOMEM;
	mutex_lock(&regions_lock);
	o = owner_get(caller);
	u = o ? user_get(caller->uid) : NULL;
	t = o ? o->table : NULL;
	if (!u) {
		ret = -ENOMEM;
	} else if (t) {
		/* one process per table: a forked child has its own file */
		if (t->tgid != caller->tgid || t->user != u)
			ret = -EPERM;
	} else if (check_add_overflow(u->bytes, (u64)TABLE_COST, &total) ||
		   total > max_bytes_per_user) {
		ret = -EDQUOT;
	} else {
		t = fresh;
		fresh = NULL;
		t->tgid = caller->tgid;
		t->user = u;
		u->bytes += TABLE_COST;
		o->table = t;
	}
	if (u)
		user_put_if_idle(u);
	if (o)
		owner_put_if_empty(o);
	mutex_unlock(&regions_lock);
	if (fresh)
		table_pages_free(fresh);
	if (ret)
		return ret;
	/* the file holds the table until its release, after every unmap */
	return vm_map_pages_zero(vma, t->pages, TABLE_PAGES);	/* its pgoff is no index */
}

/*
 * A region reserved in the free slot i of t: charged to the user at once
 * (live regions and reservations within max_regions_per_user), its id in
 * the slot for the owner to claim.
 */
static bool reserve_slot(const struct memtag_caller *caller, struct memtag_owner *o,
			 struct memtag_user *u, unsigned int i)
{
	struct memtag_region_slot *slot = &o->table->slots[i];
	struct memtag_region *r;

	if (u->regions + u->reserved >= max_regions_per_user)
		return false;
	r = new_reservation(caller, o, u);
	if (!r)
		return false;
	r->slot = i + 1;
	o->table->region[i] = r;
	u->reserved++;
	/* nothing of the last lifetime is left to be read as a claim or an end */
	memset(slot, 0, sizeof(*slot));
	WRITE_ONCE(slot->id, r->info.id);
	return true;
}

int memtag_region_table_refill(const struct memtag_caller *caller, u64 *ready)
{
	struct memtag_owner *o;
	struct memtag_user *u;
	unsigned int i;
	int ret = 0;

	*ready = 0;
	mutex_lock(&regions_lock);
	o = owner_find(caller->net, 0, caller->file);
	u = o && o->table ? user_find(caller->uid) : NULL;
	if (!u) {
		ret = -ENXIO;	/* no table mapped */
	} else if (o->table->tgid != caller->tgid || o->table->user != u) {
		ret = -EPERM;
	} else {
		/* ends free slots; claims first, so that a reservation is not taken twice */
		settle_owner(o, true, true);
		for (i = 0; i < MEMTAG_TABLE_SLOTS; i++)
			if (!o->table->region[i] && reserve_slot(caller, o, u, i))
				*ready |= BIT_ULL(i);
		if (!*ready && u->regions + u->reserved >= max_regions_per_user)
			ret = -EDQUOT;
	}
	regions_unlock();
	return ret;
}

/* The first segment a create asks for: a spare, a new one, or none. */
static int first_segment(struct memtag_region *r, struct memtag_segment *spare,
			 const struct memtag_segment_req *req, struct memtag_segment_info *seg,
			 struct netlink_ext_ack *extack)
{
	if (spare) {
		give_first_segment(r, spare, seg);
		return 0;
	}
	if (!req->size)
		return 0;
	return add_segment_locked(r, req->size, req->address, seg, extack);
}

int memtag_region_create(const struct memtag_caller *caller, const char *name,
			 u32 parent, u32 flags, u64 site, const struct memtag_segment_req *req,
			 struct memtag_region_info *info, struct memtag_segment_info *seg,
			 struct netlink_ext_ack *extack)
{
	struct memtag_segment *spare = NULL;
	struct memtag_region *r, *p = NULL;
	struct memtag_owner *o;
	struct memtag_user *u;
	int ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	mutex_lock(&regions_lock);
	if (parent) {
		p = owned_region(caller, parent, extack);
		ret = PTR_ERR_OR_ZERO(p);
		if (ret)
			goto fail;
		ret = -EMLINK;
		if (p->depth + 1 >= MEMTAG_REGION_DEPTH_MAX) {
			NL_SET_ERR_MSG(extack, "regions nest too deep");
			goto fail;
		}
	}
	ret = -ENOMEM;
	o = owner_get(caller);
	u = o ? user_get(caller->uid) : NULL;
	if (!u) {
		if (o)
			owner_put_if_empty(o);
		goto fail;
	}
	ret = check_limits(u, extack);
	if (!ret && req->recycle) {
		spare = take_spare(o, caller, req->recycle);
		if (!spare) {
			NL_SET_ERR_MSG(extack, "no such spare segment of this socket");
			ret = -ENOENT;
		}
	}
	if (!ret) {
		ret = xa_alloc_cyclic(&regions, &r->info.id, r, xa_limit_31b, &next_region_id,
				      GFP_KERNEL_ACCOUNT);
		ret = ret < 0 ? ret : 0;	/* 1: the ids wrapped around */
	}
	if (ret) {
		if (spare)
			return_spare(o, spare);
		user_put_if_idle(u);
		owner_put_if_empty(o);
		goto fail;
	}
	init_region(r, caller, name, p, flags, site);
	r->owner = o;
	list_add_tail(&r->owner_node, &o->regions);
	r->user = u;
	u->records++;
	u->regions++;
	regions_live++;
	ret = first_segment(r, spare, req, seg, extack);
	if (ret) {
		free_region(r);		/* undone: nothing was created */
		regions_unlock();
		return ret;
	}
	regions_generation++;
	fill_info(r, info);
	regions_unlock();
	atomic64_inc(&memtag_counters.regions_created);
	return 0;
fail:
	regions_unlock();
	kfree(r);
	return ret;
}

/*
 * End the live children of r, depth first. Caller holds regions_lock.
 * Nesting is at most MEMTAG_REGION_DEPTH_MAX deep, which bounds the recursion.
 */
static void end_children(struct memtag_region *r)
{
	struct memtag_region *child, *next;

	list_for_each_entry_safe(child, next, &r->children, sibling) {
		if (child->info.state != MEMTAG_REGION_LIVE)
			continue;
		end_children(child);
		free_region(child);
		atomic64_inc(&memtag_counters.regions_ended);
		cond_resched();
	}
}

static void end_region(struct memtag_region *r)
{
	end_children(r);
	free_region(r);
	atomic64_inc(&memtag_counters.regions_ended);
}

/*
 * The caller's live region id and, with recycle, the segment its first
 * segment's pages went to (*to; see recycle_first()). Under regions_lock.
 */
static struct memtag_region *owned_recycled(const struct memtag_caller *caller, u32 id,
					    u32 recycle, enum memtag_event_kind why,
					    struct memtag_segment **to,
					    struct netlink_ext_ack *extack)
{
	struct memtag_region *r = owned_region(caller, id, extack);

	*to = NULL;
	if (IS_ERR(r) || !recycle)
		return r;
	/* an end makes a spare of it: the owner keeps a bounded number */
	if (why == MEMTAG_EVENT_USE_AFTER_END &&
	    r->owner->nr_spares + r->owner->nr_reserved >= MEMTAG_OWNER_SPARES_MAX) {
		NL_SET_ERR_MSG(extack, "the owner holds the most spare segments it may");
		return ERR_PTR(-EDQUOT);
	}
	*to = recycle_first(caller, r, recycle, why, extack);
	return IS_ERR(*to) ? ERR_CAST(*to) : r;
}

/*
 * End a region; with recycle, its first segment's pages go to that
 * revoked segment of the caller's, which waits as a spare for the next
 * create (spare gets its id), with a region reserved on it for an open
 * file (*reserved its id, else 0). One call revokes the whole subtree.
 */
int memtag_region_end(const struct memtag_caller *caller, u32 id, u32 recycle,
		      struct memtag_segment_info *spare, u32 *reserved,
		      struct netlink_ext_ack *extack)
{
	struct memtag_segment *to;
	struct memtag_region *r;
	int ret = 0;

	mutex_lock(&regions_lock);
	r = owned_recycled(caller, id, recycle, MEMTAG_EVENT_USE_AFTER_END, &to, extack);
	ret = PTR_ERR_OR_ZERO(r);
	if (ret)
		goto out;
	*reserved = 0;
	if (to) {
		/* before the end: the owner and the user must outlive it */
		if (!reserve_region(caller, r->owner, r->user, to, reserved))
			keep_spare(r->owner, r->user, to);
		segment_info_of(to, spare);
	}
	end_region(r);
	regions_generation++;
out:
	regions_unlock();
	return ret;
}

/*
 * A reset ends what lived inside the old lifetime; the region stays. Its
 * next first segment comes in the same call (seg): with req->recycle, the
 * old first segment's pages go to that revoked segment of the caller's;
 * with req->size, a new one (MTE: the caller's memory at req->address).
 * Should the new one fail, the reset stands and seg->id stays 0.
 */
int memtag_region_reset(const struct memtag_caller *caller, u32 id,
			const struct memtag_segment_req *req, struct memtag_region_info *info,
			struct memtag_segment_info *seg, struct netlink_ext_ack *extack)
{
	struct memtag_segment *to;
	struct memtag_region *r;
	int ret = 0;

	mutex_lock(&regions_lock);
	r = owned_recycled(caller, id, req->recycle, MEMTAG_EVENT_STALE_AFTER_RESET, &to, extack);
	ret = PTR_ERR_OR_ZERO(r);
	if (ret)
		goto out;
	end_children(r);
	revoke_segments(r, MEMTAG_EVENT_STALE_AFTER_RESET);
	r->info.resets++;
	if (to) {
		give_first_segment(r, to, seg);
		r->user->bytes += spare_cost(to);	/* revoke_segments gave r's back */
	} else if (req->size && add_segment_locked(r, req->size, req->address, seg, NULL)) {
		seg->id = 0;
	}
	fill_info(r, info);
	regions_generation++;
out:
	regions_unlock();
	return ret;
}

void memtag_region_undo_create(const struct memtag_caller *caller, u32 id)
{
	struct memtag_region *r;

	mutex_lock(&regions_lock);
	r = own_region_quiet(caller, id);
	if (r) {
		end_children(r);
		free_region(r);
		regions_generation++;
		atomic64_dec(&memtag_counters.regions_created);
	}
	regions_unlock();
}

bool memtag_region_describe(const struct memtag_caller *caller, u32 id, struct memtag_event *e)
{
	struct memtag_region *r;
	bool found = false;

	mutex_lock(&regions_lock);
	r = xa_load(&regions, id);
	if (r)
		r = settle_one(r, false);
	if (r && !r->reserved && net_eq(read_pnet(&r->net), caller->net) &&
	    uid_eq(r->info.uid, caller->uid)) {
		event_template(r, e);
		found = true;
	}
	regions_unlock();
	return found;
}

bool memtag_region_next(const struct memtag_viewer *v, unsigned long *pos,
			struct memtag_region_info *info, unsigned int *generation)
{
	unsigned int looked = 0;
	struct memtag_region *r;
	bool found = false;

	mutex_lock(&regions_lock);
	for (r = xa_find(&regions, pos, ULONG_MAX, XA_PRESENT); r;
	     r = xa_find_after(&regions, pos, ULONG_MAX, XA_PRESENT)) {
		/* 65,536 regions of others to pass: others get the lock in between */
		if (!(++looked % 1024)) {
			regions_unlock();
			cond_resched();
			mutex_lock(&regions_lock);
			r = xa_find(&regions, pos, ULONG_MAX, XA_PRESENT);
			if (!r)
				break;
		}
		/* only what this viewer may see, and only r: O(1) a region */
		if ((r->reserved || r->slot) &&
		    memtag_viewer_sees(v, read_pnet(&r->net), r->info.uid))
			r = settle_one(r, false);
		if (r && !r->reserved && memtag_viewer_sees(v, read_pnet(&r->net), r->info.uid)) {
			fill_info(r, info);
			found = true;
			break;
		}
	}
	/* after settling: the regions it made live do not interrupt the dump */
	*generation = regions_generation;
	regions_unlock();
	return found;
}

/* The user holding the most leaked records: theirs go first. */
static struct memtag_user *biggest_leaker(void)
{
	struct memtag_user *u, *most = NULL;
	unsigned int bkt;

	hash_for_each(users, bkt, u, node)
		if (!most || u->leaked > most->leaked)
			most = u;
	return most;
}

/* One user's leaks cannot push out everybody else's records. */
static void drop_oldest_leaked(void)
{
	struct memtag_user *u = biggest_leaker();
	struct memtag_region *r;

	list_for_each_entry(r, &leaked_regions, leaked)
		if (r->user == u)
			break;
	if (WARN_ON_ONCE(list_entry_is_head(r, &leaked_regions, leaked)))
		r = list_first_entry(&leaked_regions, struct memtag_region, leaked);
	list_del(&r->leaked);
	leaked_count--;
	r->user->leaked--;
	free_region(r);
}

/*
 * r's owner left: record it, and end its segments, which gives their bytes
 * back to the quota; the record keeps the bytes it had as a fact.
 */
static void record_leak(struct memtag_region *r)
{
	u64 bytes = r->info.bytes_reserved;
	struct memtag_event e;

	event_template(r, &e);
	e.kind = MEMTAG_EVENT_REGION_LEAKED;
	e.flags = MEMTAG_EVENT_F_KERNEL;
	e.size = bytes;
	revoke_segments(r, MEMTAG_EVENT_USE_AFTER_END);
	r->info.bytes_reserved = bytes;
	memtag_event_record(&e, read_pnet(&r->net));
}

/* Regions an owner's release records per hold of regions_lock. */
#define MEMTAG_RELEASE_BATCH 64

/* One region of an owner that left: a leak, or nothing if never claimed. */
static void owner_lost(struct memtag_owner *o, struct memtag_region *r)
{
	if (r->reserved) {	/* never claimed: it never was a region */
		owner_unlink(o, r);	/* o goes in owner_gone(), not in free_region() */
		free_region(r);
		return;
	}
	owner_unlink(o, r);
	record_leak(r);		/* while still live: its bytes leave the totals */
	r->info.state = MEMTAG_REGION_LEAKED;
	region_not_live(r);
	list_add_tail(&r->leaked, &leaked_regions);
	leaked_count++;
	r->user->leaked++;
	atomic64_inc(&memtag_counters.regions_leaked);
	regions_generation++;
	while (leaked_count > max_leaked)
		drop_oldest_leaked();
}

/*
 * Called with regions_lock held, which it drops every MEMTAG_RELEASE_BATCH
 * regions (and returns holding): a socket that owned 65,536 regions keeps
 * every other memtag request waiting for one batch, not for all of them.
 * Unhashed first, o is reached by nobody new; what others do to its
 * regions meanwhile (their process ends them by another socket) takes
 * them off o->regions, which is read again after each break.
 */
static void owner_gone(struct memtag_owner *o)
{
	struct memtag_region *r;
	unsigned int n = 0;

	settle_owner(o, true, true);
	hash_del_rcu(&o->node);
	o->gone = true;
	while ((r = list_first_entry_or_null(&o->regions, struct memtag_region, owner_node))) {
		owner_lost(o, r);
		if (!(++n % MEMTAG_RELEASE_BATCH)) {
			regions_unlock();
			cond_resched();
			mutex_lock(&regions_lock);
		}
	}
	release_spares(o);
	table_free(o);		/* every mapping of it is gone with the file */
	kfree_rcu(o, rcu);
}

/* The owner's socket closed (exit, crash or close): its live regions leaked. */
void memtag_region_owner_gone(struct net *net, u32 portid)
{
	struct memtag_owner *o;

	/* every generic netlink socket on the host passes here: most own nothing */
	if (!owner_exists(net, portid, NULL))
		return;
	mutex_lock(&regions_lock);
	o = owner_find(net, portid, NULL);
	if (o)
		owner_gone(o);
	regions_unlock();
}

void memtag_region_file_gone(const void *file)
{
	struct memtag_owner *o;

	if (!owner_exists(NULL, 0, file))	/* a profile's file, or one that made nothing */
		return;
	mutex_lock(&regions_lock);
	o = owner_find(NULL, 0, file);
	if (o)
		owner_gone(o);
	regions_unlock();
}

/* Owners settle_all() settles, at least, per hold of regions_lock. */
#define MEMTAG_SETTLE_BATCH 64

/* The owners of one bucket of owners, under regions_lock; how many. */
static unsigned int settle_bucket(struct hlist_head *head)
{
	struct memtag_owner *o;
	unsigned int n = 0;

again:
	hlist_for_each_entry(o, head, node) {
		n++;
		/* an end may free other owners (of children): walk anew after one */
		if (settle_owner(o, false, false))
			goto again;
		cond_resched();
	}
	return n;
}

/*
 * STATUS counts what owners claimed without a call: settle them first.
 * A user with thousands of owners keeps others waiting for one batch of
 * them, not for all: regions_lock is let go between buckets, where no
 * owner is held (any may be freed meanwhile); the next bucket is read
 * anew. Owners hashed since into buckets already passed wait for the
 * next look, as if made after it.
 */
void memtag_region_settle_all(void)
{
	unsigned int bkt, n = 0;

	mutex_lock(&regions_lock);
	for (bkt = 0; bkt < HASH_SIZE(owners); bkt++) {
		n += settle_bucket(&owners[bkt]);
		if (n >= MEMTAG_SETTLE_BATCH) {
			n = 0;
			regions_unlock();	/* and the revocations of the ends */
			cond_resched();
			mutex_lock(&regions_lock);
		}
	}
	regions_unlock();
}

/* Resident bytes in software mode; MTE memory is the owner's, seen as reserved. */
static u64 region_size(const struct memtag_region *r)
{
	if (memtag_backend() != MEMTAG_BACKEND_SOFTWARE)
		return r->info.bytes_reserved;
	return resident_bytes(r);
}

static void sample_regions(struct work_struct *work);
static DECLARE_DELAYED_WORK(sampler, sample_regions);

static void schedule_sampling(void)
{
	unsigned int ms = READ_ONCE(sample_interval_ms);

	/* 0 turns sampling off; look again in a second whether it is back on */
	schedule_delayed_work(&sampler, msecs_to_jiffies(ms ?: MSEC_PER_SEC));
}

/* growth counts the samples in a row that found the region bigger. */
static void sample_regions(struct work_struct *work)
{
	struct memtag_region *r;
	unsigned long idx;
	unsigned int seen = 0;
	u64 size;

	if (READ_ONCE(sample_interval_ms)) {
		mutex_lock(&regions_lock);
		xa_for_each(&regions, idx, r) {
			if (r->info.state != MEMTAG_REGION_LIVE || r->reserved)
				continue;
			size = region_size(r);
			r->info.growth = size > r->sampled_size ? r->info.growth + 1 : 0;
			r->sampled_size = size;
			/* every 1,024 regions others get their turn; idx says where to go on */
			if (!(++seen % 1024)) {
				mutex_unlock(&regions_lock);
				cond_resched();
				mutex_lock(&regions_lock);
			}
		}
		mutex_unlock(&regions_lock);
	}
	schedule_sampling();
}

void memtag_region_init(void)
{
	schedule_sampling();
}

void memtag_region_exit(void)
{
	struct memtag_region *r;
	unsigned long idx;

	struct memtag_owner *o;
	struct hlist_node *tmp;
	int bkt;

	cancel_delayed_work_sync(&sampler);
	mutex_lock(&regions_lock);
	xa_for_each(&regions, idx, r) {
		if (r->info.state == MEMTAG_REGION_LEAKED) {
			list_del(&r->leaked);
			r->user->leaked--;
		}
		free_region(r);
	}
	hash_for_each_safe(owners, bkt, tmp, o, node) {
		release_spares(o);
		table_free(o);
		owner_put_if_empty(o);
	}
	regions_unlock();
	xa_destroy(&regions);
}
