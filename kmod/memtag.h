/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMTAG_MEMTAG_H
#define MEMTAG_MEMTAG_H

#include <linux/atomic.h>
#include <linux/types.h>
#include "uapi/linux/memtag.h"

/* Module-wide counters: atomics so that they are never lost. */
struct memtag_counters {
	atomic64_t status_requests;
};

extern struct memtag_counters memtag_counters;

int memtag_backend_init(void);
enum memtag_backend memtag_backend(void);
bool memtag_backend_forced(void);
bool memtag_cpu_has_mte(void);
const char *memtag_backend_name(enum memtag_backend backend);

int memtag_netlink_init(void);
void memtag_netlink_exit(void);

#endif /* MEMTAG_MEMTAG_H */
