// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The module on a shared host (issue 9): one user's long work does not
 * stall the host's other netlink users nor other memtag users; dumps say
 * when what they list changed under them; reads of ended memory by a
 * debugger or /proc/PID/mem are recorded as the touches they are.
 *
 * Nothing here asserts on time. The hold tests watch an owner's release
 * through something read without the module's mutex (the state of its
 * last segment, in the segment dump) and ask whether another request
 * completed while that release was still under way: with the release
 * under one hold of the mutex it cannot, whatever the timing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include "client.h"
#include "itest.h"

#define NOBODY 65534
/* Regions of the owner whose release is watched: 128 batches of 64. */
#define HOLD_REGIONS 8192
/* Give up watching a release after this long: a failure, not a measure. */
#define HOLD_GIVE_UP_S 120
/* The event ring of the lost-records test, and what overwrites it. */
#define SMALL_RING 256

static char out[4096];

static uint64_t segment_address(void)
{
	return strcmp(itest_expected_backend(), "mte") ? 0 : 0x7f0000000000ULL;
}

/*
 * The owner: as nobody, HOLD_REGIONS regions on one socket, a segment on
 * the first and on the last. It writes the two segment ids to tell, waits
 * for a byte, closes the socket (the release runs in this close) and
 * writes a byte when it is done.
 */
static int hold_owner(int to_parent, int from_parent)
{
	struct memtag_segment_grant first, last;
	struct memtag_region_record r;
	struct memtag_client *own;
	uint32_t ids[2];
	char go;
	int i;

	if (setgid(NOBODY) || setuid(NOBODY) || memtag_client_open(&own))
		return 40;
	for (i = 0; i < HOLD_REGIONS; i++) {
		if (memtag_region_create(own, 0, "held", 0, &r))
			return 41;
		if (i == 0 && memtag_segment_add(own, r.id, 4096, segment_address(), &first))
			return 42;
		if (i == HOLD_REGIONS - 1 &&
		    memtag_segment_add(own, r.id, 4096, segment_address() ? segment_address() + 4096 : 0,
				       &last))
			return 43;
	}
	ids[0] = first.id;
	ids[1] = last.id;
	if (write(to_parent, ids, sizeof(ids)) != sizeof(ids) ||
	    read(from_parent, &go, 1) != 1)
		return 44;
	memtag_client_close(own);
	return write(to_parent, &go, 1) == 1 ? 0 : 45;
}

/* A generic netlink socket of somebody else's, as ip or iw opens: open, bind, close. */
static int other_netlink_socket(void *arg)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	(void)arg;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	return close(fd) ? -errno : 0;
}

/* Another memtag user's request: a region made and ended on its own socket. */
static int other_memtag_request(void *arg)
{
	struct memtag_client *c = arg;
	struct memtag_region_record r;

	return memtag_region_create(c, 0, "bystander", 0, &r) ?: memtag_region_end(c, r.id);
}

/*
 * An owner of HOLD_REGIONS regions closes its socket; while its release is
 * under way (its first segment revoked, its last one still live) the
 * parent does what other_fn does, and then finds the last segment still
 * live: other_fn did not wait for the release. 1: seen, 0: the release
 * ended first every time, -1: the owner failed.
 */
