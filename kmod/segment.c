// SPDX-License-Identifier: GPL-2.0
/* Region memory for the software backend: /dev/memtag, faults, revocation. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include "compat.h"
#include "memtag.h"
#include "profile.h"
#include "region.h"
#include "segment.h"

static DEFINE_XARRAY_ALLOC1(segments);

/* Segment changes a dump in progress has to know of: NLM_F_DUMP_INTR. */
static atomic_t segments_generation = ATOMIC_INIT(1);

static void segments_changed(void)
{
	atomic_inc(&segments_generation);
}

u64 memtag_segment_offset(const struct memtag_segment *seg)
{
	return (u64)seg->id << (MEMTAG_SEGMENT_PGOFF_SHIFT + PAGE_SHIFT);
}

struct memtag_segment *memtag_segment_new(const struct memtag_event *owner, u32 region_flags,
					  u64 region_offset, u64 bytes, unsigned long address)
{
	struct memtag_segment *seg;
	int ret;

	if (!bytes || bytes > MEMTAG_SEGMENT_MAX_BYTES || !PAGE_ALIGNED(bytes))
		return ERR_PTR(-EINVAL);
	if (address && (!PAGE_ALIGNED(address) || address > TASK_SIZE - bytes))
		return ERR_PTR(-EFAULT);
	seg = kzalloc(sizeof(*seg), GFP_KERNEL_ACCOUNT);
	if (!seg)
		return ERR_PTR(-ENOMEM);
	seg->npages = bytes >> PAGE_SHIFT;
	seg->address = address;
	seg->module_memory = !address;
	if (!address)
		seg->pages = kvcalloc(seg->npages, sizeof(*seg->pages), GFP_KERNEL_ACCOUNT);
	if (!address && !seg->pages) {
		kfree(seg);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&seg->ref);
	mutex_init(&seg->lock);
	INIT_LIST_HEAD(&seg->node);
	seg->owner = *owner;
	write_pnet(&seg->owner.net, get_net(read_pnet(&owner->net)));
	seg->region_flags = region_flags;
	seg->region_offset = region_offset;
	ret = xa_alloc(&segments, &seg->id, seg, XA_LIMIT(1, (1U << 31) - 1), GFP_KERNEL_ACCOUNT);
	if (ret) {
		put_net(read_pnet(&seg->owner.net));
		kvfree(seg->pages);
		kfree(seg);
		return ERR_PTR(ret);
	}
	segments_changed();
	return seg;
}

static void free_pages_locked(struct memtag_segment *seg)
{
	unsigned long i;

	for (i = 0; seg->pages && i < seg->npages; i++) {
		if (seg->pages[i]) {
			put_page(seg->pages[i]);
			seg->pages[i] = NULL;
		}
	}
}

static void segment_free(struct kref *ref)
{
	struct memtag_segment *seg = container_of(ref, struct memtag_segment, ref);

	/* kept listed while revoked but mapped: scans look for pointers into it */
	xa_erase(&segments, seg->id);
	segments_changed();
	free_pages_locked(seg);
	if (seg->scratch)
		put_page(seg->scratch);
	put_net(read_pnet(&seg->owner.net));
	kvfree(seg->pages);
	mutex_destroy(&seg->lock);
	kfree(seg);
}

static void zap(struct address_space *mapping, struct memtag_segment *seg)
{
	if (mapping)
		unmap_mapping_range(mapping, memtag_segment_offset(seg),
				    seg->npages << PAGE_SHIFT, 1);
}

void memtag_segment_revoke_mark(struct memtag_segment *seg, enum memtag_event_kind why)
{
	mutex_lock(&seg->lock);
	seg->revoked = why;
	mutex_unlock(&seg->lock);
	segments_changed();
}

void memtag_segment_revoke_finish(struct memtag_segment *seg)
{
	struct address_space *mapping;

	struct page **pages;

	mutex_lock(&seg->lock);
	mapping = seg->mapping;
	/* mapped ptes hold their own page references until the unmap below */
	free_pages_locked(seg);
	/*
	 * The page array goes too: a revoked segment its owner keeps mapped
	 * (quarantine) holds only its record, not 2 MiB per GiB of array.
	 */
	pages = seg->pages;
	seg->pages = NULL;
	mutex_unlock(&seg->lock);
	/* faults after this point see the segment revoked */
	zap(mapping, seg);
	kvfree(pages);
	kref_put(&seg->ref, segment_free);
}

