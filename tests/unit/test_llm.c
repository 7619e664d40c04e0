// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_llm.c - LLM API calls from HTTP messages: requests of the four APIs, responses plain and
 * streamed (tool-call deltas, usage chunks, cut streams, errors), the event payloads and the text
 * line, redaction of keys, and garbage that must not crash. Fixtures: tests/unit/fixtures/llm/.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "llm.h"
#include "llm_events.h"
#include "outbuf.h"
#include "printer.h"

#define FIXTURES "tests/unit/fixtures/llm/"
#define KEY	 "sk-proj-AbCdEfGhIjKlMnOpQrSt0123456789"
#define KEY_BODY "AbCdEfGhIjKlMnOpQrSt" /* what must appear nowhere once redacted */

static char *load(const char *name, size_t *len)
{
	char path[256];
	char *buf = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void mkreq(struct http_msg *m, const char *method, const char *path, const char *body,
		  size_t len)
{
	memset(m, 0, sizeof(*m));
	m->is_request = true;
	m->version = 11;
	snprintf(m->method, sizeof(m->method), "%s", method);
	m->path = (char *)path;
	m->body = (unsigned char *)body;
	m->body_len = len;
	m->complete = true;
}

/* A response; ctype NULL means no Content-Type header. h is the header's storage. */
static void mkresp(struct http_msg *m, struct http_header *h, int status, const char *ctype,
		   const char *body, size_t len, bool complete)
{
	memset(m, 0, sizeof(*m));
	m->version = 11;
	m->status = status;
	if (ctype) {
		h->name = (char *)"Content-Type";
		h->value = (char *)ctype;
		m->hdrs = h;
		m->nhdrs = 1;
	}
	m->body = (unsigned char *)body;
	m->body_len = len;
	m->complete = complete;
}

static void str_eq(const char *got, const char *want)
{
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

/* A number member as an integer (cmocka compares unsigned: no negative doubles in there). */
static long long jnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	assert_true(cJSON_IsNumber(v));
	return (long long)v->valuedouble;
}

static void call_eq(const struct llm_tool_call *c, const char *id, const char *name,
		    const char *args)
{
	str_eq(c->id, id);
	str_eq(c->name, name);
	str_eq(c->arguments, args);
}

static void msg_eq(const struct llm_msg *m, const char *role, const char *content,
		   const char *tool_call_id, size_t ncalls)
{
	str_eq(m->role, role);
	str_eq(m->content, content);
	str_eq(m->tool_call_id, tool_call_id);
	assert_int_equal(m->ntool_calls, ncalls);
}

/* The offset of the line holding `marker` (a fixture's event start). */
static size_t line_of(const char *body, const char *marker)
{
	const char *p = strstr(body, marker);

	assert_non_null(p);
	while (p > body && p[-1] != '\n')
		p--;
	return (size_t)(p - body);
}

static void no_key(const char *s)
{
	if (s) {
		assert_null(strstr(s, KEY_BODY));
		assert_null(strstr(s, "sk-proj"));
	}
}

static void no_key_calls(const struct llm_tool_call *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		no_key(v[i].id);
		no_key(v[i].name);
		no_key(v[i].arguments);
	}
}

static void no_key_req(const struct llm_request *r)
{
	no_key(r->model);
	no_key(r->system_prompt);
	for (size_t i = 0; i < r->nmsgs; i++) {
		no_key(r->msgs[i].role);
		no_key(r->msgs[i].content);
		no_key(r->msgs[i].tool_call_id);
		no_key_calls(r->msgs[i].tool_calls, r->msgs[i].ntool_calls);
	}
	for (size_t i = 0; i < r->ntools; i++)
		no_key(r->tools[i]);
}

static void no_key_resp(const struct llm_response *r)
{
	no_key(r->model);
	no_key(r->finish_reason);
	no_key(r->content);
	no_key(r->error);
	no_key_calls(r->tool_calls, r->ntool_calls);
}

static const struct {
	const char *method, *path;
	enum llm_api api;
} api_cases[] = {
    {"POST", "/v1/chat/completions", LLM_OPENAI_CHAT},
    {"POST", "/openai/deployments/gpt4/chat/completions?api-version=2024-06-01", LLM_OPENAI_CHAT},
    {"POST", "/api/v1/chat/completions", LLM_OPENAI_CHAT},
    {"POST", "/chat/completions", LLM_OPENAI_CHAT},
    {"POST", "https://api.openai.com/v1/chat/completions", LLM_OPENAI_CHAT},
    {"GET", "/v1/chat/completions", LLM_NONE},
    {"post", "/v1/chat/completions", LLM_NONE},
    {"POST", "/v1/chat/completions/abc", LLM_NONE},
    {"POST", "/v1/mychat/completions", LLM_NONE},
    {"POST", "/v1/chat/completions2", LLM_NONE},
    {"POST", "/v1/responses", LLM_OPENAI_RESPONSES},
    {"POST", "/v1/responses?stream=true", LLM_OPENAI_RESPONSES},
    {"POST", "/backend-api/codex/responses", LLM_OPENAI_RESPONSES},
    {"POST", "/v1/responses/resp_123/cancel", LLM_NONE},
    {"POST", "/v1/responses/resp_123", LLM_NONE},
    {"POST", "/v1/responses/input_tokens", LLM_NONE},
    {"POST", "/v1/myresponses", LLM_NONE},
    {"GET", "/v1/responses", LLM_NONE},
    {"POST", "/v1/messages", LLM_ANTHROPIC},
    {"POST", "/v1/messages?beta=true", LLM_ANTHROPIC},
    {"POST", "/anthropic/v1/messages", LLM_ANTHROPIC},
    {"POST", "/v1/messages/count_tokens", LLM_NONE},
    {"POST", "/v1/messages/batches", LLM_NONE},
    {"POST", "/messages", LLM_NONE},
    {"POST", "/v1/completions", LLM_NONE},
    {"POST", "/v1/embeddings", LLM_NONE},
    {"POST", "", LLM_NONE},
    {"POST", "?/v1/messages", LLM_NONE},
    {"POST", "/", LLM_NONE},
    {"POST", "/v1beta/models/gemini-2.5-flash:generateContent", LLM_GEMINI},
    {"POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", LLM_GEMINI},
    {"POST", "/v1/models/gemini-2.0-flash:generateContent?key=[REDACTED]", LLM_GEMINI},
    {"POST",
     "/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro:"
     "streamGenerateContent?alt=sse",
     LLM_GEMINI},
    {"POST", "/v1beta/models/gemini-2.5-flash:countTokens", LLM_NONE},
    {"POST", "/v1beta/models/text-embedding-004:embedContent", LLM_NONE},
    {"POST", "/v1beta/models/gemini-2.5-flash:generateContentX", LLM_NONE},
    {"POST", "/v1beta/models/:generateContent", LLM_NONE},
    {"POST", "/v1beta/tunedModels/t1:generateContent", LLM_NONE},
    {"POST", "/v1beta/cachedContents/models/x", LLM_NONE},
    {"POST", "models/gemini:generateContent", LLM_NONE},
    {"GET", "/v1beta/models/gemini-2.5-flash:generateContent", LLM_NONE},
    /* Code Assist (gemini-cli logged in with a Google account) */
    {"POST", "/v1internal:streamGenerateContent?alt=sse", LLM_GEMINI},
    {"POST", "/v1internal:generateContent", LLM_GEMINI},
    {"POST", "/v1internal:loadCodeAssist", LLM_NONE},
    {"POST", "/v1internal:countTokens", LLM_NONE},
    {"POST", "v1internal:generateContent", LLM_NONE},
    {"POST", "/v2internal:generateContent", LLM_NONE},
};

static void test_llm_api_of(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(api_cases) / sizeof(api_cases[0]); i++) {
		if (llm_api_of(api_cases[i].method, api_cases[i].path) != api_cases[i].api)
			fail_msg("case %zu: %s %s", i, api_cases[i].method, api_cases[i].path);
	}
	assert_int_equal(llm_api_of(NULL, "/v1/messages"), LLM_NONE);
	assert_int_equal(llm_api_of("POST", NULL), LLM_NONE);
}

/* System and developer messages, multimodal parts, parallel tool calls and their results. */
static void test_llm_chat_request(void **state)
{
	struct llm_request r;
	struct http_msg m;
	size_t len;
	char *body = load("chat_request.json", &len);

	(void)state;
	mkreq(&m, "POST", "/v1/chat/completions", body, len);
	assert_int_equal(llm_request_parse(&m, &r), 0);
	assert_int_equal(r.api, LLM_OPENAI_CHAT);
	str_eq(r.model, "gpt-4o-mini");
	assert_true(r.stream);
	assert_int_equal(r.body_len, len);
	str_eq(r.system_prompt, "You are a coding agent.\n\nPrefer small diffs.");
	assert_int_equal(r.nmsgs, 5);
	msg_eq(&r.msgs[0], "user",
	       "What is in this picture?\n[image]\n[audio]\nAnd list the files.", NULL, 0);
	msg_eq(&r.msgs[1], "assistant", "", NULL, 2);
	call_eq(&r.msgs[1].tool_calls[0], "call_A", "run_shell", "{\"cmd\":\"ls\"}");
	call_eq(&r.msgs[1].tool_calls[1], "call_B", "read_file", "{\"path\":\"/etc/hosts\"}");
	msg_eq(&r.msgs[2], "tool", "a.txt\nb.txt", "call_A", 0);
	msg_eq(&r.msgs[3], "tool", "127.0.0.1 localhost", "call_B", 0);
	msg_eq(&r.msgs[4], "assistant", "Two files.", NULL, 0);
	assert_int_equal(r.ntools, 3);
	str_eq(r.tools[0], "run_shell");
	str_eq(r.tools[1], "read_file");
	str_eq(r.tools[2], "legacy_fn");
	llm_request_release(&r);
	assert_null(r.msgs);
	assert_int_equal(r.nmsgs, 0);
	llm_request_release(&r); /* twice is harmless */
	llm_request_release(NULL);
	free(body);
}

