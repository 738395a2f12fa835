// SPDX-License-Identifier: GPL-2.0-or-later
/* Numbers with units, parsed with every overflow checked. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "units.h"

struct unit {
	const char *suffix;
	uint64_t scale;
};

/*
 * DIGITS[.DIGITS] times scale, exactly, or -1 on overflow. The fraction is
 * cut at the unit's resolution (1.5 ns is 1 ns).
 */
static int scaled(const char *s, const struct unit *units, size_t n, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, div = 1, scale = 0;
	const char *p = s, *unit_start;
	size_t i;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++)
		if (__builtin_mul_overflow(whole, 10, &whole) ||
		    __builtin_add_overflow(whole, (uint64_t)(*p - '0'), &whole))
			return -1;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		for (; isdigit((unsigned char)*p); p++)
			if (div < 1000000000000000000ULL) {	/* 18 digits are enough */
				frac = frac * 10 + (uint64_t)(*p - '0');
				div *= 10;
			}
	}
	unit_start = p;
	for (i = 0; i < n; i++)
		if (!strcmp(unit_start, units[i].suffix))
			scale = units[i].scale;
	if (!scale)
		return -1;
	if (__builtin_mul_overflow(whole, scale, out))
		return -1;
	/* frac/div * scale without overflow: scale < 2^63 and frac < div */
	frac = (uint64_t)((unsigned __int128)frac * scale / div);
	if (__builtin_add_overflow(*out, frac, out))
		return -1;
	return 0;
}

int tagctl_parse_size(const char *s, uint64_t *bytes)
{
	static const struct unit units[] = {
		{ "", 1 }, { "B", 1 },
		{ "K", 1ULL << 10 }, { "k", 1ULL << 10 }, { "KB", 1ULL << 10 },
		{ "KiB", 1ULL << 10 }, { "M", 1ULL << 20 }, { "MB", 1ULL << 20 },
		{ "MiB", 1ULL << 20 }, { "G", 1ULL << 30 }, { "GB", 1ULL << 30 },
		{ "GiB", 1ULL << 30 }, { "T", 1ULL << 40 }, { "TB", 1ULL << 40 },
		{ "TiB", 1ULL << 40 },
	};
	return scaled(s, units, sizeof(units) / sizeof(units[0]), bytes);
}

int tagctl_parse_duration_ns(const char *s, uint64_t *ns)
{
	static const struct unit units[] = {
		{ "", 1000000000ULL }, { "s", 1000000000ULL }, { "ns", 1 }, { "us", 1000 },
		{ "ms", 1000000ULL }, { "m", 60000000000ULL }, { "h", 3600000000000ULL },
		{ "d", 86400000000000ULL },
	};
	return scaled(s, units, sizeof(units) / sizeof(units[0]), ns);
}

int tagctl_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s) && !(*s == '-' && isdigit((unsigned char)s[1])))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

const char *tagctl_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes;
	int i = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%lu", (unsigned long)bytes);
		return buf;
	}
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[i]);
	return buf;
}

const char *tagctl_human_duration(uint64_t ns, char *buf, size_t len)
{
	static const struct unit units[] = {
		{ "d", 86400000000000ULL }, { "h", 3600000000000ULL }, { "m", 60000000000ULL },
		{ "s", 1000000000ULL }, { "ms", 1000000ULL }, { "us", 1000 },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ns >= units[i].scale) {
			snprintf(buf, len, "%.1f%s", (double)ns / (double)units[i].scale,
				 units[i].suffix);
			return buf;
		}
	snprintf(buf, len, "%luns", (unsigned long)ns);
	return buf;
}
