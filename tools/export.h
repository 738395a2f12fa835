/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tagctl export: allocation profiles and module counters for other tools:
 * folded stacks (flamegraph.pl, speedscope), pprof, Prometheus text, SVG.
 * The writers are pure: they see the data through struct export_input, so
 * that host tests can feed them synthetic profiles.
 */
#ifndef TAGCTL_EXPORT_H
#define TAGCTL_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "memtag.h"
#include "symbolize.h"

/* Fill f for a return address of p's process; true when a function was found. */
typedef bool (*export_symbolize_fn)(void *ctx, const struct memtag_profile *p,
				    uint64_t address, struct tagctl_frame *f);

struct export_input {
	const struct memtag_profile *profiles;
	size_t nr_profiles;
	const struct memtag_status *status;		/* Prometheus only */
	const struct memtag_region_record *regions;	/* Prometheus only */
	size_t nr_regions;
	export_symbolize_fn symbolize;
	void *symbolize_ctx;
	int64_t time_ns;		/* wall clock of the export (pprof) */
};

/* A site's values, in the order of pprof's sample types. */
enum export_value {
	EXPORT_INUSE_SPACE,
	EXPORT_INUSE_OBJECTS,
	EXPORT_ALLOC_SPACE,
	EXPORT_ALLOC_OBJECTS,
	EXPORT_LEAKED_SPACE,
	EXPORT_NR_VALUES,
};

/*
 * In use is allocated minus freed (at exit, for an exited process). Leaked
 * is what strict regions left at their end, plus, once the process exited,
 * what it still held then.
 */
void export_site_values(const struct memtag_profile *p, const struct memtag_site *s,
			int64_t v[EXPORT_NR_VALUES]);
/* Bytes a flame graph shows: in use while alive, leaked once exited. */
uint64_t export_site_weight(const struct memtag_profile *p, const struct memtag_site *s);
/* Frames of s: at most MEMTAG_STACK_MAX, up to the first null address. */
unsigned int export_site_depth(const struct memtag_site *s);
/* File offset of b's first mapped byte (from the ELF file when readable). */
uint64_t export_file_offset(const struct memtag_binary *b);

/* Folded stacks, sorted and merged: "comm;outer;...;inner" and a weight. */
struct folded_stack {
	char *stack;
	uint64_t bytes;
};

struct folded {
	struct folded_stack *stacks;
	size_t count;
};

int export_folded_build(const struct export_input *in, struct folded *out);
void export_folded_free(struct folded *f);

/* Writers: 0 or a negative errno. */
typedef int (*export_writer_fn)(FILE *out, const struct export_input *in);
int export_folded_write(FILE *out, const struct export_input *in);
int export_svg_write(FILE *out, const struct export_input *in);
int export_pprof_write(FILE *out, const struct export_input *in);
int export_prometheus_write(FILE *out, const struct export_input *in);

/* Prometheus label value escaping (backslash, quote, newline) into buf. */
const char *export_prometheus_label(const char *value, char *buf, size_t len);

/*
 * Run write into path, replaced atomically: a temporary file in the same
 * folder, fsync, rename. On failure the old file stays, no temporary is
 * left, and err says what failed. 0 or a negative errno.
 */
int export_write_file(const char *path, export_writer_fn write, const struct export_input *in,
		      char *err, size_t err_len);

#endif
