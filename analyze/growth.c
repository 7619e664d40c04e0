// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* growth.c - PredictGrowth and the fd/memory leak verdict (semantics in growth.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "growth.h"
#include "models.h"
#include "numfmt.h"

void growth_prediction_release(struct growth_prediction *p)
{
	if (!p)
		return;
	free((char *)p->model);
	free((char *)p->budget_source);
	free(p->history);
	memset(p, 0, sizeof(*p));
}

/*
 * Rates are kept as fractions num/den of integers so that est_remaining = floor(left * den / num)
 * is exact (a double 1000/3 step rate would make 1000/(1000/3) come out as 2.9999...).
 */
int growth_predict(struct growth_prediction *out, int pid, const char *model,
		   const struct growth_step *steps, size_t n, long long budget,
		   const char *budget_source, int max_steps)
{
	long long left, rnum = 0, rden = 0, anum = 0, aden = 0;
	uint64_t prev_ts = 0;
	size_t nv = 0;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->alert_level = "none";
	out->rate_basis = "not growing";
	out->est_remaining = -1;
	if (budget <= 0) {
		budget = MODELS_DEFAULT_WINDOW;
		budget_source = "default (unknown model)";
	}
	out->context_budget = budget;
	out->max_steps = max_steps > 0 ? max_steps : 0;
	out->current_step = (int)n;
	if ((model && !(out->model = strdup(model))) ||
	    !(out->budget_source = strdup(budget_source ? budget_source : "unspecified")))
		goto nomem;
	if (n && !(out->history = calloc(n, sizeof(*out->history))))
		goto nomem;

	for (size_t i = 0; i < n; i++) {
		const struct growth_step *s = &steps[i];
		struct growth_snapshot *h;

		if (s->request_tokens < 0) {
			out->skipped_steps++;
			continue;
		}
		h = &out->history[nv];
		h->step = (int)(i + 1);
		h->seq_num = s->seq_num;
		h->tokens = s->request_tokens;
		h->output_tokens = s->response_tokens < 0 ? -1 : s->response_tokens;
		h->delta_ms = nv && s->timestamp > prev_ts
				  ? (long long)((s->timestamp - prev_ts) / 1000000ULL)
				  : 0;
		prev_ts = s->timestamp;
		nv++;
	}
	out->nhistory = nv;

	if (nv) {
		const struct growth_snapshot *h = out->history;
		size_t k = nv - 1 < 3 ? nv - 1 : 3;

		out->tokens_used = h[nv - 1].tokens;
		if (nv >= 2) {
			anum = h[nv - 1].tokens - h[0].tokens;
			aden = (long long)(nv - 1);
			rnum = h[nv - 1].tokens - h[nv - 1 - k].tokens;
			rden = (long long)k;
			out->avg_tokens_per_step = (double)anum / (double)aden;
			out->recent_rate = (double)rnum / (double)rden;
		}
	}
	if (rnum > 0) {
		out->rate = out->recent_rate;
		out->rate_basis = "recent";
	} else if (anum > 0) {
		rnum = anum;
		rden = aden;
		out->rate = out->avg_tokens_per_step;
		out->rate_basis = "average";
	} else {
		rnum = 0;
	}

	left = budget - out->tokens_used;
	out->remaining_budget = left > 0 ? left : 0;
	out->usage_pct = 100.0 * (double)out->tokens_used / (double)budget;
	if (rnum > 0)
		out->est_remaining = out->remaining_budget * rden / rnum;
	if (left * 10 < budget)
		out->alert_level = "critical";
	else if (left * 5 < budget)
		out->alert_level = "warning";
	out->predict_exhaust =
	    out->est_remaining >= 0 &&
	    (!out->max_steps || out->current_step + out->est_remaining < out->max_steps);
	return 0;
nomem:
	growth_prediction_release(out);
	return -ENOMEM;
}

