// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make stress (not make check): MEMTAG_STRESS=1 registers this suite and
 * the fuzzers only, run at MEMTAG_FUZZ_SCALE times their size.
 * - owners killed with SIGKILL while holding regions (ioctl and netlink)
 *   and mapped, touched segments: every region recorded leaked, and the
 *   module's counters and the kernel's slab back where they were;
 * - workers creating, ending and resetting (libmemtag, so the ioctls and
 *   recycling) while others dump regions, segments, events and profiles:
 *   every lifetime counted once, no dump failing.
 * Kernel reports fail the run through the harness.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "client.h"
#include "fuzz.h"
#include "itest.h"

#define NOBODY 65534
#define OWNERS 10000		/* killed, MEMTAG_STRESS_OWNERS replaces it */
#define OWNERS_AT_ONCE 4
#define WORKERS 8
#define DUMPERS 2
#define LIFETIMES 1000		/* per worker, MEMTAG_STRESS_LIFETIMES replaces it */
#define SEGMENT 65536
/* a leak of one record per killed owner would be several MiB */
#define SLAB_SLACK (1UL << 20)

static unsigned long env_or(const char *name, unsigned long fallback)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : fallback;
}

static struct memtag_status status_now(void)
{
	struct memtag_status st = { 0 };
	struct memtag_client *c;

	if (!memtag_client_open(&c)) {
		if (memtag_status_get(c, &st))
			st.version[0] = '\0';
		memtag_client_close(c);
	}
	return st;
}

static uint64_t mte_address(unsigned int n)
{
	return strcmp(itest_expected_backend(), "mte") ? 0 : 0x7a0000000000ULL + n * 0x100000ULL;
}

/* Map segment offset of fd and write to it: a resident page the kill must free. */
static int map_and_touch(int fd, uint64_t offset)
{
	char *m;

	if (mte_address(0))
		return 0;	/* MTE memory is the process's own */
	m = mmap(NULL, SEGMENT, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
	if (m == MAP_FAILED)
		return -1;
	m[0] = 1;
	m[SEGMENT - 1] = 2;
	return 0;
}

/* Two regions (an ioctl one and a netlink child of it), segments mapped, then SIGKILL. */
static int hold_and_die(void)
{
	struct memtag_ioc_region req = { .name = "killed", .segment.size = SEGMENT };
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	struct memtag_client *c;
	int fd = open(MEMTAG_DEVICE, O_RDWR);

	req.segment.address = mte_address(1);
	if (fd < 0 || ioctl(fd, MEMTAG_IOC_REGION_CREATE, &req) ||
	    map_and_touch(fd, req.segment.offset))
		return 10;
	if (memtag_client_open(&c) || memtag_region_create(c, req.id, "killed-child", 0, &r) ||
	    memtag_segment_add(c, r.id, SEGMENT, mte_address(2), &grant) ||
	    map_and_touch(fd, grant.offset))
		return 11;
	raise(SIGKILL);
	return 12;
}

/* Kernel memory in kmalloc caches, after KASAN's quarantine of them is emptied. */
static long long kmalloc_bytes(void)
{
	char line[512], name[64], path[320];
	long long total = 0, active, size;
	struct dirent *d;
	DIR *dir = opendir("/sys/kernel/slab");
	FILE *f;

	/* a cache's shrink gives back what KASAN's quarantine holds of it */
	while (dir && (d = readdir(dir))) {
		if (strncmp(d->d_name, "kmalloc-", 8))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", d->d_name);
		f = fopen(path, "w");
		if (f) {
			fputs("1\n", f);
			fclose(f);
		}
	}
	if (dir)
		closedir(dir);
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld %*d %lld", name, &active, &size) == 3 &&
		    !strncmp(name, "kmalloc-", 8))
			total += active * size;
	fclose(f);
	return total;
}

static int reap(pid_t *pids, unsigned int n, unsigned int *killed)
{
	unsigned int i;
	int status, bad = 0;

	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i])
			bad++;
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			++*killed;
		else
			bad++;
	}
	return bad;
}

