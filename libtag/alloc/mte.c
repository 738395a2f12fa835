// SPDX-License-Identifier: LGPL-2.1-or-later
/* ARM MTE: enable checks, pick and store tags (irg, stg), suspend checks (TCO). */
#include <errno.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include "mte.h"

#ifdef __aarch64__

#ifndef HWCAP2_MTE
#define HWCAP2_MTE (1 << 18)
#endif
#ifndef PR_SET_TAGGED_ADDR_CTRL
#define PR_SET_TAGGED_ADDR_CTRL 55
#define PR_TAGGED_ADDR_ENABLE (1UL << 0)
#endif
#ifndef PR_MTE_TCF_SYNC
#define PR_MTE_TCF_SYNC (1UL << 1)
#define PR_MTE_TCF_ASYNC (1UL << 2)
#define PR_MTE_TAG_SHIFT 3
#endif

bool tag_mte_supported(void)
{
	return getauxval(AT_HWCAP2) & HWCAP2_MTE;
}

/* mode: 0 sync, 1 async, 2 asymm (both: the kernel picks per CPU). */
int tag_mte_thread_enable(int mode)
{
	static const unsigned long tcf[] = {
		PR_MTE_TCF_SYNC, PR_MTE_TCF_ASYNC, PR_MTE_TCF_SYNC | PR_MTE_TCF_ASYNC,
	};
	/* tags 1-15 for allocations; 0 marks memory no live pointer may touch */
	unsigned long include = 0xfffeUL << PR_MTE_TAG_SHIFT;

	if (prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | tcf[mode] | include, 0, 0, 0))
		return -errno;
	return 0;
}

void tag_mte_set(void *p, size_t len)
{
	char *g = p, *end = (char *)p + len;

	/* st2g tags two granules at once: half the tag stores of a stg loop */
	if (((uintptr_t)g & MTE_GRANULE) && g < end) {
		asm volatile(".arch armv8.5-a+memtag\n\tstg %0, [%0]" : : "r"(g) : "memory");
		g += MTE_GRANULE;
	}
	for (; g + 2 * MTE_GRANULE <= end; g += 2 * MTE_GRANULE)
		asm volatile(".arch armv8.5-a+memtag\n\tst2g %0, [%0]" : : "r"(g) : "memory");
	if (g < end)
		asm volatile(".arch armv8.5-a+memtag\n\tstg %0, [%0]" : : "r"(g) : "memory");
}

void *tag_mte_tag_new(void *p, size_t len, unsigned int exclude_tag)
{
	uint64_t exclude = (1UL << 0) | (1UL << exclude_tag);
	void *tagged;

	asm volatile(".arch armv8.5-a+memtag\n\tirg %0, %1, %2"
		     : "=r"(tagged) : "r"(untagged(p)), "r"(exclude));
	tag_mte_set(tagged, len);
	return tagged;
}

unsigned int tag_mte_memory_tag(const void *p)
{
	void *t = untagged(p);

	asm volatile(".arch armv8.5-a+memtag\n\tldg %0, [%0]" : "+r"(t));
	return tag_of(t);
}

#else

bool tag_mte_supported(void)
{
	return false;
}

int tag_mte_thread_enable(int mode)
{
	(void)mode;
	return -ENOTSUP;
}

void tag_mte_set(void *p, size_t len)
{
	(void)p;
	(void)len;
}

void *tag_mte_tag_new(void *p, size_t len, unsigned int exclude_tag)
{
	(void)len;
	(void)exclude_tag;
	return p;
}

unsigned int tag_mte_memory_tag(const void *p)
{
	(void)p;
	return 0;
}

#endif
