// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The allocation profile, the allocator's side: counters per allocation
 * site (profiles.c in client/ lists them back), in an area the
 * module maps to us and reads, even after this process is gone. Lookups
 * take no lock; a new site takes profile_lock once. The area is mapped at
 * the first allocation: a process that never allocates (a child that
 * execs) leaves no profile behind.
 */
#include <elf.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <unwind.h>
#include <sys/mman.h>
#include "alloc.h"

#define SLOTS (2 * MEMTAG_PROFILE_BUCKETS)	/* open addressing, half full at most */
#define OVERFLOW_BUCKET (MEMTAG_PROFILE_BUCKETS - 1)
/* frames of libmemtag itself above the caller, at most */
#define OWN_FRAMES 4

struct memtag_profile_area *tag_profile_area;
static bool area_mapped;
static int profile_fd = -1;
static uint32_t slots[SLOTS];		/* bucket index + 1; 0: empty */
static pthread_mutex_t profile_lock = PTHREAD_MUTEX_INITIALIZER;
struct tag_site_entry tag_site_index[TAG_SITE_INDEX];
/* probes of the index past a site's home slot, at most */
#define INDEX_PROBES 8

static size_t profile_bytes(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (sizeof(struct memtag_profile_area) + page - 1) & ~(page - 1);
}

void tag_profile_init(int dev_fd)
{
	profile_fd = dev_fd;
}

/* The module's area, or private memory without it (stats still work). */
static void map_area(void)
{
	void *p = MAP_FAILED;

	if (profile_fd >= 0)
		p = mmap(NULL, profile_bytes(), PROT_READ | PROT_WRITE, MAP_SHARED, profile_fd,
			 MEMTAG_PROFILE_OFFSET);
	if (p != MAP_FAILED && ((struct memtag_profile_area *)p)->magic != MEMTAG_PROFILE_MAGIC) {
		munmap(p, profile_bytes());
		p = MAP_FAILED;
	}
	area_mapped = p != MAP_FAILED;
	if (!area_mapped)
		p = calloc(1, sizeof(*tag_profile_area));
	__atomic_store_n(&tag_profile_area, p, __ATOMIC_RELEASE);
}

static struct memtag_profile_area *the_area(void)
{
	struct memtag_profile_area *a = __atomic_load_n(&tag_profile_area, __ATOMIC_ACQUIRE);

	if (a)
		return a;
	pthread_mutex_lock(&profile_lock);
	if (!tag_profile_area)
		map_area();
	pthread_mutex_unlock(&profile_lock);
	return tag_profile_area;
}

void tag_profile_after_fork(int dev_fd)
{
	/* the mapping is not inherited (the module sets VM_DONTCOPY) */
	profile_lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	if (tag_profile_area && !area_mapped)
		free(tag_profile_area);
	tag_profile_area = NULL;
	memset(slots, 0, sizeof(slots));
	/* the child's buckets are numbered anew: so are its sites */
	memset(tag_site_index, 0, sizeof(tag_site_index));
	tag_profile_init(dev_fd);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- loaded objects: runtime address ranges to files ---- */

static void read_build_id(struct dl_phdr_info *info, const ElfW(Phdr) *ph,
			  struct memtag_profile_binary *b)
{
	const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
	const ElfW(Nhdr) *n;

	while (p + sizeof(*n) <= end) {
		n = (const ElfW(Nhdr) *)p;
		p += sizeof(*n) + ((n->n_namesz + 3) & ~3U);
		if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
		    !memcmp(n + 1, "GNU", 4) && n->n_descsz <= MEMTAG_BUILD_ID_MAX &&
		    p + n->n_descsz <= end) {
			memcpy(b->build_id, p, n->n_descsz);
			b->build_id_len = n->n_descsz;
			return;
		}
		p += (n->n_descsz + 3) & ~3U;
	}
}

static bool known_binary(uint64_t start)
{
	uint32_t i, n = tag_profile_area->nr_binaries;

	for (i = 0; i < n; i++)
		if (tag_profile_area->binaries[i].start == start)
			return true;
	return false;
}

static void binary_path(struct dl_phdr_info *info, char *path, size_t len)
{
	ssize_t n;

	if (info->dlpi_name && info->dlpi_name[0]) {
		snprintf(path, len, "%s", info->dlpi_name);
		return;
	}
	/* the main program has no name here */
	n = readlink("/proc/self/exe", path, len - 1);
	path[n > 0 ? n : 0] = '\0';
}

