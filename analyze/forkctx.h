/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * forkctx.h - the context at a step, restored and edited (seed SnapshotRestorer, ForkContext,
 * ForkMessage), as ForkContext JSON or as a ready-to-send request body for the API the agent used.
 */
#ifndef AGT_FORKCTX_H
#define AGT_FORKCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "rec_err.h"
#include "recording.h"
#include "snapshot.h"

#define FORK_MAX_TOKENS 4096 /* anthropic.messages needs max_tokens; the original's wins */

struct forkctx {
	long long original_pid;
	uint64_t seq_num;	   /* the step asked for */
	uint64_t snapshot_seq_num; /* the snapshot it was restored from */
	char *intent;
	char *system_prompt; /* NULL: none */
	char *api; /* "openai.chat" | "openai.responses" | "anthropic.messages" | "gemini.generate"
		      | NULL */
	char *model;
	struct ctx_msg *msgs;
	size_t nmsgs, cap;
	cJSON *orig_body; /* the original request body (from an http event), or NULL */
};

/*
 * RestoreContext: the nearest snapshot at or before seq; intent from the last exec (argv joined
 * with spaces) of the snapshot's pid before it, else the recording's intent; the original request
 * body from the http event answering the snapshot, when there is one. Errors: -ENOENT (no
 * snapshot at or before seq) or ctx_snapshot__load's. Free with forkctx__free.
 */
int forkctx__restore(const struct recording *rec, const struct snapfinder *f, uint64_t seq,
		     struct forkctx **out, struct rec_err *err);
void forkctx__free(struct forkctx *fc);

/* Edits (seed names). Each returns 0 or -ENOMEM (append: -EINVAL for an empty role). */
int forkctx__set_system_prompt(struct forkctx *fc, const char *prompt);
int forkctx__append_message(struct forkctx *fc, const char *role, const char *content);
/* Replaces the content of the last message, keeping its role, tool_call_id and tool calls.
 * Returns -ENOENT when there are no messages (the context is left as it was). */
int forkctx__replace_last_message(struct forkctx *fc, const char *content);
/* Removes the last n messages, all of them when n exceeds the count. */
void forkctx__remove_last_messages(struct forkctx *fc, size_t n);

/*
 * ForkContext JSON: {"original_pid","seq_num","intent","system_prompt","messages":[{"role",
 * "content","tool_call_id"?,"tool_calls"?}]} plus "snapshot_seq_num","api","model".
 * system_prompt is "" when there is none. NULL on ENOMEM.
 */
cJSON *forkctx_json(const struct forkctx *fc);

/*
 * A request body for fc->api and fc->model: openai.chat {"model","messages"} with the system
 * prompt as the first message and tool calls in OpenAI shape; openai.responses {"model",
 * "instructions","input"} with function_call/function_call_output items; anthropic.messages
 * {"model","max_tokens","system","messages"} with tool_use/tool_result blocks; gemini.generate
 * {"contents","systemInstruction"} with functionCall/functionResponse parts, no model (it goes in
 * the path: POST .../models/MODEL:generateContent). The other top-level fields of the original
 * body (tools, temperature, generationConfig, ...) are copied, except stream and stream_options.
 * Returns 0, -EINVAL (unknown api: err says so) or -ENOMEM.
 */
int forkctx_request(const struct forkctx *fc, cJSON **out, struct rec_err *err);

/*
 * Writes o as indented JSON and a newline to path (created or truncated, mode 0600: it holds
 * prompts) or, when path is NULL, to out. Returns 0 or -errno with err naming the file.
 */
int forkctx_write(const cJSON *o, const char *path, FILE *out, struct rec_err *err);

#endif
