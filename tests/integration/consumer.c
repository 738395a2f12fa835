// SPDX-License-Identifier: GPL-2.0-or-later
/* A minimal libmemtag user, built with pkg-config against an install. */
#include <stdio.h>
#include <string.h>
#include <memtag.h>

int main(void)
{
	struct memtag_client *client;
	struct memtag_status st;
	int ret = memtag_client_open(&client);

	if (ret) {
		fprintf(stderr, "memtag-consumer: open: %s\n", strerror(-ret));
		return 1;
	}
	ret = memtag_status_get(client, &st);
	if (!ret)
		printf("backend=%s\nversion=%s\n", memtag_backend_name(st.backend), st.version);
	memtag_client_close(client);
	return ret ? 1 : 0;
}
