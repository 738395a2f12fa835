/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * memtag generic netlink protocol: the single definition shared by the
 * module, libmemtag and tagctl. Numbers are ABI: append, never renumber.
 */
#ifndef _UAPI_LINUX_MEMTAG_H
#define _UAPI_LINUX_MEMTAG_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MEMTAG_GENL_NAME	"memtag"
#define MEMTAG_GENL_VERSION	1
#define MEMTAG_MCGRP_EVENTS	"events"

enum memtag_cmd {
	MEMTAG_CMD_UNSPEC,
	MEMTAG_CMD_STATUS,	/* doit: reply carries the status attributes */
	MEMTAG_CMD_REGION_CREATE,	/* doit: NAME, [PARENT], [SITE]; reply: the region */
	MEMTAG_CMD_REGION_END,	/* doit: ID; ends the region and its children */
	MEMTAG_CMD_REGION_RESET,	/* doit: ID; a new lifetime for the same region */
	MEMTAG_CMD_REGION_GET,	/* dump: the regions the caller may see */
	MEMTAG_CMD_SEGMENT_ADD,	/* doit: REGION_ID, SEGMENT_SIZE; reply: SEGMENT_* */
	MEMTAG_CMD_EVENT_REPORT,	/* doit: a misuse libmemtag saw (EVENT_*) */
	MEMTAG_CMD_EVENT_GET,	/* dump: recorded events the caller may see */
	MEMTAG_CMD_EVENT,	/* multicast on "events": one recorded event */
	MEMTAG_CMD_PROFILE_GET,	/* dump: allocation profiles (PROFILE_*), [REGION_TGID] */
	MEMTAG_CMD_SEGMENT_GET,	/* dump: segments with their addresses, [REGION_TGID] */
	__MEMTAG_CMD_MAX,
};

#define MEMTAG_CMD_MAX (__MEMTAG_CMD_MAX - 1)

enum memtag_backend {
	MEMTAG_BACKEND_SOFTWARE,	/* kernel revocation and redzones */
	MEMTAG_BACKEND_MTE,		/* ARM memory tagging extension */
	__MEMTAG_BACKEND_MAX,
};

#define MEMTAG_BACKEND_MAX (__MEMTAG_BACKEND_MAX - 1)

enum memtag_attr {
	MEMTAG_A_UNSPEC,
	MEMTAG_A_PAD,
	MEMTAG_A_VERSION,		/* string: module version */
	MEMTAG_A_BACKEND,		/* u32: enum memtag_backend */
	MEMTAG_A_BACKEND_FORCED,	/* flag: chosen by the backend= parameter */
	MEMTAG_A_MTE_CAPABLE,		/* flag: the CPUs support MTE */
	MEMTAG_A_COUNTERS,		/* nested: enum memtag_counter */
	MEMTAG_A_REGION_ID,		/* u32, from 1 */
	MEMTAG_A_REGION_NAME,		/* string, at most MEMTAG_REGION_NAME_MAX */
	MEMTAG_A_REGION_PARENT,		/* u32: region id, 0 for none */
	MEMTAG_A_REGION_STATE,		/* u32: enum memtag_region_state */
	MEMTAG_A_REGION_TGID,		/* u32: owner process */
	MEMTAG_A_REGION_UID,		/* u32: owner user (in the caller's namespace) */
	MEMTAG_A_REGION_SITE,		/* u64: creation site, a return address */
	MEMTAG_A_REGION_CREATED_NS,	/* u64: CLOCK_BOOTTIME at creation */
	MEMTAG_A_REGION_RESETS,		/* u32: times the region was reset */
	MEMTAG_A_REGION_FLAGS,		/* u32: MEMTAG_REGION_F_* */
	MEMTAG_A_REGION_BYTES_RESERVED,	/* u64: bytes of its segments */
	MEMTAG_A_REGION_BYTES_RESIDENT,	/* u64: bytes of pages touched (software) */
	MEMTAG_A_SEGMENT_ID,		/* u32 */
	MEMTAG_A_SEGMENT_SIZE,		/* u64: bytes, a multiple of the page size */
	MEMTAG_A_SEGMENT_OFFSET,	/* u64: mmap offset on /dev/memtag (software) */
	MEMTAG_A_SEGMENT_REGION_OFFSET,	/* u64: where the segment starts in the region */
	MEMTAG_A_EVENT_SEQ,		/* u64: position in the module's record */
	MEMTAG_A_EVENT_KIND,		/* u32: enum memtag_event_kind */
	MEMTAG_A_EVENT_FLAGS,		/* u32: MEMTAG_EVENT_F_* */
	MEMTAG_A_EVENT_OFFSET,		/* u64: offset in the region */
	MEMTAG_A_EVENT_ADDRESS,		/* u64: accessed or freed address */
	MEMTAG_A_EVENT_IP,		/* u64: user instruction pointer */
	MEMTAG_A_EVENT_SITE,		/* u64: allocation site of the chunk */
	MEMTAG_A_EVENT_SIZE,		/* u64: bytes concerned */
	MEMTAG_A_EVENT_COUNT,		/* u64: allocations concerned */
	MEMTAG_A_EVENT_TIME_NS,		/* u64: CLOCK_BOOTTIME */
	MEMTAG_A_EVENT_TGID,		/* u32: process that misused */
	MEMTAG_A_EVENT_UID,		/* u32 */
	MEMTAG_A_EVENT_TOTALS,		/* nested: u64 count per event kind (type = kind) */
	MEMTAG_A_REGION_GROWTH,		/* u32: samples in a row in which the region grew */
	MEMTAG_A_SEGMENT_ADDRESS,	/* u64: where the owner mapped it, 0 if not mapped */
	MEMTAG_A_SEGMENT_STATE,		/* u32: enum memtag_segment_state */
	MEMTAG_A_PROFILE,		/* nested: enum memtag_profile_attr */
	__MEMTAG_A_MAX,
};

