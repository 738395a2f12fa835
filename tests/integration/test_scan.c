// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl scan on a live process: memtag-scenario stores pointers that
 * outlive their target's region, says where, and keeps still until the
 * test closes its stdin; the scan must name exactly those references.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "memtag.h"
#include "client.h"
#include "itest.h"

#define EXIT_ERROR 1
#define EXIT_ESCAPES (8 + 2)
#define EXIT_DENIED 4
#define NOBODY 65534

static char out[65536];

/* A scenario that holds still, and what it printed up to ready=1. */
struct held {
	pid_t pid;
	int to;			/* its stdin: closing it lets the scenario finish */
	char said[4096];
};

/* As uid (0: as the test), undumpable: no process of its user may ptrace it. */
static void run_scenario(const char *name, int in, int to_test, uid_t uid, bool undumpable)
{
	dup2(in, STDIN_FILENO);
	dup2(to_test, STDOUT_FILENO);
	if (uid && (setgid(uid) || setuid(uid)))
		_exit(126);
	if (undumpable)
		setenv("MEMTAG_SCENARIO_UNDUMPABLE", "1", 1);
	execlp("memtag-scenario", "memtag-scenario", name, (char *)NULL);
	_exit(127);
}

static int hold_as(struct held *h, const char *name, uid_t uid, bool undumpable)
{
	int to[2], from[2];
	size_t used = 0;
	ssize_t n = 1;

	if (pipe(to) || pipe(from))
		return -1;
	h->pid = fork();
	if (h->pid == 0) {
		close(to[1]);
		close(from[0]);
		run_scenario(name, to[0], from[1], uid, undumpable);
	}
	close(to[0]);
	close(from[1]);
	h->to = to[1];
	h->said[0] = '\0';
	while (n > 0 && !strstr(h->said, "ready=1\n") && used + 1 < sizeof(h->said)) {
		n = read(from[0], h->said + used, sizeof(h->said) - used - 1);
		used += n > 0 ? (size_t)n : 0;
		h->said[used] = '\0';
	}
	close(from[0]);
	return strstr(h->said, "ready=1\n") ? 0 : -1;
}

static int hold(struct held *h, const char *name)
{
	return hold_as(h, name, 0, false);
}

/* Let it go; its exit code. */
static int release(struct held *h)
{
	int status;

	close(h->to);
	if (waitpid(h->pid, &status, 0) != h->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const char *string_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static long long number_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

/* tagctl -j scan --pid: its references; the whole report goes to *root. */
static struct json_object *scan_references(pid_t pid, struct json_object **root)
{
	struct json_object *refs = NULL;

	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -j scan --pid %d", (int)pid),
			EXIT_ESCAPES);
	*root = json_tokener_parse(out);
	CU_ASSERT_PTR_NOT_NULL(*root);
	if (*root)
		json_object_object_get_ex(*root, "references", &refs);
	CU_ASSERT_PTR_NOT_NULL(refs);
	CU_ASSERT_EQUAL(number_of(*root, "unreadable_segments"), 0);
	return refs;
}

/* The reference whose why is why, compared with what the scenario said as "as". */
static void expect_reference(struct json_object *refs, const struct held *h, const char *as,
			     const char *why, const char *holder, const char *target)
{
	struct json_object *ref = NULL;
	char key[64];
	size_t i;

	for (i = 0; refs && i < json_object_array_length(refs); i++)
		if (!strcmp(string_of(json_object_array_get_idx(refs, i), "why"), why))
			ref = json_object_array_get_idx(refs, i);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	CU_ASSERT_EQUAL(number_of(ref, "pid"), h->pid);
	CU_ASSERT_STRING_EQUAL(string_of(ref, "class"), "escape");
	snprintf(key, sizeof(key), "%s_holder", as);
	CU_ASSERT_EQUAL(number_of(ref, "holder_region"), itest_value(h->said, key));
	CU_ASSERT_STRING_EQUAL(string_of(ref, "holder_name"), holder);
	snprintf(key, sizeof(key), "%s_holder_offset", as);
	CU_ASSERT_EQUAL(number_of(ref, "holder_offset"), itest_value(h->said, key));
	snprintf(key, sizeof(key), "%s_target", as);
	CU_ASSERT_EQUAL(number_of(ref, "region"), itest_value(h->said, key));
	CU_ASSERT_STRING_EQUAL(string_of(ref, "region_name"), target);
	snprintf(key, sizeof(key), "%s_target_offset", as);
	CU_ASSERT_EQUAL(number_of(ref, "offset"), itest_value(h->said, key));
}

static void test_ending_reference(void)
{
	struct json_object *root = NULL, *refs;
	struct held h;

	CU_ASSERT_EQUAL_FATAL(hold(&h, "child-pointer"), 0);
	refs = scan_references(h.pid, &root);
	CU_ASSERT_EQUAL(refs ? json_object_array_length(refs) : 0, 1);
	expect_reference(refs, &h, "ending", "ending", "conn", "req");
	json_object_put(root);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl scan --pid %d", (int)h.pid),
			EXIT_ESCAPES);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ending-reference"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "held by region"));
	/* every process: this one is among them */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl scan"), EXIT_ESCAPES);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "'req'"));
	CU_ASSERT_EQUAL(release(&h), 0);
}

