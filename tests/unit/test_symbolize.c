// SPDX-License-Identifier: GPL-2.0-or-later
/* tagctl's symbolizer, on this test program's own functions. */
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "symbolize.h"
#include "unit.h"

static struct memtag_binary self;
static struct memtag_profile profile = { .tgid = 42, .nr_binaries = 1, .binaries = &self };

__attribute__((noinline)) int symbolize_target(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) static uint64_t return_address_probe(void)
{
	return (uint64_t)(uintptr_t)__builtin_return_address(0);
}

/* The call must not be a tail call: its return address stays in here. */
__attribute__((noinline)) static uint64_t caller_of_probe(void)
{
	volatile uint64_t address = return_address_probe();

	return address;
}

static unsigned int inlined_call_line;

static inline __attribute__((always_inline)) uint64_t inlined_helper(void)
{
	volatile uint64_t address = return_address_probe();

	return address;
}

__attribute__((noinline)) static uint64_t outer_of_inlined(void)
{
	volatile uint64_t address = inlined_helper(); inlined_call_line = __LINE__;

	return address;
}

/* The main program's mappings, as libmemtag would record them. */
static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
	int i;

	(void)size;
	(void)data;
	self.bias = info->dlpi_addr;
	self.start = UINT64_MAX;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < self.start)
			self.start = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > self.end)
			self.end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	return 1;	/* the first object is the main program */
}

static int init_self(void)
{
	ssize_t n = readlink("/proc/self/exe", self.path, sizeof(self.path) - 1);

	if (n <= 0)
		return -1;
	self.path[n] = '\0';
	dl_iterate_phdr(find_self, NULL);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void test_function_file_line(void)
{
	struct tagctl_symbolizer *s = tagctl_symbolizer_new();
	uint64_t pc = (uint64_t)(uintptr_t)&symbolize_target;
	struct tagctl_frame f;
	char buf[512];

	CU_ASSERT_TRUE(tagctl_symbolize_frame(s, &profile, pc, TAGCTL_PC, &f));
	CU_ASSERT_STRING_EQUAL(f.function, "symbolize_target");
	CU_ASSERT_STRING_EQUAL(base_name(f.file), "test_symbolize.c");
	CU_ASSERT_TRUE(f.line > 0);
	CU_ASSERT_STRING_EQUAL(f.binary, self.path);
	CU_ASSERT_EQUAL(f.offset, pc - self.bias);
	CU_ASSERT_FALSE(f.stale);
	tagctl_frame_format(&f, buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "symbolize_target (", 18), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "test_symbolize.c:"));
	/* the second lookup comes from the cache and agrees */
	CU_ASSERT_TRUE(tagctl_symbolize_frame(s, &profile, pc, TAGCTL_PC, &f));
	CU_ASSERT_STRING_EQUAL(f.function, "symbolize_target");
	tagctl_symbolizer_free(s);
}

static void test_return_address_names_the_caller(void)
{
	struct tagctl_symbolizer *s = tagctl_symbolizer_new();
	uint64_t ret = caller_of_probe();
	char buf[512];

	tagctl_symbolize(s, &profile, ret, buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "caller_of_probe (", 17), 0);
	tagctl_symbolizer_free(s);
}

static void test_inlined_function_and_its_caller(void)
{
	struct tagctl_symbolizer *s = tagctl_symbolizer_new();
	uint64_t ret = outer_of_inlined();
	struct json_object *o, *list, *v;
	struct tagctl_frame f;

	CU_ASSERT_TRUE(tagctl_symbolize_frame(s, &profile, ret, TAGCTL_RETURN_ADDRESS, &f));
	CU_ASSERT_STRING_EQUAL(f.function, "inlined_helper");
	CU_ASSERT_EQUAL_FATAL(f.nr_inlined, 1);
	CU_ASSERT_STRING_EQUAL(f.inlined[0].function, "outer_of_inlined");
	CU_ASSERT_STRING_EQUAL(base_name(f.inlined[0].file), "test_symbolize.c");
	CU_ASSERT_EQUAL(f.inlined[0].line, inlined_call_line);
	o = tagctl_frame_json(&f);
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "inlined_into", &list));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(list), 1);
	CU_ASSERT_TRUE(json_object_object_get_ex(json_object_array_get_idx(list, 0), "function", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "outer_of_inlined");
	json_object_put(o);
	/* a function that was not inlined has no callers here */
	tagctl_symbolize_frame(s, &profile, caller_of_probe(), TAGCTL_RETURN_ADDRESS, &f);
	CU_ASSERT_EQUAL(f.nr_inlined, 0);
	tagctl_symbolizer_free(s);
}