/* Items: messages, consecutive function_calls merged into one turn, outputs, skipped reasoning. */
static void test_llm_responses_request(void **state)
{
	struct llm_request r;
	struct http_msg m;
	size_t len;
	char *body = load("responses_request.json", &len);

	(void)state;
	mkreq(&m, "POST", "/v1/responses", body, len);
	assert_int_equal(llm_request_parse(&m, &r), 0);
	assert_int_equal(r.api, LLM_OPENAI_RESPONSES);
	str_eq(r.model, "gpt-4.1");
	assert_false(r.stream);
	str_eq(r.system_prompt, "Be terse.\n\nUse tools when needed.");
	assert_int_equal(r.nmsgs, 6);
	msg_eq(&r.msgs[0], "user", "Fix the build\n[image]", NULL, 0);
	msg_eq(&r.msgs[1], "assistant", "", NULL, 2);
	call_eq(&r.msgs[1].tool_calls[0], "call_1", "run_shell", "{\"cmd\":\"make\"}");
	call_eq(&r.msgs[1].tool_calls[1], "call_2", "read_file", "{\"path\":\"Makefile\"}");
	msg_eq(&r.msgs[2], "tool", "error: x", "call_1", 0);
	msg_eq(&r.msgs[3], "tool", "all: x", "call_2", 0);
	msg_eq(&r.msgs[4], "assistant", "The build fails.", NULL, 0);
	msg_eq(&r.msgs[5], "assistant", "", NULL, 1);
	call_eq(&r.msgs[5].tool_calls[0], "call_3", "run_shell", "{}");
	assert_int_equal(r.ntools, 3);
	str_eq(r.tools[0], "run_shell");
	str_eq(r.tools[1], "read_file");
	str_eq(r.tools[2], "web_search_preview");
	llm_request_release(&r);
	free(body);
}

static void test_llm_responses_request_string(void **state)
{
	static const char body[] =
	    "{\"model\":\"o4-mini\",\"input\":\"Tell me a joke\",\"stream\":true}";
	struct llm_request r;
	struct http_msg m;

	(void)state;
	mkreq(&m, "POST", "/v1/responses", body, strlen(body));
	assert_int_equal(llm_request_parse(&m, &r), 0);
	str_eq(r.model, "o4-mini");
	assert_true(r.stream);
	assert_null(r.system_prompt);
	assert_int_equal(r.nmsgs, 1);
	msg_eq(&r.msgs[0], "user", "Tell me a joke", NULL, 0);
	assert_int_equal(r.ntools, 0);
	assert_int_equal(r.body_len, strlen(body));
	llm_request_release(&r);
}

/* tool_use blocks become calls; tool_result blocks messages of their own, ahead of the rest. */
static void test_llm_anthropic_request(void **state)
{
	struct llm_request r;
	struct http_msg m;
	size_t len;
	char *body = load("anthropic_request.json", &len);

	(void)state;
	mkreq(&m, "POST", "/v1/messages?beta=true", body, len);
	assert_int_equal(llm_request_parse(&m, &r), 0);
	assert_int_equal(r.api, LLM_ANTHROPIC);
	str_eq(r.model, "claude-sonnet-4-20250514");
	assert_true(r.stream);
	str_eq(r.system_prompt, "You are Claude Code.\nBe careful.");
	assert_int_equal(r.nmsgs, 6);
	msg_eq(&r.msgs[0], "user", "List the files", NULL, 0);
	msg_eq(&r.msgs[1], "assistant", "Running ls.", NULL, 2);
	call_eq(&r.msgs[1].tool_calls[0], "toolu_01", "Bash", "{\"command\":\"ls\",\"timeout\":5}");
	call_eq(&r.msgs[1].tool_calls[1], "toolu_02", "Read", "{}");
	msg_eq(&r.msgs[2], "tool", "a.txt", "toolu_01", 0);
	msg_eq(&r.msgs[3], "tool", "line1\n[image]", "toolu_02", 0);
	msg_eq(&r.msgs[4], "tool", "done", "toolu_03", 0);
	msg_eq(&r.msgs[5], "user", "Now summarize.\n[image]", NULL, 0);
	assert_int_equal(r.ntools, 2);
	str_eq(r.tools[0], "Bash");
	str_eq(r.tools[1], "Read");
	llm_request_release(&r);
	free(body);
}

static void test_llm_anthropic_request_system_string(void **state)
{
	static const char body[] =
	    "{\"model\":\"claude-3-5-haiku-latest\",\"system\":\"Be brief.\","
	    "\"messages\":[{\"role\":\"user\",\"content\":[]}]}";
	struct llm_request r;
	struct http_msg m;

	(void)state;
	mkreq(&m, "POST", "/v1/messages", body, strlen(body));
	assert_int_equal(llm_request_parse(&m, &r), 0);
	str_eq(r.system_prompt, "Be brief.");
	assert_false(r.stream);
	assert_int_equal(r.nmsgs, 1);
	msg_eq(&r.msgs[0], "user", "", NULL, 0);
	llm_request_release(&r);
}

static const struct {
	const char *method, *path, *body;
	int err;
} bad_req_cases[] = {
    {"POST", "/v1/chat/completions", NULL, -EINVAL},
    {"POST", "/v1/chat/completions", "", -EINVAL},
    {"POST", "/v1/chat/completions", "not json", -EINVAL},
    {"POST", "/v1/chat/completions", "[1,2,3]", -EINVAL},
    {"POST", "/v1/chat/completions", "\"str\"", -EINVAL},
    {"POST", "/v1/messages", "{\"model\":\"x\",\"messages\":[", -EINVAL},
    {"GET", "/v1/chat/completions", "{}", -ENOENT},
    {"POST", "/v1/embeddings", "{\"model\":\"x\"}", -ENOENT},
};

/* Failures keep only api and body_len: nothing to leak if the caller drops the request. */
static void test_llm_request_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_req_cases) / sizeof(bad_req_cases[0]); i++) {
		const char *b = bad_req_cases[i].body;
		struct llm_request r;
		struct http_msg m;

		mkreq(&m, bad_req_cases[i].method, bad_req_cases[i].path, b, b ? strlen(b) : 0);
		if (llm_request_parse(&m, &r) != bad_req_cases[i].err)
			fail_msg("case %zu", i);
		assert_null(r.model);
		assert_null(r.msgs);
		assert_null(r.tools);
		assert_int_equal(r.body_len, b ? strlen(b) : 0);
		llm_request_release(&r);
	}
}

/* Members of the wrong JSON type are skipped or read as empty, never dereferenced. */
static void test_llm_request_wrong_types(void **state)
{
	static const char body[] =
	    "{\"model\":5,\"stream\":\"yes\",\"messages\":[1,null,\"x\",{\"role\":7,"
	    "\"content\":{\"a\":1},\"tool_calls\":{\"id\":1},\"tool_call_id\":3},"
	    "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":9,"
	    "\"arguments\":{\"k\":[1,2]}}}]}],\"tools\":[null,{\"function\":\"f\"},{\"type\":1},"
	    "{\"type\":\"function\"}]}";
	struct llm_request r;
	struct http_msg m;

	(void)state;
	mkreq(&m, "POST", "/v1/chat/completions", body, strlen(body));
	assert_int_equal(llm_request_parse(&m, &r), 0);
	assert_null(r.model);
	assert_false(r.stream);
	assert_int_equal(r.nmsgs, 5);
	msg_eq(&r.msgs[0], "", "", NULL, 0);
	msg_eq(&r.msgs[3], "", "", NULL, 0);
	msg_eq(&r.msgs[4], "assistant", "", NULL, 1);
	/* arguments sent as an object rather than the usual JSON text are printed */
	call_eq(&r.msgs[4].tool_calls[0], "c", NULL, "{\"k\":[1,2]}");
	assert_int_equal(r.ntools, 0);
	llm_request_release(&r);
}

/* A key pasted anywhere in a conversation leaves as [REDACTED]. */
static void test_llm_request_redacts(void **state)
{
	static const char body[] =
	    "{\"model\":\"gpt-4o\",\"messages\":["
	    "{\"role\":\"system\",\"content\":\"key=" KEY "\"},"
	    "{\"role\":\"user\",\"content\":\"my key is " KEY ", use it\"},"
	    "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"call_1\",\"function\":"
	    "{\"name\":\"run_shell\",\"arguments\":\"{\\\"env\\\":\\\"OPENAI_API_KEY=" KEY
	    "\\\"}\"}}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":[{\"type\":\"text\","
	    "\"text\":\"Authorization: Bearer " KEY "\"}]}]}";
	struct llm_request r;
	struct http_msg m;
	char *json;
	cJSON *o;

	(void)state;
	mkreq(&m, "POST", "/v1/chat/completions", body, strlen(body));
	assert_int_equal(llm_request_parse(&m, &r), 0);
	no_key_req(&r);
	str_eq(r.system_prompt, "key=[REDACTED]");
	msg_eq(&r.msgs[0], "user", "my key is [REDACTED], use it", NULL, 0);
	call_eq(&r.msgs[1].tool_calls[0], "call_1", "run_shell",
		"{\"env\":\"OPENAI_API_KEY=[REDACTED]\"}");
	msg_eq(&r.msgs[2], "tool", "Authorization: Bearer [REDACTED]", "call_1", 0);
	o = llm_context_json(&r);
	assert_non_null(o);
	json = cJSON_PrintUnformatted(o);
	assert_non_null(json);
	no_key(json);
	assert_non_null(strstr(json, "my key is [REDACTED], use it"));
	free(json);
	cJSON_Delete(o);
	llm_request_release(&r);
}

/* A non-streamed chat completion with a tool call and usage. */
static void test_llm_chat_response(void **state)
{
	static const char body[] =
	    "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini-2024-07-"
	    "18\","
	    "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
	    "\"tool_calls\":[{\"id\":\"call_A\",\"type\":\"function\",\"function\":{\"name\":"
	    "\"run_shell\",\"arguments\":\"{\\\"cmd\\\":\\\"ls\\\"}\"}}]},\"finish_reason\":"
	    "\"tool_calls\"}],\"usage\":{\"prompt_tokens\":1523,\"completion_tokens\":87,"
	    "\"total_tokens\":1610}}";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, "application/json", body, strlen(body), true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_CHAT, &m, &r), 0);
	assert_int_equal(r.api, LLM_OPENAI_CHAT);
	assert_int_equal(r.status, 200);
	assert_false(r.stream);
	assert_true(r.complete);
	str_eq(r.model, "gpt-4o-mini-2024-07-18");
	str_eq(r.content, "");
	str_eq(r.finish_reason, "tool_calls");
	assert_int_equal(r.ntool_calls, 1);
	call_eq(&r.tool_calls[0], "call_A", "run_shell", "{\"cmd\":\"ls\"}");
	assert_int_equal(r.request_tokens, 1523);
	assert_int_equal(r.response_tokens, 87);
	assert_int_equal(r.total_tokens, 1610);
	assert_int_equal(r.first_token_off, SIZE_MAX);
	assert_null(r.error);
	llm_response_release(&r);
	assert_null(r.content);
	llm_response_release(&r);
	llm_response_release(NULL);
}

