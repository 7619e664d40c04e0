// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* redact.c - credentials out of everything the tracer prints or records. */
#include <string.h>
#include <strings.h>

#include "redact.h"

#define KEY_MIN 16 /* characters after "sk-" (real keys have 40+) */

static const char *const secret_headers[] = {
	"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie",
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
 * If a secret starts at s[i], returns how many bytes it spans and sets *keep to the bytes of it
 * that stay visible ("Bearer " keeps its scheme word); else 0.
 */
static size_t secret_at(const char *s, size_t i, size_t len, size_t *keep)
{
	*keep = 0;
	if (i && key_char((unsigned char)s[i - 1]))
		return 0;
	if (len - i >= 3 && s[i] == 's' && s[i + 1] == 'k' && s[i + 2] == '-') {
		size_t n = key_run(s, i + 3, len);

		return n >= KEY_MIN ? 3 + n : 0;
	}
	if (len - i >= 7 && !strncasecmp(s + i, "bearer ", 7)) {
		size_t n = key_run(s, i + 7, len);

		/* tokens may carry '.', '~', '+', '/', '=' (RFC 6750 b64token) */
		while (i + 7 + n < len && strchr(".~+/=", s[i + 7 + n]) && s[i + 7 + n])
			n += 1 + key_run(s, i + 8 + n, len);
		*keep = 7;
		return n >= KEY_MIN ? 7 + n : 0;
	}
	return 0;
}

bool redact_needed(const char *s, size_t len)
{
	size_t keep;

	for (size_t i = 0; i < len; i++)
		if ((s[i] == 's' || s[i] == 'b' || s[i] == 'B') && secret_at(s, i, len, &keep))
			return true;
	return false;
}

size_t redact_secrets(char *s, size_t len)
{
	size_t r = 0, w = 0, keep, n;

	while (r < len) {
		char c = s[r];

		if ((c == 's' || c == 'b' || c == 'B') && (n = secret_at(s, r, len, &keep))) {
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
