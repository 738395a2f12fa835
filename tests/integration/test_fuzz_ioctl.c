// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A fuzzer of the per-lifetime ioctls on /dev/memtag (MEMTAG_IOC_REGION_*):
 * random and malformed requests (ids of our own, of another user, ended
 * or never made; segments to recycle, sizes, addresses, pad bits, names
 * without a NUL, flags; argument pointers that are unmapped, read-only or
 * cut short by a hole), interleaved with netlink commands, mmaps of the
 * segments handed out, touches (escapes included), munmaps, the region
 * table (MEMTAG_TABLE_OFFSET: mapped well and badly, refilled, its slots
 * claimed, ended and scribbled on with ids of ours, another user's or
 * none), forks whose
 * children act on the shared file and are killed, and closes of the file
 * while its regions live. The module must answer each with what the UAPI
 * says, and be whole after: no live region, no reserved byte and no quota
 * left behind. Kernel reports fail the run through the harness.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "client.h"
#include "fuzz.h"
#include "itest.h"

#define rnd fuzz_rnd

/*
 * Steps per run, half as root and half as nobody: 10,000 took 23 s on
 * the debug kernel (KASAN under TCG), see Documentation/testing.md.
 */
#define IOCTL_STEPS 20000
#define IOCTL_SEED 0x696f6374ULL	/* MEMTAG_FUZZ_SEED replaces it; runs add 2 and 3 */
#define NOBODY 65534
#define SLOTS 64
#define CHILD_STEPS 24
#define PROFILE_SIZE (((sizeof(struct memtag_profile_area) + 4095) / 4096) * 4096)
#define PROFILES_MAX 4
#define TABLE_MAP ((MEMTAG_TABLE_BYTES + 4095UL) & ~4095UL)

struct seg {
	uint32_t id;
	uint64_t offset;	/* mmap offset on /dev/memtag */
	uint64_t size;
	char *addr;		/* where we mapped it, or NULL */
	size_t maplen;		/* the length mapped there */
};

struct fuzz_state {
	int fd;			/* the open device file: owner of what the ioctls make */
	struct memtag_client *nl;	/* NULL in forked children: the socket is the parent's */
	uint32_t regions[SLOTS];
	struct seg segs[SLOTS];
	unsigned int nregions, nsegs;
	const struct seg *foreign;	/* another user's: must stay out of reach */
	unsigned int nforeign;
	char *hole;		/* a page nobody may touch */
	char *ro;		/* a read-only page */
	char *edge;		/* a page followed by one nobody may touch */
	void *profiles[PROFILES_MAX];
	unsigned int nprofiles;
	struct memtag_region_slot *table;	/* mapped from fd (MTE), or NULL */
	pid_t table_pid;			/* the process that mapped it */
	unsigned long touched, escaped, children;
	int why;		/* the first wrong answer; 0: none */
};

static sigjmp_buf touch_jump;

static void touch_fault(int sig)
{
	siglongjmp(touch_jump, sig);
}

static void wrong(struct fuzz_state *st, int why, const char *what, long ret)
{
	if (!st->why) {
		st->why = why;
		printf("\n    fuzz ioctl: %s (returned %ld, errno %d)\n", what, ret, errno);
		fflush(stdout);	/* a forked child leaves with _exit */
	}
}

static bool software(void)
{
	return !strcmp(itest_expected_backend(), "software");
}

static void note_region(struct fuzz_state *st, uint32_t id)
{
	if (id)
		st->regions[st->nregions++ % SLOTS] = id;
}

static void note_segment(struct fuzz_state *st, uint32_t id, uint64_t offset, uint64_t size)
{
	struct seg *s;

	if (!id)
		return;
	s = &st->segs[st->nsegs++ % SLOTS];
	if (s->addr)	/* the slot's old mapping goes: address space stays bounded */
		munmap(s->addr, s->maplen);
	*s = (struct seg){ .id = id, .offset = offset, .size = size };
}

/* Ids of ours (live or ended), another user's, never made, or at the edges. */
static uint32_t pick_region(const struct fuzz_state *st)
{
	unsigned int have = st->nregions < SLOTS ? st->nregions : SLOTS;

	switch (rnd() % 8) {
	case 0:
		return st->nforeign ? st->foreign[rnd() % st->nforeign].id : 0;
	case 1:
		return (uint32_t)fuzz_interesting();
	default:
		return have ? st->regions[rnd() % have] : rnd() % 4096;
	}
}

