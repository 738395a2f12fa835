/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel API differences between the supported kernels (6.1 to 6.12). */
#ifndef MEMTAG_COMPAT_H
#define MEMTAG_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>
#include <net/genetlink.h>

/*
 * The events group describes every user's regions: joining it needs
 * CAP_SYS_ADMIN. Kernels whose genetlink cannot check that at bind time
 * (no GENL_MCAST_CAP_SYS_ADMIN, no bind callback before 6.7) are refused
 * rather than given a group anybody may join.
 */
#ifndef GENL_MCAST_CAP_SYS_ADMIN
#error "memtag needs GENL_MCAST_CAP_SYS_ADMIN (6.7 and stable backports)"
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set, vm_flags_t clear)
{
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
}
#endif

#endif /* MEMTAG_COMPAT_H */
