/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ARM MTE primitives; on other CPUs they do nothing and report no support. */
#ifndef MEMTAG_MTE_H
#define MEMTAG_MTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MTE_GRANULE 16
#define MTE_TAG_SHIFT 56

/* Does this CPU and kernel offer MTE to userspace? */
bool tag_mte_supported(void);
/* Turn on tag checks for the calling thread (and threads it starts). */
int tag_mte_thread_enable(int mode);
/* Give [p, p+len) the tag of a new random tag, unlike exclude_tag; return p tagged. */
void *tag_mte_tag_new(void *p, size_t len, unsigned int exclude_tag);
/* Set the memory tag of [p, p+len) to the tag carried by p. */
void tag_mte_set(void *p, size_t len);
/* The tag memory at p carries (ldg). */
unsigned int tag_mte_memory_tag(const void *p);
/* Suspend or resume tag checks of this thread around metadata accesses. */
static inline void tag_mte_checks(bool on)
{
#ifdef __aarch64__
	if (on)
		asm volatile(".arch armv8.5-a+memtag\n\tmsr tco, #0" : : : "memory");
	else
		asm volatile(".arch armv8.5-a+memtag\n\tmsr tco, #1" : : : "memory");
#else
	(void)on;
#endif
}

static inline unsigned int tag_of(const void *p)
{
	return (unsigned int)((uintptr_t)p >> MTE_TAG_SHIFT) & 0xf;
}

static inline void *untagged(const void *p)
{
	return (void *)((uintptr_t)p & ~(0xffUL << MTE_TAG_SHIFT));
}

static inline void *with_tag(const void *p, unsigned int tag)
{
	return (void *)(((uintptr_t)untagged(p)) | ((uintptr_t)tag << MTE_TAG_SHIFT));
}

#endif
