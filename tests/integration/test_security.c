// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What one user can do to the module and to other users: quotas that hold
 * and give back, records another user cannot read or evict. The attacks
 * run as uid 65534 (nobody), as an unprivileged local user would.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <netlink/genl/genl.h>
#include "client.h"
#include "memtag.h"
#include "itest.h"

#define NOBODY 65534
#define PROFILE_SIZE (((sizeof(struct memtag_profile_area) + 4095) / 4096) * 4096)

static struct memtag_client *client;

static int open_client(void)
{
	return memtag_client_open(&client);
}

static int close_client(void)
{
	memtag_client_close(client);
	client = NULL;
	return 0;
}

static struct memtag_status status_of(struct memtag_client *c)
{
	struct memtag_status st = { 0 };

	if (memtag_status_get(c, &st))
		st.version[0] = '\0';
	return st;
}

/* MTE memory is the process's own: the module keeps the range only. */
static uint64_t segment_address(void)
{
	return strcmp(itest_expected_backend(), "mte") ? 0 : 0x7f0000000000ULL;
}

static int become_nobody(void)
{
	return setgid(NOBODY) || setuid(NOBODY) ? -1 : 0;
}

/* Run fn as nobody in a child; its exit status (or 128+signal). */
static int as_nobody(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(become_nobody() ? 99 : fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A region with one segment of bytes, its owner then killed with SIGKILL. */
static int create_and_die(void *arg)
{
	uint64_t bytes = *(uint64_t *)arg;
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	struct memtag_client *own;

	if (memtag_client_open(&own) || memtag_region_create(own, 0, "crashing", 0, &r))
		return 20;
	if (bytes && memtag_segment_add(own, r.id, bytes, segment_address(), &grant))
		return 21;
	raise(SIGKILL);
	return 22;
}

/* What a restarted service does: one region of 64 KiB, ended. */
static int create_once(void *arg)
{
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	struct memtag_client *own;
	int ret;

	(void)arg;
	if (memtag_client_open(&own))
		return 30;
	ret = memtag_region_create(own, 0, "restarted", 0, &r);
	if (ret)
		return ret == -EDQUOT ? 31 : 32;
	ret = memtag_segment_add(own, r.id, 64 * 1024, segment_address(), &grant);
	if (ret)
		return ret == -EDQUOT ? 33 : 34;
	return memtag_region_end(own, r.id) ? 35 : 0;
}

/* The leaked records of uid, and the bytes they say they had. */
static size_t leaked_of(uint32_t uid, uint64_t *bytes)
{
	struct memtag_region_record *all;
	size_t n, i, leaked = 0;

	*bytes = 0;
	if (memtag_region_list(client, &all, &n))
		return 0;
	for (i = 0; i < n; i++) {
		if (all[i].uid == uid && all[i].state == MEMTAG_REGION_LEAKED) {
			leaked++;
			*bytes += all[i].bytes_reserved;
		}
	}
	free(all);
	return leaked;
}

static void test_leaked_regions_hold_no_quota(void)
{
	struct memtag_status before = status_of(client), after;
	uint64_t bytes = 64 * 1024, facts_before, facts;
	size_t leaked_before = leaked_of(NOBODY, &facts_before);
	int i;

	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_bytes_per_user", 262144), 0);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(as_nobody(create_and_die, &bytes), 128 + SIGKILL);
	after = status_of(client);
	CU_ASSERT_EQUAL(after.bytes_reserved, before.bytes_reserved);
	CU_ASSERT_EQUAL(after.regions_leaked, before.regions_leaked + 4);
	/* the records keep their facts */
	CU_ASSERT_EQUAL(leaked_of(NOBODY, &facts), leaked_before + 4);
	CU_ASSERT_EQUAL(facts - facts_before, 4 * bytes);
	/* a crashed and restarted service is not locked out */
	CU_ASSERT_EQUAL(as_nobody(create_once, NULL), 0);
	CU_ASSERT_EQUAL(itest_write_param("max_bytes_per_user", 4UL << 30), 0);
}

static int create_two(void *arg)
{
	struct memtag_region_record r[2];
	struct memtag_client *own;

	(void)arg;
	if (memtag_client_open(&own))
		return 40;
	if (memtag_region_create(own, 0, "one", 0, &r[0]) ||
	    memtag_region_create(own, 0, "two", 0, &r[1]))
		return 41;
	return memtag_region_end(own, r[0].id) || memtag_region_end(own, r[1].id) ? 42 : 0;
}

static void test_leaked_regions_hold_no_count(void)
{
	uint64_t none = 0;
	int i;

	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_regions_per_user", 2), 0);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(as_nobody(create_and_die, &none), 128 + SIGKILL);
	CU_ASSERT_EQUAL(as_nobody(create_two, NULL), 0);
	CU_ASSERT_EQUAL(itest_write_param("max_regions_per_user", 65536), 0);
}

/* memtag-scenario reserved-quota as nobody: its exit status. */
static int reserved_quota(void *arg)
{
	(void)arg;
	setenv("MEMTAG_OPTIONS", "quarantine_mb=0", 1);
	execlp("memtag-scenario", "memtag-scenario", "reserved-quota", (char *)NULL);
	return 98;
}

/*
 * A region reserved at end (software) or in the region table (MTE) counts
 * as live: claiming it cannot pass the limit.
 */
static void test_reservations_within_region_limit(void)
{
	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_regions_per_user", 3), 0);
	CU_ASSERT_EQUAL(as_nobody(reserved_quota, NULL), 0);
	CU_ASSERT_EQUAL(itest_write_param("max_regions_per_user", 65536), 0);
}

/* One lifetime ioctl on fd; 0 or -errno. */
static int lifetime_ioctl(int fd, unsigned long cmd, struct memtag_ioc_region *req)
{
	return ioctl(fd, cmd, req) ? -errno : 0;
}

/* A region with a new 64 KiB first segment, mapped and touched; its id or 0. */
static uint32_t touched_region(int fd, const char *name, uint32_t *segment, char **map)
{
	struct memtag_ioc_region req = { .segment.size = 65536 };
	char *p;

	snprintf(req.name, sizeof(req.name), "%s", name);
	if (lifetime_ioctl(fd, MEMTAG_IOC_REGION_CREATE, &req))
		return 0;
	p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)req.segment.offset);
	if (p == MAP_FAILED)
		return 0;
	memset(p, 'r', 65536);	/* root's data: no child may read it */
	*segment = req.segment.id;
	*map = p;
	return req.id;
}