static int done_during_release(int (*other_fn)(void *), void *arg, int *other_ret)
{
	int up[2], down[2], status, seen = 0, first, last;
	struct memtag_client *c;
	uint32_t ids[2];
	time_t give_up;
	pid_t pid;
	char b = 'g';

	if (pipe(up) || pipe(down) || memtag_client_open(&c))
		return -1;
	pid = fork();
	if (pid == 0)
		_exit(hold_owner(up[1], down[0]));
	close(up[1]);
	close(down[0]);
	if (pid < 0 || read(up[0], ids, sizeof(ids)) != sizeof(ids) || write(down[1], &b, 1) != 1) {
		printf("owner %d did not start: %s\n", (int)pid, strerror(errno));
		seen = -1;
		goto out;
	}
	give_up = time(NULL) + HOLD_GIVE_UP_S;
	while (time(NULL) < give_up) {
		first = itest_segment_state(c, (uint32_t)pid, ids[0]);
		last = itest_segment_state(c, (uint32_t)pid, ids[1]);
		if (last != MEMTAG_SEGMENT_LIVE && last != -2)
			break;	/* released: too late for this one */
		if (first == MEMTAG_SEGMENT_LIVE || first == -2)
			continue;	/* not started yet (or a dump interrupted: again) */
		*other_ret = other_fn(arg);
		if (itest_segment_state(c, (uint32_t)pid, ids[1]) == MEMTAG_SEGMENT_LIVE) {
			seen = 1;
			break;
		}
	}
out:
	close(down[1]);
	/* the owner's release finished: it wrote its byte after the close */
	if (seen >= 0 && read(up[0], &b, 1) != 1)
		seen = -1;
	close(up[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
			WEXITSTATUS(status))) {
		printf("owner %d: status %#x\n", (int)pid, status);
		seen = -1;
	}
	memtag_client_close(c);
	return seen;
}

/*
 * done_during_release, again while the release ended first (the scheduler
 * may run the whole release before the parent looks): a release under one
 * hold of the lock never lets it be seen, however often it is tried.
 * *tries: how many releases ran.
 */
static int seen_during_release(int (*other_fn)(void *), void *arg, int *other_ret, int *tries)
{
	int seen = 0;

	for (*tries = 0; seen == 0 && *tries < 3; ++*tries)
		seen = done_during_release(other_fn, arg, other_ret);
	return seen;
}

static uint64_t leaked_count(void)
{
	struct memtag_client *c;
	struct memtag_status st = { 0 };

	if (memtag_client_open(&c))
		return 0;
	if (memtag_status_get(c, &st))
		st.regions_leaked = 0;
	memtag_client_close(c);
	return st.regions_leaked;
}

static void test_other_socket_close_not_held(void)
{
	uint64_t before = leaked_count();
	int other = -1, tries, seen = seen_during_release(other_netlink_socket, NULL, &other, &tries);

	CU_ASSERT_EQUAL(seen, 1);
	CU_ASSERT_EQUAL(other, 0);
	/* and each release recorded every region */
	CU_ASSERT_EQUAL(leaked_count() - before, (uint64_t)tries * HOLD_REGIONS);
}

static void test_other_request_not_held(void)
{
	uint64_t before = leaked_count();
	struct memtag_client *c;
	int other = -1, seen, tries;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&c), 0);
	seen = seen_during_release(other_memtag_request, c, &other, &tries);
	memtag_client_close(c);
	CU_ASSERT_EQUAL(seen, 1);
	CU_ASSERT_EQUAL(other, 0);
	CU_ASSERT_EQUAL(leaked_count() - before, (uint64_t)tries * HOLD_REGIONS);
}

/*
 * A dump of cmd whose first part is read only after between() ran: 1 if
 * a message said NLM_F_DUMP_INTR, 0 if none did, -1 on failure. Messages
 * counts what the dump gave.
 */
static int dump_interrupted(uint8_t cmd, int (*between)(void *), void *arg, size_t *messages)
{
	static char buf[65536];
	struct nl_sock *s = nl_socket_alloc();
	struct nlmsghdr *nlh;
	struct nl_msg *m = nlmsg_alloc();
	int family, ret = -1, intr = 0, len;
	bool done = false;

	*messages = 0;
	if (!s || !m || genl_connect(s))
		goto out;
	family = genl_ctrl_resolve(s, MEMTAG_GENL_NAME);
	if (family < 0 || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP, cmd,
				       MEMTAG_GENL_VERSION) || nl_send_auto(s, m) < 0)
		goto out;
	/* the first part is made at the request; the next ones as we read */
	if (between(arg))
		goto out;
	while (!done) {
		len = (int)recv(nl_socket_get_fd(s), buf, sizeof(buf), 0);
		if (len <= 0)
			goto out;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (unsigned int)len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			++*messages;
		}
	}
	ret = intr;
