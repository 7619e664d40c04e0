/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* strfmt.h - quoting of captured user memory, strace style for text and RFC 8259 for JSON. */
#ifndef AGT_STRFMT_H
#define AGT_STRFMT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Writes `data` (len bytes) as a C-style quoted string the way strace does: "..." with \n \t \r
 * \v \f \" \\ escapes, other bytes outside 0x20..0x7e as octal (\0, \33, \177; three digits when
 * the next character is a digit, so "\0001" stays unambiguous). At most `maxlen` bytes of data are
 * shown; if len > maxlen or `cut` (the source itself was truncated), `...` follows the closing
 * quote. Returns the length it would have written (snprintf contract), NUL-terminates if n > 0.
 */
size_t fmt_quoted(char *buf, size_t n, const void *data, size_t len, size_t maxlen, bool cut);

/*
 * Writes `data` as the inside of a JSON string (no surrounding quotes): " \ and control characters
 * escaped (\n, \t, \u001b), valid UTF-8 kept as is, every byte of an invalid UTF-8 sequence as
 * \u00XX (its Latin-1 reading), so the output is always valid JSON and UTF-8. snprintf contract.
 */
size_t json_escape(char *buf, size_t n, const void *data, size_t len);

#endif