static int take_parents_spare(void *arg)
{
	struct memtag_ioc_region req = { .name = "thief" };

	req.segment.id = *(uint32_t *)arg;
	return lifetime_ioctl(*((int *)arg + 1), MEMTAG_IOC_REGION_CREATE, &req) == -ENOENT ? 0 : 70;
}

/*
 * A forked child shares the open file, not the spares: as another user it
 * cannot take a spare root's end left (it would map root's pages). The
 * spare stays a plain one when the end cannot reserve a region on it
 * (root over a lowered max_regions_per_user).
 */
static void test_spare_not_taken_by_forked_child(void)
{
	struct memtag_ioc_region req = { .name = "extra" };
	uint32_t quarantined, second, r1, r2, r3, args[2];
	char *m1 = NULL, *m2 = NULL;
	int fd;

	if (!strcmp(itest_expected_backend(), "mte"))
		TEST_SKIP("software backend only: MTE spares are the process's own memory");
	fd = open("/dev/memtag", O_RDWR | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	r1 = touched_region(fd, "spare-1", &quarantined, &m1);
	CU_ASSERT_FATAL(r1 != 0);
	req.id = r1;
	CU_ASSERT_EQUAL_FATAL(lifetime_ioctl(fd, MEMTAG_IOC_REGION_END, &req), 0);
	r2 = touched_region(fd, "spare-2", &second, &m2);
	CU_ASSERT_FATAL(r2 != 0);
	memset(&req, 0, sizeof(req));
	strcpy(req.name, "extra");
	CU_ASSERT_EQUAL_FATAL(lifetime_ioctl(fd, MEMTAG_IOC_REGION_CREATE, &req), 0);
	r3 = req.id;
	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_regions_per_user", 1), 0);
	memset(&req, 0, sizeof(req));
	req.id = r2;
	req.segment.id = quarantined;	/* r2's pages move there: a spare */
	CU_ASSERT_EQUAL(lifetime_ioctl(fd, MEMTAG_IOC_REGION_END, &req), 0);
	CU_ASSERT_EQUAL(itest_write_param("max_regions_per_user", 65536), 0);
	CU_ASSERT_EQUAL(req.segment.id, quarantined);
	CU_ASSERT_EQUAL(req.reserved, 0);	/* over the limit: nothing reserved */
	args[0] = quarantined;
	args[1] = (uint32_t)fd;
	CU_ASSERT_EQUAL(as_nobody(take_parents_spare, args), 0);
	/* the spare is still root's: root takes it */
	memset(&req, 0, sizeof(req));
	strcpy(req.name, "spare-3");
	req.segment.id = quarantined;
	CU_ASSERT_EQUAL(lifetime_ioctl(fd, MEMTAG_IOC_REGION_CREATE, &req), 0);
	CU_ASSERT_EQUAL(req.segment.id, quarantined);
	req.segment.id = 0;
	CU_ASSERT_EQUAL(lifetime_ioctl(fd, MEMTAG_IOC_REGION_END, &req), 0);
	memset(&req, 0, sizeof(req));
	req.id = r3;
	CU_ASSERT_EQUAL(lifetime_ioctl(fd, MEMTAG_IOC_REGION_END, &req), 0);
	munmap(m1, 65536);
	munmap(m2, 65536);
	close(fd);
}

static int huge_segment(void *arg)
{
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	struct memtag_client *own;
	int ret;

	(void)arg;
	if (memtag_client_open(&own) || memtag_region_create(own, 0, "huge", 0, &r))
		return 50;
	/* wraps the quota sum; refused by the policy before any arithmetic */
	ret = memtag_segment_add(own, r.id, UINT64_MAX & ~4095ULL, segment_address(), &grant);
	if (ret != -ERANGE)
		return 51;
	if (memtag_segment_add(own, r.id, 0, segment_address(), &grant) != -ERANGE)
		return 52;
	if (memtag_segment_add(own, r.id, (1ULL << 30) + 4096, segment_address(), &grant) !=
	    -ERANGE)
		return 53;
	return memtag_region_end(own, r.id) ? 54 : 0;
}

static void test_segment_size_bounded(void)
{
	CU_ASSERT_EQUAL(as_nobody(huge_segment, NULL), 0);
}

/* One-page segments until the quota says no; how many were granted. */
static int page_segments(void *arg)
{
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	struct memtag_client *own;
	int n = 0, ret;

	(void)arg;
	if (memtag_client_open(&own) || memtag_region_create(own, 0, "pages", 0, &r))
		return 200;
	while (n < 100 && !(ret = memtag_segment_add(own, r.id, 4096, segment_address(), &grant)))
		n++;
	if (ret != -EDQUOT || strcmp(memtag_client_error(own), "user would exceed max_bytes_per_user"))
		return 201;
	return memtag_region_end(own, r.id) ? 202 : n;
}

static void test_metadata_counts_in_quota(void)
{
	int granted;

	/* 64 pages: their metadata must make the 64th not fit */
	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_bytes_per_user", 64 * 4096), 0);
	granted = as_nobody(page_segments, NULL);
	CU_ASSERT_TRUE(granted > 32 && granted < 64);
	CU_ASSERT_EQUAL(itest_write_param("max_bytes_per_user", 4UL << 30), 0);
}

static long vmalloc_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmallocUsed: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/*
 * Ended regions' 1 GiB segments kept mapped (as libmemtag's quarantine
 * does), 16 times: what the module still holds for them, in KiB of vmalloc
 * (the page arrays were 2 MiB each).
 */
static int quarantined_gib(void *arg)
{
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	struct memtag_client *own;
	long before = vmalloc_kib();
	int fd = open(MEMTAG_DEVICE, O_RDWR), i;

	(void)arg;
	if (fd < 0 || memtag_client_open(&own) || before < 0)
		return 1;
	for (i = 0; i < 16; i++) {
		if (memtag_region_create(own, 0, "quarantined", 0, &r) ||
		    memtag_segment_add(own, r.id, 1UL << 30, 0, &grant) ||
		    mmap(NULL, 1UL << 30, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 (off_t)grant.offset) == MAP_FAILED ||
		    memtag_region_end(own, r.id))
			return 2;
	}
	printf("\n    vmalloc after 16 ended 1 GiB segments kept mapped: %+ld KiB\n",
	       vmalloc_kib() - before);
	return vmalloc_kib() - before < 8192 ? 0 : 3;
}

static void test_quarantine_holds_no_page_arrays(void)
{
	if (strcmp(itest_expected_backend(), "software")) {
		TEST_SKIP("MTE segments are the process's memory: the module keeps no pages");
		return;
	}
	CU_ASSERT_EQUAL(as_nobody(quarantined_gib, NULL), 0);
}

/* Profile areas until refused; how many were granted, with EDQUOT after. */
static int profile_areas(void *arg)
{
	struct memtag_client *own;
	struct memtag_status before, after;
	int n = 0, fd, err = 0;
	void *m;

	(void)arg;
	if (memtag_client_open(&own))
		return 200;
	before = status_of(own);
	while (n < 20) {
		fd = open(MEMTAG_DEVICE, O_RDWR);
		if (fd < 0)
			return 201;
		m = mmap(NULL, PROFILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			err = errno;
			break;
		}
		n++;	/* fd and mapping stay: a live profile each */
	}
	after = status_of(own);
	if (err != EDQUOT)
		return 202;
	if (after.profiles != before.profiles + (uint64_t)n)
		return 203;	/* the refused ones left nothing behind */
	return n;
}

static void test_profiles_capped_per_user(void)
{
	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_profiles_per_user", 8), 0);
	CU_ASSERT_EQUAL(as_nobody(profile_areas, NULL), 8);
	CU_ASSERT_EQUAL(itest_write_param("max_profiles_per_user", 64), 0);
}

static int profile_dofork(void *arg)
{
	int fd = open(MEMTAG_DEVICE, O_RDWR);
	void *m;

	(void)arg;
	if (fd < 0)
		return 60;
	m = mmap(NULL, PROFILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		fprintf(stderr, "profile mmap: %s\n", strerror(errno));
		return 61;
	}
	/* a child sharing it could write its parent's profile (ENOSYS: no madvise at all) */
	if (madvise(m, PROFILE_SIZE, MADV_DOFORK) == -1 && (errno == EINVAL || errno == ENOSYS))
		return 0;
	fprintf(stderr, "madvise(MADV_DOFORK) on the profile: %s\n", strerror(errno));
	return 62;
}

static void test_profile_not_inheritable(void)
{
	CU_ASSERT_EQUAL(as_nobody(profile_dofork, NULL), 0);
}

struct victim {
	uint32_t id;
	uint64_t offset;	/* of its segment on /dev/memtag */
};

#define SECRET_NAME "secret-victim-name"
#define SECRET_SITE 0x5ec2e75177eULL

/* Whether any event nobody may read names the victim. */
static int events_name(const struct victim *v, struct memtag_client *own)
{
	struct memtag_event_record *all;
	size_t n, i;
	int named = 0;

	if (memtag_event_list(own, &all, &n))
		return -1;
	for (i = 0; i < n; i++)
		named |= all[i].region == v->id || all[i].site == SECRET_SITE ||
			 !strcmp(all[i].region_name, SECRET_NAME);
	free(all);
	return named;
}

static int intrude(void *arg)
{
	const struct victim *v = arg;
	struct memtag_region_record r;
	struct memtag_client *own;
	char seen[MEMTAG_ERRMSG_MAX];
	void *m;
	int fd;

	if (memtag_client_open(&own))
		return 70;
	if (memtag_region_end(own, 0x7ffffff0) != -ENOENT)
		return 71;
	snprintf(seen, sizeof(seen), "%s", memtag_client_error(own));
	/* the same answer for another user's id as for none */
	if (memtag_region_end(own, v->id) != -ENOENT || strcmp(memtag_client_error(own), seen))
		return 72;
	if (memtag_region_reset(own, v->id, NULL) != -ENOENT)
		return 73;
	if (memtag_region_create(own, v->id, "child", 0, &r) != -ENOENT)
		return 74;
	fd = open(MEMTAG_DEVICE, O_RDWR);
	m = mmap(NULL, 65536, PROT_READ, MAP_SHARED, fd, (off_t)v->offset);
	if (m != MAP_FAILED || errno != ENOENT)
		return 75;
	return events_name(v, own) ? 76 : 0;
}

/* The foreign-region events root sees from tgid; the attempts are recorded. */
static size_t foreign_events(uint32_t region)
{
	struct memtag_event_record *all;
	size_t n, i, found = 0;

	if (memtag_event_list(client, &all, &n))
		return 0;
	for (i = 0; i < n; i++)
		found += all[i].kind == MEMTAG_EVENT_FOREIGN_REGION && all[i].region == region &&
			 all[i].uid == NOBODY;
	free(all);
	return found;
}

static void test_foreign_user_learns_nothing(void)
{
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	struct victim v;

	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, 0, SECRET_NAME, SECRET_SITE, &r), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_segment_add(client, r.id, 65536, segment_address(), &grant), 0);
	v.id = r.id;
	v.offset = grant.offset;
	CU_ASSERT_EQUAL(as_nobody(intrude, &v), 0);
	/* the owner (root here) still has the audit: end, reset, create, mmap */
	CU_ASSERT_EQUAL(foreign_events(r.id), 4);
	CU_ASSERT_EQUAL(memtag_region_end(client, r.id), 0);
}

