// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * llm.c - which requests are LLM API calls, and the conversation a request carries: system
 * prompt, messages (tool calls and tool results included) and tool names, for all four APIs.
 * Also the small string and JSON helpers the other llm*.c files share (llm_priv.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "llm_priv.h"
#include "redact.h"

int lbuf_add(struct lbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p)
			return -ENOMEM;
		b->s = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int lbuf_adds(struct lbuf *b, const char *s)
{
	return lbuf_add(b, s, strlen(s));
}

int lbuf_join(struct lbuf *b, const char *sep, const char *s)
{
	if (b->len && lbuf_adds(b, sep))
		return -ENOMEM;
	return lbuf_adds(b, s);
}

/*
 * Redaction happens here, on the assembled text, and not on the pieces: a key can arrive split
 * across two stream deltas and only the joined text shows its whole shape.
 */
char *lbuf_take(struct lbuf *b)
{
	char *s = b->s;

	if (!s)
		return strdup("");
	redact_secrets(s, b->len);
	memset(b, 0, sizeof(*b));
	return s;
}

void lbuf_release(struct lbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

char *llm_strdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (d)
		redact_secrets(d, strlen(d));
	return d;
}

int llm_set(char **dst, const char *s)
{
	char *d = llm_strdup(s);

	if (s && !d)
		return -ENOMEM;
	free(*dst);
	*dst = d;
	return 0;
}

const char *llm_jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *llm_jarr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsArray(v) ? v : NULL;
}

char *llm_json_text(const cJSON *v)
{
	char *s;

	if (!v || cJSON_IsNull(v))
		return strdup("");
	if (cJSON_IsString(v))
		return llm_strdup(v->valuestring);
	s = cJSON_PrintUnformatted(v);
	if (s)
		redact_secrets(s, strlen(s));
	return s;
}

long long llm_jcount(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	/* a negative, fractional-garbage or absurd count is as good as none */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 1e15))
		return -1;
	return (long long)v->valuedouble;
}

int llm_call_push(struct llm_tool_call **v, size_t *n, const char *id, const char *name,
		  const char *args)
{
	struct llm_tool_call *p, *c;

	p = realloc(*v, (*n + 1) * sizeof(**v));
	if (!p)
		return -ENOMEM;
	*v = p;
	c = &p[*n];
	memset(c, 0, sizeof(*c));
	c->id = llm_strdup(id);
	c->name = llm_strdup(name);
	c->arguments = llm_strdup(args ? args : "");
	(*n)++;
	if ((id && !c->id) || (name && !c->name) || !c->arguments)
		return -ENOMEM; /* counted above, so the caller's free reaches it */
	return 0;
}

void llm_calls_free(struct llm_tool_call *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].name);
		free(v[i].arguments);
	}
	free(v);
}

static const char *part_text(const cJSON *part)
{
	const char *type, *s;

	if (cJSON_IsString(part))
		return part->valuestring;
	type = llm_jstr(part, "type");
	if (!type)
		return (s = llm_jstr(part, "text")) ? s : NULL;
	if (!strcmp(type, "text") || !strcmp(type, "input_text") || !strcmp(type, "output_text"))
		return llm_jstr(part, "text");
	if (!strcmp(type, "refusal"))
		return llm_jstr(part, "refusal");
	if (!strcmp(type, "image_url") || !strcmp(type, "image") || !strcmp(type, "input_image"))
		return "[image]";
	if (!strcmp(type, "input_audio") || !strcmp(type, "audio"))
		return "[audio]";
	if (!strcmp(type, "file") || !strcmp(type, "input_file"))
		return "[file]";
	if (!strcmp(type, "document"))
		return "[document]";
	return NULL; /* tool_use, thinking, ...: not text, or handled by the caller */
}

/* Parts that carry no text (an empty string, an unknown type) add no empty line. */
int llm_content_text(struct lbuf *b, const cJSON *content)
{
	const cJSON *part;
	const char *s;

	if (cJSON_IsString(content))
		return lbuf_adds(b, content->valuestring);
	if (!cJSON_IsArray(content))
		return 0;
	cJSON_ArrayForEach(part, content)
	{
		s = part_text(part);
		if (s && *s && lbuf_join(b, "\n", s))
			return -ENOMEM;
	}
	return 0;
}

