/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * memtag generic netlink protocol: the single definition shared by the
 * module, libmemtag and tagctl. Numbers are ABI: append, never renumber.
 */
#ifndef _UAPI_LINUX_MEMTAG_H
#define _UAPI_LINUX_MEMTAG_H

#define MEMTAG_GENL_NAME	"memtag"
#define MEMTAG_GENL_VERSION	1
#define MEMTAG_MCGRP_EVENTS	"events"

enum memtag_cmd {
	MEMTAG_CMD_UNSPEC,
	MEMTAG_CMD_STATUS,	/* doit: reply carries the status attributes */
	MEMTAG_CMD_REGION_CREATE,	/* doit: NAME, [PARENT], [SITE]; reply: the region */
	MEMTAG_CMD_REGION_END,	/* doit: ID; ends the region and its children */
	MEMTAG_CMD_REGION_RESET,	/* doit: ID; a new lifetime for the same region */
	MEMTAG_CMD_REGION_GET,	/* dump: the regions the caller may see */
	__MEMTAG_CMD_MAX,
};

#define MEMTAG_CMD_MAX (__MEMTAG_CMD_MAX - 1)

enum memtag_backend {
	MEMTAG_BACKEND_SOFTWARE,	/* kernel revocation and redzones */
	MEMTAG_BACKEND_MTE,		/* ARM memory tagging extension */
	__MEMTAG_BACKEND_MAX,
};

#define MEMTAG_BACKEND_MAX (__MEMTAG_BACKEND_MAX - 1)

enum memtag_attr {
	MEMTAG_A_UNSPEC,
	MEMTAG_A_PAD,
	MEMTAG_A_VERSION,		/* string: module version */
	MEMTAG_A_BACKEND,		/* u32: enum memtag_backend */
	MEMTAG_A_BACKEND_FORCED,	/* flag: chosen by the backend= parameter */
	MEMTAG_A_MTE_CAPABLE,		/* flag: the CPUs support MTE */
	MEMTAG_A_COUNTERS,		/* nested: enum memtag_counter */
	MEMTAG_A_REGION_ID,		/* u32, from 1 */
	MEMTAG_A_REGION_NAME,		/* string, at most MEMTAG_REGION_NAME_MAX */
	MEMTAG_A_REGION_PARENT,		/* u32: region id, 0 for none */
	MEMTAG_A_REGION_STATE,		/* u32: enum memtag_region_state */
	MEMTAG_A_REGION_TGID,		/* u32: owner process */
	MEMTAG_A_REGION_UID,		/* u32: owner user (in the caller's namespace) */
	MEMTAG_A_REGION_SITE,		/* u64: creation site, a return address */
	MEMTAG_A_REGION_CREATED_NS,	/* u64: CLOCK_BOOTTIME at creation */
	MEMTAG_A_REGION_RESETS,		/* u32: times the region was reset */
	__MEMTAG_A_MAX,
};

#define MEMTAG_A_MAX (__MEMTAG_A_MAX - 1)

enum memtag_counter {
	MEMTAG_COUNTER_UNSPEC,
	MEMTAG_COUNTER_PAD,
	MEMTAG_COUNTER_STATUS_REQUESTS,	/* u64: STATUS commands served */
	MEMTAG_COUNTER_REGIONS_CREATED,	/* u64 */
	MEMTAG_COUNTER_REGIONS_ENDED,	/* u64 */
	MEMTAG_COUNTER_REGIONS_LEAKED,	/* u64: owner went away first */
	MEMTAG_COUNTER_VIOLATIONS,	/* u64: refused misuse */
	__MEMTAG_COUNTER_MAX,
};

#define MEMTAG_COUNTER_MAX (__MEMTAG_COUNTER_MAX - 1)

#define MEMTAG_REGION_NAME_MAX 64	/* with the terminating NUL */

enum memtag_region_state {
	MEMTAG_REGION_LIVE,
	MEMTAG_REGION_ENDED,
	MEMTAG_REGION_LEAKED,	/* its owner exited or closed its socket first */
	__MEMTAG_REGION_STATE_MAX,
};

#endif /* _UAPI_LINUX_MEMTAG_H */