#define MARKER_SIZE 777777

static int flood_reports(void *arg)
{
	struct memtag_event_record report = { .kind = MEMTAG_EVENT_INVALID_FREE };
	unsigned long i, count = *(unsigned long *)arg;
	struct memtag_client *own;
	struct memtag_status st;

	if (memtag_client_open(&own))
		return 80;
	for (i = 0; i < count; i++)
		if (memtag_event_report(own, &report))
			return 81;
	st = status_of(own);
	/* what was refused is counted, for this user */
	return st.events_refused >= 100 ? 0 : 82;
}

static bool has_marker(void)
{
	struct memtag_event_record *all;
	size_t n, i;
	bool found = false;

	if (memtag_event_list(client, &all, &n))
		return false;
	for (i = 0; i < n; i++)
		found |= all[i].kind == MEMTAG_EVENT_DOUBLE_FREE && all[i].size == MARKER_SIZE &&
			 all[i].uid == 0;
	free(all);
	return found;
}

static void test_flood_cannot_evict_others(void)
{
	struct memtag_event_record marker = { .kind = MEMTAG_EVENT_DOUBLE_FREE,
					      .size = MARKER_SIZE };
	unsigned long flood = itest_read_param("event_ring_size") + 100;

	CU_ASSERT_TRUE_FATAL(flood > 100);
	CU_ASSERT_EQUAL_FATAL(memtag_event_report(client, &marker), 0);
	CU_ASSERT_EQUAL(as_nobody(flood_reports, &flood), 0);
	CU_ASSERT_TRUE(has_marker());
}