void memtag_segment_revoke(struct memtag_segment *seg, enum memtag_event_kind why)
{
	memtag_segment_revoke_mark(seg, why);
	memtag_segment_revoke_finish(seg);
}

void memtag_segment_put(struct memtag_segment *seg)
{
	kref_put(&seg->ref, segment_free);
}

struct memtag_segment *memtag_segment_get(u32 id)
{
	struct memtag_segment *seg;

	xa_lock(&segments);
	seg = xa_load(&segments, id);
	if (seg && !kref_get_unless_zero(&seg->ref))
		seg = NULL;
	xa_unlock(&segments);
	return seg;
}

/*
 * from is revoked as memtag_segment_revoke() would, but its pages move to
 * to: a segment revoked earlier that its owner still maps, of the same
 * size, which is live again. The owner's next lifetime needs no mapping
 * and no new pages; to's old addresses were in quarantine long enough.
 * Consumes the caller's reference on from. Nothing changes on error.
 */
int memtag_segment_recycle(struct memtag_segment *from, struct memtag_segment *to,
			   enum memtag_event_kind why)
{
	struct address_space *from_map, *to_map;
	struct page *scratch;
	int ret = 0;

	/* a region's own first segment named as the one to recycle: one lock, taken twice */
	if (from == to)
		return -EINVAL;
	mutex_lock(&from->lock);
	mutex_lock_nested(&to->lock, SINGLE_DEPTH_NESTING);
	if (!to->revoked || to->pages || !to->mapping || to->nr_vmas != 1 || !to->module_memory ||
	    !from->pages || from->revoked || to->npages != from->npages) {
		ret = -EINVAL;
		goto unlock;
	}
	/* to's array went at its revocation (finished): from's moves over, pages and all */
	to->pages = from->pages;
	from->pages = NULL;
	to->resident = from->resident;
	from->resident = 0;
	from->revoked = why;
	to->revoked = MEMTAG_EVENT_UNSPEC;
	scratch = to->scratch;
	to->scratch = NULL;
	from_map = from->mapping;
	to_map = to->mapping;
unlock:
	mutex_unlock(&to->lock);
	mutex_unlock(&from->lock);
	if (ret)
		return ret;
	/* faults on from are escapes from now on; on to they map the moved pages */
	zap(from_map, from);
	/* to's ptes went at its revocation: only a scratch page can be mapped there */
	if (scratch) {
		zap(to_map, to);
		put_page(scratch);
	}
	segments_changed();
	kref_put(&from->ref, segment_free);
	return 0;
}

static const struct vm_operations_struct memtag_segment_vm_ops;

/*
 * Map the pages a recycled segment brought along into its owner, the
 * caller, now: the next lifetime takes no fault for them. Same lock order
 * as a fault (mmap lock, then the segment's); best effort.
 */
void memtag_segment_prefault(struct memtag_segment *seg)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long i;

	if (!mm || !seg->module_memory)
		return;
	mmap_read_lock(mm);
	mutex_lock(&seg->lock);
	vma = seg->address && !seg->revoked && seg->pages ? vma_lookup(mm, seg->address) : NULL;
	if (vma && vma->vm_ops == &memtag_segment_vm_ops && vma->vm_private_data == seg &&
	    vma->vm_end - vma->vm_start == seg->npages << PAGE_SHIFT) {
		for (i = 0; i < seg->npages; i++) {
			if (seg->pages[i])	/* -EBUSY: mapped already */
				vm_insert_page(vma, vma->vm_start + (i << PAGE_SHIFT),
					       seg->pages[i]);
			cond_resched();	/* a segment may have 262,144 pages */
		}
	}
	mutex_unlock(&seg->lock);
	mmap_read_unlock(mm);
}

void memtag_segment_assign(struct memtag_segment *seg, const struct memtag_event *owner,
			   u32 region_flags, u64 region_offset)
{
	mutex_lock(&seg->lock);
	seg->owner.region = owner->region;
	seg->owner.site = owner->site;
	strscpy(seg->owner.name, owner->name, sizeof(seg->owner.name));
	seg->region_flags = region_flags;
	seg->region_offset = region_offset;
	mutex_unlock(&seg->lock);
	segments_changed();
}

/*
 * The head of a live software segment's first page: the descriptor its
 * owner may write there (see memtag_region_desc). The word at 0 (the
 * claim) is read first: the owner writes it last, with release order.
 * -ENOENT: no page there yet, nothing was written; -EBUSY: !wait and
 * the segment's lock is held.
 */
