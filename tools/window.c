// SPDX-License-Identifier: GPL-2.0-or-later
/* --since SEQ and the last sequence number: see window.h. */
#include <inttypes.h>
#include <stdio.h>
#include "memtag.h"
#include "tagctl.h"
#include "window.h"

#define RING_SIZE_PARAM "/sys/module/memtag/parameters/event_ring_size"

int tagctl_parse_since(const struct tagctl_command *cmd, const char *arg, int64_t *since)
{
	long n;

	if (tagctl_parse_long(arg, -1, LONG_MAX, &n))
		return tagctl_usage_error(cmd, "--since takes a sequence number (-1: everything)");
	*since = n;
	return TAGCTL_EXIT_OK;
}

int tagctl_window_start(struct memtag_client *client, struct tagctl_window *w)
{
	struct memtag_status st;
	int ret = memtag_status_get(client, &st);

	if (ret)
		return ret;
	w->recorded = st.events;
	w->dropped = st.events_dropped;
	return 0;
}

int64_t tagctl_window_last(const struct tagctl_window *w, const struct memtag_event_record *e,
			   size_t n)
{
	int64_t last = (int64_t)w->recorded - 1;
	size_t i;

	for (i = 0; i < n; i++)
		if ((int64_t)e[i].seq > last)
			last = (int64_t)e[i].seq;
	return last;
}

static unsigned long ring_size(void)
{
	unsigned long size = 0;
	FILE *f = fopen(RING_SIZE_PARAM, "r");

	if (f) {
		if (fscanf(f, "%lu", &size) != 1)
			size = 0;
		fclose(f);
	}
	return size;
}

bool tagctl_window_complete(const struct tagctl_command *cmd, const struct tagctl_window *w)
{
	unsigned long size;
	uint64_t oldest;

	if (w->since < 0 || !w->dropped)
		return true;
	size = ring_size();
	oldest = size && w->recorded > size ? w->recorded - size : 0;
	if (size && oldest <= (uint64_t)w->since + 1)
		return true;
	if (size)
		fprintf(stderr, "tagctl %s: records %" PRId64 " to %" PRIu64 " were overwritten "
			"before this run (the ring keeps event_ring_size=%lu): run it more often "
			"or raise event_ring_size\n", cmd->name, w->since + 1, oldest - 1, size);
	else
		fprintf(stderr, "tagctl %s: the ring overwrote %" PRIu64 " record(s) and its size "
			"cannot be read (" RING_SIZE_PARAM "): some after seq %" PRId64
			" may be lost\n", cmd->name, w->dropped, w->since);
	return false;
}
