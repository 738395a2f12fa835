// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the module keeps about a process for reports: its allocation profile
 * (sites, counts, binaries; after it died too), where its segments are, and
 * which regions keep growing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "memtag.h"
#include "itest.h"

#define SITE_CODE_BYTES 256	/* a call site lies this close after its function */

static struct memtag_client *client;

static bool software(void)
{
	return strcmp(itest_expected_backend(), "mte") != 0;
}

/* One allocation site, not inlined: its return address is known. */
static __attribute__((noinline)) void *allocate_here(struct tag_region *r, size_t n)
{
	void *p = tag_alloc(r, n);

	__asm__ volatile("" ::: "memory");	/* no tail call: the site stays here */
	return p;
}

static bool in_function(uint64_t address, void *fn)
{
	uint64_t start = (uint64_t)(uintptr_t)fn;

	return address > start && address < start + SITE_CODE_BYTES;
}

static const struct memtag_profile *profile_of(const struct memtag_profile *all, size_t n,
					       uint32_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (all[i].tgid == pid)
			return &all[i];
	return NULL;
}

static const struct memtag_site *site_in(const struct memtag_profile *p, void *fn)
{
	size_t i;

	for (i = 0; p && i < p->nr_sites; i++)
		if (p->sites[i].depth && in_function(p->sites[i].stack[0], fn))
			return &p->sites[i];
	return NULL;
}

/*
 * Scenarios look at themselves through the module (this process keeps no
 * device open: the unload suite comes last).
 */
static char out[8192];

static int scenario(const char *name)
{
	return itest_run(out, sizeof(out), "memtag-scenario %s", name);
}

static void test_live_profile(void)
{
	CU_ASSERT_EQUAL_FATAL(scenario("profile-self"), 0);
	CU_ASSERT_EQUAL(itest_value(out, "alloc_objects"), 10);
	CU_ASSERT_EQUAL(itest_value(out, "alloc_bytes"), 1000);
	CU_ASSERT_EQUAL(itest_value(out, "free_objects"), 3);
	CU_ASSERT_EQUAL(itest_value(out, "free_bytes"), 300);
	CU_ASSERT_EQUAL(itest_value(out, "depth"), 1);
	CU_ASSERT_EQUAL(itest_value(out, "first_ns_set"), 1);
	CU_ASSERT_EQUAL(itest_value(out, "exited_ns"), 0);
	CU_ASSERT_EQUAL(itest_value(out, "comm_ok"), 1);
	/* the binary that holds the site: the program, with its build id */
	CU_ASSERT_EQUAL(itest_value(out, "binary_is_exe"), 1);
	CU_ASSERT_EQUAL(itest_value(out, "build_id_len"), 20);
	/* the end of the region freed what was live in it */
	CU_ASSERT_EQUAL(itest_value(out, "end_free_objects"), 10);
	CU_ASSERT_EQUAL(itest_value(out, "end_free_bytes"), 1000);
	CU_ASSERT_EQUAL(itest_value(out, "end_leaked_objects"), 0);
}

