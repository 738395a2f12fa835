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
#include <stddef.h>
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
	uint64_t regions_created;
	uint64_t regions_ended;
	uint64_t regions_leaked;	/* owner exited or closed its socket first */
	uint64_t violations;		/* misuse the module refused */
};

/* A region as the module records it. */
struct memtag_region_record {
	uint32_t id;
	uint32_t parent;		/* 0: none */
	enum memtag_region_state state;
	uint32_t resets;
	uint32_t tgid;			/* owner process */
	uint32_t uid;			/* owner user */
	uint64_t site;			/* creation site (return address) */
	uint64_t created_ns;		/* CLOCK_BOOTTIME */
	char name[MEMTAG_REGION_NAME_MAX];
};

/* Connect; -ENOENT when the memtag module is not loaded. */
int memtag_client_open(struct memtag_client **client);
void memtag_client_close(struct memtag_client *client);
/* The kernel's message about the last failed request, or "" if none. */
const char *memtag_client_error(const struct memtag_client *client);

int memtag_status_get(struct memtag_client *client, struct memtag_status *status);

/*
 * Region records in the module. The calling process owns what it creates;
 * records of a client whose socket closes while still live become leaks.
 */
int memtag_region_create(struct memtag_client *client, uint32_t parent, const char *name,
			 uint64_t site, struct memtag_region_record *region);
int memtag_region_end(struct memtag_client *client, uint32_t id);
int memtag_region_reset(struct memtag_client *client, uint32_t id,
			struct memtag_region_record *region);
/* All regions the caller may see, in a malloc'ed array (free() it). */
int memtag_region_list(struct memtag_client *client, struct memtag_region_record **regions,
		       size_t *count);

const char *memtag_backend_name(enum memtag_backend backend);
const char *memtag_region_state_name(enum memtag_region_state state);
const char *memtag_library_version(void);

#ifdef __cplusplus
}
#endif

#endif /* MEMTAG_LIBMEMTAG_H */
