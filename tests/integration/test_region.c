// SPDX-License-Identifier: GPL-2.0-or-later
/* Region records: lifetime, nesting, ownership, leaks of departed owners. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <netlink/genl/genl.h>
#include "client.h"
#include "itest.h"

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

/* The module's record of id, looked up in a fresh dump; 0 or -ENOENT. */
static int find_region(uint32_t id, struct memtag_region_record *out)
{
	struct memtag_region_record *all;
	size_t n, i;
	int ret = -ENOENT;

	if (memtag_region_list(client, &all, &n))
		return -EIO;
	for (i = 0; i < n; i++) {
		if (all[i].id == id) {
			*out = all[i];
			ret = 0;
		}
	}
	free(all);
	return ret;
}

static struct memtag_status status_now(void)
{
	struct memtag_status st = { 0 };

	CU_ASSERT_EQUAL(memtag_status_get(client, &st), 0);
	return st;
}

static void test_create_records_fields(void)
{
	struct memtag_region_record r, seen;
	struct memtag_status before = status_now();

	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, 0, "http-request", 0x1234abcd, &r), 0);
	CU_ASSERT_TRUE(r.id > 0);
	CU_ASSERT_STRING_EQUAL(r.name, "http-request");
	CU_ASSERT_EQUAL(r.parent, 0);
	CU_ASSERT_EQUAL(r.state, MEMTAG_REGION_LIVE);
	CU_ASSERT_EQUAL(r.tgid, (uint32_t)getpid());
	CU_ASSERT_EQUAL(r.uid, 0);
	CU_ASSERT_EQUAL(r.site, 0x1234abcd);
	CU_ASSERT_TRUE(r.created_ns > 0);
	CU_ASSERT_EQUAL_FATAL(find_region(r.id, &seen), 0);
	CU_ASSERT_STRING_EQUAL(seen.name, "http-request");
	CU_ASSERT_EQUAL(status_now().regions_created, before.regions_created + 1);
	CU_ASSERT_EQUAL(memtag_region_end(client, r.id), 0);
	CU_ASSERT_EQUAL(find_region(r.id, &seen), -ENOENT);
	CU_ASSERT_EQUAL(memtag_region_end(client, r.id), -ENOENT);
	CU_ASSERT_STRING_EQUAL(memtag_client_error(client), "no such region");
}

/*
 * An ioctl create whose answer cannot be written back (a read-only
 * argument) is undone: EFAULT, and no region counted as created or ended.
 */
static void test_ioctl_create_undone_uncounted(void)
{
	struct memtag_status before, after;
	struct memtag_ioc_region *req;
	int fd = open("/dev/memtag", O_RDWR | O_CLOEXEC);

	CU_ASSERT_FATAL(fd >= 0);
	req = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(req != MAP_FAILED);
	memset(req, 0, sizeof(*req));
	strcpy(req->name, "undone");	/* no first segment: valid on both backends */
	CU_ASSERT_EQUAL_FATAL(mprotect(req, 4096, PROT_READ), 0);
	before = status_now();
	errno = 0;
	CU_ASSERT_EQUAL(ioctl(fd, MEMTAG_IOC_REGION_CREATE, req), -1);
	CU_ASSERT_EQUAL(errno, EFAULT);
	after = status_now();
	CU_ASSERT_EQUAL(after.regions_created, before.regions_created);
	CU_ASSERT_EQUAL(after.regions_ended, before.regions_ended);
	CU_ASSERT_EQUAL(after.regions_live, before.regions_live);
	munmap(req, 4096);
	close(fd);
}

static void test_end_ends_children(void)
{
	struct memtag_region_record parent, child, grandchild, seen;
	struct memtag_status before = status_now();

	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, 0, "connection", 0, &parent), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, parent.id, "request", 0, &child), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, child.id, "parse", 0, &grandchild), 0);
	CU_ASSERT_EQUAL(child.parent, parent.id);
	CU_ASSERT_EQUAL(memtag_region_end(client, parent.id), 0);
	CU_ASSERT_EQUAL(find_region(child.id, &seen), -ENOENT);
	CU_ASSERT_EQUAL(find_region(grandchild.id, &seen), -ENOENT);
	CU_ASSERT_EQUAL(status_now().regions_ended, before.regions_ended + 3);
}

