/* SPDX-License-Identifier: GPL-2.0 */
/* The release version of memtag: module, library and tools share it. */
#ifndef MEMTAG_VERSION
#define MEMTAG_VERSION "0.1.0"
#endif
