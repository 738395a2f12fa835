// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl reports and the CI gate, on events the scenarios leave behind. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "memtag.h"
#include "itest.h"

/* listings of a full event ring run to megabytes */
static char out[4 << 20];

static unsigned long pid_of_scenario(const char *name)
{
	const char *at;

	itest_run(out, sizeof(out), "memtag-scenario %s", name);
	at = strstr(out, "pid=");
	return at ? strtoul(at + 4, NULL, 10) : 0;
}

/* Every element of tagctl -j CMD has class; returns how many there are. */
static size_t json_all_of_class(const char *cmd, const char *class)
{
	struct json_object *root, *item, *v;
	size_t n, i, other = 0;

	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "tagctl -j %s", cmd), 0);
	root = json_tokener_parse(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	n = json_object_array_length(root);
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(root, i);
		if (!json_object_object_get_ex(item, "class", &v) ||
		    strcmp(json_object_get_string(v), class))
			other++;
	}
	CU_ASSERT_EQUAL(other, 0);
	json_object_put(root);
	return n;
}

/* tagctl -j leaks ARGS: groups of leak kinds only; returns how many. */
static size_t leak_groups_listed(const char *args)
{
	static const char *const kinds[] = {
		"region-leaked", "allocations-leaked", "allocations-at-exit",
	};
	struct json_object *root, *leaks, *kind;
	size_t n, i, j, other = 0;

	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "tagctl -j leaks %s", args), 0);
	root = json_tokener_parse(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(root, "leaks", &leaks));
	n = json_object_array_length(leaks);
	for (i = 0; i < n; i++) {
		json_object_object_get_ex(json_object_array_get_idx(leaks, i), "kind", &kind);
		for (j = 0; j < 3 && strcmp(json_object_get_string(kind), kinds[j]); j++)
			;
		other += j == 3;
	}
	CU_ASSERT_EQUAL(other, 0);
	json_object_put(root);
	return n;
}

/* tagctl -j CMD --pid PID: how many items, each of class. */
static size_t of_class_for(const char *cmd, unsigned long pid, const char *class)
{
	char line[64];

	snprintf(line, sizeof(line), "%s --pid %lu", cmd, pid);
	return json_all_of_class(line, class);
}

static void test_class_listings(void)
{
	/* fresh events: earlier suites may have pushed theirs out of the ring */
	unsigned long end = pid_of_scenario("use-after-end");
	unsigned long reset = pid_of_scenario("stale-after-reset");
	unsigned long leaker = pid_of_scenario("leak-at-exit");
	unsigned long strict = pid_of_scenario("strict-leaks");
	unsigned long misuser = pid_of_scenario("bad-frees");
	char args[32];

	/* every listing holds its class only; each scenario made an exact count */
	json_all_of_class("escapes", "escape");
	json_all_of_class("violations", "misuse");
	leak_groups_listed("");
	CU_ASSERT_EQUAL(of_class_for("escapes", end, "escape"), 1);
	CU_ASSERT_EQUAL(of_class_for("escapes", reset, "escape"), 1);
	/* a double free, two invalid frees, a wrong-region free, an alloc in an ended region */
	CU_ASSERT_EQUAL(of_class_for("violations", misuser, "misuse"), 5);
	CU_ASSERT_EQUAL(of_class_for("escapes", misuser, "escape"), 0);
	/* the open region and the allocation it held at exit */
	snprintf(args, sizeof(args), "--pid %lu", leaker);
	CU_ASSERT_EQUAL(leak_groups_listed(args), 2);
	/* two sites left allocations in the strict region */
	snprintf(args, sizeof(args), "--pid %lu", strict);
	CU_ASSERT_EQUAL(leak_groups_listed(args), 2);
}