#define MEMTAG_A_MAX (__MEMTAG_A_MAX - 1)

enum memtag_counter {
	MEMTAG_COUNTER_UNSPEC,
	MEMTAG_COUNTER_PAD,
	MEMTAG_COUNTER_STATUS_REQUESTS,	/* u64: STATUS commands served */
	MEMTAG_COUNTER_REGIONS_CREATED,	/* u64 */
	MEMTAG_COUNTER_REGIONS_ENDED,	/* u64 */
	MEMTAG_COUNTER_REGIONS_LEAKED,	/* u64: owner went away first */
	MEMTAG_COUNTER_VIOLATIONS,	/* u64: misuse recorded, leaks not */
	MEMTAG_COUNTER_EVENTS,		/* u64: events recorded */
	MEMTAG_COUNTER_EVENTS_DROPPED,	/* u64: records overwritten in the ring */
	MEMTAG_COUNTER_BYTES_RESERVED,	/* u64: bytes in live segments */
	MEMTAG_COUNTER_REGIONS_LIVE,	/* u64: live regions now */
	MEMTAG_COUNTER_PROFILES,	/* u64: profiles kept, live and exited */
	MEMTAG_COUNTER_EVENTS_REFUSED,	/* u64: the caller's records refused: over its share */
	__MEMTAG_COUNTER_MAX,
};

#define MEMTAG_COUNTER_MAX (__MEMTAG_COUNTER_MAX - 1)

#define MEMTAG_REGION_NAME_MAX 64	/* with the terminating NUL */

enum memtag_region_state {
	MEMTAG_REGION_LIVE,
	MEMTAG_REGION_ENDED,
	MEMTAG_REGION_LEAKED,	/* its owner exited or closed its socket first */
	__MEMTAG_REGION_STATE_MAX,
};

/* MEMTAG_A_REGION_FLAGS */
#define MEMTAG_REGION_F_STRICT		0x1U	/* live allocations at end are leaks */
#define MEMTAG_REGION_F_CONTINUE	0x2U	/* report and continue, do not kill */
#define MEMTAG_REGION_F_ALL		(MEMTAG_REGION_F_STRICT | MEMTAG_REGION_F_CONTINUE)

/* The misuse memtag records. */
enum memtag_event_kind {
	MEMTAG_EVENT_UNSPEC,
	MEMTAG_EVENT_USE_AFTER_END,	/* an escape: access to an ended region */
	MEMTAG_EVENT_STALE_AFTER_RESET,	/* access through a pointer of an older lifetime */
	MEMTAG_EVENT_USE_AFTER_FREE,	/* freed chunk written (poison) or accessed (MTE) */
	MEMTAG_EVENT_OVERFLOW,		/* past the end of a chunk (redzone or MTE) */
	MEMTAG_EVENT_DOUBLE_FREE,
	MEMTAG_EVENT_INVALID_FREE,	/* not a chunk start */
	MEMTAG_EVENT_WRONG_REGION_FREE,	/* a chunk of another region */
	MEMTAG_EVENT_ALLOC_IN_ENDED,	/* allocation in an ended region */
	MEMTAG_EVENT_FOREIGN_REGION,	/* a process used a region it does not own */
	MEMTAG_EVENT_REGION_LEAKED,	/* owner exited with the region live */
	MEMTAG_EVENT_ALLOCS_LEAKED,	/* strict region ended with live allocations */
	MEMTAG_EVENT_TAG_MISMATCH,	/* MTE fault memtag could not classify */
	__MEMTAG_EVENT_MAX,
};

