/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sbuf.h - bounded string building on the snprintf contract, for formatters that must never
 * allocate: `len` keeps counting past `cap` so the caller learns the length it would have needed.
 */
#ifndef AGT_SBUF_H
#define AGT_SBUF_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct sbuf {
	char *buf;
	size_t cap;
	size_t len;
};

#define SBUF_INIT(b, n)                                                                            \
	{                                                                                          \
		.buf = (b), .cap = (n), .len = 0                                                   \
	}

/* Where the next piece goes and how much room it has (0 once full). */
static inline char *sb_pos(struct sbuf *sb)
{
	if (!sb->cap)
		return sb->buf; /* may be NULL: no pointer arithmetic on it */
	return sb->buf + (sb->len < sb->cap ? sb->len : sb->cap);
}

static inline size_t sb_left(struct sbuf *sb)
{
	return sb->len < sb->cap ? sb->cap - sb->len : 0;
}

/* Accounts for a piece a snprintf-contract function just wrote at sb_pos(). */
static inline void sb_add(struct sbuf *sb, size_t n)
{
	sb->len += n;
}

static inline void sb_putc(struct sbuf *sb, char c)
{
	if (sb->len + 1 < sb->cap)
		sb->buf[sb->len] = c;
	sb->len++;
}

static inline void sb_putsn(struct sbuf *sb, const char *s, size_t n)
{
	size_t left = sb_left(sb);

	if (left > 1)
		memcpy(sb_pos(sb), s, n < left - 1 ? n : left - 1);
	sb->len += n;
}

static inline void sb_puts(struct sbuf *sb, const char *s)
{
	sb_putsn(sb, s, strlen(s));
}

static inline void sb_printf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sb_pos(sb), sb_left(sb), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->len += n;
}

/*
 * Integers without printf: the consumer formats several per record, and vfprintf was the
 * largest userspace cost in profiles of a JSON trace.
 */
static inline void sb_putu(struct sbuf *sb, unsigned long long v)
{
	char tmp[20];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_putsn(sb, tmp + i, sizeof(tmp) - i);
}

static inline void sb_puti(struct sbuf *sb, long long v)
{
	if (v < 0) {
		sb_putc(sb, '-');
		sb_putu(sb, 0ull - (unsigned long long)v);
	} else {
		sb_putu(sb, (unsigned long long)v);
	}
}

static inline void sb_putx(struct sbuf *sb, unsigned long long v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[18];
	int i = sizeof(tmp);

	do {
		tmp[--i] = hex[v & 0xf];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	sb_putsn(sb, tmp + i, sizeof(tmp) - i);
}

/* "S.UUUUUU": seconds with microseconds, from nanoseconds. */
static inline void sb_put_secs(struct sbuf *sb, unsigned long long ns)
{
	unsigned long long us = ns / 1000 % 1000000;
	char frac[7];

	sb_putu(sb, ns / 1000000000ull);
	for (int i = 5; i >= 0; i--) {
		frac[i] = (char)('0' + us % 10);
		us /= 10;
	}
	frac[6] = '\0';
	sb_putc(sb, '.');
	sb_putsn(sb, frac, 6);
}

/* NUL-terminates (within cap) and returns the full length. */
static inline size_t sb_finish(struct sbuf *sb)
{
	if (sb->cap)
		sb->buf[sb->len < sb->cap ? sb->len : sb->cap - 1] = '\0';
	return sb->len;
}

#endif