static void test_killed_owners(void)
{
	unsigned long owners = env_or("MEMTAG_STRESS_OWNERS", OWNERS), i;
	struct memtag_status before, after;
	unsigned int max_leaked = itest_read_param("max_leaked"), killed = 0, n = 0;
	pid_t pids[OWNERS_AT_ONCE];
	long long slab_before, slab_after;
	time_t start = time(NULL);
	int bad = 0;

	/* the records kept are bounded by design: keep few, so that what stays is what leaked */
	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_leaked", 16), 0);
	before = status_now();
	slab_before = kmalloc_bytes();
	for (i = 0; i < owners; i++) {
		pids[n] = fork();
		if (pids[n] == 0)
			_exit(setgid(NOBODY) || setuid(NOBODY) ? 9 : hold_and_die());
		if (pids[n] > 0)
			n++;
		if (n == OWNERS_AT_ONCE || i + 1 == owners) {
			bad += reap(pids, n, &killed);
			n = 0;
		}
	}
	after = status_now();
	slab_after = kmalloc_bytes();
	printf("\n    %u owners killed in %lld s; regions leaked +%llu, live %llu -> %llu, "
	       "bytes_reserved %llu -> %llu, region-leaked events +%llu; kmalloc caches "
	       "%+lld bytes\n", killed, (long long)(time(NULL) - start),
	       (unsigned long long)(after.regions_leaked - before.regions_leaked),
	       (unsigned long long)before.regions_live, (unsigned long long)after.regions_live,
	       (unsigned long long)before.bytes_reserved, (unsigned long long)after.bytes_reserved,
	       (unsigned long long)(after.event_totals[MEMTAG_EVENT_REGION_LEAKED] -
				    before.event_totals[MEMTAG_EVENT_REGION_LEAKED]),
	       slab_after - slab_before);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(killed, owners);
	CU_ASSERT_EQUAL(after.regions_leaked - before.regions_leaked, 2 * owners);
	CU_ASSERT_EQUAL(after.event_totals[MEMTAG_EVENT_REGION_LEAKED] -
			before.event_totals[MEMTAG_EVENT_REGION_LEAKED], 2 * owners);
	CU_ASSERT_EQUAL(after.regions_live, before.regions_live);
	CU_ASSERT_EQUAL(after.bytes_reserved, before.bytes_reserved);
	CU_ASSERT_TRUE(slab_before > 0 && slab_after - slab_before < (long long)SLAB_SLACK);
	CU_ASSERT_EQUAL(itest_write_param("max_leaked", max_leaked), 0);
}

/* What a worker did, reported through a pipe. */
struct tally {
	unsigned long created, ended, resets, failed;
};

/* Lifetimes through libmemtag (ioctls, recycled segments), some with a netlink child. */
static int work(int out, unsigned long lifetimes, unsigned int n)
{
	struct tally t = { 0 };
	struct memtag_region_record child;
	struct memtag_client *c;
	struct tag_region *r;
	unsigned long i;
	char *p;

	if (memtag_client_open(&c))
		return 1;
	fuzz_seed(0x5eed + n);
	for (i = 0; i < lifetimes; i++) {
		r = tag_region_create(NULL, "stress", 0);
		if (!r) {
			t.failed++;
			continue;
		}
		t.created++;
		p = tag_alloc(r, 1 + fuzz_rnd() % 4000);
		if (p)
			p[0] = 1;
		if (fuzz_rnd() % 4 == 0 && !memtag_region_create(c, tag_region_id(r), "stress-nl", 0,
								 &child))
			t.created++;	/* ends with its parent */
		else
			child.id = 0;
		if (fuzz_rnd() % 2) {
			if (tag_region_reset(r))
				t.failed++;
			else
				t.resets++;
			if (child.id)
				t.ended++;	/* a reset ends what lived inside */
			child.id = 0;
		}
		if (tag_region_end(r))
			t.failed++;
		else
			t.ended += 1 + !!child.id;
	}
	memtag_client_close(c);
	return write(out, &t, sizeof(t)) == sizeof(t) ? 0 : 2;
}

/* Dumps of everything until stop is readable; failed dumps counted (EINTR: retried). */
static int dump(int stop)
{
	struct memtag_region_record *regions;
	struct memtag_segment_record *segs;
	struct memtag_event_record *events;
	struct memtag_profile *profiles;
	struct memtag_client *c;
	struct memtag_status st;
	unsigned long rounds = 0, failed = 0;
	size_t n;
	char b;

	if (memtag_client_open(&c))
		return 1;
	fcntl(stop, F_SETFL, O_NONBLOCK);
	while (read(stop, &b, 1) < 0 && errno == EAGAIN) {
		rounds++;
		if (memtag_region_list(c, &regions, &n) == 0)
			free(regions);
		else
			failed++;
		if (memtag_segment_list(c, 0, &segs, &n) == 0)
			free(segs);
		else
			failed++;
		if (memtag_event_list(c, &events, &n) == 0)
			free(events);
		else
			failed++;
		if (memtag_profile_list(c, 0, &profiles, &n) == 0)
			memtag_profile_list_free(profiles, n);
		else
			failed++;
		failed += memtag_status_get(c, &st) != 0;
	}
	printf("\n    dumper %d: %lu rounds, %lu failed\n", getpid(), rounds, failed);
	fflush(stdout);	/* it leaves with _exit */
	memtag_client_close(c);
	return failed ? 3 : 0;
}