/* A setuid program acts as its effective user, as the kernel's checks do. */
static int effective_uid(void *arg)
{
	struct memtag_region_record r;
	struct memtag_client *own;

	(void)arg;
	if (setresuid(NOBODY, 0, 0))
		return 90;
	if (memtag_client_open(&own) || memtag_region_create(own, 0, "setuid", 0, &r))
		return 91;
	if (r.uid != 0)
		return 92;
	return memtag_region_end(own, r.id) ? 93 : 0;
}

static void test_identity_is_effective_uid(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(effective_uid(NULL));
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

/* A raw socket whose receive buffer holds about one reply. */
static struct nl_sock *tiny_socket(void)
{
	struct nl_sock *sock = nl_socket_alloc();

	if (!sock || genl_connect(sock) || nl_socket_set_buffer_size(sock, 1, 0)) {
		nl_socket_free(sock);
		return NULL;
	}
	return sock;
}

/* Send count REGION_CREATE without reading; then the replies that arrived. */
static int creates_answered(struct nl_sock *sock, int count)
{
	char buf[65536];
	int i, answered = 0, family = memtag_client_family(client);
	struct nlmsghdr *nlh;
	struct nl_msg *msg;
	ssize_t len;

	for (i = 0; i < count; i++) {
		msg = nlmsg_alloc();
		genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
			    MEMTAG_CMD_REGION_CREATE, MEMTAG_GENL_VERSION);
		nla_put_string(msg, MEMTAG_A_REGION_NAME, "undo-probe");
		if (nl_send_auto(sock, msg) < 0)
			return -1;
		nlmsg_free(msg);
	}
	for (;;) {
		len = recv(nl_socket_get_fd(sock), buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && errno == ENOBUFS)
			continue;	/* the overrun we caused */
		if (len <= 0)
			break;
		for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, (int)len);
		     nlh = nlmsg_next(nlh, (int *)&len))
			answered += nlh->nlmsg_type == family &&
				    ((struct genlmsghdr *)nlmsg_data(nlh))->cmd ==
				    MEMTAG_CMD_REGION_CREATE;
	}
	return answered;
}

