// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SIGSEGV: tag-check faults (MTE) and touches of revoked memory (software).
 * Runs in a signal handler: no locks, no malloc, no stdio. The report to
 * the module is a netlink message built by hand on a raw socket opened
 * beforehand, which libnl cannot do async-signal-safely.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/ucontext.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "mte.h"
#include "alloc.h"

#ifndef SEGV_MTEAERR
#define SEGV_MTEAERR 8
#define SEGV_MTESERR 9
#endif
#ifndef SA_EXPOSE_TAGBITS
#define SA_EXPOSE_TAGBITS 0x00000800
#endif
#define PSTATE_TCO (1UL << 25)

static struct sigaction previous;

struct raw_msg {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[256];
};

static void put_attr(struct raw_msg *m, int type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)m + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void put_u64(struct raw_msg *m, int type, uint64_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

static void send_report(const struct memtag_event_record *e, const char *name)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct raw_msg m = {
		.nlh = { .nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN, .nlmsg_type = tag_rt.family,
			 .nlmsg_flags = NLM_F_REQUEST },
		.genl = { .cmd = MEMTAG_CMD_EVENT_REPORT, .version = MEMTAG_GENL_VERSION },
	};
	uint32_t kind = e->kind, flags = e->flags, region = e->region;

	if (tag_rt.report_fd < 0)
		return;
	put_attr(&m, MEMTAG_A_EVENT_KIND, &kind, sizeof(kind));
	put_attr(&m, MEMTAG_A_EVENT_FLAGS, &flags, sizeof(flags));
	if (region)
		put_attr(&m, MEMTAG_A_REGION_ID, &region, sizeof(region));
	if (name)
		put_attr(&m, MEMTAG_A_REGION_NAME, name, strnlen(name, MEMTAG_REGION_NAME_MAX - 1) + 1);
	put_u64(&m, MEMTAG_A_EVENT_OFFSET, e->offset);
	put_u64(&m, MEMTAG_A_EVENT_ADDRESS, e->address);
	put_u64(&m, MEMTAG_A_EVENT_IP, e->ip);
	put_u64(&m, MEMTAG_A_EVENT_SITE, e->site);
	put_u64(&m, MEMTAG_A_EVENT_SIZE, e->size);
	sendto(tag_rt.report_fd, &m, m.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel,
	       sizeof(kernel));
}

/* Async-signal-safe formatting: snprintf may take locks or allocate. */
struct line {
	char buf[256];
	size_t len;
};

static void put_str(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = *s++;
}

static void put_num(struct line *l, unsigned long long v, unsigned int base)
{
	char digits[24];
	int n = 0;

	if (base == 16)
		put_str(l, "0x");
	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && n < (int)sizeof(digits));
	while (n && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = digits[--n];
}

/* A line for the person reading the log, written without stdio. */
static void say(const struct memtag_event_record *e, const char *name, bool recorded)
{
	struct line l = { .len = 0 };

	put_str(&l, "memtag: ");
	put_str(&l, memtag_event_kind_name(e->kind));
	put_str(&l, " in region '");
	put_str(&l, name);
	put_str(&l, "' (id ");
	put_num(&l, e->region, 10);
	put_str(&l, ") at offset ");
	put_num(&l, e->offset, 10);
	put_str(&l, ", address ");
	put_num(&l, e->address, 16);
	put_str(&l, ", pc ");
	put_num(&l, e->ip, 16);
	put_str(&l, recorded ? " (recorded by the module)\n" : "\n");
	if (write(STDERR_FILENO, l.buf, l.len) < 0)
		return;
}

/* The chunk holding addr, copied while tag checks are suspended. */
struct find_chunk {
	uintptr_t addr;
	bool found;
	struct chunk copy;
	unsigned int memory_tag;
};

static bool contains(struct tag_segment *seg, struct chunk *c, void *arg)
{
	struct find_chunk *f = arg;
	uintptr_t start = (uintptr_t)c, end = start + chunk_span(c->size, c->redzone);

	(void)seg;
	if (f->addr < start || f->addr >= end)
		return true;
	f->found = true;
	f->copy = *c;
	f->memory_tag = tag_mte_memory_tag(c);
	return false;
}