static struct seg *pick_seg(struct fuzz_state *st)
{
	unsigned int have = st->nsegs < SLOTS ? st->nsegs : SLOTS;

	return have ? &st->segs[rnd() % have] : NULL;
}

static uint32_t pick_seg_id(struct fuzz_state *st)
{
	struct seg *s = pick_seg(st);

	if (rnd() % 8 == 0)
		return st->nforeign ? st->foreign[rnd() % st->nforeign].id : rnd();
	return s ? s->id : rnd() % 64;
}

/* Mostly the sizes recycling matches on; sometimes anything. */
static uint64_t pick_size(void)
{
	static const uint64_t sizes[] = { 4096, 16384, 65536, 65536, 1 << 20 };

	return rnd() % 8 ? sizes[rnd() % 5] : fuzz_interesting();
}

static void fill_name(char *name)
{
	unsigned int i;

	switch (rnd() % 16) {
	case 0:		/* no NUL anywhere */
		for (i = 0; i < MEMTAG_REGION_NAME_MAX; i++)
			name[i] = (char)('a' + rnd() % 26);
		break;
	case 1:		/* empty */
		break;
	case 2:		/* anything, control bytes included */
		for (i = 0; i + 1 < MEMTAG_REGION_NAME_MAX; i++)
			name[i] = (char)(rnd() | 1);
		break;
	default:
		snprintf(name, MEMTAG_REGION_NAME_MAX, "fuzz-%u", rnd() % 1000);
	}
}

static void fill_segment(struct fuzz_state *st, struct memtag_ioc_segment *seg)
{
	switch (rnd() % 6) {
	case 0:
		break;
	case 1:
	case 2:		/* a new first segment, as libmemtag asks */
		seg->size = pick_size();
		if (!software())
			seg->address = 0x7e0000000000ULL + (uint64_t)(rnd() % 4096) * 65536;
		break;
	case 3:
	case 4:		/* a segment to recycle */
		seg->id = pick_seg_id(st);
		break;
	default:	/* anything at the edges, all at once */
		seg->id = rnd() % 2 ? pick_seg_id(st) : 0;
		seg->size = fuzz_interesting();
		seg->address = fuzz_interesting();
		seg->offset = fuzz_interesting();
	}
}

static void random_request(struct fuzz_state *st, struct memtag_ioc_region *req)
{
	memset(req, 0, sizeof(*req));
	req->id = pick_region(st);
	req->parent = rnd() % 3 ? 0 : pick_region(st);
	req->flags = rnd() % 8 ? rnd() % 4 : rnd();
	req->site = fuzz_interesting();
	fill_name(req->name);
	fill_segment(st, &req->segment);
	if (!(rnd() % 32))
		req->reserved = rnd() | 1;
	if (!(rnd() % 32))
		req->segment.pad = rnd() | 1;
}

static bool names_foreign(const struct fuzz_state *st, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < st->nforeign; i++)
		if (st->foreign[i].id == id)
			return true;
	return false;
}

/* What the UAPI promises of a well-pointed request, whatever else it holds. */
static void check_answer(struct fuzz_state *st, unsigned long cmd,
			 const struct memtag_ioc_region *sent, long ret)
{
	if (ret == 0 && (sent->reserved || sent->segment.pad))
		wrong(st, 10, "pad bits accepted", ret);
	if (ret == 0 && cmd == MEMTAG_IOC_REGION_CREATE &&
	    (strnlen(sent->name, sizeof(sent->name)) == sizeof(sent->name) || !sent->name[0]))
		wrong(st, 11, "a name without a NUL, or empty, accepted", ret);
	if (ret == 0 && cmd == MEMTAG_IOC_REGION_CREATE && (sent->flags & ~MEMTAG_REGION_F_ALL))
		wrong(st, 12, "unknown flags accepted", ret);
	if (ret == 0 && cmd != MEMTAG_IOC_REGION_CREATE && names_foreign(st, sent->id))
		wrong(st, 13, "another user's region ended or reset", ret);
	if (ret == 0 && cmd == MEMTAG_IOC_REGION_CREATE && sent->parent &&
	    names_foreign(st, sent->parent))
		wrong(st, 14, "a child made under another user's region", ret);
	if (ret < 0 && names_foreign(st, sent->id) && cmd != MEMTAG_IOC_REGION_CREATE &&
	    errno == EPERM)
		wrong(st, 15, "EPERM for another user's id tells it exists", ret);
}