const cJSON *llm_gem_get(const cJSON *obj, const char *camel, const char *snake)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, camel);

	return v ? v : cJSON_GetObjectItemCaseSensitive(obj, snake);
}

const char *llm_gem_text(const cJSON *part)
{
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(part, "thought")))
		return NULL;
	return llm_jstr(part, "text");
}

/*
 * Not functionCall.id / functionResponse.id: the API sends none, and where a request carries them
 * the client made them up (gemini-cli numbers its calls, "read_file_1796195775864_0"), so the id
 * of a response's call would never equal the id of the next request's result. The name pairs
 * them (llm.h).
 */
const char *llm_gem_call_id(const cJSON *fn)
{
	return llm_jstr(fn, "name");
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/*
 * Gemini puts the model and the method in the last path segment, "models/MODEL:METHOD": true for
 * the two content-generating methods (countTokens, embedContent... are not LLM calls), with the
 * model's offset and length in *off and *n when off is not NULL. The prefix before "/models/" is
 * anything: /v1beta, /v1, Vertex's /v1/projects/P/locations/L/publishers/google. Also the Code
 * Assist API that gemini-cli calls when logged in with a Google account (/v1internal:METHOD at
 * cloudcode-pa.googleapis.com): no model in the path (*n is 0), it is in the body.
 */
static bool gemini_model_span(const char *path, size_t len, size_t *off, size_t *n)
{
	static const char *const methods[] = {":generateContent", ":streamGenerateContent"};
	size_t seg = len, colon;

	while (seg && path[seg - 1] != '/')
		seg--;
	for (colon = seg; colon < len && path[colon] != ':'; colon++)
		;
	if (colon == len)
		return false;
	if (colon - seg == 10 && !memcmp(path + seg, "v1internal", 10) && seg)
		seg = colon; /* Code Assist: an empty model */
	else if (colon == seg || seg < 8 || memcmp(path + seg - 8, "/models/", 8))
		return false;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (len - colon != strlen(methods[i]) ||
		    memcmp(path + colon, methods[i], len - colon))
			continue;
		if (off) {
			*off = seg;
			*n = colon - seg;
		}
		return true;
	}
	return false;
}

/*
 * Suffix matching covers the gateways (Azure's /openai/deployments/x/chat/completions,
 * OpenRouter's /api/v1/chat/completions); every suffix starts with '/', so it matches whole
 * path segments, and "/responses" as the last segment leaves out /responses/{id}/... calls.
 */
enum llm_api llm_api_of(const char *method, const char *path)
{
	size_t len;

	if (!method || !path || strcmp(method, "POST"))
		return LLM_NONE;
	len = strcspn(path, "?#");
	if (ends_with(path, len, "/chat/completions"))
		return LLM_OPENAI_CHAT;
	if (ends_with(path, len, "/responses"))
		return LLM_OPENAI_RESPONSES;
	if (ends_with(path, len, "/v1/messages"))
		return LLM_ANTHROPIC;
	if (gemini_model_span(path, len, NULL, NULL))
		return LLM_GEMINI;
	return LLM_NONE;
}

/* Request parsing: the state of one request being built. */
struct req_build {
	struct llm_request *out;
	struct lbuf system; /* the system prompt pieces, "\n\n" between them */
	size_t cap;	    /* of out->msgs */
	bool merge_calls;   /* responses: the last msg was made from function_call items */
};

/* Appends an empty message of `role` with content "" and returns it, or NULL on failure. */
static struct llm_msg *msg_new(struct req_build *rb, const char *role)
{
	struct llm_request *r = rb->out;
	struct llm_msg *m;

	rb->merge_calls = false;
	if (r->nmsgs == rb->cap) {
		size_t cap = rb->cap ? rb->cap * 2 : 8;
		struct llm_msg *p = realloc(r->msgs, cap * sizeof(*p));

		if (!p)
			return NULL;
		r->msgs = p;
		rb->cap = cap;
	}
	m = &r->msgs[r->nmsgs];
	memset(m, 0, sizeof(*m));
	r->nmsgs++;
	m->role = llm_strdup(role ? role : "");
	m->content = strdup("");
	if (!m->role || !m->content)
		return NULL;
	return m;
}

