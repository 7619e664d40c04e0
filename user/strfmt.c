// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * strfmt.c - quoting of captured user memory: strace's C-like quoting for the text output, and
 * RFC 8259 string escaping for JSON.
 *
 * Both run once per string argument of every traced syscall, so they work byte by byte into the
 * caller's buffer through sbuf (snprintf contract, no allocation, no locale).
 */
#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"
#include "strfmt.h"

static bool is_octal_digit(unsigned char c)
{
	return c >= '0' && c <= '7';
}

/*
 * One byte as strace's string_quote() prints it. Only \t \n \v \f \r get letter escapes (strace
 * prints \a and \b in octal, \7 and \10); everything else outside 0x20..0x7e is octal, as short
 * as possible unless the next shown byte is an octal digit, which would otherwise be read as part
 * of the escape ("\0001" is NUL then '1', "\01" would be one byte).
 */
static void put_quoted_byte(struct sbuf *sb, unsigned char c, bool next_is_octal)
{
	switch (c) {
	case '"':
		sb_puts(sb, "\\\"");
		return;
	case '\\':
		sb_puts(sb, "\\\\");
		return;
	case '\t':
		sb_puts(sb, "\\t");
		return;
	case '\n':
		sb_puts(sb, "\\n");
		return;
	case '\v':
		sb_puts(sb, "\\v");
		return;
	case '\f':
		sb_puts(sb, "\\f");
		return;
	case '\r':
		sb_puts(sb, "\\r");
		return;
	}
	if (c >= 0x20 && c < 0x7f) {
		sb_putc(sb, (char)c);
		return;
	}
	sb_putc(sb, '\\');
	if (next_is_octal || c >= 0100)
		sb_putc(sb, (char)('0' + (c >> 6)));
	if (next_is_octal || c >= 010)
		sb_putc(sb, (char)('0' + ((c >> 3) & 7)));
	sb_putc(sb, (char)('0' + (c & 7)));
}

size_t fmt_quoted(char *buf, size_t n, const void *data, size_t len, size_t maxlen, bool cut)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	const unsigned char *p = data;
	size_t shown = len < maxlen ? len : maxlen;

	sb_putc(&sb, '"');
	for (size_t i = 0; i < shown; i++)
		/* Only a byte that is shown can make the escape ambiguous: a cut one is after '"'.
		 */
		put_quoted_byte(&sb, p[i], i + 1 < shown && is_octal_digit(p[i + 1]));
	sb_putc(&sb, '"');
	if (cut || len > maxlen)
		sb_puts(&sb, "...");
	return sb_finish(&sb);
}

/*
 * Length of the well-formed UTF-8 sequence at s (avail bytes readable), or 0 if it is not one.
 * Well-formed as in Unicode table 3-7: no overlong forms (C0, C1, E0 80..9F, F0 80..8F), no
 * UTF-16 surrogates (ED A0..BF), nothing above U+10FFFF (F4 90.., F5..FF), no sequence cut by
 * the end of the data. Anything accepted here is valid in a JSON document.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0) {
		need = 2;
	} else if (c < 0xf0) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c < 0xf5) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (avail < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return need;
}

static void put_u00(struct sbuf *sb, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	sb_puts(sb, "\\u00");
	sb_putc(sb, hex[c >> 4]);
	sb_putc(sb, hex[c & 0xf]);
}

/*
 * An invalid byte is escaped alone and decoding resumes at the next byte, so a bad lead byte
 * does not swallow the valid characters after it, and stray continuation bytes each get their
 * own \u00XX. DEL is escaped although JSON allows it raw: it is a control character on a
 * terminal, like the C0 ones.
 */
/* JSON escape classes: 0 copy, 1 two-char escape (json_short), 2 \u00XX, 3 UTF-8 lead/invalid. */
static const unsigned char json_class[256] = {
    [0 ... 7] = 2, ['\b'] = 1,	      ['\t'] = 1, ['\n'] = 1, [11] = 2,	  ['\f'] = 1,
    ['\r'] = 1,	   [14 ... 0x1f] = 2, ['"'] = 1,  ['\\'] = 1, [0x7f] = 2, [0x80 ... 0xff] = 3,
};
static const char json_short[256] = {
    ['"'] = '"',  ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f',
    ['\n'] = 'n', ['\r'] = 'r',	 ['\t'] = 't',
};

/*
 * The common case on the consumer's hot path: the output surely fits (6 bytes per input byte at
 * worst), so write straight into buf with a table lookup per byte instead of the bounded sbuf
 * calls. Same output as the general loop below.
 */
static size_t json_escape_fits(char *buf, const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *o = buf;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t l;

		switch (json_class[c]) {
		case 0:
			*o++ = (char)c;
			i++;
			continue;
		case 1:
			*o++ = '\\';
			*o++ = json_short[c];
			i++;
			continue;
		case 3:
			l = utf8_seq_len(p + i, len - i);
			if (l) {
				memcpy(o, p + i, l);
				o += l;
				i += l;
				continue;
			}
			__attribute__((fallthrough)); /* an invalid byte */
		default:
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 0xf];
			o += 6;
			i++;
			continue;
		}
	}
	*o = '\0';
	return (size_t)(o - buf);
}

size_t json_escape(char *buf, size_t n, const void *data, size_t len)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	const unsigned char *p = data;
	size_t i = 0;

	if (len < n / 6)
		return json_escape_fits(buf, p, len);

	while (i < len) {
		unsigned char c = p[i];
		size_t l;

		switch (c) {
		case '"':
			sb_puts(&sb, "\\\"");
			i++;
			continue;
		case '\\':
			sb_puts(&sb, "\\\\");
			i++;
			continue;
		case '\b':
			sb_puts(&sb, "\\b");
			i++;
			continue;
		case '\f':
			sb_puts(&sb, "\\f");
			i++;
			continue;
		case '\n':
			sb_puts(&sb, "\\n");
			i++;
			continue;
		case '\r':
			sb_puts(&sb, "\\r");
			i++;
			continue;
		case '\t':
			sb_puts(&sb, "\\t");
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			put_u00(&sb, c);
			i++;
			continue;
		}
		l = utf8_seq_len(p + i, len - i);
		if (!l) {
			put_u00(&sb, c);
			i++;
			continue;
		}
		sb_putsn(&sb, (const char *)p + i, l);
		i += l;
	}
	return sb_finish(&sb);
}