#define MEMTAG_EVENT_MAX (__MEMTAG_EVENT_MAX - 1)

/* MEMTAG_A_EVENT_FLAGS */
#define MEMTAG_EVENT_F_SIGNAL	0x1U	/* a hardware fault seen by libmemtag's handler */
#define MEMTAG_EVENT_F_KERNEL	0x2U	/* seen by the module itself */
#define MEMTAG_EVENT_F_CONTINUED	0x4U	/* the process went on running */
#define MEMTAG_EVENT_F_REPORTABLE	(MEMTAG_EVENT_F_SIGNAL | MEMTAG_EVENT_F_CONTINUED)

#define MEMTAG_DEVICE	"/dev/memtag"	/* mmap of segments, the profile area, the region table */

/*
 * The per-lifetime fast path: ioctls on an open /dev/memtag, one system
 * call each, for the three things a service does per request. They are
 * REGION_CREATE, REGION_END and REGION_RESET with the same checks and
 * errors (errno only, no extended ACK); regions created here are owned by
 * that open file, whose release leaks them as a socket's close does.
 * Everything else (listings, events, status, reports) is netlink. In the
 * steady state create (both backends) and end (MTE) make no call at all:
 * a reserved region's descriptor (below) and the region table (further
 * below) replace them.
 *
 * Create without a system call (software backend): an END that recycles
 * (segment.id in) hands back a spare and, in reserved, a region reserved
 * on it: a kernel record bound to the spare, charged to the user's
 * max_regions_per_user and byte quota as a live region, but not listed,
 * counted or leaked until claimed. The owner claims it by writing a
 * struct memtag_region_desc at the start of the spare's memory, claim
 * (the reserved id) last, with release order, and allocating from
 * MEMTAG_REGION_DESC_BYTES on. The module reads the descriptor when it
 * needs the facts (an ioctl or SEGMENT_ADD of the owner, a listing,
 * STATUS, a report, the file's release), once: from then on the region is
 * an ordinary live one. The descriptor is the owner's word: the name is
 * cut at MEMTAG_REGION_NAME_MAX, flags outside MEMTAG_REGION_F_ALL are
 * dropped, a parent that is not a live region of the same open file (or
 * would nest too deep) reads as none, and a reserved region never claimed
 * is freed without a record when the file is released.
 */
struct memtag_region_desc {
	__u32 claim;		/* the reserved region's id, written last */
	__u32 parent;		/* 0 for none */
	__u32 flags;		/* MEMTAG_REGION_F_* */
	__u32 pad;
	__u64 site;		/* creation site */
	__u64 created_mono_ns;	/* CLOCK_MONOTONIC_COARSE; made boot time, clamped, by the module */
	char name[MEMTAG_REGION_NAME_MAX];	/* NUL-terminated */
};

#define MEMTAG_REGION_DESC_BYTES 128	/* the descriptor's room; chunks start after it */

struct memtag_ioc_segment {
	/*
	 * in: spare (create) or revoked segment (end, reset) to recycle, 0: none;
	 * out: the segment given (create, reset) or the new spare (end)
	 */
	__u32 id;
	__u32 pad;	/* 0 */
	__u64 size;	/* in (create, reset): bytes of a new first segment; out: its size */
	__u64 address;	/* in (create, reset; MTE only): the caller's own memory */
	__u64 offset;	/* out: mmap offset on /dev/memtag (software) */
};

struct memtag_ioc_region {
	__u32 id;		/* out (create); in (end, reset) */
	__u32 parent;		/* in (create): 0 for none */
	__u32 flags;		/* in (create): MEMTAG_REGION_F_* */
	__u32 reserved;		/* in: 0; out (end): a region reserved on the spare, 0: none */
	__u64 site;		/* in (create): creation site */
	char name[MEMTAG_REGION_NAME_MAX];	/* in (create): NUL-terminated */
	struct memtag_ioc_segment segment;
};