static const unsigned long lifetime_cmds[] = {
	MEMTAG_IOC_REGION_CREATE, MEMTAG_IOC_REGION_END, MEMTAG_IOC_REGION_RESET,
};

static void well_pointed(struct fuzz_state *st)
{
	unsigned long cmd = lifetime_cmds[rnd() % 3];
	struct memtag_ioc_region req, sent;
	long ret;

	random_request(st, &req);
	sent = req;
	ret = ioctl(st->fd, cmd, &req);
	check_answer(st, cmd, &sent, ret);
	if (ret)
		return;
	if (cmd == MEMTAG_IOC_REGION_CREATE) {
		if (!req.id)
			wrong(st, 16, "create gave region id 0", ret);
		note_region(st, req.id);
	}
	note_segment(st, req.segment.id, req.segment.offset, req.segment.size);
}

/* Commands of our magic that are not ours, or ours with the wrong size or direction. */
static unsigned long bad_cmd(void)
{
	switch (rnd() % 5) {
	case 0:
		return _IOWR(MEMTAG_IOC_MAGIC, 4 + rnd() % 250, struct memtag_ioc_region);
	case 1:
		return _IOC(_IOC_READ | _IOC_WRITE, MEMTAG_IOC_MAGIC, 1 + rnd() % 3,
			    rnd() % 512);
	case 2:
		return _IOW(MEMTAG_IOC_MAGIC, 1 + rnd() % 3, struct memtag_ioc_region);
	case 3:
		return _IO(MEMTAG_IOC_MAGIC, rnd() % 4);
	default:
		return _IOC(rnd() % 4, MEMTAG_IOC_MAGIC, rnd() % 256, rnd() % 16384);
	}
}

/* A request the kernel cannot read whole, or cannot write back. */
static void badly_pointed(struct fuzz_state *st)
{
	unsigned long cmd = lifetime_cmds[rnd() % 3];
	size_t cut = 1 + rnd() % (sizeof(struct memtag_ioc_region) - 1);
	struct memtag_ioc_region req;
	void *arg;
	long ret;

	switch (rnd() % 6) {
	case 0:
		arg = NULL;
		break;
	case 1:
		arg = st->hole + rnd() % 4096;
		break;
	case 2:		/* readable, not writable: done, then EFAULT (a create undone) */
		random_request(st, &req);
		req.reserved = 0;
		req.segment.pad = 0;
		if (mprotect(st->ro, 4096, PROT_READ | PROT_WRITE))
			return;
		memcpy(st->ro, &req, sizeof(req));
		mprotect(st->ro, 4096, PROT_READ);
		arg = st->ro;
		break;
	case 3:		/* runs into a hole */
		arg = st->edge + 4096 - cut;
		break;
	case 4:		/* the kernel's half, or the first pages nobody maps */
		arg = (void *)(uintptr_t)(rnd() % 2 ? fuzz_interesting() | 1ULL << 63 :
					  rnd() % 65536);
		break;
	default:	/* a good request of ours with a command that is not */
		random_request(st, &req);
		do
			cmd = bad_cmd();
		while (cmd == lifetime_cmds[0] || cmd == lifetime_cmds[1] ||
		       cmd == lifetime_cmds[2]);
		ret = ioctl(st->fd, cmd, &req);
		if (ret != -1 || errno != ENOTTY)
			wrong(st, 20, "an unknown command not refused with ENOTTY", ret);
		return;
	}
	ret = ioctl(st->fd, cmd, arg);
	if (ret != -1)
		wrong(st, 21, "a request through a bad pointer succeeded", ret);
	else if (arg != st->ro && errno != EFAULT)
		wrong(st, 22, "a request through a bad pointer not refused with EFAULT", ret);
}

