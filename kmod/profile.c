// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation profiles: one area per process, mapped from /dev/memtag and
 * written by libmemtag without system calls; kept after the process exits
 * so that its leaks can be reported post-mortem.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include "compat.h"
#include "memtag.h"
#include "profile.h"

static unsigned int max_exited_profiles = 64;
module_param(max_exited_profiles, uint, 0644);
MODULE_PARM_DESC(max_exited_profiles,
		 "Profiles of exited processes kept for post-mortem reports (default 64)");

static unsigned int max_profiles_per_user = 64;
module_param(max_profiles_per_user, uint, 0644);
MODULE_PARM_DESC(max_profiles_per_user,
		 "Profile areas (148 KiB each) of live processes one user may hold (default 64)");

#define PROFILE_BYTES PAGE_ALIGN(sizeof(struct memtag_profile_area))
#define PROFILE_PAGES (PROFILE_BYTES >> PAGE_SHIFT)

struct memtag_profile {
	struct list_head node;		/* on profiles, oldest first */
	u64 id;
	pid_t tgid;
	kuid_t uid;
	possible_net_t net;
	char comm[TASK_COMM_LEN];
	u64 started_ns;
	u64 exited_ns;			/* 0 while its process holds it */
	struct page *pages[PROFILE_PAGES];
	struct memtag_profile_area *area;	/* the pages, mapped for the kernel */
};

/* What one user holds: live areas for the cap, exited ones for fair trimming. */
struct profile_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int live;
	unsigned int exited;
};

static LIST_HEAD(profiles);
static DEFINE_MUTEX(profiles_lock);	/* profiles, profile_users, the counts */
static DEFINE_HASHTABLE(profile_users, 6);
static u64 next_profile_id = 1;
/* Bumped under profiles_lock when a profile comes, exits or goes: NLM_F_DUMP_INTR. */
static unsigned int profiles_generation = 1;
static unsigned int profiles_kept;
static unsigned int profiles_exited;

unsigned int memtag_profiles_kept(void)
{
	return READ_ONCE(profiles_kept);
}

static void profile_free(struct memtag_profile *p)
{
	unsigned int i;

	vunmap(p->area);
	for (i = 0; i < PROFILE_PAGES; i++)
		if (p->pages[i])
			__free_page(p->pages[i]);
	put_net(read_pnet(&p->net));
	kfree(p);
}

static struct memtag_profile *profile_new(void)
{
	struct memtag_profile *p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	unsigned int i;

	if (!p)
		return ERR_PTR(-ENOMEM);
	write_pnet(&p->net, get_net(current->nsproxy->net_ns));
	for (i = 0; i < PROFILE_PAGES; i++) {
		/* charged to the process that maps it, kept after it exits */
		p->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!p->pages[i])
			goto fail;
	}
	p->area = vmap(p->pages, PROFILE_PAGES, VM_MAP, PAGE_KERNEL);
	if (!p->area)
		goto fail;
	p->area->magic = MEMTAG_PROFILE_MAGIC;
	p->area->version = MEMTAG_PROFILE_VERSION;
	p->tgid = current->tgid;
	p->uid = current_euid();
	get_task_comm(p->comm, current);
	p->started_ns = ktime_get_boottime_ns();
	return p;
fail:
	profile_free(p);
	return ERR_PTR(-ENOMEM);
}

static struct profile_user *profile_user_find(kuid_t uid)
{
	struct profile_user *u;