#define MEMTAG_IOC_MAGIC	0xB6
#define MEMTAG_IOC_REGION_CREATE	_IOWR(MEMTAG_IOC_MAGIC, 1, struct memtag_ioc_region)
#define MEMTAG_IOC_REGION_END		_IOWR(MEMTAG_IOC_MAGIC, 2, struct memtag_ioc_region)
#define MEMTAG_IOC_REGION_RESET		_IOWR(MEMTAG_IOC_MAGIC, 3, struct memtag_ioc_region)

/*
 * Create and end without a system call (MTE backend): the region table.
 * One area per open /dev/memtag, mapped shared at MEMTAG_TABLE_OFFSET
 * (MEMTAG_TABLE_BYTES, read and write, by the process that first mapped
 * it; not inherited), of MEMTAG_TABLE_SLOTS slots. MEMTAG_IOC_TABLE_REFILL
 * reserves a region for each free slot (its id in the slot's id word) and
 * answers which slots it filled; a reservation is charged to the user's
 * max_regions_per_user at the refill (live regions plus reservations stay
 * within it) but is not listed, counted or leaked until claimed. The owner
 * creates by writing the slot's descriptor and first segment (its own
 * page-aligned memory, as MEMTAG_IOC_REGION_CREATE's address and size),
 * desc.claim (the slot's id) last with release order, and ends by writing
 * the id into end (the subtree ends with it, as at MEMTAG_IOC_REGION_END).
 * The module settles slots when it needs the facts (an ioctl, SEGMENT_ADD
 * or refill of the owner, a listing, STATUS, a report, the file's
 * release): a claimed slot becomes a live region once, with the checks of
 * memtag_region_desc above (and a first segment that fails its checks or
 * the byte quota reads as none); an ended one ends. The slot is free for a
 * refill once its region ended, however it ended. Every word is the
 * owner's and read once: a claim or end naming an id the module did not
 * reserve in that slot for this file, and an end of a region never
 * claimed, are ignored; a reservation never claimed is freed without a
 * record at the release, a claimed region still live leaks.
 *
 * The header (struct memtag_table_header, after the slots) holds the
 * owner's generation: a counter it bumps (atomically, release order) after
 * each claim and each end it writes. A look that finds the generation it
 * last settled skips the slots (one load); the refill and the file's
 * release read every slot whatever the counter says, so a claim or end
 * without a bump is settled at the latest there (a still live region
 * leaks).
 */
#define MEMTAG_TABLE_OFFSET	0x100000UL	/* mmap offset (1 MiB): past the profile area */
#define MEMTAG_TABLE_SLOTS	63

struct memtag_region_slot {
	struct memtag_region_desc desc;	/* owner: what the region is; claim last */
	__u32 id;		/* module: the region reserved here, 0: none */
	__u32 end;		/* owner: the id, once the region ended */
	__u64 address;		/* owner: its first segment, its own memory (MTE) */
	__u64 size;		/* owner: bytes of it, 0: no first segment */
	__u64 reserved;		/* 0 */
};

/* In the place of a 64th slot, after the 63 (the table's last 128 bytes). */
struct memtag_table_header {
	__u64 generation;	/* owner: bumped after each claim and end (above) */
	__u64 reserved[15];	/* 0 */
};

/* 128: sizeof(struct memtag_region_slot) and sizeof(struct memtag_table_header) */
#define MEMTAG_TABLE_BYTES	((MEMTAG_TABLE_SLOTS + 1) * 128)

struct memtag_ioc_table {
	__u64 ready;		/* out: bit i set: this call reserved a region in slot i */
	__u32 count;		/* out: bits set in ready */
	__u32 pad;		/* in: 0 */
};

#define MEMTAG_IOC_TABLE_REFILL		_IOWR(MEMTAG_IOC_MAGIC, 4, struct memtag_ioc_table)

/* MEMTAG_A_SEGMENT_STATE */
enum memtag_segment_state {
	MEMTAG_SEGMENT_LIVE,
	MEMTAG_SEGMENT_ENDED,	/* its region ended; still mapped by the owner */
	MEMTAG_SEGMENT_RESET,	/* its region was reset; still mapped by the owner */
	__MEMTAG_SEGMENT_STATE_MAX,
};

