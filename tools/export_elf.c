// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The file offset of a binary's mapping, for pprof: its symbolizer finds the
 * segment by file offset, so an offset that is off by the segment's
 * (p_vaddr - p_offset) would shift every address it looks up.
 */
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "export.h"

#define MAX_PHDRS 64

static bool native_elf64(const Elf64_Ehdr *eh)
{
	static const unsigned char data = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB
										       : ELFDATA2MSB;

	return !memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
	       eh->e_ident[EI_DATA] == data && eh->e_phentsize == sizeof(Elf64_Phdr) &&
	       eh->e_phnum && eh->e_phnum <= MAX_PHDRS;
}

/* Offset of ELF address vaddr in the file at fd, or -1. */
static int64_t offset_in(int fd, uint64_t vaddr)
{
	Elf64_Phdr ph[MAX_PHDRS];
	Elf64_Ehdr eh;
	size_t size;
	int i;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || !native_elf64(&eh))
		return -1;
	size = eh.e_phnum * sizeof(ph[0]);
	if (pread(fd, ph, size, (off_t)eh.e_phoff) != (ssize_t)size)
		return -1;
	for (i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && vaddr >= ph[i].p_vaddr &&
		    vaddr < ph[i].p_vaddr + ph[i].p_memsz)
			return (int64_t)(ph[i].p_offset + (vaddr - ph[i].p_vaddr));
	return -1;
}

uint64_t export_file_offset(const struct memtag_binary *b)
{
	uint64_t vaddr = b->start - b->bias;
	int64_t offset = -1;
	int fd = b->path[0] == '/' ? open(b->path, O_RDONLY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		offset = offset_in(fd, vaddr);
		close(fd);
	}
	/* without the file: text and read-only data sit at offset == vaddr */
	return offset >= 0 ? (uint64_t)offset : vaddr;
}
