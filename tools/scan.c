// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl scan: references from longer-lived regions into shorter-lived ones. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/uio.h>
#include <json-c/json.h>
#include "memtag.h"
#include "classes.h"
#include "scan.h"
#include "tagctl.h"
#include "text.h"

#define SCAN_CHUNK (1U << 20)
#define SCAN_PROGRESS_BYTES (64ULL << 20)	/* show progress past this much */

struct scan {
	struct memtag_segment_record *segments;
	size_t nr_segments;
	struct memtag_region_record *regions;
	size_t nr_regions;
	struct json_object *refs;	/* references go here; NULL: printed as text */
	struct json_object *denied;	/* pids we may not read */
	unsigned char *buf;
	size_t found, processes, holders, unreadable;
	uint64_t bytes, total_bytes;
	bool progress;
};

static const char *kind_of(enum scan_why why)
{
	return why == SCAN_ENDING ? "ending-reference" : "dangling-reference";
}

static const char *explain(enum scan_why why)
{
	switch (why) {
	case SCAN_ENDED:
		return "its region ended";
	case SCAN_RESET:
		return "its region was reset since";
	default:
		return "a descendant of the holder: it ends first";
	}
}

/* As tagctl_event_json names things: region, offset, address are the target's. */
static struct json_object *reference_json(const struct scan_ref *ref)
{
	struct json_object *o = json_object_new_object();
	const struct memtag_segment_record *h = ref->holder, *t = ref->target;

	json_object_object_add(o, "kind", json_object_new_string(kind_of(ref->why)));
	json_object_object_add(o, "class", json_object_new_string("escape"));
	json_object_object_add(o, "seen_by", json_object_new_string("scan"));
	json_object_object_add(o, "why", json_object_new_string(scan_why_name(ref->why)));
	json_object_object_add(o, "pid", json_object_new_int64(h->tgid));
	json_object_object_add(o, "region", json_object_new_int64(t->region));
	json_object_object_add(o, "region_name", json_object_new_string(t->region_name));
	json_object_object_add(o, "offset", json_object_new_uint64(ref->target_offset));
	json_object_object_add(o, "address",
			       json_object_new_uint64(ref->value & SCAN_ADDRESS_MASK));
	json_object_object_add(o, "value", json_object_new_uint64(ref->value));
	json_object_object_add(o, "holder_region", json_object_new_int64(h->region));
	json_object_object_add(o, "holder_name", json_object_new_string(h->region_name));
	json_object_object_add(o, "holder_offset", json_object_new_uint64(ref->holder_offset));
	json_object_object_add(o, "holder_address",
			       json_object_new_uint64(h->address + ref->holder_offset -
						      h->region_offset));
	return o;
}

static void print_reference(const struct scan_ref *ref)
{
	const struct memtag_segment_record *h = ref->holder, *t = ref->target;

	printf("%-22s scan    pid %-6" PRIu32 " region %" PRIu32 " '%s' offset %" PRIu64
	       " address %#" PRIx64 " held by region %" PRIu32 " '%s' offset %" PRIu64 ": %s\n",
	       kind_of(ref->why), h->tgid, t->region, tagctl_text(t->region_name),
	       ref->target_offset, ref->value & SCAN_ADDRESS_MASK, h->region,
	       tagctl_text(h->region_name), ref->holder_offset,
	       explain(ref->why));
}

static void on_reference(const struct scan_ref *ref, void *arg)
{
	struct scan *sc = arg;

	if (sc->refs)
		json_object_array_add(sc->refs, reference_json(ref));
	else
		print_reference(ref);
}

static void show_progress(const struct scan *sc, bool done)
{
	if (!sc->progress)
		return;
	if (done)
		fprintf(stderr, "\r\033[K");
	else
		fprintf(stderr, "\rscan: %" PRIu64 " of %" PRIu64 " MiB, %zu references",
			sc->bytes >> 20, sc->total_bytes >> 20, sc->found);
}

/*
 * process_vm_readv first; the module's segments are VM_IO mappings, which
 * it cannot pin, so those are read through /proc/PID/mem, as is everything
 * on kernels built without CONFIG_CROSS_MEMORY_ATTACH. -errno on failure.
 */
static ssize_t read_remote(uint32_t pid, int *memfd, uint64_t address, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)address, len };
	ssize_t n = process_vm_readv((pid_t)pid, &local, 1, &remote, 1, 0);
	char path[32];

	if (n >= 0 || (errno != EFAULT && errno != ENOSYS))
		return n < 0 ? -errno : n;
	if (*memfd < 0) {
		snprintf(path, sizeof(path), "/proc/%" PRIu32 "/mem", pid);
		*memfd = open(path, O_RDONLY | O_CLOEXEC);
		if (*memfd < 0)
			return -errno;
	}
	n = pread(*memfd, buf, len, (off_t)address);
	return n < 0 ? -errno : n;
}

