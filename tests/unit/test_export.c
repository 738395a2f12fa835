// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl export on synthetic profiles: folded lines, Prometheus text (and
 * promtool's verdict on it), the pprof message decoded with protobuf-c and
 * read back by pprof's own Go package, the SVG, and the atomic file write.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include <zlib.h>
#include "profile.pb-c.h"
#include "export.h"
#include "unit.h"

#define BASE 0x555500000000ULL
#define UNMAPPED 0x7f0000000040ULL

static struct memtag_binary server_bin = {
	.start = BASE + 0x1000, .end = BASE + 0x5000, .bias = BASE,
	.build_id = { 0xab, 0xcd, 0x01 }, .build_id_len = 3, .path = "/usr/bin/server",
};

#define SITE(ao, ab, fo, fb, lo, lb, d, ...) \
	{ .alloc_objects = ao, .alloc_bytes = ab, .free_objects = fo, .free_bytes = fb, \
	  .leaked_objects = lo, .leaked_bytes = lb, .depth = d, .stack = { __VA_ARGS__ } }

static struct memtag_site server_sites[] = {
	SITE(10, 1000, 4, 400, 0, 0, 3, BASE + 0x1010, BASE + 0x2020, BASE + 0x3030),
	SITE(2, 64, 0, 0, 0, 0, 3, BASE + 0x1010, BASE + 0x2020, UNMAPPED),
	SITE(5, 500, 5, 500, 0, 0, 1, BASE + 0x1010),	/* all freed */
	/* symbolizes as the first site does: merged in folded output */
	SITE(1, 40, 0, 0, 0, 0, 3, BASE + 0x1014, BASE + 0x2020, BASE + 0x3030),
};

/* a null frame ends a stack */
static struct memtag_site worker_sites[] = {
	SITE(3, 300, 1, 100, 1, 50, 2, BASE + 0x1010, 0),
};

static struct memtag_site odd_sites[] = { SITE(1, 8, 0, 0, 0, 0, 1, UNMAPPED) };

static struct memtag_profile profiles[] = {
	{ .id = 1, .tgid = 100, .comm = "server", .started_ns = 10, .nr_binaries = 1,
	  .binaries = &server_bin, .nr_sites = 4, .sites = server_sites },
	{ .id = 2, .tgid = 200, .comm = "work;er", .started_ns = 20, .exited_ns = 99,
	  .nr_binaries = 1, .binaries = &server_bin, .nr_sites = 1, .sites = worker_sites },
	/* for Prometheus only: a label to escape, and pid 100's older profile */
	{ .id = 3, .tgid = 300, .comm = "a\"b\\c\nd", .started_ns = 30, .nr_sites = 1,
	  .sites = odd_sites },
	{ .id = 4, .tgid = 100, .comm = "old", .started_ns = 5, .exited_ns = 8, .nr_sites = 1,
	  .sites = worker_sites },
};

/* The real symbolizer (no such files here: binary and offset), and names on top. */
static bool fake_symbolize(void *ctx, const struct memtag_profile *p, uint64_t address,
			   struct tagctl_frame *f)
{
	tagctl_symbolize_frame(ctx, p, address, TAGCTL_RETURN_ADDRESS, f);
	if (f->binary[0] && (f->offset == 0x1010 || f->offset == 0x1014)) {
		strcpy(f->function, "alloc_reply");
		strcpy(f->file, "reply.c");
		f->line = 12;
	} else if (f->binary[0] && f->offset == 0x2020) {
		strcpy(f->function, "handle<int>");
	}
	return f->function[0];
}

static struct tagctl_symbolizer *symbolizer;

static struct export_input input(size_t nr_profiles)
{
	return (struct export_input){ .profiles = profiles, .nr_profiles = nr_profiles,
				      .symbolize = fake_symbolize, .symbolize_ctx = symbolizer,
				      .time_ns = 1700000000000000000LL };
}