/*
 * The allocation profile: one area per process, mapped shared from
 * /dev/memtag at offset MEMTAG_PROFILE_OFFSET, written by libmemtag without
 * system calls and read by the module, which keeps it after the process
 * exits (post-mortem). Everything in it is the process's word: the module
 * bounds every count and index before use.
 */
#define MEMTAG_PROFILE_OFFSET	0
#define MEMTAG_PROFILE_MAGIC	0x4650544dU	/* "MTPF" */
#define MEMTAG_PROFILE_VERSION	1
#define MEMTAG_STACK_MAX	8
#define MEMTAG_PROFILE_BINARIES	64
#define MEMTAG_PROFILE_BUCKETS	1024
#define MEMTAG_PROFILE_PATH_MAX	192
#define MEMTAG_BUILD_ID_MAX	20

/* A loaded ELF object: maps runtime addresses to file addresses. */
struct memtag_profile_binary {
	__u64 start;		/* runtime address range of its mappings */
	__u64 end;
	__u64 bias;		/* runtime address - ELF virtual address */
	__u8 build_id[MEMTAG_BUILD_ID_MAX];
	__u32 build_id_len;
	char path[MEMTAG_PROFILE_PATH_MAX];
	__u8 reserved[16];
};

/* MEMTAG_PROFILE_BUCKET_F_* */
#define MEMTAG_PROFILE_BUCKET_F_OVERFLOW 0x1U	/* sites past the table, folded */

/* One allocation site (a call stack) and what was allocated there. */
struct memtag_profile_bucket {
	__u64 alloc_objects;
	__u64 alloc_bytes;
	__u64 free_objects;
	__u64 free_bytes;
	__u64 leaked_objects;	/* live when their strict region ended */
	__u64 leaked_bytes;
	__u64 first_ns;		/* CLOCK_BOOTTIME of the first allocation */
	__u32 depth;		/* frames in stack; 0: slot unused */
	__u32 flags;
	__u64 stack[MEMTAG_STACK_MAX];	/* runtime return addresses, innermost first */
};

struct memtag_profile_area {
	__u32 magic;
	__u32 version;
	__u32 nr_binaries;	/* slots in use */
	__u32 nr_buckets;
	__u64 reserved[30];
	struct memtag_profile_binary binaries[MEMTAG_PROFILE_BINARIES];
	struct memtag_profile_bucket buckets[MEMTAG_PROFILE_BUCKETS];
};

/* MEMTAG_A_PROFILE: one message carries a process and some of its buckets. */
enum memtag_profile_attr {
	MEMTAG_PROFILE_A_UNSPEC,
	MEMTAG_PROFILE_A_PAD,
	MEMTAG_PROFILE_A_ID,		/* u64: this profile, unique while the module lives */
	MEMTAG_PROFILE_A_TGID,		/* u32 */
	MEMTAG_PROFILE_A_UID,		/* u32 */
	MEMTAG_PROFILE_A_COMM,		/* string */
	MEMTAG_PROFILE_A_STARTED_NS,	/* u64: CLOCK_BOOTTIME when mapped */
	MEMTAG_PROFILE_A_EXITED_NS,	/* u64: when the process let go of it; 0 while live */
	MEMTAG_PROFILE_A_BINARY,	/* nested, repeated: MEMTAG_PROFILE_A_BIN_* */
	MEMTAG_PROFILE_A_BUCKET,	/* nested, repeated: MEMTAG_PROFILE_A_BUCKET_* */
	MEMTAG_PROFILE_A_BIN_INDEX,	/* u32 */
	MEMTAG_PROFILE_A_BIN_PATH,	/* string */
	MEMTAG_PROFILE_A_BIN_BUILD_ID,	/* binary */
	MEMTAG_PROFILE_A_BIN_START,	/* u64 */
	MEMTAG_PROFILE_A_BIN_END,	/* u64 */
	MEMTAG_PROFILE_A_BIN_BIAS,	/* u64 */
	MEMTAG_PROFILE_A_BUCKET_INDEX,	/* u32 */
	MEMTAG_PROFILE_A_BUCKET_FLAGS,	/* u32 */
	MEMTAG_PROFILE_A_BUCKET_COUNTS,	/* binary: __u64[7], alloc_objects..first_ns */
	MEMTAG_PROFILE_A_BUCKET_STACK,	/* binary: __u64[depth] */
	__MEMTAG_PROFILE_A_MAX,
};

#define MEMTAG_PROFILE_A_MAX (__MEMTAG_PROFILE_A_MAX - 1)

#endif /* _UAPI_LINUX_MEMTAG_H */