static void test_dangling_references(void)
{
	struct json_object *root = NULL, *refs;
	struct held h;

	/* MTE: ended memory is the process's own, retagged; nothing lists it */
	if (!strcmp(itest_expected_backend(), "mte"))
		TEST_SKIP("software backend only: MTE's ended memory is the process's own");
	CU_ASSERT_EQUAL_FATAL(hold(&h, "dangling-pointers"), 0);
	refs = scan_references(h.pid, &root);
	CU_ASSERT_EQUAL(refs ? json_object_array_length(refs) : 0, 2);
	expect_reference(refs, &h, "ended", "ended", "cache", "gone");
	expect_reference(refs, &h, "reset", "reset", "cache", "pool");
	json_object_put(root);
	CU_ASSERT_EQUAL(release(&h), 0);
}

/* As nobody: the scan needs ptrace rights over the process. */
static int scan_as_nobody(pid_t pid)
{
	pid_t child = fork();
	char arg[32];
	int status, fd;

	if (child == 0) {
		fd = open("/tmp/scan-denied.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0 || setgid(65534) || setuid(65534))
			_exit(99);
		snprintf(arg, sizeof(arg), "%d", (int)pid);
		execlp("tagctl", "tagctl", "scan", "--pid", arg, (char *)NULL);
		_exit(98);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_denied_to_other_users(void)
{
	struct held h;

	CU_ASSERT_EQUAL_FATAL(hold(&h, "child-pointer"), 0);
	CU_ASSERT_EQUAL(scan_as_nobody(h.pid), EXIT_DENIED);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "cat /tmp/scan-denied.txt"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "needs ptrace permission"));
	CU_ASSERT_EQUAL(release(&h), 0);
}

static void test_clean_and_missing(void)
{
	struct json_object *root, *refs = NULL;

	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -j scan --pid %d", (int)getpid()), 0);
	root = json_tokener_parse(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_EQUAL(number_of(root, "processes"), 1);
	CU_ASSERT_TRUE(json_object_object_get_ex(root, "references", &refs));
	CU_ASSERT_EQUAL(refs ? json_object_array_length(refs) : 1, 0);
	json_object_put(root);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl scan --pid 999999"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "there is no process 999999"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl scan --pid x"), 2);
}

/*
 * tagctl ARGS as nobody (uid nobody), or (hide_proc) as root in a mount
 * namespace of its own whose /proc is an empty tmpfs: /proc/PID/mem, which
 * the scan reads the module's segments through, is not there. stdout in
 * /tmp/scan.out, stderr in /tmp/scan.err; the exit code, or -1.
 */
