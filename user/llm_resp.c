// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * llm_resp.c - what an LLM API response says: model, text, tool calls, finish reason, token
 * usage, error; from a plain JSON body or assembled from a server-sent-event stream (which may
 * have been cut anywhere), and where in the stream the first token arrived. Four APIs: OpenAI
 * chat and responses, Anthropic messages, Gemini generateContent.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "llm_priv.h"

/* Token counts as the server reported them; -1 where it did not. */
struct usage {
	long long in, out, total;
	long long cache_write, cache_read; /* Anthropic only */
	long long thoughts;		   /* Gemini only */
};

/* A tool call being assembled from stream events, found again by its index or item id. */
struct acc_call {
	long long key; /* chat: delta index; responses: output_index; Anthropic: block index */
	char *item_id; /* responses: the output item's id, which argument deltas name */
	char *id;
	char *name;
	struct lbuf args;
	char *input; /* Anthropic: content_block_start's input, for a tool that streams none */
};

struct resp_acc {
	enum llm_api api;
	struct llm_response *out;
	struct lbuf content;
	long long text_key; /* the text part deltas last went to: parts are joined with "\n" */
	struct acc_call *calls;
	size_t ncalls;
	struct usage u;
	size_t events;	 /* events whose data was JSON */
	size_t ev_start; /* body offset of the event being handled */
};

static void usage_init(struct usage *u)
{
	u->in = u->out = u->total = u->cache_write = u->cache_read = u->thoughts = -1;
}

/* Only the fields present overwrite: Anthropic spreads usage over message_start and _delta. */
static void usage_take(struct usage *u, enum llm_api api, const cJSON *usage)
{
	long long v;

	if (!cJSON_IsObject(usage))
		return;
	if (api == LLM_GEMINI) {
		if ((v = llm_jcount(usage, "promptTokenCount")) >= 0)
			u->in = v;
		if ((v = llm_jcount(usage, "candidatesTokenCount")) >= 0)
			u->out = v;
		if ((v = llm_jcount(usage, "thoughtsTokenCount")) >= 0)
			u->thoughts = v;
		if ((v = llm_jcount(usage, "totalTokenCount")) >= 0)
			u->total = v;
		return;
	}
	if (api == LLM_OPENAI_CHAT) {
		if ((v = llm_jcount(usage, "prompt_tokens")) >= 0)
			u->in = v;
		if ((v = llm_jcount(usage, "completion_tokens")) >= 0)
			u->out = v;
	} else {
		if ((v = llm_jcount(usage, "input_tokens")) >= 0)
			u->in = v;
		if ((v = llm_jcount(usage, "output_tokens")) >= 0)
			u->out = v;
	}
	if ((v = llm_jcount(usage, "total_tokens")) >= 0)
		u->total = v;
	if (api != LLM_ANTHROPIC)
		return;
	if ((v = llm_jcount(usage, "cache_creation_input_tokens")) >= 0)
		u->cache_write = v;
	if ((v = llm_jcount(usage, "cache_read_input_tokens")) >= 0)
		u->cache_read = v;
}

/*
 * Anthropic's input_tokens leaves out the prompt tokens written to or read from the cache, while
 * OpenAI's prompt/input tokens include cached ones; adding the two cache counts makes
 * request_tokens mean "the whole prompt" for every API.
 */
static void usage_put(const struct usage *u, struct llm_response *out)
{
	long long in = u->in, resp = u->out;

	if (in >= 0 && u->cache_write > 0)
		in += u->cache_write;
	if (in >= 0 && u->cache_read > 0)
		in += u->cache_read;
	/*
	 * Gemini counts a thinking model's reasoning apart from candidatesTokenCount, where
	 * OpenAI's output tokens include it: the sum is what the model generated (and is billed as
	 * output).
	 */
	if (u->thoughts > 0)
		resp = resp >= 0 ? resp + u->thoughts : u->thoughts;
	out->request_tokens = in;
	out->response_tokens = resp;
	if (u->total >= 0)
		out->total_tokens = u->total;
	else if (in >= 0 && resp >= 0)
		out->total_tokens = in + resp;
	else
		out->total_tokens = -1;
}

