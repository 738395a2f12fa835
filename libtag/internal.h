/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmemtag internals: shared by the library's files and its tests. */
#ifndef MEMTAG_INTERNAL_H
#define MEMTAG_INTERNAL_H

#include <netlink/msg.h>
#include "memtag.h"

#define MEMTAG_ERRMSG_MAX 256

struct memtag_client {
	struct nl_sock *sock;
	int family;
	char error[MEMTAG_ERRMSG_MAX];
};

/* Called for each reply message of a request. */
typedef int (*memtag_reply_fn)(struct nlmsghdr *nlh, void *arg);

/* A request message for cmd, or NULL on allocation failure. */
struct nl_msg *memtag_request_new(struct memtag_client *client, uint8_t cmd, int flags);
/* Send msg (consumed), feed replies to fn until the ACK; 0 or -errno. */
int memtag_request_run(struct memtag_client *client, struct nl_msg *msg,
		       memtag_reply_fn fn, void *arg);

/* Extended ACK of an NLMSG_ERROR message: the kernel's text, if any. */
int memtag_extack_message(const struct nlmsghdr *nlh, char *buf, size_t len);

int memtag_status_parse(struct nlmsghdr *nlh, struct memtag_status *status);
int memtag_region_parse(struct nlmsghdr *nlh, struct memtag_region_record *region);

#endif /* MEMTAG_INTERNAL_H */
