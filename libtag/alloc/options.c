// SPDX-License-Identifier: LGPL-2.1-or-later
/* Parsing of MEMTAG_OPTIONS, in the style of ASAN_OPTIONS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"

void tag_options_defaults(struct tag_options *opts)
{
	opts->halt_on_error = true;
	opts->require = false;
	opts->verbose = true;
	opts->mte_mode = TAG_MTE_SYNC;
	opts->quarantine_bytes = 256UL << 20;
	opts->stack_depth = 1;
}

static int parse_bool(const char *value, bool *out)
{
	if (!strcmp(value, "1") || !strcmp(value, "true"))
		*out = true;
	else if (!strcmp(value, "0") || !strcmp(value, "false"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_size(const char *value, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(value, &end, 10);
	if (errno || end == value || *end || *value == '-' || *out > max)
		return -EINVAL;
	return 0;
}

static int parse_mte_mode(const char *value, enum tag_mte_mode *out)
{
	static const char *const names[] = { "sync", "async", "asymm" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(value, names[i])) {
			*out = (enum tag_mte_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_one(struct tag_options *opts, const char *key, const char *value)
{
	unsigned long n;
	int ret;

	if (!strcmp(key, "halt_on_error"))
		return parse_bool(value, &opts->halt_on_error);
	if (!strcmp(key, "verbose"))
		return parse_bool(value, &opts->verbose);
	if (!strcmp(key, "mte_mode"))
		return parse_mte_mode(value, &opts->mte_mode);
	if (!strcmp(key, "quarantine_mb")) {
		ret = parse_size(value, 1UL << 20, &n);
		opts->quarantine_bytes = n << 20;
		return ret;
	}
	if (!strcmp(key, "stack_depth")) {
		ret = parse_size(value, 64, &n);
		if (!ret && n == 0)
			ret = -EINVAL;
		opts->stack_depth = n;
		return ret;
	}
	return -ENOENT;
}

int tag_options_parse(struct tag_options *opts, const char *spec, char *err, size_t errlen)
{
	char buf[512], *item, *save = NULL, *eq;
	int ret;

	tag_options_defaults(opts);
	if (!spec || !*spec)
		return 0;
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "MEMTAG_OPTIONS is longer than %zu bytes", sizeof(buf) - 1);
		return -E2BIG;
	}
	strcpy(buf, spec);
	for (item = strtok_r(buf, ":,", &save); item; item = strtok_r(NULL, ":,", &save)) {
		eq = strchr(item, '=');
		if (!eq) {
			snprintf(err, errlen, "'%s' is not key=value", item);
			return -EINVAL;
		}
		*eq = '\0';
		ret = parse_one(opts, item, eq + 1);
		if (ret == -ENOENT)
			snprintf(err, errlen, "unknown option '%s' (known: halt_on_error, verbose, "
				 "mte_mode, quarantine_mb, stack_depth)", item);
		else if (ret)
			snprintf(err, errlen, "bad value '%s' for %s", eq + 1, item);
		if (ret)
			return ret;
	}
	return 0;
}
