// SPDX-License-Identifier: GPL-2.0-or-later
/* Chunk layout, redzones and poison: the software backend's checks. */
#include <stdlib.h>
#include <string.h>
#include "chunk.h"
#include "unit.h"

static _Alignas(16) unsigned char arena[2048];

static struct chunk *fresh(size_t size)
{
	struct chunk *c = (struct chunk *)arena;

	memset(arena, 0, sizeof(arena));
	chunk_init(c, 7, size, CHUNK_ALIGN, 0x1234, 3);
	return c;
}

static void test_layout(void)
{
	struct chunk *c = fresh(24);

	CU_ASSERT_EQUAL(sizeof(struct chunk) % CHUNK_ALIGN, 0);
	CU_ASSERT_EQUAL((uintptr_t)chunk_data(c) % CHUNK_ALIGN, 0);
	CU_ASSERT_EQUAL(chunk_span(24, 16), 32 + 32 + 16);
	CU_ASSERT_EQUAL(chunk_span(0, 16), 32 + 0 + 16);
	CU_ASSERT_PTR_EQUAL(chunk_of(chunk_data(c)), c);
	CU_ASSERT_PTR_EQUAL((char *)chunk_next(c), (char *)c + chunk_span(24, 16));
	CU_ASSERT_EQUAL(c->region, 7);
	CU_ASSERT_EQUAL(c->site, 0x1234);
}

static void test_clean_chunk(void)
{
	struct chunk *c = fresh(24);
	size_t at = 99;

	memset(chunk_data(c), 'x', 24);	/* all of its own bytes: fine */
	CU_ASSERT_EQUAL(chunk_check(c, &at), CHUNK_OK);
	CU_ASSERT_EQUAL(at, 99);
}

static void test_overflow_into_slack_and_redzone(void)
{
	struct chunk *c = fresh(24);
	size_t at = 0;

	((char *)chunk_data(c))[24] = 'x';	/* one past: the rounding slack */
	CU_ASSERT_EQUAL(chunk_check(c, &at), CHUNK_REDZONE);
	CU_ASSERT_EQUAL(at, 24);
	c = fresh(24);
	((char *)chunk_data(c))[40] = 'x';	/* in the redzone proper */
	CU_ASSERT_EQUAL(chunk_check(c, &at), CHUNK_REDZONE);
	CU_ASSERT_EQUAL(at, 40);
}

static void test_write_after_free(void)
{
	struct chunk *c = fresh(64);
	size_t at = 0;

	chunk_poison(c);
	CU_ASSERT_EQUAL(c->magic, CHUNK_FREED);
	CU_ASSERT_EQUAL(chunk_check(c, &at), CHUNK_OK);
	((char *)chunk_data(c))[10] = 0;
	CU_ASSERT_EQUAL(chunk_check(c, &at), CHUNK_POISON);
	CU_ASSERT_EQUAL(at, 10);
}

static void test_head_check_is_bounded(void)
{
	struct chunk *c = fresh(512);
	size_t at = 0;

	chunk_poison(c);
	((char *)chunk_data(c))[300] = 0;	/* beyond the head free() looks at */
	CU_ASSERT_EQUAL(chunk_check_head(c, 64, &at), CHUNK_OK);
	CU_ASSERT_EQUAL(chunk_check(c, &at), CHUNK_POISON);	/* the end-of-region check */
	CU_ASSERT_EQUAL(at, 300);
	((char *)chunk_data(c))[5] = 0;
	CU_ASSERT_EQUAL(chunk_check_head(c, 64, &at), CHUNK_POISON);
	CU_ASSERT_EQUAL(at, 5);
}

static void test_bad_header(void)
{
	struct chunk *c = fresh(16);
	size_t at;

	c->magic = 0xdeadbeef;
	CU_ASSERT_EQUAL(chunk_check(c, &at), CHUNK_BAD_HEADER);
	c = fresh(16);
	c->size = CHUNK_MAX_SIZE + 1;
	CU_ASSERT_EQUAL(chunk_check(c, &at), CHUNK_BAD_HEADER);
}

int add_chunk_suite(void)
{
	static const struct test_case tests[] = {
		{ "layout and alignment", test_layout },
		{ "a chunk written within bounds is clean", test_clean_chunk },
		{ "overflow into slack and redzone found", test_overflow_into_slack_and_redzone },
		{ "write after free found by poison", test_write_after_free },
		{ "free's head check is bounded, the full check is not", test_head_check_is_bounded },
		{ "damaged header found", test_bad_header },
		{ NULL, NULL },
	};

	return add_suite("chunk", tests);
}
