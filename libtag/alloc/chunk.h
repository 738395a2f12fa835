/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Chunk layout inside a region segment (software backend):
 *
 *   [header 32 B][user data, size rounded up to 16 B][redzone >= 16 B]
 *
 * The slack after size and the redzone hold REDZONE_BYTE; a freed chunk's
 * data holds POISON_BYTE. Both are checked at free, reset and end. Under
 * MTE the redzone is 0: neighbours carry different tags instead.
 */
#ifndef MEMTAG_CHUNK_H
#define MEMTAG_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHUNK_ALIGN 16
#define CHUNK_LIVE 0x4c697665u		/* "Live" */
#define CHUNK_FREED 0x46726565u		/* "Free" */
#define REDZONE_BYTE 0xcb
#define POISON_BYTE 0xfb
#define CHUNK_MAX_SIZE (1UL << 31)

struct chunk {
	union {
		struct {
			uint32_t magic;
			uint32_t region;	/* owning region id */
		};
		uint64_t key;		/* both, as the fast paths compare them */
	};
	uint32_t size;		/* bytes asked for */
	uint32_t redzone;	/* bytes after the rounded data */
	uint64_t site;		/* allocation site */
	uint32_t lifetime;	/* region lifetime (reset count) it belongs to */
	uint32_t bucket;	/* its site in the allocation profile */
};

static inline size_t chunk_round(size_t n)
{
	return (n + CHUNK_ALIGN - 1) & ~(size_t)(CHUNK_ALIGN - 1);
}

static inline size_t chunk_span(size_t size, size_t redzone)
{
	return sizeof(struct chunk) + chunk_round(size) + redzone;
}

static inline void *chunk_data(struct chunk *c)
{
	return (char *)c + sizeof(*c);
}

static inline struct chunk *chunk_of(void *data)
{
	return (struct chunk *)((char *)data - sizeof(struct chunk));
}

static inline struct chunk *chunk_next(struct chunk *c)
{
	return (struct chunk *)((char *)c + chunk_span(c->size, c->redzone));
}

/* What a check found wrong with a chunk. */
enum chunk_damage {
	CHUNK_OK,
	CHUNK_BAD_HEADER,	/* not a chunk (or its header was overwritten) */
	CHUNK_REDZONE,		/* bytes after the data were written: overflow */
	CHUNK_POISON,		/* a freed chunk was written: use after free */
};

/* 16 bytes of value, for the word-sized stores and loads of the hot paths */
#define CHUNK_FILL16(v) (((unsigned __int128)0x0101010101010101ULL << 64 | 0x0101010101010101ULL) * (v))

/*
 * Fill the slack after size and the redzone. A redzone of 16 or more
 * bytes takes two 16-byte stores (they overlap); without one (MTE) the
 * slack stays as it is: the granule's tag guards it.
 */
static inline void chunk_fill_redzone(struct chunk *c, size_t size, size_t redzone)
{
	char *data = chunk_data(c);
	unsigned __int128 fill = CHUNK_FILL16(REDZONE_BYTE);

	if (redzone < CHUNK_ALIGN)
		return;
	__builtin_memcpy(data + size, &fill, sizeof(fill));
	__builtin_memcpy(data + chunk_round(size), &fill, sizeof(fill));
	if (redzone > CHUNK_ALIGN)
		__builtin_memset(data + chunk_round(size) + CHUNK_ALIGN, REDZONE_BYTE,
				 redzone - CHUNK_ALIGN);
}

/* The same, for the software backend's redzone of exactly 16 bytes. */
static inline void chunk_fill_redzone16(struct chunk *c, size_t size)
{
	char *data = chunk_data(c);
	unsigned __int128 fill = CHUNK_FILL16(REDZONE_BYTE);

	__builtin_memcpy(data + size, &fill, sizeof(fill));
	__builtin_memcpy(data + chunk_round(size), &fill, sizeof(fill));
}

static inline void chunk_init(struct chunk *c, uint32_t region, size_t size, size_t redzone,
			      uint64_t site, uint64_t lifetime)
{
	c->magic = CHUNK_LIVE;
	c->region = region;
	c->size = (uint32_t)size;
	c->redzone = (uint32_t)redzone;
	c->site = site;
	c->lifetime = (uint32_t)lifetime;
	chunk_fill_redzone(c, size, redzone);
}

/*
 * The check free() can afford, in three loads: the 8 bytes after the data
 * (where an overflow lands first) and the 16 of the redzone. Slack bytes
 * past the first 8 are left to end and reset, which check every byte.
 * false: look closer (chunk_check).
 */
static inline bool chunk_redzone_intact(const struct chunk *c)
{
	const char *data = (const char *)c + sizeof(*c);
	uint64_t a, b, d, fill = 0x0101010101010101ULL * REDZONE_BYTE;

	if (c->redzone < CHUNK_ALIGN)
		return true;
	__builtin_memcpy(&a, data + c->size, sizeof(a));
	__builtin_memcpy(&b, data + chunk_round(c->size), sizeof(b));
	__builtin_memcpy(&d, data + chunk_round(c->size) + 8, sizeof(d));
	return a == fill && b == fill && d == fill;
}