/* Live "undo-probe" regions of this process, ended on the way. */
static int probes_left(void)
{
	struct memtag_region_record *all;
	size_t n, i;
	int left = 0;

	if (memtag_region_list(client, &all, &n))
		return -1;
	for (i = 0; i < n; i++) {
		if (all[i].tgid == (uint32_t)getpid() && all[i].state == MEMTAG_REGION_LIVE &&
		    !strcmp(all[i].name, "undo-probe")) {
			left++;
			memtag_region_end(client, all[i].id);
		}
	}
	free(all);
	return left;
}

static void test_unsent_reply_undone(void)
{
	struct nl_sock *sock = tiny_socket();
	int answered;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sock);
	answered = creates_answered(sock, 32);
	/* some replies could not be queued: those regions must not exist */
	CU_ASSERT_TRUE(answered >= 1 && answered < 32);
	CU_ASSERT_EQUAL(probes_left(), answered);
	nl_socket_free(sock);
}

/*
 * END and RESET naming the region's own first segment as the one to
 * recycle: refused. It once took that segment's lock twice and hung the
 * module (regions_lock held) for every user.
 */
static int recycle_own_first(void *arg)
{
	struct memtag_ioc_region req = { .name = "self-recycle", .segment.size = 65536 };
	struct memtag_ioc_region again;
	int fd = open(MEMTAG_DEVICE, O_RDWR);

	(void)arg;
	req.segment.address = segment_address();
	if (fd < 0 || ioctl(fd, MEMTAG_IOC_REGION_CREATE, &req))
		return 100;
	if (segment_address() == 0 &&
	    mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)req.segment.offset) == MAP_FAILED)
		return 101;
	again = (struct memtag_ioc_region){ .id = req.id, .segment.id = req.segment.id };
	if (ioctl(fd, MEMTAG_IOC_REGION_RESET, &again) != -1 || errno != EINVAL)
		return 102;
	again = (struct memtag_ioc_region){ .id = req.id, .segment.id = req.segment.id };
	if (ioctl(fd, MEMTAG_IOC_REGION_END, &again) != -1 || errno != EINVAL)
		return 103;
	again = (struct memtag_ioc_region){ .id = req.id };
	return ioctl(fd, MEMTAG_IOC_REGION_END, &again) ? 104 : 0;
}

static void test_recycle_own_segment_refused(void)
{
	CU_ASSERT_EQUAL(as_nobody(recycle_own_first, NULL), 0);
}

/* A 64 KiB region made on fd whose segment is mapped through map_fd; NULL on failure. */
static char *mapped_region(int fd, int map_fd, struct memtag_ioc_region *req)
{
	char *m;

	*req = (struct memtag_ioc_region){ .name = "spare-probe", .segment.size = 65536 };
	if (ioctl(fd, MEMTAG_IOC_REGION_CREATE, req))
		return NULL;
	m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd,
		 (off_t)req->segment.offset);
	return m == MAP_FAILED ? NULL : m;
}

/*
 * A spare mapped through a second open file, its owner (the first file)
 * closed: the spare must be revoked, not left live with pages outside
 * every quota.
 */
static int spare_outlives_owner(void *arg)
{
	int owner = open(MEMTAG_DEVICE, O_RDWR), mapper = open(MEMTAG_DEVICE, O_RDWR);
	struct memtag_ioc_region first, second, end;
	struct memtag_client *own;

	(void)arg;
	if (owner < 0 || mapper < 0 || memtag_client_open(&own))
		return 110;
	if (!mapped_region(owner, mapper, &first))
		return 111;
	end = (struct memtag_ioc_region){ .id = first.id };
	if (ioctl(owner, MEMTAG_IOC_REGION_END, &end))
		return 112;
	if (!mapped_region(owner, mapper, &second))
		return 113;
	/* the first segment, revoked and still mapped, takes the second's pages */
	end = (struct memtag_ioc_region){ .id = second.id, .segment.id = first.segment.id };
	if (ioctl(owner, MEMTAG_IOC_REGION_END, &end) || end.segment.id != first.segment.id)
		return 114;
	if (itest_segment_state(own, 0, first.segment.id) != MEMTAG_SEGMENT_LIVE)
		return 115;
	close(owner);	/* its spares go with it; the mappings are the other file's */
	return itest_segment_state(own, 0, first.segment.id) == MEMTAG_SEGMENT_ENDED ? 0 : 116;
}

static void test_spare_revoked_with_owner(void)
{
	if (strcmp(itest_expected_backend(), "software"))
		TEST_SKIP("MTE spares are the process's memory: the module keeps no pages");
	CU_ASSERT_EQUAL(as_nobody(spare_outlives_owner, NULL), 0);
}

/* ---- the region table (MTE): slots the owner writes, the module reads ---- */

#define TABLE_MAP_BYTES (((MEMTAG_TABLE_BYTES) + 4095UL) & ~4095UL)
#define LONG_NAME_LEN (MEMTAG_REGION_NAME_MAX - 1)

/* A region table of its own: mapped and refilled; NULL if not. */
static struct memtag_region_slot *table_of(int fd, uint64_t *ready)
{
	struct memtag_ioc_table refill = { 0 };
	void *p = mmap(NULL, TABLE_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       MEMTAG_TABLE_OFFSET);

