// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* forkctx.c - restore a context from a snapshot, edit it, write it back out. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "forkctx.h"

void forkctx__free(struct forkctx *fc)
{
	if (!fc)
		return;
	for (size_t i = 0; i < fc->nmsgs; i++)
		ctx_msg_release(&fc->msgs[i]);
	free(fc->msgs);
	free(fc->intent);
	free(fc->system_prompt);
	free(fc->api);
	free(fc->model);
	cJSON_Delete(fc->orig_body);
	free(fc);
}

/* argv of the last exec of pid at or before event index idx, joined with spaces; NULL if none. */
static char *exec_intent(const struct recording *rec, size_t idx, int32_t pid, bool *nomem)
{
	const struct rec_event *e;
	char *s = NULL;

	for (size_t i = idx + 1; i-- > 0;) {
		const cJSON *p, *a;
		cJSON *ev;
		size_t len = 0;
		FILE *f;

		e = recording__event(rec, i);
		if (e->type != REC_PROCESS || e->pid != pid)
			continue;
		ev = recording__parse(rec, i);
		p = rec_payload(ev, REC_PROCESS);
		if (!ev || !rec_json_str(p, "event") || strcmp(rec_json_str(p, "event"), "exec") ||
		    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(p, "argv"))) {
			*nomem = !ev;
			cJSON_Delete(ev);
			if (*nomem)
				return NULL;
			continue;
		}
		f = open_memstream(&s, &len);
		if (f) {
			bool first = true;

			cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(p, "argv"))
			{
				if (!cJSON_IsString(a))
					continue;
				fprintf(f, "%s%s", first ? "" : " ", a->valuestring);
				first = false;
			}
			if (fclose(f)) {
				free(s);
				s = NULL;
			}
		}
		*nomem = !s;
		cJSON_Delete(ev);
		return s;
	}
	return NULL;
}

/* The original request body: an http event of the pid after the snapshot, before its next one,
 * of the same size when both sizes are known. */
static cJSON *orig_body(const struct recording *rec, const struct ctx_snapshot *s)
{
	const struct rec_event *e;

	for (size_t i = s->index + 1; (e = recording__event(rec, i)); i++) {
		const cJSON *h;
		const char *body;
		long long rb;
		cJSON *ev, *b;

		if (e->pid != s->pid)
			continue;
		if (e->type == REC_CONTEXT_SNAPSHOT)
			break;
		if (e->type != REC_HTTP)
			continue;
		ev = recording__parse(rec, i);
		h = rec_payload(ev, REC_HTTP);
		body = rec_json_str(h, "request_body");
		if (!body || (s->request_bytes >= 0 && rec_json_ll(h, "request_bytes", &rb) &&
			      rb != s->request_bytes)) {
			cJSON_Delete(ev);
			continue;
		}
		b = cJSON_Parse(body);
		cJSON_Delete(ev);
		if (cJSON_IsObject(b))
			return b;
		cJSON_Delete(b);
	}
	return NULL;
}

static int dup_opt(const char *s, char **out)
{
	*out = s ? strdup(s) : NULL;
	return s && !*out ? -ENOMEM : 0;
}

int forkctx__restore(const struct recording *rec, const struct snapfinder *f, uint64_t seq,
		     struct forkctx **out, struct rec_err *err)
{
	struct ctx_snapshot *s = NULL;
	struct forkctx *fc = NULL;
	bool nomem = false;
	size_t idx;
	int ret;