int memtag_segment_read_head(struct memtag_segment *seg, void *buf, size_t len, bool wait)
{
	struct page *page = NULL;
	void *addr;

	if (len > PAGE_SIZE || len < sizeof(u32))
		return -EINVAL;
	/* others' paths never wait on an owner's lock: it may hold it long */
	if (!wait && !mutex_trylock(&seg->lock))
		return -EBUSY;
	if (wait)
		mutex_lock(&seg->lock);
	if (!seg->revoked && seg->pages && seg->npages)
		page = seg->pages[0];
	if (page) {
		addr = kmap_local_page(page);
		*(u32 *)buf = READ_ONCE(*(u32 *)addr);
		smp_rmb();	/* pairs with the owner's release store of the claim */
		memcpy(buf + sizeof(u32), addr + sizeof(u32), len - sizeof(u32));
		kunmap_local(addr);
	}
	mutex_unlock(&seg->lock);
	return page ? 0 : -ENOENT;
}

/* Zero the head of the first page, if it has one: no claim is left over. */
void memtag_segment_clear_head(struct memtag_segment *seg, size_t len)
{
	mutex_lock(&seg->lock);
	if (len <= PAGE_SIZE && seg->pages && seg->npages && seg->pages[0])
		memzero_page(seg->pages[0], 0, len);
	mutex_unlock(&seg->lock);
}

void memtag_segment_release_pages(struct memtag_segment *seg)
{
	mutex_lock(&seg->lock);
	if (!seg->mapping) {
		free_pages_locked(seg);
		seg->resident = 0;
	}
	mutex_unlock(&seg->lock);
}

static vm_fault_t insert(struct vm_fault *vmf, struct page *page)
{
	int ret = vm_insert_page(vmf->vma, vmf->address, page);

	if (ret == -ENOMEM)
		return VM_FAULT_OOM;
	/* -EBUSY: another thread mapped it first */
	return ret && ret != -EBUSY ? VM_FAULT_SIGBUS : VM_FAULT_NOPAGE;
}

/* Install page idx of a live segment; called with seg->lock held. */
static vm_fault_t map_page(struct memtag_segment *seg, struct vm_fault *vmf, unsigned long idx)
{
	struct page *page = seg->pages[idx];

	if (!page) {
		page = alloc_page(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT);
		if (!page)
			return VM_FAULT_OOM;
		seg->pages[idx] = page;
		WRITE_ONCE(seg->resident, seg->resident + 1);
	}
	return insert(vmf, page);
}

/* One page, shared by every address of a revoked segment: bounded memory. */
static vm_fault_t map_scratch(struct memtag_segment *seg, struct vm_fault *vmf)
{
	if (!seg->scratch) {
		seg->scratch = alloc_page(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT);
		if (!seg->scratch)
			return VM_FAULT_OOM;
	}
	return insert(vmf, seg->scratch);
}

/*
 * The record of a touch of revoked seg at address by the current task:
 * a fault, or a read through /proc/PID/mem or ptrace. Under seg->lock.
 */
static void escape_event(const struct memtag_segment *seg, struct vm_area_struct *vma,
			 unsigned long address, struct memtag_event *e)
{
	*e = seg->owner;
	e->kind = seg->revoked;
	e->flags = MEMTAG_EVENT_F_KERNEL;
	e->tgid = current->tgid;
	e->uid = current_euid();
	e->address = address;
	e->offset = seg->region_offset + (address - vma->vm_start);
}

static vm_fault_t memtag_segment_fault(struct vm_fault *vmf)
{
	struct memtag_segment *seg = vmf->vma->vm_private_data;
	unsigned long idx = vmf->pgoff - vmf->vma->vm_pgoff;
	struct memtag_event e = {};
	vm_fault_t ret;

	if (idx >= seg->npages)
		return VM_FAULT_SIGBUS;
	mutex_lock(&seg->lock);
	if (!seg->revoked) {
		ret = map_page(seg, vmf, idx);
		mutex_unlock(&seg->lock);
		return ret;
	}
	/* an escape: the region (or this lifetime of it) is over */
	escape_event(seg, vmf->vma, vmf->real_address, &e);
	e.ip = instruction_pointer(current_pt_regs());
	if (seg->region_flags & MEMTAG_REGION_F_CONTINUE) {
		e.flags |= MEMTAG_EVENT_F_CONTINUED;
		ret = map_scratch(seg, vmf);	/* go on, reading what the page holds */
	} else {
		ret = VM_FAULT_SIGSEGV;
	}
	mutex_unlock(&seg->lock);
	memtag_event_record(&e, read_pnet(&seg->owner.net));
	return ret;
}

