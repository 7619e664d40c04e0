/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ctxdiff.h - the difference between the contexts at two steps of a recording (seed ContextDiff,
 * PromptDiff, MessagesDiff, TokenDelta; ComputeContextDiff, FormatContextDiff).
 *
 * Messages are compared as whole strings: role, content, tool_call_id and tool calls. The diff is
 * a longest common subsequence (order matters: a message moved is removed and added) after
 * trimming the common prefix and suffix, which makes the usual append-only conversation linear.
 * When the differing middle exceeds 4M cells (about 2000 x 2000 messages) it falls back to a
 * multiset difference (each message matched against an equal one anywhere, order ignored).
 */
#ifndef AGT_CTXDIFF_H
#define AGT_CTXDIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "rec_err.h"
#include "recording.h"
#include "snapshot.h"

#define CTXDIFF_LCS_MAX_CELLS (4u << 20)

/* Hashes: SHA-256 hex of the prompt, "" when the snapshot has none. */
struct prompt_diff {
	bool changed;
	char from_hash[65];
	char to_hash[65];
	size_t from_chars;
	size_t to_chars;
};

/* added/removed: each message rendered "role: content" (ctx_msg_render); owned. */
struct messages_diff {
	char **added;
	size_t nadded;
	char **removed;
	size_t nremoved;
	size_t from_count;
	size_t to_count;
	bool multiset; /* the fallback was used */
};

struct token_delta {
	long long from_tokens;
	long long to_tokens;
	long long delta;
	bool from_estimated;
	bool to_estimated;
};

struct ctxdiff {
	uint64_t from_seq_num; /* the snapshots compared */
	uint64_t to_seq_num;
	uint64_t from_timestamp;
	uint64_t to_timestamp;
	uint64_t from_at; /* the steps asked for */
	uint64_t to_at;
	struct prompt_diff system_prompt;
	struct messages_diff messages;
	struct token_delta token_delta;
};

/*
 * ComputeContextDiff over two parsed snapshots (token_delta left zero: see ctxdiff__compute).
 * Returns 0 or -ENOMEM.
 */
int ctxdiff_snapshots(const struct ctx_snapshot *from, const struct ctx_snapshot *to,
		      struct ctxdiff *d);

/*
 * The diff between the nearest snapshots at or before seq1 and seq2, with token counts
 * (snapshot_tokens). Errors: -ENOENT "no context snapshot at or before #SEQ", or those of
 * ctx_snapshot__load. Free with ctxdiff__free.
 */
int ctxdiff__compute(const struct recording *rec, const struct snapfinder *f, uint64_t seq1,
		     uint64_t seq2, struct ctxdiff **out, struct rec_err *err);

void ctxdiff__free(struct ctxdiff *d);

/* Releases the members of a struct filled by ctxdiff_snapshots. */
void ctxdiff_release(struct ctxdiff *d);

/* "role: content", tool calls appended as " [call NAME ARGS]"; malloc'd, NULL on ENOMEM. */
char *ctx_msg_render(const struct ctx_msg *m);

/* FormatContextDiff: the text form, messages cut at 100 characters on one line each. */
void ctxdiff_print(const struct ctxdiff *d, FILE *out);

/* FormatContextDiffJSON: the seed fields (timestamps in ns); NULL on ENOMEM. */
cJSON *ctxdiff_json(const struct ctxdiff *d);

#endif
