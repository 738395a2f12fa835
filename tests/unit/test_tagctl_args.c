// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl's option grammar (tools/opts.c, tools/units.c) and, through the built binary, main's. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "opts.h"
#include "tagctl.h"
#include "units.h"
#include "unit.h"

static const struct tagctl_opt cmd_opts[] = {
	{ 'P', 'P', "pid", "P", "a process" },
	{ 't', 't', "tree", NULL, "nest" },
	{ 'm', 'm', "min-bytes", "SIZE", "at least" },
	{ 'M', 0, "max-depth", "N", "long only" },
	{ 0 },
};

static char err[512];

/* Every option of argv as "key=arg" or "key" words, or the error: in out. */
static int parse(char *out, size_t len, int argc, char **argv)
{
	struct tagctl_opt_state s;
	const char *arg;
	size_t used = 0;
	int key;

	out[0] = '\0';
	tagctl_opt_init(&s, argc, argv, cmd_opts, tagctl_global_opts, "tagctl test");
	while ((key = tagctl_opt_next(&s, &arg, err, sizeof(err))) > 0)
		used += (size_t)snprintf(out + used, len - used, "%s%d%s%s", used ? " " : "", key,
					 arg ? "=" : "", arg ? arg : "");
	return key;
}

#define ARGV(...) ((char *[]){ "test", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "test", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(out, ...) parse(out, sizeof(out), ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_short_and_long_forms(void)
{
	char out[256];

	CU_ASSERT_EQUAL(PARSE(out, "--pid", "42", "-P", "43", "-P44", "--pid=45"), TAGCTL_OPT_END);
	CU_ASSERT_STRING_EQUAL(out, "80=42 80=43 80=44 80=45");
	/* flags grouped, the last of a group may take the argument */
	CU_ASSERT_EQUAL(PARSE(out, "-tjP", "7"), TAGCTL_OPT_END);
	snprintf(err, sizeof(err), "116 %d 80=7", TAGCTL_KEY_JSON);
	CU_ASSERT_STRING_EQUAL(out, err);
	/* unique abbreviations, as getopt_long; an argument may start with '-' */
	CU_ASSERT_EQUAL(PARSE(out, "--min", "64K", "--tr", "--pid", "-1"), TAGCTL_OPT_END);
	CU_ASSERT_STRING_EQUAL(out, "109=64K 116 80=-1");
	CU_ASSERT_EQUAL(PARSE(out, "--"), TAGCTL_OPT_END);
}

static void test_global_options_after_the_command(void)
{
	char out[256], want[128];

	CU_ASSERT_EQUAL(PARSE(out, "-t", "-j", "--pretty", "-h"), TAGCTL_OPT_END);
	snprintf(want, sizeof(want), "116 %d %d %d", TAGCTL_KEY_JSON, TAGCTL_KEY_PRETTY,
		 TAGCTL_KEY_HUMAN);
	CU_ASSERT_STRING_EQUAL(out, want);
	CU_ASSERT_EQUAL(PARSE(out, "--help"), TAGCTL_OPT_END);
	snprintf(want, sizeof(want), "%d", TAGCTL_KEY_HELP);
	CU_ASSERT_STRING_EQUAL(out, want);
}

static void test_missing_argument(void)
{
	char out[256];

	CU_ASSERT_EQUAL(PARSE(out, "--pid"), TAGCTL_OPT_ERROR);
	CU_ASSERT_STRING_EQUAL(err, "tagctl: option '--pid' needs an argument");
	CU_ASSERT_EQUAL(PARSE(out, "-t", "-P"), TAGCTL_OPT_ERROR);
	CU_ASSERT_STRING_EQUAL(err, "tagctl: option '-P' (--pid) needs an argument");
	CU_ASSERT_EQUAL(PARSE(out, "--max-depth"), TAGCTL_OPT_ERROR);
	CU_ASSERT_STRING_EQUAL(err, "tagctl: option '--max-depth' needs an argument");
	CU_ASSERT_EQUAL(PARSE(out, "--tree=yes"), TAGCTL_OPT_ERROR);
	CU_ASSERT_STRING_EQUAL(err, "tagctl: option '--tree' takes no argument");
}