out:
	nlmsg_free(m);
	nl_socket_free(s);
	return ret;
}

static int nothing(void *arg)
{
	(void)arg;
	return 0;
}

static int report_events(struct memtag_client *c, int n)
{
	struct memtag_event_record e = { .kind = MEMTAG_EVENT_USE_AFTER_FREE };
	int i, ret = 0;

	for (i = 0; i < n && !ret; i++) {
		e.offset = (uint64_t)i;
		ret = memtag_event_report(c, &e);
	}
	return ret;
}

static int overwrite_ring(void *arg)
{
	return report_events(arg, 2 * SMALL_RING);
}

/*
 * The ring holds SMALL_RING records; a dump has read its first part when
 * twice as many come: the records it had not reached are gone, and it
 * must say so rather than go on as if they had never been.
 */
static void test_event_dump_says_records_lost(void)
{
	struct memtag_client *c;
	size_t messages;

	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out),
					"modprobe -r memtag && modprobe memtag event_ring_size=%d",
					SMALL_RING), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&c), 0);
	CU_ASSERT_EQUAL(report_events(c, SMALL_RING), 0);
	CU_ASSERT_EQUAL(dump_interrupted(MEMTAG_CMD_EVENT_GET, overwrite_ring, c, &messages), 1);
	/* the first part (one skb) cannot hold the whole ring, or this shows nothing */
	CU_ASSERT_TRUE(messages < 2 * SMALL_RING);
	/* untouched, a dump of the full ring is not interrupted */
	CU_ASSERT_EQUAL(dump_interrupted(MEMTAG_CMD_EVENT_GET, nothing, NULL, &messages), 0);
	CU_ASSERT_EQUAL(messages, SMALL_RING);
	memtag_client_close(c);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "modprobe -r memtag && modprobe memtag"), 0);
}

struct segments_of {
	struct memtag_client *c;
	uint32_t region;
	uint64_t next;
};

static int add_one_segment(void *arg)
{
	struct segments_of *s = arg;
	struct memtag_segment_grant grant;

	return memtag_segment_add(s->c, s->region, 4096,
				  segment_address() ? segment_address() + s->next : 0, &grant);
}

/* 200 segments listed over several parts; a segment added between them interrupts it. */
static void test_segment_dump_consistent(void)
{
	struct segments_of s = { 0 };
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	size_t messages;
	int i;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&s.c), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_create(s.c, 0, "many-segments", 0, &r), 0);
	s.region = r.id;
	for (i = 0; i < 200; i++, s.next += 4096)
		CU_ASSERT_EQUAL_FATAL(memtag_segment_add(s.c, r.id, 4096,
							 segment_address() ?
							 segment_address() + s.next : 0, &grant), 0);
	CU_ASSERT_EQUAL(dump_interrupted(MEMTAG_CMD_SEGMENT_GET, nothing, NULL, &messages), 0);
	CU_ASSERT_TRUE(messages >= 200);
	CU_ASSERT_EQUAL(dump_interrupted(MEMTAG_CMD_SEGMENT_GET, add_one_segment, &s, &messages),
			1);
	CU_ASSERT_EQUAL(memtag_region_end(s.c, r.id), 0);
	memtag_client_close(s.c);
}

/*
 * A traced child's segment, read by its tracer with PTRACE_PEEKDATA and
 * through /proc/PID/mem: while live, what it holds (tagctl scan reads so);
 * once ended, EIO, and each read recorded as a use after end by the
 * tracer, as the child's own touch would be.
 */
static int traced_holder(int to_parent)
{
	struct memtag_ioc_region req = { .name = "peeked", .segment.size = 65536 }, end;
	int fd = open(MEMTAG_DEVICE, O_RDWR);
	uint64_t address;
	char *m;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) || fd < 0 ||
	    ioctl(fd, MEMTAG_IOC_REGION_CREATE, &req))
		return 50;
	m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)req.segment.offset);
	if (m == MAP_FAILED)
		return 51;
	memcpy(m, "memtag!", 8);
	address = (uintptr_t)m;
	if (write(to_parent, &address, sizeof(address)) != sizeof(address))
		return 52;
	raise(SIGSTOP);		/* the tracer reads the live segment */
	end = (struct memtag_ioc_region){ .id = req.id };
	if (ioctl(fd, MEMTAG_IOC_REGION_END, &end))
		return 53;
	raise(SIGSTOP);		/* and the ended one */
	return 0;
}

