/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * redact.h - secrets never reach a sink (DESIGN.md §4). Header values of Authorization,
 * Proxy-Authorization, X-Api-Key, Api-Key, X-Goog-Api-Key, Cookie and Set-Cookie are replaced
 * whole; anywhere else (bodies, paths, captured syscall buffers) key-shaped tokens are replaced
 * in place.
 */
#ifndef AGT_REDACT_H
#define AGT_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#define REDACTED "[REDACTED]"

/* True if a header of this name (any case) carries credentials. */
bool redact_header_name(const char *name, size_t len);
/*
 * Replaces every key-shaped token in s[0..len) with [REDACTED], in place (a key is always longer
 * than the marker, so the text only shrinks); returns the new length. A key: "sk-" not preceded
 * by a letter, digit, '-' or '_' (an escape just before it - \n, \u0020, %20 - counts as a
 * boundary, since bodies and URLs carry keys escaped), followed by at least 16 characters of
 * [A-Za-z0-9_-].
 * Also redacts "Bearer <token>" values of 16+ token characters, whatever their shape; Google API
 * keys ("AIza" and 30+ such characters, at a word start); and the value of a "key" query
 * parameter ("?key=" or "&key=" then 16+ such characters: Gemini's ?key=), keeping "?key=".
 */
size_t redact_secrets(char *s, size_t len);
/*
 * For text that was cut (a capture limit, -s, a fixed buffer): also a key or Bearer token cut
 * short at the very end, whatever its length, since the rest of it was real. The marker may make
 * the text longer: s has room for cap bytes. Returns the new length.
 */
size_t redact_secrets_cut(char *s, size_t len, size_t cap);
/* redact_needed() for cut text: also true for a key fragment at the end. */
bool redact_needed_cut(const char *s, size_t len);
/* True if s[0..len) holds something redact_secrets() would change (cheap pre-check). */
bool redact_needed(const char *s, size_t len);

#endif
