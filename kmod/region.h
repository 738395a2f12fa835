/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMTAG_REGION_H
#define MEMTAG_REGION_H

#include <linux/netlink.h>
#include <linux/uidgid.h>
#include <net/net_namespace.h>
#include "event.h"
#include "uapi/linux/memtag.h"

/* Deepest nesting of regions; bounds the recursion of end and reset. */
#define MEMTAG_REGION_DEPTH_MAX 16

/* Who asks: the calling process, its netlink socket or /dev/memtag file, and namespace. */
struct memtag_caller {
	pid_t tgid;
	kuid_t uid;
	u32 portid;		/* netlink requests */
	const void *file;	/* ioctls: the open device file owns what it creates */
	struct net *net;
};

/* A region as reported; a copy, never the live record. */
struct memtag_region_info {
	u32 id;
	u32 parent;
	enum memtag_region_state state;
	u32 resets;
	u32 flags;
	u64 bytes_reserved;
	u64 bytes_resident;
	u32 growth;		/* samples in a row in which it grew */
	pid_t tgid;
	kuid_t uid;
	u64 site;
	u64 created_ns;
	char name[MEMTAG_REGION_NAME_MAX];
};

/* Where a new segment of the region is: what mmap needs. */
struct memtag_segment_info {
	u32 id;
	u64 offset;		/* mmap offset on /dev/memtag */
	u64 size;
	u64 region_offset;
};

/* The first segment a create asks for: a spare (recycle), a new one (size), or none. */
struct memtag_segment_req {
	u32 recycle;		/* id of a spare of the caller's socket */
	u64 size;
	unsigned long address;	/* MTE: the caller's own memory */
};

int memtag_region_create(const struct memtag_caller *caller, const char *name,
			 u32 parent, u32 flags, u64 site, const struct memtag_segment_req *req,
			 struct memtag_region_info *info, struct memtag_segment_info *seg,
			 struct netlink_ext_ack *extack);

/* address: where the owner mapped it itself (MTE), 0 to map it from /dev/memtag. */
int memtag_region_add_segment(const struct memtag_caller *caller, u32 id, u64 size,
			      unsigned long address, struct memtag_segment_info *info,
			      struct netlink_ext_ack *extack);
/* The event template of a region the caller may see (name, owner), for reports. */
bool memtag_region_describe(const struct memtag_caller *caller, u32 id, struct memtag_event *e);
/* The reply could not be sent: take back what the caller cannot know of. */
void memtag_region_undo_create(const struct memtag_caller *caller, u32 id);
void memtag_region_undo_segment(const struct memtag_caller *caller, u32 id, u32 segment);
/* recycle: 0, or a revoked segment of the caller's to take the first segment's pages. */
int memtag_region_end(const struct memtag_caller *caller, u32 id, u32 recycle,
		      struct memtag_segment_info *spare, u32 *reserved,
		      struct netlink_ext_ack *extack);
/* Read the descriptors of regions claimed without a call (for STATUS). */
void memtag_region_settle_all(void);
/* req: the next first segment, recycled or new, as at create (may be empty). */
int memtag_region_reset(const struct memtag_caller *caller, u32 id,
			const struct memtag_segment_req *req, struct memtag_region_info *info,
			struct memtag_segment_info *seg, struct netlink_ext_ack *extack);
/* Copy the next region from *pos visible to viewer; false at the end. */
struct memtag_viewer;
bool memtag_region_next(const struct memtag_viewer *v, unsigned long *pos,
			struct memtag_region_info *info, unsigned int *generation);
void memtag_region_owner_gone(struct net *net, u32 portid);
/* An open /dev/memtag was released: its live regions leaked. */
void memtag_region_file_gone(const void *file);
long memtag_region_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
/* mmap of MEMTAG_TABLE_OFFSET: the file's region table (struct memtag_region_slot). */
int memtag_region_table_mmap(struct file *file, struct vm_area_struct *vma);
int memtag_region_table_map(const struct memtag_caller *caller, struct vm_area_struct *vma);
/* Reserve a region in each free slot of the caller's table; *ready: bit i for slot i. */
int memtag_region_table_refill(const struct memtag_caller *caller, u64 *ready);
void memtag_region_init(void);
void memtag_region_exit(void);

#endif /* MEMTAG_REGION_H */