static void map_one(struct fuzz_state *st)
{
	int prot = rnd() % 8 ? PROT_READ | PROT_WRITE : (int)(rnd() % 8);
	int flags = rnd() % 8 ? MAP_SHARED : MAP_PRIVATE;
	struct seg *s = pick_seg(st);
	const struct seg *f;
	size_t len;
	char *m;

	if (rnd() % 8 == 0 && st->nforeign) {
		f = &st->foreign[rnd() % st->nforeign];
		m = mmap(NULL, f->size, PROT_READ, MAP_SHARED, st->fd, (off_t)f->offset);
		if (m != MAP_FAILED || errno != ENOENT)
			wrong(st, 30, "another user's segment mapped, or not ENOENT", m != MAP_FAILED);
		if (m != MAP_FAILED)
			munmap(m, f->size);
		return;
	}
	if (!s || s->addr)
		return;
	len = rnd() % 8 ? s->size : pick_size();
	m = mmap(NULL, len, prot, flags, st->fd,
		 (off_t)(rnd() % 16 ? s->offset : fuzz_interesting() & ~4095ULL));
	if (m == MAP_FAILED)
		return;
	/* accepted, yet not writable: nothing to touch there */
	if (!(prot & PROT_WRITE) || flags != MAP_SHARED || len != s->size) {
		munmap(m, len);
		return;
	}
	s->addr = m;
	s->maplen = len;
}

static void unmap_one(struct fuzz_state *st)
{
	struct seg *s = pick_seg(st);

	if (s && s->addr) {
		munmap(s->addr, s->maplen);
		s->addr = NULL;
	}
}

/* A write into one of our mappings: live, recycled or revoked (an escape). */
static void touch_one(struct fuzz_state *st)
{
	struct sigaction sa = { .sa_handler = touch_fault }, old_segv, old_bus;
	struct seg *s = pick_seg(st);
	volatile char *at;

	if (!s || !s->addr || s->size < 4096)
		return;
	at = s->addr + (rnd() % (s->size / 4096)) * 4096 + rnd() % 4096;
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (!sigsetjmp(touch_jump, 1)) {
		*at = (char)rnd();
		st->touched++;
	} else {
		st->escaped++;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
}

/* The same regions through netlink, and the listings a dump walks. */
static void netlink_one(struct fuzz_state *st)
{
	struct memtag_segment_grant grant;
	struct memtag_region_record r, *regions;
	struct memtag_event_record *events;
	struct memtag_segment_record *segs;
	uint32_t id = pick_region(st);
	size_t n;

	if (!st->nl)
		return;
	switch (rnd() % 6) {
	case 0:
		if (memtag_segment_add(st->nl, id, pick_size(), software() ? 0 : 0x7d0000000000ULL,
				       &grant))
			break;
		if (names_foreign(st, id))
			wrong(st, 50, "a segment added to another user's region", 0);
		note_segment(st, grant.id, grant.offset, grant.size);
		break;
	case 1:
		if (!memtag_region_end(st->nl, id) && names_foreign(st, id))
			wrong(st, 51, "another user's region ended through netlink", 0);
		break;
	case 2:
		if (!memtag_region_reset(st->nl, id, NULL) && names_foreign(st, id))
			wrong(st, 52, "another user's region reset through netlink", 0);
		break;
	case 3:
		if (!memtag_region_create(st->nl, rnd() % 2 ? 0 : pick_region(st), "fuzz-nl",
					  fuzz_interesting(), &r))
			note_region(st, r.id);
		break;
	case 4:
		if (!memtag_region_list(st->nl, &regions, &n))
			free(regions);
		if (!memtag_segment_list(st->nl, 0, &segs, &n))
			free(segs);
		break;
	default:
		if (!memtag_event_list(st->nl, &events, &n))
			free(events);
	}
}

static void step(struct fuzz_state *st);

/* A child acts on the shared file (another tgid: EPERM), sometimes killed mid-call. */
static void fork_one(struct fuzz_state *st)
{
	pid_t pid = fork();
	unsigned int i;
	int status;

	if (pid < 0)
		return;
	if (pid == 0) {
		st->nl = NULL;
		for (i = 0; i < SLOTS; i++)
			st->segs[i].addr = NULL;	/* VM_DONTCOPY: not ours here */
		st->nprofiles = 0;
		st->table = NULL;	/* VM_DONTCOPY too */
		for (i = 0; i < CHILD_STEPS; i++)
			step(st);
		_exit(st->why);
	}
	st->children++;
	if (rnd() % 2)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status))
		wrong(st, WEXITSTATUS(status), "a forked child saw a wrong answer", 0);
}

