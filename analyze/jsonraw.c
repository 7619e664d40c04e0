// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * jsonraw.c - walk raw JSON text and decode its strings to bytes. The text was already parsed by
 * cJSON, so the walk only tracks strings and nesting; it still never reads past end, whatever the
 * text holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonraw.h"

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the closing quote of the string whose opening quote is at p, or NULL. */
static const char *string_end(const char *p, const char *end)
{
	const char *start = p + 1;

	if (p >= end || *p != '"')
		return NULL;
	/* memchr to each quote; it ends the string unless an odd run of backslashes escapes it */
	for (p++; p < end && (p = memchr(p, '"', (size_t)(end - p)));) {
		const char *b = p;

		while (b > start && b[-1] == '\\')
			b--;
		if ((p - b) % 2 == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

static bool is_delim(char c)
{
	switch (c) {
	case ',':
	case ':':
	case ']':
	case '}':
	case ' ':
	case '\t':
	case '\n':
	case '\r':
	case '{':
	case '[':
	case '"':
	case '\0':
		return true;
	default:
		return false;
	}
}

const char *jraw_skip(const char *p, const char *end)
{
	const char *start;
	size_t depth = 0;

	p = skip_ws(p, end);
	if (p >= end)
		return NULL;
	if (*p == '"')
		return string_end(p, end);
	if (*p == '{' || *p == '[') {
		while (p < end) {
			if (*p == '"') {
				if (!(p = string_end(p, end)))
					return NULL;
				continue;
			}
			if (*p == '{' || *p == '[')
				depth++;
			else if ((*p == '}' || *p == ']') && --depth == 0)
				return p + 1;
			p++;
		}
		return NULL;
	}
	/* a number, true, false or null: up to the next delimiter */
	for (start = p; p < end && !is_delim(*p); p++)
		;
	return p > start ? p : NULL;
}

bool jraw_iter_init(struct jraw_iter *it, const char *p, const char *end)
{
	p = skip_ws(p, end);
	it->end = end;
	it->p = NULL;
	it->started = false;
	if (p >= end || (*p != '{' && *p != '['))
		return false;
	it->obj = *p == '{';
	it->p = p + 1;
	return true;
}

/* The next value, and for an object the opening quote of its key in *key. */
static const char *iter_next(struct jraw_iter *it, const char **key)
{
	const char *end = it->end, *p = it->p, *v;

	if (!p || (p = skip_ws(p, end)) >= end || *p == '}' || *p == ']')
		goto done;
	if (it->started) {
		if (*p != ',')
			goto done;
		p = skip_ws(p + 1, end);
	}
	if (it->obj) {
		if (key)
			*key = p;
		if (!(p = string_end(p, end)) || (p = skip_ws(p, end)) >= end || *p != ':')
			goto done;
		p = skip_ws(p + 1, end);
	}
	v = p;
	if (!(it->p = jraw_skip(v, end)))
		goto done;
	it->started = true;
	return v;
done:
	it->p = NULL;
	return NULL;
}

const char *jraw_iter_next(struct jraw_iter *it)
{
	return iter_next(it, NULL);
}

const char *jraw_member(const char *p, const char *end, const char *key)
{
	size_t klen = strlen(key), len;
	struct jraw_iter it;
	const char *v, *k;

	if (!jraw_iter_init(&it, p, end) || !it.obj)
		return NULL;
	while ((v = iter_next(&it, &k))) {
		const char *q = memchr(k + 1, '"', (size_t)(end - k - 1));
		char *s;
		bool match;

		if (q && !memchr(k + 1, '\\', (size_t)(q - k - 1))) {
			/* no escape in the key: compare the text itself */
			if ((size_t)(q - k - 1) == klen && !memcmp(k + 1, key, klen))
				return v;
			continue;
		}
		s = jraw_string(k, end, &len);
		match = s && len == klen && !memcmp(s, key, klen);
		free(s);
		if (match)
			return v;
	}
	return NULL;
}

size_t jraw_members(const char *p, const char *end, const char *const *keys, size_t nkeys,
		    const char **vals)
{
	struct jraw_iter it;
	const char *v, *k;
	size_t found = 0;

	for (size_t i = 0; i < nkeys; i++)
		vals[i] = NULL;
	if (!jraw_iter_init(&it, p, end) || !it.obj)
		return 0;
	while (found < nkeys && (v = iter_next(&it, &k))) {
		const char *q = memchr(k + 1, '"', (size_t)(end - k - 1));
		size_t klen;

		if (!q || memchr(k + 1, '\\', (size_t)(q - k - 1)))
			continue; /* an escaped key: none of ours */
		klen = (size_t)(q - k - 1);
		for (size_t i = 0; i < nkeys; i++)
			if (!vals[i] && keys[i] && strlen(keys[i]) == klen &&
			    !memcmp(k + 1, keys[i], klen)) {
				vals[i] = v;
				found++;
				break;
			}
	}
	return found;
}

static int hex4(const char *p, const char *end)
{
	int v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Every escape decodes to at most as many bytes as it is long (\uXXXX to 3, a 12-character pair
 * to 4), so the text's length bounds the output.
 */
char *jraw_string(const char *p, const char *end, size_t *len)
{
	const char *q, *e;
	char *out, *o;
	int cp, lo;

	p = skip_ws(p, end);
	if (!(e = string_end(p, end)))
		return NULL;
	e--; /* the closing quote */
	if (!(o = out = malloc((size_t)(e - p))))
		return NULL;
	for (q = p + 1; q < e; q++) {
		if (*q != '\\') {
			*o++ = *q;
			continue;
		}
		switch (*++q) {
		case '"':
		case '\\':
		case '/':
			*o++ = *q;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if ((cp = hex4(q + 1, e)) < 0)
				goto bad;
			q += 4;
			if (cp < 0x100) {
				*o++ = (char)cp;
				break;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && e - q > 6 && q[1] == '\\' &&
			    q[2] == 'u' && (lo = hex4(q + 3, e)) >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				q += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;
			}
			o += put_utf8(o, (uint32_t)cp);
			break;
		default:
			goto bad;
		}
	}
	*o = '\0';
	*len = (size_t)(o - out);
	return out;
bad:
	free(out);
	return NULL;
}
