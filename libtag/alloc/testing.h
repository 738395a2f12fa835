/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * For libmemtag's own tests and benchmarks only (static library; not
 * exported by the shared one): regions in anonymous memory with the
 * software backend's layout and checks, and no module. Call before any
 * other libmemtag function. Nothing is revoked or recorded.
 */
#ifndef MEMTAG_TESTING_H
#define MEMTAG_TESTING_H

void tag_testing_anonymous_memory(void);

#endif