static void test_llm_chat_response_text_no_usage(void **state)
{
	static const char body[] = "{\"model\":\"llama3\",\"choices\":[{\"message\":{\"role\":"
				   "\"assistant\",\"content\":\"Hi there\"},\"finish_reason\":"
				   "\"stop\"}]}";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, NULL, body, strlen(body), true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_CHAT, &m, &r), 0);
	str_eq(r.content, "Hi there");
	str_eq(r.finish_reason, "stop");
	assert_int_equal(r.ntool_calls, 0);
	assert_int_equal(r.request_tokens, -1);
	assert_int_equal(r.response_tokens, -1);
	assert_int_equal(r.total_tokens, -1);
	llm_response_release(&r);
}

/* Two parallel tool calls whose arguments arrive interleaved, a usage chunk, [DONE]. */
static void test_llm_chat_stream_tools(void **state)
{
	struct llm_response r;
	struct http_header h;
	struct http_msg m;
	size_t len;
	char *body = load("chat_stream_tools.sse", &len);

	(void)state;
	mkresp(&m, &h, 200, "text/event-stream; charset=utf-8", body, len, true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_CHAT, &m, &r), 0);
	assert_true(r.stream);
	str_eq(r.model, "gpt-4o-mini-2024-07-18");
	str_eq(r.content, "");
	str_eq(r.finish_reason, "tool_calls");
	assert_int_equal(r.ntool_calls, 2);
	call_eq(&r.tool_calls[0], "call_A", "run_shell", "{\"cmd\":\"ls -la\"}");
	call_eq(&r.tool_calls[1], "call_B", "read_file", "{\"path\":\"/etc/hosts\"}");
	assert_int_equal(r.request_tokens, 1523);
	assert_int_equal(r.response_tokens, 87);
	assert_int_equal(r.total_tokens, 1610);
	/* the role chunk carries nothing; the first tool call's name does */
	assert_int_equal(r.first_token_off, line_of(body, "\"id\":\"call_A\""));
	llm_response_release(&r);
	free(body);
}

#define CHAT_E0 ": OPENROUTER PROCESSING\r\n\r\n"
#define CHAT_E1                                                                                    \
	"data: {\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","     \
	"\"content\":\"\"}}]}\r\n\r\n"
/* one event in two data lines, joined with "\n" (JSON whitespace) */
#define CHAT_E2                                                                                    \
	"data: {\"model\":\"m1\",\"choices\":[{\"index\":0,\r\n"                                   \
	"data: \"delta\":{\"content\":\"Hel\"}}]}\r\n\r\n"
#define CHAT_E3                                                                                    \
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":"       \
	"\"stop\"}]}\r\n\r\n"
#define CHAT_E4 "data: [DONE]\r\n\r\n"
#define CHAT_E5                                                                                    \
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" after done\"}}]}\r\n\r\n"

/* CRLF, a comment, a multi-line event, [DONE] ending it; TTFT from the marks. */
static void test_llm_chat_stream_text(void **state)
{
	static const char body[] = CHAT_E0 CHAT_E1 CHAT_E2 CHAT_E3 CHAT_E4 CHAT_E5;
	const size_t first = strlen(CHAT_E0 CHAT_E1);
	struct http_mark marks[] = {
	    {.off = first, .ts = 1100},
	    {.off = first + 40, .ts = 1250},
	    {.off = sizeof(body) - 1, .ts = 1400},
	};
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, "text/event-stream", body, strlen(body), true);
	m.ts_start = 1000;
	m.ts_end = 1400;
	m.marks = marks;
	m.nmarks = 3;
	assert_int_equal(llm_response_parse(LLM_OPENAI_CHAT, &m, &r), 0);
	str_eq(r.content, "Hello");
	str_eq(r.model, "m1");
	str_eq(r.finish_reason, "stop");
	assert_int_equal(r.ntool_calls, 0);
	assert_int_equal(r.first_token_off, 117);
	assert_int_equal(r.first_token_off, first);
	/* the byte at `first` came with the second feed */
	assert_int_equal(http_msg_time_at(&m, r.first_token_off), 1250);
	assert_int_equal(r.request_tokens, -1);
	llm_response_release(&r);
}

/* Cut mid-event: what was assembled stays, the half event is dropped. */
static void test_llm_chat_stream_cut(void **state)
{
	size_t len, cut;
	char *body = load("chat_stream_tools.sse", &len);
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	/* inside the event that ends the second call's arguments */
	cut = line_of(body, "\"arguments\":\"\\\"/etc/hosts\\\"}\"") + 60;
	mkresp(&m, &h, 200, NULL, body, cut, false);
	assert_int_equal(llm_response_parse(LLM_OPENAI_CHAT, &m, &r), 0);
	assert_true(r.stream);
	assert_false(r.complete);
	assert_int_equal(r.ntool_calls, 2);
	call_eq(&r.tool_calls[0], "call_A", "run_shell", "{\"cmd\":\"ls -la\"}");
	call_eq(&r.tool_calls[1], "call_B", "read_file", "{\"path\":");
	assert_null(r.finish_reason);
	assert_int_equal(r.request_tokens, -1);
	assert_int_equal(r.response_tokens, -1);
	assert_int_equal(r.total_tokens, -1);
	llm_response_release(&r);
	free(body);
}

/* A stream error chunk, and a key split across two deltas that only the whole text shows. */
static void test_llm_chat_stream_error_and_split_key(void **state)
{
	static const char body[] =
	    "data: {\"choices\":[{\"delta\":{\"content\":\"key: sk-proj-AbCdEfGhIj\"}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{\"content\":\"KlMnOpQrSt0123456789 ok\"}}]}\n\n"
	    "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}"
	    "\n\n";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, NULL, body, strlen(body), true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_CHAT, &m, &r), 0);
	str_eq(r.content, "key: [REDACTED] ok");
	str_eq(r.error, "The server had an error");
	assert_int_equal(r.first_token_off, 0);
	no_key_resp(&r);
	llm_response_release(&r);
}

static void test_llm_responses_response(void **state)
{
	static const char body[] =
	    "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"error\":null,"
	    "\"model\":\"gpt-4.1-2025-04-14\",\"output\":[{\"type\":\"reasoning\",\"id\":\"rs_1\","
	    "\"summary\":[]},{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":"
	    "\"output_text\",\"text\":\"Part one.\"},{\"type\":\"output_text\",\"text\":\"Part "
	    "two.\"}]},{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":"
	    "\"run_shell\",\"arguments\":\"{\\\"cmd\\\":\\\"ls\\\"}\"}],\"usage\":{\"input_"
	    "tokens\":"
	    "100,\"output_tokens\":20,\"total_tokens\":120}}";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, "application/json", body, strlen(body), true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_RESPONSES, &m, &r), 0);
	str_eq(r.model, "gpt-4.1-2025-04-14");
	str_eq(r.content, "Part one.\nPart two.");
	str_eq(r.finish_reason, "completed");
	assert_int_equal(r.ntool_calls, 1);
	call_eq(&r.tool_calls[0], "call_1", "run_shell", "{\"cmd\":\"ls\"}");
	assert_int_equal(r.request_tokens, 100);
	assert_int_equal(r.response_tokens, 20);
	assert_int_equal(r.total_tokens, 120);
	assert_null(r.error);
	llm_response_release(&r);
}

static void test_llm_responses_response_incomplete(void **state)
{
	static const char body[] =
	    "{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},"
	    "\"model\":\"o3\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":"
	    "\"output_text\",\"text\":\"Trunc\"}]}],\"usage\":{\"input_tokens\":5,"
	    "\"output_tokens\":16}}";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, "application/json", body, strlen(body), true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_RESPONSES, &m, &r), 0);
	str_eq(r.finish_reason, "max_output_tokens");
	str_eq(r.content, "Trunc");
	assert_int_equal(r.request_tokens, 5);
	assert_int_equal(r.response_tokens, 16);
	assert_int_equal(r.total_tokens, 21); /* no total sent: the sum */
	llm_response_release(&r);
}

static void test_llm_responses_stream(void **state)
{
	struct llm_response r;
	struct http_header h;
	struct http_msg m;
	size_t len;
	char *body = load("responses_stream.sse", &len);

	(void)state;
	mkresp(&m, &h, 200, "text/event-stream", body, len, true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_RESPONSES, &m, &r), 0);
	assert_true(r.stream);
	str_eq(r.model, "gpt-4.1-2025-04-14");
	str_eq(r.content, "Let me check.");
	str_eq(r.finish_reason, "completed");
	assert_int_equal(r.ntool_calls, 1);
	call_eq(&r.tool_calls[0], "call_X", "run_shell", "{\"cmd\":\"make\"}");
	assert_int_equal(r.request_tokens, 321);
	assert_int_equal(r.response_tokens, 25);
	assert_int_equal(r.total_tokens, 346);
	assert_int_equal(r.first_token_off, line_of(body, "event: response.output_text.delta"));
	llm_response_release(&r);
	free(body);
}

