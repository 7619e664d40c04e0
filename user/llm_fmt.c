// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * llm_fmt.c - an LLM call as event payloads: the context_snapshot and llm_response JSON objects
 * and the one-line text form. Cold output (one per API call), so cJSON builds the objects.
 */
#include <stdlib.h>
#include <string.h>

#include "llm_priv.h"
#include "sbuf.h"

#define ERROR_TEXT_MAX 80 /* characters of an error message on the text line */

static const char *api_name(enum llm_api api)
{
	switch (api) {
	case LLM_OPENAI_CHAT:
		return "openai.chat";
	case LLM_OPENAI_RESPONSES:
		return "openai.responses";
	case LLM_ANTHROPIC:
		return "anthropic.messages";
	case LLM_GEMINI:
		return "gemini.generate";
	default:
		return "unknown";
	}
}

/* A string member, or null for NULL; false on allocation failure. */
static bool add_str(cJSON *obj, const char *key, const char *s)
{
	return s ? cJSON_AddStringToObject(obj, key, s) != NULL
		 : cJSON_AddNullToObject(obj, key) != NULL;
}

static bool add_num(cJSON *obj, const char *key, double v)
{
	return cJSON_AddNumberToObject(obj, key, v) != NULL;
}

static bool add_calls(cJSON *obj, const struct llm_tool_call *v, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, "tool_calls"), *c;

	if (!arr)
		return false;
	for (size_t i = 0; i < n; i++) {
		c = cJSON_CreateObject();
		if (!c || !cJSON_AddItemToArray(arr, c)) {
			cJSON_Delete(c);
			return false;
		}
		if (!add_str(c, "id", v[i].id) || !add_str(c, "name", v[i].name) ||
		    !add_str(c, "arguments", v[i].arguments ? v[i].arguments : ""))
			return false;
	}
	return true;
}

static bool add_msg(cJSON *arr, const struct llm_msg *m)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return false;
	}
	if (!add_str(o, "role", m->role ? m->role : "") ||
	    !add_str(o, "content", m->content ? m->content : ""))
		return false;
	if (m->tool_call_id && !add_str(o, "tool_call_id", m->tool_call_id))
		return false;
	return !m->ntool_calls || add_calls(o, m->tool_calls, m->ntool_calls);
}

cJSON *llm_context_json(const struct llm_request *req)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	if (!o || !req)
		goto fail;
	if (!add_str(o, "api", api_name(req->api)) || !add_str(o, "model", req->model) ||
	    !add_str(o, "system_prompt", req->system_prompt))
		goto fail;
	if (!(arr = cJSON_AddArrayToObject(o, "messages")))
		goto fail;
	for (size_t i = 0; i < req->nmsgs; i++)
		if (!add_msg(arr, &req->msgs[i]))
			goto fail;
	if (!(arr = cJSON_AddArrayToObject(o, "tools")))
		goto fail;
	for (size_t i = 0; i < req->ntools; i++) {
		cJSON *s = cJSON_CreateString(req->tools[i]);

		if (!s || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			goto fail;
		}
	}
	if (!add_num(o, "message_count", (double)req->nmsgs) ||
	    !add_num(o, "request_bytes", (double)req->body_len))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static const char *model_of(const struct llm_request *req, const struct llm_response *resp)
{
	if (resp && resp->model)
		return resp->model;
	return req ? req->model : NULL;
}

/* req may be NULL (a response whose request could not be parsed). */
cJSON *llm_response_json(const struct llm_request *req, const struct llm_response *resp,
			 uint64_t latency_ns, int64_t ttft_ns)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !resp)
		goto fail;
	if (!add_str(o, "api", api_name(resp->api)) || !add_str(o, "model", model_of(req, resp)) ||
	    !add_num(o, "request_tokens", (double)resp->request_tokens) ||
	    !add_num(o, "response_tokens", (double)resp->response_tokens) ||
	    !add_num(o, "total_tokens", (double)resp->total_tokens) ||
	    !add_num(o, "latency", (double)latency_ns) ||
	    !add_num(o, "ttft", ttft_ns >= 0 ? (double)ttft_ns : -1) ||
	    !add_num(o, "status", resp->status) ||
	    !add_str(o, "finish_reason", resp->finish_reason) ||
	    !cJSON_AddBoolToObject(o, "stream", resp->stream) ||
	    !add_str(o, "content", resp->content ? resp->content : "") ||
	    !add_calls(o, resp->tool_calls, resp->ntool_calls))
		goto fail;
	if (resp->error && !add_str(o, "error", resp->error))
		goto fail;
	if (!cJSON_AddBoolToObject(o, "complete", resp->complete))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/*
 * Server-supplied text on one line: control characters become spaces, at most max characters
 * (UTF-8 sequences counted as one and never split).
 */
static void put_line(struct sbuf *sb, const char *s, size_t max)
{
	size_t chars = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xc0) != 0x80 && chars++ == max)
			break;
		sb_putc(sb, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
}

static void put_tokens(struct sbuf *sb, long long v)
{
	if (v < 0)
		sb_putc(sb, '?');
	else
		sb_puti(sb, v);
}

static void put_ms(struct sbuf *sb, uint64_t ns)
{
	sb_putu(sb, (ns + 500000) / 1000000);
	sb_puts(sb, " ms");
}

/* A stream without a known first token still says " stream"; the ttft part needs one. */
size_t llm_text(char *buf, size_t n, const struct llm_request *req, const struct llm_response *resp,
		uint64_t latency_ns, int64_t ttft_ns)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	const char *model = model_of(req, resp);

	sb_puts(&sb, "LLM ");
	put_line(&sb, model ? model : "?", 200);
	sb_putc(&sb, ' ');
	put_tokens(&sb, resp ? resp->request_tokens : -1);
	sb_puts(&sb, "\xe2\x86\x92"); /* U+2192 RIGHTWARDS ARROW */
	put_tokens(&sb, resp ? resp->response_tokens : -1);
	sb_puts(&sb, " tokens ");
	put_ms(&sb, latency_ns);
	if (!resp)
		return sb_finish(&sb);
	sb_putc(&sb, ' ');
	sb_puti(&sb, resp->status);
	if (resp->ntool_calls) {
		sb_puts(&sb, " tool_calls=[");
		for (size_t i = 0; i < resp->ntool_calls; i++) {
			if (i)
				sb_putc(&sb, ',');
			put_line(&sb, resp->tool_calls[i].name ? resp->tool_calls[i].name : "?",
				 200);
		}
		sb_putc(&sb, ']');
	}
	if (resp->stream) {
		sb_puts(&sb, " stream");
		if (ttft_ns >= 0) {
			sb_puts(&sb, " ttft ");
			put_ms(&sb, (uint64_t)ttft_ns);
		}
	}
	if (resp->error) {
		sb_puts(&sb, " error: ");
		put_line(&sb, resp->error, ERROR_TEXT_MAX);
	}
	if (!resp->complete)
		sb_puts(&sb, " incomplete");
	return sb_finish(&sb);
}
