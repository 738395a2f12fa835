// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Allocation variants: aligned, copies of strings and bytes, formatted
 * strings, overflow-checked arrays. Each is one chunk of the region, at
 * its caller's site, freed, sized and found like any other.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "memtag.h"
#include "mte.h"
#include "alloc.h"

#define SITE() ((uint64_t)(uintptr_t)__builtin_return_address(0))

_Static_assert(sizeof(struct fallback_block) % CHUNK_ALIGN == 0,
	       "a block's data follows its header at the chunk alignment");

/*
 * A freed chunk of pad bytes at seg's end, so that the next chunk's data
 * starts aligned: walks, checks and the page map see a chunk like any
 * other; its region id 0 makes a free of it invalid. MTE: tagged 0.
 */
static void put_pad(struct tag_segment *seg, size_t pad)
{
	struct chunk *c = (struct chunk *)((char *)untagged(seg->base) + seg->used);

	if (tag_rt.backend == TAG_BACKEND_MTE)
		tag_mte_set(c, pad);
	*c = (struct chunk){ .magic = CHUNK_FREED, .size = (uint32_t)(pad - sizeof(*c)),
			     .bucket = UINT32_MAX };
	memset(chunk_data(c), POISON_BYTE, c->size);
	seg->used += pad;
}

/*
 * Room in r's current segment for a chunk of size whose data is aligned,
 * and the pad in front of it: the next chunk placed is that one.
 */
static bool pad_to(struct tag_region *r, size_t alignment, size_t size)
{
	size_t redzone = tag_rt.backend == TAG_BACKEND_SOFTWARE ? CHUNK_ALIGN : 0;
	/* a pad is a header at least: 16 bytes short takes an alignment more */
	size_t worst = chunk_span(size, redzone) + alignment + CHUNK_ALIGN, pad;
	struct tag_segment *seg = r->segments;
	uintptr_t data;

	if (!seg || seg->used + worst > seg->size) {
		seg = tag_segment_new(r, worst);
		if (!seg)
			return false;
	}
	data = (uintptr_t)untagged(seg->base) + seg->used + sizeof(struct chunk);
	pad = (alignment - (data & (alignment - 1))) & (alignment - 1);
	if (pad && pad < sizeof(struct chunk))
		pad += alignment;
	if (pad)
		put_pad(seg, pad);
	return true;
}

/* Without the module: a block whose data is aligned, offset bytes into what malloc gave. */
static void *fallback_aligned(struct tag_region *r, size_t alignment, size_t size,
			      uint64_t site)
{
	size_t header = sizeof(struct fallback_block);
	size_t offset = ((header + alignment - 1) & ~(alignment - 1)) - header;
	uint32_t bucket = tag_profile_site(site);
	struct fallback_block *b;
	void *m;

	if (posix_memalign(&m, alignment, offset + header + size)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!tag_limit_fallback_alloc(r, size + offset)) {
		free(m);
		return NULL;
	}
	b = (struct fallback_block *)((char *)m + offset);
	b->offset = (uint32_t)offset;
	fallback_link(r, b, size, bucket);
	tag_profile_alloc(bucket, size);
	return b->data;
}

void *tag_aligned_alloc(struct tag_region *r, size_t alignment, size_t size)
{
	uint64_t site = SITE();

	if (!alignment || (alignment & (alignment - 1)) ||
	    alignment > (size_t)sysconf(_SC_PAGESIZE)) {
		errno = EINVAL;
		return NULL;
	}
	/* every chunk is aligned so; an unusable region is refused (and recorded) there */
	if (alignment <= CHUNK_ALIGN || !tag_region_live(r))
		return tag_alloc_site(r, size, site);
	if (size > CHUNK_MAX_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	if (tag_rt.backend == TAG_BACKEND_NONE)
		return fallback_aligned(r, alignment, size, site);
	if (!pad_to(r, alignment, size))
		return NULL;
	return tag_alloc_site(r, size, site);
}

static void *copy_at(struct tag_region *r, const void *src, size_t n, size_t extra,
		     uint64_t site)
{
	char *p;

	if (n > SIZE_MAX - extra) {
		errno = ENOMEM;
		return NULL;
	}
	p = tag_alloc_site(r, n + extra, site);
	if (p) {
		memcpy(p, src, n);
		memset(p + n, 0, extra);
	}
	return p;
}

void *tag_memdup(struct tag_region *r, const void *src, size_t n)
{
	return copy_at(r, src, n, 0, SITE());
}

char *tag_strndup(struct tag_region *r, const char *s, size_t n)
{
	return copy_at(r, s, strnlen(s, n), 1, SITE());
}

static char *vasprintf_at(struct tag_region *r, uint64_t site, const char *fmt, va_list ap)
{
	va_list again;
	char *p;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0) {
		va_end(again);
		return NULL;	/* errno from vsnprintf: EOVERFLOW, EILSEQ */
	}
	p = tag_alloc_site(r, (size_t)n + 1, site);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, again);
	va_end(again);
	return p;
}

char *tag_vasprintf(struct tag_region *r, const char *fmt, va_list ap)
{
	return vasprintf_at(r, SITE(), fmt, ap);
}

char *tag_asprintf(struct tag_region *r, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = vasprintf_at(r, SITE(), fmt, ap);
	va_end(ap);
	return p;
}

/* n * size, or false (ENOMEM) if it does not fit in a size_t */
static bool array_bytes(size_t n, size_t size, size_t *bytes)
{
	if (__builtin_mul_overflow(n, size, bytes)) {
		errno = ENOMEM;
		return false;
	}
	return true;
}

void *tag_alloc_array(struct tag_region *r, size_t n, size_t size)
{
	size_t bytes;

	return array_bytes(n, size, &bytes) ? tag_alloc_site(r, bytes, SITE()) : NULL;
}

void *tag_realloc_array(struct tag_region *r, void *p, size_t n, size_t size)
{
	size_t bytes;

	return array_bytes(n, size, &bytes) ? tag_realloc_site(r, p, bytes, SITE()) : NULL;
}