/* Cut before response.completed: the deltas alone give text and arguments. */
static void test_llm_responses_stream_cut(void **state)
{
	struct llm_response r;
	struct http_header h;
	struct http_msg m;
	size_t len;
	char *body = load("responses_stream.sse", &len);

	(void)state;
	mkresp(&m, &h, 200, "text/event-stream", body,
	       line_of(body, "event: response.function_call_arguments.done"), false);
	assert_int_equal(llm_response_parse(LLM_OPENAI_RESPONSES, &m, &r), 0);
	str_eq(r.model, "gpt-4.1-2025-04-14");
	str_eq(r.content, "Let me check.");
	assert_null(r.finish_reason);
	assert_int_equal(r.ntool_calls, 1);
	call_eq(&r.tool_calls[0], "call_X", "run_shell", "{\"cmd\":\"make\"}");
	assert_int_equal(r.request_tokens, -1);
	assert_false(r.complete);
	llm_response_release(&r);
	free(body);
}

/* Function-call deltas named by item_id only, a failed response with its error. */
static void test_llm_responses_stream_failed(void **state)
{
	static const char body[] =
	    "event: response.output_item.added\n"
	    "data: {\"type\":\"response.output_item.added\",\"item\":{\"id\":\"fc_9\",\"type\":"
	    "\"function_call\",\"call_id\":\"call_9\",\"name\":\"grep\",\"arguments\":\"\"}}\n\n"
	    "event: response.function_call_arguments.delta\n"
	    "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_9\","
	    "\"delta\":\"{}\"}\n\n"
	    "event: response.failed\n"
	    "data: {\"type\":\"response.failed\",\"response\":{\"status\":\"failed\",\"model\":"
	    "\"gpt-5\",\"error\":{\"code\":\"server_error\",\"message\":\"Something went wrong\"},"
	    "\"output\":[],\"usage\":null}}\n\n";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, "text/event-stream", body, strlen(body), true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_RESPONSES, &m, &r), 0);
	str_eq(r.model, "gpt-5");
	str_eq(r.finish_reason, "failed");
	str_eq(r.error, "Something went wrong");
	assert_int_equal(r.ntool_calls, 1);
	call_eq(&r.tool_calls[0], "call_9", "grep", "{}");
	assert_int_equal(r.first_token_off, 0);
	assert_int_equal(r.total_tokens, -1);
	llm_response_release(&r);
}

static void test_llm_anthropic_response(void **state)
{
	static const char body[] =
	    "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
	    "\"claude-opus-4-1-20250805\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\"},"
	    "{\"type\":\"text\",\"text\":\"Listing.\"},{\"type\":\"text\",\"text\":\"Now.\"},"
	    "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"Bash\",\"input\":{\"command\":"
	    "\"ls\"}}],\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":10,"
	    "\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":100,\"output_tokens\":"
	    "20}}";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, "application/json", body, strlen(body), true);
	assert_int_equal(llm_response_parse(LLM_ANTHROPIC, &m, &r), 0);
	str_eq(r.model, "claude-opus-4-1-20250805");
	str_eq(r.content, "Listing.\nNow.");
	str_eq(r.finish_reason, "tool_use");
	assert_int_equal(r.ntool_calls, 1);
	call_eq(&r.tool_calls[0], "toolu_01", "Bash", "{\"command\":\"ls\"}");
	assert_int_equal(r.request_tokens, 115); /* input + cache writes + cache reads */
	assert_int_equal(r.response_tokens, 20);
	assert_int_equal(r.total_tokens, 135);
	llm_response_release(&r);
}

static void test_llm_anthropic_stream(void **state)
{
	struct llm_response r;
	struct http_header h;
	struct http_msg m;
	size_t len;
	char *body = load("anthropic_stream.sse", &len);

	(void)state;
	mkresp(&m, &h, 200, "text/event-stream; charset=utf-8", body, len, true);
	assert_int_equal(llm_response_parse(LLM_ANTHROPIC, &m, &r), 0);
	assert_true(r.stream);
	str_eq(r.model, "claude-sonnet-4-20250514");
	str_eq(r.content, "I'll list the files.");
	str_eq(r.finish_reason, "tool_use");
	assert_int_equal(r.ntool_calls, 2);
	call_eq(&r.tool_calls[0], "toolu_01", "Bash", "{\"command\": \"ls -la\"}");
	/* a tool without parameters streams no input_json_delta: the start block's input */
	call_eq(&r.tool_calls[1], "toolu_02", "Status", "{}");
	assert_int_equal(r.request_tokens, 2112);
	assert_int_equal(r.response_tokens, 87);
	assert_int_equal(r.total_tokens, 2199);
	/* the empty text block's start and the ping carry no token */
	assert_int_equal(r.first_token_off, line_of(body, "event: content_block_delta"));
	llm_response_release(&r);
	free(body);
}

static void test_llm_anthropic_stream_cut(void **state)
{
	struct llm_response r;
	struct http_header h;
	struct http_msg m;
	size_t len;
	char *body = load("anthropic_stream.sse", &len);

	(void)state;
	/* in the middle of the data line of the second partial_json event */
	mkresp(&m, &h, 200, "text/event-stream", body,
	       line_of(body, "\"partial_json\":\"s -la") + 30, false);
	assert_int_equal(llm_response_parse(LLM_ANTHROPIC, &m, &r), 0);
	str_eq(r.content, "I'll list the files.");
	assert_int_equal(r.ntool_calls, 1);
	call_eq(&r.tool_calls[0], "toolu_01", "Bash", "{\"command\": \"l");
	assert_null(r.finish_reason);
	/* message_start's counts: the output so far */
	assert_int_equal(r.request_tokens, 2112);
	assert_int_equal(r.response_tokens, 1);
	assert_int_equal(r.total_tokens, 2113);
	llm_response_release(&r);
	free(body);
}

/* An error event mid-stream, LF-less lone CR line ends, no content-type. */
static void test_llm_anthropic_stream_error(void **state)
{
	static const char body[] =
	    "event: message_start\r"
	    "data: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-x\",\"usage\":"
	    "{\"input_tokens\":3,\"output_tokens\":1}}}\r\r"
	    "event: content_block_delta\r"
	    "data: "
	    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
	    "\"text\":\"Hi\"}}\r\r"
	    "event: error\r"
	    "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
	    "\"Overloaded\"}}\r\r";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, NULL, body, strlen(body), true);
	assert_int_equal(llm_response_parse(LLM_ANTHROPIC, &m, &r), 0);
	assert_true(r.stream);
	str_eq(r.model, "claude-x");
	str_eq(r.content, "Hi");
	str_eq(r.error, "Overloaded");
	assert_int_equal(r.first_token_off,
			 (size_t)(strstr(body, "event: content_block_delta") - body));
	assert_int_equal(r.request_tokens, 3);
	assert_int_equal(r.response_tokens, 1);
	llm_response_release(&r);
}

/* Text parts of a stream join with "\n" as in plain bodies; choices other than 0 are not ours. */
static void test_llm_stream_text_parts(void **state)
{
	static const char anthropic[] =
	    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
	    "\"text_delta\",\"text\":\"A\"}}\n\n"
	    "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":"
	    "\"tool_use\",\"id\":\"t\",\"name\":\"n\"}}\n\n"
	    "data: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":"
	    "\"text\",\"text\":\"B\"}}\n\n"
	    "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":"
	    "\"text_delta\",\"text\":\"C\"}}\n\n";
	static const char responses[] =
	    "data: {\"type\":\"response.output_text.delta\",\"output_index\":0,"
	    "\"content_index\":0,\"delta\":\"X\"}\n\n"
	    "data: {\"type\":\"response.output_text.delta\",\"output_index\":0,"
	    "\"content_index\":0,\"delta\":\"x\"}\n\n"
	    "data: {\"type\":\"response.output_text.delta\",\"output_index\":1,"
	    "\"content_index\":0,\"delta\":\"Y\"}\n\n";
	static const char chat[] =
	    "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"other\"}}]}\n\n"
	    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"mine\"}}]}\n\n"
	    "data: {\"choices\":[{\"index\":1,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"
	    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, "text/event-stream", anthropic, strlen(anthropic), false);
	assert_int_equal(llm_response_parse(LLM_ANTHROPIC, &m, &r), 0);
	str_eq(r.content, "A\nBC");
	assert_int_equal(r.ntool_calls, 1);
	call_eq(&r.tool_calls[0], "t", "n", "");
	llm_response_release(&r);
	mkresp(&m, &h, 200, "text/event-stream", responses, strlen(responses), false);
	assert_int_equal(llm_response_parse(LLM_OPENAI_RESPONSES, &m, &r), 0);
	str_eq(r.content, "Xx\nY");
	llm_response_release(&r);
	mkresp(&m, &h, 200, "text/event-stream", chat, strlen(chat), true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_CHAT, &m, &r), 0);
	str_eq(r.content, "mine");
	str_eq(r.finish_reason, "stop");
	assert_int_equal(r.first_token_off, line_of(chat, "mine"));
	llm_response_release(&r);
}

static const struct {
	enum llm_api api;
	int status;
	const char *ctype, *body;
	int ret;
	const char *error;
	bool stream;
} err_cases[] = {
    {LLM_OPENAI_CHAT, 401, "application/json",
     "{\"error\":{\"message\":\"Incorrect API key provided: " KEY ". You can find your API key "
     "at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\","
     "\"param\":null,\"code\":\"invalid_api_key\"}}",
     0,
     "Incorrect API key provided: [REDACTED]. You can find your API key at "
     "https://platform.openai.com/account/api-keys.",
     false},
    {LLM_ANTHROPIC, 529, "application/json",
     "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}", 0,
     "Overloaded", false},
    {LLM_OPENAI_RESPONSES, 429, NULL, "{\"error\":\"rate limited\"}", 0, "rate limited", false},
    {LLM_OPENAI_CHAT, 502, "text/html", "<html><body>Bad gateway</body></html>", 0, NULL, false},
    {LLM_ANTHROPIC, 500, NULL, "", 0, NULL, false},
    {LLM_OPENAI_CHAT, 404, "application/json", "{\"detail\":\"Not Found\"}", 0, NULL, false},
    {LLM_OPENAI_CHAT, 200, "application/json", "{\"choices\":[{\"message\":", -EINVAL, NULL, false},
    {LLM_OPENAI_CHAT, 200, "application/json", "", -EINVAL, NULL, false},
    {LLM_OPENAI_CHAT, 200, "application/json", "[]", -EINVAL, NULL, false},
    {LLM_ANTHROPIC, 200, "text/event-stream", "", -EINVAL, NULL, true},
    {LLM_ANTHROPIC, 200, "text/event-stream", "event: ping\n\n: keepalive\n\n", -EINVAL, NULL,
     true},
    {LLM_ANTHROPIC, 503, "text/event-stream", "garbage", 0, NULL, true},
    /* a JSON error under a text/event-stream header is read as JSON */
    {LLM_OPENAI_CHAT, 400, "text/event-stream", " {\"error\":{\"message\":\"bad model\"}}", 0,
     "bad model", false},
    {LLM_GEMINI, 400, "application/json; charset=UTF-8",
     "{\n  \"error\": {\n    \"code\": 400,\n    \"message\": \"API key not valid. Please pass a "
     "valid API key.\",\n    \"status\": \"INVALID_ARGUMENT\",\n    \"details\": [{\"@type\": "
     "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\": \"API_KEY_INVALID\"}]\n  }\n}\n",
     0, "API key not valid. Please pass a valid API key.", false},
    /* :streamGenerateContent without alt=sse answers errors as an array too */
    {LLM_GEMINI, 429, "application/json",
     "[{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted\",\"status\":"
     "\"RESOURCE_EXHAUSTED\"}}]",
     0, "Resource has been exhausted", false},
    {LLM_GEMINI, 200, "text/event-stream", "", -EINVAL, NULL, true},
    {LLM_GEMINI, 200, "application/json", "\"text\"", -EINVAL, NULL, false},
};

