/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fuzz_check.h - the redaction invariants the TLS and LLM harnesses check on what leaves the
 * tracer.
 *
 * JSON is judged by its strings as a reader decodes them, not by its text: an escape can spell a
 * word the data never held ("\b" + "EARER ..." for a backspace before "EARER"). Text lines map
 * control characters to spaces, which can do the same ("Bearer\x16token" reads "Bearer token"),
 * and the redactor's Bearer rule wants a real space: lines are held to the simpler rule that no
 * sk- key survives, which no such mapping can create.
 */
#ifndef AGT_FUZZ_CHECK_H
#define AGT_FUZZ_CHECK_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "redact.h"

/* The fixed point: nothing is left for redact_secrets() to change. */
static inline bool fc_clean(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	bool ok;

	if (!copy)
		abort();
	memcpy(copy, s, len);
	ok = redact_secrets(copy, len) == len && !memcmp(copy, s, len);
	free(copy);
	return ok;
}

static inline bool fc_clean_str(const char *s)
{
	return !s || fc_clean(s, strlen(s));
}

/* Every member name and string of a JSON tree is a fixed point. */
static inline bool fc_json_clean(const cJSON *j)
{
	for (; j; j = j->next) {
		if (!fc_clean_str(j->string) ||
		    (cJSON_IsString(j) && !fc_clean_str(j->valuestring)))
			return false;
		if (j->child && !fc_json_clean(j->child))
			return false;
	}
	return true;
}

static inline bool fc_key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* True if s[0..len) holds "sk-" and 16 key characters as a whole word (redact.h's key). */
static inline bool fc_has_key(const char *s, size_t len)
{
	for (size_t i = 0; i + 3 + 16 <= len; i++) {
		size_t n = 0;

		if (memcmp(s + i, "sk-", 3) || (i && fc_key_char((unsigned char)s[i - 1])))
			continue;
		while (i + 3 + n < len && fc_key_char((unsigned char)s[i + 3 + n]))
			n++;
		if (n >= 16)
			return true;
	}
	return false;
}

#endif