static void test_check_exit_codes(void)
{
	unsigned long leaker = pid_of_scenario("leak-at-exit");
	unsigned long misuser = pid_of_scenario("bad-frees");
	unsigned long escaper = pid_of_scenario("use-after-end");

	/* the open region, and the allocation in use at exit */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --pid %lu", leaker), 8 + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "check: 2 leaks, 0 escapes, 0 misuse"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --pid %lu", escaper), 8 + 2);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --pid %lu", misuser), 8 + 4);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --fail-on leak --pid %lu",
				  misuser), 0);
	/* all processes: every class has failed somewhere by now */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check"), 8 + 1 + 2 + 4);
	/* and each pair of classes alone: the other codes of tagctl.md */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --fail-on leak,escape"), 8 + 1 + 2);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --fail-on leak,misuse"), 8 + 1 + 4);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --fail-on escape,misuse"),
			8 + 2 + 4);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -j check --pid %lu", leaker), 9);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"leaks\":2"));
}

static void test_suppressions(void)
{
	unsigned long leaker = pid_of_scenario("leak-at-exit");

	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out),
					"printf 'leak:forgot*\\nleak:*scenario.c\\n' > /tmp/hit.supp; "
					"printf 'leak:other*\\nescape:forgot*\\n' > /tmp/miss.supp"), 0);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "tagctl check --pid %lu --suppressions /tmp/hit.supp", leaker), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "suppression leak:forgot* matched 1 time"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "suppression leak:*scenario.c matched 1 time"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "2 suppressed"));
	/* neither another name nor another class may suppress it */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "tagctl check --pid %lu --suppressions /tmp/miss.supp", leaker), 9);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "suppression leak:other* matched nothing"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --fail-on bogus"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown class 'bogus'"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --suppressions /nonexistent"), 2);
	/* an invalid file: exit 2, FILE:LINE: why */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "printf 'leak:ok*\\nnot-a-class:x\\n' > /tmp/bad.supp && "
				  "tagctl check --suppressions /tmp/bad.supp"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/tmp/bad.supp:2: "));
}

static void test_regions_tree_and_filters(void)
{
	struct memtag_region_record conn, req, parse;
	struct memtag_client *client;
	struct json_object *root, *item, *v;
	static const char *const names[] = { "conn", "req", "parse" };
	size_t i;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, 0, "conn", 0, &conn), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, conn.id, "req", 0, &req), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, req.id, "parse", 0, &parse), 0);
	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "tagctl -j regions --pid %d --tree",
					(int)getpid()), 0);
	root = json_tokener_parse(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_EQUAL(json_object_array_length(root), 3);
	for (i = 0; i < 3 && i < json_object_array_length(root); i++) {
		item = json_object_array_get_idx(root, i);
		json_object_object_get_ex(item, "name", &v);
		CU_ASSERT_STRING_EQUAL(json_object_get_string(v), names[i]);
		json_object_object_get_ex(item, "depth", &v);
		CU_ASSERT_EQUAL(json_object_get_int(v), (int)i);
	}
	json_object_put(root);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl regions --pid %d --tree",
				  (int)getpid()), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "    parse"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -j regions --pid %d --state leaked",
				  (int)getpid()), 0);
	CU_ASSERT_STRING_EQUAL(out, "[]\n");
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl regions --older-than 5parsecs"), 2);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl regions --sort size"), 2);
	CU_ASSERT_EQUAL(memtag_region_end(client, conn.id), 0);
	memtag_client_close(client);
}

static void test_monitor(void)
{
	/*
	 * The misuse only once tagctl says it joined the group; bounded
	 * waits: a missed event fails the test, it does not hang the guest.
	 * The status is tagctl's.
	 */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "timeout 60 tagctl -j monitor --count 1 >/tmp/monitor.out "
				  "2>/tmp/monitor.err & m=$!; for i in $(seq 100); do "
				  "grep -q listening /tmp/monitor.err && break; sleep 0.1; done; "
				  "grep -q listening /tmp/monitor.err || { kill $m; exit 90; }; "
				  "memtag-scenario bad-frees >/dev/null; wait $m; s=$?; "
				  "cat /tmp/monitor.out; exit $s"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"kind\":\"double-free\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"region_name\":\"a\""));
}

/* The number after "last seq " in out; -2 if there is none. */
static long long last_seq(void)
{
	const char *at = strstr(out, "last seq ");

	return at ? strtoll(at + 9, NULL, 10) : -2;
}

