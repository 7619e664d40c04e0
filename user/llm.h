/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * llm.h - what an HTTP exchange means when it is an LLM API call (DESIGN.md §3, §4).
 *
 * Recognised: OpenAI-compatible chat completions (`.../chat/completions`) and responses
 * (`.../responses`), Anthropic messages (`.../v1/messages`), the Gemini API
 * (`.../models/MODEL:generateContent` and `:streamGenerateContent`), each plain JSON or streamed
 * as server-sent events (chat: `choices[].delta` incl. tool-call argument deltas and the usage
 * chunk; responses: `response.*` events, usage from `response.completed`; Anthropic:
 * message_start, content_block_*, message_delta; Gemini: every event a whole
 * GenerateContentResponse, the last usageMetadata wins). The request becomes a `context_snapshot`
 * event (system prompt, messages, tool definitions by name); the response an `llm_response` event
 * (model, tokens from `usage`, latency, time to first token, status, finish reason, tool calls).
 * Every string that leaves this module has been through redact_secrets().
 */
#ifndef AGT_LLM_H
#define AGT_LLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct cJSON;

enum llm_api { LLM_NONE = 0, LLM_OPENAI_CHAT, LLM_OPENAI_RESPONSES, LLM_ANTHROPIC, LLM_GEMINI };

struct llm_tool_call {
	char *id;   /* "call_abc" / "toolu_..."; Gemini: the name (see tool_call_id); may be NULL */
	char *name; /* "run_shell" */
	char *arguments; /* the JSON text the model produced, assembled from deltas */
};

/* One context message, flattened: content parts joined with "\n"; tool results as role "tool". */
struct llm_msg {
	char *role;    /* "system", "developer", "user", "assistant", "tool" */
	char *content; /* text; never NULL ("" if none) */
	char
	    *tool_call_id; /* tool results: the call they answer; else NULL. Gemini has no call ids
			      (the server sends none; gemini-cli makes up its own, which no
			      response carries): the function's name stands in, on both sides, so
			      a result pairs with its call unless one turn calls a function twice */
	struct llm_tool_call *tool_calls; /* assistant messages that requested tools */
	size_t ntool_calls;
};

struct llm_request {
	enum llm_api api;
	char *model;	     /* Gemini: from the path (models/MODEL:...); may be NULL */
	bool stream;	     /* Gemini: the path says :streamGenerateContent */
	char *system_prompt; /* chat: the system/developer messages joined; responses: instructions;
				anthropic: system; Gemini: systemInstruction; NULL if none */
	struct llm_msg *msgs; /* the conversation without the system prompt */
	size_t nmsgs;
	char **tools; /* tool definition names */
	size_t ntools;
	size_t body_len; /* decoded request body bytes */
};

struct llm_response {
	enum llm_api api;
	char *model;		   /* as the server reported it; may be NULL */
	int status;		   /* HTTP status */
	long long request_tokens;  /* usage: prompt/input tokens; -1 if the server sent none */
	long long response_tokens; /* completion/output tokens (Gemini: candidates + thoughts); -1
				      if none */
	long long total_tokens; /* usage total, else the sum of the two when both known, else -1 */
	char *finish_reason; /* "stop", "tool_calls", "end_turn", "tool_use", "completed", "STOP"...
				or NULL */
	char *content;	     /* assistant text, assembled from deltas when streamed; never NULL */
	struct llm_tool_call *tool_calls;
	size_t ntool_calls;
	bool stream;		/* the body was SSE */
	size_t first_token_off; /* decoded body offset of the first event carrying content or a tool
				   call (SIZE_MAX if none): http_msg_time_at() turns it into TTFT */
	char *error;		/* error.message of an error body, or NULL */
	bool complete;		/* the HTTP message was complete */
};

/* Which API a request line addresses (query string ignored); LLM_NONE if none. Gemini: a last
 * path segment MODEL:generateContent or MODEL:streamGenerateContent after a "models" segment
 * (/v1beta/models/..., /v1/models/..., Vertex's .../publishers/google/models/...). */
enum llm_api llm_api_of(const char *method, const char *path);

/* Parse a request body; returns 0, -ENOENT if it is not an LLM call, -EINVAL if the body is not the
 * expected JSON. */
int llm_request_parse(const struct http_msg *req, struct llm_request *out);
/* Parse the response to a request of `api`; returns 0 or -EINVAL (out still holds status etc.). */
int llm_response_parse(enum llm_api api, const struct http_msg *resp, struct llm_response *out);
void llm_request_release(struct llm_request *r);   /* frees members, zeroes; NULL is a no-op */
void llm_response_release(struct llm_response *r); /* frees members, zeroes; NULL is a no-op */

/*
 * The payload objects of the events (the caller adds seq_num, timestamp, pid, tid, comm, type):
 * "context": {"api","model","system_prompt","messages":[{"role","content","tool_call_id"?,
 *             "tool_calls"?:[{"id","name","arguments"}]}],"tools":[names],"message_count",
 *             "request_bytes"}
 * "llm":     {"api","model","request_tokens","response_tokens","total_tokens","latency","ttft",
 *             "status","finish_reason","stream","content","tool_calls":[{"id","name","arguments"}],
 *             "error"?,"complete"}
 * latency/ttft in ns (ttft -1 when unknown). Returns NULL on allocation failure.
 */
struct cJSON *llm_context_json(const struct llm_request *req);
struct cJSON *llm_response_json(const struct llm_request *req, const struct llm_response *resp,
				uint64_t latency_ns, int64_t ttft_ns);
/*
 * The text line after "[pid N] +T ", snprintf contract:
 * "LLM gpt-4o-mini 1523→87 tokens 412 ms 200 tool_calls=[run_shell]" (model from the response,
 * else the request; "?" for unknown token counts; " stream ttft 95 ms" for streams; " error: ..."
 * for an error message; " incomplete" when the response was cut).
 */
size_t llm_text(char *buf, size_t n, const struct llm_request *req, const struct llm_response *resp,
		uint64_t latency_ns, int64_t ttft_ns);

#endif