static int take_error(struct llm_response *out, const cJSON *obj)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(obj, "error");
	const char *msg = cJSON_IsString(e) ? e->valuestring : llm_jstr(e, "message");

	if (!msg && cJSON_IsObject(e))
		msg = llm_jstr(e, "type");
	return msg ? llm_set(&out->error, msg) : 0;
}

static int take_model(struct llm_response *out, const cJSON *obj)
{
	const char *m = llm_jstr(obj, "model");

	return m && *m ? llm_set(&out->model, m) : 0;
}

static int take_reason(struct llm_response *out, const char *reason)
{
	return reason ? llm_set(&out->finish_reason, reason) : 0;
}

static struct acc_call *call_find(struct resp_acc *a, long long key, const char *item_id)
{
	for (size_t i = 0; i < a->ncalls; i++)
		if ((key >= 0 && a->calls[i].key == key) ||
		    (item_id && a->calls[i].item_id && !strcmp(a->calls[i].item_id, item_id)))
			return &a->calls[i];
	return NULL;
}

/* The call at `key` (or with `item_id`), created if new; NULL on allocation failure. */
static struct acc_call *call_get(struct resp_acc *a, long long key, const char *item_id)
{
	struct acc_call *c = call_find(a, key, item_id), *p;

	if (c)
		return c;
	p = realloc(a->calls, (a->ncalls + 1) * sizeof(*p));
	if (!p)
		return NULL;
	a->calls = p;
	c = &p[a->ncalls++];
	memset(c, 0, sizeof(*c));
	c->key = key;
	if (item_id && !(c->item_id = strdup(item_id)))
		return NULL;
	return c;
}

static void calls_clear(struct resp_acc *a)
{
	for (size_t i = 0; i < a->ncalls; i++) {
		free(a->calls[i].item_id);
		free(a->calls[i].id);
		free(a->calls[i].name);
		free(a->calls[i].input);
		lbuf_release(&a->calls[i].args);
	}
	free(a->calls);
	a->calls = NULL;
	a->ncalls = 0;
}

/* Sets *dst from s if it is still unset: a name or id is sent once, later chunks repeat or omit it.
 */
