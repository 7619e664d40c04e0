/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * jsonraw.h - a second look at the raw text of a JSON value, for what cJSON cannot hold: a
 * string with NUL bytes in it (cJSON's valuestring is a C string and ends at the first one).
 *
 * The text is walked, never built into a tree, and only for display of a few values: callers
 * first parse the same text with cJSON and use these to read its strings as bytes. Every
 * function stays inside [p, end) and returns NULL on text that is not well-formed where it looks.
 */
#ifndef AGT_JSONRAW_H
#define AGT_JSONRAW_H

#include <stdbool.h>
#include <stddef.h>

/* A position inside an array or object being walked (see jraw_iter_init). */
struct jraw_iter {
	const char *p;
	const char *end;
	bool obj;
	bool started;
};

/* Past the value at p (leading whitespace skipped), or NULL if it is cut by end. */
const char *jraw_skip(const char *p, const char *end);

/* The value of the first member named key of the object at p, or NULL (no such member, not an
 * object). Same member as cJSON_GetObjectItemCaseSensitive's. */
const char *jraw_member(const char *p, const char *end, const char *key);

/*
 * The values of several members of the object at p in one walk: vals[i] for keys[i] (NULL if
 * absent; keys[i] NULL is skipped; the first member of a name wins). Returns how many were found.
 * Keys written with escapes are not matched.
 */
size_t jraw_members(const char *p, const char *end, const char *const *keys, size_t nkeys,
		    const char **vals);

/* Starts walking the array or object at p; false if p holds neither. */
bool jraw_iter_init(struct jraw_iter *it, const char *p, const char *end);

/* The next element's value (an object's member values, keys skipped), or NULL past the last. */
const char *jraw_iter_next(struct jraw_iter *it);

/*
 * Decodes the JSON string at p into malloc'd bytes (*len of them, plus a NUL the length leaves
 * out); the caller frees. NULL if p is not a well-formed string, or on ENOMEM.
 *
 * \u0000..\u00ff become that one byte, not its UTF-8: the tracer writes raw text as UTF-8 and
 * escapes only control characters and the bytes of invalid UTF-8, each as its own \u00XX, so
 * this gives back the bytes it read. Above, \uXXXX and surrogate pairs become UTF-8; a lone
 * surrogate becomes U+FFFD.
 */
char *jraw_string(const char *p, const char *end, size_t *len);

#endif
