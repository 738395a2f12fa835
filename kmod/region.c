// SPDX-License-Identifier: GPL-2.0
/* The region registry: lifetimes, ownership and leaks of owners that left. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>
#include "memtag.h"
#include "region.h"

static unsigned int max_regions_per_user = 65536;
module_param(max_regions_per_user, uint, 0644);
MODULE_PARM_DESC(max_regions_per_user, "Live regions one user may own (default 65536)");

static unsigned int max_leaked = 4096;
module_param(max_leaked, uint, 0644);
MODULE_PARM_DESC(max_leaked, "Leaked-region records kept; the oldest go first (default 4096)");

struct memtag_region {
	struct memtag_region_info info;
	u32 portid;
	unsigned int depth;
	possible_net_t net;
	struct list_head leaked;	/* on leaked_regions once its owner left */
};

/* Region ids are xarray indices; the mutex orders every state change. */
static DEFINE_XARRAY_ALLOC1(regions);
static DEFINE_MUTEX(regions_lock);
static LIST_HEAD(leaked_regions);
static unsigned int leaked_count;
static unsigned int regions_generation = 1;

static unsigned int live_regions_of(kuid_t uid)
{
	struct memtag_region *r;
	unsigned long idx;
	unsigned int n = 0;

	xa_for_each(&regions, idx, r)
		if (r->info.state == MEMTAG_REGION_LIVE && uid_eq(r->info.uid, uid))
			n++;
	return n;
}

/* A live region of the caller, or an error with the reason in extack. */
static struct memtag_region *owned_region(const struct memtag_caller *caller, u32 id,
					  struct netlink_ext_ack *extack)
{
	struct memtag_region *r = xa_load(&regions, id);

	if (!r || !net_eq(read_pnet(&r->net), caller->net)) {
		NL_SET_ERR_MSG(extack, "no such region");
		return ERR_PTR(-ENOENT);
	}
	if (r->info.tgid != caller->tgid) {
		atomic64_inc(&memtag_counters.violations);
		pr_info_ratelimited("pid %d used region %u of pid %d\n",
				    caller->tgid, id, r->info.tgid);
		NL_SET_ERR_MSG(extack, "region belongs to another process");
		return ERR_PTR(-EPERM);
	}
	if (r->info.state != MEMTAG_REGION_LIVE) {
		NL_SET_ERR_MSG(extack, "region is not live");
		return ERR_PTR(-ESTALE);
	}
	return r;
}

int memtag_region_create(const struct memtag_caller *caller, const char *name,
			 u32 parent, u64 site, struct memtag_region_info *info,
			 struct netlink_ext_ack *extack)
{
	struct memtag_region *r, *p = NULL;
	u32 id;
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
	ret = -EDQUOT;
	if (live_regions_of(caller->uid) >= max_regions_per_user) {
		NL_SET_ERR_MSG(extack, "user has max_regions_per_user live regions");
		goto fail;
	}
	ret = xa_alloc(&regions, &id, r, xa_limit_31b, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto fail;
	r->info.id = id;
	r->info.parent = parent;
	r->info.state = MEMTAG_REGION_LIVE;
	r->info.tgid = caller->tgid;
	r->info.uid = caller->uid;
	r->info.site = site;
	r->info.created_ns = ktime_get_boottime_ns();
	strscpy(r->info.name, name, sizeof(r->info.name));
	r->portid = caller->portid;
	r->depth = p ? p->depth + 1 : 0;
	write_pnet(&r->net, caller->net);
	INIT_LIST_HEAD(&r->leaked);
	regions_generation++;
	*info = r->info;
	mutex_unlock(&regions_lock);
	atomic64_inc(&memtag_counters.regions_created);
	return 0;
fail:
	mutex_unlock(&regions_lock);
	kfree(r);
	return ret;
}

/* Free the live children of id, depth first. Caller holds regions_lock. */
static void end_children(u32 id)
{
	struct memtag_region *r;
	unsigned long idx;

	xa_for_each(&regions, idx, r) {
		if (r->info.parent != id || r->info.state != MEMTAG_REGION_LIVE)
			continue;
		end_children(r->info.id);
		xa_erase(&regions, idx);
		kfree(r);
		atomic64_inc(&memtag_counters.regions_ended);
	}
}

int memtag_region_end(const struct memtag_caller *caller, u32 id,
		      struct netlink_ext_ack *extack)
{
	struct memtag_region *r;
	int ret = 0;

	mutex_lock(&regions_lock);
	r = owned_region(caller, id, extack);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
	} else {
		end_children(id);
		xa_erase(&regions, id);
		kfree(r);
		atomic64_inc(&memtag_counters.regions_ended);
		regions_generation++;
	}
	mutex_unlock(&regions_lock);
	return ret;
}

int memtag_region_reset(const struct memtag_caller *caller, u32 id,
			struct memtag_region_info *info,
			struct netlink_ext_ack *extack)
{
	struct memtag_region *r;
	int ret = 0;

	mutex_lock(&regions_lock);
	r = owned_region(caller, id, extack);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
	} else {
		/* a reset ends what lived inside the old lifetime */
		end_children(id);
		r->info.resets++;
		*info = r->info;
		regions_generation++;
	}
	mutex_unlock(&regions_lock);
	return ret;
}

bool memtag_region_next(struct net *net, kuid_t viewer, bool all, unsigned long *pos,
			struct memtag_region_info *info, unsigned int *generation)
{
	struct memtag_region *r;
	bool found = false;

	mutex_lock(&regions_lock);
	*generation = regions_generation;
	for (r = xa_find(&regions, pos, ULONG_MAX, XA_PRESENT); r;
	     r = xa_find_after(&regions, pos, ULONG_MAX, XA_PRESENT)) {
		if (!net_eq(read_pnet(&r->net), net))
			continue;
		if (all || uid_eq(r->info.uid, viewer)) {
			*info = r->info;
			found = true;
			break;
		}
	}
	mutex_unlock(&regions_lock);
	return found;
}

static void drop_oldest_leaked(void)
{
	struct memtag_region *r;

	r = list_first_entry(&leaked_regions, struct memtag_region, leaked);
	list_del(&r->leaked);
	leaked_count--;
	xa_erase(&regions, r->info.id);
	kfree(r);
}

/* The owner's socket closed (exit, crash or close): its live regions leaked. */
void memtag_region_owner_gone(struct net *net, u32 portid)
{
	struct memtag_region *r;
	unsigned long idx;

	mutex_lock(&regions_lock);
	xa_for_each(&regions, idx, r) {
		if (r->portid != portid || r->info.state != MEMTAG_REGION_LIVE ||
		    !net_eq(read_pnet(&r->net), net))
			continue;
		r->info.state = MEMTAG_REGION_LEAKED;
		list_add_tail(&r->leaked, &leaked_regions);
		leaked_count++;
		atomic64_inc(&memtag_counters.regions_leaked);
		regions_generation++;
	}
	while (leaked_count > max_leaked)
		drop_oldest_leaked();
	mutex_unlock(&regions_lock);
}

void memtag_region_exit(void)
{
	struct memtag_region *r;
	unsigned long idx;

	xa_for_each(&regions, idx, r) {
		xa_erase(&regions, idx);
		kfree(r);
	}
	xa_destroy(&regions);
}