/* The file goes while its regions live: they leak once its last mapping goes too. */
static void reopen(struct fuzz_state *st)
{
	int fd = open(MEMTAG_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		wrong(st, 40, "cannot reopen " MEMTAG_DEVICE, fd);
		return;
	}
	close(st->fd);
	st->fd = fd;
	if (st->table)	/* the old file's: its release waits for this unmap */
		munmap(st->table, TABLE_MAP);
	st->table = NULL;
}

static void profile_one(struct fuzz_state *st)
{
	void *m;

	if (st->nprofiles >= PROFILES_MAX)
		return;
	m = mmap(NULL, PROFILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, st->fd,
		 MEMTAG_PROFILE_OFFSET);
	if (m != MAP_FAILED)
		st->profiles[st->nprofiles++] = m;
}

/* Map the table: as libmemtag does, or with a wrong length, offset or mode. */
static void table_map(struct fuzz_state *st)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ, PROT_READ | PROT_EXEC };
	bool good = rnd() % 4, shared = good || rnd() % 2;
	size_t len = good ? TABLE_MAP : (size_t)(1 + rnd() % 4) * 4096;
	off_t off = good || rnd() % 2 ? MEMTAG_TABLE_OFFSET : MEMTAG_TABLE_OFFSET + 4096;
	int prot = good ? prots[0] : prots[rnd() % 3];
	void *m = mmap(NULL, len, prot, shared ? MAP_SHARED : MAP_PRIVATE, st->fd, off);

	if (m == MAP_FAILED) {
		if (good && !software() && errno != EPERM && errno != EDQUOT)
			wrong(st, 50, "the region table could not be mapped", -1);
		if (good && software() && errno != ENODEV)
			wrong(st, 51, "a region table mapped, or the wrong error, in software mode", -1);
		return;
	}
	if (!good && (len != TABLE_MAP || !shared || (prot & PROT_EXEC) ||
		      off != MEMTAG_TABLE_OFFSET))
		wrong(st, 52, "a region table mapping of the wrong shape accepted", 0);
	if (software())
		wrong(st, 51, "a region table mapped in software mode", 0);
	if (st->table)
		munmap(st->table, TABLE_MAP);
	st->table = m;
	st->table_pid = getpid();
}

/* Scribble on a slot: a claim (of its id, another's, a foreign one), an end, garbage. */
static void table_write(struct fuzz_state *st)
{
	struct memtag_region_slot *slot = &st->table[rnd() % MEMTAG_TABLE_SLOTS];
	uint32_t id = rnd() % 4 ? slot->id : pick_region(st);
	struct memtag_table_header *hdr;

	switch (rnd() % 4) {
	case 0:		/* a create as libmemtag writes it */
		slot->desc.parent = rnd() % 3 ? 0 : pick_region(st);
		slot->desc.flags = rnd() % 8 ? rnd() % 4 : rnd();
		slot->desc.site = fuzz_interesting();
		fill_name(slot->desc.name);
		slot->size = rnd() % 2 ? pick_size() : 0;
		slot->address = rnd() % 4 ? 0x7d0000000000ULL + (uint64_t)(rnd() % 4096) * 65536
					  : fuzz_interesting();
		__atomic_store_n(&slot->desc.claim, id, __ATOMIC_RELEASE);
		note_region(st, id);
		break;
	case 1:		/* an end */
		__atomic_store_n(&slot->end, id, __ATOMIC_RELEASE);
		break;
	default:	/* any bytes */
		memset(slot, (int)rnd(), sizeof(*slot));
	}
	/* the generation: bumped as libmemtag does, left as it was, or any value */
	hdr = (struct memtag_table_header *)&st->table[MEMTAG_TABLE_SLOTS];
	if (rnd() % 4)
		__atomic_fetch_add(&hdr->generation, 1, __ATOMIC_RELEASE);
	else if (rnd() % 2)
		hdr->generation = fuzz_interesting();
}

