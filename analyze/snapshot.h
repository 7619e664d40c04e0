/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * snapshot.h - context snapshots of a recording: finding the nearest one at or before a step
 * (seed SnapshotFinder), parsing one into messages, and the token count of the context it holds.
 */
#ifndef AGT_SNAPSHOT_H
#define AGT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "rec_err.h"
#include "recording.h"

/*
 * Positions of every context_snapshot event, ascending. Built in one pass over the index;
 * finding is then a binary search over these positions (the seed's "binary search, then scan
 * back for a snapshot" without the scan).
 */
struct snapfinder {
	const struct recording *rec;
	size_t *idx;
	size_t n;
};

/* NULL on ENOMEM. The recording must outlive the finder. */
struct snapfinder *snapfinder__new(const struct recording *rec);
void snapfinder__free(struct snapfinder *f);
bool snapfinder__has_snapshots(const struct snapfinder *f);

/*
 * The nearest context_snapshot at or before seq (seq itself if it is one): its event index in
 * *idx. Returns 0 or -ENOENT (none at or before seq).
 */
int snapfinder__find(const struct snapfinder *f, uint64_t seq, size_t *idx);

/* One message of a context (seed CtxMessage/ForkMessage, plus the assistant's tool calls). */
struct ctx_msg {
	char *role;
	char *content;
	char *tool_call_id; /* NULL when absent */
	cJSON *tool_calls;  /* [{"id","name","arguments"}] or NULL; owned */
};

/* A parsed context_snapshot payload. Strings owned; system_prompt NULL when the event has null. */
struct ctx_snapshot {
	uint64_t seq_num;
	uint64_t timestamp;
	int32_t pid;
	size_t index; /* event index in the recording */
	char *api;
	char *model;
	char *system_prompt;
	struct ctx_msg *msgs;
	size_t nmsgs;
	cJSON *tools;		 /* array of names, owned, may be NULL */
	long long request_bytes; /* -1 when absent */
};

/*
 * Parses the context_snapshot at event index idx. Errors (-EINVAL, not a snapshot or a payload
 * of the wrong shape; -ENOMEM) name the file and line. Free with ctx_snapshot__free.
 */
int ctx_snapshot__load(const struct recording *rec, size_t idx, struct ctx_snapshot **out,
		       struct rec_err *err);
void ctx_snapshot__free(struct ctx_snapshot *s);

/* Frees a message's members (not the struct). */
void ctx_msg_release(struct ctx_msg *m);

/* Deep copy of src into dst; -ENOMEM. */
int ctx_msg_copy(struct ctx_msg *dst, const struct ctx_msg *src);

/*
 * The event that answers the snapshot at index snap of the given type (REC_LLM_RESPONSE or
 * REC_HTTP): the first event of that type from the snapshot's pid after it and before that pid's
 * next context_snapshot. Returns its index, or -ENOENT.
 */
ssize_t snapshot_answer(const struct recording *rec, size_t snap, enum rec_type type);

/*
 * Tokens of the context a snapshot holds: request_tokens (> 0) of the llm_response answering it
 * (*estimated false), else the estimate (characters / 4, rounded up, over the system prompt, the
 * message contents and the tool calls' names and arguments; *estimated true).
 */
long long snapshot_tokens(const struct recording *rec, const struct ctx_snapshot *s,
			  bool *estimated);

/* The character estimate alone (UTF-8 code points / 4, rounded up). */
long long ctx_estimate_tokens(const char *system_prompt, const struct ctx_msg *msgs, size_t n);

/* Number of UTF-8 code points in s (bytes that are not continuation bytes). */
size_t utf8_chars(const char *s);

#endif