static void test_llm_error_bodies(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		struct llm_response r;
		struct http_header h;
		struct http_msg m;

		mkresp(&m, &h, err_cases[i].status, err_cases[i].ctype, err_cases[i].body,
		       strlen(err_cases[i].body), true);
		if (llm_response_parse(err_cases[i].api, &m, &r) != err_cases[i].ret)
			fail_msg("case %zu: return", i);
		assert_int_equal(r.status, err_cases[i].status);
		str_eq(r.error, err_cases[i].error);
		assert_int_equal(r.stream, err_cases[i].stream);
		str_eq(r.content, "");
		assert_int_equal(r.ntool_calls, 0);
		assert_int_equal(r.request_tokens, -1);
		no_key_resp(&r);
		llm_response_release(&r);
	}
}

/* Gemini: a request as @google/genai sends one, model and stream flag from the path. */
static void test_llm_gemini_request(void **state)
{
	struct llm_request r;
	struct http_msg m;
	size_t len;
	char *body = load("gemini_request.json", &len);

	(void)state;
	mkreq(&m, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", body,
	      len);
	assert_int_equal(llm_request_parse(&m, &r), 0);
	assert_int_equal(r.api, LLM_GEMINI);
	str_eq(r.model, "gemini-2.5-flash");
	assert_true(r.stream);
	assert_int_equal(r.body_len, len);
	str_eq(r.system_prompt, "You are a coding agent.\nPrefer small diffs.");
	assert_int_equal(r.nmsgs, 7);
	msg_eq(&r.msgs[0], "user", "What is in this picture?\n[image]\n And list the files.", NULL,
	       0);
	/* the thought part is left out; no call ids: the name stands in, even where one was sent */
	msg_eq(&r.msgs[1], "assistant", "Listing.", NULL, 2);
	call_eq(&r.msgs[1].tool_calls[0], "run_shell", "run_shell", "{\"cmd\":\"ls\"}");
	call_eq(&r.msgs[1].tool_calls[1], "read_file", "read_file", "{\"path\":\"/etc/hosts\"}");
	msg_eq(&r.msgs[2], "tool", "{\"output\":\"a.txt\\nb.txt\"}", "run_shell", 0);
	msg_eq(&r.msgs[3], "tool", "{\"output\":\"127.0.0.1 localhost\"}", "read_file", 0);
	msg_eq(&r.msgs[4], "assistant", "Two files\n, and hosts.", NULL, 0);
	/* a turn without a role is the user's; its functionResponse goes first */
	msg_eq(&r.msgs[5], "tool", "{\"output\":\"c.txt\"}", "run_shell", 0);
	msg_eq(&r.msgs[6], "user", "Now summarize.", NULL, 0);
	assert_int_equal(r.ntools, 3);
	str_eq(r.tools[0], "run_shell");
	str_eq(r.tools[1], "read_file");
	str_eq(r.tools[2], "googleSearch");
	llm_request_release(&r);

	/* the same body to the plain method, Vertex-style */
	mkreq(&m, "POST",
	      "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:"
	      "generateContent",
	      body, len);
	assert_int_equal(llm_request_parse(&m, &r), 0);
	str_eq(r.model, "gemini-2.5-pro");
	assert_false(r.stream);
	assert_int_equal(r.nmsgs, 7);
	llm_request_release(&r);
	free(body);
}

/* The proto snake_case names (curl examples), a string systemInstruction, the next step's
 * functionResponse answering the previous response's call. */
static void test_llm_gemini_request_snake_case(void **state)
{
	static const char body[] =
	    "{\"system_instruction\":\"Be brief.\",\"contents\":[{\"role\":\"user\",\"parts\":[{"
	    "\"text\":\"list files\"},{\"file_data\":{\"mime_type\":\"audio/mp3\",\"file_uri\":"
	    "\"gs://b/a.mp3\"}}]},{\"role\":\"model\",\"parts\":[{\"function_call\":{\"name\":"
	    "\"run_shell\",\"args\":{\"cmd\":\"ls\"}}}]},{\"role\":\"user\",\"parts\":[{"
	    "\"function_response\":{\"name\":\"run_shell\",\"response\":{\"result\":\"a.txt\"}}}]}]"
	    ","
	    "\"tools\":[{\"function_declarations\":[{\"name\":\"run_shell\"}]}],\"model\":"
	    "\"ignored\"}";
	struct llm_request r;
	struct http_msg m;

	(void)state;
	mkreq(&m, "POST", "/v1beta/models/gemini-2.0-flash:generateContent?key=[REDACTED]", body,
	      strlen(body));
	assert_int_equal(llm_request_parse(&m, &r), 0);
	str_eq(r.model, "gemini-2.0-flash");
	assert_false(r.stream);
	str_eq(r.system_prompt, "Be brief.");
	assert_int_equal(r.nmsgs, 3);
	msg_eq(&r.msgs[0], "user", "list files\n[audio]", NULL, 0);
	msg_eq(&r.msgs[1], "assistant", "", NULL, 1);
	call_eq(&r.msgs[1].tool_calls[0], "run_shell", "run_shell", "{\"cmd\":\"ls\"}");
	msg_eq(&r.msgs[2], "tool", "{\"result\":\"a.txt\"}", "run_shell", 0);
	assert_int_equal(r.ntools, 1);
	str_eq(r.tools[0], "run_shell");
	llm_request_release(&r);
}

/* A plain generateContent answer of a thinking model: thoughts counted as response tokens. */
static void test_llm_gemini_response(void **state)
{
	static const char body[] =
	    "{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": [\n          "
	    "{\n "
	    "           \"text\": \"Hi \"\n          },\n          {\n            \"text\": "
	    "\"there.\"\n          }\n        ],\n        \"role\": \"model\"\n      },\n      "
	    "\"finishReason\": \"STOP\",\n      \"index\": 0\n    }\n  ],\n  \"usageMetadata\": "
	    "{\n "
	    "   \"promptTokenCount\": 9,\n    \"candidatesTokenCount\": 3,\n    "
	    "\"totalTokenCount\": "
	    "40,\n    \"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 9}],\n    "
	    "\"thoughtsTokenCount\": 28\n  },\n  \"modelVersion\": \"gemini-2.5-flash\",\n  "
	    "\"responseId\": \"Bn7GaLKJAc2\"\n}\n";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, "application/json; charset=UTF-8", body, strlen(body), true);
	assert_int_equal(llm_response_parse(LLM_GEMINI, &m, &r), 0);
	assert_int_equal(r.api, LLM_GEMINI);
	assert_false(r.stream);
	str_eq(r.model, "gemini-2.5-flash");
	str_eq(r.content, "Hi there.");
	str_eq(r.finish_reason, "STOP");
	assert_int_equal(r.ntool_calls, 0);
	assert_int_equal(r.request_tokens, 9);
	assert_int_equal(r.response_tokens, 31);
	assert_int_equal(r.total_tokens, 40);
	assert_int_equal(r.first_token_off, SIZE_MAX);
	assert_null(r.error);
	llm_response_release(&r);
}

/* alt=sse text deltas (CRLF events, no [DONE]): a thought chunk first, usage in every chunk and
 * the last one's wins, first token at the first chunk with answer text. */
static void test_llm_gemini_stream_text(void **state)
{
	struct llm_response r;
	struct http_header h;
	struct http_msg m;
	size_t len;
	char *body = load("gemini_stream.sse", &len);

	(void)state;
	mkresp(&m, &h, 200, "text/event-stream", body, len, true);
	assert_int_equal(llm_response_parse(LLM_GEMINI, &m, &r), 0);
	assert_true(r.stream);
	str_eq(r.model, "gemini-2.5-flash");
	str_eq(r.content, "Hello, world \xe2\x80\x94 \xe2\x9c\x93");
	str_eq(r.finish_reason, "STOP");
	assert_int_equal(r.request_tokens, 1523);
	assert_int_equal(r.response_tokens, 87 + 12);
	assert_int_equal(r.total_tokens, 1622);
	assert_int_equal(r.first_token_off, line_of(body, "\"Hello\""));
	llm_response_release(&r);

	/* cut after the second chunk: what arrived, with that chunk's partial usage */
	mkresp(&m, &h, 200, "text/event-stream", body, line_of(body, "\", wor\""), false);
	assert_int_equal(llm_response_parse(LLM_GEMINI, &m, &r), 0);
	assert_false(r.complete);
	str_eq(r.content, "Hello");
	assert_null(r.finish_reason);
	assert_int_equal(r.request_tokens, 1523);
	assert_int_equal(r.response_tokens, 13);
	assert_int_equal(r.total_tokens, 1536);
	llm_response_release(&r);
	free(body);
}

/* Whole functionCall parts (an id is not taken: see llm.h); an empty-text last chunk carries the
 * final usage. */
