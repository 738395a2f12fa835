// SPDX-License-Identifier: LGPL-2.1-or-later
/* One request/response exchange with the module, kernel errors included. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include "client.h"

#define DUMP_RETRIES 8

struct exchange {
	struct memtag_client *client;
	memtag_reply_fn fn;
	void *arg;
	int error;
	int done;
};

int memtag_extack_message(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	size_t offset = NLMSG_HDRLEN + sizeof(*err);
	const struct nlattr *attr;
	int remaining;

	buf[0] = '\0';
	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < offset ||
	    !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return -ENOENT;
	/* Without NETLINK_CAP_ACK the request follows the error header. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += err->msg.nlmsg_len - sizeof(err->msg);
	if (nlh->nlmsg_len < offset)
		return -EPROTO;
	remaining = nlh->nlmsg_len - offset;
	attr = (const struct nlattr *)((const char *)nlh + offset);
	for (; nla_ok(attr, remaining); attr = nla_next(attr, &remaining)) {
		if (nla_type(attr) != NLMSGERR_ATTR_MSG || nla_len(attr) < 1)
			continue;
		snprintf(buf, len, "%.*s", nla_len(attr), (const char *)nla_data(attr));
		buf[strcspn(buf, "\n")] = '\0';
		return 0;
	}
	return -ENOENT;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exchange *ex = arg;

	if (ex->fn && !ex->error)
		ex->error = ex->fn(nlmsg_hdr(msg), ex->arg);
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct exchange *ex = arg;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);

	(void)nla;
	ex->error = err->error ? err->error : -EPROTO;
	memtag_extack_message(nlh, ex->client->error, sizeof(ex->client->error));
	ex->done = 1;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump the way the ACK ends a plain request. */
static int on_ack(struct nl_msg *msg, void *arg)
{
	struct exchange *ex = arg;

	(void)msg;
	ex->done = 1;
	return NL_STOP;
}

struct nl_msg *memtag_request_new(struct memtag_client *client, uint8_t cmd, int flags)
{
	struct nl_msg *msg;

	if (!client)
		return NULL;	/* no connection (a forked child could not reconnect) */
	msg = nlmsg_alloc();
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, client->family, 0,
			 flags | NLM_F_ACK, cmd, MEMTAG_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int memtag_request_run(struct memtag_client *client, struct nl_msg *msg,
		       memtag_reply_fn fn, void *arg)
{
	struct exchange ex = { .client = client, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int ret;

	client->error[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ex);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &ex);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_ack, &ex);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &ex);
	ret = nl_send_auto(client->sock, msg);
	nlmsg_free(msg);
	while (ret >= 0 && !ex.done)
		ret = nl_recvmsgs(client->sock, cb);
	nl_cb_put(cb);
	if (ex.error)
		return ex.error;
	if (ret == -NLE_DUMP_INTR)
		return -EINTR;	/* the set changed under a dump: retry it */
	return ret < 0 ? -EIO : 0;
}

struct dump_array {
	char *items;
	size_t item_size;
	size_t count;
	size_t capacity;
	int (*parse)(struct nlmsghdr *nlh, void *item);
};

static int collect(struct nlmsghdr *nlh, void *arg)
{
	struct dump_array *a = arg;
	char *grown;

	if (a->count == a->capacity) {
		a->capacity = a->capacity ? 2 * a->capacity : 64;
		grown = realloc(a->items, a->capacity * a->item_size);
		if (!grown)
			return -ENOMEM;
		a->items = grown;
	}
	return a->parse(nlh, a->items + a->item_size * a->count++);
}

int memtag_dump(struct memtag_client *client, uint8_t cmd, size_t item_size,
		int (*parse)(struct nlmsghdr *nlh, void *item), void **items, size_t *count)
{
	struct dump_array a = { .item_size = item_size, .parse = parse };
	struct nl_msg *msg;
	int tries, ret = -EINTR;

	/* NLM_F_DUMP_INTR: the set changed under the dump; take it again */
	for (tries = 0; tries < DUMP_RETRIES && ret == -EINTR; tries++) {
		a.count = 0;
		msg = memtag_request_new(client, cmd, NLM_F_DUMP);
		if (!msg) {
			ret = -ENOMEM;
			break;
		}
		ret = memtag_request_run(client, msg, collect, &a);
	}
	if (ret) {
		free(a.items);
		return ret;
	}
	*items = a.items;
	*count = a.count;
	return 0;
}