/* A CI job gates on its own window: what was recorded after the last run's seq. */
static void test_since(void)
{
	long long before, after;
	unsigned long pid;

	/* no pipe: the status is tagctl's, clean or misuse found earlier */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --fail-on misuse >/tmp/c.out; "
				  "s=$?; tail -2 /tmp/c.out; [ $s = 0 ] || [ $s = 12 ]"), 0);
	before = last_seq();
	CU_ASSERT_TRUE_FATAL(before >= -1);
	pid = pid_of_scenario("bad-frees");
	/* the five misuse events of that run, none of the earlier ones */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --since %lld --fail-on misuse",
				  before), 8 + 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "check: 0 leaks, 0 escapes, 5 misuse, 0 suppressed"));
	after = last_seq();
	CU_ASSERT_EQUAL(after, before + 5);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -j check --since %lld --fail-on "
				  "misuse", before), 8 + 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"misuse\":5,"));
	snprintf(out + sizeof(out) / 2, 64, "\"last_seq\":%lld,", after);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, out + sizeof(out) / 2));
	/* the next window is empty; events lists the same window */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --since %lld --fail-on "
				  "misuse,escape", after), 0);
	CU_ASSERT_EQUAL(last_seq(), after);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl events --since %lld", before), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "double-free"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "alloc-in-ended-region"));
	CU_ASSERT_EQUAL(last_seq(), after);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl events --since %lld", after), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "no events recorded after that seq\n"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -j events --since %lld --kind "
				  "invalid-free --pid %lu", before, pid), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"kind\":\"invalid-free\""));
	CU_ASSERT_PTR_NULL(strstr(out, "\"kind\":\"double-free\""));
	/* leaks: a killed process's region and allocations, by their region-leaked event */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --since %lld --fail-on leak",
				  after), 0);
	pid = pid_of_scenario("killed-service");
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --since %lld --fail-on leak",
				  after), 8 + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "check: 3 leaks, 0 escapes, 0 misuse"));
	after = last_seq();
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --since %lld --fail-on leak",
				  after), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "check: 0 leaks"));
	/* bad values */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl check --since -2 2>&1"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "--since takes a sequence number"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl events --kind nosuch 2>&1"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown kind 'nosuch'"));
}

/* Run a shell script (itest_run's command line is short): its exit code, output in out. */
static int run_script(const char *name, const char *script)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/%s.sh", name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(script, f);
	fclose(f);
	return itest_run(out, sizeof(out), "sh %s", path);
}

/*
 * --pid and --kind: the target process waits for /tmp/go, so that its pid is
 * known first; another process's misuse comes before it.
 */
static void test_monitor_filters(void)
{
	CU_ASSERT_EQUAL(run_script("monitor-filters",
		"rm -f /tmp/go /tmp/target /tmp/monitor.err\n"
		"(sh -c 'echo $$ >/tmp/target; while [ ! -e /tmp/go ]; do sleep 0.1; done; "
		"exec memtag-scenario bad-frees' >/dev/null &)\n"
		"for i in $(seq 100); do [ -s /tmp/target ] && break; sleep 0.1; done\n"
		"echo target=$(cat /tmp/target)\n"
		"timeout 60 tagctl -j monitor --count 1 --pid $(cat /tmp/target) --kind invalid-free "
		">/tmp/monitor.out 2>/tmp/monitor.err & m=$!\n"
		"for i in $(seq 100); do grep -q listening /tmp/monitor.err && break; sleep 0.1; done\n"
		"grep -q listening /tmp/monitor.err || { kill $m; touch /tmp/go; exit 90; }\n"
		"memtag-scenario bad-frees >/dev/null; touch /tmp/go; wait $m; s=$?\n"
		"cat /tmp/monitor.out; exit $s\n"), 0);
	snprintf(out + sizeof(out) / 2, 64, "\"pid\":%llu,", itest_value(out, "target"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, out + sizeof(out) / 2));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"kind\":\"invalid-free\""));
	CU_ASSERT_PTR_NULL(strstr(out, "\"kind\":\"double-free\""));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl monitor --kind doublefree"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown kind 'doublefree'"));
}

/*
 * Events the socket had no room for: ENOBUFS, then how many were lost, by
 * the gap in sequence numbers. The monitor is stopped while 30 events are
 * made, in a buffer with room for a few.
 */