static char *render(export_writer_fn write, const struct export_input *in, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(write(f, in), 0);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

static void test_site_values(void)
{
	int64_t v[EXPORT_NR_VALUES];

	export_site_values(&profiles[0], &server_sites[0], v);
	CU_ASSERT_EQUAL(v[EXPORT_INUSE_SPACE], 600);
	CU_ASSERT_EQUAL(v[EXPORT_INUSE_OBJECTS], 6);
	CU_ASSERT_EQUAL(v[EXPORT_ALLOC_SPACE], 1000);
	CU_ASSERT_EQUAL(v[EXPORT_LEAKED_SPACE], 0);
	/* exited: what it held at exit is leaked, on top of strict leaks */
	export_site_values(&profiles[1], &worker_sites[0], v);
	CU_ASSERT_EQUAL(v[EXPORT_INUSE_SPACE], 200);
	CU_ASSERT_EQUAL(v[EXPORT_LEAKED_SPACE], 250);
	CU_ASSERT_EQUAL(export_site_weight(&profiles[1], &worker_sites[0]), 250);
	CU_ASSERT_EQUAL(export_site_weight(&profiles[0], &server_sites[0]), 600);
}

static void test_folded_lines(void)
{
	struct export_input in = input(2);
	char *out = render(export_folded_write, &in, NULL);

	CU_ASSERT_STRING_EQUAL(out,
		"server;/usr/bin/server+0x3030;handle<int> (/usr/bin/server+0x2020);"
		"alloc_reply (reply.c:12) 640\n"
		"server;0x7f0000000040;handle<int> (/usr/bin/server+0x2020);"
		"alloc_reply (reply.c:12) 64\n"
		"work:er;alloc_reply (reply.c:12) 250\n");
	free(out);
}

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (getdelim(&buf, &n, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int write_text(FILE *out, const struct export_input *in)
{
	(void)in;
	return fputs("one\n", out) < 0 ? -EIO : 0;
}

static int write_then_fail(FILE *out, const struct export_input *in)
{
	(void)in;
	fputs("partial", out);
	return -EIO;
}

/* Names in dir other than . and .. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_atomic_write(void)
{
	char dir[] = "/tmp/memtag-export-XXXXXX", path[64], err[256], *text;
	struct export_input in = input(0);
	struct stat st;
	mode_t old_mask = umask(022);

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/memtag.prom", dir);
	CU_ASSERT_EQUAL(export_write_file(path, write_text, &in, err, sizeof(err)), 0);
	text = read_file(path);
	CU_ASSERT_STRING_EQUAL(text ? text : "", "one\n");
	free(text);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	CU_ASSERT_EQUAL(entries(dir), 1);
	/* a writer that fails leaves the old file and no temporary */
	CU_ASSERT_EQUAL(export_write_file(path, write_then_fail, &in, err, sizeof(err)), -EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	text = read_file(path);
	CU_ASSERT_STRING_EQUAL(text ? text : "", "one\n");
	free(text);
	CU_ASSERT_EQUAL(entries(dir), 1);
	snprintf(path, sizeof(path), "%s/missing/memtag.prom", dir);
	CU_ASSERT_EQUAL(export_write_file(path, write_text, &in, err, sizeof(err)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot create a temporary file"));
	snprintf(path, sizeof(path), "%s/memtag.prom", dir);
	unlink(path);
	rmdir(dir);
	umask(old_mask);
}

static const struct memtag_status status = {
	.version = "1.0", .backend = MEMTAG_BACKEND_SOFTWARE, .regions_created = 7,
	.regions_ended = 4, .regions_leaked = 1, .violations = 2, .events = 5,
	.event_totals = { [MEMTAG_EVENT_USE_AFTER_END] = 3 },
};

static const struct memtag_region_record regions[] = {
	{ .id = 1, .state = MEMTAG_REGION_LIVE, .bytes_resident = 4096, .growth = 2 },
	{ .id = 2, .state = MEMTAG_REGION_LIVE, .bytes_resident = 8192 },
	{ .id = 3, .state = MEMTAG_REGION_LEAKED, .bytes_resident = 65536, .growth = 1 },
};

static char *prometheus_text(void)
{
	struct export_input in = input(4);

	in.status = &status;
	in.regions = regions;
	in.nr_regions = 3;
	return render(export_prometheus_write, &in, NULL);
}

static size_t count_of(const char *text, const char *what)
{
	size_t n = 0;

	for (; (text = strstr(text, what)); text++)
		n++;
	return n;
}

static void test_prometheus_lines(void)
{
	static const char *const want[] = {
		"# HELP memtag_regions_created_total Regions created since load.\n"
		"# TYPE memtag_regions_created_total counter\n"
		"memtag_regions_created_total 7\n",
		"memtag_module_info{version=\"1.0\",backend=\"software\"} 1\n",
		"memtag_events_total{kind=\"use-after-end\"} 3\n",
		"# TYPE memtag_reserved_bytes gauge\n",
		"memtag_regions_live 2\n",
		"memtag_bytes_resident_bytes 12288\n",
		"memtag_regions_growing 1\n",
		"memtag_inuse_bytes{pid=\"100\",comm=\"server\"} 704\n",
		"memtag_inuse_objects{pid=\"100\",comm=\"server\"} 9\n",
		"memtag_leaked_bytes{pid=\"200\",comm=\"work;er\"} 250\n",
		"memtag_allocations_total{pid=\"100\",comm=\"server\"} 18\n",
		"memtag_allocated_bytes_total{pid=\"200\",comm=\"work;er\"} 300\n",
		"memtag_inuse_bytes{pid=\"300\",comm=\"a\\\"b\\\\c\\nd\"} 8\n",
	};
	char *text = prometheus_text();
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			CU_FAIL(want[i]);
	/* an exited process holds nothing now; pid 100's older profile gives way */
	CU_ASSERT_PTR_NULL(strstr(text, "memtag_inuse_bytes{pid=\"200\""));
	CU_ASSERT_EQUAL(count_of(text, "memtag_leaked_bytes{pid=\"100\""), 1);
	CU_ASSERT_PTR_NULL(strstr(text, "comm=\"old\""));
	free(text);
}

static void test_prometheus_label_escaping(void)
{
	char buf[16];

	CU_ASSERT_STRING_EQUAL(export_prometheus_label("a\"b\\c\nd", buf, sizeof(buf)),
			       "a\\\"b\\\\c\\nd");
	/* cut short, never in the middle of an escape */
	CU_ASSERT_STRING_EQUAL(export_prometheus_label("\"\"\"\"\"\"\"\"", buf, 8), "\\\"\\\"\\\"");
}

/* A program next to this one (the build's tests folder), or "". */
static void sibling(const char *name, char *path, size_t len)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	snprintf(path, len, "%s/%s", dirname(self), name);
}

static void test_prometheus_promtool(void)
{
	char path[] = "/tmp/memtag-prom-XXXXXX", out[4096];
	char *text = prometheus_text();
	int fd = mkstemp(path), status;
	FILE *p;
	size_t n;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(out, sizeof(out), "promtool check metrics < %s 2>&1", path);
	p = popen(out, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);
	if (status)
		fprintf(stderr, "promtool check metrics (exit %d; 'make deps' installs it): %s\n",
			WEXITSTATUS(status), out);
	CU_ASSERT_EQUAL(status, 0);
	unlink(path);
	free(text);
}

static uint8_t *gunzip(const char *data, size_t len, size_t *out_len)
{
	size_t cap = 1 << 20;
	uint8_t *out = malloc(cap);
	z_stream z = { .next_in = (unsigned char *)data, .avail_in = (uInt)len };

	CU_ASSERT_EQUAL_FATAL(inflateInit2(&z, 15 + 16), Z_OK);	/* gzip only */
	z.next_out = out;
	z.avail_out = (uInt)cap;
	CU_ASSERT_EQUAL(inflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	inflateEnd(&z);
	return out;
}

static Perftools__Profiles__Profile *decode_pprof(void)
{
	struct export_input in = input(2);
	size_t len, raw_len;
	char *gz = render(export_pprof_write, &in, &len);
	uint8_t *raw = gunzip(gz, len, &raw_len);
	Perftools__Profiles__Profile *p = perftools__profiles__profile__unpack(NULL, raw_len, raw);

	free(gz);
	free(raw);
	return p;
}

static const char *string_at(const Perftools__Profiles__Profile *p, int64_t i)
{
	return i >= 0 && (size_t)i < p->n_string_table ? p->string_table[i] : "(bad index)";
}

static const Perftools__Profiles__Location *location_at(const Perftools__Profiles__Profile *p,
							 uint64_t id)
{
	size_t i;

	for (i = 0; i < p->n_location; i++)
		if (p->location[i]->id == id)
			return p->location[i];
	return NULL;
}

static void check_worker_sample(const Perftools__Profiles__Profile *p,
				const Perftools__Profiles__Sample *s)
{
	static const int64_t want[EXPORT_NR_VALUES] = { 200, 2, 300, 3, 250 };
	const Perftools__Profiles__Location *loc;
	const Perftools__Profiles__Function *fn;
	size_t k;

	CU_ASSERT_EQUAL_FATAL(s->n_value, EXPORT_NR_VALUES);
	for (k = 0; k < EXPORT_NR_VALUES; k++)
		CU_ASSERT_EQUAL(s->value[k], want[k]);
	CU_ASSERT_EQUAL_FATAL(s->n_label, 2);
	CU_ASSERT_STRING_EQUAL(string_at(p, s->label[0]->key), "pid");
	CU_ASSERT_EQUAL(s->label[0]->num, 200);
	CU_ASSERT_STRING_EQUAL(string_at(p, s->label[1]->key), "comm");
	CU_ASSERT_STRING_EQUAL(string_at(p, s->label[1]->str), "work;er");
	CU_ASSERT_EQUAL_FATAL(s->n_location_id, 1);
	loc = location_at(p, s->location_id[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(loc);
	CU_ASSERT_EQUAL(loc->address, BASE + 0x1010);
	CU_ASSERT_EQUAL(loc->mapping_id, 1);
	CU_ASSERT_EQUAL_FATAL(loc->n_line, 1);
	CU_ASSERT_EQUAL(loc->line[0]->line, 12);
	CU_ASSERT_EQUAL_FATAL(loc->line[0]->function_id >= 1 &&
			      loc->line[0]->function_id <= p->n_function, 1);
	fn = p->function[loc->line[0]->function_id - 1];
	CU_ASSERT_STRING_EQUAL(string_at(p, fn->name), "alloc_reply");
	CU_ASSERT_STRING_EQUAL(string_at(p, fn->filename), "reply.c");
}

static void test_pprof_round_trip(void)
{
	static const char *const types[EXPORT_NR_VALUES][2] = {
		{ "inuse_space", "bytes" }, { "inuse_objects", "count" },
		{ "alloc_space", "bytes" }, { "alloc_objects", "count" },
		{ "leaked_space", "bytes" },
	};
	Perftools__Profiles__Profile *p = decode_pprof();
	const Perftools__Profiles__Mapping *m;
	const Perftools__Profiles__Location *loc;
	size_t k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->string_table[0], "");
	CU_ASSERT_EQUAL_FATAL(p->n_sample_type, EXPORT_NR_VALUES);
	for (k = 0; k < EXPORT_NR_VALUES; k++) {
		CU_ASSERT_STRING_EQUAL(string_at(p, p->sample_type[k]->type), types[k][0]);
		CU_ASSERT_STRING_EQUAL(string_at(p, p->sample_type[k]->unit), types[k][1]);
	}
	CU_ASSERT_STRING_EQUAL(string_at(p, p->default_sample_type), "inuse_space");
	CU_ASSERT_EQUAL(p->time_nanos, 1700000000000000000LL);
	/* every site with a value; 0x1010 of both processes is one location */
	CU_ASSERT_EQUAL(p->n_sample, 5);
	CU_ASSERT_EQUAL(p->n_location, 5);
	CU_ASSERT_EQUAL(p->n_function, 2);
	CU_ASSERT_EQUAL_FATAL(p->n_mapping, 1);
	m = p->mapping[0];
	CU_ASSERT_EQUAL(m->id, 1);
	CU_ASSERT_EQUAL(m->memory_start, BASE + 0x1000);
	CU_ASSERT_EQUAL(m->memory_limit, BASE + 0x5000);
	CU_ASSERT_EQUAL(m->file_offset, 0x1000);	/* no such file: offset = vaddr */
	CU_ASSERT_STRING_EQUAL(string_at(p, m->filename), "/usr/bin/server");
	CU_ASSERT_STRING_EQUAL(string_at(p, m->build_id), "abcd01");
	CU_ASSERT_TRUE(m->has_functions && m->has_filenames && m->has_line_numbers);
	/* innermost first; an address outside every binary has no mapping */
	CU_ASSERT_EQUAL_FATAL(p->sample[1]->n_location_id, 3);
	loc = location_at(p, p->sample[1]->location_id[2]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(loc);
	CU_ASSERT_EQUAL(loc->address, UNMAPPED);
	CU_ASSERT_EQUAL(loc->mapping_id, 0);
	CU_ASSERT_EQUAL(loc->n_line, 0);
	CU_ASSERT_EQUAL(p->sample[0]->value[EXPORT_INUSE_SPACE], 600);
	check_worker_sample(p, p->sample[4]);
	perftools__profiles__profile__free_unpacked(p, NULL);
}

static struct json_object *read_with_go(void)
{
	char file[] = "/tmp/memtag-pprof-XXXXXX", reader[4096], cmd[8400];
	struct export_input in = input(2);
	struct json_object *root;
	size_t len;
	char *gz = render(export_pprof_write, &in, &len), *out;
	int fd = mkstemp(file);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, gz, len), (ssize_t)len);
	close(fd);
	free(gz);
	sibling("memtag-pprof-read", reader, sizeof(reader));
	snprintf(cmd, sizeof(cmd), "%s %s > %s.json", reader, file, file);
	if (system(cmd)) {
		fprintf(stderr, "%s failed ('make %s' builds it)\n", cmd, reader);
		CU_FAIL("memtag-pprof-read did not accept the export");
	}
	snprintf(cmd, sizeof(cmd), "%s.json", file);
	out = read_file(cmd);
	root = out ? json_tokener_parse(out) : NULL;
	free(out);
	unlink(cmd);
	unlink(file);
	return root;
}

static int64_t json_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

static const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "(none)";
}

static void test_pprof_go_reader(void)
{
	struct json_object *root = read_with_go(), *totals, *samples, *s, *frame, *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_STRING_EQUAL(json_str(root, "default_sample_type"), "inuse_space");
	CU_ASSERT_TRUE(json_object_object_get_ex(root, "sample_types", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(v, 4)),
			       "leaked_space/bytes");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(root, "totals", &totals));
	CU_ASSERT_EQUAL(json_int(totals, "inuse_space"), 600 + 64 + 40 + 200);
	CU_ASSERT_EQUAL(json_int(totals, "inuse_objects"), 6 + 2 + 1 + 2);
	CU_ASSERT_EQUAL(json_int(totals, "alloc_space"), 1000 + 64 + 500 + 40 + 300);
	CU_ASSERT_EQUAL(json_int(totals, "alloc_objects"), 10 + 2 + 5 + 1 + 3);
	CU_ASSERT_EQUAL(json_int(totals, "leaked_space"), 250);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(root, "samples", &samples));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(samples), 5);
	s = json_object_array_get_idx(samples, 4);
	CU_ASSERT_TRUE(json_object_object_get_ex(s, "comm", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(v, 0)), "work;er");
	CU_ASSERT_TRUE(json_object_object_get_ex(s, "pid", &v));
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_array_get_idx(v, 0)), 200);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(s, "stack", &v));
	frame = json_object_array_get_idx(v, 0);
	CU_ASSERT_STRING_EQUAL(json_str(frame, "function"), "alloc_reply");
	CU_ASSERT_STRING_EQUAL(json_str(frame, "file"), "reply.c");
	CU_ASSERT_EQUAL(json_int(frame, "line"), 12);
	CU_ASSERT_STRING_EQUAL(json_str(frame, "mapping"), "/usr/bin/server");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(root, "mappings", &v));
	CU_ASSERT_STRING_EQUAL(json_str(json_object_array_get_idx(v, 0), "build_id"), "abcd01");
	json_object_put(root);
}

