/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * llmstats.h - per-model LLM analytics of one recording (seed 002: usage, cost, latency
 * percentiles, error rates, per-model stats), for `stats`.
 *
 * The caller feeds every LLM call (one llm_response event each); the module groups them by model
 * name (exact string; NULL is "unknown") and reports, per model and in a total row:
 * - calls; request (in) and response (out) tokens summed over the calls that report them, with
 *   the number of calls that do not (-1) counted apart;
 * - latency p50/p90/p99 over the complete calls with a latency (>= 0), and time to first token
 *   p50/p90/p99 over the calls that have one (streamed: ttft >= 0). Percentiles are exact,
 *   nearest-rank: the sorted values' element at rank ceil(p/100 * N) (1-based), no
 *   interpolation; none (null) when N is 0;
 * - status classes: 2xx, 4xx, 5xx, other (no status, 1xx, 3xx), and incomplete (the response
 *   never finished); an error is a call that is not 2xx, or incomplete, or carries an error
 *   text; error_rate = errors / calls (a fraction);
 * - estimated cost in USD from the model table: (in tokens * USD in + out tokens * USD out) / 1e6
 *   over the calls with counts. A model with no price (unknown to the table, or priced "-") has no
 *   cost: "no price for model X" in text, "cost_usd": null and a "cost_note" in JSON. The total's
 *   cost sums the priced models and says which were left out.
 * No I/O but the FILE given to the printer, no globals.
 */
#ifndef AGT_LLMSTATS_H
#define AGT_LLMSTATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "models.h"

struct llm_call {
	const char *model;
	int pid;
	uint64_t timestamp;
	long long request_tokens, response_tokens; /* -1 unknown */
	/* latency -1: unknown; ttft -1: not streamed */
	long long latency_ns, ttft_ns;
	int status; /* HTTP status, 0: none */
	bool complete;
	const char *error; /* NULL or "" : none */
};

struct llmstats;

/* An empty collector; m (may be NULL: no prices) must outlive it. NULL on no memory. */
struct llmstats *llmstats__new(const struct models *m);

/* Adds one call (strings copied). Returns 0 or -ENOMEM. */
int llmstats_add(struct llmstats *s, const struct llm_call *c);

/* Number of calls added. */
size_t llmstats_calls(const struct llmstats *s);

/* Accepts NULL. */
void llmstats__free(struct llmstats *s);

/*
 * One block per model (most calls first, then by name) and a total block; "no LLM calls in this
 * recording" when there are none.
 */
void llmstats_print_text(FILE *out, const struct llmstats *s);

/*
 * {"percentile_method":"nearest-rank","models":[ROW...],"total":ROW}, ROW = {model, family
 * (null: not in the table), calls, request_tokens, response_tokens, request_tokens_unknown,
 * response_tokens_unknown, latency_calls, latency_p50, latency_p90, latency_p99 (ns, null: no
 * data), ttft_calls, ttft_p50, ttft_p90, ttft_p99, status{2xx,4xx,5xx,other}, incomplete, errors,
 * error_rate, error_samples[up to 3 distinct texts], cost_usd (null: no price), cost_note (null:
 * none)}; the total has model "total" and family null. NULL on no memory; the caller owns it.
 */
cJSON *llmstats_to_json(const struct llmstats *s);

#endif
