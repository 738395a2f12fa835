/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes, durations and counts on tagctl's command line, and their human form. */
#ifndef TAGCTL_UNITS_H
#define TAGCTL_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * "4096", "64K", "64KiB", "1.5M", "2G", "1T" (binary units, an optional B;
 * k and K alike): bytes. 0, or -1 for garbage, a sign, or more than 2^64-1.
 */
int tagctl_parse_size(const char *s, uint64_t *bytes);
/*
 * "1.5" (seconds), "1.5s", "500ms", "20us", "100ns", "5m", "2h", "1d": ns.
 * 0, or -1 for garbage, a sign, or more than 2^64-1 ns (584 years).
 */
int tagctl_parse_duration_ns(const char *s, uint64_t *ns);
/* A decimal integer in [min, max]: 0, or -1. */
int tagctl_parse_long(const char *s, long min, long max, long *out);

/* "512", "64.0K", "1.5M": bytes in at most 4 significant characters and a unit. */
const char *tagctl_human_size(uint64_t bytes, char *buf, size_t len);
/* "250ms", "42.0s", "5.0m", "2.0h", "3.0d". */
const char *tagctl_human_duration(uint64_t ns, char *buf, size_t len);

#endif