static void test_unknown_and_ambiguous(void)
{
	char out[256];

	CU_ASSERT_EQUAL(PARSE(out, "--bogus"), TAGCTL_OPT_ERROR);
	CU_ASSERT_STRING_EQUAL(err, "tagctl test: unknown option '--bogus'; try 'tagctl test --help'");
	CU_ASSERT_EQUAL(PARSE(out, "-tz"), TAGCTL_OPT_ERROR);
	CU_ASSERT_STRING_EQUAL(err, "tagctl test: unknown option '-z'; try 'tagctl test --help'");
	CU_ASSERT_EQUAL(PARSE(out, "--p", "1"), TAGCTL_OPT_ERROR);
	CU_ASSERT_STRING_EQUAL(err, "tagctl test: option '--p' is ambiguous: --pid, --pretty");
	CU_ASSERT_EQUAL(PARSE(out, "extra"), TAGCTL_OPT_ERROR);
	CU_ASSERT_STRING_EQUAL(err, "tagctl test: unexpected argument 'extra'; "
				    "try 'tagctl test --help'");
	CU_ASSERT_EQUAL(PARSE(out, "--", "-t"), TAGCTL_OPT_ERROR);
}

static void test_stop_at_the_command(void)
{
	char *argv[] = { "tagctl", "-jp", "regions", "--tree", NULL };
	struct tagctl_opt_state s;
	const char *arg;
	int n = 0;

	tagctl_opt_init(&s, 4, argv, tagctl_global_opts, NULL, "tagctl");
	s.stop_at_word = true;
	while (tagctl_opt_next(&s, &arg, err, sizeof(err)) > 0)
		n++;
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(s.index, 2);
}

/* Help and parser read one table: every option help names parses, every entry is named. */
static void test_help_lists_the_table(void)
{
	const struct tagctl_opt *o;
	char help[2048], synopsis[512], word[64], out[256];

	tagctl_opt_help(cmd_opts, help, sizeof(help));
	tagctl_opt_synopsis(cmd_opts, synopsis, sizeof(synopsis));
	CU_ASSERT_STRING_EQUAL(synopsis, "[-P P] [-t] [-m SIZE] [--max-depth N]");
	CU_ASSERT_PTR_NOT_NULL(strstr(help, "  -P, --pid P "));
	CU_ASSERT_PTR_NOT_NULL(strstr(help, "      --max-depth N "));
	for (o = cmd_opts; o->key; o++) {
		snprintf(word, sizeof(word), "--%s", o->long_name);
		CU_ASSERT_PTR_NOT_NULL(strstr(help, word));
		CU_ASSERT_PTR_NOT_NULL(strstr(help, o->help));
		CU_ASSERT_EQUAL(parse(out, sizeof(out), o->arg ? 3 : 2,
				      (char *[]){ "test", word, "1", NULL }), TAGCTL_OPT_END);
	}
}

static void test_sizes(void)
{
	uint64_t b;

	CU_ASSERT_EQUAL(tagctl_parse_size("4096", &b), 0);
	CU_ASSERT_EQUAL(b, 4096);
	CU_ASSERT_EQUAL(tagctl_parse_size("64K", &b), 0);
	CU_ASSERT_EQUAL(b, 65536);
	CU_ASSERT_EQUAL(tagctl_parse_size("64KiB", &b), 0);
	CU_ASSERT_EQUAL(b, 65536);
	CU_ASSERT_EQUAL(tagctl_parse_size("1.5M", &b), 0);
	CU_ASSERT_EQUAL(b, 3 << 19);
	CU_ASSERT_EQUAL(tagctl_parse_size("2GiB", &b), 0);
	CU_ASSERT_EQUAL(b, 2ULL << 30);
	CU_ASSERT_EQUAL(tagctl_parse_size("16777215T", &b), 0);
	CU_ASSERT_EQUAL(tagctl_parse_size("16777216T", &b), -1);	/* 2^64 */
	CU_ASSERT_EQUAL(tagctl_parse_size("18446744073709551615", &b), 0);
	CU_ASSERT_EQUAL(tagctl_parse_size("18446744073709551616", &b), -1);
	CU_ASSERT_EQUAL(tagctl_parse_size("-1", &b), -1);
	CU_ASSERT_EQUAL(tagctl_parse_size("64Q", &b), -1);
	CU_ASSERT_EQUAL(tagctl_parse_size("", &b), -1);
	CU_ASSERT_EQUAL(tagctl_parse_size("K", &b), -1);
	CU_ASSERT_EQUAL(tagctl_parse_size("1.K", &b), -1);
	CU_ASSERT_EQUAL(tagctl_parse_size(" 1", &b), -1);
}

static void test_durations(void)
{
	uint64_t ns;

	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("1.5", &ns), 0);
	CU_ASSERT_EQUAL(ns, 1500000000ULL);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("1.5s", &ns), 0);
	CU_ASSERT_EQUAL(ns, 1500000000ULL);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("500ms", &ns), 0);
	CU_ASSERT_EQUAL(ns, 500000000ULL);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("0.25m", &ns), 0);
	CU_ASSERT_EQUAL(ns, 15000000000ULL);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("20us", &ns), 0);
	CU_ASSERT_EQUAL(ns, 20000);
	/* the old parser multiplied without a check: 2^64 ns wrapped to a short time */
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("213503d", &ns), 0);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("213504d", &ns), -1);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("99999999999999999999s", &ns), -1);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("-1s", &ns), -1);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("1.5.5", &ns), -1);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("5parsecs", &ns), -1);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("nan", &ns), -1);
	CU_ASSERT_EQUAL(tagctl_parse_duration_ns("1e3", &ns), -1);
}