static bool stopped(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFSTOPPED(status);
}

/* Read 8 bytes at address of pid both ways; 0, or the errno both gave. */
static int read_both(pid_t pid, uint64_t address, char *peeked, char *pread_buf)
{
	char path[32];
	long word;
	int fd, peek_errno, pread_errno = 0;

	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, (void *)(uintptr_t)address, NULL);
	peek_errno = errno;
	memcpy(peeked, &word, sizeof(word) < 8 ? sizeof(word) : 8);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, pread_buf, 8, (off_t)address) != 8)
		pread_errno = fd < 0 ? -1 : errno;
	if (fd >= 0)
		close(fd);
	return peek_errno == pread_errno ? peek_errno : -1;
}

static size_t escapes_at(uint64_t address, uint32_t by)
{
	struct memtag_event_record *all;
	struct memtag_client *c;
	size_t n, i, found = 0;

	if (memtag_client_open(&c))
		return 0;
	if (!memtag_event_list(c, &all, &n)) {
		for (i = 0; i < n; i++)
			found += all[i].kind == MEMTAG_EVENT_USE_AFTER_END &&
				 all[i].address == address && all[i].tgid == by;
		free(all);
	}
	memtag_client_close(c);
	return found;
}

static void test_debugger_reads_recorded(void)
{
	char peeked[8] = "", read_buf[8] = "";
	uint64_t address = 0;
	int p[2], status;
	pid_t pid;

	if (strcmp(itest_expected_backend(), "software"))
		TEST_SKIP("MTE memory is the process's own: the module keeps no mapping to read");
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	pid = fork();
	if (pid == 0)
		_exit(traced_holder(p[1]));
	close(p[1]);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(read(p[0], &address, sizeof(address)), (ssize_t)sizeof(address));
	close(p[0]);
	CU_ASSERT_TRUE_FATAL(stopped(pid));
	CU_ASSERT_EQUAL(read_both(pid, address, peeked, read_buf), 0);
	CU_ASSERT_EQUAL(memcmp(peeked, "memtag!", sizeof(long) < 8 ? sizeof(long) : 8), 0);
	CU_ASSERT_EQUAL(memcmp(read_buf, "memtag!", 8), 0);
	CU_ASSERT_EQUAL(escapes_at(address, (uint32_t)getpid()), 0);
	CU_ASSERT_EQUAL(ptrace(PTRACE_CONT, pid, NULL, NULL), 0);
	CU_ASSERT_TRUE_FATAL(stopped(pid));
	CU_ASSERT_EQUAL(read_both(pid, address, peeked, read_buf), EIO);
	/* one record a read: the peek and the pread */
	CU_ASSERT_EQUAL(escapes_at(address, (uint32_t)getpid()), 2);
	CU_ASSERT_EQUAL(ptrace(PTRACE_CONT, pid, NULL, NULL), 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int itest_add_host_suite(void)
{
	static const struct test_case cases[] = {
		{ "another program's netlink socket closes during an owner's long release",
		  test_other_socket_close_not_held },
		{ "another memtag user's request completes during an owner's long release",
		  test_other_request_not_held },
		{ "a segment dump that a change interrupted says NLM_F_DUMP_INTR",
		  test_segment_dump_consistent },
		{ "an event dump whose records were overwritten says NLM_F_DUMP_INTR",
		  test_event_dump_says_records_lost },
		{ "ptrace and /proc/PID/mem: live segments read, ended ones refused and recorded",
		  test_debugger_reads_recorded },
		{ NULL, NULL },
	};

	return add_suite("host", cases);
}
