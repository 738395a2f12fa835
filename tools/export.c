// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl export: allocation profiles as folded stacks, pprof or an SVG flame
 * graph, and the module's counters as Prometheus text. To stdout, or with
 * -o to a file replaced atomically.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "export.h"
#include "tagctl.h"

struct format {
	const char *name;
	export_writer_fn write;
	bool binary;			/* not for a terminal */
	bool module_data;		/* counters and regions too */
};

static const struct format formats[] = {
	{ "folded", export_folded_write, false, false },
	{ "pprof", export_pprof_write, true, false },
	{ "prometheus", export_prometheus_write, false, true },
	{ "svg", export_svg_write, false, false },
};

struct export_args {
	const struct format *format;
	const char *path;		/* NULL: stdout */
	long pid;			/* 0: every process */
};

/* What the export read, freed together. */
struct export_data {
	struct memtag_profile *profiles;
	size_t nr_profiles;
	struct memtag_status status;
	struct memtag_region_record *regions;
	size_t nr_regions;
};

static const struct tagctl_command *const cmd = &tagctl_export_command;

static const struct format *format_named(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i].name, name))
			return &formats[i];
	return NULL;
}

static const struct tagctl_opt export_opts[] = {
	{ 'f', 'f', "format", "FORMAT", "folded, pprof, prometheus or svg (required)" },
	{ 'o', 'o', "output", "FILE", "write FILE atomically instead of standard output" },
	{ 'P', 'P', "pid", "P", "the profile of process P only" },
	{ 0 },
};

static int export_option(int c, const char *arg, void *ctx)
{
	struct export_args *a = ctx;

	if (c == 'o') {
		a->path = arg;
		return TAGCTL_EXIT_OK;
	}
	a->format = format_named(arg);
	if (!a->format)
		return tagctl_usage_error(cmd, "--format is folded, pprof, prometheus or svg");
	return TAGCTL_EXIT_OK;
}

static int parse_args(struct export_args *a, const struct tagctl_options *opts, int argc,
		      char **argv)
{
	int ret = tagctl_parse_args(cmd, argc, argv, &a->pid, export_option, a);

	if (ret)
		return ret;
	if (!a->format)
		return tagctl_usage_error(cmd, "--format is required");
	if (opts->json && !a->path)
		return tagctl_usage_error(cmd, "-j describes the file written with -o; "
					       "without -o the export itself is the output");
	if (a->format->binary && !a->path && isatty(STDOUT_FILENO))
		return tagctl_usage_error(cmd, "pprof output is binary: give -o FILE or redirect it");
	return TAGCTL_EXIT_OK;
}

static int fetch(struct memtag_client *client, const struct export_args *a,
		 struct export_data *d)
{
	int ret = memtag_profile_list(client, (uint32_t)a->pid, &d->profiles, &d->nr_profiles);

	if (ret)
		return tagctl_fail(client, "cannot read the allocation profiles", ret);
	if (a->pid && !d->nr_profiles) {
		fprintf(stderr, "tagctl export: no allocation profile for pid %ld: the module "
				"profiles processes that use libmemtag; see 'tagctl regions'\n",
			a->pid);
		return TAGCTL_EXIT_ERROR;
	}
	if (!a->format->module_data)
		return TAGCTL_EXIT_OK;
	ret = memtag_status_get(client, &d->status);
	if (ret)
		return tagctl_fail(client, "cannot read the module status", ret);
	ret = memtag_region_list(client, &d->regions, &d->nr_regions);
	if (ret)
		return tagctl_fail(client, "cannot list the regions", ret);
	return TAGCTL_EXIT_OK;
}

static bool symbolize(void *ctx, const struct memtag_profile *p, uint64_t address,
		      struct tagctl_frame *f)
{
	return tagctl_symbolize_frame(ctx, p, address, TAGCTL_RETURN_ADDRESS, f);
}

static int64_t wall_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void report(const struct tagctl_options *opts, const struct export_args *a,
		   const struct export_data *d)
{
	struct json_object *o;
	struct stat st;
	size_t i, sites = 0;

	for (i = 0; i < d->nr_profiles; i++)
		sites += d->profiles[i].nr_sites;
	if (stat(a->path, &st))
		st.st_size = 0;
	if (!opts->json) {
		printf("tagctl export: wrote %s (%s, %lld bytes): %zu process%s, %zu site%s\n",
		       a->path, a->format->name, (long long)st.st_size, d->nr_profiles,
		       d->nr_profiles == 1 ? "" : "es", sites, sites == 1 ? "" : "s");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "format", json_object_new_string(a->format->name));
	json_object_object_add(o, "file", json_object_new_string(a->path));
	json_object_object_add(o, "processes", json_object_new_uint64(d->nr_profiles));
	json_object_object_add(o, "sites", json_object_new_uint64(sites));
	json_object_object_add(o, "size_bytes", json_object_new_int64(st.st_size));
	tagctl_print_json(opts, o);
	json_object_put(o);
}

static int write_export(const struct export_args *a, const struct export_input *in)
{
	char err[4200];
	int ret;

	if (a->path) {
		ret = export_write_file(a->path, a->format->write, in, err, sizeof(err));
		if (ret)
			fprintf(stderr, "tagctl export: %s\n", err);
		return ret ? TAGCTL_EXIT_ERROR : TAGCTL_EXIT_OK;
	}
	ret = a->format->write(stdout, in);
	if (!ret && fflush(stdout))
		ret = -EIO;
	if (ret)
		fprintf(stderr, "tagctl export: cannot write the %s export: %s\n",
			a->format->name, strerror(-ret));
	return ret ? TAGCTL_EXIT_ERROR : TAGCTL_EXIT_OK;
}

static int run_export(const struct tagctl_options *opts, int argc, char **argv)
{
	struct export_args a = { 0 };
	struct export_data d = { 0 };
	struct memtag_client *client = NULL;
	struct export_input in = { 0 };
	int ret = parse_args(&a, opts, argc, argv);

	if (!ret)
		ret = tagctl_connect(&client);
	if (!ret)
		ret = fetch(client, &a, &d);
	if (!ret) {
		in = (struct export_input){
			.profiles = d.profiles, .nr_profiles = d.nr_profiles,
			.status = a.format->module_data ? &d.status : NULL,
			.regions = d.regions, .nr_regions = d.nr_regions,
			.symbolize = symbolize, .symbolize_ctx = tagctl_symbolizer_new(),
			.time_ns = wall_clock_ns(),
		};
		if (in.symbolize_ctx)
			ret = write_export(&a, &in);
		else
			ret = tagctl_fail(client, "export", -ENOMEM);
		if (!ret && a.path)
			report(opts, &a, &d);
		tagctl_symbolizer_free(in.symbolize_ctx);
	}
	memtag_profile_list_free(d.profiles, d.nr_profiles);
	free(d.regions);
	memtag_client_close(client);
	return ret;
}

const struct tagctl_command tagctl_export_command = {
	.name = "export",
	.summary = "allocation profiles as folded stacks, pprof, SVG; metrics for Prometheus",
	.options = export_opts,
	.run = run_export,
};
