/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ctxprof.h - the context profile of one context_snapshot (seed AnalyzeContext,
 * CtxProfileResult, ClassificationResult, ConsumerEntry): where the tokens of one LLM request go,
 * which of them still matter, and what to cut.
 *
 * Pure computation over the snapshot's "context" object as recorded ({api, model, system_prompt,
 * messages:[{role, content, tool_call_id?, tool_calls?:[{id, name, arguments}]}], tools:[names],
 * message_count, request_bytes}); no I/O, no globals. Messages are numbered #1.. in the order of
 * the messages array (the system prompt is not numbered).
 *
 * Token estimate (no tokenizer: chars/4, the usual rule of thumb for English and code):
 * - a message is text + tool calls: text = (bytes of content + 3) / 4 + CTX_MSG_OVERHEAD (the
 *   role and framing tokens every message costs); calls = (bytes of every call's name and
 *   arguments + 3) / 4. An assistant message with calls and no text puts the overhead on the
 *   calls. Content that is not a string counts as its JSON text.
 * - the system prompt: (bytes + 3) / 4 + CTX_MSG_OVERHEAD when non-empty;
 * - tool definitions: (bytes of the request body's "tools" member as compact JSON + 3) / 4; with
 *   no request body their size is unknown and counted 0 (the text says so).
 * - calibration: when request_tokens > 0 (the real count the API reported for this request), every
 *   part is scaled by scale = request_tokens / estimated total, rounded half up, so the totals
 *   match the real count (to rounding); calibrated true. Otherwise scale 1, "estimated (chars/4)".
 * tokens_used is request_tokens when known (> 0), else the estimated total; total_tokens is the sum
 * of the (calibrated) parts, and every pct is of total_tokens.
 *
 * Kinds: system (system prompt and system/developer messages), user, assistant (text),
 * tool_results (role "tool" or a tool_call_id), tool_calls (the calls' names and arguments),
 * tool_definitions, other (any other role; listed only when present). A message with both text
 * and calls counts in assistant and in tool_calls.
 *
 * Classification (every token lands in exactly one bucket):
 * - a turn starts at each user message (role user, no tool_call_id); a step starts at each
 *   assistant message and holds it and the tool results after it.
 * - active: the system prompt, the tool definitions and the current turn (the last user message
 *   and everything after it); when that turn has more than CTX_ACTIVE_STEPS steps, only its user
 *   message and its last CTX_ACTIVE_STEPS steps (its older steps count as previous steps). With
 *   no user message the whole conversation is the current turn.
 * - warm: the CTX_WARM_UNITS (2) most recent turns or steps before the active part (each older
 *   step of the current turn is one unit, each earlier turn one unit).
 * - cold: everything older.
 * - leaked (takes precedence): (a) a large tool result - at least CTX_LEAK_MIN_TOKENS (500)
 *   tokens, or at least CTX_LEAK_MIN_SMALL (100) tokens and 10% of the context - that an
 *   assistant message followed (the model had its turn) and that no later message quotes: the
 *   content and call arguments of the later user and assistant messages (not other tool
 *   results) contain none of its distinctive lines (a line of at least CTX_DISTINCT_MIN (16)
 *   bytes and 4 letters or digits after trimming, compared by its first 64 bytes; at most 512
 *   lines, evenly spaced, are tried); (b) a
 *   message whose content (with its calls) is byte-for-byte that of an earlier message, at least
 *   CTX_DUP_MIN_BYTES (32) bytes long.
 *
 * Top consumers: the kinds with tokens, and every large message (as for leaks: at least 500
 * tokens, or at least 100 and 10% of the context), ranked by tokens (ties: kinds first, then
 * message order), at most CTX_TOP_MAX. Every message consumer gets a suggestion, a kind one when
 * it holds at least 10% of the context. suggestions[] holds those, then one per duplicate, per
 * leaked tool result not already ranked, about the cold part (when it has at least 10% of the
 * context) and about the budget (when tokens_used reaches 80% of it).
 */
#ifndef AGT_CTXPROF_H
#define AGT_CTXPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define CTX_MSG_OVERHEAD    4
#define CTX_ACTIVE_STEPS    3
#define CTX_WARM_UNITS	    2
#define CTX_LEAK_MIN_TOKENS 500
#define CTX_LEAK_MIN_SMALL  100
#define CTX_DISTINCT_MIN    16
#define CTX_DUP_MIN_BYTES   32
#define CTX_TOP_MAX	    10

struct ctx_bucket {
	long long tokens;
	int messages; /* the system prompt counts as one message of active */
	double pct;
};

struct ctx_consumer {
	char *kind; /* a kind name, or one message: "tool_result #5 (shell)", "user #1" */
	long long tokens;
	double pct;
	int rank;	  /* 1.. */
	char *suggestion; /* may be NULL */
};

struct ctx_kind_total {
	const char *kind; /* static */
	long long tokens;
	int messages;
};

/* One message of the snapshot, as classified. */
struct ctx_msg_class {
	int index;	  /* #1.. */
	const char *role; /* static copy of a known role, else "other" */
	const char *kind; /* primary kind: tool_results, tool_calls (no text), the role's kind */
	long long tokens; /* calibrated */
	const char *cls;  /* "active" | "warm" | "cold" | "leaked" */
	const char *leak_reason; /* "unreferenced tool result" | "duplicate" | NULL */
	int dup_of;		 /* the earlier #index it duplicates, 0: none */
};

struct ctx_profile {
	int pid;
	uint64_t seq_num;
	long long tokens_used;
	long long context_budget;
	long long total_tokens;
	bool calibrated;
	double scale; /* real / estimated (1 when not calibrated) */
	struct ctx_kind_total kinds[8];
	size_t nkinds;
	struct ctx_bucket active, warm, cold, leaked;
	struct ctx_consumer *top;
	size_t ntop;
	char **suggestions;
	size_t nsuggestions;
	/* added */
	long long estimated_tokens; /* the chars/4 total before calibration */
	long long request_tokens;   /* as given (-1 unknown) */
	int ntools;		    /* tool definitions (names in the snapshot) */
	bool tools_size_known;	    /* a request body with "tools" was given */
	struct ctx_msg_class *msgs;
	size_t nmsgs;
};

/*
 * AnalyzeContext on one snapshot's "context" object. request_body: the request's JSON text, for
 * the size of the tool definitions (NULL: unknown); request_tokens: the step's real count (< 0:
 * unknown); budget: the context budget (0: unknown). Fills *out (release with
 * ctx_profile_release, also after an error). Returns 0, -EINVAL (context is not an object with a
 * messages array), or -ENOMEM.
 */
int ctx_analyze(struct ctx_profile *out, const cJSON *context, const char *request_body,
		long long request_tokens, long long budget, int pid, uint64_t seq_num);

/* Frees what ctx_analyze allocated and zeroes *p; accepts NULL and a zeroed struct. */
void ctx_profile_release(struct ctx_profile *p);

/* Header (calibrated / estimated), kinds, classification, top consumers, suggestions. */
void ctx_print_text(FILE *out, const struct ctx_profile *p);

/*
 * The seed's CtxProfileResult: pid, ctx_id (the seq_num), tokens_used, context_budget,
 * total_tokens, classification{active,warm,cold,leaked:{tokens,messages,pct}},
 * top_consumers[{kind,tokens,pct,rank,suggestion?}], suggestions[]; and kinds[{kind,tokens,
 * messages,pct}], calibrated, scale, estimated_tokens, request_tokens (null: unknown),
 * messages[{index,role,kind,tokens,class,leak_reason?,dup_of?}]. Percentages one decimal. NULL on
 * no memory; the caller owns the result.
 */
cJSON *ctx_to_json(const struct ctx_profile *p);

#endif
