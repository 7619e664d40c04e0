/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * growth.h - context growth of one agent process over its LLM steps (seed GrowthPrediction,
 * PredictGrowth, AlertLevel), and the open-fd / mapped-memory leak verdict of a process.
 *
 * Pure computation over series the caller extracted from a recording: no I/O, no globals.
 *
 * Growth semantics (exact; the unit tests check the numbers):
 * - Steps with request_tokens < 0 (unknown) are skipped and counted in skipped_steps; "valid
 *   steps" below are the others, in the order given. current_step is n, every step given
 *   (skipped ones too: each was an LLM call that counts toward a step limit).
 * - history has one row per valid step: step = its 1-based index among all n steps (equal to
 *   i+1 when nothing was skipped), tokens = request_tokens, output_tokens = response_tokens (-1
 *   unknown), delta_ms = (timestamp - the previous valid step's timestamp) / 1e6, truncated, 0 for
 *   the first row (and when time went backwards).
 * - tokens_used = the last valid step's request_tokens (the context size at the last step), 0
 *   when there is none.
 * - avg_tokens_per_step = (last - first valid request_tokens) / (valid - 1); 0 when valid < 2.
 * - recent_rate = the average of the last k = min(3, valid - 1) deltas, i.e.
 *   (last - the k-th valid step before it) / k; 0 when valid < 2.
 * - The rate behind the estimate (rate, rate_basis) is recent_rate if > 0 ("recent"), else
 *   avg_tokens_per_step if > 0 ("average"), else 0 ("not growing").
 * - remaining_budget = max(0, budget - tokens_used).
 * - est_remaining = floor(remaining_budget / rate) steps, computed in integers (exact); -1 when
 *   the rate is <= 0 (not growing: no exhaustion predicted).
 * - usage_pct = 100 * tokens_used / budget.
 * - alert_level, from the unclamped budget - tokens_used left: "critical" when less than 10% of
 *   the budget is left, "warning" when less than 20%, else "none". Exactly 20% left is "none",
 *   exactly 10% left is "warning"; over budget is "critical".
 * - predict_exhaust = est_remaining >= 0 && (max_steps == 0 || current_step + est_remaining <
 *   max_steps): the context runs out before the step limit does.
 */
#ifndef AGT_GROWTH_H
#define AGT_GROWTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

struct growth_step {
	uint64_t seq_num;
	uint64_t timestamp;	   /* ns since start */
	long long request_tokens;  /* < 0: unknown (the step is skipped) */
	long long response_tokens; /* < 0: unknown */
};

struct growth_snapshot {
	int step;
	long long tokens;
	long long output_tokens; /* -1: unknown */
	long long delta_ms;
	uint64_t seq_num; /* the step's seq_num, as given */
};

struct growth_prediction {
	int pid;
	const char *model; /* copy (may be NULL) */
	long long tokens_used;
	long long context_budget;
	/* copy: "--budget", "model table (FAMILY)", "default (unknown model)" */
	const char *budget_source;
	double usage_pct;
	int current_step;
	int max_steps; /* 0: none */
	double avg_tokens_per_step;
	double recent_rate;
	long long remaining_budget;
	long long est_remaining; /* steps; -1: not growing */
	bool predict_exhaust;
	const char *alert_level;	 /* "none" | "warning" | "critical" (static) */
	struct growth_snapshot *history; /* nhistory rows, owned */
	size_t nhistory;
	int skipped_steps;	/* steps with unknown request_tokens */
	double rate;		/* the rate behind est_remaining */
	const char *rate_basis; /* "recent" | "average" | "not growing" (static) */
};

/*
 * PredictGrowth over steps[0..n) in time order (the LLM calls of one agent process). budget > 0
 * (<= 0 is taken as MODELS_DEFAULT_WINDOW, source "default (unknown model)"); budget_source says
 * where it came from (copied; NULL: "unspecified"); max_steps 0 (or < 0) = no step limit. model
 * is copied. Fills *out (release with growth_prediction_release, also after an error). Returns 0
 * or -ENOMEM.
 */
int growth_predict(struct growth_prediction *out, int pid, const char *model,
		   const struct growth_step *steps, size_t n, long long budget,
		   const char *budget_source, int max_steps);

/* Frees what growth_predict allocated and zeroes *p; accepts NULL and a zeroed struct. */
void growth_prediction_release(struct growth_prediction *p);

/* The text report: header, budget, rates, estimate, alert, history (percentages one decimal). */
void growth_print_text(FILE *out, const struct growth_prediction *p);

/*
 * The seed's fields in snake_case: pid, model, tokens_used, context_budget, budget_source,
 * usage_pct (one decimal), current_step, max_steps, avg_tokens_per_step, recent_rate,
 * remaining_budget, est_remaining, predict_exhaust, alert_level, skipped_steps, rate,
 * rate_basis, history[{step, seq_num, tokens, output_tokens (null: unknown), delta_ms}].
 * NULL on no memory; the caller owns the result (cJSON_Delete).
 */
cJSON *growth_to_json(const struct growth_prediction *p);

/*
 * Open fds and mapped memory of one process over time, and whether they leak.
 *
 * Leak rule (the same for both series, with MIN = 16 fds or 64 MiB): the lifetime from the first
 * to the last point is split into 8 equal windows; v0 is the first value and vW (W = 1..8) the
 * value of the last point at or before the end of window W (v8 is the last value). A series
 * leaks when
 *   (a) it never decreases over the last 5 window values: v4 <= v5 <= v6 <= v7 <= v8,
 *   (b) it rose in at least 2 of those 4 window steps (a steady climb, not one late jump), and
 *   (c) end - start >= max(MIN, start / 2) (it grew by at least MIN and by at least 50%).
 * Fewer than 2 points, or all at one time, give no verdict ("too few samples"). Feed the points
 * up to the process's last syscall (not the values after exit, where everything is released).
 */
#define RES_WINDOWS	   8
#define RES_LEAK_MIN_FDS   16
#define RES_LEAK_MIN_BYTES (64LL << 20)

struct res_point {
	uint64_t timestamp;
	long long fds;
	long long mapped_bytes;
};

struct res_verdict {
	long long fds_start, fds_end, fds_max;
	long long mem_start, mem_end, mem_max;
	bool fd_leak, mem_leak;
	const char *fd_reason, *mem_reason; /* static strings */
	size_t samples;
};

/* Fills *v from pts[0..n) in time order (n may be 0: all zero, "no samples"). */
void res_verdict_compute(struct res_verdict *v, const struct res_point *pts, size_t n);

/* Two lines per process: fds and memory, start -> end (max), verdict and reason. */
void res_verdict_print_text(FILE *out, int pid, const char *name, const struct res_verdict *v);

/*
 * fds_start, fds_end, fds_max, mem_start, mem_end, mem_max, fd_leak, mem_leak, fd_reason,
 * mem_reason, samples. NULL on no memory; the caller owns the result.
 */
cJSON *res_verdict_to_json(const struct res_verdict *v);

#endif