static int add_binary(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct memtag_profile_binary b = { .start = UINT64_MAX, .bias = info->dlpi_addr };
	uint32_t n = tag_profile_area->nr_binaries;
	int i;

	(void)size;
	(void)arg;
	if (n >= MEMTAG_PROFILE_BINARIES)
		return 1;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			b.start = lo < b.start ? lo : b.start;
			b.end = hi > b.end ? hi : b.end;
		} else if (ph->p_type == PT_NOTE && !b.build_id_len) {
			read_build_id(info, ph, &b);
		}
	}
	if (!b.end || known_binary(b.start))
		return 0;
	binary_path(info, b.path, sizeof(b.path));
	tag_profile_area->binaries[n] = b;
	/* the module reads nr_binaries first: publish the entry before it */
	__atomic_store_n(&tag_profile_area->nr_binaries, n + 1, __ATOMIC_RELEASE);
	return 0;
}

static bool covered(uint64_t address)
{
	uint32_t i, n = tag_profile_area->nr_binaries;

	for (i = 0; i < n; i++)
		if (address >= tag_profile_area->binaries[i].start &&
		    address < tag_profile_area->binaries[i].end)
			return true;
	return false;
}

/* Objects loaded since the last look (dlopen) are added; caller holds profile_lock. */
static void note_binaries(const uint64_t *stack, unsigned int depth)
{
	unsigned int i;

	for (i = 0; i < depth; i++) {
		if (!covered(stack[i])) {
			dl_iterate_phdr(add_binary, NULL);
			return;
		}
	}
}

/* ---- sites ---- */

static uint32_t hash_stack(const uint64_t *stack, unsigned int depth)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int i;

	for (i = 0; i < depth; i++)
		h = (h ^ stack[i]) * 0x100000001b3ULL;
	return (uint32_t)(h ^ (h >> 32));
}

static bool same_site(const struct memtag_profile_bucket *b, const uint64_t *stack,
		      unsigned int depth)
{
	return b->depth == depth && !memcmp(b->stack, stack, depth * sizeof(*stack));
}

/* The slot of the site, or of the empty slot where it would go. */
static uint32_t *find_slot(const uint64_t *stack, unsigned int depth)
{
	uint32_t i = hash_stack(stack, depth) % SLOTS, v;

	for (;; i = (i + 1) % SLOTS) {
		v = __atomic_load_n(&slots[i], __ATOMIC_ACQUIRE);
		if (!v || same_site(&tag_profile_area->buckets[v - 1], stack, depth))
			return &slots[i];
	}
}

static uint32_t overflow_bucket(void)
{
	struct memtag_profile_bucket *b = &tag_profile_area->buckets[OVERFLOW_BUCKET];

	if (!b->depth) {
		b->flags = MEMTAG_PROFILE_BUCKET_F_OVERFLOW;
		b->first_ns = now_ns();
		__atomic_store_n(&b->depth, 1, __ATOMIC_RELEASE);
		/* the module reads buckets below nr_buckets: the last one too now */
		__atomic_store_n(&tag_profile_area->nr_buckets, MEMTAG_PROFILE_BUCKETS, __ATOMIC_RELEASE);
	}
	return OVERFLOW_BUCKET;
}

