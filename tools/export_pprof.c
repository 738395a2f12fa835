// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl export --format pprof: a gzipped perftools.profiles.Profile
 * (pprof's profile.proto, encoded by protobuf-c). One sample per allocation
 * site, labelled with pid and comm; locations per address and mapping,
 * functions and lines where the symbolizer found them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "profile.pb-c.h"
#include "export.h"

/* In the order of enum export_value. */
static const char *const sample_types[EXPORT_NR_VALUES][2] = {
	{ "inuse_space", "bytes" },  { "inuse_objects", "count" }, { "alloc_space", "bytes" },
	{ "alloc_objects", "count" }, { "leaked_space", "bytes" },
};

static const char comment[] =
	"memtag: leaked_space is what strict regions left at their end and, for a process "
	"that exited, what it held at exit; inuse is then what it held at exit";

/* Keys to indexes in insertion order: each string, mapping, location and function once. */
struct intern_slot {
	void *key;
	size_t len;
	size_t index;
};

struct intern {
	struct intern_slot *slots;
	size_t mask;
	size_t count;
};

static int intern_init(struct intern *t, size_t max)
{
	size_t cap = 16;

	while (cap < 2 * max)
		cap <<= 1;
	t->slots = calloc(cap, sizeof(*t->slots));
	t->mask = cap - 1;
	t->count = 0;
	return t->slots ? 0 : -ENOMEM;
}

static void intern_free(struct intern *t)
{
	size_t i;

	for (i = 0; t->slots && i <= t->mask; i++)
		free(t->slots[i].key);
	free(t->slots);
}

static uint64_t hash_of(const void *key, size_t len)
{
	const unsigned char *c = key;
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ c[i]) * 1099511628211ULL;
	return h;
}

/* The index of key; a new key gets the next one and *added. -1: no room. */
static long intern(struct intern *t, const void *key, size_t len, bool *added)
{
	size_t i = hash_of(key, len) & t->mask;
	void *copy;

	*added = false;
	for (; t->slots[i].key; i = (i + 1) & t->mask)
		if (t->slots[i].len == len && !memcmp(t->slots[i].key, key, len))
			return (long)t->slots[i].index;
	copy = t->count < (t->mask + 1) / 2 ? malloc(len) : NULL;
	if (!copy)
		return -1;
	memcpy(copy, key, len);
	t->slots[i] = (struct intern_slot){ .key = copy, .len = len, .index = t->count };
	*added = true;
	return (long)t->count++;
}

struct pprof {
	Perftools__Profiles__Profile *msg;
	struct intern strings, mappings, locations, functions;
	const struct export_input *in;
	bool failed;			/* out of memory: nothing is written */
};

/* Upper bounds of what the profiles can add, so that arrays never grow. */
struct bounds {
	size_t samples, frames, binaries, strings;
};

static struct bounds bounds_of(const struct export_input *in)
{
	struct bounds n = { .strings = 16 };
	const struct memtag_profile *p;
	size_t i, j;

	for (i = 0; i < in->nr_profiles; i++) {
		p = &in->profiles[i];
		n.samples += p->nr_sites;
		n.binaries += p->nr_binaries;
		for (j = 0; j < p->nr_sites; j++)
			n.frames += export_site_depth(&p->sites[j]);
	}
	n.strings += in->nr_profiles + 2 * n.binaries + 2 * n.frames;
	return n;
}

/* A message of descriptor d's type, initialised; NULL when out of memory. */
static void *new_message(struct pprof *b, const ProtobufCMessageDescriptor *d)
{
	void *m = malloc(d->sizeof_message);

	if (m)
		protobuf_c_message_init(d, m);
	else
		b->failed = true;
	return m;
}

static int64_t str(struct pprof *b, const char *s)
{
	bool added;
	long i = intern(&b->strings, s, strlen(s) + 1, &added);

	if (i < 0) {
		b->failed = true;
		return 0;
	}
	if (added) {
		b->msg->string_table[i] = strdup(s);
		b->msg->n_string_table = (size_t)i + 1;
		b->failed |= !b->msg->string_table[i];
	}
	return i;
}