/* What a tag fault at addr means, from the allocator's own records. */
static void classify(struct memtag_event_record *e, const void *addr, struct tag_segment *seg)
{
	struct find_chunk f = { .addr = (uintptr_t)untagged(addr) };

	e->kind = MEMTAG_EVENT_TAG_MISMATCH;
	if (!seg)
		return;
	e->region = seg->region_id;
	e->offset = seg->region_offset + (f.addr - (uintptr_t)seg->base);
	if (seg->retired) {
		e->kind = seg->retired;
		return;
	}
	tag_segment_walk(seg, contains, &f);
	if (!f.found)
		return;
	e->site = f.copy.site;
	e->size = f.copy.size;
	if (f.copy.magic == CHUNK_FREED)
		e->kind = MEMTAG_EVENT_USE_AFTER_FREE;
	else if (tag_of(addr) != f.memory_tag)
		e->kind = MEMTAG_EVENT_OVERFLOW;	/* a pointer from a neighbour */
}

static uint64_t fault_pc(void *ucontext)
{
	ucontext_t *uc = ucontext;

#if defined(__aarch64__)
	return uc->uc_mcontext.pc;
#elif defined(__x86_64__)
	return (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
#else
	(void)uc;
	return 0;
#endif
}

static void go_on_unchecked(void *ucontext)
{
#if defined(__aarch64__)
	/* tag checks suspended for this thread until the next libmemtag call */
	((ucontext_t *)ucontext)->uc_mcontext.pstate |= PSTATE_TCO;
#else
	(void)ucontext;
#endif
}

static bool previous_is_handler(void)
{
	return (previous.sa_flags & SA_SIGINFO) ||
	       (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN);
}

static void call_previous(int sig, siginfo_t *si, void *ucontext)
{
	if (previous.sa_flags & SA_SIGINFO)
		previous.sa_sigaction(sig, si, ucontext);
	else
		previous.sa_handler(sig);
}

/*
 * One of ours, and fatal: a handler that was there before (a crash
 * reporter) sees it first; then the thread dies with its signal. refaults:
 * returning makes the access again (MTE, sync) and that kills; otherwise
 * the signal is raised, so that the access is not made (or recorded) twice.
 */
static void die_with(int sig, siginfo_t *si, void *ucontext, bool refaults)
{
	if (previous_is_handler())
		call_previous(sig, si, ucontext);
	signal(sig, SIG_DFL);
	if (!refaults)
		raise(sig);
}

/*
 * Not ours (a JIT's or a GC's guard page, a plain crash): the handler that
 * was there before decides, and ours stays installed for the next fault.
 */
static void chain(int sig, siginfo_t *si, void *ucontext)
{
	if (previous_is_handler()) {
		call_previous(sig, si, ucontext);
		return;
	}
	signal(sig, SIG_DFL);	/* the default: the access faults again and kills */
}

static void handle(int sig, siginfo_t *si, void *ucontext)
{
	bool mte = si->si_code == SEGV_MTESERR || si->si_code == SEGV_MTEAERR;
	struct memtag_event_record e = { .flags = MEMTAG_EVENT_F_SIGNAL };
	struct tag_segment *seg = tag_segment_find(si->si_addr);

	if (!mte && !(seg && seg->retired)) {
		chain(sig, si, ucontext);
		return;
	}
	e.address = (uintptr_t)si->si_addr;
	e.ip = fault_pc(ucontext);
	classify(&e, si->si_addr, seg);
	if (!mte) {
		/* software backend: the module saw the fault and recorded it;
		 * die by raising, so that the access is not made (and recorded) twice */
		say(&e, seg->name, true);
		die_with(sig, si, ucontext, false);
		return;
	}
	if (!tag_rt.opts.halt_on_error)
		e.flags |= MEMTAG_EVENT_F_CONTINUED;
	send_report(&e, seg ? seg->name : NULL);
	say(&e, seg ? seg->name : "?", false);
	if (tag_rt.opts.halt_on_error)
		die_with(sig, si, ucontext, si->si_code == SEGV_MTESERR);
	else if (si->si_code == SEGV_MTESERR)
		go_on_unchecked(ucontext);
}

static void on_segv(int sig, siginfo_t *si, void *ucontext)
{
	int saved = errno;	/* the interrupted code's */

	handle(sig, si, ucontext);
	errno = saved;
}

int tag_signal_init(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv };

	tag_rt.report_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	sa.sa_flags = SA_SIGINFO | SA_EXPOSE_TAGBITS;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSEGV, &sa, &previous) ? -errno : 0;
}