static void test_numbers_and_human_forms(void)
{
	char buf[32];
	long n;

	CU_ASSERT_EQUAL(tagctl_parse_long("42", 1, 100, &n), 0);
	CU_ASSERT_EQUAL(n, 42);
	CU_ASSERT_EQUAL(tagctl_parse_long("0", 1, 100, &n), -1);
	CU_ASSERT_EQUAL(tagctl_parse_long("99999999999999999999", 1, LONG_MAX, &n), -1);
	CU_ASSERT_EQUAL(tagctl_parse_long("4x", 1, 100, &n), -1);
	CU_ASSERT_EQUAL(tagctl_parse_long(" 4", 1, 100, &n), -1);
	CU_ASSERT_STRING_EQUAL(tagctl_human_size(512, buf, sizeof(buf)), "512");
	CU_ASSERT_STRING_EQUAL(tagctl_human_size(65536, buf, sizeof(buf)), "64K");
	CU_ASSERT_STRING_EQUAL(tagctl_human_size(3 << 19, buf, sizeof(buf)), "1.5M");
	CU_ASSERT_STRING_EQUAL(tagctl_human_duration(250000000ULL, buf, sizeof(buf)), "250.0ms");
	CU_ASSERT_STRING_EQUAL(tagctl_human_duration(5400000000000ULL, buf, sizeof(buf)), "1.5h");
}

/* The built tagctl (MEMTAG_TAGCTL): exit code, and the output that contains want. */
static void expect(const char *args, int code, const char *want)
{
	const char *tagctl = getenv("MEMTAG_TAGCTL");
	char cmd[512], out[8192] = "";
	size_t n;
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", tagctl, args);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);
	CU_ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) != code || !strstr(out, want))
		fprintf(stderr, "\n  tagctl %s: exit %d, want %d and '%s'; said: %s", args,
			WEXITSTATUS(status), code, want, out);
	CU_ASSERT_EQUAL(WEXITSTATUS(status), code);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
}

static void test_main_grammar(void)
{
	if (!getenv("MEMTAG_TAGCTL"))
		TEST_SKIP("MEMTAG_TAGCTL names no tagctl (make unit sets it)");
	expect("help nosuch", 2, "unknown command 'nosuch'");
	expect("help reg", 0, "  -m, --min-bytes SIZE");
	expect("e", 2, "command 'e' is ambiguous: events, escapes, export");
	expect("reg --bogus", 2, "tagctl regions: unknown option '--bogus'; "
				 "try 'tagctl regions --help'");
	expect("regions --pid", 2, "tagctl: option '--pid' needs an argument\n");
	expect("regions --help", 0, "  -t, --tree");
	expect("regions --tree -j --help", 0, "Global options");	/* globals after */
	expect("regions --min-bytes 64Q", 2, "--min-bytes takes a size");
	expect("regions --older-than -5s", 2, "--older-than takes");
	expect("stats --interval 213504d", 2, "--interval takes");
	expect("top -d 0", 2, "-d takes seconds, 0.1 to 3600");
	expect("status extra", 2, "unexpected argument 'extra'");
	expect("violations --scan", 2, "try 'tagctl violations --help'");
	expect("--version", 0, "tagctl ");
	/* -D, --dump: one grammar, global; refused where there is no dump form */
	expect("status --dump", 2, "tagctl status: no --dump form");
	expect("-D check", 2, "tagctl check: no --dump form");
	expect("regions -jD", 2, "--dump and --json are two forms");
	expect("escapes --dump --scan", 2, "--scan has no --dump form");
	expect("help segments", 0, "  -P, --pid P");
	expect("monitor --kind nosuch", 2, "unknown kind 'nosuch'");
	expect("events --since x", 2, "--since takes a sequence number");
	/* bash completion (debian/) reads the commands after this line */
	expect("--help", 0, "\nCommands:\n  status ");
	expect("-j --bogus status", 2, "tagctl: unknown option '--bogus'");
}

/* One message per error: the old getopt printed its own line, then tagctl's. */
static void test_one_message_per_error(void)
{
	const char *tagctl = getenv("MEMTAG_TAGCTL");
	char cmd[512], line[512];
	FILE *p;
	int lines = 0;

	if (!tagctl)
		TEST_SKIP("MEMTAG_TAGCTL names no tagctl (make unit sets it)");
	snprintf(cmd, sizeof(cmd), "%s leaks --growing 2>&1 >/dev/null", tagctl);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	while (fgets(line, sizeof(line), p))
		lines++;
	pclose(p);
	CU_ASSERT_EQUAL(lines, 1);
}

