/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Symbolization of runtime addresses of profiled processes (elfutils libdwfl,
 * offline: the ELF file on disk at the binary's path). A runtime address
 * maps to its binary through the process's profile; the ELF address is
 * address - bias. Sites and stack frames are return addresses, looked up at
 * address - 1 so that a call at the end of a function names the caller's
 * line; a faulting pc (an event's ip) is looked up as it is.
 *
 * A file whose build id differs from the one the profile recorded (the
 * binary was rebuilt) is not trusted: the frame keeps binary and offset only.
 */
#ifndef TAGCTL_SYMBOLIZE_H
#define TAGCTL_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtag.h"

struct json_object;
struct tagctl_symbolizer;

#define TAGCTL_INLINED_MAX 4

/* A function the frame's function was inlined into, and the line of that call. */
struct tagctl_inlined {
	char function[128];
	char file[256];
	unsigned int line;
};

/* What is known about one address; empty strings and 0 are unknown. */
struct tagctl_frame {
	uint64_t address;		/* runtime address */
	char binary[MEMTAG_PROFILE_PATH_MAX];
	uint64_t offset;		/* ELF address in binary: address - bias */
	char function[256];
	char file[256];
	unsigned int line;
	bool stale;			/* the file on disk is another build */
	unsigned int nr_inlined;	/* function was inlined into these, innermost first */
	struct tagctl_inlined inlined[TAGCTL_INLINED_MAX];
};

/* How an address was taken. */
enum tagctl_address_kind {
	TAGCTL_RETURN_ADDRESS,		/* sites, stacks: look up address - 1 */
	TAGCTL_PC,			/* a faulting instruction: look up as is */
};

/* NULL only when out of memory. */
struct tagctl_symbolizer *tagctl_symbolizer_new(void);
void tagctl_symbolizer_free(struct tagctl_symbolizer *s);

/*
 * Fill f for address of profile p's process (p may be NULL: address only).
 * Returns true when a function name was found.
 */
bool tagctl_symbolize_frame(struct tagctl_symbolizer *s, const struct memtag_profile *p,
			    uint64_t address, enum tagctl_address_kind kind,
			    struct tagctl_frame *f);

/* "function (file:line)", "function (binary+0xoffset)", "binary+0xoffset" or "0xaddr". */
const char *tagctl_frame_format(const struct tagctl_frame *f, char *buf, size_t len);
/* The same, then ", inlined into caller (file:line)" for each caller. */
const char *tagctl_frame_describe(const struct tagctl_frame *f, char *buf, size_t len);
/* {address, binary, offset, function, file, line, stale, inlined_into}; unknowns are null. */
struct json_object *tagctl_frame_json(const struct tagctl_frame *f);

/* A return address (site) as tagctl_frame_format() prints it, into buf. */
const char *tagctl_symbolize(struct tagctl_symbolizer *s, const struct memtag_profile *p,
			     uint64_t address, char *buf, size_t len);

/* The binary of p holding a runtime address, or NULL (p may be NULL). */
const struct memtag_binary *tagctl_binary_of(const struct memtag_profile *p, uint64_t address);

/*
 * The profile of process tgid at time_ns (CLOCK_BOOTTIME): the one alive
 * then; else the next one to start (a profile starts at the process's first
 * allocation, which may come after its first region); else the last one
 * (records of an exit may come after the profile's end). NULL if none.
 */
const struct memtag_profile *tagctl_profile_at(const struct memtag_profile *profiles,
					       size_t count, uint32_t tgid, uint64_t time_ns);

/* Profiles and a symbolizer: what commands that print sites hold. */
struct tagctl_symbols {
	struct memtag_profile *profiles;
	size_t nr_profiles;
	struct tagctl_symbolizer *symbolizer;
};

/* The profiles of tgid (0: all the caller may see); 0 or a negative errno. */
int tagctl_symbols_load(struct tagctl_symbols *sy, struct memtag_client *client, uint32_t tgid);
void tagctl_symbols_free(struct tagctl_symbols *sy);
/* An event's site (a return address) and pc, in its process's profile of the time. */
void tagctl_symbols_event(struct tagctl_symbols *sy, const struct memtag_event_record *e,
			  struct tagctl_frame *site, struct tagctl_frame *pc);

#endif