void growth_print_text(FILE *out, const struct growth_prediction *p)
{
	char a[NUMFMT_LEN], b[NUMFMT_LEN], c[NUMFMT_LEN];

	fprintf(out, "pid %d", p->pid);
	if (p->model)
		fprintf(out, "  model %s", p->model);
	fputc('\n', out);
	fprintf(out, "  context    %s / %s tokens (%.1f%%), budget: %s\n",
		numfmt_int(a, p->tokens_used), numfmt_int(b, p->context_budget), p->usage_pct,
		p->budget_source ? p->budget_source : "unspecified");
	fprintf(out, "  steps      %d", p->current_step);
	if (p->max_steps)
		fprintf(out, " of max %d", p->max_steps);
	if (p->skipped_steps)
		fprintf(out, " (%d with unknown request tokens, skipped)", p->skipped_steps);
	fputc('\n', out);
	fprintf(out, "  growth     avg %s tokens/step, recent (last 3) %s tokens/step\n",
		numfmt_dec1(a, p->avg_tokens_per_step), numfmt_dec1(b, p->recent_rate));
	fprintf(out, "  remaining  %s tokens, ", numfmt_int(a, p->remaining_budget));
	if (p->est_remaining < 0) {
		fputs("context not growing: no exhaustion predicted\n", out);
	} else {
		fprintf(out, "about %s more steps at %s tokens/step (%s)\n",
			numfmt_int(b, p->est_remaining), numfmt_dec1(c, p->rate), p->rate_basis);
		if (p->predict_exhaust && p->max_steps)
			fprintf(out,
				"  exhaustion predicted at step %lld, before the step limit "
				"(%d)\n",
				p->current_step + p->est_remaining, p->max_steps);
		else if (p->predict_exhaust)
			fprintf(out, "  exhaustion predicted at step %lld\n",
				p->current_step + p->est_remaining);
		else
			fprintf(out, "  the step limit (%d) comes first\n", p->max_steps);
	}
	fprintf(out, "  alert      %s\n", p->alert_level ? p->alert_level : "none");
	if (!p->nhistory)
		return;
	fprintf(out, "  %6s %12s %12s %10s\n", "step", "tokens", "output", "delta_ms");
	for (size_t i = 0; i < p->nhistory; i++) {
		const struct growth_snapshot *h = &p->history[i];

		fprintf(out, "  %6d %12s %12s %10lld\n", h->step, numfmt_int(a, h->tokens),
			h->output_tokens < 0 ? "-" : numfmt_int(b, h->output_tokens), h->delta_ms);
	}
}

