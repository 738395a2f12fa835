// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The detection table of issue 3, end to end: memtag-scenario commits a
 * misuse, the module records it, the test compares the record's fields.
 */
#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include "client.h"
#include "itest.h"

#define EXIT_SIGSEGV (128 + 11)
#define EXIT_SIGABRT (128 + 6)

static char out[16384];

/* set while an MTE guest runs the module with backend=software */
static bool software_forced;

static bool mte(void)
{
	return !software_forced && !strcmp(itest_expected_backend(), "mte");
}

static unsigned long long value_of(const char *key)
{
	return itest_value(out, key);
}

static int scenario(const char *options, const char *name)
{
	return itest_run(out, sizeof(out), "MEMTAG_OPTIONS='%s' memtag-scenario %s", options, name);
}

/* The newest recorded event of kind from pid, or NULL (caller frees *all). */
static const struct memtag_event_record *find_event(struct memtag_event_record **all,
						      enum memtag_event_kind kind, uint32_t pid)
{
	struct memtag_client *client;
	size_t n, i;
	const struct memtag_event_record *found = NULL;

	*all = NULL;
	if (memtag_client_open(&client)) {
		CU_FAIL("cannot open a memtag client");
		return NULL;
	}
	if (memtag_event_list(client, all, &n)) {
		CU_FAIL("cannot list the events");
	} else {
		for (i = 0; i < n; i++)
			if ((*all)[i].kind == kind && (*all)[i].tgid == pid)
				found = &(*all)[i];
	}
	memtag_client_close(client);
	return found;
}

static size_t count_events(uint32_t pid, enum memtag_event_kind kind)
{
	struct memtag_event_record *all = NULL;
	struct memtag_client *client;
	size_t n, i, hits = 0;

	/* an error is no count at all: "records nothing" must not pass on it */
	if (memtag_client_open(&client)) {
		CU_FAIL("cannot open a memtag client");
		return SIZE_MAX;
	}
	if (memtag_event_list(client, &all, &n)) {
		CU_FAIL("cannot list the events");
		hits = SIZE_MAX;
	} else {
		for (i = 0; i < n; i++)
			hits += all[i].tgid == pid && (!kind || all[i].kind == kind);
	}
	memtag_client_close(client);
	free(all);
	return hits;
}

/* The module's violations counter; 0 (a failure) if it cannot be read. */
static uint64_t violations_now(void)
{
	struct memtag_client *client = NULL;
	struct memtag_status st = { 0 };

	if (memtag_client_open(&client) || memtag_status_get(client, &st))
		CU_FAIL("cannot read the module's status");
	memtag_client_close(client);
	return st.violations;
}

/*
 * Escape-like faults: the record carries region, offset, address and pc,
 * and counts once in violations whoever saw it (module or libmemtag).
 */
static void expect_fault(const char *name, const char *options, int exit_code,
			 enum memtag_event_kind kind, const char *region_name, uint32_t flag)
{
	uint64_t violations = violations_now();
	struct memtag_event_record *all;
	const struct memtag_event_record *e;

	CU_ASSERT_EQUAL(scenario(options, name), exit_code);
	CU_ASSERT_EQUAL(violations_now(), violations + 1);
	/* once: dying must not make the access (and its record) a second time */
	CU_ASSERT_EQUAL(count_events((uint32_t)value_of("pid"), kind), 1);
	e = find_event(&all, kind, (uint32_t)value_of("pid"));
	CU_ASSERT_PTR_NOT_NULL(e);
	if (e) {
		CU_ASSERT_EQUAL(e->region, value_of("region"));
		CU_ASSERT_STRING_EQUAL(e->region_name, region_name);
		CU_ASSERT_EQUAL(e->offset, value_of("offset"));
		/* who saw it: the module, the signal handler, or a check (0) */
		if (flag) {
			CU_ASSERT_TRUE(e->flags & flag);
		} else {
			CU_ASSERT_EQUAL(e->flags, 0);
		}
		CU_ASSERT_EQUAL(e->address, value_of("address"));
		if (kind == MEMTAG_EVENT_USE_AFTER_END || kind == MEMTAG_EVENT_STALE_AFTER_RESET)
			CU_ASSERT_NOT_EQUAL(e->ip, 0);
	}
	free(all);
}

