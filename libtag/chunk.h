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
	uint32_t magic;
	uint32_t region;	/* owning region id */
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

void chunk_init(struct chunk *c, uint32_t region, size_t size, size_t redzone, uint64_t site,
		uint64_t lifetime);
/* First damaged byte offset from the data start goes to *where. */
enum chunk_damage chunk_check(const struct chunk *c, size_t *where);
/* The same, looking at no more than the first limit bytes of freed data. */
enum chunk_damage chunk_check_head(const struct chunk *c, size_t limit, size_t *where);
void chunk_poison(struct chunk *c);

#endif