	*out = NULL;
	if (snapfinder__find(f, seq, &idx))
		return rec_errf(err, -ENOENT, "%s: no context snapshot at or before #%llu",
				recording__dir(rec), (unsigned long long)seq);
	if ((ret = ctx_snapshot__load(rec, idx, &s, err)))
		return ret;
	ret = -ENOMEM;
	fc = calloc(1, sizeof(*fc));
	if (!fc)
		goto cleanup;
	fc->original_pid = s->pid;
	fc->seq_num = seq;
	fc->snapshot_seq_num = s->seq_num;
	fc->intent = exec_intent(rec, idx, s->pid, &nomem);
	if (nomem || (!fc->intent && !(fc->intent = strdup(recording__meta(rec)->intent))))
		goto cleanup;
	if (dup_opt(s->system_prompt, &fc->system_prompt) || dup_opt(s->api, &fc->api) ||
	    dup_opt(s->model, &fc->model))
		goto cleanup;
	/* the snapshot's messages move over */
	fc->msgs = s->msgs;
	fc->nmsgs = fc->cap = s->nmsgs;
	s->msgs = NULL;
	s->nmsgs = 0;
	fc->orig_body = orig_body(rec, s);
	*out = fc;
	fc = NULL;
	ret = 0;
cleanup:
	if (ret)
		rec_errf(err, ret, "fork: out of memory");
	forkctx__free(fc);
	ctx_snapshot__free(s);
	return ret;
}

int forkctx__set_system_prompt(struct forkctx *fc, const char *prompt)
{
	char *p = strdup(prompt ? prompt : "");

	if (!p)
		return -ENOMEM;
	free(fc->system_prompt);
	fc->system_prompt = p;
	return 0;
}

int forkctx__append_message(struct forkctx *fc, const char *role, const char *content)
{
	struct ctx_msg m = {0};

	if (!role || !*role)
		return -EINVAL;
	if (fc->nmsgs == fc->cap) {
		size_t ncap = fc->cap ? fc->cap * 2 : 8;
		struct ctx_msg *nm = realloc(fc->msgs, ncap * sizeof(*nm));

		if (!nm)
			return -ENOMEM;
		fc->msgs = nm;
		fc->cap = ncap;
	}
	m.role = strdup(role);
	m.content = strdup(content ? content : "");
	if (!m.role || !m.content) {
		ctx_msg_release(&m);
		return -ENOMEM;
	}
	fc->msgs[fc->nmsgs++] = m;
	return 0;
}

int forkctx__replace_last_message(struct forkctx *fc, const char *content)
{
	char *c;

	if (!fc->nmsgs)
		return -ENOENT;
	if (!(c = strdup(content ? content : "")))
		return -ENOMEM;
	free(fc->msgs[fc->nmsgs - 1].content);
	fc->msgs[fc->nmsgs - 1].content = c;
	return 0;
}

void forkctx__remove_last_messages(struct forkctx *fc, size_t n)
{
	while (n-- && fc->nmsgs)
		ctx_msg_release(&fc->msgs[--fc->nmsgs]);
}