/* chunk_redzone_intact for a redzone of 16 (software), without a branch. */
static inline bool chunk_redzone16_intact(const struct chunk *c)
{
	const char *data = (const char *)c + sizeof(*c);
	uint64_t a, b, d, fill = 0x0101010101010101ULL * REDZONE_BYTE;

	__builtin_memcpy(&a, data + c->size, sizeof(a));
	__builtin_memcpy(&b, data + chunk_round(c->size), sizeof(b));
	__builtin_memcpy(&d, data + chunk_round(c->size) + 8, sizeof(d));
	return !((a ^ fill) | (b ^ fill) | (d ^ fill));
}

/*
 * All of the slack and the redzone as alloc left them (software), in at
 * most four loads: what end checks of each live chunk.
 */
static inline bool chunk_slack_intact(const struct chunk *c)
{
	const char *data = (const char *)c + sizeof(*c);
	uint64_t w, fill = 0x0101010101010101ULL * REDZONE_BYTE;

	if (!chunk_redzone_intact(c))
		return false;
	if (c->redzone < CHUNK_ALIGN || chunk_round(c->size) - c->size <= 8)
		return true;
	/* slack of 9-15 bytes: its last 8 too */
	__builtin_memcpy(&w, data + chunk_round(c->size) - 8, sizeof(w));
	return w == fill;
}

/*
 * Are the n bytes at p all the byte of word (8 copies)? 16 bytes a step,
 * the tail by an overlapping load: what end costs per freed chunk.
 */
static inline bool chunk_bytes_are(const char *p, size_t n, uint64_t word)
{
	uint64_t a, b, acc = 0;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			acc |= (unsigned char)p[i] ^ (word & 0xff);
		return !acc;
	}
	if (n < 16) {
		__builtin_memcpy(&a, p, sizeof(a));
		__builtin_memcpy(&b, p + n - 8, sizeof(b));
		return !((a ^ word) | (b ^ word));
	}
	{
		/* SSE2 or NEON: a load, a xor, an or per 16 bytes */
		typedef uint64_t v2 __attribute__((vector_size(16)));
		v2 w = { word, word }, v, vacc = { 0, 0 };

		for (i = 0; i + 16 <= n; i += 16) {
			__builtin_memcpy(&v, p + i, sizeof(v));
			vacc |= v ^ w;
		}
		__builtin_memcpy(&v, p + n - 16, sizeof(v));
		vacc |= v ^ w;
		return !(vacc[0] | vacc[1]);
	}
}

/* A freed chunk's first limit bytes still as free() left them? (free checked the redzone) */
static inline bool chunk_freed_intact(const struct chunk *c, size_t limit)
{
	const char *data = (const char *)c + sizeof(*c);

	if (c->magic != CHUNK_FREED)
		return false;
	return chunk_bytes_are(data, c->size < limit ? c->size : limit,
			       0x0101010101010101ULL * POISON_BYTE);
}

/*
 * chunk_freed_intact(c, 16) in two loads (overlapping below 16 bytes);
 * false for chunks under 8 bytes too: the caller looks closer.
 */
static inline bool chunk_freed_head_intact(const struct chunk *c)
{
	const char *data = (const char *)c + sizeof(*c);
	uint64_t a, b, poison = 0x0101010101010101ULL * POISON_BYTE;
	size_t second = 8;

	if (c->magic != CHUNK_FREED)
		return false;
	if (__builtin_expect(c->size < 16, 0)) {
		if (c->size < 8)
			return false;
		second = c->size - 8;
	}
	__builtin_memcpy(&a, data, sizeof(a));
	__builtin_memcpy(&b, data + second, sizeof(b));
	return !((a ^ poison) | (b ^ poison));
}

/*
 * POISON_BYTE over n bytes of data: up to 64 in at most four overlapping
 * 16-byte stores inline, more by memset (wider stores, fewer calls).
 */
static inline void chunk_poison_data(char *data, size_t n)
{
	unsigned __int128 fill = CHUNK_FILL16(POISON_BYTE);

	if (n < CHUNK_ALIGN || n > 4 * CHUNK_ALIGN) {
		__builtin_memset(data, POISON_BYTE, n);
		return;
	}
	__builtin_memcpy(data, &fill, sizeof(fill));
	__builtin_memcpy(data + n - CHUNK_ALIGN, &fill, sizeof(fill));
	if (n > 2 * CHUNK_ALIGN) {
		__builtin_memcpy(data + CHUNK_ALIGN, &fill, sizeof(fill));
		__builtin_memcpy(data + n - 2 * CHUNK_ALIGN, &fill, sizeof(fill));
	}
}

static inline void chunk_poison(struct chunk *c)
{
	c->magic = CHUNK_FREED;
	chunk_poison_data(chunk_data(c), c->size);
}

/* First damaged byte offset from the data start goes to *where. */
enum chunk_damage chunk_check(const struct chunk *c, size_t *where);
/* The same, looking at no more than the first limit bytes of freed data. */
enum chunk_damage chunk_check_head(const struct chunk *c, size_t limit, size_t *where);

#endif