static int set_once(char **dst, const char *s)
{
	if (*dst || !s || !*s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}

static void mark_token(struct resp_acc *a)
{
	if (a->out->first_token_off == SIZE_MAX)
		a->out->first_token_off = a->ev_start;
}

/* Appends streamed text of part `key`, a "\n" first when it starts a new part. */
static int text_add(struct resp_acc *a, long long key, const char *s)
{
	if (!s || !*s)
		return 0;
	mark_token(a);
	if (a->content.len && key != a->text_key && lbuf_adds(&a->content, "\n"))
		return -ENOMEM;
	a->text_key = key;
	return lbuf_adds(&a->content, s);
}

/*
 * choices[] entry 0: with n > 1 a stream chunk carries whichever choice it updates, so the
 * position says nothing and the "index" member decides.
 */
static const cJSON *first_choice(const cJSON *j)
{
	const cJSON *ch;

	cJSON_ArrayForEach(ch, llm_jarr(j, "choices")) if (llm_jcount(ch, "index") <= 0) return ch;
	return NULL;
}

/* Plain bodies. */

static int chat_json(struct resp_acc *a, const cJSON *j)
{
	const cJSON *ch = first_choice(j);
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(ch, "message"), *tc, *fn;
	struct llm_response *out = a->out;

	if (llm_content_text(&a->content, cJSON_GetObjectItemCaseSensitive(msg, "content")))
		return -ENOMEM;
	if (!a->content.len && llm_jstr(msg, "refusal") &&
	    lbuf_adds(&a->content, llm_jstr(msg, "refusal")))
		return -ENOMEM;
	cJSON_ArrayForEach(tc, llm_jarr(msg, "tool_calls"))
	{
		char *args;
		int err;

		fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
		args = llm_json_text(cJSON_GetObjectItemCaseSensitive(fn, "arguments"));
		if (!args)
			return -ENOMEM;
		err = llm_call_push(&out->tool_calls, &out->ntool_calls, llm_jstr(tc, "id"),
				    llm_jstr(fn, "name"), args);
		free(args);
		if (err)
			return err;
	}
	return take_reason(out, llm_jstr(ch, "finish_reason"));
}

/* Responses output[]: message items give text, function_call items tool calls. */
static int responses_output(struct resp_acc *a, const cJSON *output)
{
	struct llm_response *out = a->out;
	const cJSON *it, *part;

	cJSON_ArrayForEach(it, output)
	{
		const char *type = llm_jstr(it, "type");

		if (!type)
			continue;
		if (!strcmp(type, "message")) {
			cJSON_ArrayForEach(part, llm_jarr(it, "content"))
			{
				const char *pt = llm_jstr(part, "type"), *s = NULL;

				if (pt && !strcmp(pt, "output_text"))
					s = llm_jstr(part, "text");
				else if (pt && !strcmp(pt, "refusal"))
					s = llm_jstr(part, "refusal");
				if (s && *s && lbuf_join(&a->content, "\n", s))
					return -ENOMEM;
			}
		} else if (!strcmp(type, "function_call")) {
			char *args =
			    llm_json_text(cJSON_GetObjectItemCaseSensitive(it, "arguments"));
			int err;

			if (!args)
				return -ENOMEM;
			err = llm_call_push(&out->tool_calls, &out->ntool_calls,
					    llm_jstr(it, "call_id"), llm_jstr(it, "name"), args);
			free(args);
			if (err)
				return err;
		}
	}
	return 0;
}

/* A response object: the whole body, or the one response.completed/incomplete/failed carries. */
static int responses_obj(struct resp_acc *a, const cJSON *r, bool final_output)
{
	const cJSON *output = llm_jarr(r, "output");
	const char *status = llm_jstr(r, "status");
	int err;

	if ((err = take_model(a->out, r)))
		return err;
	usage_take(&a->u, LLM_OPENAI_RESPONSES, cJSON_GetObjectItemCaseSensitive(r, "usage"));
	if (status && !strcmp(status, "incomplete")) {
		const char *why =
		    llm_jstr(cJSON_GetObjectItemCaseSensitive(r, "incomplete_details"), "reason");

		err = take_reason(a->out, why ? why : status);
	} else if (status && strcmp(status, "in_progress") && strcmp(status, "queued")) {
		err = take_reason(a->out, status);
	}
	if (!err && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r, "error")))
		err = take_error(a->out, r);
	if (err || !final_output || !cJSON_GetArraySize(output))
		return err;
	/* the final output is authoritative over what the deltas assembled */
	lbuf_release(&a->content);
	calls_clear(a);
	llm_calls_free(a->out->tool_calls, a->out->ntool_calls);
	a->out->tool_calls = NULL;
	a->out->ntool_calls = 0;
	return responses_output(a, output);
}

static int anthropic_json(struct resp_acc *a, const cJSON *j)
{
	struct llm_response *out = a->out;
	const cJSON *blk;

	cJSON_ArrayForEach(blk, llm_jarr(j, "content"))
	{
		const char *type = llm_jstr(blk, "type");

		if (!type)
			continue;
		if (!strcmp(type, "text")) {
			const char *s = llm_jstr(blk, "text");

			if (s && *s && lbuf_join(&a->content, "\n", s))
				return -ENOMEM;
		} else if (!strcmp(type, "tool_use")) {
			char *args = llm_json_text(cJSON_GetObjectItemCaseSensitive(blk, "input"));
			int err;

			if (!args)
				return -ENOMEM;
			err = llm_call_push(&out->tool_calls, &out->ntool_calls,
					    llm_jstr(blk, "id"), llm_jstr(blk, "name"), args);
			free(args);
			if (err)
				return err;
		}
	}
	return take_reason(out, llm_jstr(j, "stop_reason"));
}