static int tagctl_scan_where(char *const argv[], bool as_nobody, bool hide_proc)
{
	pid_t child = fork();
	int status, o, e;

	if (child == 0) {
		o = open("/tmp/scan.out", O_WRONLY | O_CREAT | O_TRUNC, 0666);
		e = open("/tmp/scan.err", O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (o < 0 || e < 0 || dup2(o, STDOUT_FILENO) < 0 || dup2(e, STDERR_FILENO) < 0)
			_exit(99);
		if (hide_proc && (unshare(CLONE_NEWNS) ||
				  mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
				  mount("none", "/proc", "tmpfs", 0, NULL)))
			_exit(97);
		if (as_nobody && (setgid(NOBODY) || setuid(NOBODY)))
			_exit(96);
		execvp("tagctl", argv);
		_exit(98);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* What the last tagctl_scan_where printed: JSON (put it), stderr in out. */
static struct json_object *scan_said(void)
{
	struct json_object *root;

	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "cat /tmp/scan.out"), 0);
	root = json_tokener_parse(out);
	CU_ASSERT_PTR_NOT_NULL(root);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "cat /tmp/scan.err"), 0);
	return root;
}

static size_t array_length(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array)
		       ? json_object_array_length(v) : 9999;
}

/* Live mapped segments of pid, as the module lists them (not tagctl). */
static size_t holder_segments(pid_t pid)
{
	struct memtag_segment_record *all = NULL;
	struct memtag_client *client;
	size_t n = 0, i, holders = 0;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL(memtag_segment_list(client, (uint32_t)pid, &all, &n), 0);
	for (i = 0; i < n; i++)
		holders += all[i].state == MEMTAG_SEGMENT_LIVE && all[i].address && all[i].size;
	free(all);
	memtag_client_close(client);
	return holders;
}

/* Not on kernels without CONFIG_CROSS_MEMORY_ATTACH (the debug kernel). */
static bool has_process_vm_readv(void)
{
	char from = 1, to = 0;
	struct iovec local = { &to, 1 }, remote = { &from, 1 };

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 1 || errno != ENOSYS;
}

/*
 * tagctl.md, exit 1: scan could not read a segment and found no reference.
 * Software: the segments are the module's pages, readable while mapped;
 * tagctl reads them through /proc/PID/mem, hidden here. MTE: a segment the
 * module was told of at an address nothing is mapped at.
 */
static void test_unreadable_segment(void)
{
	char pid[16], *argv[] = { "tagctl", "-j", "scan", "--pid", pid, NULL };
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	struct memtag_client *client;
	struct json_object *root;
	char said[128];
	struct held h;
	void *gone;

	if (strcmp(itest_expected_backend(), "mte")) {
		CU_ASSERT_EQUAL_FATAL(hold(&h, "child-pointer"), 0);
		snprintf(pid, sizeof(pid), "%d", (int)h.pid);
		CU_ASSERT_EQUAL(tagctl_scan_where(argv, false, true), EXIT_ERROR);
		if (!has_process_vm_readv()) {
			/* every read needs /proc here: tagctl says so, reads nothing */
			CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "cat /tmp/scan.out"), 0);
			CU_ASSERT_STRING_EQUAL(out, "");
			CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "cat /tmp/scan.err"), 0);
			CU_ASSERT_PTR_NOT_NULL(strstr(out, "mem, and this kernel has no "
							   "process_vm_readv"));
			CU_ASSERT_EQUAL(release(&h), 0);
			return;
		}
		root = scan_said();
		/* the reference child-pointer holds is not found: nothing was read */
		CU_ASSERT_EQUAL(array_length(root, "references"), 0);
		CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(root, "bytes")), 0);
		CU_ASSERT_TRUE(holder_segments(h.pid) > 0);
		CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(root,
									   "unreadable_segments")),
				(int64_t)holder_segments(h.pid));
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "tagctl scan: cannot read segment "));
		json_object_put(root);
		CU_ASSERT_EQUAL(release(&h), 0);
		return;
	}
	gone = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(gone != MAP_FAILED);
	munmap(gone, 65536);
	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, 0, "unmapped", 0, &r), 0);
	CU_ASSERT_EQUAL(memtag_segment_add(client, r.id, 65536, (uintptr_t)gone, &grant), 0);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	CU_ASSERT_EQUAL(tagctl_scan_where(argv, false, false), EXIT_ERROR);
	root = scan_said();
	CU_ASSERT_EQUAL(array_length(root, "references"), 0);
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(root, "unreadable_segments")),
			1);
	snprintf(said, sizeof(said), "cannot read segment %u of region %u 'unmapped' in pid %d "
		 "at offset 0", grant.id, r.id, (int)getpid());
	CU_ASSERT_PTR_NOT_NULL(strstr(out, said));
	json_object_put(root);
	CU_ASSERT_EQUAL(memtag_region_end(client, r.id), 0);
	memtag_client_close(client);
}

