// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_llm.c - libFuzzer harness for the body-level LLM layer (llm.c, llm_resp.c, llm_fmt.c; all
 * four APIs) and the redactor (redact.c), without the HTTP parsers in front of them.
 *
 * Input: one config byte, then up to three parts separated by "\n@@\n": the request body, the
 * response body and the response's Content-Type (absent: no header).
 *   config  bits 0-1: API (none, chat, responses, anthropic: the request path and the API the
 *           response is parsed as; none with bit 7 is gemini)   bits 2-4: HTTP status
 *           bit 5: the response is complete   bit 6: GET instead of POST
 *           bit 7: the path carries a gateway prefix and a query (Gemini: /v1beta/models/...)
 *   The last input byte also sizes the text line's buffer and redact_secrets_cut()'s slack.
 *
 * Checked: return values are the documented ones; a failed request keeps no members; token counts
 * are -1 or more; a first-token offset lies inside the body of a stream; the text line is
 * NUL-terminated at the snprintf-contract length and is one line; no string or JSON payload
 * leaving the layer holds anything redact_secrets() would change, no text line an sk- key
 * (fuzz_check.h). The redactor, on every part and
 * on the whole input: redact_needed() is exactly "redact_secrets() changes the text", the result
 * is never longer and is a fixed point; the same for the _cut variants, whose writes stay within
 * cap (the buffers are exactly cap bytes, so ASan sees any overrun).
 *
 *   make fuzz FUZZ_TIME=300        (builds .output/fuzz/fuzz_llm, corpus tests/fuzz/corpus-llm)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz_check.h"
#include "http.h"
#include "llm.h"
#include "redact.h"

#define SEP	"\n@@\n"
#define SEP_LEN 4

/* API 0 with the gateway bit is Gemini: two bits have no fifth value, "none" needs no gateway */
static const char *const paths[4][2] = {
    {"/v1/models", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"},
    {"/v1/chat/completions", "/openai/deployments/x/chat/completions?api-version=1"},
    {"/v1/responses", "/api/v1/responses?x=y"},
    {"/v1/messages", "/anthropic/v1/messages?beta=true"},
};
static const int statuses[8] = {200, 200, 201, 400, 401, 429, 500, 0};

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_redact(const uint8_t *in, size_t len, size_t slack)
{
	char *s = malloc(len ? len : 1);
	char *c = malloc(len + slack ? len + slack : 1);
	bool needed = redact_needed((const char *)in, len);
	bool needed_cut = redact_needed_cut((const char *)in, len);
	size_t n;

	CHECK(s && c);
	if (len)
		memcpy(s, in, len);
	n = redact_secrets(s, len);
	CHECK(n <= len);
	CHECK(needed == (n != len || memcmp(s, in, n)));
	CHECK(!redact_needed(s, n));
	CHECK(redact_secrets(s, n) == n);

	if (len)
		memcpy(c, in, len);
	n = redact_secrets_cut(c, len, len + slack);
	CHECK(n <= len + slack);
	CHECK(needed_cut == (n != len || memcmp(c, in, n)));
	CHECK(!redact_needed_cut(c, n));
	free(c);
	free(s);
}

static unsigned char *body_dup(const uint8_t *p, size_t len)
{
	unsigned char *b = malloc(len + 1);

	CHECK(b);
	memcpy(b, p, len);
	b[len] = '\0'; /* http.h: bodies are NUL-terminated */
	return b;
}

static void check_calls(const struct llm_tool_call *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		CHECK(v[i].arguments);
		CHECK(fc_clean_str(v[i].id) && fc_clean_str(v[i].name) &&
		      fc_clean_str(v[i].arguments));
	}
}

static void check_request(const struct llm_request *r, int err)
{
	CHECK(err == 0 || err == -ENOENT || err == -EINVAL);
	if (err) {
		CHECK(!r->model && !r->system_prompt && !r->msgs && !r->nmsgs && !r->tools &&
		      !r->ntools);
		return;
	}
	CHECK(fc_clean_str(r->model) && fc_clean_str(r->system_prompt));
	for (size_t i = 0; i < r->nmsgs; i++) {
		const struct llm_msg *m = &r->msgs[i];

		CHECK(m->role && m->content);
		CHECK(fc_clean_str(m->role) && fc_clean_str(m->content) &&
		      fc_clean_str(m->tool_call_id));
		check_calls(m->tool_calls, m->ntool_calls);
	}
	for (size_t i = 0; i < r->ntools; i++)
		CHECK(r->tools[i] && fc_clean_str(r->tools[i]));
}

static void check_response(const struct llm_response *r, const struct http_msg *m, int err)
{
	CHECK(err == 0 || err == -EINVAL);
	CHECK(!err || (m->status >= 200 && m->status < 300));
	CHECK(r->status == m->status && r->complete == m->complete);
	CHECK(r->content && fc_clean_str(r->content));
	CHECK(fc_clean_str(r->model) && fc_clean_str(r->finish_reason) && fc_clean_str(r->error));
	check_calls(r->tool_calls, r->ntool_calls);
	CHECK(r->request_tokens >= -1 && r->response_tokens >= -1 && r->total_tokens >= -1);
	CHECK(r->first_token_off == SIZE_MAX || (r->stream && r->first_token_off <= m->body_len));
}