/* What tells two mappings apart (padding zeroed: compared as bytes). */
struct mapping_key {
	uint64_t start, end, bias;
	uint8_t build_id[MEMTAG_BUILD_ID_MAX];
	unsigned int build_id_len;
	char path[MEMTAG_PROFILE_PATH_MAX];
};

static void build_id_hex(const struct memtag_binary *bin, char *hex)
{
	unsigned int i, n = bin->build_id_len < MEMTAG_BUILD_ID_MAX ? bin->build_id_len
								       : MEMTAG_BUILD_ID_MAX;

	hex[0] = '\0';
	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", bin->build_id[i]);
}

static void add_mapping(struct pprof *b, const struct memtag_binary *bin, long index)
{
	Perftools__Profiles__Mapping *m = new_message(b, &perftools__profiles__mapping__descriptor);
	char hex[2 * MEMTAG_BUILD_ID_MAX + 1];

	if (!m)
		return;
	build_id_hex(bin, hex);
	m->id = (uint64_t)index + 1;
	m->memory_start = bin->start;
	m->memory_limit = bin->end;
	m->file_offset = export_file_offset(bin);
	m->filename = str(b, bin->path);
	m->build_id = str(b, hex);
	b->msg->mapping[index] = m;
	b->msg->n_mapping = (size_t)index + 1;
}

/* The mapping holding address in p's process: its id, or 0 (none). */
static Perftools__Profiles__Mapping *mapping_of(struct pprof *b, const struct memtag_profile *p,
						uint64_t address)
{
	const struct memtag_binary *bin = memtag_profile_binary_of(p, address);
	struct mapping_key key;
	bool added;
	long i;

	if (!bin)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.start = bin->start;
	key.end = bin->end;
	key.bias = bin->bias;
	memcpy(key.build_id, bin->build_id, sizeof(key.build_id));
	key.build_id_len = bin->build_id_len;
	snprintf(key.path, sizeof(key.path), "%s", bin->path);
	i = intern(&b->mappings, &key, sizeof(key), &added);
	if (i < 0) {
		b->failed = true;
		return NULL;
	}
	if (added)
		add_mapping(b, bin, i);
	return (size_t)i < b->msg->n_mapping ? b->msg->mapping[i] : NULL;
}

static uint64_t function_id(struct pprof *b, const struct tagctl_frame *f)
{
	char key[sizeof(f->function) + sizeof(f->file)];
	Perftools__Profiles__Function *fn;
	size_t len = (size_t)snprintf(key, sizeof(key), "%s%c%s", f->function, 0, f->file);
	bool added;
	long i = intern(&b->functions, key, len, &added);

	if (i < 0) {
		b->failed = true;
		return 0;
	}
	if (added) {
		fn = new_message(b, &perftools__profiles__function__descriptor);
		if (!fn)
			return 0;
		fn->id = (uint64_t)i + 1;
		fn->name = str(b, f->function);
		fn->system_name = fn->name;
		fn->filename = str(b, f->file);
		b->msg->function[i] = fn;
		b->msg->n_function = (size_t)i + 1;
	}
	return (uint64_t)i + 1;
}

/* A symbolized location gets its function and line; the mapping says so. */
static void add_line(struct pprof *b, Perftools__Profiles__Location *loc,
		     Perftools__Profiles__Mapping *m, const struct tagctl_frame *f)
{
	Perftools__Profiles__Line *line;

	loc->line = calloc(1, sizeof(*loc->line));
	line = new_message(b, &perftools__profiles__line__descriptor);
	if (!loc->line || !line) {
		free(line);
		b->failed = true;
		return;
	}
	line->function_id = function_id(b, f);
	line->line = f->line;
	loc->line[0] = line;
	loc->n_line = 1;
	if (m) {
		m->has_functions = true;
		m->has_filenames |= f->file[0] != '\0';
		m->has_line_numbers |= f->line != 0;
	}
}

