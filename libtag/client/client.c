// SPDX-License-Identifier: LGPL-2.1-or-later
/* Connection to the module: socket, family resolution, error text. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include "client.h"
#include "../../kmod/version.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static int set_flag(struct nl_sock *sock, int option)
{
	int one = 1;

	if (setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, option, &one, sizeof(one)))
		return -errno;
	return 0;
}

int memtag_client_open(struct memtag_client **out)
{
	struct memtag_client *client;
	int ret;

	*out = NULL;
	client = calloc(1, sizeof(*client));
	if (!client)
		return -ENOMEM;
	ret = -ENOMEM;
	client->sock = nl_socket_alloc();
	if (!client->sock)
		goto fail;
	ret = -ECONNREFUSED;
	if (genl_connect(client->sock))
		goto fail;
	/* Kernel error text, without echoing our request back. */
	ret = set_flag(client->sock, NETLINK_EXT_ACK);
	if (!ret)
		ret = set_flag(client->sock, NETLINK_CAP_ACK);
	if (ret)
		goto fail;
	client->family = genl_ctrl_resolve(client->sock, MEMTAG_GENL_NAME);
	if (client->family < 0) {
		ret = -ENOENT;
		goto fail;
	}
	*out = client;
	return 0;
fail:
	memtag_client_close(client);
	return ret;
}

void memtag_client_close(struct memtag_client *client)
{
	if (!client)
		return;
	nl_socket_free(client->sock);
	free(client);
}

int memtag_client_family(const struct memtag_client *client)
{
	return client->family;
}

const char *memtag_client_error(const struct memtag_client *client)
{
	return client ? client->error : "";
}

const char *memtag_backend_name(enum memtag_backend backend)
{
	switch (backend) {
	case MEMTAG_BACKEND_SOFTWARE:
		return "software";
	case MEMTAG_BACKEND_MTE:
		return "mte";
	default:
		return "unknown";
	}
}

const char *memtag_library_version(void)
{
	return MEMTAG_VERSION;
}