static void test_llm_gemini_stream_tools(void **state)
{
	struct llm_response r;
	struct http_header h;
	struct http_msg m;
	size_t len;
	char *body = load("gemini_stream_tools.sse", &len);

	(void)state;
	mkresp(&m, &h, 200, "text/event-stream", body, len, true);
	assert_int_equal(llm_response_parse(LLM_GEMINI, &m, &r), 0);
	assert_true(r.stream);
	str_eq(r.content, "");
	str_eq(r.finish_reason, "STOP");
	assert_int_equal(r.ntool_calls, 2);
	call_eq(&r.tool_calls[0], "run_shell", "run_shell", "{\"cmd\":\"ls -l\"}");
	call_eq(&r.tool_calls[1], "read_file", "read_file", "{\"path\":\"a.txt\"}");
	assert_int_equal(r.request_tokens, 310);
	assert_int_equal(r.response_tokens, 31);
	assert_int_equal(r.total_tokens, 341);
	assert_int_equal(r.first_token_off, 0);
	llm_response_release(&r);
	free(body);
}

/* :streamGenerateContent without alt=sse: one JSON array of the chunks; a blocked prompt. */
static void test_llm_gemini_array_and_blocked(void **state)
{
	static const char arr[] =
	    "[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"},"
	    "\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":5,\"totalTokenCount\":5},"
	    "\"modelVersion\":\"gemini-2.0-flash\"}\r\n,\r\n{\"candidates\":[{\"content\":{"
	    "\"parts\":[{"
	    "\"text\":\"lo\"}],\"role\":\"model\"},\"finishReason\":\"MAX_TOKENS\",\"index\":0}],"
	    "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":2,"
	    "\"totalTokenCount\":"
	    "7},\"modelVersion\":\"gemini-2.0-flash\"}]";
	static const char blocked[] =
	    "{\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":{"
	    "\"promptTokenCount\":"
	    "4,\"totalTokenCount\":4},\"modelVersion\":\"gemini-2.0-flash\"}";
	struct llm_response r;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkresp(&m, &h, 200, "application/json", arr, strlen(arr), true);
	assert_int_equal(llm_response_parse(LLM_GEMINI, &m, &r), 0);
	assert_false(r.stream);
	str_eq(r.content, "Hello");
	str_eq(r.finish_reason, "MAX_TOKENS");
	assert_int_equal(r.request_tokens, 5);
	assert_int_equal(r.response_tokens, 2);
	assert_int_equal(r.total_tokens, 7);
	assert_int_equal(r.first_token_off, SIZE_MAX);
	llm_response_release(&r);
	mkresp(&m, &h, 200, "application/json", blocked, strlen(blocked), true);
	assert_int_equal(llm_response_parse(LLM_GEMINI, &m, &r), 0);
	str_eq(r.content, "");
	str_eq(r.finish_reason, "SAFETY");
	assert_int_equal(r.request_tokens, 4);
	assert_int_equal(r.response_tokens, -1);
	assert_int_equal(r.total_tokens, 4);
	llm_response_release(&r);
}

/* gemini-cli logged in with a Google account: Code Assist wraps request and response chunks. */
static void test_llm_gemini_code_assist(void **state)
{
	static const char req_body[] =
	    "{\"model\":\"gemini-2.5-pro\",\"project\":\"p-123\",\"user_prompt_id\":"
	    "\"9f2c########1\",\"request\":{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":"
	    "\"hi\"}]}],\"systemInstruction\":{\"role\":\"user\",\"parts\":[{\"text\":\"You are "
	    "Gemini CLI.\"}]},\"tools\":[{\"functionDeclarations\":[{\"name\":\"read_file\"}]}],"
	    "\"generationConfig\":{\"temperature\":0},\"session_id\":\"s-1\"}}";
	static const char resp_body[] =
	    "data: {\"response\": {\"candidates\": [{\"content\": {\"role\": \"model\",\"parts\": "
	    "[{\"text\": \"Hel\"}]}}],\"usageMetadata\": {\"promptTokenCount\": "
	    "7,\"totalTokenCount\":"
	    " 7},\"modelVersion\": \"gemini-2.5-pro\"},\"traceId\": \"t1\"}\r\n\r\ndata: "
	    "{\"response\": "
	    "{\"candidates\": [{\"content\": {\"role\": \"model\",\"parts\": [{\"text\": \"lo\"}]},"
	    "\"finishReason\": \"STOP\"}],\"usageMetadata\": {\"promptTokenCount\": 7,"
	    "\"candidatesTokenCount\": 2,\"totalTokenCount\": 9},\"modelVersion\": "
	    "\"gemini-2.5-pro\"},\"traceId\": \"t1\"}\r\n\r\n";
	struct llm_request req;
	struct llm_response resp;
	struct http_header h;
	struct http_msg m;

	(void)state;
	mkreq(&m, "POST", "/v1internal:streamGenerateContent?alt=sse", req_body, strlen(req_body));
	assert_int_equal(llm_request_parse(&m, &req), 0);
	assert_int_equal(req.api, LLM_GEMINI);
	str_eq(req.model, "gemini-2.5-pro");
	assert_true(req.stream);
	str_eq(req.system_prompt, "You are Gemini CLI.");
	assert_int_equal(req.nmsgs, 1);
	msg_eq(&req.msgs[0], "user", "hi", NULL, 0);
	assert_int_equal(req.ntools, 1);
	str_eq(req.tools[0], "read_file");
	mkresp(&m, &h, 200, "text/event-stream", resp_body, strlen(resp_body), true);
	assert_int_equal(llm_response_parse(LLM_GEMINI, &m, &resp), 0);
	str_eq(resp.model, "gemini-2.5-pro");
	str_eq(resp.content, "Hello");
	str_eq(resp.finish_reason, "STOP");
	assert_int_equal(resp.request_tokens, 7);
	assert_int_equal(resp.response_tokens, 2);
	assert_int_equal(resp.total_tokens, 9);
	assert_int_equal(resp.first_token_off, 0);
	llm_request_release(&req);
	llm_response_release(&resp);
}

/* The payloads say "gemini.generate"; a key in the body is redacted like any other. */
static void test_llm_gemini_payloads(void **state)
{
	static const char req_body[] =
	    "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"my key is "
	    "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q\"}]}]}";
	static const char resp_body[] =
	    "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"run_shell\","
	    "\"args\":{\"cmd\":\"echo hi\"}}}],\"role\":\"model\"},\"finishReason\":\"STOP\","
	    "\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":13,\"candidatesTokenCount\":11,"
	    "\"totalTokenCount\":24},\"modelVersion\":\"gemini-2.5-flash\"}";
	struct llm_request req;
	struct llm_response resp;
	struct http_header h;
	struct http_msg m;
	char line[256];
	cJSON *o, *c;

	(void)state;
	mkreq(&m, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", req_body,
	      strlen(req_body));
	assert_int_equal(llm_request_parse(&m, &req), 0);
	str_eq(req.msgs[0].content, "my key is [REDACTED]");
	o = llm_context_json(&req);
	assert_non_null(o);
	str_eq(cJSON_GetObjectItem(o, "api")->valuestring, "gemini.generate");
	str_eq(cJSON_GetObjectItem(o, "model")->valuestring, "gemini-2.5-flash");
	cJSON_Delete(o);
	mkresp(&m, &h, 200, "application/json", resp_body, strlen(resp_body), true);
	assert_int_equal(llm_response_parse(LLM_GEMINI, &m, &resp), 0);
	o = llm_response_json(&req, &resp, 412000000, -1);
	assert_non_null(o);
	str_eq(cJSON_GetObjectItem(o, "api")->valuestring, "gemini.generate");
	assert_int_equal(jnum(o, "request_tokens"), 13);
	assert_int_equal(jnum(o, "response_tokens"), 11);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "tool_calls"), 0);
	str_eq(cJSON_GetObjectItem(c, "id")->valuestring, "run_shell");
	str_eq(cJSON_GetObjectItem(c, "arguments")->valuestring, "{\"cmd\":\"echo hi\"}");
	cJSON_Delete(o);
	llm_text(line, sizeof(line), &req, &resp, 412000000, -1);
	str_eq(line, "LLM gemini-2.5-flash 13\xe2\x86\x92"
		     "11 tokens 412 ms 200 tool_calls=[run_shell]");
	llm_request_release(&req);
	llm_response_release(&resp);
}

/* The context payload, parsed back. */
static void test_llm_context_json(void **state)
{
	static const char plain[] = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
	const cJSON *msgs, *m1, *tc;
	struct llm_request r;
	struct http_msg m;
	char *body, *text;
	cJSON *o, *back;
	size_t len;

	(void)state;
	body = load("chat_request.json", &len);
	mkreq(&m, "POST", "/v1/chat/completions", body, len);
	assert_int_equal(llm_request_parse(&m, &r), 0);
	o = llm_context_json(&r);
	assert_non_null(o);
	text = cJSON_PrintUnformatted(o);
	back = cJSON_Parse(text);
	assert_non_null(back);
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(back, "api")), "openai.chat");
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(back, "model")), "gpt-4o-mini");
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(back, "system_prompt")),
	       "You are a coding agent.\n\nPrefer small diffs.");
	assert_int_equal(jnum(back, "message_count"), 5);
	assert_int_equal(jnum(back, "request_bytes"), len);
	msgs = cJSON_GetObjectItem(back, "messages");
	assert_int_equal(cJSON_GetArraySize(msgs), 5);
	/* optional members only where set */
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0), "tool_call_id"));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0), "tool_calls"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetArrayItem(msgs, 0)), 2);
	m1 = cJSON_GetArrayItem(msgs, 1);
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(m1, "role")), "assistant");
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(m1, "content")), "");
	tc = cJSON_GetArrayItem(cJSON_GetObjectItem(m1, "tool_calls"), 1);
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(tc, "id")), "call_B");
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(tc, "name")), "read_file");
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(tc, "arguments")),
	       "{\"path\":\"/etc/hosts\"}");
	str_eq(
	    cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 2), "tool_call_id")),
	    "call_A");
	str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(back, "tools"), 2)),
	       "legacy_fn");
	free(text);
	cJSON_Delete(back);
	cJSON_Delete(o);
	llm_request_release(&r);
	free(body);

	/* no model, no system prompt: null; no tools: [] */
	mkreq(&m, "POST", "/v1/chat/completions", plain, strlen(plain));
	assert_int_equal(llm_request_parse(&m, &r), 0);
	o = llm_context_json(&r);
	assert_non_null(o);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "model")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "system_prompt")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "tools")), 0);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(o, "tools")));
	cJSON_Delete(o);
	llm_request_release(&r);
	assert_null(llm_context_json(NULL));
}