	hash_for_each_possible(profile_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

static void profile_user_put_if_idle(struct profile_user *u)
{
	if (u->live || u->exited)
		return;
	hash_del(&u->node);
	kfree(u);
}

/*
 * Count a new live profile of p's user, made if need be and fresh_user
 * (allocated outside the lock) taken then; -EDQUOT over the cap.
 */
static int profile_user_add(struct memtag_profile *p, struct profile_user **fresh_user)
{
	struct profile_user *u = profile_user_find(p->uid);

	if (!u) {
		u = *fresh_user;
		*fresh_user = NULL;
		u->uid = p->uid;
		hash_add(profile_users, &u->node, __kuid_val(u->uid));
	}
	if (u->live >= READ_ONCE(max_profiles_per_user)) {
		profile_user_put_if_idle(u);
		return -EDQUOT;
	}
	u->live++;
	return 0;
}

/* The file's profile, made on its first mapping; one process per file. */
static struct memtag_profile *profile_of_file(struct file *file)
{
	struct memtag_profile *p, *fresh = NULL;
	struct profile_user *fresh_user = NULL;
	int ret;

	/* 37 pages and a vmap: not under the lock every dump takes */
	if (!READ_ONCE(file->private_data)) {
		fresh_user = kzalloc(sizeof(*fresh_user), GFP_KERNEL_ACCOUNT);
		if (!fresh_user)
			return ERR_PTR(-ENOMEM);
		fresh = profile_new();
		if (IS_ERR(fresh)) {
			kfree(fresh_user);
			return fresh;
		}
	}
	mutex_lock(&profiles_lock);
	p = file->private_data;
	if (!p) {
		/* fresh is set: private_data, once set, stays until release */
		ret = profile_user_add(fresh, &fresh_user);
		if (ret) {
			mutex_unlock(&profiles_lock);
			kfree(fresh_user);
			profile_free(fresh);
			return ERR_PTR(ret);
		}
		p = fresh;
		fresh = NULL;
		p->id = next_profile_id++;
		list_add_tail(&p->node, &profiles);
		profiles_kept++;
		profiles_generation++;
		file->private_data = p;
	}
	if (p->tgid != current->tgid)
		p = ERR_PTR(-EPERM);	/* a descriptor inherited or passed on */
	mutex_unlock(&profiles_lock);
	kfree(fresh_user);
	if (fresh)
		profile_free(fresh);	/* another thread mapped it first */
	return p;
}

int memtag_profile_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct memtag_profile *p;

	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != PROFILE_BYTES)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	p = profile_of_file(file);
	if (IS_ERR(p))
		return PTR_ERR(p);
	/* VM_IO: madvise(MADV_DOFORK) cannot undo VM_DONTCOPY, no child writes it */
	vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTCOPY | VM_DONTDUMP | VM_IO, VM_MAYEXEC);
	return vm_map_pages(vma, p->pages, PROFILE_PAGES);
}

/* The user holding the most exited profiles: theirs go first. */
static struct profile_user *biggest_exited(void)
{
	struct profile_user *u, *most = NULL;
	unsigned int bkt;

	hash_for_each(profile_users, bkt, u, node)
		if (!most || u->exited > most->exited)
			most = u;
	return most;
}

/* Drop the oldest exited profile of the biggest holder; false if none. */
static bool drop_exited(void)
{
	struct profile_user *u = biggest_exited();
	struct memtag_profile *p;

	list_for_each_entry(p, &profiles, node) {
		if (p->exited_ns && uid_eq(p->uid, u->uid)) {
			list_del(&p->node);
			profiles_exited--;
			profiles_kept--;
			profiles_generation++;
			u->exited--;
			profile_user_put_if_idle(u);
			profile_free(p);
			return true;
		}
	}
	return !WARN_ON_ONCE(1);
}

static void trim_exited(void)
{
	while (profiles_exited > READ_ONCE(max_exited_profiles))
		if (!drop_exited())
			break;
}

/* The file is closed and unmapped: its process let go (exit, crash or close). */
void memtag_profile_release(struct file *file)
{
	struct memtag_profile *p = file->private_data;
	struct profile_user *u;

	if (!p)
		return;
	mutex_lock(&profiles_lock);
	u = profile_user_find(p->uid);
	u->live--;
	if (!READ_ONCE(p->area->nr_buckets)) {
		/* nothing was allocated: nothing to report after it */
		list_del(&p->node);
		profiles_kept--;
		profiles_generation++;
		profile_user_put_if_idle(u);
		profile_free(p);
	} else {
		p->exited_ns = ktime_get_boottime_ns();
		profiles_exited++;
		profiles_generation++;
		u->exited++;
		trim_exited();
	}
	mutex_unlock(&profiles_lock);
}

void memtag_profile_exit(void)
{
	struct memtag_profile *p, *next;
	struct profile_user *u;
	struct hlist_node *tmp;
	unsigned int bkt;

	list_for_each_entry_safe(p, next, &profiles, node)
		profile_free(p);
	hash_for_each_safe(profile_users, bkt, tmp, u, node) {
		hash_del(&u->node);
		kfree(u);
	}
}

