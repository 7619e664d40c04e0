/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * llm_priv.h - helpers shared by the llm*.c files (requests in llm.c, responses in llm_resp.c,
 * event payloads in llm_fmt.c); not part of the module's contract.
 */
#ifndef AGT_LLM_PRIV_H
#define AGT_LLM_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "llm.h"

/* A growable NUL-terminated string; {0} is empty. */
struct lbuf {
	char *s;
	size_t len;
	size_t cap;
};

/* Appends n bytes; returns 0 or -ENOMEM (b unchanged). */
int lbuf_add(struct lbuf *b, const char *s, size_t n);
int lbuf_adds(struct lbuf *b, const char *s);
/* Appends sep first when b is not empty. */
int lbuf_join(struct lbuf *b, const char *sep, const char *s);
/* Hands over the redacted string ("" if empty) and resets b; NULL on allocation failure. */
char *lbuf_take(struct lbuf *b);
void lbuf_release(struct lbuf *b);

/* A redacted copy of s; NULL if s is NULL or on allocation failure. */
char *llm_strdup(const char *s);
/* Replaces *dst with a redacted copy of s (s NULL: *dst becomes NULL); 0 or -ENOMEM. */
int llm_set(char **dst, const char *s);
/* A string member's value, or NULL if absent or not a string. */
const char *llm_jstr(const cJSON *obj, const char *key);
/* An array member, or NULL: iterating an object's members as if they were items is no use. */
const cJSON *llm_jarr(const cJSON *obj, const char *key);
/* A JSON value as text: a string as itself, anything else printed compactly; redacted. */
char *llm_json_text(const cJSON *v);
/* A non-negative integer member, or -1 if absent, not a number or out of range. */
long long llm_jcount(const cJSON *obj, const char *key);

/* Appends a tool call (copies, redacted; args NULL becomes ""); 0 or -ENOMEM. */
int llm_call_push(struct llm_tool_call **v, size_t *n, const char *id, const char *name,
		  const char *args);
void llm_calls_free(struct llm_tool_call *v, size_t n);

/* Gemini: a member by its lowerCamelCase name, else its proto snake_case name (the API reads
 * both, and curl examples send snake_case). */
const cJSON *llm_gem_get(const cJSON *obj, const char *camel, const char *snake);
/* Gemini: a part's text, or NULL when it has none or is a thought (reasoning, not the answer). */
const char *llm_gem_text(const cJSON *part);
/* Gemini: what stands for the id of a functionCall/functionResponse: its name (llm.h). */
const char *llm_gem_call_id(const cJSON *fn);

/* Flattens OpenAI/Anthropic message content (string, null, or an array of parts) into b. */
int llm_content_text(struct lbuf *b, const cJSON *content);

#endif