/* A refill: well or badly pointed; only the table's process is served. */
static void table_refill(struct fuzz_state *st)
{
	struct memtag_ioc_table t = { .pad = rnd() % 16 ? 0 : rnd() | 1 }, sent = t;
	void *arg = rnd() % 8 ? (void *)&t : (rnd() % 2 ? (void *)st->hole : (void *)st->ro);
	long ret = ioctl(st->fd, MEMTAG_IOC_TABLE_REFILL, arg);

	/* unreadable: EFAULT; read-only: EFAULT once done, or the refusal it earns first */
	if (arg != &t) {
		if (ret != -1 || (arg == st->hole && errno != EFAULT))
			wrong(st, 53, "a refill from or into memory it cannot use", ret);
		return;
	}
	if (ret == 0 && sent.pad)
		wrong(st, 54, "a refill with pad bits accepted", ret);
	if (ret == 0 && (!st->table || st->table_pid != getpid()))
		wrong(st, 55, "a refill without a table of the caller's", ret);
	if (ret == 0 && (unsigned int)__builtin_popcountll(t.ready) != t.count)
		wrong(st, 56, "a refill's count is not its slots", ret);
	if (ret == -1 && software() && errno != ENXIO && errno != EINVAL)
		wrong(st, 57, "a refill in software mode: not ENXIO", ret);
}

static void table_one(struct fuzz_state *st)
{
	unsigned int op = rnd() % 8;

	if (op == 0 || (!st->table && op < 4))
		table_map(st);
	else if (op < 5 && st->table && st->table_pid == getpid())
		table_write(st);
	else
		table_refill(st);
}

static void step(struct fuzz_state *st)
{
	unsigned int op = rnd() % 100;

	if (op < 41)
		well_pointed(st);
	else if (op < 45)
		table_one(st);
	else if (op < 53)
		badly_pointed(st);
	else if (op < 65)
		map_one(st);
	else if (op < 70)
		unmap_one(st);
	else if (op < 80)
		touch_one(st);
	else if (op < 94)
		netlink_one(st);
	else if (op < 96)
		fork_one(st);
	else if (op < 98)
		reopen(st);
	else if (op < 99 || !st->nl)
		profile_one(st);
	else
		unmap_one(st);
}

/*
 * A page of prot followed by one nobody may touch. The guard stays mapped
 * (PROT_NONE): an unmapped hole would be filled by the next segment mmap.
 */
static char *page_at(int prot)
{
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	if (mprotect(m + 4096, 4096, PROT_NONE) || mprotect(m, 4096, prot))
		return NULL;
	return m;
}

static void teardown(struct fuzz_state *st)
{
	unsigned int i;

	for (i = 0; i < SLOTS; i++)
		if (st->segs[i].addr)
			munmap(st->segs[i].addr, st->segs[i].maplen);
	for (i = 0; i < st->nprofiles; i++)
		munmap(st->profiles[i], PROFILE_SIZE);
	if (st->table)
		munmap(st->table, TABLE_MAP);
	close(st->fd);
	memtag_client_close(st->nl);
}

/* count steps from seed; 0 or the first wrong answer's number. */
static int fuzz_ioctls(unsigned long count, uint64_t seed, const struct seg *foreign,
		       unsigned int nforeign)
{
	struct fuzz_state st = { .foreign = foreign, .nforeign = nforeign };
	char *hole = page_at(PROT_READ);
	time_t start = time(NULL);
	unsigned long i;

	fuzz_seed(seed);
	st.fd = open(MEMTAG_DEVICE, O_RDWR | O_CLOEXEC);
	st.hole = hole ? hole + 4096 : NULL;
	st.ro = page_at(PROT_READ);
	st.edge = page_at(PROT_READ | PROT_WRITE);
	if (st.fd < 0 || memtag_client_open(&st.nl) || !st.hole || !st.ro || !st.edge)
		return 1;
	for (i = 0; i < count && !st.why; i++)
		step(&st);
	printf("\n    fuzz ioctl: %lu steps, %lu touches, %lu escapes, %lu children in %lld s\n",
	       i, st.touched, st.escaped, st.children, (long long)(time(NULL) - start));
	teardown(&st);
	return st.why;
}

static struct memtag_client *root_client(void)
{
	struct memtag_client *c;

	return memtag_client_open(&c) ? NULL : c;
}

/* Pages of the largest segment one region of ours gets under a 1 MiB quota. */
static int largest_fit(void)
{
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	struct memtag_client *c = root_client();
	int lo = 0, hi = 256, mid;

	if (!c)
		return -1;
	while (lo < hi) {
		mid = (lo + hi + 1) / 2;
		if (memtag_region_create(c, 0, "quota-probe", 0, &r))
			break;
		if (!memtag_segment_add(c, r.id, (uint64_t)mid * 4096,
					software() ? 0 : 0x7c0000000000ULL, &grant))
			lo = mid;
		else
			hi = mid - 1;
		memtag_region_end(c, r.id);
	}
	memtag_client_close(c);
	return lo;
}