/* A copy of the vma (mremap builds one before it can refuse): one more user. */
static void memtag_segment_vma_open(struct vm_area_struct *vma)
{
	struct memtag_segment *seg = vma->vm_private_data;

	kref_get(&seg->ref);
	mutex_lock(&seg->lock);
	seg->nr_vmas++;
	mutex_unlock(&seg->lock);
}

static void memtag_segment_vma_close(struct vm_area_struct *vma)
{
	struct memtag_segment *seg = vma->vm_private_data;

	mutex_lock(&seg->lock);
	if (!--seg->nr_vmas) {
		seg->mapping = NULL;
		seg->address = 0;
		segments_changed();
	}
	mutex_unlock(&seg->lock);
	kref_put(&seg->ref, segment_free);
}

/* One mapping per segment, whole: no splitting, moving or growing. */
static int memtag_segment_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int memtag_segment_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/*
 * ptrace and /proc/PID/mem (tagctl scan): GUP refuses VM_IO mappings, so
 * debuggers read through here. Reads only: pages never touched read as
 * zeros without being allocated. A revoked segment gives nothing, and the
 * attempt is recorded as the fault it stands in for would be (the task
 * reading is the one named); no scratch page, even in continue mode.
 */
static int memtag_segment_access(struct vm_area_struct *vma, unsigned long addr, void *buf,
				 int len, int write)
{
	struct memtag_segment *seg = vma->vm_private_data;
	unsigned long idx = (addr - vma->vm_start) >> PAGE_SHIFT;
	int n = min_t(int, len, PAGE_SIZE - offset_in_page(addr));
	struct memtag_event e;
	struct page *page;

	if (idx >= seg->npages)
		return -EIO;
	mutex_lock(&seg->lock);
	if (seg->revoked) {
		escape_event(seg, vma, addr, &e);
		mutex_unlock(&seg->lock);
		memtag_event_record(&e, read_pnet(&seg->owner.net));
		return -EIO;
	}
	if (write) {
		mutex_unlock(&seg->lock);
		return -EPERM;
	}
	page = seg->pages[idx];
	if (page)
		memcpy_from_page(buf, page, offset_in_page(addr), n);
	else
		memset(buf, 0, n);
	mutex_unlock(&seg->lock);
	return n;
}

static const struct vm_operations_struct memtag_segment_vm_ops = {
	.fault = memtag_segment_fault,
	.open = memtag_segment_vma_open,
	.close = memtag_segment_vma_close,
	.may_split = memtag_segment_may_split,
	.mremap = memtag_segment_mremap,
	.access = memtag_segment_access,
};

static void record_foreign_map(struct memtag_segment *seg)
{
	struct memtag_event e = seg->owner;

	e.kind = MEMTAG_EVENT_FOREIGN_REGION;
	e.flags = MEMTAG_EVENT_F_KERNEL;
	e.tgid = current->tgid;
	e.uid = current_euid();
	memtag_event_record(&e, read_pnet(&seg->owner.net));
}

static int check_mappable(struct memtag_segment *seg, struct vm_area_struct *vma)
{
	/* another user's segment: the same answer as none, so offsets tell nothing */
	if (!uid_eq(seg->owner.uid, current_euid())) {
		record_foreign_map(seg);
		return -ENOENT;
	}
	if (seg->owner.tgid != current->tgid) {
		record_foreign_map(seg);
		return -EPERM;
	}
	if (seg->revoked)
		return -ESTALE;
	if (!seg->module_memory)
		return -ENODEV;	/* the owner's own memory (MTE): nothing to map */
	if (seg->nr_vmas)
		return -EBUSY;
	if (vma->vm_end - vma->vm_start != seg->npages << PAGE_SHIFT)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	return 0;
}

static void set_vma_flags(struct vm_area_struct *vma)
{
	/* VM_IO: madvise(MADV_DOFORK) cannot undo VM_DONTCOPY */
	const unsigned long set = VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTCOPY | VM_DONTDUMP | VM_IO;

	vm_flags_mod(vma, set, VM_MAYEXEC);
}

