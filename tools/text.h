/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text from other users (region and process names, paths, symbols) made safe to print. */
#ifndef TAGCTL_TEXT_H
#define TAGCTL_TEXT_H

#include <stddef.h>

/*
 * Copy s into out (len bytes, NUL-terminated) with every byte a terminal
 * could act on written as \xHH: C0 and C1 controls, DEL, and bytes that are
 * not valid UTF-8. A backslash becomes \\, so the escapes are unambiguous.
 * Printable UTF-8 is kept. Returns out; cut short (never mid-escape) if full.
 */
char *tagctl_escape(const char *s, char *out, size_t len);

/*
 * The same into one of a few rotating static buffers, for printf arguments
 * of text output (JSON does its own escaping). Not thread-safe; tagctl is
 * single-threaded.
 */
const char *tagctl_text(const char *s);

/*
 * The same for a field of a dump line (tab-separated, for scripts): the
 * blank is also written \x20, so that a field never holds a blank or a tab
 * and columns never shift, whether split on tabs or on blanks; an empty
 * string is "-", and a string that is just "-" is "\x2d".
 */
char *tagctl_dump_escape(const char *s, char *out, size_t len);
/* tagctl_dump_escape() into a rotating buffer, as tagctl_text(). */
const char *tagctl_dump_text(const char *s);

#endif
