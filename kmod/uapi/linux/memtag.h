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
	__MEMTAG_A_MAX,
};

#define MEMTAG_A_MAX (__MEMTAG_A_MAX - 1)

enum memtag_counter {
	MEMTAG_COUNTER_UNSPEC,
	MEMTAG_COUNTER_PAD,
	MEMTAG_COUNTER_STATUS_REQUESTS,	/* u64: STATUS commands served */
	__MEMTAG_COUNTER_MAX,
};

#define MEMTAG_COUNTER_MAX (__MEMTAG_COUNTER_MAX - 1)

#endif /* _UAPI_LINUX_MEMTAG_H */
