/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMTAG_PROFILE_H
#define MEMTAG_PROFILE_H

#include <linux/fs.h>
#include <linux/mm_types.h>
#include <net/genetlink.h>

/* mmap of MEMTAG_PROFILE_OFFSET on /dev/memtag: the caller's profile area. */
int memtag_profile_mmap(struct file *file, struct vm_area_struct *vma);
/* The device file is gone: its profile becomes one of an exited process. */
void memtag_profile_release(struct file *file);
int memtag_nl_profile_dump(struct sk_buff *skb, struct netlink_callback *cb);
unsigned int memtag_profiles_kept(void);
void memtag_profile_exit(void);

#endif /* MEMTAG_PROFILE_H */