static void add_location(struct pprof *b, const struct memtag_profile *p, uint64_t address,
			 Perftools__Profiles__Mapping *m, long index)
{
	Perftools__Profiles__Location *loc = new_message(b, &perftools__profiles__location__descriptor);
	struct tagctl_frame f;

	if (!loc)
		return;
	loc->id = (uint64_t)index + 1;
	loc->mapping_id = m ? m->id : 0;
	loc->address = address;
	b->msg->location[index] = loc;
	b->msg->n_location = (size_t)index + 1;
	if (b->in->symbolize(b->in->symbolize_ctx, p, address, &f))
		add_line(b, loc, m, &f);
}

/* Addresses mean something per mapping; outside any, per process. */
static uint64_t location_id(struct pprof *b, size_t profile, uint64_t address)
{
	const struct memtag_profile *p = &b->in->profiles[profile];
	Perftools__Profiles__Mapping *m = mapping_of(b, p, address);
	uint64_t key[2] = { m ? m->id : (1ULL << 63) | profile, address };
	bool added;
	long i = intern(&b->locations, key, sizeof(key), &added);

	if (i < 0) {
		b->failed = true;
		return 0;
	}
	if (added)
		add_location(b, p, address, m, i);
	return (uint64_t)i + 1;
}

static Perftools__Profiles__Label *new_label(struct pprof *b, const char *key)
{
	Perftools__Profiles__Label *l = new_message(b, &perftools__profiles__label__descriptor);

	if (l)
		l->key = str(b, key);
	return l;
}

static void add_labels(struct pprof *b, Perftools__Profiles__Sample *s,
		       const struct memtag_profile *p)
{
	s->label = calloc(2, sizeof(*s->label));
	if (!s->label) {
		b->failed = true;
		return;
	}
	s->label[0] = new_label(b, "pid");
	s->label[1] = new_label(b, "comm");
	if (!s->label[0] || !s->label[1]) {
		free(s->label[0]);
		free(s->label[1]);
		return;
	}
	s->label[0]->num = p->tgid;
	s->label[1]->str = str(b, p->comm);
	s->n_label = 2;
}

static void add_sample(struct pprof *b, size_t profile, const struct memtag_site *site,
		       const int64_t v[EXPORT_NR_VALUES])
{
	const struct memtag_profile *p = &b->in->profiles[profile];
	unsigned int i, depth = export_site_depth(site);
	Perftools__Profiles__Sample *s = new_message(b, &perftools__profiles__sample__descriptor);

	if (!s)
		return;
	b->msg->sample[b->msg->n_sample++] = s;
	s->value = malloc(EXPORT_NR_VALUES * sizeof(*s->value));
	s->location_id = calloc(depth + 1, sizeof(*s->location_id));
	if (!s->value || !s->location_id) {
		b->failed = true;
		return;
	}
	memcpy(s->value, v, EXPORT_NR_VALUES * sizeof(*s->value));
	s->n_value = EXPORT_NR_VALUES;
	/* innermost first, as pprof wants it */
	for (i = 0; i < depth; i++)
		s->location_id[i] = location_id(b, profile, site->stack[i]);
	s->n_location_id = depth;
	add_labels(b, s, p);
}

static bool all_zero(const int64_t v[EXPORT_NR_VALUES])
{
	int k;

	for (k = 0; k < EXPORT_NR_VALUES; k++)
		if (v[k])
			return false;
	return true;
}

static void add_samples(struct pprof *b)
{
	const struct memtag_profile *p;
	int64_t v[EXPORT_NR_VALUES];
	size_t i, j;

	for (i = 0; i < b->in->nr_profiles && !b->failed; i++) {
		p = &b->in->profiles[i];
		for (j = 0; j < p->nr_sites && !b->failed; j++) {
			export_site_values(p, &p->sites[j], v);
			if (!all_zero(v))
				add_sample(b, i, &p->sites[j], v);
		}
	}
}