static struct memtag_binary own_text;

/* This program's executable segment, as libmemtag records a binary. */
static int find_own_text(struct dl_phdr_info *info, size_t size, void *want_offset)
{
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			own_text.start = info->dlpi_addr + ph->p_vaddr;
			own_text.end = own_text.start + ph->p_memsz;
			own_text.bias = info->dlpi_addr;
			*(uint64_t *)want_offset = ph->p_offset;
			break;
		}
	}
	return 1;
}

static void test_file_offset(void)
{
	uint64_t want = UINT64_MAX;
	ssize_t n = readlink("/proc/self/exe", own_text.path, sizeof(own_text.path) - 1);

	CU_ASSERT_FATAL(n > 0);
	own_text.path[n] = '\0';
	dl_iterate_phdr(find_own_text, &want);
	CU_ASSERT_FATAL(want != UINT64_MAX);
	CU_ASSERT_EQUAL(export_file_offset(&own_text), want);
	strcpy(own_text.path, "/nonexistent/binary");
	CU_ASSERT_EQUAL(export_file_offset(&own_text), own_text.start - own_text.bias);
}

static void test_svg(void)
{
	struct export_input in = input(2);
	size_t len;
	char *svg = render(export_svg_write, &in, &len), want[128];

	CU_ASSERT_TRUE_FATAL(len > 20);
	CU_ASSERT_EQUAL(strncmp(svg, "<?xml", 5), 0);
	CU_ASSERT_STRING_EQUAL(svg + len - 7, "</svg>\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "<title>all (954 bytes, 100.00%)</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "<rect x=\"10.0\" y=\"100.0\" width=\"1180.0\""));
	/* widths are shares of the bytes */
	snprintf(want, sizeof(want), "<title>work:er (250 bytes, 26.21%%)</title><rect x=\"%.1f\"",
		 10 + 704 * 1180.0 / 954);
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, want));
	snprintf(want, sizeof(want), "width=\"%.1f\"", 250 * 1180.0 / 954);
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "handle&lt;int&gt;"));
	CU_ASSERT_PTR_NULL(strstr(svg, "handle<int>"));
	CU_ASSERT_EQUAL(count_of(svg, "<g>"), 10);
	free(svg);
	in = input(0);
	svg = render(export_svg_write, &in, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "no allocations in use"));
	free(svg);
}

static int open_symbolizer(void)
{
	symbolizer = tagctl_symbolizer_new();
	return symbolizer ? 0 : -1;
}

static int close_symbolizer(void)
{
	tagctl_symbolizer_free(symbolizer);
	return 0;
}

int add_export_suite(void)
{
	static const struct test_case tests[] = {
		{ "site values: in use, allocated, leaked at exit", test_site_values },
		{ "folded: root first, sanitized, merged, sorted", test_folded_lines },
		{ "atomic write: mode, no temporary left, old file kept", test_atomic_write },
		{ "prometheus: names, values, one series per pid", test_prometheus_lines },
		{ "prometheus: label values escaped", test_prometheus_label_escaping },
		{ "prometheus: promtool check metrics accepts it", test_prometheus_promtool },
		{ "pprof: decoded with protobuf-c", test_pprof_round_trip },
		{ "pprof: read back by pprof's Go package", test_pprof_go_reader },
		{ "pprof: mapping file offsets from the ELF file", test_file_offset },
		{ "svg: frames, widths, escaping", test_svg },
		{ NULL, NULL },
	};

	return add_suite_fixture("export", open_symbolizer, close_symbolizer, tests);
}