static void test_monitor_overflow(void)
{
	CU_ASSERT_EQUAL(run_script("monitor-overflow",
		"rm -f /tmp/monitor.err\n"
		"tagctl monitor --rcvbuf 4K >/tmp/monitor.out 2>/tmp/monitor.err & m=$!\n"
		"for i in $(seq 100); do grep -q listening /tmp/monitor.err && break; sleep 0.1; done\n"
		"kill -STOP $m\n"
		"for i in 1 2 3 4 5 6; do memtag-scenario bad-frees >/dev/null; done\n"
		"kill -CONT $m\n"
		"for i in $(seq 100); do grep -q 'event(s) lost, seq' /tmp/monitor.err && break; "
		"memtag-scenario bad-frees >/dev/null; sleep 0.1; done\n"
		"kill $m; cat /tmp/monitor.err\n"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "tagctl monitor: events lost: the socket's receive "
					   "buffer overflowed (ENOBUFS); the gap in sequence numbers "
					   "says how many"));
	/* the kernel reports ENOBUFS before the events still queued: the gap comes later */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " event(s) lost, seq "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "'tagctl events --since "));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl monitor --rcvbuf 0"), 2);
}

/* Every line of out has that many tab-separated fields, and out no blank; how many lines. */
static size_t dump_lines(size_t fields)
{
	const char *p;
	size_t n = 0, tabs = 0;

	for (p = out; *p; p++) {
		if (*p == '\t') {
			tabs++;
		} else if (*p == '\n') {
			CU_ASSERT_EQUAL(tabs + 1, fields);
			tabs = 0;
			n++;
		}
	}
	CU_ASSERT_PTR_NULL(strchr(out, ' '));
	return n;
}

/*
 * A child holds a region named with a blank and a tab, with a segment, until
 * it reads a byte: libmemtag stays out of this process (a profile mapped here
 * would hold the module until the suites end). Returns its pid; *region, its id.
 */