static void add_header(struct pprof *b)
{
	Perftools__Profiles__ValueType *t;
	int k;

	str(b, "");			/* string_table[0] must be "" */
	for (k = 0; k < EXPORT_NR_VALUES; k++) {
		t = new_message(b, &perftools__profiles__value_type__descriptor);
		if (!t)
			return;
		t->type = str(b, sample_types[k][0]);
		t->unit = str(b, sample_types[k][1]);
		b->msg->sample_type[b->msg->n_sample_type++] = t;
	}
	b->msg->default_sample_type = str(b, sample_types[EXPORT_INUSE_SPACE][0]);
	b->msg->time_nanos = b->in->time_ns;
	b->msg->comment[0] = str(b, comment);
	b->msg->n_comment = 1;
}

/* Arrays sized by the bounds; protobuf_c_message_free_unpacked() frees them all. */
static int builder_init(struct pprof *b, const struct export_input *in)
{
	struct bounds n = bounds_of(in);
	Perftools__Profiles__Profile *msg;

	memset(b, 0, sizeof(*b));
	b->in = in;
	b->msg = msg = malloc(sizeof(*msg));
	if (!msg)
		return -ENOMEM;
	perftools__profiles__profile__init(msg);
	msg->sample_type = calloc(EXPORT_NR_VALUES, sizeof(*msg->sample_type));
	msg->sample = calloc(n.samples + 1, sizeof(*msg->sample));
	msg->mapping = calloc(n.binaries + 1, sizeof(*msg->mapping));
	msg->location = calloc(n.frames + 1, sizeof(*msg->location));
	msg->function = calloc(n.frames + 1, sizeof(*msg->function));
	msg->string_table = calloc(n.strings, sizeof(*msg->string_table));
	msg->comment = calloc(1, sizeof(*msg->comment));
	if (!msg->sample_type || !msg->sample || !msg->mapping || !msg->location ||
	    !msg->function || !msg->string_table || !msg->comment ||
	    intern_init(&b->strings, n.strings) || intern_init(&b->mappings, n.binaries) ||
	    intern_init(&b->locations, n.frames) || intern_init(&b->functions, n.frames))
		return -ENOMEM;
	return 0;
}

static void builder_free(struct pprof *b)
{
	if (b->msg)
		protobuf_c_message_free_unpacked(&b->msg->base, NULL);
	intern_free(&b->strings);
	intern_free(&b->mappings);
	intern_free(&b->locations);
	intern_free(&b->functions);
}

static int put_gzip(FILE *out, const uint8_t *data, size_t len)
{
	unsigned char buf[16384];
	z_stream z;
	int ret;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip header, as pprof and Go's compress/gzip expect */
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		ret = deflate(&z, Z_FINISH);
		fwrite(buf, 1, sizeof(buf) - z.avail_out, out);
	} while (ret == Z_OK);
	deflateEnd(&z);
	return ret == Z_STREAM_END ? 0 : -EIO;
}

static int put_profile(FILE *out, const Perftools__Profiles__Profile *msg)
{
	size_t len = perftools__profiles__profile__get_packed_size(msg);
	uint8_t *data = malloc(len + 1);
	int ret;

	if (!data)
		return -ENOMEM;
	perftools__profiles__profile__pack(msg, data);
	ret = put_gzip(out, data, len);
	free(data);
	return ret;
}

int export_pprof_write(FILE *out, const struct export_input *in)
{
	struct pprof b;
	int ret = builder_init(&b, in);

	if (!ret) {
		add_header(&b);
		add_samples(&b);
		ret = b.failed ? -ENOMEM : put_profile(out, b.msg);
	}
	builder_free(&b);
	return ret;
}