static void test_reset_keeps_region_ends_children(void)
{
	struct memtag_region_record pool, child, after, seen;

	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, 0, "pool", 0, &pool), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, pool.id, "job", 0, &child), 0);
	CU_ASSERT_EQUAL(memtag_region_reset(client, pool.id, &after), 0);
	CU_ASSERT_EQUAL(after.id, pool.id);
	CU_ASSERT_EQUAL(after.resets, 1);
	CU_ASSERT_EQUAL(after.state, MEMTAG_REGION_LIVE);
	CU_ASSERT_EQUAL(find_region(child.id, &seen), -ENOENT);
	CU_ASSERT_EQUAL(memtag_region_reset(client, pool.id, &after), 0);
	CU_ASSERT_EQUAL(after.resets, 2);
	CU_ASSERT_EQUAL(memtag_region_end(client, pool.id), 0);
}

static void test_nesting_depth_bounded(void)
{
	struct memtag_region_record r;
	uint32_t top = 0, parent = 0;
	int created = 0, ret = 0;

	while (created < 32 && !ret) {
		ret = memtag_region_create(client, parent, "deep", 0, &r);
		if (!ret) {
			parent = r.id;
			top = top ? top : r.id;
			created++;
		}
	}
	CU_ASSERT_EQUAL(ret, -EMLINK);
	CU_ASSERT_EQUAL(created, 16);
	CU_ASSERT_STRING_EQUAL(memtag_client_error(client), "regions nest too deep");
	CU_ASSERT_EQUAL(memtag_region_end(client, top), 0);
}

/* Run fn in a child process; return its exit status (or 128+signal). */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int end_foreign_region(void *arg)
{
	struct memtag_client *other;
	int ret;

	if (memtag_client_open(&other))
		return 10;
	ret = memtag_region_end(other, *(uint32_t *)arg);
	if (ret != -EPERM)
		return 11;
	if (strcmp(memtag_client_error(other), "region belongs to another process"))
		return 12;
	if (memtag_region_reset(other, *(uint32_t *)arg, NULL) != -EPERM)
		return 13;
	return 0;
}

static void test_other_process_gets_eperm(void)
{
	struct memtag_region_record r, seen;
	struct memtag_status before = status_now();

	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, 0, "mine", 0, &r), 0);
	CU_ASSERT_EQUAL(in_child(end_foreign_region, &r.id), 0);
	CU_ASSERT_EQUAL(find_region(r.id, &seen), 0);
	CU_ASSERT_EQUAL(seen.state, MEMTAG_REGION_LIVE);
	CU_ASSERT_EQUAL(status_now().violations, before.violations + 2);
	CU_ASSERT_EQUAL(memtag_region_end(client, r.id), 0);
}

struct leaker {
	int how;		/* 0: exit, 1: SIGKILL */
	uint32_t *id;		/* shared with the parent */
};

static int leak_region(void *arg)
{
	struct leaker *l = arg;
	struct memtag_region_record r;
	struct memtag_client *own;

	if (memtag_client_open(&own) || memtag_region_create(own, 0, "leaky-job", 42, &r))
		return 20;
	*l->id = r.id;
	if (l->how == 1)
		raise(SIGKILL);
	return 0;	/* exit closes the socket without ending the region */
}