	if (p == MAP_FAILED || ioctl(fd, MEMTAG_IOC_TABLE_REFILL, &refill))
		return NULL;
	*ready = refill.ready;
	return refill.count == __builtin_popcountll(refill.ready) ? p : NULL;
}

/* The nth ready slot (n from 0), -1 if fewer. */
static int nth_slot(uint64_t ready, int n)
{
	int i;

	for (i = 0; i < MEMTAG_TABLE_SLOTS; i++)
		if ((ready >> i & 1) && !n--)
			return i;
	return -1;
}

/* What the owner does after a claim or an end: tell the module the table changed. */
static void bump(struct memtag_region_slot *t)
{
	__atomic_fetch_add(&((struct memtag_table_header *)&t[MEMTAG_TABLE_SLOTS])->generation, 1,
			   __ATOMIC_RELEASE);
}

/* Claim slot s as the owner would (no bump), with whatever claim word it says. */
static void forge(struct memtag_region_slot *s, uint32_t claim, uint32_t parent, const char *name,
		  uint64_t address, uint64_t size)
{
	memset(&s->desc, 0, sizeof(s->desc));
	s->desc.parent = parent;
	s->desc.site = 0x1234;
	if (name)
		snprintf(s->desc.name, sizeof(s->desc.name), "%s", name);
	else
		memset(s->desc.name, 'A', sizeof(s->desc.name));	/* no NUL */
	s->address = address;
	s->size = size;
	__atomic_store_n(&s->desc.claim, claim, __ATOMIC_RELEASE);
}

/* This process's region named name (live), or NULL; *n: how many of that name. */
static const struct memtag_region_record *own_named(const struct memtag_region_record *all,
						    size_t count, const char *name, int *n)
{
	const struct memtag_region_record *found = NULL;
	size_t i;

	*n = 0;
	for (i = 0; i < count; i++) {
		if (all[i].tgid == (uint32_t)getpid() && !strcmp(all[i].name, name)) {
			found = &all[i];
			++*n;
		}
	}
	return found;
}

struct racer {
	struct memtag_region_slot *table, *slot;
	uint32_t id;
	volatile bool stop;
};

/* Rewrites a slot while the module reads it: claim, name, parent, segment. */
static void *rewrite_slot(void *arg)
{
	struct racer *rc = arg;
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	while (!rc->stop) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		rc->slot->desc.parent = (uint32_t)x;
		memset(rc->slot->desc.name, (int)(x >> 8) | 1, sizeof(rc->slot->desc.name));
		rc->slot->address = x & ~0xfffULL;
		rc->slot->size = x >> 40;
		__atomic_store_n(&rc->slot->desc.claim, x & 1 ? rc->id : (uint32_t)(x >> 32),
				 __ATOMIC_RELEASE);
		bump(rc->table);
	}
	return NULL;
}

/*
 * As nobody: forged slots are refused (wrong ids, another file's id, an
 * end never claimed), lies about parents, names and segments hurt only
 * the liar's records, a slot rewritten while read settles sane, a claim
 * without a generation bump is settled at the latest by the refill or the
 * release (leaked). Exit status 0, or where it went wrong.
 */
