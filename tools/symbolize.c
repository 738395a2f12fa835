// SPDX-License-Identifier: GPL-2.0-or-later
/* Runtime addresses to function, file and line, with elfutils' libdwfl. */
#include <dwarf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elfutils/libdwfl.h>
#include <json-c/json.h>
#include "symbolize.h"

/* One ELF file as one build of it: opened once, kept for the command's life. */
struct symbol_file {
	char path[MEMTAG_PROFILE_PATH_MAX];
	uint8_t build_id[MEMTAG_BUILD_ID_MAX];
	unsigned int build_id_len;
	Dwfl *dwfl;			/* NULL: cannot be read, or another build */
	Dwfl_Module *module;
	GElf_Addr bias;			/* libdwfl's address - ELF address */
	bool stale;
};

struct tagctl_symbolizer {
	struct symbol_file *files;
	size_t count;
};

static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct tagctl_symbolizer *tagctl_symbolizer_new(void)
{
	return calloc(1, sizeof(struct tagctl_symbolizer));
}

void tagctl_symbolizer_free(struct tagctl_symbolizer *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->count; i++)
		if (s->files[i].dwfl)
			dwfl_end(s->files[i].dwfl);
	free(s->files);
	free(s);
}

/* A file the profile names a build of, when the file on disk is another. */
static bool other_build(Dwfl_Module *module, const struct memtag_binary *b)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int len;

	if (!b->build_id_len)
		return false;
	len = dwfl_module_build_id(module, &bits, &vaddr);
	if (len <= 0)
		return false;
	return (unsigned int)len != b->build_id_len || memcmp(bits, b->build_id, len);
}

static void open_file(struct symbol_file *f, const struct memtag_binary *b)
{
	Elf *elf;

	f->dwfl = dwfl_begin(&offline_callbacks);
	if (!f->dwfl)
		return;
	f->module = dwfl_report_offline(f->dwfl, b->path, b->path, -1);
	dwfl_report_end(f->dwfl, NULL, NULL);
	elf = f->module ? dwfl_module_getelf(f->module, &f->bias) : NULL;
	f->stale = elf && other_build(f->module, b);
	if (!elf || f->stale) {
		dwfl_end(f->dwfl);
		f->dwfl = NULL;
		f->module = NULL;
	}
}

static bool same_build(const struct symbol_file *f, const struct memtag_binary *b)
{
	return !strcmp(f->path, b->path) && f->build_id_len == b->build_id_len &&
	       !memcmp(f->build_id, b->build_id, b->build_id_len);
}

/* The cached file of binary b, opened on first use; NULL when out of memory. */
static struct symbol_file *file_of(struct tagctl_symbolizer *s, const struct memtag_binary *b)
{
	struct symbol_file *grown, *f;
	size_t i;

	for (i = 0; i < s->count; i++)
		if (same_build(&s->files[i], b))
			return &s->files[i];
	grown = realloc(s->files, (s->count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	s->files = grown;
	f = &s->files[s->count++];
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", b->path);
	f->build_id_len = b->build_id_len < MEMTAG_BUILD_ID_MAX ? b->build_id_len
								: MEMTAG_BUILD_ID_MAX;
	memcpy(f->build_id, b->build_id, f->build_id_len);
	if (b->path[0] == '/')
		open_file(f, b);
	return f;
}

static bool is_function(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

/* Where an inlined call was made: its DW_AT_call_file and DW_AT_call_line. */
static void call_site(Dwarf_Die *inlined, struct tagctl_inlined *caller)
{
	Dwarf_Attribute attr;
	Dwarf_Word file = 0, line = 0;
	Dwarf_Files *files;
	const char *name;
	Dwarf_Die cu;
	size_t nfiles;

	if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &line) == 0)
		caller->line = (unsigned int)line;
	if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &file) ||
	    !dwarf_diecu(inlined, &cu, NULL, NULL) || dwarf_getsrcfiles(&cu, &files, &nfiles) ||
	    file >= nfiles)
		return;
	name = dwarf_filesrc(files, file, NULL, NULL);
	if (name)
		snprintf(caller->file, sizeof(caller->file), "%s", name);
}