static void scan_segment(struct scan *sc, const struct scan_index *ix,
			 const struct memtag_segment_record *s, int *memfd)
{
	uint64_t at = 0;
	ssize_t n = 0;

	sc->holders++;
	while (at < s->size) {
		n = read_remote(s->tgid, memfd, s->address + at, sc->buf,
				s->size - at < SCAN_CHUNK ? s->size - at : SCAN_CHUNK);
		if (n <= 0)
			break;
		sc->found += scan_words(ix, s, at, sc->buf, (size_t)n, on_reference, sc);
		at += (uint64_t)n;
		sc->bytes += (uint64_t)n;
		show_progress(sc, false);
	}
	if (at < s->size && n != -ESRCH) {
		sc->unreadable++;
		fprintf(stderr, "tagctl scan: cannot read segment %" PRIu32 " of region %" PRIu32
			" '%s' in pid %" PRIu32 " at offset %" PRIu64 ": %s\n", s->id, s->region,
			s->region_name, s->tgid, at, n ? strerror((int)-n) : "end of mapping");
	}
}

/*
 * The ptrace check of process_vm_readv comes before the read: NULL tells.
 * Without it (ENOSYS), opening /proc/PID/mem makes the same check.
 */
static int may_read(uint32_t pid)
{
	struct iovec local, remote = { NULL, 1 };
	char byte, path[32];
	int fd;

	local.iov_base = &byte;
	local.iov_len = 1;
	if (process_vm_readv((pid_t)pid, &local, 1, &remote, 1, 0) >= 0 || errno == EFAULT)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* no such process, as process_vm_readv says it; or no /proc here */
	if (fd < 0 && errno == ENOENT)
		return kill((pid_t)pid, 0) && errno == ESRCH ? -ESRCH : -ENOENT;
	if (fd < 0)
		return errno == EACCES ? -EPERM : -errno;
	close(fd);
	return 0;
}