static pid_t hold_named_region(int *go, uint32_t *region)
{
	int up[2], down[2];
	pid_t child;
	char byte;

	*go = -1;
	if (pipe(up) || pipe(down))
		return -1;
	child = fork();
	if (child == 0) {
		struct tag_region *r = tag_region_create(NULL, "dump me\tnow", 0);
		uint32_t id = r && tag_alloc(r, 64) ? tag_region_id(r) : 0;

		if (write(up[1], &id, sizeof(id)) != sizeof(id) || read(down[0], &byte, 1) < 0)
			_exit(1);
		tag_region_end(r);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	*go = down[1];
	if (child < 0 || read(up[0], region, sizeof(*region)) != sizeof(*region))
		*region = 0;
	close(up[0]);
	return child;
}

/* --dump: tab-separated, columns fixed, names with blanks and controls one field. */
static void test_dump_form(void)
{
	uint32_t region = 0;
	int go = -1, status;
	pid_t holder = hold_named_region(&go, &region);
	char want[64];
	unsigned long pid;

	CU_ASSERT_TRUE_FATAL(holder > 0);
	CU_ASSERT_TRUE(region > 0);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl regions --dump --pid %d", (int)holder), 0);
	CU_ASSERT_EQUAL(dump_lines(14), 1);
	snprintf(want, sizeof(want), "%u\tdump\\x20me\\x09now\t0\tlive\t%d\t", region,
		 (int)holder);
	CU_ASSERT_TRUE(!strncmp(out, want, strlen(want)));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -D segments --pid %d", (int)holder), 0);
	CU_ASSERT_TRUE(dump_lines(9) >= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\tdump\\x20me\\x09now\t"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\tlive\t0x"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl segments --pid %d", (int)holder), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " dump me\\x09now\n"));
	CU_ASSERT_EQUAL(write(go, "", 1), 1);
	close(go);
	CU_ASSERT_EQUAL(waitpid(holder, &status, 0), holder);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	pid = pid_of_scenario("bad-frees");
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl events -D --pid %lu", pid), 0);
	CU_ASSERT_EQUAL(dump_lines(16), 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\tdouble-free\tmisuse\tlibrary\t0\t"));
	pid = pid_of_scenario("killed-service");
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl leaks --pid %lu --dump", pid), 0);
	CU_ASSERT_EQUAL(dump_lines(14), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "region-leaked\t"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\tsession_buffer_new\t"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "allocations-at-exit\t"));
}

static void test_monitor_needs_root(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(99);
		execlp("tagctl", "tagctl", "monitor", (char *)NULL);
		_exit(98);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 4);
}

/* A shell command line as nobody, stderr to /tmp/nobody.err; its exit code. */
static int as_nobody(const char *command)
{
	pid_t child = fork();
	int status, fd;

	if (child == 0) {
		fd = open("/tmp/nobody.err", O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0 || setgid(65534) || setuid(65534))
			_exit(99);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(98);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Another user's process: a clear refusal, not an empty list. */
static void test_other_users_pid_denied(void)
{
	static const char *const commands[] = {
		"tagctl leaks --pid 1", "tagctl events --pid 1", "tagctl violations --pid 1",
		"tagctl escapes --pid 1",
		"tagctl check --pid 1", "tagctl stats --pid 1", "tagctl regions --pid 1",
		"tagctl export --format folded --pid 1",
	};
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		CU_ASSERT_EQUAL(as_nobody(commands[i]), 4);
		CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "cat /tmp/nobody.err"), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "process 1 belongs to uid 0"));
	}
}

/* The option grammar where it needs the module: bare tagctl, short forms, globals after. */
static void test_command_line_grammar(void)
{
	struct memtag_region_record r;
	struct memtag_client *client;
	struct json_object *root, *v;
	int pid = (int)getpid();

	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl"), 0);	/* status, as wg is wg show */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "memtag module "));
	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "tagctl statu -j"), 0);
	root = json_tokener_parse(out);
	CU_ASSERT_TRUE(root && json_object_object_get_ex(root, "backend", &v));
	json_object_put(root);
	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_region_create(client, 0, "grammar", 0, &r), 0);
	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out), "tagctl reg -tP%d --json", pid), 0);
	root = json_tokener_parse(out);
	CU_ASSERT_TRUE(root && json_object_array_length(root) == 1);
	json_object_put(root);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"grammar\""));
	/* a size with a unit filters: nobody reserves a tebibyte */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl regions --pid=%d -m 1T -j", pid), 0);
	CU_ASSERT_STRING_EQUAL(out, "[]\n");
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl regions -P %d -o 1.5 -j", pid), 0);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl -h regions -P %d", pid), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "grammar"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "set -o pipefail; tagctl stats -j -i 0.1s -c 2 | wc -l"), 0);
	CU_ASSERT_EQUAL(atoi(out), 2);
	CU_ASSERT_EQUAL(memtag_region_end(client, r.id), 0);
	memtag_client_close(client);
}

/* tagctl.md, exit 1: a pid without a profile; an output that cannot be written. */
static void test_exit_one(void)
{
	/* pid 1, the guest's shell, is root's and never used libmemtag */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl export --format folded --pid 1"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "no allocation profile for pid 1"));
	/* the gauges are written even with no profile: /dev/full refuses them */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "{ tagctl export --format prometheus 2>&1 >/dev/full; }"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot write the prometheus export"));
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out),
				  "tagctl export --format folded -o /proc/no-such-dir/out"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot create a temporary file next to"));
}

/*
 * The tracee's system call at this entry stop is skipped (number -1); at
 * its exit stop it returns -err. The same on both architectures.
 */
static int skip_syscall(pid_t pid)
{
#if defined(__x86_64__)
	return (int)ptrace(PTRACE_POKEUSER, pid, offsetof(struct user, regs.orig_rax), -1L);
#elif defined(__aarch64__)
	int nr = -1;
	struct iovec iov = { &nr, sizeof(nr) };

	return (int)ptrace(PTRACE_SETREGSET, pid, NT_ARM_SYSTEM_CALL, &iov);
#else
#error "skip_syscall: x86_64 and arm64 only"
#endif
}