/*
 * fn(fd, ...) in a child; the child closes every other end of the pipes:
 * a dumper holding the write end of its own stop pipe never sees EOF.
 */
static pid_t spawn(int (*fn)(int, unsigned long, unsigned int), int fd, const int *pipes,
		   unsigned long count, unsigned int n, bool nobody)
{
	pid_t pid = fork();
	unsigned int i;

	if (pid == 0) {
		for (i = 0; i < 4; i++)
			if (pipes[i] != fd)
				close(pipes[i]);
		_exit(nobody && (setgid(NOBODY) || setuid(NOBODY)) ? 9 : fn(fd, count, n));
	}
	return pid;
}

static int dump_entry(int fd, unsigned long count, unsigned int n)
{
	(void)count;
	(void)n;
	return dump(fd);
}

static int exit_code(pid_t pid)
{
	int status;

	if (pid <= 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_workers_and_dumpers(void)
{
	unsigned long lifetimes = env_or("MEMTAG_STRESS_LIFETIMES", LIFETIMES);
	struct tally sum = { 0 }, t;
	struct memtag_status before, after;
	pid_t workers[WORKERS], dumpers[DUMPERS];
	int results[2], stop[2], pipes[4];
	time_t start = time(NULL);
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(pipe(results), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(stop), 0);
	pipes[0] = results[0];
	pipes[1] = results[1];
	pipes[2] = stop[0];
	pipes[3] = stop[1];
	before = status_now();
	for (i = 0; i < DUMPERS; i++)
		dumpers[i] = spawn(dump_entry, stop[0], pipes, 0, i, i % 2);
	for (i = 0; i < WORKERS; i++)
		workers[i] = spawn(work, results[1], pipes, lifetimes, i, i % 2);
	for (i = 0; i < WORKERS; i++)
		CU_ASSERT_EQUAL(exit_code(workers[i]), 0);
	close(stop[1]);		/* the dumpers read EOF and stop */
	for (i = 0; i < DUMPERS; i++)
		CU_ASSERT_EQUAL(exit_code(dumpers[i]), 0);
	close(results[1]);
	while (read(results[0], &t, sizeof(t)) == sizeof(t)) {
		sum.created += t.created;
		sum.ended += t.ended;
		sum.resets += t.resets;
		sum.failed += t.failed;
	}
	close(results[0]);
	close(stop[0]);
	after = status_now();
	printf("\n    %d workers: %lu created, %lu ended, %lu resets, %lu failed in %lld s; "
	       "module: created +%llu, ended +%llu, leaked +%llu, live %llu -> %llu\n", WORKERS,
	       sum.created, sum.ended, sum.resets, sum.failed, (long long)(time(NULL) - start),
	       (unsigned long long)(after.regions_created - before.regions_created),
	       (unsigned long long)(after.regions_ended - before.regions_ended),
	       (unsigned long long)(after.regions_leaked - before.regions_leaked),
	       (unsigned long long)before.regions_live, (unsigned long long)after.regions_live);
	CU_ASSERT_EQUAL(sum.failed, 0);
	CU_ASSERT_TRUE(sum.created >= WORKERS * lifetimes);
	CU_ASSERT_EQUAL(after.regions_created - before.regions_created, sum.created);
	CU_ASSERT_EQUAL(after.regions_ended - before.regions_ended, sum.ended);
	CU_ASSERT_EQUAL(after.regions_leaked, before.regions_leaked);
	CU_ASSERT_EQUAL(after.regions_live, before.regions_live);
	CU_ASSERT_EQUAL(after.bytes_reserved, before.bytes_reserved);
}

int itest_add_stress_suite(void)
{
	static const struct test_case cases[] = {
		{ "owners killed holding mapped regions: all leaked, memory back",
		  test_killed_owners },
		{ "8 workers and 2 dumpers: every lifetime counted once",
		  test_workers_and_dumpers },
		{ NULL, NULL },
	};

	return add_suite("stress", cases);
}
