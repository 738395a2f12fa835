/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the fuzzers share: a replayable generator and the run's size. */
#ifndef MEMTAG_FUZZ_H
#define MEMTAG_FUZZ_H

#include <stdint.h>

/* xorshift64* from seed: a failing run is replayed from its printed seed. */
void fuzz_seed(uint64_t seed);
uint32_t fuzz_rnd(void);
/* A value near the edges the module checks, or anything. */
uint64_t fuzz_interesting(void);
/*
 * MEMTAG_FUZZ_SEED and MEMTAG_FUZZ_SCALE (a multiplier of every count,
 * for make stress; the variable named by own, if set, for that fuzzer
 * alone) override the defaults; the values used are printed.
 */
uint64_t fuzz_base_seed(uint64_t fallback);
unsigned long fuzz_count(unsigned long fallback, const char *own);

/* The lifetime ioctls' fuzzer (test_fuzz_ioctl.c), in the fuzz suite. */
void test_fuzz_ioctl_root(void);
void test_fuzz_ioctl_nobody(void);

#endif
