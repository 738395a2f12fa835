// SPDX-License-Identifier: GPL-2.0
/*
 * The per-lifetime fast path: REGION_CREATE, REGION_END and REGION_RESET
 * as ioctls on /dev/memtag, one system call each and no socket buffers.
 * The checks are the netlink commands' (region.c); the open file owns
 * what it creates.
 */
#include <linux/cred.h>
#include <linux/bitops.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>
#include "compat.h"
#include "memtag.h"
#include "region.h"
#include "segment.h"

static void caller_of_file(struct file *file, struct memtag_caller *caller)
{
	caller->tgid = current->tgid;
	caller->uid = current_euid();	/* as netlink callers: the effective uid */
	caller->portid = 0;
	caller->file = file;
	caller->net = current->nsproxy->net_ns;
}

static void put_segment(struct memtag_ioc_segment *out, const struct memtag_segment_info *seg)
{
	out->id = seg->id;
	out->size = seg->id ? seg->size : 0;
	/* MTE memory is the caller's own: nothing of it to map from us */
	out->offset = seg->id && memtag_backend() == MEMTAG_BACKEND_SOFTWARE ? seg->offset : 0;
	out->address = 0;
}

/* The first segment a create or reset asks for, checked as the netlink policy would. */
static int segment_request(const struct memtag_ioc_segment *in, struct memtag_segment_req *want)
{
	want->recycle = in->id;
	want->size = in->size;
	want->address = in->address;
	if (want->recycle && (want->size || want->address))
		return -EINVAL;
	/* a bound before any arithmetic */
	if (want->size && (want->size < PAGE_SIZE || want->size > MEMTAG_SEGMENT_MAX_BYTES))
		return -EINVAL;
	/* software memory is the module's; MTE memory is the caller's own */
	if (want->size && !want->address != (memtag_backend() == MEMTAG_BACKEND_SOFTWARE))
		return -EINVAL;
	if (!want->size && want->address)
		return -EINVAL;
	return 0;
}

static int ioc_create(const struct memtag_caller *caller, struct memtag_ioc_region *req)
{
	struct memtag_segment_info seg = {};
	struct memtag_region_info info;
	struct memtag_segment_req want;
	int ret;

	if (strnlen(req->name, sizeof(req->name)) == sizeof(req->name) || !req->name[0] ||
	    (req->flags & ~MEMTAG_REGION_F_ALL))
		return -EINVAL;
	ret = segment_request(&req->segment, &want);
	if (ret)
		return ret;
	ret = memtag_region_create(caller, req->name, req->parent, req->flags, req->site, &want,
				   &info, &seg, NULL);
	if (ret)
		return ret;
	req->id = info.id;
	put_segment(&req->segment, &seg);
	return 0;
}

static int ioc_reset(const struct memtag_caller *caller, struct memtag_ioc_region *req)
{
	struct memtag_segment_info seg = {};
	struct memtag_region_info info;
	struct memtag_segment_req want;
	int ret = segment_request(&req->segment, &want);

	if (ret)
		return ret;
	ret = memtag_region_reset(caller, req->id, &want, &info, &seg, NULL);
	if (!ret)
		put_segment(&req->segment, &seg);
	return ret;
}

/* The segment a call recycled, live now: its pages mapped before the caller runs on. */
static void prefault(u32 id)
{
	struct memtag_segment *seg = id ? memtag_segment_get(id) : NULL;

	if (seg) {
		memtag_segment_prefault(seg);
		memtag_segment_put(seg);
	}
}

/* The file's region table (see MEMTAG_TABLE_OFFSET), under MTE only. */
int memtag_region_table_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct memtag_caller caller;

	if (memtag_backend() != MEMTAG_BACKEND_MTE)
		return -ENODEV;
	if (vma->vm_end - vma->vm_start != PAGE_ALIGN(MEMTAG_TABLE_BYTES))
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	caller_of_file(file, &caller);
	/* VM_IO: madvise(MADV_DOFORK) cannot undo VM_DONTCOPY, no child writes it */
	vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTCOPY | VM_DONTDUMP | VM_IO, VM_MAYEXEC);
	return memtag_region_table_map(&caller, vma);
}

static long ioc_refill(struct file *file, struct memtag_ioc_table __user *uarg)
{
	struct memtag_caller caller;
	struct memtag_ioc_table t;
	int ret;

	if (copy_from_user(&t, uarg, sizeof(t)))
		return -EFAULT;
	if (t.pad)
		return -EINVAL;
	caller_of_file(file, &caller);
	ret = memtag_region_table_refill(&caller, &t.ready);
	if (ret)
		return ret;
	t.count = hweight64(t.ready);
	/* reservations the caller cannot know of are freed at the file's release */
	return copy_to_user(uarg, &t, sizeof(t)) ? -EFAULT : 0;
}

long memtag_region_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct memtag_ioc_region __user *uarg = (void __user *)arg;
	struct memtag_segment_info seg = {};
	struct memtag_ioc_region req;
	struct memtag_caller caller;
	int ret;

	if (cmd == MEMTAG_IOC_TABLE_REFILL)
		return ioc_refill(file, (void __user *)arg);
	if (cmd != MEMTAG_IOC_REGION_CREATE && cmd != MEMTAG_IOC_REGION_END &&
	    cmd != MEMTAG_IOC_REGION_RESET)
		return -ENOTTY;
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved || req.segment.pad)
		return -EINVAL;
	caller_of_file(file, &caller);
	switch (cmd) {
	case MEMTAG_IOC_REGION_CREATE:
		ret = ioc_create(&caller, &req);
		break;
	case MEMTAG_IOC_REGION_END:
		ret = memtag_region_end(&caller, req.id, req.segment.id, &seg, &req.reserved,
					NULL);
		put_segment(&req.segment, &seg);
		break;
	default:
		ret = ioc_reset(&caller, &req);
		break;
	}
	if (!ret && cmd != MEMTAG_IOC_REGION_CREATE)
		prefault(req.segment.id);
	if (ret)
		return ret;
	if (!copy_to_user(uarg, &req, sizeof(req)))
		return 0;
	/*
	 * A region nobody knows of is undone; an unread spare (and the region
	 * reserved on it) waits on the file, freed at its release.
	 */
	if (cmd == MEMTAG_IOC_REGION_CREATE)
		memtag_region_undo_create(&caller, req.id);
	return -EFAULT;
}