static void check_json(cJSON *o)
{
	char *s;
	cJSON *back;

	if (!o)
		return;
	CHECK(fc_json_clean(o));
	s = cJSON_PrintUnformatted(o);
	CHECK(s);
	back = cJSON_Parse(s);
	CHECK(cJSON_IsObject(back));
	cJSON_Delete(back);
	free(s);
	cJSON_Delete(o);
}

static void check_text(const struct llm_request *req, const struct llm_response *resp, size_t cap,
		       uint64_t lat, int64_t ttft)
{
	size_t want = llm_text(NULL, 0, req, resp, lat, ttft);
	char *buf = malloc(cap);
	size_t n, len;

	CHECK(buf);
	n = llm_text(buf, cap, req, resp, lat, ttft);
	CHECK(n == want);
	len = strlen(buf);
	CHECK(len == (n < cap ? n : cap - 1));
	CHECK(!memchr(buf, '\n', len) && !memchr(buf, '\r', len));
	CHECK(!fc_has_key(buf, len));
	free(buf);
}

/* The next part of in[*pos..size) up to SEP; false once none is left. */
static bool next_part(const uint8_t *in, size_t size, size_t *pos, const uint8_t **p, size_t *n)
{
	const uint8_t *sep;

	if (*pos > size)
		return false;
	*p = in + *pos;
	sep = memmem(*p, size - *pos, SEP, SEP_LEN);
	*n = sep ? (size_t)(sep - *p) : size - *pos;
	*pos += *n + (sep ? SEP_LEN : 1);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[3] = {NULL, NULL, NULL};
	size_t plen[3] = {0, 0, 0}, pos = 1, nparts = 0;
	struct http_msg req = {0}, resp = {0};
	struct llm_request lreq;
	struct llm_response lresp;
	struct http_header ct;
	enum llm_api api;
	size_t slack, cap;
	uint8_t cfg;
	int err;

	if (size < 1)
		return 0;
	cfg = data[0];
	api = (enum llm_api)(cfg & 3);
	if (api == LLM_NONE && (cfg & 128))
		api = LLM_GEMINI;
	slack = data[size - 1] % 24;
	cap = 1 + data[size - 1] % 160;
	while (nparts < 3 && next_part(data, size, &pos, &part[nparts], &plen[nparts]))
		nparts++;

	check_redact(data + 1, size - 1, slack);
	for (size_t i = 0; i < nparts; i++)
		check_redact(part[i], plen[i], slack);

	req.is_request = true;
	req.version = 11;
	strcpy(req.method, cfg & 64 ? "GET" : "POST");
	req.path = strdup(paths[cfg & 3][cfg >> 7]);
	CHECK(req.path);
	req.body = body_dup(part[0], plen[0]);
	req.body_len = req.wire_len = plen[0];
	req.complete = true;
	req.ts_start = 1000;
	req.ts_end = 2000;

	resp.version = 11;
	resp.status = statuses[(cfg >> 2) & 7];
	resp.complete = cfg & 32;
	if (nparts > 1)
		resp.body = body_dup(part[1], plen[1]);
	resp.body_len = resp.wire_len = nparts > 1 ? plen[1] : 0;
	resp.ts_start = 3000;
	resp.ts_end = 5000000;
	if (nparts > 2) {
		ct.name = "content-type";
		ct.value = (char *)body_dup(part[2], plen[2]);
		resp.hdrs = &ct;
		resp.nhdrs = 1;
	}

	err = llm_request_parse(&req, &lreq);
	CHECK(lreq.api == llm_api_of(req.method, req.path));
	CHECK(err != -ENOENT || lreq.api == LLM_NONE);
	check_request(&lreq, err);
	if (!err)
		check_json(llm_context_json(&lreq));
	check_text(&lreq, NULL, cap, 0, -1);

	err = llm_response_parse(api, &resp, &lresp);
	check_response(&lresp, &resp, err);
	check_json(llm_response_json(&lreq, &lresp, resp.ts_end - req.ts_end,
				     lresp.first_token_off == SIZE_MAX ? -1 : 1000));
	check_text(&lreq, &lresp, cap, resp.ts_end - req.ts_end,
		   lresp.first_token_off == SIZE_MAX ? -1 : 1000);

	llm_request_release(&lreq);
	llm_request_release(&lreq);
	llm_response_release(&lresp);
	llm_response_release(&lresp);
	llm_request_release(NULL);
	llm_response_release(NULL);
	if (nparts > 2)
		free(ct.value);
	free(resp.body);
	free(req.body);
	free(req.path);
	return 0;
}
