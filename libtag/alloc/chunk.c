// SPDX-License-Identifier: LGPL-2.1-or-later
/* Chunk headers, redzones and poison: the software backend's checks. */
#include <stdint.h>
#include <string.h>
#include "chunk.h"

/* Offset of the first byte in [from, to) that is not value, or to. */
static size_t first_not(const unsigned char *p, size_t from, size_t to, unsigned char value)
{
	uint64_t word = 0x0101010101010101ULL * value, w;

	/* a word at a time: end and reset check every chunk */
	for (; from < to && ((uintptr_t)(p + from) & 7); from++)
		if (p[from] != value)
			return from;
	for (; to - from >= sizeof(w); from += sizeof(w)) {
		memcpy(&w, p + from, sizeof(w));
		if (w != word)
			break;
	}
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