/* A message built from flattened content; NULL on allocation failure. */
static struct llm_msg *msg_add(struct req_build *rb, const char *role, const cJSON *content)
{
	struct lbuf b = {0};
	struct llm_msg *m;

	if (llm_content_text(&b, content) || !(m = msg_new(rb, role))) {
		lbuf_release(&b);
		return NULL;
	}
	free(m->content);
	m->content = lbuf_take(&b);
	return m->content ? m : NULL;
}

static bool is_system_role(const char *role)
{
	return role && (!strcmp(role, "system") || !strcmp(role, "developer"));
}

static int system_add(struct req_build *rb, const cJSON *content)
{
	struct lbuf b = {0};
	int err;

	err = llm_content_text(&b, content);
	if (!err && b.len)
		err = lbuf_join(&rb->system, "\n\n", b.s);
	lbuf_release(&b);
	return err;
}

static int tool_name_add(struct llm_request *r, const char *name)
{
	char **p;

	if (!name)
		return 0;
	p = realloc(r->tools, (r->ntools + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	r->tools = p;
	p[r->ntools] = llm_strdup(name);
	if (!p[r->ntools])
		return -ENOMEM;
	r->ntools++;
	return 0;
}

/*
 * tools[]: chat nests the name in "function", responses and Anthropic keep it flat; built-in
 * tools without a name (responses' {"type":"web_search_preview"}) are listed by their type.
 */
static int tools_add(struct llm_request *r, const cJSON *body)
{
	const cJSON *t;
	const char *name;

	cJSON_ArrayForEach(t, llm_jarr(body, "tools"))
	{
		name = llm_jstr(t, "name");
		if (!name)
			name = llm_jstr(cJSON_GetObjectItemCaseSensitive(t, "function"), "name");
		if (!name && (name = llm_jstr(t, "type")) && !strcmp(name, "function"))
			name = NULL;
		if (tool_name_add(r, name))
			return -ENOMEM;
	}
	/* the pre-tools chat API */
	cJSON_ArrayForEach(
	    t,
	    llm_jarr(body, "functions")) if (tool_name_add(r, llm_jstr(t, "name"))) return -ENOMEM;
	return 0;
}

static int msg_call_add(struct llm_msg *m, const char *id, const char *name, const cJSON *args)
{
	char *text = llm_json_text(args);
	int err;

	if (!text)
		return -ENOMEM;
	err = llm_call_push(&m->tool_calls, &m->ntool_calls, id, name, text);
	free(text);
	return err;
}

static int chat_msgs(struct req_build *rb, const cJSON *body)
{
	const cJSON *m, *tc, *fn;
	struct llm_msg *msg;
	const char *role;

	cJSON_ArrayForEach(m, llm_jarr(body, "messages"))
	{
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");

		role = llm_jstr(m, "role");
		if (is_system_role(role)) {
			if (system_add(rb, content))
				return -ENOMEM;
			continue;
		}
		msg = msg_add(rb, role, content);
		if (!msg || llm_set(&msg->tool_call_id, llm_jstr(m, "tool_call_id")))
			return -ENOMEM;
		cJSON_ArrayForEach(tc, llm_jarr(m, "tool_calls"))
		{
			fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
			if (msg_call_add(msg, llm_jstr(tc, "id"), llm_jstr(fn, "name"),
					 cJSON_GetObjectItemCaseSensitive(fn, "arguments")))
				return -ENOMEM;
		}
		fn = cJSON_GetObjectItemCaseSensitive(m, "function_call"); /* pre-tools API */
		if (cJSON_IsObject(fn) &&
		    msg_call_add(msg, NULL, llm_jstr(fn, "name"),
				 cJSON_GetObjectItemCaseSensitive(fn, "arguments")))
			return -ENOMEM;
	}
	return 0;
}

/*
 * Responses input items. Consecutive function_call items are one assistant turn (the chat API's
 * tool_calls array), so they merge into one message; reasoning and built-in tool items carry no
 * conversation text and are skipped.
 */
static int responses_msgs(struct req_build *rb, const cJSON *body)
{
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(body, "input"), *it;
	struct llm_msg *msg;
	const char *type, *role;

	if (cJSON_IsString(input))
		return msg_add(rb, "user", input) ? 0 : -ENOMEM;
	cJSON_ArrayForEach(it, (cJSON_IsArray(input) ? input : NULL))
	{
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(it, "content");

		type = llm_jstr(it, "type");
		role = llm_jstr(it, "role");
		if (!type || !strcmp(type, "message")) {
			if (is_system_role(role)) {
				if (system_add(rb, content))
					return -ENOMEM;
				rb->merge_calls = false;
			} else if (!msg_add(rb, role, content)) {
				return -ENOMEM;
			}
		} else if (!strcmp(type, "function_call")) {
			if (rb->merge_calls) {
				msg = &rb->out->msgs[rb->out->nmsgs - 1];
			} else if (!(msg = msg_new(rb, "assistant"))) {
				return -ENOMEM;
			}
			if (msg_call_add(msg, llm_jstr(it, "call_id"), llm_jstr(it, "name"),
					 cJSON_GetObjectItemCaseSensitive(it, "arguments")))
				return -ENOMEM;
			rb->merge_calls = true;
		} else if (!strcmp(type, "function_call_output")) {
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(it, "output");

			msg = cJSON_IsArray(o) ? msg_add(rb, "tool", o) : msg_new(rb, "tool");
			if (!msg || llm_set(&msg->tool_call_id, llm_jstr(it, "call_id")))
				return -ENOMEM;
			if (!cJSON_IsArray(o)) {
				free(msg->content);
				msg->content = llm_json_text(o);
				if (!msg->content)
					return -ENOMEM;
			}
		}
	}
	return 0;
}

/*
 * Anthropic content blocks: tool_result blocks become role "tool" messages of their own (as in
 * the chat API), placed first as the API requires them to be; what else the message holds stays
 * one message after them, and a message of nothing but tool results leaves no empty shell.
 */
static int anthropic_msgs(struct req_build *rb, const cJSON *body)
{
	const cJSON *m, *blk;

	cJSON_ArrayForEach(m, llm_jarr(body, "messages"))
	{
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		const char *role = llm_jstr(m, "role");
		bool results = false, other = false;
		struct lbuf text = {0};
		struct llm_msg *msg;
		int err = 0;

		if (!cJSON_IsArray(content)) {
			if (!msg_add(rb, role, content))
				return -ENOMEM;
			continue;
		}
		cJSON_ArrayForEach(blk, content)
		{
			const char *type = llm_jstr(blk, "type");
			const char *s;

			if (type && !strcmp(type, "tool_result")) {
				results = true;
				msg = msg_add(rb, "tool",
					      cJSON_GetObjectItemCaseSensitive(blk, "content"));
				if (!msg ||
				    llm_set(&msg->tool_call_id, llm_jstr(blk, "tool_use_id"))) {
					err = -ENOMEM;
					break;
				}
				continue;
			}
			other = true;
			s = part_text(blk);
			if (s && *s && (err = lbuf_join(&text, "\n", s)))
				break;
		}
		if (!err && (other || !results)) {
			msg = msg_new(rb, role);
			if (msg) {
				free(msg->content);
				msg->content = lbuf_take(&text);
			}
			if (!msg || !msg->content)
				err = -ENOMEM;
			cJSON_ArrayForEach(blk, content)
			{
				const char *type = llm_jstr(blk, "type");

				if (err || !type || strcmp(type, "tool_use"))
					continue;
				err = msg_call_add(msg, llm_jstr(blk, "id"), llm_jstr(blk, "name"),
						   cJSON_GetObjectItemCaseSensitive(blk, "input"));
			}
		}
		lbuf_release(&text);
		if (err)
			return err;
	}
	return 0;
}

/* What stands for Gemini inline or file data in the text, by MIME type; NULL if not data. */
static const char *gemini_blob(const cJSON *part)
{
	const cJSON *blob = llm_gem_get(part, "inlineData", "inline_data");
	const char *mime;

	if (!cJSON_IsObject(blob))
		blob = llm_gem_get(part, "fileData", "file_data");
	if (!cJSON_IsObject(blob))
		return NULL;
	mime = llm_jstr(blob, "mimeType");
	if (!mime)
		mime = llm_jstr(blob, "mime_type");
	if (mime && !strncmp(mime, "image/", 6))
		return "[image]";
	if (mime && !strncmp(mime, "audio/", 6))
		return "[audio]";
	if (mime && !strncmp(mime, "video/", 6))
		return "[video]";
	return "[file]";
}

/* The text of a turn's parts, joined with "\n" as the other APIs' content parts are. */
static int gemini_text(struct lbuf *b, const cJSON *parts)
{
	const cJSON *part;
	const char *s;

	cJSON_ArrayForEach(part, parts)
	{
		s = llm_gem_text(part);
		if (!s)
			s = gemini_blob(part);
		if (s && *s && lbuf_join(b, "\n", s))
			return -ENOMEM;
	}
	return 0;
}

static int gemini_result_add(struct req_build *rb, const cJSON *fn)
{
	struct llm_msg *msg = msg_new(rb, "tool");

	if (!msg || llm_set(&msg->tool_call_id, llm_gem_call_id(fn)))
		return -ENOMEM;
	free(msg->content);
	msg->content = llm_json_text(cJSON_GetObjectItemCaseSensitive(fn, "response"));
	return msg->content ? 0 : -ENOMEM;
}

/*
 * Gemini contents: role "model" is the assistant, a turn without a role the user's. As with
 * Anthropic's tool_result blocks, functionResponse parts become role "tool" messages of their
 * own, placed first; what else the turn holds stays one message after them, its functionCall
 * parts as tool calls.
 */
static int gemini_msgs(struct req_build *rb, const cJSON *body)
{
	const cJSON *c, *part, *fn;

	cJSON_ArrayForEach(c, llm_jarr(body, "contents"))
	{
		const char *role = llm_jstr(c, "role");
		const cJSON *parts = llm_jarr(c, "parts");
		bool results = false, other = false;
		struct lbuf text = {0};
		struct llm_msg *msg;
		int err = 0;

		if (role && !strcmp(role, "model"))
			role = "assistant";
		else if (!role || !*role)
			role = "user";
		cJSON_ArrayForEach(part, parts)
		{
			fn = llm_gem_get(part, "functionResponse", "function_response");
			if (!cJSON_IsObject(fn)) {
				other = true;
				continue;
			}
			results = true;
			if ((err = gemini_result_add(rb, fn)))
				break;
		}
		if (!err && (other || !results)) {
			err = gemini_text(&text, parts);
			msg = err ? NULL : msg_new(rb, role);
			if (msg) {
				free(msg->content);
				msg->content = lbuf_take(&text);
			}
			if (!msg || !msg->content)
				err = -ENOMEM;
			cJSON_ArrayForEach(part, parts)
			{
				fn = llm_gem_get(part, "functionCall", "function_call");
				if (err || !cJSON_IsObject(fn))
					continue;
				err = msg_call_add(msg, llm_gem_call_id(fn), llm_jstr(fn, "name"),
						   cJSON_GetObjectItemCaseSensitive(fn, "args"));
			}
		}
		lbuf_release(&text);
		if (err)
			return err;
	}
	return 0;
}

/* systemInstruction is a Content ({"parts":[{"text"}]}); a bare string is taken too. */
static int gemini_system(struct req_build *rb, const cJSON *body)
{
	const cJSON *v = llm_gem_get(body, "systemInstruction", "system_instruction");
	struct lbuf b = {0};
	int err;

	if (!cJSON_IsObject(v))
		return system_add(rb, v);
	err = gemini_text(&b, llm_jarr(v, "parts"));
	if (!err && b.len)
		err = lbuf_join(&rb->system, "\n\n", b.s);
	lbuf_release(&b);
	return err;
}

/*
 * tools[]: each a {"functionDeclarations":[{"name",...}]}, or a built-in tool listed by its key
 * ({"googleSearch":{}} is "googleSearch").
 */
static int gemini_tools(struct llm_request *r, const cJSON *body)
{
	const cJSON *t, *d;

	cJSON_ArrayForEach(t, llm_jarr(body, "tools"))
	{
		const cJSON *decls =
		    llm_gem_get(t, "functionDeclarations", "function_declarations");

		if (!cJSON_IsArray(decls)) {
			cJSON_ArrayForEach(d, (cJSON_IsObject(t) ? t : NULL))
			{
				if (tool_name_add(r, d->string))
					return -ENOMEM;
			}
			continue;
		}
		cJSON_ArrayForEach(d, decls)
		{
			if (tool_name_add(r, llm_jstr(d, "name")))
				return -ENOMEM;
		}
	}
	return 0;
}

/*
 * The model and the stream flag of a Gemini call are in its path, not its body; Code Assist's
 * model is the body's "model".
 */
static int gemini_path(struct llm_request *r, const char *path, const cJSON *body)
{
	size_t len = strcspn(path, "?#"), off, n;
	char *model;
	int err;

	if (!gemini_model_span(path, len, &off, &n))
		return 0;
	r->stream = !strncmp(path + off + n, ":streamGenerateContent", 22);
	if (!n)
		return llm_set(&r->model, llm_jstr(body, "model"));
	model = strndup(path + off, n);
	if (!model)
		return -ENOMEM;
	err = llm_set(&r->model, model);
	free(model);
	return err;
}

/*
 * On failure the members are freed again and only api and body_len remain, so a caller that
 * drops a failed request leaks nothing. Allocation failure returns -ENOMEM.
 */
int llm_request_parse(const struct http_msg *req, struct llm_request *out)
{
	struct req_build rb = {.out = out};
	const cJSON *v;
	cJSON *body = NULL;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->api = llm_api_of(req->method, req->path);
	out->body_len = req->body_len;
	if (out->api == LLM_NONE)
		return -ENOENT;
	if (req->body)
		body = cJSON_ParseWithLength((const char *)req->body, req->body_len);
	if (!cJSON_IsObject(body)) {
		err = -EINVAL;
		goto cleanup;
	}
	if (llm_set(&out->model, llm_jstr(body, "model"))) {
		err = -ENOMEM;
		goto cleanup;
	}
	out->stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "stream"));
	switch (out->api) {
	case LLM_GEMINI:
		err = gemini_path(out, req->path, body);
		/* Code Assist wraps the generateContent request: {model, project, request: {...}}
		 */
		v = cJSON_GetObjectItemCaseSensitive(body, "request");
		v = cJSON_IsObject(v) && !cJSON_GetObjectItemCaseSensitive(body, "contents") ? v
											     : body;
		if (!err)
			err = gemini_system(&rb, v);
		if (!err)
			err = gemini_msgs(&rb, v);
		if (!err)
			err = gemini_tools(out, v);
		break;
	case LLM_OPENAI_CHAT:
		err = chat_msgs(&rb, body);
		break;
	case LLM_OPENAI_RESPONSES:
		v = cJSON_GetObjectItemCaseSensitive(body, "instructions");
		err = system_add(&rb, v);
		if (!err)
			err = responses_msgs(&rb, body);
		break;
	default:
		err = system_add(&rb, cJSON_GetObjectItemCaseSensitive(body, "system"));
		if (!err)
			err = anthropic_msgs(&rb, body);
		break;
	}
	if (!err && out->api != LLM_GEMINI)
		err = tools_add(out, body);
	if (!err && rb.system.len && !(out->system_prompt = lbuf_take(&rb.system)))
		err = -ENOMEM;
cleanup:
	lbuf_release(&rb.system);
	cJSON_Delete(body);
	if (err) {
		enum llm_api api = out->api;

		llm_request_release(out);
		out->api = api;
		out->body_len = req->body_len;
	}
	return err;
}

void llm_request_release(struct llm_request *r)
{
	if (!r)
		return;
	free(r->model);
	free(r->system_prompt);
	for (size_t i = 0; i < r->nmsgs; i++) {
		free(r->msgs[i].role);
		free(r->msgs[i].content);
		free(r->msgs[i].tool_call_id);
		llm_calls_free(r->msgs[i].tool_calls, r->msgs[i].ntool_calls);
	}
	free(r->msgs);
	for (size_t i = 0; i < r->ntools; i++)
		free(r->tools[i]);
	free(r->tools);
	memset(r, 0, sizeof(*r));
}