static int set_syscall_return(pid_t pid, long value)
{
#if defined(__x86_64__)
	return (int)ptrace(PTRACE_POKEUSER, pid, offsetof(struct user, regs.rax), value);
#else
	struct user_regs_struct regs;
	struct iovec iov = { &regs, sizeof(regs) };

	if (ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov))
		return -1;
	regs.regs[0] = (unsigned long long)value;
	return (int)ptrace(PTRACE_SETREGSET, pid, NT_PRSTATUS, &iov);
#endif
}

/*
 * Run tagctl ARGS (stderr to /tmp/nosocket.err) traced, every
 * socket(AF_NETLINK, ...) it makes failing with err, as when the process
 * is out of descriptors: the request cannot be made. Its exit code, or -1.
 * Fault injection by ptrace: no seccomp on the debug kernel.
 */
static int tagctl_without_netlink(char *const argv[], int err)
{
	struct __ptrace_syscall_info info;
	int status, fd, failing = 0, injected = 0;
	pid_t pid = fork();

	if (pid == 0) {
		fd = open("/tmp/nosocket.err", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0 || ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(99);
		raise(SIGSTOP);
		execvp("tagctl", argv);
		_exit(98);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -1;
	}
	while (ptrace(PTRACE_SYSCALL, pid, 0, 0) == 0 && waitpid(pid, &status, 0) == pid) {
		if (WIFEXITED(status))
			return injected ? WEXITSTATUS(status) : -2;
		if (WIFSIGNALED(status))
			return -1;
		if (WSTOPSIG(status) != (SIGTRAP | 0x80) ||
		    ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info) <= 0)
			continue;	/* the exec's SIGTRAP, or no info: let it go on */
		if (info.op == PTRACE_SYSCALL_INFO_ENTRY && info.entry.nr == SYS_socket &&
		    info.entry.args[0] == AF_NETLINK) {
			failing = !skip_syscall(pid);
		} else if (info.op == PTRACE_SYSCALL_INFO_EXIT && failing) {
			injected += !set_syscall_return(pid, -err);
			failing = 0;
		}
	}
	waitpid(pid, &status, 0);
	return -1;
}

/* tagctl.md, exit 1: a request that cannot be made is not "the module is not loaded". */
static void test_exit_one_no_socket(void)
{
	static char *const status[] = { "tagctl", "status", NULL };
	static char *const regions[] = { "tagctl", "-j", "regions", NULL };
	static char *const check[] = { "tagctl", "check", NULL };

	CU_ASSERT_EQUAL(tagctl_without_netlink(status, EMFILE), 1);
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "cat /tmp/nosocket.err"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "tagctl: cannot open a netlink socket: "));
	CU_ASSERT_PTR_NULL(strstr(out, "not loaded"));
	CU_ASSERT_EQUAL(tagctl_without_netlink(regions, ENOBUFS), 1);
	/* check's own codes (8 and up) are for findings, not for failures */
	CU_ASSERT_EQUAL(tagctl_without_netlink(check, EMFILE), 1);
	/* the same tagctl, untraced, works */
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "tagctl status"), 0);
}

int itest_add_tagctl_suite(void)
{
	static const struct test_case cases[] = {
		{ "escapes, leaks, violations list only their class", test_class_listings },
		{ "check exits 8 + 1 leak, 2 escape, 4 misuse", test_check_exit_codes },
		{ "suppressions: used, counted, and not over-matching", test_suppressions },
		{ "regions --tree nests, filters select", test_regions_tree_and_filters },
		{ "monitor streams events as JSON", test_monitor },
		{ "monitor needs CAP_SYS_ADMIN", test_monitor_needs_root },
		{ "monitor --pid and --kind filter", test_monitor_filters },
		{ "monitor says how many events ENOBUFS lost", test_monitor_overflow },
		{ "events and check --since SEQ: a job's own window", test_since },
		{ "--dump: tab-separated fields, escaped names", test_dump_form },
		{ "another user's pid is refused with a reason", test_other_users_pid_denied },
		{ "command line: bare tagctl, short forms, units, -j after", test_command_line_grammar },
		{ "exit 1: no profile for the pid, an output that cannot be written", test_exit_one },
		{ "exit 1: a request that cannot be made (no netlink socket)", test_exit_one_no_socket },
		{ NULL, NULL },
	};

	return add_suite("tagctl", cases);
}