static void check_leak(int how, int expected_status)
{
	uint32_t *id = mmap(NULL, sizeof(*id), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct leaker l = { .how = how, .id = id };
	struct memtag_region_record seen;
	struct memtag_status before = status_now();

	CU_ASSERT_PTR_NOT_EQUAL_FATAL(id, MAP_FAILED);
	*id = 0;
	CU_ASSERT_EQUAL(in_child(leak_region, &l), expected_status);
	CU_ASSERT_EQUAL_FATAL(find_region(*id, &seen), 0);
	CU_ASSERT_EQUAL(seen.state, MEMTAG_REGION_LEAKED);
	CU_ASSERT_STRING_EQUAL(seen.name, "leaky-job");
	CU_ASSERT_EQUAL(seen.site, 42);
	CU_ASSERT_NOT_EQUAL(seen.tgid, (uint32_t)getpid());
	CU_ASSERT_EQUAL(status_now().regions_leaked, before.regions_leaked + 1);
	/* a leaked record is evidence: its owner is gone, nobody may end it */
	CU_ASSERT_EQUAL(memtag_region_end(client, *id), -EPERM);
	munmap(id, sizeof(*id));
}

static void test_exit_leaks_open_region(void)
{
	check_leak(0, 0);
}

static void test_sigkill_leaks_open_region(void)
{
	check_leak(1, 128 + SIGKILL);
}

static void test_leaked_records_bounded(void)
{
	struct memtag_region_record *all;
	size_t n, i, leaked = 0;

	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_leaked", 1), 0);
	check_leak(0, 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_list(client, &all, &n), 0);
	for (i = 0; i < n; i++)
		leaked += all[i].state == MEMTAG_REGION_LEAKED;
	CU_ASSERT_EQUAL(leaked, 1);
	free(all);
	CU_ASSERT_EQUAL(itest_write_param("max_leaked", 4096), 0);
}

static void test_per_user_limit(void)
{
	struct memtag_region_record r[3];

	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_regions_per_user", 2), 0);
	CU_ASSERT_EQUAL(memtag_region_create(client, 0, "one", 0, &r[0]), 0);
	CU_ASSERT_EQUAL(memtag_region_create(client, 0, "two", 0, &r[1]), 0);
	CU_ASSERT_EQUAL(memtag_region_create(client, 0, "three", 0, &r[2]), -EDQUOT);
	CU_ASSERT_STRING_EQUAL(memtag_client_error(client),
			       "user has max_regions_per_user live regions");
	/* nothing else broke: ending one makes room again */
	CU_ASSERT_EQUAL(memtag_region_end(client, r[0].id), 0);
	CU_ASSERT_EQUAL(memtag_region_create(client, 0, "three", 0, &r[2]), 0);
	CU_ASSERT_EQUAL(memtag_region_end(client, r[1].id), 0);
	CU_ASSERT_EQUAL(memtag_region_end(client, r[2].id), 0);
	CU_ASSERT_EQUAL(itest_write_param("max_regions_per_user", 65536), 0);
}

static int list_as_nobody(void *arg)
{
	struct memtag_region_record *all, r;
	struct memtag_client *own;
	size_t n, i;

	(void)arg;
	if (setgid(65534) || setuid(65534))
		return 30;
	if (memtag_client_open(&own) || memtag_region_create(own, 0, "nobodys", 0, &r))
		return 31;
	if (memtag_region_list(own, &all, &n))
		return 32;
	for (i = 0; i < n; i++)
		if (all[i].uid != 65534)
			return 33;	/* saw another user's region */
	return n == 1 ? 0 : 34;
}

static void test_users_see_only_their_regions(void)
{
	struct memtag_region_record r, *all;
	size_t n, i, nobody = 0;

	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, 0, "roots", 0, &r), 0);
	CU_ASSERT_EQUAL(in_child(list_as_nobody, NULL), 0);
	/* root sees both, the one of nobody now leaked */
	CU_ASSERT_EQUAL_FATAL(memtag_region_list(client, &all, &n), 0);
	for (i = 0; i < n; i++)
		nobody += all[i].uid == 65534;
	CU_ASSERT_EQUAL(nobody, 1);
	free(all);
	CU_ASSERT_EQUAL(memtag_region_end(client, r.id), 0);
}