static int put_header(struct sk_buff *skb, const struct memtag_profile *p)
{
	if (nla_put_u64_64bit(skb, MEMTAG_PROFILE_A_ID, p->id, MEMTAG_PROFILE_A_PAD) ||
	    nla_put_u32(skb, MEMTAG_PROFILE_A_TGID, p->tgid) ||
	    nla_put_u32(skb, MEMTAG_PROFILE_A_UID, from_kuid_munged(current_user_ns(), p->uid)) ||
	    nla_put_string(skb, MEMTAG_PROFILE_A_COMM, p->comm) ||
	    nla_put_u64_64bit(skb, MEMTAG_PROFILE_A_STARTED_NS, p->started_ns,
			      MEMTAG_PROFILE_A_PAD) ||
	    nla_put_u64_64bit(skb, MEMTAG_PROFILE_A_EXITED_NS, p->exited_ns, MEMTAG_PROFILE_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* The process writes the area while we read: copy, then bound every field. */
static int put_binary(struct sk_buff *skb, const struct memtag_profile *p, unsigned int i)
{
	struct memtag_profile_binary b;
	struct nlattr *nest;

	memcpy(&b, &p->area->binaries[i], sizeof(b));
	b.path[sizeof(b.path) - 1] = '\0';
	b.build_id_len = min_t(u32, b.build_id_len, MEMTAG_BUILD_ID_MAX);
	nest = nla_nest_start(skb, MEMTAG_PROFILE_A_BINARY);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MEMTAG_PROFILE_A_BIN_INDEX, i) ||
	    nla_put_string(skb, MEMTAG_PROFILE_A_BIN_PATH, b.path) ||
	    nla_put(skb, MEMTAG_PROFILE_A_BIN_BUILD_ID, b.build_id_len, b.build_id) ||
	    nla_put_u64_64bit(skb, MEMTAG_PROFILE_A_BIN_START, b.start, MEMTAG_PROFILE_A_PAD) ||
	    nla_put_u64_64bit(skb, MEMTAG_PROFILE_A_BIN_END, b.end, MEMTAG_PROFILE_A_PAD) ||
	    nla_put_u64_64bit(skb, MEMTAG_PROFILE_A_BIN_BIAS, b.bias, MEMTAG_PROFILE_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_bucket(struct sk_buff *skb, const struct memtag_profile *p, unsigned int i)
{
	struct memtag_profile_bucket b;
	struct nlattr *nest;

	memcpy(&b, &p->area->buckets[i], sizeof(b));
	if (!b.depth)
		return 0;	/* a slot not in use */
	b.depth = min_t(u32, b.depth, MEMTAG_STACK_MAX);
	nest = nla_nest_start(skb, MEMTAG_PROFILE_A_BUCKET);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MEMTAG_PROFILE_A_BUCKET_INDEX, i) ||
	    nla_put_u32(skb, MEMTAG_PROFILE_A_BUCKET_FLAGS, b.flags) ||
	    nla_put(skb, MEMTAG_PROFILE_A_BUCKET_COUNTS, 7 * sizeof(u64), &b.alloc_objects) ||
	    nla_put(skb, MEMTAG_PROFILE_A_BUCKET_STACK, b.depth * sizeof(u64), b.stack)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Items of a profile: its binaries, then its buckets. */
static unsigned int profile_items(const struct memtag_profile *p, unsigned int *nr_binaries)
{
	/* pairs with the library's release: entries are written before counted */
	u32 binaries = smp_load_acquire(&p->area->nr_binaries);
	/* the same for buckets */
	u32 buckets = smp_load_acquire(&p->area->nr_buckets);

	*nr_binaries = min_t(u32, binaries, MEMTAG_PROFILE_BINARIES);
	return *nr_binaries + min_t(u32, buckets, MEMTAG_PROFILE_BUCKETS);
}

/*
 * One message of profile p from item *next on; false when the skb is full
 * before the profile is done (*next says where to go on).
 */
static bool put_profile(struct sk_buff *skb, struct netlink_callback *cb,
			const struct memtag_profile *p, unsigned long *next)
{
	unsigned int nr_binaries, items = profile_items(p, &nr_binaries);
	struct nlattr *nest;
	bool added = false;
	void *hdr;
	int ret;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, &memtag_family,
			  NLM_F_MULTI, MEMTAG_CMD_PROFILE_GET);
	if (!hdr)
		return false;
	genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, MEMTAG_A_PROFILE);
	if (!nest || put_header(skb, p)) {
		genlmsg_cancel(skb, hdr);
		return false;
	}
	for (; *next < items; ++*next, added = true) {
		if (*next < nr_binaries)
			ret = put_binary(skb, p, *next);
		else
			ret = put_bucket(skb, p, *next - nr_binaries);
		if (ret)
			break;
	}
	if (*next < items && !added && *next) {
		/* not even one item fits: the next skb takes the whole message */
		genlmsg_cancel(skb, hdr);
		return false;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return *next >= items;
}

/* cb->args[0]: the profile id to go on with; cb->args[1]: its next item. */
int memtag_nl_profile_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct memtag_viewer viewer;
	struct memtag_profile *p;

	memtag_viewer_of(skb, cb, &viewer);
	mutex_lock(&profiles_lock);
	cb->seq = profiles_generation;
	list_for_each_entry(p, &profiles, node) {
		if (p->id < cb->args[0] || !memtag_viewer_sees(&viewer, read_pnet(&p->net), p->uid))
			continue;
		if (p->id != cb->args[0]) {
			cb->args[0] = p->id;
			cb->args[1] = 0;
		}
		if (!put_profile(skb, cb, p, &cb->args[1]))
			break;
		cb->args[0] = p->id + 1;
		cb->args[1] = 0;
	}
	mutex_unlock(&profiles_lock);
	return skb->len;
}