/* The function scope holding die (a concrete inlined instance), into *outer. */
static bool enclosing_function(Dwarf_Die *die, Dwarf_Die *outer)
{
	Dwarf_Die *scopes = NULL;
	int n, i;
	bool found = false;

	n = dwarf_getscopes_die(die, &scopes);
	for (i = 1; i < n && !found; i++) {
		if (is_function(&scopes[i])) {
			*outer = scopes[i];
			found = true;
		}
	}
	free(scopes);
	return found;
}

/* The functions an inlined function at addr was inlined into, with the lines of the calls. */
static void inline_callers(Dwarf_Die *inlined, struct tagctl_frame *f)
{
	struct tagctl_inlined *caller;
	Dwarf_Die die = *inlined, outer;

	while (dwarf_tag(&die) == DW_TAG_inlined_subroutine &&
	       f->nr_inlined < TAGCTL_INLINED_MAX && enclosing_function(&die, &outer)) {
		caller = &f->inlined[f->nr_inlined++];
		snprintf(caller->function, sizeof(caller->function), "%s",
			 dwarf_diename(&outer) ?: "?");
		call_site(&die, caller);
		die = outer;
	}
}

/*
 * The innermost function at addr, inlined ones included, and the functions
 * it was inlined into (as addr2line -i). NULL without debug information.
 */
static const char *scope_names(Dwfl_Module *module, GElf_Addr addr, struct tagctl_frame *f)
{
	Dwarf_Die *cu, *scopes = NULL;
	const char *name = NULL;
	Dwarf_Addr cu_bias;
	int n, i;

	cu = dwfl_module_addrdie(module, addr, &cu_bias);
	n = cu ? dwarf_getscopes(cu, addr - cu_bias, &scopes) : 0;
	for (i = 0; i < n && !name; i++) {
		if (!is_function(&scopes[i]))
			continue;
		name = dwarf_diename(&scopes[i]);
		inline_callers(&scopes[i], f);
	}
	/* the names live in the debug information, not in scopes */
	free(scopes);
	return name;
}

static void lookup(const struct symbol_file *sf, GElf_Addr elf_address, struct tagctl_frame *f)
{
	GElf_Addr addr = elf_address + sf->bias, offset;
	const char *name, *file;
	Dwfl_Line *line;
	GElf_Sym sym;
	int lineno = 0;

	name = scope_names(sf->module, addr, f);
	if (!name)
		name = dwfl_module_addrinfo(sf->module, addr, &offset, &sym, NULL, NULL, NULL);
	if (name)
		snprintf(f->function, sizeof(f->function), "%s", name);
	line = dwfl_module_getsrc(sf->module, addr);
	file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (file && lineno > 0) {
		snprintf(f->file, sizeof(f->file), "%s", file);
		f->line = lineno;
	}
}

const struct memtag_binary *tagctl_binary_of(const struct memtag_profile *p, uint64_t address)
{
	return p ? memtag_profile_binary_of(p, address) : NULL;
}

bool tagctl_symbolize_frame(struct tagctl_symbolizer *s, const struct memtag_profile *p,
			    uint64_t address, enum tagctl_address_kind kind,
			    struct tagctl_frame *f)
{
	const struct memtag_binary *b = tagctl_binary_of(p, address);
	struct symbol_file *sf;

	memset(f, 0, sizeof(*f));
	f->address = address;
	if (!b)
		return false;
	snprintf(f->binary, sizeof(f->binary), "%s", b->path);
	f->offset = address - b->bias;
	sf = file_of(s, b);
	if (!sf)
		return false;
	f->stale = sf->stale;
	if (sf->module && f->offset)
		lookup(sf, f->offset - (kind == TAGCTL_RETURN_ADDRESS), f);
	return f->function[0];
}

const char *tagctl_frame_format(const struct tagctl_frame *f, char *buf, size_t len)
{
	if (f->function[0] && f->file[0])
		snprintf(buf, len, "%s (%s:%u)", f->function, f->file, f->line);
	else if (f->function[0])
		snprintf(buf, len, "%s (%s+%#" PRIx64 ")", f->function, f->binary, f->offset);
	else if (f->binary[0])
		snprintf(buf, len, "%s+%#" PRIx64, f->binary, f->offset);
	else
		snprintf(buf, len, "%#" PRIx64, f->address);
	return buf;
}

const char *tagctl_frame_describe(const struct tagctl_frame *f, char *buf, size_t len)
{
	size_t used;
	unsigned int i;

	tagctl_frame_format(f, buf, len);
	for (i = 0; i < f->nr_inlined; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, ", inlined into %s (%s:%u)", f->inlined[i].function,
			 f->inlined[i].file[0] ? f->inlined[i].file : "?", f->inlined[i].line);
	}
	return buf;
}

