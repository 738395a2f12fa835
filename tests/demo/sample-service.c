// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A small request-serving loop with the bugs memtag is for: a reply
 * cached past its request (an escape), a double free (misuse), and a
 * session cache region that is never ended (a leak). Run it with
 * MEMTAG_OPTIONS=halt_on_error=0 to see both recorded and go on.
 */
#include <stdio.h>
#include <string.h>
#include <memtag.h>

struct connection {
	struct tag_region *region;
	const char *last_reply;		/* bug: points into a request region */
};

static void handle_request(struct connection *c, int n)
{
	struct tag_region *req = tag_region_create(c->region, "http-request", 0);
	char *reply = tag_alloc(req, 64);

	snprintf(reply, 64, "reply to request %d", n);
	c->last_reply = reply;		/* escapes: should be tag_promote(reply, c->region) */
	tag_region_end(req);
}

int main(void)
{
	struct connection c = { 0 };
	struct tag_region *cache;
	char *session;
	int n;

	c.region = tag_region_create(NULL, "connection", 0);
	if (!c.region) {
		perror("sample-service: tag_region_create");
		return 1;
	}
	for (n = 1; n <= 3; n++)
		handle_request(&c, n);
	/* the escape: the request region ended, its memory is revoked */
	printf("sample-service: last reply starts with '%c'\n", c.last_reply[0]);

	cache = tag_region_create(NULL, "session-cache", TAG_REGION_STRICT);
	session = tag_strdup(cache, "session 42");
	/* misuse: a double free (reported; libmemtag refuses the second) */
	tag_free(cache, session);
	tag_free(cache, session);
	tag_strdup(cache, "session 43");
	tag_region_end(c.region);
	printf("sample-service: exiting with 'session-cache' still open (a leak)\n");
	return 0;
}