/* Small cJSON builders that tolerate a NULL parent (ENOMEM is checked once at the end). */
static cJSON *add_obj(cJSON *arr)
{
	cJSON *o = cJSON_CreateObject();

	if (o && !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

static bool add_str(cJSON *o, const char *k, const char *v)
{
	return o && cJSON_AddStringToObject(o, k, v ? v : "");
}

cJSON *forkctx_json(const struct forkctx *fc)
{
	cJSON *o = cJSON_CreateObject(), *arr, *m;
	bool ok = o;

	ok = ok && cJSON_AddNumberToObject(o, "original_pid", (double)fc->original_pid);
	ok = ok && cJSON_AddNumberToObject(o, "seq_num", (double)fc->seq_num);
	ok = ok && add_str(o, "intent", fc->intent);
	ok = ok && add_str(o, "system_prompt", fc->system_prompt);
	ok = ok && (arr = cJSON_AddArrayToObject(o, "messages"));
	for (size_t i = 0; ok && i < fc->nmsgs; i++) {
		const struct ctx_msg *msg = &fc->msgs[i];

		ok = (m = add_obj(arr)) && add_str(m, "role", msg->role) &&
		     add_str(m, "content", msg->content);
		if (ok && msg->tool_call_id)
			ok = add_str(m, "tool_call_id", msg->tool_call_id);
		if (ok && msg->tool_calls) {
			cJSON *c = cJSON_Duplicate(msg->tool_calls, true);

			ok = c && cJSON_AddItemToObject(m, "tool_calls", c);
			if (!ok)
				cJSON_Delete(c);
		}
	}
	ok = ok && cJSON_AddNumberToObject(o, "snapshot_seq_num", (double)fc->snapshot_seq_num);
	ok = ok && (fc->api ? add_str(o, "api", fc->api) : cJSON_AddNullToObject(o, "api") != NULL);
	ok = ok && (fc->model ? add_str(o, "model", fc->model)
			      : cJSON_AddNullToObject(o, "model") != NULL);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static const char *call_str(const cJSON *c, const char *k)
{
	const char *s = rec_json_str(c, k);

	return s ? s : "";
}

static bool chat_messages(const struct forkctx *fc, cJSON *arr)
{
	const cJSON *c;
	cJSON *m = NULL, *calls = NULL, *call = NULL, *fn = NULL;
	bool ok = true;

	if (fc->system_prompt && *fc->system_prompt)
		ok = (m = add_obj(arr)) && add_str(m, "role", "system") &&
		     add_str(m, "content", fc->system_prompt);
	for (size_t i = 0; ok && i < fc->nmsgs; i++) {
		const struct ctx_msg *msg = &fc->msgs[i];

		ok = (m = add_obj(arr)) && add_str(m, "role", msg->role);
		if (!ok)
			break;
		if (msg->tool_calls) {
			ok = *msg->content ? add_str(m, "content", msg->content)
					   : cJSON_AddNullToObject(m, "content") != NULL;
			ok = ok && (calls = cJSON_AddArrayToObject(m, "tool_calls"));
			cJSON_ArrayForEach(c, msg->tool_calls)
			{
				ok = ok && (call = add_obj(calls)) &&
				     add_str(call, "id", call_str(c, "id")) &&
				     add_str(call, "type", "function") &&
				     (fn = cJSON_AddObjectToObject(call, "function")) &&
				     add_str(fn, "name", call_str(c, "name")) &&
				     add_str(fn, "arguments", call_str(c, "arguments"));
			}
		} else {
			ok = add_str(m, "content", msg->content);
		}
		if (ok && msg->tool_call_id)
			ok = add_str(m, "tool_call_id", msg->tool_call_id);
	}
	return ok;
}

static bool responses_input(const struct forkctx *fc, cJSON *arr)
{
	const cJSON *c;
	cJSON *m;
	bool ok = true;

	for (size_t i = 0; ok && i < fc->nmsgs; i++) {
		const struct ctx_msg *msg = &fc->msgs[i];

		if (!strcmp(msg->role, "tool")) {
			ok = (m = add_obj(arr)) && add_str(m, "type", "function_call_output") &&
			     add_str(m, "call_id", msg->tool_call_id) &&
			     add_str(m, "output", msg->content);
			continue;
		}
		if (!msg->tool_calls || *msg->content)
			ok = (m = add_obj(arr)) && add_str(m, "role", msg->role) &&
			     add_str(m, "content", msg->content);
		cJSON_ArrayForEach(c, msg->tool_calls)
		{
			ok = ok && (m = add_obj(arr)) && add_str(m, "type", "function_call") &&
			     add_str(m, "call_id", call_str(c, "id")) &&
			     add_str(m, "name", call_str(c, "name")) &&
			     add_str(m, "arguments", call_str(c, "arguments"));
		}
	}
	return ok;
}

/* tool_use input: the arguments parsed, or {} when they are not a JSON object. */
static cJSON *tool_input(const char *args)
{
	cJSON *v = cJSON_Parse(args);

	if (cJSON_IsObject(v))
		return v;
	cJSON_Delete(v);
	return cJSON_CreateObject();
}

static cJSON *add_block(cJSON *content, const char *type)
{
	cJSON *b = add_obj(content);

	return b && add_str(b, "type", type) ? b : NULL;
}

/*
 * Anthropic turns: tool results go back as tool_result blocks of a user message; consecutive
 * results, and the user text right after them, share one user message (as the agent sent them:
 * the recorder split them into role "tool" messages and one user message).
 */
static bool anthropic_messages(const struct forkctx *fc, cJSON *arr)
{
	cJSON *m, *content, *b, *pending = NULL; /* content array of an open tool-result turn */
	const cJSON *c;
	bool ok = true;

	for (size_t i = 0; ok && i < fc->nmsgs; i++) {
		const struct ctx_msg *msg = &fc->msgs[i];

		if (!strcmp(msg->role, "system"))
			continue; /* joined into "system" by the caller */
		if (!strcmp(msg->role, "tool")) {
			if (!pending)
				ok = (m = add_obj(arr)) && add_str(m, "role", "user") &&
				     (pending = cJSON_AddArrayToObject(m, "content"));
			ok = ok && (b = add_block(pending, "tool_result")) &&
			     add_str(b, "tool_use_id", msg->tool_call_id) &&
			     add_str(b, "content", msg->content);
			continue;
		}
		if (pending && !strcmp(msg->role, "user")) {
			ok = (b = add_block(pending, "text")) && add_str(b, "text", msg->content);
			pending = NULL;
			continue;
		}
		pending = NULL;
		ok = (m = add_obj(arr)) && add_str(m, "role", msg->role);
		if (!ok)
			break;
		if (!msg->tool_calls) {
			ok = add_str(m, "content", msg->content);
			continue;
		}
		ok = (content = cJSON_AddArrayToObject(m, "content"));
		if (ok && *msg->content)
			ok = (b = add_block(content, "text")) && add_str(b, "text", msg->content);
		cJSON_ArrayForEach(c, msg->tool_calls)
		{
			cJSON *in;

			ok = ok && (b = add_block(content, "tool_use")) &&
			     add_str(b, "id", call_str(c, "id")) &&
			     add_str(b, "name", call_str(c, "name")) &&
			     (in = tool_input(call_str(c, "arguments")));
			if (ok && !cJSON_AddItemToObject(b, "input", in)) {
				cJSON_Delete(in);
				ok = false;
			}
		}
	}
	return ok;
}

static bool add_item(cJSON *o, const char *k, cJSON *v)
{
	if (v && cJSON_AddItemToObject(o, k, v))
		return true;
	cJSON_Delete(v);
	return false;
}

/*
 * The function a tool result answers: Gemini's functionResponse names it. Without a call id of
 * its own the result's tool_call_id already is the name (user/llm.h); else the call with that id.
 */
static const char *gemini_call_name(const struct forkctx *fc, size_t before, const char *id)
{
	const cJSON *c;

	for (size_t i = before; id && i-- > 0;) {
		cJSON_ArrayForEach(c, fc->msgs[i].tool_calls)
		{
			if (!strcmp(call_str(c, "id"), id))
				return call_str(c, "name");
		}
	}
	return id ? id : "";
}

/* functionResponse.response must be an object: the recorded one, else the text as "output". */
static cJSON *gemini_result(const char *content)
{
	cJSON *v = cJSON_Parse(content), *o;

	if (cJSON_IsObject(v))
		return v;
	cJSON_Delete(v);
	o = cJSON_CreateObject();
	if (o && !cJSON_AddStringToObject(o, "output", content)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

/* A functionCall/functionResponse: the id only when it is not the name, i.e. the server's own. */
static cJSON *gemini_fn(cJSON *parts, const char *key, const char *id, const char *name)
{
	cJSON *p = add_obj(parts), *fn = p ? cJSON_AddObjectToObject(p, key) : NULL;

	if (!fn || !add_str(fn, "name", name))
		return NULL;
	if (id && *id && strcmp(id, name) && !add_str(fn, "id", id))
		return NULL;
	return fn;
}

/*
 * gemini.generate contents: assistant turns are role "model" with functionCall parts (args
 * parsed); tool results go back as functionResponse parts of one user turn, with the user text
 * right after them (as the agent sent them: the recorder split them into role "tool" messages and
 * one user message).
 */
static bool gemini_contents(const struct forkctx *fc, cJSON *arr)
{
	cJSON *m, *parts = NULL, *p, *fn, *pending = NULL; /* parts of an open tool-result turn */
	const cJSON *c;
	bool ok = true;

	for (size_t i = 0; ok && i < fc->nmsgs; i++) {
		const struct ctx_msg *msg = &fc->msgs[i];

		if (!strcmp(msg->role, "system"))
			continue; /* joined into systemInstruction by the caller */
		if (!strcmp(msg->role, "tool")) {
			if (!pending)
				ok = (m = add_obj(arr)) && add_str(m, "role", "user") &&
				     (pending = cJSON_AddArrayToObject(m, "parts"));
			ok = ok &&
			     (fn = gemini_fn(pending, "functionResponse", msg->tool_call_id,
					     gemini_call_name(fc, i, msg->tool_call_id))) &&
			     add_item(fn, "response", gemini_result(msg->content));
			continue;
		}
		if (pending && !strcmp(msg->role, "user")) {
			ok = (p = add_obj(pending)) && add_str(p, "text", msg->content);
			pending = NULL;
			continue;
		}
		pending = NULL;
		ok = (m = add_obj(arr)) &&
		     add_str(m, "role", strcmp(msg->role, "assistant") ? "user" : "model") &&
		     (parts = cJSON_AddArrayToObject(m, "parts"));
		if (ok && (*msg->content || !msg->tool_calls))
			ok = (p = add_obj(parts)) && add_str(p, "text", msg->content);
		cJSON_ArrayForEach(c, msg->tool_calls)
		{
			ok = ok &&
			     (fn = gemini_fn(parts, "functionCall", call_str(c, "id"),
					     call_str(c, "name"))) &&
			     add_item(fn, "args", tool_input(call_str(c, "arguments")));
		}
	}
	return ok;
}

/* The system prompt plus any role "system" messages, for APIs with a separate system field. */
static char *joined_system(const struct forkctx *fc)
{
	char *s = NULL;
	size_t len = 0;
	bool any = false;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	if (fc->system_prompt && *fc->system_prompt) {
		fputs(fc->system_prompt, f);
		any = true;
	}
	for (size_t i = 0; i < fc->nmsgs; i++) {
		if (strcmp(fc->msgs[i].role, "system"))
			continue;
		fprintf(f, "%s%s", any ? "\n\n" : "", fc->msgs[i].content);
		any = true;
	}
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}

static bool copy_fields(const cJSON *orig, cJSON *o)
{
	/* session_id: Code Assist's, inside its "request"; the public API rejects it */
	static const char *const skip[] = {"model",
					   "messages",
					   "input",
					   "instructions",
					   "system",
					   "stream",
					   "stream_options",
					   "contents",
					   "systemInstruction",
					   "system_instruction",
					   "session_id",
					   NULL};
	const cJSON *f;

	cJSON_ArrayForEach(f, orig)
	{
		bool skipped = false;
		cJSON *d;

		for (int i = 0; skip[i]; i++)
			skipped = skipped || !strcmp(f->string, skip[i]);
		if (skipped)
			continue;
		if (!(d = cJSON_Duplicate(f, true)))
			return false;
		if (cJSON_GetObjectItemCaseSensitive(o, f->string)) {
			if (!cJSON_ReplaceItemInObjectCaseSensitive(o, f->string, d)) {
				cJSON_Delete(d);
				return false;
			}
		} else if (!cJSON_AddItemToObject(o, f->string, d)) {
			cJSON_Delete(d);
			return false;
		}
	}
	return true;
}

int forkctx_request(const struct forkctx *fc, cJSON **out, struct rec_err *err)
{
	const char *api = fc->api ? fc->api : "";
	const cJSON *orig = fc->orig_body, *v;
	cJSON *o = NULL, *arr;
	char *sys = NULL;
	bool ok;

	*out = NULL;
	if (strcmp(api, "openai.chat") && strcmp(api, "openai.responses") &&
	    strcmp(api, "anthropic.messages") && strcmp(api, "gemini.generate"))
		return rec_errf(err, -EINVAL,
				"context snapshot #%llu: api \"%.40s\" is not openai.chat, "
				"openai.responses, anthropic.messages or gemini.generate",
				(unsigned long long)fc->snapshot_seq_num, api);
	o = cJSON_CreateObject();
	/* Gemini names the model in the path (models/MODEL:generateContent), not the body */
	ok = o && (!strcmp(api, "gemini.generate") || add_str(o, "model", fc->model));
	if (!strcmp(api, "gemini.generate")) {
		cJSON *si, *parts;

		/* gemini-cli's Code Assist request wraps the generateContent one: that is the body
		 */
		v = cJSON_GetObjectItemCaseSensitive(orig, "request");
		if (cJSON_IsObject(v) && !cJSON_GetObjectItemCaseSensitive(orig, "contents"))
			orig = v;

		ok =
		    ok && (arr = cJSON_AddArrayToObject(o, "contents")) && gemini_contents(fc, arr);
		ok = ok && (sys = joined_system(fc));
		if (ok && *sys)
			ok = (si = cJSON_AddObjectToObject(o, "systemInstruction")) &&
			     (parts = cJSON_AddArrayToObject(si, "parts")) &&
			     add_str(add_obj(parts), "text", sys);
	} else if (!strcmp(api, "openai.chat")) {
		ok = ok && (arr = cJSON_AddArrayToObject(o, "messages")) && chat_messages(fc, arr);
	} else if (!strcmp(api, "openai.responses")) {
		if (ok && fc->system_prompt && *fc->system_prompt)
			ok = add_str(o, "instructions", fc->system_prompt);
		ok = ok && (arr = cJSON_AddArrayToObject(o, "input")) && responses_input(fc, arr);
	} else {
		ok = ok && cJSON_AddNumberToObject(o, "max_tokens", FORK_MAX_TOKENS);
		ok = ok && (sys = joined_system(fc));
		if (ok && *sys)
			ok = add_str(o, "system", sys);
		ok = ok && (arr = cJSON_AddArrayToObject(o, "messages")) &&
		     anthropic_messages(fc, arr);
	}
	ok = ok && (!orig || copy_fields(orig, o));
	free(sys);
	if (!ok) {
		cJSON_Delete(o);
		return rec_errf(err, -ENOMEM, "fork: out of memory");
	}
	*out = o;
	return 0;
}

/*
 * Two-space indented JSON from compact cJSON output: newlines after { [ and commas, ": " after
 * keys, empty containers kept as {} and []. Strings are copied verbatim. malloc'd or NULL.
 */
static char *pretty(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	int depth = 0;
	bool in_str = false;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (; *s; s++) {
		char c = *s;

		if (in_str) {
			fputc(c, f);
			if (c == '\\' && s[1])
				fputc(*++s, f);
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			fputc(c, f);
			break;
		case '{':
		case '[':
			if (s[1] == (c == '{' ? '}' : ']')) {
				fputc(c, f);
				fputc(*++s, f);
				break;
			}
			fprintf(f, "%c\n%*s", c, 2 * ++depth, "");
			break;
		case '}':
		case ']':
			fprintf(f, "\n%*s%c", 2 * --depth, "", c);
			break;
		case ',':
			fprintf(f, ",\n%*s", 2 * depth, "");
			break;
		case ':':
			fputs(": ", f);
			break;
		default:
			fputc(c, f);
		}
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int forkctx_write(const cJSON *o, const char *path, FILE *out, struct rec_err *err)
{
	char *compact = cJSON_PrintUnformatted(o);
	char *text = compact ? pretty(compact) : NULL;
	size_t len, off = 0;
	int fd = -1, ret = 0;
	ssize_t n;

	if (!text) {
		free(compact);
		return rec_errf(err, -ENOMEM, "fork: out of memory");
	}
	len = strlen(text);
	if (!path) {
		if (fwrite(text, 1, len, out) != len || fputc('\n', out) == EOF)
			ret = rec_errf(err, -EIO, "fork: write error");
		goto cleanup;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600)) {
		ret = rec_errf(err, -errno, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	text[len++] = '\n'; /* replaces the NUL: the buffer is written by length */
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = rec_errf(err, -errno, "%s: %s", path, strerror(errno));
			goto cleanup;
		}
		off += (size_t)n;
	}
	if (close(fd)) {
		fd = -1;
		ret = rec_errf(err, -errno, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	fd = -1;
cleanup:
	if (fd >= 0)
		close(fd);
	free(compact);
	free(text);
	return ret;
}
