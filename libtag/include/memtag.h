/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmemtag: lifetime-scoped tagged memory for Linux services.
 *
 * Control-plane API: talk to the memtag kernel module over generic netlink.
 * All functions return 0 or a negative errno; a failed request keeps the
 * kernel's extended-ACK message, read with memtag_client_error().
 */
#ifndef MEMTAG_LIBMEMTAG_H
#define MEMTAG_LIBMEMTAG_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/memtag.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MEMTAG_VERSION_MAX 32

/* One netlink connection; use one per thread (not thread-safe). */
struct memtag_client;

/* What the STATUS command reports. */
struct memtag_status {
	char version[MEMTAG_VERSION_MAX];	/* module version */
	enum memtag_backend backend;
	bool backend_forced;	/* chosen by the module's backend= parameter */
	bool mte_capable;	/* the CPUs support MTE */
	uint64_t status_requests;
};

/* Connect; -ENOENT when the memtag module is not loaded. */
int memtag_client_open(struct memtag_client **client);
void memtag_client_close(struct memtag_client *client);
/* The kernel's message about the last failed request, or "" if none. */
const char *memtag_client_error(const struct memtag_client *client);

int memtag_status_get(struct memtag_client *client, struct memtag_status *status);

const char *memtag_backend_name(enum memtag_backend backend);
const char *memtag_library_version(void);

#ifdef __cplusplus
}
#endif

#endif /* MEMTAG_LIBMEMTAG_H */