static int forge_slots(void *arg)
{
	int fd = open("/dev/memtag", O_RDWR | O_CLOEXEC), fd2 = open("/dev/memtag", O_RDWR);
	const struct memtag_region_record *rec;
	struct memtag_region_record *all, nl;
	struct memtag_ioc_table refill = { 0 };
	struct memtag_region_slot *t, *t2;
	struct memtag_status st0, st1, st2;
	uint64_t ready, ready2;
	struct memtag_client *own;
	struct racer rc = { 0 };
	char long_name[MEMTAG_REGION_NAME_MAX];
	int slot[12], i, n;
	pthread_t racer;
	size_t count;
	void *mem;

	(void)arg;
	if (fd < 0 || fd2 < 0 || memtag_client_open(&own))
		return 120;
	t = table_of(fd, &ready);
	t2 = table_of(fd2, &ready2);
	if (!t || !t2)
		return 121;
	for (i = 0; i < 12; i++)
		if ((slot[i] = nth_slot(ready, i)) < 0)
			return 122;
	mem = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || memtag_region_create(own, 0, "nl-parent", 0, &nl))
		return 123;
	st0 = status_of(own);
	forge(&t[slot[0]], t[slot[0]].id + 1000000, 0, "bad-id", 0, 0);
	forge(&t[slot[1]], t[slot[2]].id, 0, "wrong-slot", 0, 0);
	forge(&t[slot[3]], t2[nth_slot(ready2, 0)].id, 0, "other-file", 0, 0);
	t[slot[4]].end = t[slot[4]].id;		/* an end never claimed */
	forge(&t[slot[5]], t[slot[5]].id, nl.id, "socket-parent", 0, 0);
	forge(&t[slot[6]], t[slot[6]].id, t[slot[7]].id, "reserved-parent", 0, 0);
	forge(&t[slot[8]], t[slot[8]].id, 0, NULL, 0x1001, 3);
	forge(&t[slot[9]], t[slot[9]].id, 0, "good", (uintptr_t)mem, 65536);
	bump(t);
	st1 = status_of(own);
	if (st1.regions_created - st0.regions_created != 4 || st1.regions_ended != st0.regions_ended)
		return 124;
	if (memtag_region_list(own, &all, &count))
		return 125;
	memset(long_name, 'A', LONG_NAME_LEN);
	long_name[LONG_NAME_LEN] = '\0';
	if (own_named(all, count, "bad-id", &n) || own_named(all, count, "wrong-slot", &n) ||
	    own_named(all, count, "other-file", &n))
		return 126;
	rec = own_named(all, count, "socket-parent", &n);
	if (!rec || n != 1 || rec->parent)
		return 127;
	rec = own_named(all, count, "reserved-parent", &n);
	if (!rec || n != 1 || rec->parent)
		return 128;
	rec = own_named(all, count, long_name, &n);
	if (!rec || n != 1 || rec->bytes_reserved)
		return 129;
	rec = own_named(all, count, "good", &n);
	if (!rec || n != 1 || rec->bytes_reserved != 65536 || rec->site != 0x1234)
		return 130;
	free(all);
	/* ends: a wrong id is no end, the right one ends it */
	t[slot[5]].end = t[slot[5]].id + 1;
	__atomic_store_n(&t[slot[9]].end, t[slot[9]].id, __ATOMIC_RELEASE);
	bump(t);
	st2 = status_of(own);
	if (st2.regions_ended - st1.regions_ended != 1 || st2.regions_created != st1.regions_created)
		return 131;
	if (memtag_region_list(own, &all, &count))
		return 132;
	if (own_named(all, count, "good", &n) || !own_named(all, count, "socket-parent", &n))
		return 133;
	free(all);
	/* a slot rewritten while the module reads it */
	rc.table = t;
	rc.slot = &t[slot[10]];
	rc.id = t[slot[10]].id;
	if (pthread_create(&racer, NULL, rewrite_slot, &rc))
		return 134;
	for (i = 0; i < 200; i++) {
		status_of(own);
		if (!memtag_region_list(own, &all, &count))
			free(all);
	}
	rc.stop = true;
	pthread_join(racer, NULL);
	if (memtag_region_list(own, &all, &count))
		return 135;
	for (i = 0; i < (int)count; i++) {
		if (all[i].tgid != (uint32_t)getpid())
			continue;
		if (strnlen(all[i].name, sizeof(all[i].name)) >= sizeof(all[i].name))
			return 136;
		if (all[i].parent && all[i].parent != nl.id)
			return 137;	/* no parent here but nl-parent, and none claimed one */
	}
	free(all);
	/* claims without a bump: the refill reads every slot, so does the release */
	forge(&t[slot[11]], t[slot[11]].id, 0, "unbumped", 0, 0);
	forge(&t2[nth_slot(ready2, 1)], t2[nth_slot(ready2, 1)].id, 0, "unbumped-leak", 0, 0);
	/* the refill finds only the ended slot free (and the raced one, if it ended) */
	if (ioctl(fd, MEMTAG_IOC_TABLE_REFILL, &refill))
		return 138;
	if ((refill.ready & ~(1ULL << slot[10])) != 1ULL << slot[9])
		return 139;
	munmap(t2, TABLE_MAP_BYTES);
	close(fd2);
	if (memtag_region_list(own, &all, &count))
		return 140;
	rec = own_named(all, count, "unbumped", &n);
	if (!rec || n != 1 || rec->state != MEMTAG_REGION_LIVE)
		return 141;
	rec = own_named(all, count, "unbumped-leak", &n);
	if (!rec || n != 1 || rec->state != MEMTAG_REGION_LEAKED)
		return 142;
	free(all);
	return 0;
}