/*
 * One GenerateContentResponse: the whole body, or one event of a stream (each a whole response
 * object carrying that chunk's parts). Text parts concatenate, as the SDKs' .text does; every
 * functionCall part is a whole call (the API does not stream arguments); the usageMetadata of the
 * last chunk that has one is the final count.
 */
static int gemini_chunk(struct resp_acc *a, const cJSON *j)
{
	const cJSON *cand = NULL, *c, *part, *fn;
	const char *reason;
	char *args;
	int err;

	if ((err = take_error(a->out, j)))
		return err;
	/* Code Assist wraps each response: {"response": {...}, "traceId"} */
	c = cJSON_GetObjectItemCaseSensitive(j, "response");
	if (cJSON_IsObject(c) && !cJSON_GetObjectItemCaseSensitive(j, "candidates"))
		j = c;
	if (llm_jstr(j, "modelVersion") && *llm_jstr(j, "modelVersion") &&
	    (err = llm_set(&a->out->model, llm_jstr(j, "modelVersion"))))
		return err;
	usage_take(&a->u, LLM_GEMINI, cJSON_GetObjectItemCaseSensitive(j, "usageMetadata"));
	cJSON_ArrayForEach(c, llm_jarr(j, "candidates"))
	{
		if (llm_jcount(c, "index") <= 0) {
			cand = c;
			break;
		}
	}
	cJSON_ArrayForEach(part,
			   llm_jarr(cJSON_GetObjectItemCaseSensitive(cand, "content"), "parts"))
	{
		if ((err = text_add(a, 0, llm_gem_text(part))))
			return err;
		fn = cJSON_GetObjectItemCaseSensitive(part, "functionCall");
		if (!cJSON_IsObject(fn))
			continue;
		args = llm_json_text(cJSON_GetObjectItemCaseSensitive(fn, "args"));
		if (!args)
			return -ENOMEM;
		mark_token(a);
		err = llm_call_push(&a->out->tool_calls, &a->out->ntool_calls, llm_gem_call_id(fn),
				    llm_jstr(fn, "name"), args);
		free(args);
		if (err)
			return err;
	}
	reason = llm_jstr(cand, "finishReason");
	/* a prompt blocked by the safety filters has no candidate, only promptFeedback */
	if (!reason && !cand)
		reason =
		    llm_jstr(cJSON_GetObjectItemCaseSensitive(j, "promptFeedback"), "blockReason");
	return take_reason(a->out, reason);
}