static uint32_t fault_flag(void)
{
	return mte() ? MEMTAG_EVENT_F_SIGNAL : MEMTAG_EVENT_F_KERNEL;
}

static void test_use_after_end(void)
{
	expect_fault("use-after-end", "", EXIT_SIGSEGV, MEMTAG_EVENT_USE_AFTER_END,
		     "http-request", fault_flag());
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "memtag: use-after-end in region 'http-request'"));
}

/* Recycled addresses and pages (quarantine_mb=0): escapes are still caught. */
static void test_recycled_segments(void)
{
	expect_fault("recycled", "quarantine_mb=0", EXIT_SIGSEGV, MEMTAG_EVENT_USE_AFTER_END,
		     "lifetime-4", fault_flag());
	CU_ASSERT_EQUAL(value_of("recycled"), 1);
}

/* Another SIGSEGV handler's faults reach it; memtag's stays installed. */
static void test_chained_handler(void)
{
	expect_fault("chained", "", EXIT_SIGSEGV, MEMTAG_EVENT_USE_AFTER_END, "after-guards",
		     fault_flag());
	CU_ASSERT_EQUAL(value_of("guard_faults"), 2);
	/* the program's handler saw memtag's fault too, before the death */
	CU_ASSERT_EQUAL(value_of("crash_reporter"), 1);
}

static void test_stale_after_reset(void)
{
	expect_fault("stale-after-reset", "", EXIT_SIGSEGV, MEMTAG_EVENT_STALE_AFTER_RESET,
		     "pool", fault_flag());
}

static void test_use_after_free(void)
{
	/* software: found by the poison check at the next free, then abort */
	expect_fault("use-after-free", "", mte() ? EXIT_SIGSEGV : EXIT_SIGABRT,
		     MEMTAG_EVENT_USE_AFTER_FREE, "session",
		     mte() ? MEMTAG_EVENT_F_SIGNAL : 0);
}

static void test_overflow(void)
{
	expect_fault("overflow", "", mte() ? EXIT_SIGSEGV : EXIT_SIGABRT,
		     MEMTAG_EVENT_OVERFLOW, "parser", mte() ? MEMTAG_EVENT_F_SIGNAL : 0);
}

/* api.md: the ring of a region's 16 most recent frees; their first 16 bytes. */
static void test_recent_free_bound(void)
{
	struct memtag_event_record *all = NULL;
	struct memtag_client *client;
	size_t n, i, first = 0, late = 0;
	uint32_t pid;

	if (mte())
		TEST_SKIP("software backend only: MTE retags a freed chunk, a write faults at once");
	CU_ASSERT_EQUAL_FATAL(scenario("halt_on_error=0", "recent-free-bound"), 0);
	CU_ASSERT_EQUAL(value_of("found_at"), 16);
	CU_ASSERT_EQUAL(value_of("late_found_at"), 0);
	CU_ASSERT_EQUAL(value_of("late_found_at_end"), 1);
	pid = (uint32_t)value_of("pid");
	CU_ASSERT_EQUAL(count_events(pid, MEMTAG_EVENT_USE_AFTER_FREE), 2);
	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_event_list(client, &all, &n), 0);
	for (i = 0; i < n; i++) {
		if (all[i].tgid != pid || all[i].kind != MEMTAG_EVENT_USE_AFTER_FREE)
			continue;
		first += all[i].address == value_of("address") &&
			 all[i].offset == value_of("offset");
		late += all[i].address == value_of("late_address");
	}
	CU_ASSERT_EQUAL(first, 1);
	CU_ASSERT_EQUAL(late, 1);
	free(all);
	memtag_client_close(client);
}