static int memtag_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long id = vma->vm_pgoff >> MEMTAG_SEGMENT_PGOFF_SHIFT;
	struct memtag_segment *seg;
	int ret;

	if (vma->vm_pgoff == MEMTAG_PROFILE_OFFSET)
		return memtag_profile_mmap(file, vma);
	if (vma->vm_pgoff == MEMTAG_TABLE_OFFSET >> PAGE_SHIFT)
		return memtag_region_table_mmap(file, vma);
	if (vma->vm_pgoff & ((1UL << MEMTAG_SEGMENT_PGOFF_SHIFT) - 1))
		return -EINVAL;
	xa_lock(&segments);
	seg = xa_load(&segments, id);
	if (seg && !kref_get_unless_zero(&seg->ref))
		seg = NULL;
	xa_unlock(&segments);
	if (!seg)
		return -ENOENT;
	mutex_lock(&seg->lock);
	ret = check_mappable(seg, vma);
	if (!ret) {
		seg->mapping = file->f_mapping;
		seg->address = vma->vm_start;
		seg->nr_vmas = 1;
		set_vma_flags(vma);
		vma->vm_ops = &memtag_segment_vm_ops;
		vma->vm_private_data = seg;
		segments_changed();
	}
	mutex_unlock(&seg->lock);
	if (ret)
		kref_put(&seg->ref, segment_free);
	return ret;
}

static int memtag_dev_open(struct inode *inode, struct file *file)
{
	/* misc_open() put the miscdevice here; ours is the file's profile */
	file->private_data = NULL;
	return 0;
}

static int memtag_dev_release(struct inode *inode, struct file *file)
{
	memtag_region_file_gone(file);
	memtag_profile_release(file);
	return 0;
}

static enum memtag_segment_state state_of(const struct memtag_segment *seg)
{
	switch (seg->revoked) {
	case MEMTAG_EVENT_USE_AFTER_END:
		return MEMTAG_SEGMENT_ENDED;
	case MEMTAG_EVENT_STALE_AFTER_RESET:
		return MEMTAG_SEGMENT_RESET;
	default:
		return MEMTAG_SEGMENT_LIVE;
	}
}

static void report_segment(struct memtag_segment *seg, struct memtag_segment_report *report)
{
	mutex_lock(&seg->lock);
	report->id = seg->id;
	report->region = seg->owner.region;
	strscpy(report->region_name, seg->owner.name, sizeof(report->region_name));
	report->tgid = seg->owner.tgid;
	report->uid = seg->owner.uid;
	report->state = state_of(seg);
	report->address = seg->address;
	report->size = (u64)seg->npages << PAGE_SHIFT;
	report->region_offset = seg->region_offset;
	mutex_unlock(&seg->lock);
}

bool memtag_segment_next(const struct memtag_viewer *v, unsigned long *pos,
			 struct memtag_segment_report *report, unsigned int *generation)
{
	struct memtag_segment *seg;
	unsigned int looked = 0;
	bool held, shown;

	/* read first: a change while we look interrupts the dump */
	*generation = atomic_read(&segments_generation);
	for (;; ++*pos) {
		if (!(++looked % 1024))
			cond_resched();	/* another user's many segments: not all in one go */
		xa_lock(&segments);
		seg = xa_find(&segments, pos, ULONG_MAX, XA_PRESENT);
		held = seg && kref_get_unless_zero(&seg->ref);
		xa_unlock(&segments);
		if (!seg)
			return false;
		if (!held)
			continue;	/* being freed */
		shown = memtag_viewer_sees(v, read_pnet(&seg->owner.net), seg->owner.uid);
		if (shown)
			report_segment(seg, report);
		kref_put(&seg->ref, segment_free);
		if (shown)
			return true;
	}
}

static const struct file_operations memtag_dev_fops = {
	.owner = THIS_MODULE,
	.open = memtag_dev_open,
	.mmap = memtag_dev_mmap,
	.release = memtag_dev_release,
	.unlocked_ioctl = memtag_region_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice memtag_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "memtag",
	.fops = &memtag_dev_fops,
	.mode = 0666,
};

int __init memtag_segment_init(void)
{
	return misc_register(&memtag_dev);
}

void memtag_segment_exit(void)
{
	misc_deregister(&memtag_dev);
	xa_destroy(&segments);
	memtag_profile_exit();
}