static int scan_process(struct scan *sc, uint32_t pid)
{
	struct scan_index ix;
	int memfd = -1, ret = may_read(pid);
	size_t i;

	if (ret)
		return ret;
	if (scan_index_init(&ix, sc->segments, sc->nr_segments, pid, sc->regions, sc->nr_regions))
		return -ENOMEM;
	sc->processes++;
	for (i = 0; i < sc->nr_segments; i++)
		if (sc->segments[i].tgid == pid && scan_is_holder(&sc->segments[i]))
			scan_segment(sc, &ix, &sc->segments[i], &memfd);
	if (memfd >= 0)
		close(memfd);
	scan_index_free(&ix);
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The owners of segments to read, each once; the bytes they hold. */
static size_t holder_pids(struct scan *sc, uint32_t *pids)
{
	size_t i, n = 0, unique = 0;

	for (i = 0; i < sc->nr_segments; i++) {
		if (!scan_is_holder(&sc->segments[i]))
			continue;
		pids[n++] = sc->segments[i].tgid;
		sc->total_bytes += sc->segments[i].size;
	}
	qsort(pids, n, sizeof(*pids), by_pid);
	for (i = 0; i < n; i++)
		if (!unique || pids[unique - 1] != pids[i])
			pids[unique++] = pids[i];
	return unique;
}

static int denied(struct scan *sc, uint32_t pid, bool named)
{
	fprintf(stderr, "tagctl: scan of pid %" PRIu32 " needs ptrace permission (same user and "
			"ptrace_scope, or CAP_SYS_PTRACE)%s\n", pid, named ? "" : "; skipped");
	json_object_array_add(sc->denied, json_object_new_int64(pid));
	return TAGCTL_EXIT_DENIED;
}

/* A kernel without process_vm_readv and a process without /proc/PID/mem. */
static int no_proc(uint32_t pid)
{
	fprintf(stderr, "tagctl: scan: cannot open /proc/%" PRIu32 "/mem, and this kernel has no "
			"process_vm_readv (CONFIG_CROSS_MEMORY_ATTACH): mount /proc\n", pid);
	return TAGCTL_EXIT_ERROR;
}

static int no_such_process(uint32_t pid)
{
	fprintf(stderr, "tagctl: scan: there is no process %" PRIu32 "; see 'tagctl regions' "
			"for the pids that own regions\n", pid);
	return TAGCTL_EXIT_ERROR;
}

/* Scan pid (-1: every owner of segments); an exit code for what failed. */
static int scan_pids(struct scan *sc, long pid)
{
	uint32_t *pids = malloc((sc->nr_segments + 1) * sizeof(*pids));
	size_t n, i;
	int ret = 0, err;

	if (!pids)
		return tagctl_fail(NULL, "scan", -ENOMEM);
	n = holder_pids(sc, pids);
	if (pid >= 0) {
		pids[0] = (uint32_t)pid;
		n = 1;
	}
	sc->progress = isatty(STDERR_FILENO) && sc->total_bytes > SCAN_PROGRESS_BYTES;
	for (i = 0; i < n && ret != TAGCTL_EXIT_ERROR; i++) {
		err = scan_process(sc, pids[i]);
		if (err == -EPERM || err == -EACCES)
			ret = denied(sc, pids[i], pid >= 0);
		else if (err == -ESRCH && pid >= 0)
			ret = no_such_process(pids[i]);
		else if (err == -ENOENT)
			ret = no_proc(pids[i]);
		else if (err && err != -ESRCH)	/* a process that left has nothing to scan */
			ret = tagctl_fail(NULL, "scan", err);
	}
	show_progress(sc, true);
	free(pids);
	return ret;
}

/* Fetch what the module knows and scan; an exit code, references aside. */
static int scan_run(struct scan *sc, long pid)
{
	struct memtag_client *client;
	int ret = tagctl_connect(&client);

	if (ret)
		return ret;
	ret = memtag_region_list(client, &sc->regions, &sc->nr_regions);
	if (!ret)
		ret = memtag_segment_list(client, pid >= 0 ? (uint32_t)pid : 0, &sc->segments,
					  &sc->nr_segments);
	if (ret)
		ret = tagctl_fail(client, "scan", ret);
	memtag_client_close(client);
	sc->buf = malloc(SCAN_CHUNK);
	sc->denied = json_object_new_array();
	if (!ret && !sc->buf)
		ret = tagctl_fail(NULL, "scan", -ENOMEM);
	return ret ? ret : scan_pids(sc, pid);
}

static void scan_free(struct scan *sc)
{
	free(sc->segments);
	free(sc->regions);
	free(sc->buf);
	json_object_put(sc->denied);
}

int tagctl_scan_append(long pid, struct json_object *json, size_t *found)
{
	struct scan sc = { .refs = json };
	int ret = scan_run(&sc, pid);

	*found = sc.found;
	scan_free(&sc);
	return ret;
}

static void print_summary(const struct tagctl_options *opts, struct scan *sc)
{
	struct json_object *o;

	if (!opts->json) {
		printf("scan: %zu process%s, %zu segments, %" PRIu64 " KiB read, %zu references%s\n",
		       sc->processes, sc->processes == 1 ? "" : "es", sc->holders, sc->bytes >> 10,
		       sc->found,
		       sc->unreadable ? ", some segments unreadable" : "");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "processes", json_object_new_uint64(sc->processes));
	json_object_object_add(o, "segments", json_object_new_uint64(sc->holders));
	json_object_object_add(o, "bytes", json_object_new_uint64(sc->bytes));
	json_object_object_add(o, "unreadable_segments", json_object_new_uint64(sc->unreadable));
	json_object_object_add(o, "denied", json_object_get(sc->denied));
	json_object_object_add(o, "references", json_object_get(sc->refs));
	tagctl_print_json(opts, o);
	json_object_put(o);
}

static const struct tagctl_opt scan_opts[] = {
	{ 'p', 'P', "pid", "P", "scan process P only" },
	{ 0 },
};

static int scan_option(int c, const char *arg, void *ctx)
{
	(void)c;	/* only --pid */
	return tagctl_parse_pid(&tagctl_scan_command, arg, ctx);
}

/* no tagctl_check_pid_access: the kernel's ptrace check speaks for itself */
static int parse_args(long *pid, int argc, char **argv)
{
	return tagctl_parse_args(&tagctl_scan_command, argc, argv, NULL, scan_option, pid);
}

static int run_scan(const struct tagctl_options *opts, int argc, char **argv)
{
	struct scan sc = { 0 };
	long pid = -1;
	int ret = parse_args(&pid, argc, argv);

	if (ret)
		return ret;
	if (opts->json)
		sc.refs = json_object_new_array();
	ret = scan_run(&sc, pid);
	if (!ret || (ret == TAGCTL_EXIT_DENIED && pid < 0))
		print_summary(opts, &sc);
	if (sc.found && (!ret || ret == TAGCTL_EXIT_DENIED))
		ret = TAGCTL_EXIT_CHECK + TAGCTL_ESCAPE;
	else if (!ret && sc.unreadable)
		ret = TAGCTL_EXIT_ERROR;
	json_object_put(sc.refs);
	scan_free(&sc);
	return ret;
}

const struct tagctl_command tagctl_scan_command = {
	.name = "scan",
	.summary = "find pointers from longer-lived regions into shorter-lived ones",
	.options = scan_opts,
	.run = run_scan,
};