/* The llm payload, parsed back: a stream with tool calls, then an error with no model. */
static void test_llm_response_json(void **state)
{
	const cJSON *calls, *c;
	struct llm_request req;
	struct llm_response r;
	struct http_header h;
	struct http_msg m, qm;
	char *body, *rbody, *text;
	size_t len, rlen;
	cJSON *o, *back;

	(void)state;
	rbody = load("chat_request.json", &rlen);
	mkreq(&qm, "POST", "/v1/chat/completions", rbody, rlen);
	assert_int_equal(llm_request_parse(&qm, &req), 0);
	body = load("chat_stream_tools.sse", &len);
	mkresp(&m, &h, 200, "text/event-stream", body, len, true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_CHAT, &m, &r), 0);
	o = llm_response_json(&req, &r, 412000000, 95000000);
	assert_non_null(o);
	text = cJSON_PrintUnformatted(o);
	back = cJSON_Parse(text);
	assert_non_null(back);
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(back, "api")), "openai.chat");
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(back, "model")), "gpt-4o-mini-2024-07-18");
	assert_int_equal(jnum(back, "request_tokens"), 1523);
	assert_int_equal(jnum(back, "response_tokens"), 87);
	assert_int_equal(jnum(back, "total_tokens"), 1610);
	assert_int_equal(jnum(back, "latency"), 412000000);
	assert_int_equal(jnum(back, "ttft"), 95000000);
	assert_int_equal(jnum(back, "status"), 200);
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(back, "finish_reason")), "tool_calls");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(back, "stream")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(back, "complete")));
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(back, "content")), "");
	assert_null(cJSON_GetObjectItem(back, "error"));
	calls = cJSON_GetObjectItem(back, "tool_calls");
	assert_int_equal(cJSON_GetArraySize(calls), 2);
	c = cJSON_GetArrayItem(calls, 0);
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "id")), "call_A");
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "name")), "run_shell");
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "arguments")), "{\"cmd\":\"ls -la\"}");
	/* latency past 2^31 ns stays an exact integer */
	cJSON_Delete(o);
	o = llm_response_json(&req, &r, 5123456789ull, -1);
	free(text);
	text = cJSON_PrintUnformatted(o);
	assert_non_null(strstr(text, "\"latency\":5123456789,\"ttft\":-1,"));
	free(text);
	cJSON_Delete(o);
	cJSON_Delete(back);
	llm_response_release(&r);
	free(body);

	/* an error response: model from the request, error present, finish_reason null */
	mkresp(&m, &h, 401, "application/json", err_cases[0].body, strlen(err_cases[0].body), true);
	assert_int_equal(llm_response_parse(LLM_OPENAI_CHAT, &m, &r), 0);
	o = llm_response_json(&req, &r, 1000, -1);
	assert_non_null(o);
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(o, "model")), "gpt-4o-mini");
	str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(o, "error")), err_cases[0].error);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "finish_reason")));
	assert_int_equal(jnum(o, "request_tokens"), -1);
	assert_int_equal(jnum(o, "ttft"), -1);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(o, "stream")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "tool_calls")), 0);
	cJSON_Delete(o);
	/* no request at all */
	o = llm_response_json(NULL, &r, 1000, -1);
	assert_non_null(o);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "model")));
	cJSON_Delete(o);
	assert_null(llm_response_json(&req, NULL, 0, -1));
	llm_response_release(&r);
	llm_request_release(&req);
	free(rbody);
}

static struct llm_tool_call text_calls[] = {
    {.id = (char *)"c1", .name = (char *)"run_shell", .arguments = (char *)"{}"},
    {.id = (char *)"c2", .name = (char *)"read_file", .arguments = (char *)"{}"},
};

static const struct {
	const char *req_model, *resp_model;
	long long in, out;
	int status;
	size_t ncalls;
	bool stream, complete;
	const char *error;
	uint64_t latency;
	int64_t ttft;
	const char *want;
} text_cases[] = {
    {"gpt-4o-mini", NULL, 1523, 87, 200, 1, false, true, NULL, 412400000, -1,
     "LLM gpt-4o-mini 1523\xe2\x86\x92"
     "87 tokens 412 ms 200 tool_calls=[run_shell]"},
    {"gpt-4o", "gpt-4o-2024-08-06", 10, 2, 200, 2, false, true, NULL, 412500000, -1,
     "LLM gpt-4o-2024-08-06 10\xe2\x86\x92"
     "2 tokens 413 ms 200 tool_calls=[run_shell,read_file]"},
    {"gpt-4o", NULL, -1, -1, 200, 0, false, true, NULL, 499999, -1,
     "LLM gpt-4o ?\xe2\x86\x92? tokens 0 ms 200"},
    {"claude", NULL, 2112, -1, 200, 0, true, true, NULL, 1000000000, 95400000,
     "LLM claude 2112\xe2\x86\x92? tokens 1000 ms 200 stream ttft 95 ms"},
    {"claude", NULL, 1, 1, 200, 0, true, true, NULL, 1000000, -1,
     "LLM claude 1\xe2\x86\x92"
     "1 tokens 1 ms 200 stream"},
    {"gpt-4o-mini", NULL, -1, -1, 401, 0, false, true,
     "Incorrect API key provided: [REDACTED]. You can find your API key at "
     "https://platform.openai.com/account/api-keys.",
     88000000, -1,
     "LLM gpt-4o-mini ?\xe2\x86\x92? tokens 88 ms 401 error: Incorrect API key provided: "
     "[REDACTED]. You can find your API key at https://pla"},
    {NULL, NULL, 5, -1, 200, 0, true, false, "line\none", 2000000, 1000000,
     "LLM ? 5\xe2\x86\x92? tokens 2 ms 200 stream ttft 1 ms error: line one incomplete"},
    {"m", NULL, 0, 0, 0, 0, false, false, NULL, 0, -1,
     "LLM m 0\xe2\x86\x92"
     "0 tokens 0 ms 0 incomplete"},
    /* 80 characters of a multibyte message: none split */
    {"m", NULL, 1, 1, 500, 0, false, true,
     "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
     "0123456789012345678901234567890123456789012345678901234567890123456789XYZ",
     1000000, -1,
     "LLM m 1\xe2\x86\x92"
     "1 tokens 1 ms 500 error: \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
     "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
     "0123456789012345678901234567890123456789012345678901234567890123456789"},
};

static void test_llm_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		struct llm_request req = {.model = (char *)text_cases[i].req_model};
		struct llm_response resp = {
		    .model = (char *)text_cases[i].resp_model,
		    .request_tokens = text_cases[i].in,
		    .response_tokens = text_cases[i].out,
		    .status = text_cases[i].status,
		    .tool_calls = text_calls,
		    .ntool_calls = text_cases[i].ncalls,
		    .stream = text_cases[i].stream,
		    .complete = text_cases[i].complete,
		    .error = (char *)text_cases[i].error,
		};
		const char *want = text_cases[i].want;
		char buf[512];
		size_t n;

		n = llm_text(buf, sizeof(buf), &req, &resp, text_cases[i].latency,
			     text_cases[i].ttft);
		if (strcmp(buf, want))
			fail_msg("case %zu: got \"%s\"", i, buf);
		assert_int_equal(n, strlen(want));
	}
}

/* snprintf contract: the full length whatever fits, always terminated when n > 0. */
static void test_llm_text_truncation(void **state)
{
	static const char want[] = "LLM gpt-4o-mini 1523\xe2\x86\x92"
				   "87 tokens 412 ms 200 "
				   "tool_calls=[run_shell] stream ttft 95 ms";
	struct llm_request req = {.model = (char *)"gpt-4o-mini"};
	struct llm_response resp = {.request_tokens = 1523,
				    .response_tokens = 87,
				    .status = 200,
				    .tool_calls = text_calls,
				    .ntool_calls = 1,
				    .stream = true,
				    .complete = true};
	char buf[sizeof(want) + 8];
	size_t n;

	(void)state;
	assert_int_equal(llm_text(NULL, 0, &req, &resp, 412000000, 95000000), strlen(want));
	for (n = 1; n <= sizeof(buf); n++) {
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(llm_text(buf, n, &req, &resp, 412000000, 95000000), strlen(want));
		assert_int_equal(strlen(buf), n - 1 < strlen(want) ? n - 1 : strlen(want));
		assert_memory_equal(buf, want, strlen(buf));
		if (n < sizeof(buf))
			assert_int_equal(buf[n], 'Z');
	}
	/* no request, no model anywhere */
	n = llm_text(buf, sizeof(buf), NULL, &resp, 0, -1);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "LLM ? 1523\xe2\x86\x92"
				 "87 tokens 0 ms 200 tool_calls=[run_shell] "
				 "stream");
}

static const char *const fixture_names[] = {
    "chat_request.json",    "responses_request.json", "anthropic_request.json",
    "gemini_request.json",  "chat_stream_tools.sse",  "responses_stream.sse",
    "anthropic_stream.sse", "gemini_stream.sse",      "gemini_stream_tools.sse",
};