static struct json_object *string_or_null(const char *s)
{
	return *s ? json_object_new_string(s) : NULL;
}

/* [{function, file, line}]: the callers the function was inlined into, innermost first */
static struct json_object *inlined_json(const struct tagctl_frame *f)
{
	struct json_object *list = json_object_new_array(), *o;
	unsigned int i;

	for (i = 0; i < f->nr_inlined; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "function", json_object_new_string(f->inlined[i].function));
		json_object_object_add(o, "file", string_or_null(f->inlined[i].file));
		json_object_object_add(o, "line", f->inlined[i].line ?
				       json_object_new_uint64(f->inlined[i].line) : NULL);
		json_object_array_add(list, o);
	}
	return list;
}

struct json_object *tagctl_frame_json(const struct tagctl_frame *f)
{
	struct json_object *o = json_object_new_object();
	bool mapped = f->binary[0];

	json_object_object_add(o, "address", json_object_new_uint64(f->address));
	json_object_object_add(o, "binary", string_or_null(f->binary));
	json_object_object_add(o, "offset", mapped ? json_object_new_uint64(f->offset) : NULL);
	json_object_object_add(o, "function", string_or_null(f->function));
	json_object_object_add(o, "file", string_or_null(f->file));
	json_object_object_add(o, "line", f->line ? json_object_new_uint64(f->line) : NULL);
	json_object_object_add(o, "stale", json_object_new_boolean(f->stale));
	json_object_object_add(o, "inlined_into", inlined_json(f));
	return o;
}

const char *tagctl_symbolize(struct tagctl_symbolizer *s, const struct memtag_profile *p,
			     uint64_t address, char *buf, size_t len)
{
	struct tagctl_frame f;

	tagctl_symbolize_frame(s, p, address, TAGCTL_RETURN_ADDRESS, &f);
	return tagctl_frame_format(&f, buf, len);
}

static bool alive_at(const struct memtag_profile *p, uint64_t time_ns)
{
	return p->started_ns <= time_ns && (!p->exited_ns || p->exited_ns >= time_ns);
}

const struct memtag_profile *tagctl_profile_at(const struct memtag_profile *profiles,
					       size_t count, uint32_t tgid, uint64_t time_ns)
{
	const struct memtag_profile *before = NULL, *after = NULL, *p;
	size_t i;

	for (i = 0; i < count; i++) {
		p = &profiles[i];
		if (p->tgid != tgid)
			continue;
		if (p->started_ns <= time_ns && (!before || p->started_ns > before->started_ns))
			before = p;
		if (p->started_ns > time_ns && (!after || p->started_ns < after->started_ns))
			after = p;
	}
	if (before && alive_at(before, time_ns))
		return before;
	/* a profile starts at the first allocation: a region may be older */
	return after ? after : before;
}

int tagctl_symbols_load(struct tagctl_symbols *sy, struct memtag_client *client, uint32_t tgid)
{
	int ret;

	memset(sy, 0, sizeof(*sy));
	sy->symbolizer = tagctl_symbolizer_new();
	if (!sy->symbolizer)
		return -ENOMEM;
	ret = memtag_profile_list(client, tgid, &sy->profiles, &sy->nr_profiles);
	if (ret) {
		tagctl_symbolizer_free(sy->symbolizer);
		sy->symbolizer = NULL;
	}
	return ret;
}

void tagctl_symbols_free(struct tagctl_symbols *sy)
{
	memtag_profile_list_free(sy->profiles, sy->nr_profiles);
	tagctl_symbolizer_free(sy->symbolizer);
	memset(sy, 0, sizeof(*sy));
}

void tagctl_symbols_event(struct tagctl_symbols *sy, const struct memtag_event_record *e,
			  struct tagctl_frame *site, struct tagctl_frame *pc)
{
	const struct memtag_profile *p = tagctl_profile_at(sy->profiles, sy->nr_profiles,
							   e->tgid, e->time_ns);

	tagctl_symbolize_frame(sy->symbolizer, p, e->site, TAGCTL_RETURN_ADDRESS, site);
	tagctl_symbolize_frame(sy->symbolizer, p, e->ip, TAGCTL_PC, pc);
}