/* The child allocates 7 x 64 bytes at allocate_here and is killed. */
static void test_profile_after_sigkill(void)
{
	const struct memtag_profile *dead;
	const struct memtag_site *site;
	struct memtag_profile *all;
	int status, i;
	size_t n;
	pid_t pid;

	pid = fork();
	CU_ASSERT_TRUE_FATAL(pid >= 0);
	if (!pid) {
		struct tag_region *r = tag_region_create(NULL, "doomed", 0);

		for (i = 0; r && i < 7; i++)
			allocate_here(r, 64);
		raise(SIGKILL);
		_exit(1);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CU_ASSERT_EQUAL_FATAL(memtag_profile_list(client, pid, &all, &n), 0);
	dead = profile_of(all, n, pid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dead);
	CU_ASSERT_NOT_EQUAL(dead->exited_ns, 0);
	CU_ASSERT_TRUE(dead->exited_ns >= dead->started_ns);
	site = site_in(dead, allocate_here);
	CU_ASSERT_PTR_NOT_NULL_FATAL(site);
	/* in use when it died: leaked, post-mortem */
	CU_ASSERT_EQUAL(site->alloc_objects - site->free_objects, 7);
	CU_ASSERT_EQUAL(site->alloc_bytes - site->free_bytes, 7 * 64);
	memtag_profile_list_free(all, n);
}

/*
 * A child that never allocates (one that execs, say) leaves no profile, even
 * when its parent is profiled: the parent allocates, forks the child, and
 * sends its pid once the child has exited.
 */
static void __attribute__((noreturn)) profiled_parent(int to)
{
	struct tag_region *r = tag_region_create(NULL, "profiled-parent", 0);
	pid_t child;

	if (!r || !allocate_here(r, 100))
		_exit(2);
	child = fork();
	if (child < 0)
		_exit(3);
	if (!child)
		_exit(0);
	if (waitpid(child, NULL, 0) != child || write(to, &child, sizeof(child)) != sizeof(child))
		_exit(4);
	_exit(tag_region_end(r) ? 5 : 0);
}

static void test_no_profile_without_allocations(void)
{
	struct memtag_profile *all;
	pid_t parent, child = 0;
	int status, fds[2];
	size_t n;

	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	parent = fork();
	CU_ASSERT_TRUE_FATAL(parent >= 0);
	if (!parent)
		profiled_parent(fds[1]);
	close(fds[1]);
	CU_ASSERT_EQUAL(read(fds[0], &child, sizeof(child)), sizeof(child));
	close(fds[0]);
	CU_ASSERT_EQUAL(waitpid(parent, &status, 0), parent);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_TRUE_FATAL(child > 0);
	/* the parent is profiled: the case is the one promised */
	CU_ASSERT_EQUAL_FATAL(memtag_profile_list(client, parent, &all, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_PTR_NOT_NULL(site_in(profile_of(all, n, parent), allocate_here));
	memtag_profile_list_free(all, n);
	CU_ASSERT_EQUAL_FATAL(memtag_profile_list(client, child, &all, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	memtag_profile_list_free(all, n);
}

static void test_stack_depth(void)
{
	/* the scenario checks its own profile: depth 4 gives more than one frame */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "MEMTAG_OPTIONS=stack_depth=4 memtag-scenario profile-depth"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "depth=4"));
}

static void test_segments_listed(void)
{
	CU_ASSERT_EQUAL_FATAL(scenario("segments-self"), 0);
	CU_ASSERT_EQUAL(itest_value(out, "listed"), 1);
	CU_ASSERT_EQUAL(itest_value(out, "state"), MEMTAG_SEGMENT_LIVE);
	CU_ASSERT_EQUAL(itest_value(out, "name_ok"), 1);
	CU_ASSERT_EQUAL(itest_value(out, "pid_ok"), 1);
	CU_ASSERT_EQUAL(itest_value(out, "inside"), 1);
	if (software()) {
		/* revoked but still mapped (quarantine): scans look into it */
		CU_ASSERT_EQUAL(itest_value(out, "after_listed"), 1);
		CU_ASSERT_EQUAL(itest_value(out, "after_state"), MEMTAG_SEGMENT_ENDED);
		CU_ASSERT_EQUAL(itest_value(out, "after_same_address"), 1);
	} else {
		/* MTE memory is the process's own: the module kept its range only */
		CU_ASSERT_EQUAL(itest_value(out, "after_listed"), 0);
	}
}

static int open_client(void)
{
	return memtag_client_open(&client);
}

static int close_client(void)
{
	memtag_client_close(client);
	return 0;
}

int itest_add_profile_suite(void)
{
	static const struct test_case cases[] = {
		{ "a live process's profile: sites, counts, binary", test_live_profile },
		{ "a killed process's profile stays: its leaks", test_profile_after_sigkill },
		{ "no allocation, no profile", test_no_profile_without_allocations },
		{ "stack_depth=4 records call stacks", test_stack_depth },
		{ "segments are listed with their addresses", test_segments_listed },
		{ NULL, NULL },
	};

	return add_suite_fixture("profile", open_client, close_client, cases);
}