static void test_segment_mapping_stays_single(void)
{
	if (mte())
		TEST_SKIP("software backend only: MTE memory is anonymous");
	CU_ASSERT_EQUAL(scenario("", "vma-tricks"), EXIT_SIGSEGV);
	CU_ASSERT_EQUAL(value_of("dofork_refused"), 1);
	CU_ASSERT_EQUAL(value_of("mremap_refused"), 1);
	CU_ASSERT_EQUAL(value_of("split_refused"), 1);
	CU_ASSERT_EQUAL(count_events((uint32_t)value_of("pid"), MEMTAG_EVENT_USE_AFTER_END), 1);
}

static void test_continue_mode(void)
{
	struct memtag_event_record *all;
	const struct memtag_event_record *e;

	CU_ASSERT_EQUAL(scenario("halt_on_error=0", "use-after-end"), 0);
	/*
	 * What the escaping read saw: software, the module's zeroed scratch
	 * page; MTE, the process's own memory, retagged but not cleared
	 * ("escaping"[5]).
	 */
	CU_ASSERT_EQUAL(value_of("value"), mte() ? 'i' : 0);
	e = find_event(&all, MEMTAG_EVENT_USE_AFTER_END, (uint32_t)value_of("pid"));
	CU_ASSERT_PTR_NOT_NULL(e);
	if (e)
		CU_ASSERT_TRUE(e->flags & MEMTAG_EVENT_F_CONTINUED);
	free(all);
}

/* The last event of kind from pid names region_name (and region id if given). */
static void expect_named(uint32_t pid, enum memtag_event_kind kind, const char *region_name,
			 unsigned long long region, bool with_address)
{
	struct memtag_event_record *all;
	const struct memtag_event_record *e = find_event(&all, kind, pid);

	CU_ASSERT_PTR_NOT_NULL(e);
	if (e) {
		CU_ASSERT_STRING_EQUAL(e->region_name, region_name);
		if (region)
			CU_ASSERT_EQUAL(e->region, region);
		CU_ASSERT_EQUAL(e->address != 0, with_address);
		CU_ASSERT_NOT_EQUAL(e->site, 0);
	}
	free(all);
}

static void test_bad_frees(void)
{
	unsigned long long a;
	uint32_t pid;

	CU_ASSERT_EQUAL_FATAL(scenario("", "bad-frees"), 0);
	CU_ASSERT_EQUAL(value_of("ok"), 1);
	pid = (uint32_t)value_of("pid");
	a = value_of("region");
	CU_ASSERT_EQUAL(count_events(pid, MEMTAG_EVENT_DOUBLE_FREE), 1);
	CU_ASSERT_EQUAL(count_events(pid, MEMTAG_EVENT_INVALID_FREE), 2);
	CU_ASSERT_EQUAL(count_events(pid, MEMTAG_EVENT_WRONG_REGION_FREE), 1);
	CU_ASSERT_EQUAL(count_events(pid, MEMTAG_EVENT_ALLOC_IN_ENDED), 1);
	expect_named(pid, MEMTAG_EVENT_DOUBLE_FREE, "a", a, true);
	expect_named(pid, MEMTAG_EVENT_INVALID_FREE, "a", a, true);
	expect_named(pid, MEMTAG_EVENT_WRONG_REGION_FREE, "b", 0, true);
	expect_named(pid, MEMTAG_EVENT_ALLOC_IN_ENDED, "a", a, false);
}

static void test_bad_arguments(void)
{
	struct memtag_event_record *all;
	const struct memtag_event_record *e;
	uint32_t pid;

	CU_ASSERT_EQUAL_FATAL(scenario("", "bad-arguments"), 0);
	pid = (uint32_t)value_of("pid");
	CU_ASSERT_EQUAL(value_of("null_name"), 1);
	CU_ASSERT_EQUAL(value_of("long_name"), 1);
	CU_ASSERT_EQUAL(value_of("bad_flags"), 1);
	CU_ASSERT_EQUAL(value_of("free_into_ended"), 1);
	/* only the free into the ended region names a region: recorded (api.md) */
	CU_ASSERT_EQUAL(count_events(pid, MEMTAG_EVENT_INVALID_FREE), 1);
	CU_ASSERT_EQUAL(count_events(pid, 0), 1);
	e = find_event(&all, MEMTAG_EVENT_INVALID_FREE, pid);
	CU_ASSERT_PTR_NOT_NULL(e);
	if (e) {
		CU_ASSERT_STRING_EQUAL(e->region_name, "ended");
		CU_ASSERT_EQUAL(e->region, value_of("region"));
	}
	free(all);
}

