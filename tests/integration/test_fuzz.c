// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A netlink fuzzer: malformed and random messages to every command of the
 * family, as root and as nobody. The module must refuse what is wrong and
 * stay whole: the guest boots with panic_on_warn, and the harness fails the
 * run on any KASAN, UBSAN, lockdep or kmemleak report.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "client.h"
#include "fuzz.h"
#include "itest.h"

#define rnd fuzz_rnd
#define interesting fuzz_interesting

#define FUZZ_MESSAGES 100000	/* per run, half as root and half as nobody */
#define FUZZ_SEED 0x6d656d74ULL	/* MEMTAG_FUZZ_SEED replaces it */
#define MSG_MAX 512

static uint64_t rng;
static unsigned long sent_failed;

void fuzz_seed(uint64_t seed)
{
	rng = seed ? seed : 1;	/* xorshift stays at 0 forever */
}

/* xorshift64*: deterministic, so that a failing run can be replayed */
uint32_t fuzz_rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

uint64_t fuzz_interesting(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 4095, 4096, 4097, 65536, 1ULL << 30, (1ULL << 30) + 4096,
		0x7fffffff, 0x80000000, 0xffffffff, 1ULL << 32, UINT64_MAX, UINT64_MAX - 4095,
	};

	return rnd() % 2 ? edges[rnd() % (sizeof(edges) / sizeof(edges[0]))] :
			   (uint64_t)rnd() << 32 | rnd();
}

uint64_t fuzz_base_seed(uint64_t fallback)
{
	const char *s = getenv("MEMTAG_FUZZ_SEED");

	return s && *s ? strtoull(s, NULL, 0) : fallback;
}

unsigned long fuzz_count(unsigned long fallback, const char *own)
{
	const char *s = own && getenv(own) ? getenv(own) : getenv("MEMTAG_FUZZ_SCALE");
	unsigned long scale = s && *s ? strtoul(s, NULL, 0) : 1;

	return fallback * (scale ? scale : 1);
}

/* Random attributes after the genetlink header; some lengths lie. */
static size_t put_attrs(char *buf, size_t room)
{
	size_t used = 0, len, i;
	struct nlattr *nla;
	uint64_t v;

	while (used + NLA_HDRLEN + 8 <= room && rnd() % 4) {
		nla = (struct nlattr *)(buf + used);
		len = rnd() % 3 ? (rnd() % 2 ? 4 : 8) : rnd() % 72;
		if (used + NLA_HDRLEN + NLA_ALIGN(len) > room)
			break;
		nla->nla_type = (uint16_t)(rnd() % 3 ? rnd() % (MEMTAG_A_MAX + 3) : rnd());
		nla->nla_len = (uint16_t)(NLA_HDRLEN + len);
		v = interesting();
		memcpy(buf + used + NLA_HDRLEN, &v, len < 8 ? len : 8);
		for (i = 8; i < len; i++)
			buf[used + NLA_HDRLEN + i] = rnd() % 5 ? (char)('a' + rnd() % 26) : (char)rnd();
		if (!(rnd() % 16))
			nla->nla_len = (uint16_t)rnd();	/* a length that lies */
		used += NLA_HDRLEN + NLA_ALIGN(len);
	}
	return used;
}

/* One random request; sent without waiting for its answer (errors come as acks). */
static void send_one(int fd, int family)
{
	char buf[MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = (struct genlmsghdr *)NLMSG_DATA(nlh);
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;

	nlh->nlmsg_type = (uint16_t)(rnd() % 64 ? (uint32_t)family : rnd());
	nlh->nlmsg_flags = NLM_F_REQUEST | (rnd() % 8 ? 0 : NLM_F_DUMP) |
			   (rnd() % 4 ? 0 : NLM_F_ACK);
	nlh->nlmsg_seq = rnd();
	g->cmd = (uint8_t)(rnd() % 16 ? rnd() % (MEMTAG_CMD_MAX + 2) : rnd());
	g->version = (uint8_t)(rnd() % 8 ? MEMTAG_GENL_VERSION : rnd());
	len += put_attrs(buf + len, sizeof(buf) - len);
	nlh->nlmsg_len = (uint32_t)(rnd() % 32 ? len : rnd() % sizeof(buf));
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		nlh->nlmsg_len = NLMSG_HDRLEN;
	if (sendto(fd, buf, nlh->nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		sent_failed++;	/* refused whole (a length that lies): fine too */
}

static void drain(int fd)
{
	char buf[16384];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
}

/* count messages on a fresh socket; then the module must still answer. */
static int fuzz(unsigned long count, uint64_t seed)
{
	struct memtag_client *c;
	struct memtag_status st;
	time_t start = time(NULL);
	int fd, family, i;

	if (memtag_client_open(&c))
		return 1;
	family = memtag_client_family(c);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return 2;
	fuzz_seed(seed);
	sent_failed = 0;
	for (i = 0; (unsigned long)i < count; i++) {
		send_one(fd, family);
		if (!(i % 64))
			drain(fd);
	}
	/* most messages reach the module: the fuzzer is not refused at the door */
	if (sent_failed > count / 4)
		return 3;
	printf("    fuzz: %lu messages, %lu refused whole, in %lld s\n", count, sent_failed,
	       (long long)(time(NULL) - start));
	close(fd);	/* what it created is now leaked, as a crash would leave it */
	return memtag_status_get(c, &st) ? 4 : 0;
}

/* The run's seed and size, printed so that a failure can be replayed. */
static void announce(const char *what, unsigned long count, uint64_t seed)
{
	printf("\n    fuzz %s: %lu messages, seed 0x%llx (replay: MEMTAG_FUZZ_SEED=0x%llx)\n",
	       what, count, (unsigned long long)seed,
	       (unsigned long long)fuzz_base_seed(FUZZ_SEED));
	fflush(stdout);
}

/* fn(count, seed) in a child as nobody; its exit status, or 128+signal. */
static int as_nobody(int (*fn)(unsigned long, uint64_t), unsigned long count, uint64_t seed)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(setgid(65534) || setuid(65534) ? 9 : fn(count, seed));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_fuzz_root(void)
{
	unsigned long count = fuzz_count(FUZZ_MESSAGES / 2, NULL);
	uint64_t seed = fuzz_base_seed(FUZZ_SEED);

	announce("netlink as root", count, seed);
	CU_ASSERT_EQUAL(fuzz(count, seed), 0);
}

static void test_fuzz_nobody(void)
{
	unsigned long count = fuzz_count(FUZZ_MESSAGES / 2, NULL);
	uint64_t seed = fuzz_base_seed(FUZZ_SEED) + 1;	/* nobody's own sequence */

	announce("netlink as nobody", count, seed);
	CU_ASSERT_EQUAL(as_nobody(fuzz, count, seed), 0);
}

int itest_add_fuzz_suite(void)
{
	static const struct test_case cases[] = {
		{ "random and malformed messages as root", test_fuzz_root },
		{ "random and malformed messages as nobody", test_fuzz_nobody },
		{ "random and malformed lifetime ioctls as root", test_fuzz_ioctl_root },
		{ "random and malformed lifetime ioctls as nobody", test_fuzz_ioctl_nobody },
		{ NULL, NULL },
	};

	return add_suite("fuzz", cases);
}
