/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tagctl scan: the escape audit (APR's pool-debugging rule). Data of a
 * shorter-lived region must not be referenced from a longer-lived one, so a
 * word in a live region's memory that points into
 *   - a segment of an ended or reset region is a dangling reference, and
 *   - a live strict descendant of the holder region is an ending one
 *     (the target ends first).
 * The pure part (scan_index.c) classifies words; scan.c reads the memory.
 */
#ifndef TAGCTL_SCAN_H
#define TAGCTL_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtag.h"

/* Tags live in the top byte (MTE, TBI): compare addresses without it. */
#define SCAN_ADDRESS_MASK UINT64_C(0x00ffffffffffffff)

enum scan_why {
	SCAN_NONE,
	SCAN_ENDED,	/* into a segment of an ended region */
	SCAN_RESET,	/* into a segment of a past lifetime of a reset region */
	SCAN_ENDING,	/* into a live strict descendant of the holder */
};

/* One process's mapped segments by address, and its regions by id. */
struct scan_index {
	const struct memtag_segment_record **segments;
	size_t nr_segments;
	const struct memtag_region_record **regions;
	size_t nr_regions;
};

/* A reference found in a holder segment. */
struct scan_ref {
	const struct memtag_segment_record *holder;
	uint64_t holder_offset;		/* in the holder region */
	const struct memtag_segment_record *target;
	uint64_t target_offset;		/* in the target region */
	uint64_t value;			/* the word as stored, tag included */
	enum scan_why why;
};

/* Index the mapped segments of tgid; 0, or -ENOMEM. */
int scan_index_init(struct scan_index *ix, const struct memtag_segment_record *segments,
		    size_t nr_segments, uint32_t tgid,
		    const struct memtag_region_record *regions, size_t nr_regions);
void scan_index_free(struct scan_index *ix);
/* The mapped segment holding word (tag masked), or NULL. */
const struct memtag_segment_record *scan_segment_of(const struct scan_index *ix, uint64_t word);
/* Is region a strict descendant of ancestor? */
bool scan_descends(const struct scan_index *ix, uint32_t region, uint32_t ancestor);
/* What a word stored in region holder refers to; *target is set unless SCAN_NONE. */
enum scan_why scan_classify(const struct scan_index *ix, uint32_t holder, uint64_t word,
			    const struct memtag_segment_record **target);
/*
 * Classify each aligned word of buf, which holds len bytes of holder from
 * offset at in the segment; fn is called per reference. Returns how many.
 */
size_t scan_words(const struct scan_index *ix, const struct memtag_segment_record *holder,
		  uint64_t at, const void *buf, size_t len,
		  void (*fn)(const struct scan_ref *ref, void *arg), void *arg);
/* "ended", "reset", "ending" */
const char *scan_why_name(enum scan_why why);
/* Segments a scan reads: live ones that their owner maps. */
bool scan_is_holder(const struct memtag_segment_record *segment);

/*
 * For 'tagctl escapes --scan': scan pid (-1: every process the caller may
 * see) and append each reference to json (an array) as an escape item, or
 * print it as a text line when json is NULL. *found counts them. Returns a
 * tagctl exit code: 0, or why the scan could not be made (said on stderr).
 */
struct json_object;
int tagctl_scan_append(long pid, struct json_object *json, size_t *found);

#endif /* TAGCTL_SCAN_H */