static void test_strict_leaks_by_site(void)
{
	struct memtag_event_record *all = NULL;
	struct memtag_client *client;
	size_t n, i, sites = 0;
	uint32_t pid;

	CU_ASSERT_EQUAL_FATAL(scenario("", "strict-leaks"), 0);
	CU_ASSERT_EQUAL(value_of("allocs_leaked"), 5);
	pid = (uint32_t)value_of("pid");
	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_event_list(client, &all, &n), 0);
	for (i = 0; i < n; i++) {
		if (all[i].tgid != pid || all[i].kind != MEMTAG_EVENT_ALLOCS_LEAKED)
			continue;
		sites++;
		CU_ASSERT_STRING_EQUAL(all[i].region_name, "strict-job");
		CU_ASSERT_NOT_EQUAL(all[i].site, 0);
		CU_ASSERT_TRUE((all[i].count == 3 && all[i].size == 300) ||
			       (all[i].count == 2 && all[i].size == 14));
	}
	CU_ASSERT_EQUAL(sites, 2);
	free(all);
	memtag_client_close(client);
}

static void test_leak_at_exit(void)
{
	struct memtag_event_record *all;
	const struct memtag_event_record *e;

	CU_ASSERT_EQUAL_FATAL(scenario("", "leak-at-exit"), 0);
	e = find_event(&all, MEMTAG_EVENT_REGION_LEAKED, (uint32_t)value_of("pid"));
	CU_ASSERT_PTR_NOT_NULL(e);
	if (e) {
		CU_ASSERT_EQUAL(e->region, value_of("region"));
		CU_ASSERT_STRING_EQUAL(e->region_name, "forgotten");
		CU_ASSERT_TRUE(e->flags & MEMTAG_EVENT_F_KERNEL);
		if (!mte())
			CU_ASSERT_EQUAL(e->size, 64 * 1024);
	}
	free(all);
}

/*
 * A region created without a call (software: claimed from the reservation
 * the previous end made; MTE: from a slot of the region table) is a region
 * like any other.
 */
static void test_claimed_escape(void)
{
	expect_fault("claimed-escape", "quarantine_mb=0", EXIT_SIGSEGV,
		     MEMTAG_EVENT_USE_AFTER_END, "claimed-escape", fault_flag());
	CU_ASSERT_EQUAL(value_of("claimed"), 1);
}

/* The leaks of a killed process; names[i] must have one record each. */
static void expect_claimed_leaks(void)
{
	struct memtag_event_record *all = NULL;
	struct memtag_client *client;
	uint32_t pid = (uint32_t)value_of("pid");
	size_t n = 0, i, leaked = 0, unclaimed = 0;
	bool parent = false, child = false;

	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL(memtag_event_list(client, &all, &n), 0);
	memtag_client_close(client);
	for (i = 0; i < n; i++) {
		if (all[i].tgid != pid)
			continue;
		unclaimed += all[i].region == value_of("unclaimed");
		if (all[i].kind != MEMTAG_EVENT_REGION_LEAKED)
			continue;
		leaked++;
		parent |= all[i].region == value_of("region") &&
			  !strcmp(all[i].region_name, "claimed-listed");
		child |= all[i].region == value_of("child") &&
			 !strcmp(all[i].region_name, "claimed-child");
	}
	free(all);
	CU_ASSERT_EQUAL(leaked, 2);
	CU_ASSERT_TRUE(parent);
	CU_ASSERT_TRUE(child);
	CU_ASSERT_EQUAL(unclaimed, 0);	/* never claimed: never a region */
}

