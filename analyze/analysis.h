/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * analysis.h - one streaming pass over a recording, for the analyzer verbs (tree, blame, growth,
 * ctx, stats): the events go through the span builder (spanbuild.h) exactly as the live tracer
 * feeds it, and what the verbs need is kept - spans (with evidence, resources and wall time),
 * per-syscall aggregates, the LLM calls, the state changes, and for ctx one context snapshot.
 * Memory grows with spans and LLM calls, not with events.
 */
#ifndef AGT_ANALYSIS_H
#define AGT_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "evstream.h"
#include "rec_err.h"
#include "rec_meta.h"
#include "spanbuild.h"

struct an_llm {
	uint64_t seq_num, timestamp;
	int pid;
	char *model;
	long long request_tokens, response_tokens, total_tokens; /* -1 unknown */
	long long latency, ttft;				 /* ns; ttft -1: not streamed */
	int status;
	bool complete;
	char *error;
	int ntool_calls;
};

struct an_state {
	int pid;
	uint64_t timestamp;
	enum sb_state from, to;
	char *reason;
};

struct an_opts {
	bool want_ctx;	 /* keep the context snapshot at or before ctx_at */
	uint64_t ctx_at; /* UINT64_MAX: the last one */
};

/* A process that talked TLS the tracer could not see (a `coverage` event, status "blind"). */
struct an_blind {
	int pid;
	char *binary, *tls, *why; /* tls may be NULL */
};

struct analysis {
	char dir[4096];
	struct rec_meta meta;
	char trace_id[33];
	struct sb_span *spans; /* in the order they ended */
	size_t nspans;
	struct agt_stat sys[AGT_NR_MAX];
	uint64_t sys_unknown;	       /* syscall events without a usable nr */
	uint64_t by_type[REC__NTYPES]; /* events per type */
	uint64_t lost;		       /* sum of the `lost` events' counts */
	struct an_blind *blind;	       /* blind spots, in the order reported */
	size_t nblind;
	uint64_t recorded_states;      /* state_change events found in the file */
	uint64_t first_ts, last_ts;    /* ns since the start */
	struct an_llm *llm;
	size_t nllm;
	struct an_state *states; /* as the builder derives them */
	size_t nstates;
	/* ctx */
	char *ctx_line; /* the context_snapshot event's JSON, or NULL */
	uint64_t ctx_seq;
	int ctx_pid;
	long long ctx_request_tokens; /* of the response that answered it; -1 */
	char *ctx_request_body;	      /* the request as sent (its http event), or NULL */
	struct evs_result res;	      /* events read, and a warning for a damaged tail */
};

/*
 * Reads the recording REC (a directory, or an id under base; base NULL: the default) in one
 * pass. 0, or -errno with err set (one line naming the file and line). Free with
 * analysis_release even after a failure.
 */
int analysis_run(struct analysis *a, const char *rec, const char *base, const struct an_opts *o,
		 struct rec_err *err);
void analysis_release(struct analysis *a);

/* The index of the span with this id, or -1. O(n). */
ssize_t analysis_span_by_id(const struct analysis *a, const char *id);

#endif
