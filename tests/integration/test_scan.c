// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl scan on a live process: memtag-scenario stores pointers that
 * outlive their target's region, says where, and keeps still until the
 * test closes its stdin; the scan must name exactly those references.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "itest.h"

#define EXIT_ESCAPES (8 + 2)
#define EXIT_DENIED 4

static char out[65536];

/* A scenario that holds still, and what it printed up to ready=1. */
struct held {
	pid_t pid;
	int to;			/* its stdin: closing it lets the scenario finish */
	char said[4096];
};

static void run_scenario(const char *name, int in, int to_test)
{
	dup2(in, STDIN_FILENO);
	dup2(to_test, STDOUT_FILENO);
	execlp("memtag-scenario", "memtag-scenario", name, (char *)NULL);
	_exit(127);
}

static int hold(struct held *h, const char *name)
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
		run_scenario(name, to[0], from[1]);
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

int itest_add_scan_suite(void)
{
	static const struct test_case cases[] = {
		{ "a parent holding its child's data: ending", test_ending_reference },
		{ "pointers into ended and reset memory: dangling (software backend)",
		  test_dangling_references },
		{ "scanning another user's process is denied", test_denied_to_other_users },
		{ "a clean process, a missing one, a bad pid", test_clean_and_missing },
		{ NULL, NULL },
	};

	return add_suite("scan", cases);
}