static void test_forged_slots_refused(void)
{
	int fd = open("/dev/memtag", O_RDWR | O_CLOEXEC);
	struct memtag_ioc_table refill = { 0 };
	void *p;
	int ret;

	CU_ASSERT_FATAL(fd >= 0);
	p = mmap(NULL, TABLE_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, MEMTAG_TABLE_OFFSET);
	if (strcmp(itest_expected_backend(), "mte")) {
		/* software: a create claims a spare's descriptor; no table to map */
		CU_ASSERT_EQUAL(p, MAP_FAILED);
		CU_ASSERT_EQUAL(errno, ENODEV);
		CU_ASSERT_EQUAL(ioctl(fd, MEMTAG_IOC_TABLE_REFILL, &refill), -1);
		CU_ASSERT_EQUAL(errno, ENXIO);
		close(fd);
		return;
	}
	CU_ASSERT_NOT_EQUAL(p, MAP_FAILED);
	/* wrong sizes, private or executable mappings are refused */
	CU_ASSERT_EQUAL(mmap(NULL, 2 * TABLE_MAP_BYTES, PROT_READ, MAP_SHARED, fd,
			     MEMTAG_TABLE_OFFSET), MAP_FAILED);
	CU_ASSERT_EQUAL(mmap(NULL, TABLE_MAP_BYTES, PROT_READ, MAP_PRIVATE, fd,
			     MEMTAG_TABLE_OFFSET), MAP_FAILED);
	CU_ASSERT_EQUAL(mmap(NULL, TABLE_MAP_BYTES, PROT_READ | PROT_EXEC, MAP_SHARED, fd,
			     MEMTAG_TABLE_OFFSET), MAP_FAILED);
	refill.pad = 1;
	CU_ASSERT_EQUAL(ioctl(fd, MEMTAG_IOC_TABLE_REFILL, &refill), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	if (p != MAP_FAILED)
		munmap(p, TABLE_MAP_BYTES);
	close(fd);
	/* settled before: nothing of ours is left for the child's counts */
	status_of(client);
	ret = as_nobody(forge_slots, NULL);
	if (ret)
		printf("\n    forge_slots exited %d\n", ret);
	CU_ASSERT_EQUAL(ret, 0);
}

/* A forked child of the table's process refills another's table: EPERM. */
static void test_table_not_inherited(void)
{
	struct memtag_ioc_table refill = { 0 };
	struct memtag_region_slot *t;
	uint64_t ready;
	int fd, status;
	pid_t pid;

	if (strcmp(itest_expected_backend(), "mte"))
		TEST_SKIP("MTE only: no region table on the software backend");
	fd = open("/dev/memtag", O_RDWR | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	t = table_of(fd, &ready);
	CU_ASSERT_FATAL(t != NULL);
	pid = fork();
	if (pid == 0) {
		void *p = mmap(NULL, TABLE_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			       MEMTAG_TABLE_OFFSET);

		_exit(ioctl(fd, MEMTAG_IOC_TABLE_REFILL, &refill) == -1 && errno == EPERM &&
		      p == MAP_FAILED && errno == EPERM ? 0 : 1);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	munmap(t, TABLE_MAP_BYTES);	/* the mapping holds the file (and the module) */
	close(fd);
}

/*
 * libmemtag's own regions (slots under MTE): an end shows at once in a
 * listing, a parent's end takes its child, and the regions live when the
 * process is killed are leaked with their names.
 */
static int slots_then_killed(void *arg)
{
	struct tag_region *a, *b, *gone, *parent, *child;
	struct memtag_region_record *all;
	struct memtag_client *own;
	size_t count;
	int n;

	(void)arg;
	a = tag_region_create(NULL, "slot-leak-a", 0);
	b = tag_region_create(NULL, "slot-leak-b", 0);
	gone = tag_region_create(NULL, "slot-gone", 0);
	parent = tag_region_create(NULL, "slot-parent", 0);
	child = parent ? tag_region_create(parent, "slot-child", 0) : NULL;
	if (!a || !b || !gone || !child || !tag_alloc(a, 100) || !tag_alloc(child, 100))
		return 150;
	if (tag_region_end(gone) || tag_region_end(parent) || memtag_client_open(&own))
		return 151;
	if (memtag_region_list(own, &all, &count))
		return 152;
	if (!own_named(all, count, "slot-leak-a", &n) || !own_named(all, count, "slot-leak-b", &n) ||
	    own_named(all, count, "slot-gone", &n) || own_named(all, count, "slot-parent", &n) ||
	    own_named(all, count, "slot-child", &n))
		return 153;
	raise(SIGKILL);
	return 154;
}

static void test_killed_slots_leaked(void)
{
	struct memtag_region_record *all;
	size_t count, i;
	int leaked = 0, other = 0;

	CU_ASSERT_EQUAL(as_nobody(slots_then_killed, NULL), 128 + SIGKILL);
	CU_ASSERT_EQUAL_FATAL(memtag_region_list(client, &all, &count), 0);
	for (i = 0; i < count; i++) {
		if (all[i].uid != NOBODY)
			continue;
		if (!strncmp(all[i].name, "slot-leak-", 10))
			leaked += all[i].state == MEMTAG_REGION_LEAKED;
		else if (!strncmp(all[i].name, "slot-", 5))
			other++;
	}
	free(all);
	/* other runs' records may be there too: at least these two, nothing ended */
	CU_ASSERT_TRUE(leaked >= 2);
	CU_ASSERT_EQUAL(other, 0);
}

int itest_add_security_suite(void)
{
	static const struct test_case cases[] = {
		{ "leaked regions give their bytes back, keep the facts",
		  test_leaked_regions_hold_no_quota },
		{ "leaked regions do not count as live regions", test_leaked_regions_hold_no_count },
		{ "regions reserved at end stay within max_regions_per_user",
		  test_reservations_within_region_limit },
		{ "a forked child of another user cannot take its parent's spare",
		  test_spare_not_taken_by_forked_child },
		{ "segment size bounded by the policy", test_segment_size_bounded },
		{ "segment metadata counts in the byte quota", test_metadata_counts_in_quota },
		{ "revoked segments kept mapped hold no page arrays",
		  test_quarantine_holds_no_page_arrays },
		{ "profile areas capped per user", test_profiles_capped_per_user },
		{ "profile mapping cannot be inherited", test_profile_not_inheritable },
		{ "another user's ids: ENOENT, nothing of theirs to read back",
		  test_foreign_user_learns_nothing },
		{ "a flood of reports cannot evict another user's events",
		  test_flood_cannot_evict_others },
		{ "identity is the effective uid", test_identity_is_effective_uid },
		{ "a reply that cannot be sent leaves no region", test_unsent_reply_undone },
		{ "recycling a region's own first segment is refused, not a hang",
		  test_recycle_own_segment_refused },
		{ "a spare mapped through another file is revoked with its owner",
		  test_spare_revoked_with_owner },
		{ "forged region table slots are refused, lies hurt only the liar",
		  test_forged_slots_refused },
		{ "a region table serves only the process that mapped it",
		  test_table_not_inherited },
		{ "regions of a killed process, claimed in slots, are leaked; ended ones not",
		  test_killed_slots_leaked },
		{ NULL, NULL },
	};

	return add_suite_fixture("security", open_client, close_client, cases);
}
