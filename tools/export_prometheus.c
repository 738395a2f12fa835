// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl export --format prometheus: the text exposition format, for
 * node_exporter's textfile collector. Module counters and gauges, then
 * allocations per process (labels pid and comm).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "export.h"

struct metric {
	const char *name;
	const char *type;
	const char *help;
	uint64_t value;
};

struct process_metric {
	const char *name;
	const char *type;
	const char *help;
	enum export_value value;
	bool live_only;			/* a process that exited holds nothing now */
};

static const struct process_metric process_metrics[] = {
	{ "memtag_inuse_bytes", "gauge", "Bytes a process holds in its regions.",
	  EXPORT_INUSE_SPACE, true },
	{ "memtag_inuse_objects", "gauge", "Allocations a process holds in its regions.",
	  EXPORT_INUSE_OBJECTS, true },
	{ "memtag_leaked_bytes", "gauge",
	  "Bytes left in strict regions at their end, and held at exit.",
	  EXPORT_LEAKED_SPACE, false },
	{ "memtag_allocated_bytes_total", "counter", "Bytes a process allocated.",
	  EXPORT_ALLOC_SPACE, false },
	{ "memtag_allocations_total", "counter", "Allocations a process made.",
	  EXPORT_ALLOC_OBJECTS, false },
};

#define N_PROCESS_METRICS (sizeof(process_metrics) / sizeof(process_metrics[0]))

const char *export_prometheus_label(const char *value, char *buf, size_t len)
{
	size_t at = 0;
	const char *escaped;

	for (; *value && at + 3 < len; value++) {
		escaped = *value == '\\' ? "\\\\" : *value == '"' ? "\\\"" :
			  *value == '\n' ? "\\n" : NULL;
		if (escaped) {
			memcpy(buf + at, escaped, 2);
			at += 2;
		} else {
			buf[at++] = *value;
		}
	}
	buf[at] = '\0';
	return buf;
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_metrics(FILE *out, const struct metric *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		family(out, m[i].name, m[i].type, m[i].help);
		fprintf(out, "%s %" PRIu64 "\n", m[i].name, m[i].value);
	}
}

static void put_module(FILE *out, const struct memtag_status *st)
{
	const struct metric counters[] = {
		{ "memtag_regions_created_total", "counter", "Regions created since load.",
		  st->regions_created },
		{ "memtag_regions_ended_total", "counter", "Regions ended since load.",
		  st->regions_ended },
		{ "memtag_regions_leaked_total", "counter",
		  "Regions still live when their owner exited or closed its socket.",
		  st->regions_leaked },
		{ "memtag_violations_total", "counter", "Misuse recorded since load.",
		  st->violations },
		{ "memtag_events_dropped_total", "counter",
		  "Event records overwritten in the ring (their counts stay).",
		  st->events_dropped },
		{ "memtag_reserved_bytes", "gauge", "Bytes in live region segments.",
		  st->bytes_reserved },
	};
	char value[2 * MEMTAG_VERSION_MAX];
	int kind;

	family(out, "memtag_module_info", "gauge", "The loaded memtag module.");
	fprintf(out, "memtag_module_info{version=\"%s\",backend=\"%s\"} 1\n",
		export_prometheus_label(st->version, value, sizeof(value)),
		memtag_backend_name(st->backend));
	put_metrics(out, counters, sizeof(counters) / sizeof(counters[0]));
	family(out, "memtag_events_total", "counter", "Events recorded since load, by kind.");
	for (kind = 1; kind <= MEMTAG_EVENT_MAX; kind++)
		fprintf(out, "memtag_events_total{kind=\"%s\"} %" PRIu64 "\n",
			memtag_event_kind_name(kind), st->event_totals[kind]);
}

static void put_regions(FILE *out, const struct memtag_region_record *r, size_t n)
{
	struct metric gauges[] = {
		{ "memtag_regions_live", "gauge", "Live regions the caller may see.", 0 },
		{ "memtag_bytes_resident_bytes", "gauge", "Resident bytes of live regions.", 0 },
		{ "memtag_regions_growing", "gauge",
		  "Live regions that grew in the module's latest sample.", 0 },
	};
	size_t i;

	for (i = 0; i < n; i++) {
		if (r[i].state != MEMTAG_REGION_LIVE)
			continue;
		gauges[0].value++;
		gauges[1].value += r[i].bytes_resident;
		gauges[2].value += r[i].growth > 0;
	}
	put_metrics(out, gauges, sizeof(gauges) / sizeof(gauges[0]));
}

/* A pid's newest profile stands for it: one series per label set. */
static bool superseded(const struct export_input *in, size_t i)
{
	const struct memtag_profile *p = &in->profiles[i], *q;
	size_t j;

	for (j = 0; j < in->nr_profiles; j++) {
		q = &in->profiles[j];
		if (q->tgid == p->tgid && (q->started_ns > p->started_ns ||
					   (q->started_ns == p->started_ns && q->id > p->id)))
			return true;
	}
	return false;
}

static void process_totals(const struct memtag_profile *p, int64_t sum[EXPORT_NR_VALUES])
{
	int64_t v[EXPORT_NR_VALUES];
	size_t i, k;

	memset(sum, 0, EXPORT_NR_VALUES * sizeof(*sum));
	for (i = 0; i < p->nr_sites; i++) {
		export_site_values(p, &p->sites[i], v);
		for (k = 0; k < EXPORT_NR_VALUES; k++)
			sum[k] += v[k];
	}
}

static int put_processes(FILE *out, const struct export_input *in)
{
	int64_t (*sums)[EXPORT_NR_VALUES] = calloc(in->nr_profiles + 1, sizeof(*sums));
	const struct memtag_profile *p;
	char comm[4 * sizeof(p->comm)];
	size_t i, m;

	if (!sums)
		return -ENOMEM;
	for (i = 0; i < in->nr_profiles; i++)
		process_totals(&in->profiles[i], sums[i]);
	for (m = 0; m < N_PROCESS_METRICS; m++) {
		family(out, process_metrics[m].name, process_metrics[m].type,
		       process_metrics[m].help);
		for (i = 0; i < in->nr_profiles; i++) {
			p = &in->profiles[i];
			if ((process_metrics[m].live_only && p->exited_ns) || superseded(in, i))
				continue;
			fprintf(out, "%s{pid=\"%" PRIu32 "\",comm=\"%s\"} %" PRId64 "\n",
				process_metrics[m].name, p->tgid,
				export_prometheus_label(p->comm, comm, sizeof(comm)),
				sums[i][process_metrics[m].value]);
		}
	}
	free(sums);
	return 0;
}

int export_prometheus_write(FILE *out, const struct export_input *in)
{
	if (in->status)
		put_module(out, in->status);
	put_regions(out, in->regions, in->nr_regions);
	return put_processes(out, in);
}
