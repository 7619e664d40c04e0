/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* quote.h - recorded text shown on a terminal: strace-quoted bytes, and one-line plain text. */
#ifndef AGT_QUOTE_H
#define AGT_QUOTE_H

#include <stddef.h>
#include <stdio.h>

/*
 * len bytes as strace (and the live tracer, user/strfmt.c's fmt_quoted) quote them: "..." with
 * \t \n \v \f \r \" \\ escapes, every other byte outside 0x20..0x7e in octal (\0, \33, \177,
 * \303; three digits when a digit 0-7 follows, so "\0001" is NUL then '1'). At most max bytes,
 * then "..." after the closing quote.
 */
void quote_bytes(FILE *out, const void *data, size_t len, size_t max);

/*
 * s as plain text that stays on one line (an intent in a table or a summary): control characters
 * (C0, DEL, C1) escaped as quote_bytes does, backslash doubled so the escapes read back, other
 * UTF-8 kept. At most max characters (an escaped one counts as one), then "..."; SIZE_MAX for
 * no cut.
 */
void quote_line(FILE *out, const char *s, size_t max);

#endif