static void test_bad_requests_rejected(void)
{
	struct memtag_region_record r;
	struct nl_msg *msg;
	char name[100];

	CU_ASSERT_EQUAL(memtag_region_create(client, 999999, "orphan", 0, &r), -ENOENT);
	CU_ASSERT_EQUAL(memtag_region_end(client, 0), -ERANGE);
	/* the kernel bounds the name even when the library is bypassed */
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	msg = memtag_request_new(client, MEMTAG_CMD_REGION_CREATE, 0);
	nla_put_string(msg, MEMTAG_A_REGION_NAME, name);
	CU_ASSERT_EQUAL(memtag_request_run(client, msg, NULL, NULL), -EINVAL);
	msg = memtag_request_new(client, MEMTAG_CMD_REGION_CREATE, 0);
	CU_ASSERT_EQUAL(memtag_request_run(client, msg, NULL, NULL), -EINVAL);
	CU_ASSERT_STRING_EQUAL(memtag_client_error(client), "a region needs a name");
}

/* Where a segment is: MTE memory is the process's own, software memory the module's. */
static uint64_t segment_address(void)
{
	/* the module keeps the range only; it never touches MTE memory */
	return strcmp(itest_expected_backend(), "mte") ? 0 : 0x7f0000000000ULL;
}

static void test_byte_limit(void)
{
	uint64_t at = segment_address();
	struct memtag_segment_grant grant;
	struct memtag_region_record r;

	/* 128 KiB and room for the segments' metadata, which the quota counts */
	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_bytes_per_user", 128 * 1024 + 8192), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, 0, "budget", 0, &r), 0);
	CU_ASSERT_EQUAL(memtag_segment_add(client, r.id, 64 * 1024, at, &grant), 0);
	CU_ASSERT_EQUAL(grant.size, 64 * 1024);
	CU_ASSERT_EQUAL(grant.region_offset, 0);
	CU_ASSERT_EQUAL(memtag_segment_add(client, r.id, 128 * 1024, at, &grant), -EDQUOT);
	CU_ASSERT_STRING_EQUAL(memtag_client_error(client), "user would exceed max_bytes_per_user");
	CU_ASSERT_EQUAL(memtag_segment_add(client, r.id, 4096 + 1, at, &grant), -EINVAL);
	/* a reset gives the budget back */
	CU_ASSERT_EQUAL(memtag_region_reset(client, r.id, &r), 0);
	CU_ASSERT_EQUAL(memtag_segment_add(client, r.id, 128 * 1024, at, &grant), 0);
	/* the address goes with the backend: MTE memory is the caller's own */
	CU_ASSERT_EQUAL(memtag_segment_add(client, r.id, 4096, at ? 0 : 0x7f0000000000ULL, &grant),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(memtag_client_error(client),
			       "an address is given with the MTE backend only");
	CU_ASSERT_EQUAL(memtag_region_end(client, r.id), 0);
	CU_ASSERT_EQUAL(itest_write_param("max_bytes_per_user", 4UL << 30), 0);
}

int itest_add_region_suite(void)
{
	static const struct test_case cases[] = {
		{ "create records name, owner, site, time", test_create_records_fields },
		{ "an ioctl create that cannot answer is undone, not counted", test_ioctl_create_undone_uncounted },
		{ "end ends the region and its children", test_end_ends_children },
		{ "reset keeps the region, ends its children", test_reset_keeps_region_ends_children },
		{ "nesting depth is bounded", test_nesting_depth_bounded },
		{ "another process gets EPERM, recorded", test_other_process_gets_eperm },
		{ "exit leaves open regions leaked", test_exit_leaks_open_region },
		{ "SIGKILL leaves open regions leaked", test_sigkill_leaks_open_region },
		{ "leaked records are bounded by max_leaked", test_leaked_records_bounded },
		{ "per-user region limit gives EDQUOT", test_per_user_limit },
		{ "users see only their own regions", test_users_see_only_their_regions },
		{ "bad requests rejected", test_bad_requests_rejected },
		{ "per-user byte limit gives EDQUOT, reset returns it", test_byte_limit },
		{ NULL, NULL },
	};

	return add_suite_fixture("region", open_client, close_client, cases);
}