static void test_claimed_listed_and_leaked(void)
{
	CU_ASSERT_EQUAL_FATAL(scenario("quarantine_mb=0", "reserved-listed"), 128 + SIGKILL);
	CU_ASSERT_EQUAL(value_of("claimed"), 1);
	CU_ASSERT_EQUAL(value_of("child_claimed"), 1);
	CU_ASSERT_NOT_EQUAL(value_of("unclaimed"), 0);
	CU_ASSERT_EQUAL(value_of("listed"), 1);
	CU_ASSERT_EQUAL(value_of("child_listed"), 1);
	CU_ASSERT_EQUAL(value_of("unclaimed_listed"), 0);
	expect_claimed_leaks();
}

/* Nobody looked before the kill: the file's release reads the descriptors. */
static void test_claimed_leaked_unlisted(void)
{
	CU_ASSERT_EQUAL_FATAL(scenario("quarantine_mb=0", "reserved-unlisted"), 128 + SIGKILL);
	CU_ASSERT_EQUAL(value_of("claimed"), 1);
	CU_ASSERT_EQUAL(value_of("child_claimed"), 1);
	expect_claimed_leaks();
}

static void test_foreign_process(void)
{
	uint32_t child;

	CU_ASSERT_EQUAL_FATAL(scenario("", "foreign"), 0);
	CU_ASSERT_EQUAL(value_of("child_ok"), 1);
	child = (uint32_t)value_of("child");
	/* library: alloc; kernel: end (and mmap in software mode) */
	CU_ASSERT_EQUAL(count_events(child, MEMTAG_EVENT_FOREIGN_REGION), mte() ? 2 : 3);
}

static void test_clean_workload(void)
{
	const char *env = getenv("MEMTAG_WORKLOAD_REGIONS");
	unsigned long long regions = env ? strtoull(env, NULL, 10) : 2500;

	CU_ASSERT_EQUAL_FATAL(scenario("", "clean-workload"), 0);
	CU_ASSERT_EQUAL(value_of("violations"), 0);
	/* per thread: a connection, a pool, the requests; every 10th promoted */
	CU_ASSERT_EQUAL(value_of("regions_created"), 4 * (2 + regions));
	CU_ASSERT_EQUAL(value_of("allocs"), 4 * (regions * 100 + (regions + 9) / 10));
	CU_ASSERT_EQUAL(value_of("live_allocs"), 0);
	CU_ASSERT_EQUAL(value_of("regions_live"), 0);
	CU_ASSERT_EQUAL(count_events((uint32_t)value_of("pid"), 0), 0);
}

static void test_async_mode(void)
{
	struct memtag_event_record *all;
	const struct memtag_event_record *e;

	/* the software backend has no check modes: faults are always precise */
	if (!mte())
		TEST_SKIP("MTE only: the software backend has no check modes");

	/* async: the fault comes late, without an address to classify it by */
	CU_ASSERT_EQUAL(scenario("mte_mode=async", "use-after-end"), EXIT_SIGSEGV);
	e = find_event(&all, MEMTAG_EVENT_TAG_MISMATCH, (uint32_t)value_of("pid"));
	CU_ASSERT_PTR_NOT_NULL(e);
	if (e)
		CU_ASSERT_TRUE(e->flags & MEMTAG_EVENT_F_SIGNAL);
	free(all);
}

static const char tcf_preferred[] = "/sys/devices/system/cpu/cpu0/mte_tcf_preferred";

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fputs(text, f) < 0;
	return fclose(f) || ret ? -1 : 0;
}

/*
 * mte_mode=asymm asks for sync and async: with the CPU's preferred mode
 * asymm (-smp 1: cpu0) reads fault at once, writes late. A read after end
 * is classified exactly, a write only as a tag mismatch; with sync the
 * same write is an exact use-after-end.
 */
#define HWCAP2_MTE3_BIT (1UL << 22)	/* arm64 <asm/hwcap.h>: asymmetric MTE */

