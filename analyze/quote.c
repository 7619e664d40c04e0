// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* quote.c - strace's quoting of bytes and its one-line variant for plain text. */
#include <stdbool.h>

#include "quote.h"

static bool is_octal_digit(unsigned char c)
{
	return c >= '0' && c <= '7';
}

/* One byte as strace's string_quote() prints it (\a and \b in octal, as strace does). */
static void put_byte(FILE *out, unsigned char c, bool next_is_octal, bool in_quotes)
{
	switch (c) {
	case '"':
		fputs(in_quotes ? "\\\"" : "\"", out);
		return;
	case '\\':
		fputs("\\\\", out);
		return;
	case '\t':
		fputs("\\t", out);
		return;
	case '\n':
		fputs("\\n", out);
		return;
	case '\v':
		fputs("\\v", out);
		return;
	case '\f':
		fputs("\\f", out);
		return;
	case '\r':
		fputs("\\r", out);
		return;
	}
	if (c >= 0x20 && c < 0x7f) {
		fputc(c, out);
		return;
	}
	fputc('\\', out);
	if (next_is_octal || c >= 0100)
		fputc('0' + (c >> 6), out);
	if (next_is_octal || c >= 010)
		fputc('0' + ((c >> 3) & 7), out);
	fputc('0' + (c & 7), out);
}

void quote_bytes(FILE *out, const void *data, size_t len, size_t max)
{
	const unsigned char *p = data;
	size_t shown = len < max ? len : max;

	fputc('"', out);
	for (size_t i = 0; i < shown; i++)
		put_byte(out, p[i], i + 1 < shown && is_octal_digit(p[i + 1]), true);
	fputc('"', out);
	if (len > max)
		fputs("...", out);
}

void quote_line(FILE *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;

	for (; *p; p++) {
		unsigned char c = *p;

		if ((c & 0xc0) != 0x80 && chars++ == max) {
			fputs("...", out);
			return;
		}
		if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* a C1 control (U+0080..U+009F): CSI and the like act on a terminal */
			put_byte(out, c, false, false);
			p++;
			put_byte(out, *p, is_octal_digit(p[1]), false);
		} else if (c < 0x20 || c == 0x7f || c == '\\') {
			put_byte(out, c, is_octal_digit(p[1]), false);
		} else {
			fputc(c, out);
		}
	}
}
