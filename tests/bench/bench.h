/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memtag-bench: the request loop of issue 8 and its contenders. */
#ifndef MEMTAG_BENCH_H
#define MEMTAG_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_SIZES 65536		/* the size table, a power of two */
#define BENCH_MAX_K 1000

/*
 * One way of serving a request: K allocations of sizes[0..K-1], every byte
 * written, a quarter freed early (where the allocator can), then the
 * request's memory released at once. Setup and teardown run outside the
 * timing (the pool or region kept across requests).
 */
struct contender {
	const char *name;
	int (*setup)(size_t k);
	void (*request)(const uint16_t *sizes, size_t k);
	void (*teardown)(void);
	size_t only_k;			/* 0: every K; else only this one */
};

extern const struct contender bench_contenders[];
extern const size_t bench_ncontenders;

/* Sizes 16-255 B from a fixed LCG: every contender sees the same ones. */
void bench_sizes_init(uint16_t *sizes, size_t n);

/* Tag instructions libmemtag issued in this thread (MTE; --wrap counters). */
struct tag_insns {
	uint64_t irg, stg;
};
void bench_tag_insns(struct tag_insns *out);

/* One request of the Lua contenders (lua.c). */
void bench_lua_default(void);
void bench_lua_memtag(void);

__attribute__((noreturn, format(printf, 1, 2))) void bench_die(const char *fmt, ...);

#endif