static void test_asymm_mode(void)
{
	char old[32] = "";
	bool asymm_cpu;
	FILE *f;
	uint32_t pid;
	int refused;

	if (!mte())
		TEST_SKIP("MTE only: the software backend has no check modes");
	/* what the CPU has, from the kernel's hwcaps, not from memtag */
	asymm_cpu = getauxval(AT_HWCAP2) & HWCAP2_MTE3_BIT;
	f = fopen(tcf_preferred, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(old, sizeof(old), f));
	fclose(f);
	refused = write_text(tcf_preferred, "asymm");
	/* the kernel refuses asymm exactly when the CPU lacks it */
	CU_ASSERT_EQUAL_FATAL(refused != 0, !asymm_cpu);
	if (!asymm_cpu)
		TEST_SKIP("the CPU has no asymmetric MTE (no HWCAP2_MTE3; the kernel refuses asymm)");
	expect_fault("use-after-end", "mte_mode=asymm", EXIT_SIGSEGV, MEMTAG_EVENT_USE_AFTER_END,
		     "http-request", MEMTAG_EVENT_F_SIGNAL);
	CU_ASSERT_EQUAL(scenario("mte_mode=asymm", "write-after-end"), EXIT_SIGSEGV);
	pid = (uint32_t)value_of("pid");
	CU_ASSERT_EQUAL(count_events(pid, MEMTAG_EVENT_TAG_MISMATCH), 1);
	CU_ASSERT_EQUAL(count_events(pid, MEMTAG_EVENT_USE_AFTER_END), 0);
	expect_fault("write-after-end", "mte_mode=sync", EXIT_SIGSEGV, MEMTAG_EVENT_USE_AFTER_END,
		     "written-after", MEMTAG_EVENT_F_SIGNAL);
	CU_ASSERT_EQUAL(write_text(tcf_preferred, old), 0);
}

