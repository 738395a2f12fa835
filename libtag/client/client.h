/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmemtag's control-plane client: the netlink side, shared by its files and the tests. */
#ifndef MEMTAG_CLIENT_H
#define MEMTAG_CLIENT_H

#include <netlink/attr.h>
#include <netlink/msg.h>
#include "memtag.h"

#define MEMTAG_ERRMSG_MAX 256

struct memtag_client {
	struct nl_sock *sock;
	int family;
	char error[MEMTAG_ERRMSG_MAX];
};

/* An optional attribute's value, 0 when absent. */
static inline uint64_t memtag_attr_u64(const struct nlattr *attr)
{
	return attr ? nla_get_u64((struct nlattr *)attr) : 0;
}

static inline uint32_t memtag_attr_u32(const struct nlattr *attr)
{
	return attr ? nla_get_u32((struct nlattr *)attr) : 0;
}

/* Called for each reply message of a request. */
typedef int (*memtag_reply_fn)(struct nlmsghdr *nlh, void *arg);

/* A request message for cmd, or NULL on allocation failure. */
struct nl_msg *memtag_request_new(struct memtag_client *client, uint8_t cmd, int flags);
/* Send msg (consumed), feed replies to fn until the ACK; 0 or -errno. */
int memtag_request_run(struct memtag_client *client, struct nl_msg *msg,
		       memtag_reply_fn fn, void *arg);

/* Run a dump of cmd, parsing each message into an item of a malloc'ed array. */
int memtag_dump(struct memtag_client *client, uint8_t cmd, size_t item_size,
		int (*parse)(struct nlmsghdr *nlh, void *item), void **items, size_t *count);

int memtag_client_family(const struct memtag_client *client);

/* Extended ACK of an NLMSG_ERROR message: the kernel's text, if any. */
int memtag_extack_message(const struct nlmsghdr *nlh, char *buf, size_t len);

int memtag_status_parse(struct nlmsghdr *nlh, struct memtag_status *status);
struct memtag_segment_grant {
	uint32_t id;
	uint64_t offset;	/* mmap offset on /dev/memtag */
	uint64_t size;
	uint64_t region_offset;
};

/* address: where MTE memory was mapped by the process; 0 in software mode. */
int memtag_segment_add(struct memtag_client *client, uint32_t region, uint64_t size,
		       uint64_t address, struct memtag_segment_grant *grant);
int memtag_region_create_flags(struct memtag_client *client, uint32_t parent, const char *name,
			       uint32_t flags, uint64_t site, struct memtag_region_record *region);
int memtag_event_report(struct memtag_client *client, const struct memtag_event_record *event);
int memtag_region_parse(struct nlmsghdr *nlh, struct memtag_region_record *region);
int memtag_event_parse(struct nlmsghdr *nlh, struct memtag_event_record *event);

#endif /* MEMTAG_CLIENT_H */