struct probe {
	int fit;
	struct memtag_status status;
};

/* What must be the same before and after: quota, live regions, reserved bytes. */
static int measure(struct probe *p)
{
	struct memtag_client *c = root_client();
	int ret;

	if (!c)
		return -1;
	ret = memtag_status_get(c, &p->status);
	memtag_client_close(c);
	p->fit = largest_fit();
	return ret;
}

static int fit_of(bool nobody)
{
	pid_t pid;
	int status;

	if (!nobody)
		return largest_fit();
	pid = fork();
	if (pid == 0)
		_exit(setgid(NOBODY) || setuid(NOBODY) ? 255 : largest_fit());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void check_whole(const struct probe *before, bool nobody)
{
	struct memtag_client *c = root_client();
	struct memtag_status after;
	int fit;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(memtag_status_get(c, &after), 0);
	memtag_client_close(c);
	CU_ASSERT_EQUAL(after.regions_live, before->status.regions_live);
	CU_ASSERT_EQUAL(after.bytes_reserved, before->status.bytes_reserved);
	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_bytes_per_user", 1 << 20), 0);
	fit = fit_of(nobody);
	CU_ASSERT_EQUAL(itest_write_param("max_bytes_per_user", 4UL << 30), 0);
	/* any byte of quota a path forgot to give back shows as a smaller fit */
	CU_ASSERT_TRUE(fit > 0);
	CU_ASSERT_EQUAL(fit, before->fit);
}

static void announce(const char *who, unsigned long count, uint64_t seed)
{
	printf("\n    fuzz ioctl as %s: %lu steps, seed 0x%llx (replay: MEMTAG_FUZZ_SEED=0x%llx)\n",
	       who, count, (unsigned long long)seed,
	       (unsigned long long)fuzz_base_seed(IOCTL_SEED));
	fflush(stdout);
}

void test_fuzz_ioctl_root(void)
{
	unsigned long count = fuzz_count(IOCTL_STEPS / 2, "MEMTAG_FUZZ_IOCTL_SCALE");
	uint64_t seed = fuzz_base_seed(IOCTL_SEED) + 2;
	struct probe before;

	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_bytes_per_user", 1 << 20), 0);
	CU_ASSERT_EQUAL(measure(&before), 0);
	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_bytes_per_user", 4UL << 30), 0);
	announce("root", count, seed);
	CU_ASSERT_EQUAL(fuzz_ioctls(count, seed, NULL, 0), 0);
	check_whole(&before, false);
}

/* Root's regions and segments the intruder is told of: they must stay root's. */
static int make_victims(struct memtag_client *c, struct seg *v, unsigned int n)
{
	struct memtag_segment_grant grant;
	struct memtag_region_record r;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (memtag_region_create(c, 0, "fuzz-victim", 0, &r) ||
		    memtag_segment_add(c, r.id, 65536, software() ? 0 : 0x7b0000000000ULL,
				       &grant))
			return -1;
		v[i] = (struct seg){ .id = r.id, .offset = grant.offset, .size = 65536 };
	}
	return 0;
}

void test_fuzz_ioctl_nobody(void)
{
	unsigned long count = fuzz_count(IOCTL_STEPS / 2, "MEMTAG_FUZZ_IOCTL_SCALE");
	uint64_t seed = fuzz_base_seed(IOCTL_SEED) + 3;
	struct memtag_client *c = root_client();
	struct seg victims[4];
	struct probe before;
	unsigned int i;
	pid_t pid;
	int status;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_bytes_per_user", 1 << 20), 0);
	before.fit = fit_of(true);
	CU_ASSERT_EQUAL_FATAL(itest_write_param("max_bytes_per_user", 4UL << 30), 0);
	CU_ASSERT_EQUAL_FATAL(memtag_status_get(c, &before.status), 0);
	CU_ASSERT_EQUAL_FATAL(make_victims(c, victims, 4), 0);
	announce("nobody", count, seed);
	pid = fork();
	if (pid == 0)
		_exit(setgid(NOBODY) || setuid(NOBODY) ? 99 : fuzz_ioctls(count, seed, victims, 4));
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
	/* the victims are still root's to end */
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(memtag_region_end(c, victims[i].id), 0);
	memtag_client_close(c);
	check_whole(&before, true);
}