static int body_json(struct resp_acc *a, const cJSON *j)
{
	int err;

	if ((err = take_error(a->out, j)))
		return err;
	if (a->out->error)
		return 0;
	if (a->api == LLM_GEMINI)
		return gemini_chunk(a, j);
	if ((err = take_model(a->out, j)))
		return err;
	usage_take(&a->u, a->api, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	switch (a->api) {
	case LLM_OPENAI_CHAT:
		return chat_json(a, j);
	case LLM_OPENAI_RESPONSES:
		return responses_obj(a, j, true);
	case LLM_ANTHROPIC:
		return anthropic_json(a, j);
	default:
		return 0;
	}
}

/* Stream events; each returns 0, 1 when the stream is over, or -ENOMEM. */

static int chat_event(struct resp_acc *a, const cJSON *j)
{
	const cJSON *ch = first_choice(j);
	const cJSON *delta = cJSON_GetObjectItemCaseSensitive(ch, "delta"), *tc;
	int err, pos = 0;

	if ((err = take_error(a->out, j)) || (err = take_model(a->out, j)))
		return err;
	usage_take(&a->u, LLM_OPENAI_CHAT, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	if ((err = text_add(a, 0, llm_jstr(delta, "content"))))
		return err;
	cJSON_ArrayForEach(tc, llm_jarr(delta, "tool_calls"))
	{
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
		const char *name = llm_jstr(fn, "name"), *args = llm_jstr(fn, "arguments");
		long long key = llm_jcount(tc, "index");
		/* some servers omit the index when there is one call per chunk: position decides */
		struct acc_call *c = call_get(a, key >= 0 ? key : pos, NULL);

		pos++;
		if (!c || set_once(&c->id, llm_jstr(tc, "id")) || set_once(&c->name, name) ||
		    (args && lbuf_adds(&c->args, args)))
			return -ENOMEM;
		if ((name && *name) || (args && *args))
			mark_token(a);
	}
	return take_reason(a->out, llm_jstr(ch, "finish_reason"));
}

static int responses_event(struct resp_acc *a, const cJSON *j)
{
	const char *type = llm_jstr(j, "type");
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(j, "item");
	long long key = llm_jcount(j, "output_index");
	struct acc_call *c;

	if (!type)
		return 0;
	if (!strcmp(type, "response.output_text.delta") ||
	    !strcmp(type, "response.refusal.delta")) {
		long long ci = llm_jcount(j, "content_index");

		/* one text part per (output item, content part) */
		key = key * 1024 + (ci >= 0 ? ci % 1024 : 0);
		return text_add(a, key, llm_jstr(j, "delta"));
	}
	if (!strcmp(type, "response.output_item.added") ||
	    !strcmp(type, "response.output_item.done")) {
		const char *it = llm_jstr(item, "type"), *name = llm_jstr(item, "name");
		const char *args = llm_jstr(item, "arguments");

		if (!it || strcmp(it, "function_call"))
			return 0;
		c = call_get(a, key, llm_jstr(item, "id"));
		if (!c || set_once(&c->id, llm_jstr(item, "call_id")) || set_once(&c->name, name))
			return -ENOMEM;
		if (name && *name)
			mark_token(a);
		/* .done carries the whole arguments: they replace the deltas */
		if (args && *args && !strcmp(type, "response.output_item.done")) {
			c->args.len = 0;
			if (lbuf_adds(&c->args, args))
				return -ENOMEM;
		}
		return 0;
	}
	if (!strcmp(type, "response.function_call_arguments.delta")) {
		const char *d = llm_jstr(j, "delta");

		c = call_get(a, key, llm_jstr(j, "item_id"));
		if (!c || (d && lbuf_adds(&c->args, d)))
			return -ENOMEM;
		if (d && *d)
			mark_token(a);
		return 0;
	}
	if (!strcmp(type, "response.created") || !strcmp(type, "response.in_progress"))
		return responses_obj(a, cJSON_GetObjectItemCaseSensitive(j, "response"), false);
	if (!strcmp(type, "response.completed") || !strcmp(type, "response.incomplete") ||
	    !strcmp(type, "response.failed")) {
		int err = responses_obj(a, cJSON_GetObjectItemCaseSensitive(j, "response"), true);

		return err ? err : 1;
	}
	if (!strcmp(type, "error")) /* {"type":"error","message":..} or {.., "error":{..}} */
		return llm_jstr(j, "message") ? llm_set(&a->out->error, llm_jstr(j, "message"))
					      : take_error(a->out, j);
	return 0;
}

static int anthropic_event(struct resp_acc *a, const cJSON *j)
{
	const char *type = llm_jstr(j, "type");
	long long key = llm_jcount(j, "index");
	const cJSON *blk, *d, *msg;
	struct acc_call *c;
	int err;

	if (!type)
		return 0;
	if (!strcmp(type, "message_start")) {
		msg = cJSON_GetObjectItemCaseSensitive(j, "message");
		usage_take(&a->u, LLM_ANTHROPIC, cJSON_GetObjectItemCaseSensitive(msg, "usage"));
		return take_model(a->out, msg);
	}
	if (!strcmp(type, "content_block_start")) {
		const char *bt;

		blk = cJSON_GetObjectItemCaseSensitive(j, "content_block");
		bt = llm_jstr(blk, "type");
		if (bt && !strcmp(bt, "text"))
			return text_add(a, key, llm_jstr(blk, "text"));
		if (!bt || strcmp(bt, "tool_use"))
			return 0;
		c = call_get(a, key, NULL);
		if (!c || set_once(&c->id, llm_jstr(blk, "id")) ||
		    set_once(&c->name, llm_jstr(blk, "name")))
			return -ENOMEM;
		if (!c->input && cJSON_GetObjectItemCaseSensitive(blk, "input") &&
		    !(c->input = llm_json_text(cJSON_GetObjectItemCaseSensitive(blk, "input"))))
			return -ENOMEM;
		if (c->name)
			mark_token(a);
		return 0;
	}
	if (!strcmp(type, "content_block_delta")) {
		const char *dt, *s;

		d = cJSON_GetObjectItemCaseSensitive(j, "delta");
		dt = llm_jstr(d, "type");
		if (dt && !strcmp(dt, "text_delta"))
			return text_add(a, key, llm_jstr(d, "text"));
		if (!dt || strcmp(dt, "input_json_delta") || !(s = llm_jstr(d, "partial_json")))
			return 0;
		c = call_get(a, key, NULL);
		if (!c || lbuf_adds(&c->args, s))
			return -ENOMEM;
		if (*s)
			mark_token(a);
		return 0;
	}
	if (!strcmp(type, "message_delta")) {
		d = cJSON_GetObjectItemCaseSensitive(j, "delta");
		usage_take(&a->u, LLM_ANTHROPIC, cJSON_GetObjectItemCaseSensitive(j, "usage"));
		return take_reason(a->out, llm_jstr(d, "stop_reason"));
	}
	if (!strcmp(type, "message_stop"))
		return 1;
	if (!strcmp(type, "error") && (err = take_error(a->out, j)))
		return err;
	return 0;
}

static int sse_dispatch(struct resp_acc *a, const char *data, size_t len)
{
	cJSON *j;
	int ret;

	if (len == 6 && !memcmp(data, "[DONE]", 6))
		return 1;
	j = cJSON_ParseWithLength(data, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return 0; /* a keep-alive, or an event the cut left half-sent */
	}
	a->events++;
	switch (a->api) {
	case LLM_OPENAI_CHAT:
		ret = chat_event(a, j);
		break;
	case LLM_OPENAI_RESPONSES:
		ret = responses_event(a, j);
		break;
	case LLM_ANTHROPIC:
		ret = anthropic_event(a, j);
		break;
	case LLM_GEMINI:
		/* no end marker: the stream ends with the HTTP message, as clients read it */
		ret = gemini_chunk(a, j);
		break;
	default:
		ret = take_error(a->out, j);
		break;
	}
	cJSON_Delete(j);
	return ret;
}

/*
 * Server-sent events (WHATWG): lines end in CRLF, LF or CR; "data:" lines of one event join with
 * "\n"; a blank line dispatches; ":" lines are comments. The event name is not needed, the
 * data's own "type" says the same. An unterminated last event is dispatched too: a cut stream
 * keeps what arrived, and a half-sent event fails to parse as JSON and is dropped.
 */
static int sse_parse(struct resp_acc *a, const char *s, size_t len)
{
	struct lbuf data = {0};
	size_t i = 0, start = SIZE_MAX;
	bool have = false;
	int ret = 0;

	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		i = 3;
	while (i <= len && !ret) {
		size_t eol = i, next, vs;

		while (eol < len && s[eol] != '\n' && s[eol] != '\r')
			eol++;
		next = eol + 1;
		if (eol + 1 < len && s[eol] == '\r' && s[eol + 1] == '\n')
			next++;
		if (eol == i) { /* blank line, or the end of the body */
			a->ev_start = start;
			if (have)
				ret = sse_dispatch(a, data.s, data.len);
			start = SIZE_MAX;
			have = false;
			data.len = 0;
			if (data.s)
				data.s[0] = '\0';
			i = next;
			continue;
		}
		if (s[i] != ':') {
			if (start == SIZE_MAX)
				start = i;
			vs = i;
			while (vs < eol && s[vs] != ':')
				vs++;
			if (vs - i == 4 && !memcmp(s + i, "data", 4)) {
				vs += vs < eol; /* the colon */
				vs += vs < eol && s[vs] == ' ';
				if ((have && lbuf_add(&data, "\n", 1)) ||
				    lbuf_add(&data, s + vs, eol - vs))
					ret = -ENOMEM;
				have = true;
			}
		}
		i = next;
	}
	lbuf_release(&data);
	return ret < 0 ? ret : 0;
}

/*
 * The body decides first: an SSE field or comment opens a stream, a '{' a JSON body even under
 * a text/event-stream header (gateways answer errors that way); else the header decides.
 */
static bool is_sse(const struct http_msg *resp)
{
	const char *ct = http_header_get(resp, "content-type");
	const char *b = (const char *)resp->body;
	size_t i = 0, n;

	while (b && i < resp->body_len && b[i] && strchr(" \t\r\n", b[i]))
		i++;
	n = b ? resp->body_len - i : 0;
	if ((n >= 5 && !memcmp(b + i, "data:", 5)) || (n >= 6 && !memcmp(b + i, "event:", 6)) ||
	    (n >= 1 && b[i] == ':'))
		return true;
	if (n >= 1 && b[i] == '{')
		return false;
	return ct && strcasestr(ct, "text/event-stream");
}

/* Stream tool calls become the response's, in the order they were opened. */
static int calls_put(struct resp_acc *a)
{
	struct llm_response *out = a->out;

	for (size_t i = 0; i < a->ncalls; i++) {
		struct acc_call *c = &a->calls[i];
		const char *args = c->args.len ? c->args.s : c->input;

		if (llm_call_push(&out->tool_calls, &out->ntool_calls, c->id, c->name, args))
			return -ENOMEM;
	}
	return 0;
}

/*
 * The caller releases `out` whatever this returns. -EINVAL only for a 2xx response whose body
 * is not the JSON (or the stream of JSON events) its API sends; an error status with such a body
 * is still a result: status set, error NULL. Non-streamed bodies have no first token offset.
 */
int llm_response_parse(enum llm_api api, const struct http_msg *resp, struct llm_response *out)
{
	struct resp_acc a = {.api = api, .out = out, .text_key = -1};
	const char *body = (const char *)resp->body;
	bool ok_status = resp->status >= 200 && resp->status < 300;
	cJSON *j = NULL;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->api = api;
	out->status = resp->status;
	out->complete = resp->complete;
	out->first_token_off = SIZE_MAX;
	usage_init(&a.u);
	out->stream = is_sse(resp);
	if (out->stream) {
		err = body ? sse_parse(&a, body, resp->body_len) : 0;
		if (!err && !a.events && ok_status)
			err = -EINVAL;
		if (!err)
			err = calls_put(&a);
	} else {
		j = body ? cJSON_ParseWithLength(body, resp->body_len) : NULL;
		if (cJSON_IsObject(j)) {
			err = body_json(&a, j);
		} else if (api == LLM_GEMINI && cJSON_IsArray(j)) {
			/* :streamGenerateContent without alt=sse: one JSON array of the chunks */
			const cJSON *c;

			cJSON_ArrayForEach(c, j)
			{
				if (!err && cJSON_IsObject(c))
					err = gemini_chunk(&a, c);
			}
		} else if (ok_status) {
			err = -EINVAL;
		}
		out->first_token_off = SIZE_MAX; /* Gemini's chunks marked one: not a stream here */
	}
	usage_put(&a.u, out);
	out->content = lbuf_take(&a.content);
	if (!out->content && !err)
		err = -ENOMEM;
	calls_clear(&a);
	cJSON_Delete(j);
	return err;
}

void llm_response_release(struct llm_response *r)
{
	if (!r)
		return;
	free(r->model);
	free(r->finish_reason);
	free(r->content);
	llm_calls_free(r->tool_calls, r->ntool_calls);
	free(r->error);
	memset(r, 0, sizeof(*r));
}