static uint32_t new_bucket(const uint64_t *stack, unsigned int depth)
{
	uint32_t *slot, index;
	struct memtag_profile_bucket *b;

	pthread_mutex_lock(&profile_lock);
	slot = find_slot(stack, depth);
	index = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (index) {
		index--;		/* another thread added it first */
	} else if (tag_profile_area->nr_buckets >= OVERFLOW_BUCKET) {
		index = overflow_bucket();
	} else {
		note_binaries(stack, depth);
		index = tag_profile_area->nr_buckets;
		b = &tag_profile_area->buckets[index];
		memcpy(b->stack, stack, depth * sizeof(*stack));
		b->first_ns = now_ns();
		__atomic_store_n(&b->depth, depth, __ATOMIC_RELEASE);
		__atomic_store_n(&tag_profile_area->nr_buckets, index + 1, __ATOMIC_RELEASE);
		__atomic_store_n(slot, index + 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&profile_lock);
	return index;
}

struct unwind_walk {
	uint64_t frames[MEMTAG_STACK_MAX + OWN_FRAMES];
	unsigned int count, max;
};

static _Unwind_Reason_Code on_frame(struct _Unwind_Context *ctx, void *arg)
{
	struct unwind_walk *w = arg;

	if (w->count >= w->max)
		return _URC_END_OF_STACK;
	w->frames[w->count++] = _Unwind_GetIP(ctx);
	return _URC_NO_REASON;
}

/*
 * The call stack of an allocation, innermost first, starting at site (the
 * return address into the caller of libmemtag). libgcc's unwinder reads
 * .eh_frame: no frame pointers needed, and glibc's backtrace() would
 * dlopen libgcc_s behind our back.
 */
static unsigned int capture(uint64_t site, uint64_t *stack)
{
	unsigned int depth = tag_rt.opts.stack_depth, i, n;
	struct unwind_walk w = { .count = 0 };

	stack[0] = site;
	if (depth <= 1)
		return 1;
	if (depth > MEMTAG_STACK_MAX)
		depth = MEMTAG_STACK_MAX;
	w.max = depth + OWN_FRAMES;
	_Unwind_Backtrace(on_frame, &w);
	for (i = 0; i < w.count && w.frames[i] != site; i++)
		;
	if (i == w.count)
		return 1;	/* our own frames were not as expected */
	/* an outermost frame (_start, a thread's start) may say 0: the end */
	for (n = 0; n < depth && i < w.count && w.frames[i]; n++, i++)
		stack[n] = w.frames[i];
	return n;
}

static uint32_t site_lookup(uint64_t site)
{
	uint64_t stack[MEMTAG_STACK_MAX];
	unsigned int depth;
	uint32_t v;

	if (!the_area())
		return MEMTAG_PROFILE_BUCKETS;	/* no memory for counters: not counted */
	depth = capture(site, stack);
	/* another thread may be filling the slot: read it as find_slot does */
	v = __atomic_load_n(find_slot(stack, depth), __ATOMIC_ACQUIRE);
	if (v)
		return v - 1;
	/* a full table: new sites share the overflow bucket, without the lock */
	if (__atomic_load_n(&tag_profile_area->nr_buckets, __ATOMIC_ACQUIRE) == MEMTAG_PROFILE_BUCKETS)
		return OVERFLOW_BUCKET;
	return new_bucket(stack, depth);
}

/* site's entry in the index, probing past its home slot; NULL: not there. */
static const struct tag_site_entry *index_find(uint64_t site)
{
	uint32_t i = tag_site_home(site), n;
	const struct tag_site_entry *e;
	uint64_t v;

	for (n = 0; n < INDEX_PROBES; n++, i = (i + 1) % TAG_SITE_INDEX) {
		e = &tag_site_index[i];
		v = __atomic_load_n(&e->site, __ATOMIC_ACQUIRE);
		if (v == site)
			return e;
		if (!v)
			return NULL;
	}
	return NULL;
}

/*
 * Remember site's bucket (depth 1 only: deeper stacks name the bucket,
 * not the return address). Under profile_lock: one writer; readers see
 * the bucket before the site (release). A full neighbourhood: not kept.
 */
static void index_add(uint64_t site, uint32_t bucket)
{
	uint32_t i = tag_site_home(site), n;
	struct tag_site_entry *e;

	if (tag_rt.opts.stack_depth > 1 || bucket >= MEMTAG_PROFILE_BUCKETS)
		return;
	pthread_mutex_lock(&profile_lock);
	for (n = 0; n < INDEX_PROBES; n++, i = (i + 1) % TAG_SITE_INDEX) {
		e = &tag_site_index[i];
		if (e->site == site)
			break;
		if (!e->site) {
			__atomic_store_n(&e->bucket, bucket, __ATOMIC_RELAXED);
			__atomic_store_n(&e->site, site, __ATOMIC_RELEASE);
			break;
		}
	}
	pthread_mutex_unlock(&profile_lock);
}

uint32_t tag_profile_site_slow(uint64_t site)
{
	const struct tag_site_entry *e = index_find(site);
	uint32_t bucket;

	if (e)
		return __atomic_load_n(&e->bucket, __ATOMIC_RELAXED);
	bucket = site_lookup(site);
	index_add(site, bucket);
	return bucket;
}

/* Sums over every site, for tag_stats. */
void tag_profile_totals(struct tag_stats *s)
{
	uint32_t i;

	for (i = 0; tag_profile_area && i < MEMTAG_PROFILE_BUCKETS; i++) {
		const struct memtag_profile_bucket *b = &tag_profile_area->buckets[i];

		/* frees first: an allocation freed between the loads still counts */
		uint64_t frees = __atomic_load_n(&b->free_objects, __ATOMIC_ACQUIRE);
		uint64_t freed = __atomic_load_n(&b->free_bytes, __ATOMIC_ACQUIRE);

		s->frees += frees;
		s->allocs += __atomic_load_n(&b->alloc_objects, __ATOMIC_RELAXED);
		s->live_bytes += __atomic_load_n(&b->alloc_bytes, __ATOMIC_RELAXED) - freed;
		s->allocs_leaked += __atomic_load_n(&b->leaked_objects, __ATOMIC_RELAXED);
	}
	s->live_allocs = s->allocs - s->frees;
}
