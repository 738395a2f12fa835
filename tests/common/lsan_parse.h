/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reader of LeakSanitizer's report, written to its documented format
 * (clang's LeakSanitizer and AddressSanitizer pages, sanitizer_common's
 * default stack_trace_format "    #%n %p %F %L"), not to memtag's code:
 *
 *   Direct leak of 7 byte(s) in 1 object(s) allocated from:
 *       #0 0x4af01b in malloc /path/asan_malloc_linux.cc:52:3
 *       #1 0x4da26a in main memory-leak.c:4:7
 *       #2 0x7f076fd9cec4  (/lib/libc.so.6+0x21ec4)
 *
 *   SUMMARY: AddressSanitizer: 7 byte(s) leaked in 1 allocation(s).
 *
 * Other lines are text the reader skips, as it skips a program's own output
 * around a report. Used by the unit tests on synthetic reports and by the
 * guest tests on tagctl leaks.
 */
#ifndef MEMTAG_LSAN_PARSE_H
#define MEMTAG_LSAN_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#define LSAN_FRAMES_MAX 64
#define LSAN_LEAKS_MAX 64

struct lsan_frame {
	uint64_t address;
	char function[256];	/* "" when the frame had no "in FUNCTION" */
	char file[256];		/* "" when it named a module instead */
	unsigned int line;	/* 0: none */
	char module[256];	/* "(MODULE+0xOFFSET)", "" when it named a file */
	uint64_t offset;
};

struct lsan_leak {
	bool direct;		/* Direct, else Indirect */
	uint64_t bytes, objects;
	unsigned int nr_frames;
	struct lsan_frame frames[LSAN_FRAMES_MAX];
};

struct lsan_report {
	unsigned int nr_leaks;
	struct lsan_leak leaks[LSAN_LEAKS_MAX];
	bool has_summary;
	char tool[64];		/* "SUMMARY: TOOL: ..." */
	uint64_t summary_bytes, summary_allocations;
	char error[256];	/* why the report did not parse */
};

/*
 * Parse text; 0, or -1 with error set: a frame outside a leak, frames not
 * numbered 0, 1, 2, ..., a heading or frame that is not in the format, no
 * SUMMARY line, or a SUMMARY that is not the sum of the headings.
 */
int lsan_parse(const char *text, struct lsan_report *r);

#endif
