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

#define SBUF_INIT(b, n) {.buf = (b), .cap = (n), .len = 0}

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

/* NUL-terminates (within cap) and returns the full length. */
static inline size_t sb_finish(struct sbuf *sb)
{
	if (sb->cap)
		sb->buf[sb->len < sb->cap ? sb->len : sb->cap - 1] = '\0';
	return sb->len;
}

#endif