cJSON *growth_to_json(const struct growth_prediction *p)
{
	cJSON *o = cJSON_CreateObject(), *arr = NULL;
	bool ok = o;

	ok = ok && cJSON_AddNumberToObject(o, "pid", p->pid);
	ok = ok && (p->model ? cJSON_AddStringToObject(o, "model", p->model)
			     : cJSON_AddNullToObject(o, "model"));
	ok = ok && cJSON_AddNumberToObject(o, "tokens_used", (double)p->tokens_used);
	ok = ok && cJSON_AddNumberToObject(o, "context_budget", (double)p->context_budget);
	ok = ok && cJSON_AddStringToObject(o, "budget_source",
					   p->budget_source ? p->budget_source : "unspecified");
	ok = ok && cJSON_AddNumberToObject(o, "usage_pct", numfmt_round1(p->usage_pct));
	ok = ok && cJSON_AddNumberToObject(o, "current_step", p->current_step);
	ok = ok && cJSON_AddNumberToObject(o, "max_steps", p->max_steps);
	ok = ok && cJSON_AddNumberToObject(o, "avg_tokens_per_step", p->avg_tokens_per_step);
	ok = ok && cJSON_AddNumberToObject(o, "recent_rate", p->recent_rate);
	ok = ok && cJSON_AddNumberToObject(o, "remaining_budget", (double)p->remaining_budget);
	ok = ok && cJSON_AddNumberToObject(o, "est_remaining", (double)p->est_remaining);
	ok = ok && cJSON_AddBoolToObject(o, "predict_exhaust", p->predict_exhaust);
	ok = ok &&
	     cJSON_AddStringToObject(o, "alert_level", p->alert_level ? p->alert_level : "none");
	ok = ok && cJSON_AddNumberToObject(o, "skipped_steps", p->skipped_steps);
	ok = ok && cJSON_AddNumberToObject(o, "rate", p->rate);
	ok = ok && cJSON_AddStringToObject(o, "rate_basis",
					   p->rate_basis ? p->rate_basis : "not growing");
	ok = ok && (arr = cJSON_AddArrayToObject(o, "history"));
	for (size_t i = 0; ok && i < p->nhistory; i++) {
		const struct growth_snapshot *h = &p->history[i];
		cJSON *r = cJSON_CreateObject();

		ok = r && cJSON_AddItemToArray(arr, r);
		if (!ok) {
			cJSON_Delete(r);
			break;
		}
		ok = cJSON_AddNumberToObject(r, "step", h->step) &&
		     cJSON_AddNumberToObject(r, "seq_num", (double)h->seq_num) &&
		     cJSON_AddNumberToObject(r, "tokens", (double)h->tokens) &&
		     (h->output_tokens < 0
			  ? cJSON_AddNullToObject(r, "output_tokens") != NULL
			  : cJSON_AddNumberToObject(r, "output_tokens", (double)h->output_tokens) !=
				NULL) &&
		     cJSON_AddNumberToObject(r, "delta_ms", (double)h->delta_ms);
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The leak rule of growth.h for one series: vals[0..RES_WINDOWS] (v0..v8), start, end. */
static bool leaks(const long long *v, long long start, long long end, long long min,
		  const char **reason)
{
	int rises = 0;
	long long grow = end - start, need = start / 2 > min ? start / 2 : min;

	for (int w = RES_WINDOWS - 3; w <= RES_WINDOWS; w++) {
		if (v[w] < v[w - 1]) {
			*reason = "no leak: it went down in the last part of its lifetime";
			return false;
		}
		rises += v[w] > v[w - 1];
	}
	if (grow < need) {
		*reason = "no leak: it grew by less than the threshold over its lifetime";
		return false;
	}
	if (rises < 2) {
		*reason = "no leak: one step up late in its lifetime, not a steady climb";
		return false;
	}
	*reason = "leak: it kept growing to the end (no drop in the last 5 of 8 windows)";
	return true;
}

void res_verdict_compute(struct res_verdict *v, const struct res_point *pts, size_t n)
{
	long long fv[RES_WINDOWS + 1], mv[RES_WINDOWS + 1];
	uint64_t t0, span;
	size_t j = 0;

	memset(v, 0, sizeof(*v));
	v->samples = n;
	v->fd_reason = v->mem_reason = "no samples";
	if (!n)
		return;
	v->fds_start = v->fds_max = pts[0].fds;
	v->mem_start = v->mem_max = pts[0].mapped_bytes;
	for (size_t i = 0; i < n; i++) {
		if (pts[i].fds > v->fds_max)
			v->fds_max = pts[i].fds;
		if (pts[i].mapped_bytes > v->mem_max)
			v->mem_max = pts[i].mapped_bytes;
	}
	v->fds_end = pts[n - 1].fds;
	v->mem_end = pts[n - 1].mapped_bytes;
	t0 = pts[0].timestamp;
	if (n < 2 || pts[n - 1].timestamp <= t0) {
		v->fd_reason = v->mem_reason = "too few samples";
		return;
	}
	span = pts[n - 1].timestamp - t0;
	fv[0] = v->fds_start;
	mv[0] = v->mem_start;
	for (int w = 1; w <= RES_WINDOWS; w++) {
		/* the window end, as t0 + span * w / 8 without overflowing */
		uint64_t end = t0 + span / RES_WINDOWS * (uint64_t)w +
			       span % RES_WINDOWS * (uint64_t)w / RES_WINDOWS;

		while (j + 1 < n && pts[j + 1].timestamp <= end)
			j++;
		fv[w] = pts[j].fds;
		mv[w] = pts[j].mapped_bytes;
	}
	v->fd_leak = leaks(fv, v->fds_start, v->fds_end, RES_LEAK_MIN_FDS, &v->fd_reason);
	v->mem_leak = leaks(mv, v->mem_start, v->mem_end, RES_LEAK_MIN_BYTES, &v->mem_reason);
}

static const char *mib(char *buf, long long bytes)
{
	return numfmt_dec1(buf, (double)bytes / (1024.0 * 1024.0));
}

void res_verdict_print_text(FILE *out, int pid, const char *name, const struct res_verdict *v)
{
	char a[NUMFMT_LEN], b[NUMFMT_LEN], c[NUMFMT_LEN];

	fprintf(out, "pid %d%s%s (%zu samples)\n", pid, name ? " " : "", name ? name : "",
		v->samples);
	fprintf(out, "  open fds   %s -> %s (max %s): %s\n", numfmt_int(a, v->fds_start),
		numfmt_int(b, v->fds_end), numfmt_int(c, v->fds_max),
		v->fd_reason ? v->fd_reason : "");
	fprintf(out, "  mapped     %s -> %s MiB (max %s MiB): %s\n", mib(a, v->mem_start),
		mib(b, v->mem_end), mib(c, v->mem_max), v->mem_reason ? v->mem_reason : "");
}

cJSON *res_verdict_to_json(const struct res_verdict *v)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o;

	ok = ok && cJSON_AddNumberToObject(o, "fds_start", (double)v->fds_start);
	ok = ok && cJSON_AddNumberToObject(o, "fds_end", (double)v->fds_end);
	ok = ok && cJSON_AddNumberToObject(o, "fds_max", (double)v->fds_max);
	ok = ok && cJSON_AddNumberToObject(o, "mem_start", (double)v->mem_start);
	ok = ok && cJSON_AddNumberToObject(o, "mem_end", (double)v->mem_end);
	ok = ok && cJSON_AddNumberToObject(o, "mem_max", (double)v->mem_max);
	ok = ok && cJSON_AddBoolToObject(o, "fd_leak", v->fd_leak);
	ok = ok && cJSON_AddBoolToObject(o, "mem_leak", v->mem_leak);
	ok = ok && cJSON_AddStringToObject(o, "fd_reason", v->fd_reason ? v->fd_reason : "");
	ok = ok && cJSON_AddStringToObject(o, "mem_reason", v->mem_reason ? v->mem_reason : "");
	ok = ok && cJSON_AddNumberToObject(o, "samples", (double)v->samples);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