static void test_other_build_is_not_trusted(void)
{
	struct tagctl_symbolizer *s = tagctl_symbolizer_new();
	struct memtag_binary rebuilt = self;
	struct memtag_profile p = profile;
	uint64_t pc = (uint64_t)(uintptr_t)&symbolize_target;
	struct tagctl_frame f;
	char buf[512], want[512];

	memset(rebuilt.build_id, 0xab, sizeof(rebuilt.build_id));
	rebuilt.build_id_len = sizeof(rebuilt.build_id);
	p.binaries = &rebuilt;
	CU_ASSERT_FALSE(tagctl_symbolize_frame(s, &p, pc, TAGCTL_PC, &f));
	CU_ASSERT_TRUE(f.stale);
	CU_ASSERT_STRING_EQUAL(f.function, "");
	snprintf(want, sizeof(want), "%s+%#lx", self.path, (unsigned long)(pc - self.bias));
	CU_ASSERT_STRING_EQUAL(tagctl_frame_format(&f, buf, sizeof(buf)), want);
	/* the same path with the recorded build unknown is still symbolized */
	CU_ASSERT_TRUE(tagctl_symbolize_frame(s, &profile, pc, TAGCTL_PC, &f));
	tagctl_symbolizer_free(s);
}

static void test_unknown_binaries(void)
{
	struct tagctl_symbolizer *s = tagctl_symbolizer_new();
	struct memtag_binary gone = { .start = 0x10000, .end = 0x20000, .bias = 0x10000,
				      .path = "/nonexistent/service" };
	struct memtag_profile p = { .nr_binaries = 1, .binaries = &gone };
	struct json_object *o, *v;
	struct tagctl_frame f;
	char buf[256];

	CU_ASSERT_STRING_EQUAL(tagctl_symbolize(s, &p, 0x10123, buf, sizeof(buf)),
			       "/nonexistent/service+0x123");
	CU_ASSERT_STRING_EQUAL(tagctl_symbolize(s, &p, 0x30000, buf, sizeof(buf)), "0x30000");
	CU_ASSERT_STRING_EQUAL(tagctl_symbolize(s, NULL, 0x30000, buf, sizeof(buf)), "0x30000");
	tagctl_symbolize_frame(s, &p, 0x10123, TAGCTL_RETURN_ADDRESS, &f);
	o = tagctl_frame_json(&f);
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "offset", &v));
	CU_ASSERT_EQUAL(json_object_get_uint64(v), 0x123);
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "function", &v));
	CU_ASSERT_PTR_NULL(v);
	json_object_put(o);
	tagctl_symbolizer_free(s);
}

static void test_profile_of_a_reused_pid(void)
{
	const struct memtag_profile profiles[] = {
		{ .id = 1, .tgid = 7, .started_ns = 100, .exited_ns = 200 },
		{ .id = 2, .tgid = 8, .started_ns = 150 },
		{ .id = 3, .tgid = 7, .started_ns = 300 },
	};

	CU_ASSERT_EQUAL(tagctl_profile_at(profiles, 3, 7, 150)->id, 1);
	CU_ASSERT_EQUAL(tagctl_profile_at(profiles, 3, 7, 200)->id, 1);
	/* before a process's first allocation: the profile it is about to start */
	CU_ASSERT_EQUAL(tagctl_profile_at(profiles, 3, 7, 50)->id, 1);
	CU_ASSERT_EQUAL(tagctl_profile_at(profiles, 3, 7, 250)->id, 3);
	CU_ASSERT_EQUAL(tagctl_profile_at(profiles, 3, 7, 400)->id, 3);
	CU_ASSERT_EQUAL(tagctl_profile_at(profiles, 3, 8, 400)->id, 2);
	CU_ASSERT_PTR_NULL(tagctl_profile_at(profiles, 3, 9, 400));
	/* recorded after the last process of the pid let go of its profile */
	CU_ASSERT_EQUAL(tagctl_profile_at(profiles, 1, 7, 250)->id, 1);
}

static int init_suite(void)
{
	return init_self();
}

int add_symbolize_suite(void)
{
	static const struct test_case tests[] = {
		{ "a pc names function, file and line", test_function_file_line },
		{ "a return address names the calling function", test_return_address_names_the_caller },
		{ "an inlined function names the function it is in", test_inlined_function_and_its_caller },
		{ "a rebuilt binary falls back to binary+offset", test_other_build_is_not_trusted },
		{ "unreadable binaries and unmapped addresses", test_unknown_binaries },
		{ "the profile of an event's time, pids reused", test_profile_of_a_reused_pid },
		{ NULL, NULL },
	};

	return add_suite_fixture("symbolize", init_suite, NULL, tests);
}
