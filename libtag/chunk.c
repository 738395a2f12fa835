// SPDX-License-Identifier: LGPL-2.1-or-later
/* Chunk headers, redzones and poison: the software backend's checks. */
#include <stdint.h>
#include <string.h>
#include "chunk.h"

void chunk_init(struct chunk *c, uint32_t region, size_t size, size_t redzone, uint64_t site,
		uint64_t lifetime)
{
	c->magic = CHUNK_LIVE;
	c->region = region;
	c->size = (uint32_t)size;
	c->redzone = (uint32_t)redzone;
	c->site = site;
	c->lifetime = (uint32_t)lifetime;
	memset((char *)chunk_data(c) + size, REDZONE_BYTE, chunk_round(size) - size + redzone);
}

/* Offset of the first byte in [from, to) that is not value, or to. */
static size_t first_not(const unsigned char *p, size_t from, size_t to, unsigned char value)
{
	unsigned char block[64];

	/* memcmp a block at a time: these checks run on every free */
	memset(block, value, sizeof(block));
	while (to - from >= sizeof(block) && !memcmp(p + from, block, sizeof(block)))
		from += sizeof(block);
	for (; from < to; from++)
		if (p[from] != value)
			return from;
	return to;
}

enum chunk_damage chunk_check(const struct chunk *c, size_t *where)
{
	return chunk_check_head(c, SIZE_MAX, where);
}

enum chunk_damage chunk_check_head(const struct chunk *c, size_t limit, size_t *where)
{
	const unsigned char *data = (const unsigned char *)c + sizeof(*c);
	size_t end = chunk_round(c->size) + c->redzone, at;

	if ((c->magic != CHUNK_LIVE && c->magic != CHUNK_FREED) || c->size > CHUNK_MAX_SIZE)
		return CHUNK_BAD_HEADER;
	at = first_not(data, c->size, end, REDZONE_BYTE);
	if (at < end) {
		*where = at;
		return CHUNK_REDZONE;
	}
	if (c->magic == CHUNK_FREED) {
		end = c->size < limit ? c->size : limit;
		at = first_not(data, 0, end, POISON_BYTE);
		if (at < end) {
			*where = at;
			return CHUNK_POISON;
		}
	}
	return CHUNK_OK;
}

void chunk_poison(struct chunk *c)
{
	c->magic = CHUNK_FREED;
	memset(chunk_data(c), POISON_BYTE, c->size);
}