/* Every prefix of every fixture, as each API and both ways: bounded, no crash, no leak. */
static void test_llm_prefixes(void **state)
{
	static const char *const paths[] = {"/v1/chat/completions", "/v1/responses", "/v1/messages",
					    "/v1beta/models/g:streamGenerateContent"};
	static const enum llm_api apis[] = {LLM_OPENAI_CHAT, LLM_OPENAI_RESPONSES, LLM_ANTHROPIC,
					    LLM_GEMINI};

	(void)state;
	for (size_t f = 0; f < sizeof(fixture_names) / sizeof(fixture_names[0]); f++) {
		size_t len;
		char *body = load(fixture_names[f], &len);

		for (size_t n = 0; n <= len; n += 1 + (f < 4 ? 0 : 2)) {
			char *copy = malloc(n + 1); /* exact size: ASan sees any overread */

			assert_non_null(copy);
			memcpy(copy, body, n);
			copy[n] = '\0';
			for (int a = 0; a < 4; a++) {
				struct llm_request req;
				struct llm_response resp;
				struct http_header h;
				struct http_msg m;
				cJSON *o;

				mkreq(&m, "POST", paths[a], copy, n);
				if (!llm_request_parse(&m, &req)) {
					o = llm_context_json(&req);
					assert_non_null(o);
					cJSON_Delete(o);
				}
				llm_request_release(&req);
				mkresp(&m, &h, 200, a ? "text/event-stream" : NULL, copy, n, false);
				llm_response_parse(apis[a], &m, &resp);
				assert_non_null(resp.content);
				o = llm_response_json(NULL, &resp, 1, 1);
				assert_non_null(o);
				cJSON_Delete(o);
				llm_response_release(&resp);
			}
			free(copy);
		}
		free(body);
	}
}

/* Random bytes drawn from JSON and SSE punctuation, and nesting deeper than cJSON allows. */
static void test_llm_garbage(void **state)
{
	static const char alphabet[] = "{}[]\":,\\ \n\r0123abc-eE.data:event:[DONE]typeindex"
				       "choicesdeltacontenttool_callsmessage_start\x80\xff";
	unsigned int seed = 12345;
	char *deep;

	(void)state;
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = (size_t)(rand_r(&seed) % 400);
		char *buf = malloc(n + 1);
		struct llm_request req;
		struct llm_response resp;
		struct http_header h;
		struct http_msg m;

		assert_non_null(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		buf[n] = '\0';
		mkreq(&m, "POST", iter % 3 ? "/v1/messages" : "/v1/responses", buf, n);
		llm_request_parse(&m, &req);
		llm_request_release(&req);
		mkresp(&m, &h, 200, iter % 2 ? "text/event-stream" : NULL, buf, n, true);
		llm_response_parse((enum llm_api)(1 + iter % 3), &m, &resp);
		assert_non_null(resp.content);
		llm_response_release(&resp);
		free(buf);
	}

	deep = malloc(2 * 5000 + 64);
	assert_non_null(deep);
	strcpy(deep, "{\"messages\":[{\"role\":\"user\",\"content\":");
	for (int i = 0; i < 5000; i++)
		strcat(deep, "[");
	{
		struct llm_request req;
		struct http_msg m;

		mkreq(&m, "POST", "/v1/chat/completions", deep, strlen(deep));
		assert_int_equal(llm_request_parse(&m, &req), -EINVAL);
		llm_request_release(&req);
	}
	free(deep);
}

struct captured {
	char buf[4096];
	size_t len;
};

static void capture(void *ctx, const char *buf, size_t len)
{
	struct captured *c = ctx;

	assert_true(c->len + len < sizeof(c->buf));
	memcpy(c->buf + c->len, buf, len);
	c->len += len;
	c->buf[c->len] = '\0';
}

/*
 * --http text lines: an HTTP/2 :method and :path may hold any byte (HPACK does not check them,
 * unlike an HTTP/1.1 request line) and are not redacted by the parser. A line break in them
 * forged a second output line and a key in the query string was printed. Found by
 * tests/fuzz/fuzz_tls.c.
 */
static void test_llm_events_http_text_line(void **state)
{
	static const struct {
		const char *method, *path, *want;
	} cases[] = {
	    {"POST", "/v1/x?k=" KEY "\r\n[pid 1] +0.000000 forged",
	     "[pid 8] +0.000002 HTTP/2 POST /v1/x?k=[REDACTED]  [pid 1] +0.000000 forged 200 "
	     "0\xe2\x86\x92"
	     "0 bytes 0 ms\n"},
	    {"PO\nST", "/ok",
	     "[pid 8] +0.000002 HTTP/2 PO ST /ok 200 0\xe2\x86\x92"
	     "0 bytes 0 ms\n"},
	    {"GET", "/a\x7f\tb",
	     "[pid 8] +0.000002 HTTP/2 GET /a  b 200 0\xe2\x86\x92"
	     "0 bytes 0 ms\n"},
	};
	struct tls_origin o = {
	    .tgid = 7, .tid = 8, .comm = "agent", .ssl = 0x10, .gen = 1, .version = 20};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct captured out = {.len = 0};
		struct printer pr = {.strsize = 32, .t0 = 1000};
		struct llm_events ev = {.pr = &pr, .http = true, .print = true};
		struct http_msg req, resp = {.version = 20, .status = 200, .complete = true};

		pr.ob = outbuf__new(-1, 0);
		assert_non_null(pr.ob);
		pr.ob->sink = capture;
		pr.ob->sink_ctx = &out;
		mkreq(&req, cases[i].method, cases[i].path, NULL, 0);
		req.version = 20;
		req.stream_id = 1;
		req.ts_end = resp.ts_end = 3000;
		llm_events_on_http(&ev, &o, &req, &resp);
		outbuf__free(pr.ob);
		if (strcmp(out.buf, cases[i].want))
			fail_msg("case %zu: got \"%s\"", i, out.buf);
		assert_null(strstr(out.buf, KEY_BODY));
	}
}

/*
 * The request is parsed once, when it is sent: its response uses the kept parse (same model and
 * snapshot), another connection's response with a different request does not, and
 * llm_events_release() frees what was never answered.
 */
static void test_llm_events_request_kept(void **state)
{
	static const char body[] = "{\"model\":\"m-req\",\"messages\":[{\"role\":\"user\","
				   "\"content\":\"hi\"}]}";
	static const char rbody[] = "{\"choices\":[{\"message\":{\"content\":\"yo\"},"
				    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
				    "\"completion_tokens\":2}}";
	struct tls_origin o = {.tgid = 7, .tid = 8, .comm = "agent", .ssl = 0x10, .gen = 1};
	struct tls_origin o2 = o;
	struct captured out = {.len = 0};
	struct printer pr = {.strsize = 32, .t0 = 1000, .json = true};
	struct llm_events ev = {.pr = &pr, .print = true};
	struct http_msg req, resp;
	struct http_header h;

	(void)state;
	pr.ob = outbuf__new(-1, 0);
	assert_non_null(pr.ob);
	pr.ob->sink = capture;
	pr.ob->sink_ctx = &out;
	mkreq(&req, "POST", "/v1/chat/completions", body, sizeof(body) - 1);
	req.ts_start = 1500;
	req.ts_end = 2000;
	llm_events_on_http(&ev, &o, &req, NULL);
	assert_true(ev.pending[0].used);
	assert_string_equal(ev.pending[0].req.model, "m-req");
	/* a second request on another connection, never answered */
	o2.ssl = 0x20;
	llm_events_on_http(&ev, &o2, &req, NULL);
	mkresp(&resp, &h, 200, "application/json", rbody, sizeof(rbody) - 1, true);
	resp.ts_end = 5000;
	llm_events_on_http(&ev, &o, &req, &resp);
	assert_false(ev.pending[0].used); /* taken by its response */
	assert_true(ev.pending[1].used);  /* the other one still waits */
	assert_int_equal(ev.snapshots, 2);
	assert_int_equal(ev.responses, 1);
	assert_int_equal(ev.tokens_in, 5);
	outbuf__free(pr.ob);
	assert_non_null(strstr(out.buf, "\"type\":\"llm_response\""));
	assert_non_null(strstr(out.buf, "\"model\":\"m-req\""));
	assert_non_null(strstr(out.buf, "\"latency\":3000"));
	llm_events_release(&ev);
	assert_false(ev.pending[1].used);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_llm_api_of),
	    cmocka_unit_test(test_llm_events_request_kept),
	    cmocka_unit_test(test_llm_chat_request),
	    cmocka_unit_test(test_llm_responses_request),
	    cmocka_unit_test(test_llm_responses_request_string),
	    cmocka_unit_test(test_llm_anthropic_request),
	    cmocka_unit_test(test_llm_anthropic_request_system_string),
	    cmocka_unit_test(test_llm_request_errors),
	    cmocka_unit_test(test_llm_request_wrong_types),
	    cmocka_unit_test(test_llm_request_redacts),
	    cmocka_unit_test(test_llm_chat_response),
	    cmocka_unit_test(test_llm_chat_response_text_no_usage),
	    cmocka_unit_test(test_llm_chat_stream_tools),
	    cmocka_unit_test(test_llm_chat_stream_text),
	    cmocka_unit_test(test_llm_chat_stream_cut),
	    cmocka_unit_test(test_llm_chat_stream_error_and_split_key),
	    cmocka_unit_test(test_llm_responses_response),
	    cmocka_unit_test(test_llm_responses_response_incomplete),
	    cmocka_unit_test(test_llm_responses_stream),
	    cmocka_unit_test(test_llm_responses_stream_cut),
	    cmocka_unit_test(test_llm_responses_stream_failed),
	    cmocka_unit_test(test_llm_anthropic_response),
	    cmocka_unit_test(test_llm_anthropic_stream),
	    cmocka_unit_test(test_llm_anthropic_stream_cut),
	    cmocka_unit_test(test_llm_anthropic_stream_error),
	    cmocka_unit_test(test_llm_stream_text_parts),
	    cmocka_unit_test(test_llm_error_bodies),
	    cmocka_unit_test(test_llm_gemini_request),
	    cmocka_unit_test(test_llm_gemini_request_snake_case),
	    cmocka_unit_test(test_llm_gemini_response),
	    cmocka_unit_test(test_llm_gemini_stream_text),
	    cmocka_unit_test(test_llm_gemini_stream_tools),
	    cmocka_unit_test(test_llm_gemini_array_and_blocked),
	    cmocka_unit_test(test_llm_gemini_code_assist),
	    cmocka_unit_test(test_llm_gemini_payloads),
	    cmocka_unit_test(test_llm_context_json),
	    cmocka_unit_test(test_llm_response_json),
	    cmocka_unit_test(test_llm_text),
	    cmocka_unit_test(test_llm_text_truncation),
	    cmocka_unit_test(test_llm_prefixes),
	    cmocka_unit_test(test_llm_garbage),
	    cmocka_unit_test(test_llm_events_http_text_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