static int ptrace_scope(int set)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", set < 0 ? "r" : "w");
	int old = 0;

	if (!f)
		return 0;	/* no Yama: the classic same-user rule */
	if (set < 0 ? fscanf(f, "%d", &old) != 1 : fprintf(f, "%d\n", set) < 0)
		old = -1;
	fclose(f);
	return old;
}

/*
 * tagctl.md, exit 4 and 10 without --pid: a process of the user that it may
 * not read is skipped and named in denied; 4 when nothing was found, 10
 * when another process had references.
 */
static void test_denied_without_pid(void)
{
	char *argv[] = { "tagctl", "-j", "scan", NULL };
	struct json_object *root, *denied;
	struct held hidden, open;
	int scope = ptrace_scope(-1);

	/* nobody reads nobody's other processes: Yama's scope 0 */
	CU_ASSERT_TRUE_FATAL(scope >= 0);
	if (scope)
		CU_ASSERT_EQUAL_FATAL(ptrace_scope(0), scope);
	CU_ASSERT_EQUAL_FATAL(hold_as(&hidden, "child-pointer", NOBODY, true), 0);
	CU_ASSERT_EQUAL(tagctl_scan_where(argv, true, false), EXIT_DENIED);
	root = scan_said();
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "needs ptrace permission"));
	CU_ASSERT_TRUE(json_object_object_get_ex(root, "denied", &denied) &&
		       json_object_array_length(denied) == 1 &&
		       json_object_get_int64(json_object_array_get_idx(denied, 0)) == hidden.pid);
	CU_ASSERT_EQUAL(array_length(root, "references"), 0);
	json_object_put(root);
	CU_ASSERT_EQUAL(hold_as(&open, "child-pointer", NOBODY, false), 0);
	CU_ASSERT_EQUAL(tagctl_scan_where(argv, true, false), EXIT_ESCAPES);
	root = scan_said();
	CU_ASSERT_EQUAL(array_length(root, "denied"), 1);
	CU_ASSERT_EQUAL(array_length(root, "references"), 1);
	json_object_put(root);
	CU_ASSERT_EQUAL(release(&open), 0);
	CU_ASSERT_EQUAL(release(&hidden), 0);
	if (scope)
		CU_ASSERT_EQUAL(ptrace_scope(scope), 0);
}

int itest_add_scan_suite(void)
{
	static const struct test_case cases[] = {
		{ "a parent holding its child's data: ending", test_ending_reference },
		{ "pointers into ended and reset memory: dangling (software backend)",
		  test_dangling_references },
		{ "scanning another user's process is denied", test_denied_to_other_users },
		{ "a clean process, a missing one, a bad pid", test_clean_and_missing },
		{ "a segment it cannot read: exit 1", test_unreadable_segment },
		{ "processes it may not read: skipped, exit 4 or 10", test_denied_without_pid },
		{ NULL, NULL },
	};

	return add_suite("scan", cases);
}
