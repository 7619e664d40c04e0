// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* redact.c - credentials out of everything the tracer prints or records. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "redact.h"

#define KEY_MIN	       16 /* characters after "sk-" (real keys have 40+) */
#define GOOGLE_KEY_MIN 30 /* characters after "AIza" (Google API keys have 35) */

static const char *const secret_headers[] = {
    "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key",
    "cookie",	     "set-cookie",
};

bool redact_header_name(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(secret_headers) / sizeof(secret_headers[0]); i++)
		if (strlen(secret_headers[i]) == len && !strncasecmp(name, secret_headers[i], len))
			return true;
	return false;
}

static bool key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static size_t key_run(const char *s, size_t i, size_t len)
{
	size_t j = i;

	while (j < len && key_char((unsigned char)s[j]))
		j++;
	return j - i;
}

/*
 * A secret starts a word. Escapes end a word too, though their last character is a letter or a
 * digit: raw JSON ("\nsk-...", "\u0020sk-...") and URL-encoded text ("%20sk-..."). Looks back
 * at most 6 bytes, which redact_secrets() has not overwritten (see there).
 */
static bool word_start(const char *s, size_t i)
{
	const unsigned char *u = (const unsigned char *)s;

	if (!i || !key_char(u[i - 1]))
		return true;
	if (i >= 2 && u[i - 2] == '\\')
		return true;
	if (i >= 3 && u[i - 3] == '%' && isxdigit(u[i - 2]) && isxdigit(u[i - 1]))
		return true;
	return i >= 6 && u[i - 6] == '\\' && u[i - 5] == 'u' && isxdigit(u[i - 4]) &&
	       isxdigit(u[i - 3]) && isxdigit(u[i - 2]) && isxdigit(u[i - 1]);
}

/*
 * If a secret starts at s[i], returns how many bytes it spans and sets *keep to the bytes of it
 * that stay visible ("Bearer " keeps its scheme word); else 0.
 */
static size_t secret_at(const char *s, size_t i, size_t len, size_t *keep)
{
	size_t n;

	*keep = 0;
	/* ?key=... / &key=...: Google APIs take the key as a query parameter, of whatever shape */
	if ((s[i] == '?' || s[i] == '&') && len - i >= 5 && !memcmp(s + i + 1, "key=", 4)) {
		n = key_run(s, i + 5, len);
		*keep = 5;
		return n >= KEY_MIN ? 5 + n : 0;
	}
	if (!word_start(s, i))
		return 0;
	if (len - i >= 3 && s[i] == 's' && s[i + 1] == 'k' && s[i + 2] == '-') {
		n = key_run(s, i + 3, len);
		return n >= KEY_MIN ? 3 + n : 0;
	}
	if (len - i >= 4 && !memcmp(s + i, "AIza", 4)) {
		n = key_run(s, i + 4, len);
		return n >= GOOGLE_KEY_MIN ? 4 + n : 0;
	}
	if (len - i >= 7 && !strncasecmp(s + i, "bearer ", 7)) {
		n = key_run(s, i + 7, len);
		/* tokens may carry '.', '~', '+', '/', '=' (RFC 6750 b64token) */
		while (i + 7 + n < len && strchr(".~+/=", s[i + 7 + n]) && s[i + 7 + n])
			n += 1 + key_run(s, i + 8 + n, len);
		*keep = 7;
		return n >= KEY_MIN ? 7 + n : 0;
	}
	return 0;
}

/*
 * Runs on every captured syscall buffer the printer shows, so it looks for the anchors with
 * memmem (vectorised in glibc) instead of walking the bytes.
 */
bool redact_needed(const char *s, size_t len)
{
	const char *end = s + len, *p;
	size_t keep;

	for (p = s; p && (p = memmem(p, end - p, "sk-", 3)); p++)
		if (secret_at(s, p - s, len, &keep))
			return true;
	for (p = s; p && (p = memmem(p, end - p, "AIza", 4)); p++)
		if (secret_at(s, p - s, len, &keep))
			return true;
	for (p = s; p && (p = memmem(p, end - p, "key=", 4)); p++)
		if (p > s && secret_at(s, p - 1 - s, len, &keep))
			return true;
	/* "Bearer " in any case (secret_at() matches it so): anchored on its last letter */
	for (int k = 0; k < 2; k++)
		for (p = s; p && (p = memmem(p, end - p, k ? "R " : "r ", 2)); p++)
			if (p - s >= 5 && secret_at(s, p - 5 - s, len, &keep))
				return true;
	return false;
}

/*
 * Compacts in place: bytes before w are output, bytes from r on are input. Every replacement
 * shrinks the text by at least 6 (a key spans 19+ bytes for 10, a Google key 34+, a token 23+
 * for 17, a key= parameter 21+ for 15), so once
 * w < r the 6 bytes before r are still input, which is what word_start() looks back at.
 */
size_t redact_secrets(char *s, size_t len)
{
	size_t r = 0, w = 0, keep, n;

	while (r < len) {
		char c = s[r];

		if ((c == 's' || c == 'b' || c == 'B' || c == 'A' || c == '?' || c == '&') &&
		    (n = secret_at(s, r, len, &keep))) {
			memmove(s + w, s + r, keep);
			w += keep;
			memcpy(s + w, REDACTED, sizeof(REDACTED) - 1);
			w += sizeof(REDACTED) - 1;
			r += n;
			continue;
		}
		s[w++] = s[r++];
	}
	if (w < len)
		s[w] = '\0';
	return w;
}

/* The start of a run of key characters that ends at `end` (== end if none). */
static size_t run_start(const char *s, size_t end)
{
	while (end && key_char((unsigned char)s[end - 1]))
		end--;
	return end;
}

/*
 * A key or Bearer token that runs into the end of s[0..n): where its secret part starts (after
 * "Bearer ") in *at. Such a fragment is a secret only if the text was cut there.
 */
static bool cut_tail(const char *s, size_t n, size_t *at)
{
	size_t j = run_start(s, n);

	if (j == n)
		return false;
	/* '-' is a key character: the run is "sk-..." itself */
	if (n - j >= 3 && !memcmp(s + j, "sk-", 3) && word_start(s, j)) {
		*at = j;
		return true;
	}
	if (n - j >= 4 && !memcmp(s + j, "AIza", 4) && word_start(s, j)) {
		*at = j;
		return true;
	}
	if (j >= 5 && (s[j - 5] == '?' || s[j - 5] == '&') && !memcmp(s + j - 4, "key=", 4)) {
		*at = j;
		return true;
	}
	if (j >= 7 && !strncasecmp(s + j - 7, "bearer ", 7) && word_start(s, j - 7)) {
		*at = j;
		return true;
	}
	return false;
}

bool redact_needed_cut(const char *s, size_t len)
{
	size_t at;

	return redact_needed(s, len) || cut_tail(s, len, &at);
}

size_t redact_secrets_cut(char *s, size_t len, size_t cap)
{
	size_t n = redact_secrets(s, len), at;

	if (!cut_tail(s, n, &at))
		return n;
	if (at + sizeof(REDACTED) - 1 < cap) {
		memcpy(s + at, REDACTED, sizeof(REDACTED) - 1);
		n = at + sizeof(REDACTED) - 1;
	} else {
		n = at; /* no room for the marker: the fragment goes anyway */
	}
	if (n < cap)
		s[n] = '\0';
	return n;
}