/* Bare tagctl is status: it reaches the module (exit 3 here), not the usage (exit 2). */
static void test_bare_tagctl_is_status(void)
{
	if (!getenv("MEMTAG_TAGCTL"))
		TEST_SKIP("MEMTAG_TAGCTL names no tagctl (make unit sets it)");
	if (!system("test -e /sys/module/memtag"))
		TEST_SKIP("the memtag module is loaded on this host");
	expect("", 3, "module is not loaded");
	expect("-j", 3, "module is not loaded");
	expect("reg -j --tree --min-bytes 64K --older-than 1.5", 3, "module is not loaded");
	expect("top --interval 500ms", 3, "module is not loaded");
}

/*
 * tagctl.md, exit 2: pprof is binary, not for a terminal; checked before
 * the module is needed, so here with stdout on a pseudo-terminal.
 */
static void test_pprof_not_to_a_terminal(void)
{
	const char *tagctl = getenv("MEMTAG_TAGCTL");
	char said[512] = "";
	int pipefd[2], master, slave, status;
	ssize_t n;
	pid_t pid;

	if (!tagctl)
		TEST_SKIP("MEMTAG_TAGCTL names no tagctl (make unit sets it)");
	master = posix_openpt(O_RDWR | O_NOCTTY);
	CU_ASSERT_FATAL(master >= 0 && !grantpt(master) && !unlockpt(master));
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	CU_ASSERT_FATAL(slave >= 0 && !pipe(pipefd));
	pid = fork();
	if (pid == 0) {
		if (dup2(slave, STDOUT_FILENO) < 0 || dup2(pipefd[1], STDERR_FILENO) < 0)
			_exit(99);
		execl(tagctl, "tagctl", "export", "--format", "pprof", (char *)NULL);
		_exit(98);
	}
	close(pipefd[1]);
	n = read(pipefd[0], said, sizeof(said) - 1);
	said[n > 0 ? n : 0] = '\0';
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "pprof output is binary: give -o FILE or redirect it"));
	close(pipefd[0]);
	close(slave);
	close(master);
}

/* No command's option shadows a global one (-p is --pretty, so --pid is -P). */
static void test_no_command_shadows_a_global(void)
{
	static const char *const names[] = { "status", "regions", "events", "escapes",
					     "violations", "leaks", "monitor", "check", "scan",
					     "export", "stats", "top" };
	const char *tagctl = getenv("MEMTAG_TAGCTL");
	char cmd[512], line[512], shorts[64];
	size_t i, n;
	FILE *p;

	if (!tagctl)
		TEST_SKIP("MEMTAG_TAGCTL names no tagctl (make unit sets it)");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s %s --help", tagctl, names[i]);
		p = popen(cmd, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		n = 0;
		shorts[0] = '\0';
		while (fgets(line, sizeof(line), p)) {
			if (line[0] != ' ' || line[1] != ' ' || line[2] != '-' || line[3] == '-')
				continue;
			/* each short letter once over the command's and the global options */
			CU_ASSERT_PTR_NULL(strchr(shorts, line[3]));
			if (n < sizeof(shorts) - 1) {
				shorts[n++] = line[3];
				shorts[n] = '\0';
			}
		}
		CU_ASSERT_EQUAL(pclose(p), 0);
		CU_ASSERT_PTR_NOT_NULL(strchr(shorts, 'j'));
	}
}

int add_tagctl_args_suite(void)
{
	static const struct test_case tests[] = {
		{ "short, long, grouped, abbreviated, --x=V", test_short_and_long_forms },
		{ "global options after the command", test_global_options_after_the_command },
		{ "a missing argument is named", test_missing_argument },
		{ "unknown, ambiguous, unexpected", test_unknown_and_ambiguous },
		{ "before the command: stop at it", test_stop_at_the_command },
		{ "help and parser read one table", test_help_lists_the_table },
		{ "sizes with units", test_sizes },
		{ "durations without overflow", test_durations },
		{ "numbers and human forms", test_numbers_and_human_forms },
		{ "main: help, prefixes, errors, exit 2", test_main_grammar },
		{ "main: one message per error", test_one_message_per_error },
		{ "main: bare tagctl is status", test_bare_tagctl_is_status },
		{ "main: no command shadows a global option", test_no_command_shadows_a_global },
		{ "main: pprof to a terminal is refused, exit 2", test_pprof_not_to_a_terminal },
		{ NULL, NULL },
	};

	return add_suite("tagctl options", tests);
}
