// SPDX-License-Identifier: GPL-2.0-or-later
/* Escaping of untrusted text for the terminal: see text.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "text.h"

#define TEXT_BUFFERS 8
#define TEXT_BUFFER_SIZE 4096

/* Bytes of the valid, printable UTF-8 sequence at s; 0 if it is not one. */
static size_t printable_utf8(const unsigned char *s)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] >= 0x20 && s[0] < 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;	/* controls, DEL, continuation or invalid lead bytes */
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF, and the C1 controls */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

/* dump: the blank too, so that a field is one word for awk and read as well */
static char *escape(const char *s, char *out, size_t len, bool dump)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t used = 0, n;

	if (!len)
		return out;
	while (*p) {
		n = printable_utf8(p);
		if (n && *p != '\\' && !(dump && *p == ' ')) {
			if (used + n >= len)
				break;
			memcpy(out + used, p, n);
		} else if (*p == '\\') {
			n = 1;
			if (used + 2 >= len)
				break;
			memcpy(out + used, "\\\\", 2);
			used += 1;
		} else {
			n = 1;
			if (used + 4 >= len)
				break;
			snprintf(out + used, 5, "\\x%02x", *p);
			used += 3;
		}
		used += n;
		p += n;
	}
	out[used] = '\0';
	return out;
}

char *tagctl_escape(const char *s, char *out, size_t len)
{
	return escape(s, out, len, false);
}

char *tagctl_dump_escape(const char *s, char *out, size_t len)
{
	/* an empty field would vanish between two tabs for read(1): "-" stands for it */
	if (!*s || !strcmp(s, "-"))
		snprintf(out, len, "%s", *s ? "\\x2d" : "-");
	else
		escape(s, out, len, true);
	return out;
}

static char *next_buffer(void)
{
	static char buffers[TEXT_BUFFERS][TEXT_BUFFER_SIZE];
	static unsigned int next;

	return buffers[next++ % TEXT_BUFFERS];
}

const char *tagctl_text(const char *s)
{
	return tagctl_escape(s ? s : "", next_buffer(), TEXT_BUFFER_SIZE);
}

const char *tagctl_dump_text(const char *s)
{
	return tagctl_dump_escape(s ? s : "", next_buffer(), TEXT_BUFFER_SIZE);
}