static void test_ring_drops_records_not_counts(void)
{
	struct memtag_event_record report = { .kind = MEMTAG_EVENT_INVALID_FREE }, *all;
	struct memtag_status before, after;
	struct memtag_client *client;
	unsigned long size = itest_read_param("event_ring_size"), i, failed = 0;
	size_t n, held = 0;

	CU_ASSERT_TRUE_FATAL(size > 0);
	/* one user may fill the whole ring here: what is dropped is the oldest */
	CU_ASSERT_EQUAL_FATAL(itest_write_param("event_user_share", 100), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	/* root sees the whole ring: what it holds now is pushed out too */
	CU_ASSERT_EQUAL(memtag_event_list(client, &all, &held), 0);
	free(all);
	CU_ASSERT_EQUAL(memtag_status_get(client, &before), 0);
	for (i = 0; i < size + 10; i++)
		failed += memtag_event_report(client, &report) != 0;
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT_EQUAL(memtag_status_get(client, &after), 0);
	CU_ASSERT_EQUAL(after.event_totals[MEMTAG_EVENT_INVALID_FREE],
			before.event_totals[MEMTAG_EVENT_INVALID_FREE] + size + 10);
	CU_ASSERT_EQUAL(after.events, before.events + size + 10);
	/* every record is in the ring or was dropped: the ring ends full */
	CU_ASSERT_EQUAL(after.events_dropped, before.events_dropped + held + 10);
	CU_ASSERT_EQUAL(memtag_event_list(client, &all, &n), 0);
	CU_ASSERT_EQUAL(n, size);
	free(all);
	memtag_client_close(client);
	CU_ASSERT_EQUAL(itest_write_param("event_user_share", 25), 0);
}

static int on_multicast(struct nl_msg *msg, void *arg)
{
	return memtag_event_parse(nlmsg_hdr(msg), arg) ? NL_SKIP : NL_STOP;
}

static void test_events_multicast(void)
{
	struct memtag_event_record report = { .kind = MEMTAG_EVENT_DOUBLE_FREE, .size = 4242 };
	struct memtag_event_record got = { 0 };
	struct memtag_client *client;
	struct nl_sock *listener = nl_socket_alloc();
	int group;

	CU_ASSERT_EQUAL_FATAL(genl_connect(listener), 0);
	group = genl_ctrl_resolve_grp(listener, MEMTAG_GENL_NAME, MEMTAG_MCGRP_EVENTS);
	CU_ASSERT_TRUE_FATAL(group > 0);
	CU_ASSERT_EQUAL_FATAL(nl_socket_add_membership(listener, group), 0);
	nl_socket_disable_seq_check(listener);
	nl_socket_modify_cb(listener, NL_CB_VALID, NL_CB_CUSTOM, on_multicast, &got);
	CU_ASSERT_EQUAL_FATAL(memtag_client_open(&client), 0);
	CU_ASSERT_EQUAL(memtag_event_report(client, &report), 0);
	CU_ASSERT_TRUE(nl_recvmsgs_default(listener) >= 0);
	CU_ASSERT_EQUAL(got.kind, MEMTAG_EVENT_DOUBLE_FREE);
	CU_ASSERT_EQUAL(got.size, 4242);
	CU_ASSERT_EQUAL(got.tgid, (uint32_t)getpid());
	memtag_client_close(client);
	nl_socket_free(listener);
}

static int backend_is(enum memtag_backend backend)
{
	struct memtag_client *client;
	struct memtag_status st;
	int ret;

	if (memtag_client_open(&client))
		return 0;
	ret = !memtag_status_get(client, &st) && st.backend == backend;
	memtag_client_close(client);
	return ret;
}

/*
 * backend=software on an MTE machine: the module reloaded in the same
 * guest, the software rows of the table run, then MTE is loaded again.
 */
static void test_forced_software_on_mte(void)
{
	if (!mte())
		TEST_SKIP("MTE targets only: the software backend is this target's own");
	CU_ASSERT_EQUAL_FATAL(itest_run(out, sizeof(out),
					"modprobe -r memtag && modprobe memtag backend=software"), 0);
	CU_ASSERT_TRUE(backend_is(MEMTAG_BACKEND_SOFTWARE));
	software_forced = true;
	test_use_after_end();
	test_stale_after_reset();
	test_use_after_free();
	test_overflow();
	test_recent_free_bound();
	software_forced = false;
	CU_ASSERT_EQUAL(itest_run(out, sizeof(out), "modprobe -r memtag && modprobe memtag"), 0);
	CU_ASSERT_TRUE(backend_is(MEMTAG_BACKEND_MTE));
}

int itest_add_software_on_mte_suite(void)
{
	static const struct test_case cases[] = {
		{ "backend=software on MTE: escapes, reset, free and overflow checks",
		  test_forced_software_on_mte },
		{ NULL, NULL },
	};

	return add_suite("software-on-mte", cases);
}

int itest_add_alloc_suite(void)
{
	static const struct test_case cases[] = {
		{ "use after region end is caught and recorded", test_use_after_end },
		{ "stale pointer after reset is caught", test_stale_after_reset },
		{ "recycled first segments: escapes still caught", test_recycled_segments },
		{ "a program's own SIGSEGV handler is chained", test_chained_handler },
		{ "use after free inside a live region", test_use_after_free },
		{ "overflow into the next chunk", test_overflow },
		{ "use after free: found at the 16th later free, past 16 bytes at end",
		  test_recent_free_bound },
		{ "report-and-continue mode keeps running", test_continue_mode },
		{ "a segment cannot be forked, moved or split", test_segment_mapping_stays_single },
		{ "bad frees and alloc in ended region: errno, recorded", test_bad_frees },
		{ "bad names and flags: EINVAL; free into an ended region: ESTALE",
		  test_bad_arguments },
		{ "strict region: live allocations leaked by site", test_strict_leaks_by_site },
		{ "region open at exit is recorded as leaked", test_leak_at_exit },
		{ "a region claimed without a call: escape recorded with its name",
		  test_claimed_escape },
		{ "claimed regions listed by tagctl, leaked by name; unclaimed never seen",
		  test_claimed_listed_and_leaked },
		{ "claimed regions leaked by name when nobody listed them",
		  test_claimed_leaked_unlisted },
		{ "another process gets EPERM on every use", test_foreign_process },
		{ "async check mode reports the fault late", test_async_mode },
		{ "asymmetric check mode: reads exact, writes late", test_asymm_mode },
		{ "events are multicast on the events group", test_events_multicast },
		{ "a full ring drops records, never counts", test_ring_drops_records_not_counts },
		{ "no false positive: 4 threads x 2,500 regions x 100 allocations",
		  test_clean_workload },
		{ NULL, NULL },
	};

	return add_suite("alloc", cases);
}
