// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* llmstats.c - per-model LLM call analytics: tokens, latency/TTFT percentiles, errors, cost. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "llmstats.h"
#include "numfmt.h"

#define SAMPLES_MAX 3

struct vec {
	long long *v;
	size_t n, cap;
};

struct mrow {
	char *model;
	const struct model_info *info;
	size_t calls;
	long long in, out;
	size_t in_unknown, out_unknown;
	struct vec lat, ttft;
	size_t s2xx, s4xx, s5xx, sother, incomplete, errors;
	char *samples[SAMPLES_MAX];
	size_t nsamples;
};

struct llmstats {
	const struct models *m;
	struct mrow *rows;
	size_t n, cap;
	size_t calls;
};

/* What a row (or the total) prints; note is owned. */
struct summary {
	const char *model;
	const char *family;
	size_t calls;
	long long in, out;
	size_t in_unknown, out_unknown;
	size_t nlat, nttft;
	long long lat[3], ttft[3]; /* p50, p90, p99 */
	size_t s2xx, s4xx, s5xx, sother, incomplete, errors;
	char *const *samples;
	size_t nsamples;
	bool priced;
	double cost;
	char *note;
};

static const int pcts[3] = {50, 90, 99};

struct llmstats *llmstats__new(const struct models *m)
{
	struct llmstats *s = calloc(1, sizeof(*s));

	if (s)
		s->m = m;
	return s;
}

size_t llmstats_calls(const struct llmstats *s)
{
	return s ? s->calls : 0;
}

void llmstats__free(struct llmstats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->rows[i].model);
		free(s->rows[i].lat.v);
		free(s->rows[i].ttft.v);
		for (size_t j = 0; j < s->rows[i].nsamples; j++)
			free(s->rows[i].samples[j]);
	}
	free(s->rows);
	free(s);
}

static int vec_push(struct vec *v, long long x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		long long *p = realloc(v->v, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return 0;
}

static struct mrow *row_of(struct llmstats *s, const char *model)
{
	struct mrow *r;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->rows[i].model, model))
			return &s->rows[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct mrow *v = realloc(s->rows, cap * sizeof(*v));

		if (!v)
			return NULL;
		s->rows = v;
		s->cap = cap;
	}
	r = &s->rows[s->n];
	memset(r, 0, sizeof(*r));
	if (!(r->model = strdup(model)))
		return NULL;
	r->info = models_lookup(s->m, model);
	s->n++;
	return r;
}

int llmstats_add(struct llmstats *s, const struct llm_call *c)
{
	struct mrow *r = row_of(s, c->model && *c->model ? c->model : "unknown");
	bool err_text = c->error && *c->error;

	if (!r)
		return -ENOMEM;
	if (c->complete && c->latency_ns >= 0 && vec_push(&r->lat, c->latency_ns))
		return -ENOMEM;
	if (c->ttft_ns >= 0 && vec_push(&r->ttft, c->ttft_ns))
		return -ENOMEM;
	if (err_text && r->nsamples < SAMPLES_MAX) {
		bool seen = false;

		for (size_t i = 0; i < r->nsamples; i++)
			seen = seen || !strcmp(r->samples[i], c->error);
		if (!seen) {
			if (!(r->samples[r->nsamples] = strdup(c->error)))
				return -ENOMEM;
			r->nsamples++;
		}
	}
	r->calls++;
	s->calls++;
	if (c->request_tokens >= 0)
		r->in += c->request_tokens;
	else
		r->in_unknown++;
	if (c->response_tokens >= 0)
		r->out += c->response_tokens;
	else
		r->out_unknown++;
	if (c->status >= 200 && c->status < 300)
		r->s2xx++;
	else if (c->status >= 400 && c->status < 500)
		r->s4xx++;
	else if (c->status >= 500 && c->status < 600)
		r->s5xx++;
	else
		r->sother++;
	r->incomplete += !c->complete;
	r->errors += !(c->status >= 200 && c->status < 300) || !c->complete || err_text;
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentiles of v[0..n) (sorted in place): element ceil(p * n / 100) - 1. */
static void percentiles(long long *v, size_t n, long long out[3])
{
	qsort(v, n, sizeof(*v), cmp_ll);
	for (int i = 0; i < 3; i++) {
		size_t rank = n ? ((size_t)pcts[i] * n + 99) / 100 : 0;

		out[i] = n ? v[rank ? rank - 1 : 0] : -1;
	}
}

/* A note for an unpriced model; owned (NULL: no memory). */
static char *no_price(const struct llmstats *s, const struct mrow *r)
{
	if (r->info)
		return xasprintf("no price for model %s (family %s has none in the model table)",
				 r->model, r->info->family);
	if (s->m)
		return xasprintf("no price for model %s (not in the model table)", r->model);
	return xasprintf("no price for model %s (no model table)", r->model);
}

static bool row_priced(const struct mrow *r)
{
	return r->info && r->info->priced;
}

static double row_cost(const struct mrow *r)
{
	return ((double)r->in * r->info->usd_in_per_mtok +
		(double)r->out * r->info->usd_out_per_mtok) /
	       1e6;
}

/* A row's summary. Returns 0 or -ENOMEM. */
static int summarize_row(const struct llmstats *s, const struct mrow *r, struct summary *o)
{
	long long *tmp = malloc((r->lat.n + r->ttft.n + 1) * sizeof(*tmp));
	size_t unk = r->in_unknown > r->out_unknown ? r->in_unknown : r->out_unknown;

	memset(o, 0, sizeof(*o));
	if (!tmp)
		return -ENOMEM;
	o->model = r->model;
	o->family = r->info ? r->info->family : NULL;
	o->calls = r->calls;
	o->in = r->in;
	o->out = r->out;
	o->in_unknown = r->in_unknown;
	o->out_unknown = r->out_unknown;
	o->nlat = r->lat.n;
	o->nttft = r->ttft.n;
	if (r->lat.n)
		memcpy(tmp, r->lat.v, r->lat.n * sizeof(*tmp));
	percentiles(tmp, r->lat.n, o->lat);
	if (r->ttft.n)
		memcpy(tmp, r->ttft.v, r->ttft.n * sizeof(*tmp));
	percentiles(tmp, r->ttft.n, o->ttft);
	free(tmp);
	o->s2xx = r->s2xx;
	o->s4xx = r->s4xx;
	o->s5xx = r->s5xx;
	o->sother = r->sother;
	o->incomplete = r->incomplete;
	o->errors = r->errors;
	o->samples = r->samples;
	o->nsamples = r->nsamples;
	o->priced = row_priced(r);
	if (o->priced) {
		o->cost = row_cost(r);
		if (unk && !(o->note = xasprintf("%zu call%s without token counts not costed", unk,
						 unk == 1 ? "" : "s")))
			return -ENOMEM;
	} else if (!(o->note = no_price(s, r))) {
		return -ENOMEM;
	}
	return 0;
}

static int append_note(char **note, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int append_note(char **note, const char *fmt, ...)
{
	va_list ap;
	char *part, *joined;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&part, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (!*note) {
		*note = part;
		return 0;
	}
	joined = xasprintf("%s; %s", *note, part);
	free(part);
	if (!joined)
		return -ENOMEM;
	free(*note);
	*note = joined;
	return 0;
}

/* The total row over every model. Returns 0 or -ENOMEM. */
static int summarize_total(const struct llmstats *s, struct summary *o)
{
	size_t nlat = 0, nttft = 0, unpriced_calls = 0, unpriced_models = 0, uncosted = 0;
	long long *lat, *ttft;
	int ret = -ENOMEM;

	memset(o, 0, sizeof(*o));
	o->model = "total";
	for (size_t i = 0; i < s->n; i++) {
		nlat += s->rows[i].lat.n;
		nttft += s->rows[i].ttft.n;
	}
	lat = malloc((nlat + 1) * sizeof(*lat));
	ttft = malloc((nttft + 1) * sizeof(*ttft));
	if (!lat || !ttft)
		goto out;
	for (size_t i = 0; i < s->n; i++) {
		const struct mrow *r = &s->rows[i];

		if (r->lat.n)
			memcpy(lat + o->nlat, r->lat.v, r->lat.n * sizeof(*lat));
		o->nlat += r->lat.n;
		if (r->ttft.n)
			memcpy(ttft + o->nttft, r->ttft.v, r->ttft.n * sizeof(*ttft));
		o->nttft += r->ttft.n;
		o->calls += r->calls;
		o->in += r->in;
		o->out += r->out;
		o->in_unknown += r->in_unknown;
		o->out_unknown += r->out_unknown;
		o->s2xx += r->s2xx;
		o->s4xx += r->s4xx;
		o->s5xx += r->s5xx;
		o->sother += r->sother;
		o->incomplete += r->incomplete;
		o->errors += r->errors;
		if (row_priced(r)) {
			o->priced = true;
			o->cost += row_cost(r);
			uncosted += r->in_unknown > r->out_unknown ? r->in_unknown : r->out_unknown;
		} else {
			unpriced_calls += r->calls;
			unpriced_models++;
		}
	}
	percentiles(lat, o->nlat, o->lat);
	percentiles(ttft, o->nttft, o->ttft);
	if (unpriced_models && !o->priced) {
		if (append_note(&o->note, "no price for any model"))
			goto out;
	} else if (unpriced_models) {
		if (append_note(&o->note, "excludes %zu call%s of %zu model%s without a price:",
				unpriced_calls, unpriced_calls == 1 ? "" : "s", unpriced_models,
				unpriced_models == 1 ? "" : "s"))
			goto out;
		for (size_t i = 0, k = 0; i < s->n; i++) {
			char *j;

			if (row_priced(&s->rows[i]))
				continue;
			j = xasprintf("%s%s %s", o->note, k++ ? "," : "", s->rows[i].model);
			if (!j)
				goto out;
			free(o->note);
			o->note = j;
		}
	}
	if (uncosted && append_note(&o->note, "%zu call%s without token counts not costed",
				    uncosted, uncosted == 1 ? "" : "s"))
		goto out;
	ret = 0;
out:
	free(lat);
	free(ttft);
	return ret;
}

/* Row order (qsort_r over indices): most calls first, then by name. */
static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct llmstats *s = arg;
	const struct mrow *x = &s->rows[*(const size_t *)a];
	const struct mrow *y = &s->rows[*(const size_t *)b];

	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return strcmp(x->model, y->model);
}

/* Row indices in print order (owned), NULL on no memory (or no rows). */
static size_t *row_order(const struct llmstats *s)
{
	size_t *idx = malloc((s->n + 1) * sizeof(*idx));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		idx[i] = i;
	qsort_r(idx, s->n, sizeof(*idx), cmp_rows, (void *)s);
	return idx;
}

static void summary_release(struct summary *o)
{
	free(o->note);
	o->note = NULL;
}

static const char *usd(char *buf, double v)
{
	snprintf(buf, NUMFMT_LEN, v >= 1 ? "$%.2f" : v >= 0.01 ? "$%.4f" : "$%.6f", v);
	return buf;
}

static void put_ms3(FILE *out, const char *what, const long long p[3], size_t n, const char *none)
{
	char a[NUMFMT_LEN], b[NUMFMT_LEN], c[NUMFMT_LEN];

	if (!n) {
		fprintf(out, "  %-9s %s\n", what, none);
		return;
	}
	fprintf(out, "  %-9s p50 %s ms, p90 %s ms, p99 %s ms (%zu call%s)\n", what,
		numfmt_dec1(a, (double)p[0] / 1e6), numfmt_dec1(b, (double)p[1] / 1e6),
		numfmt_dec1(c, (double)p[2] / 1e6), n, n == 1 ? "" : "s");
}

static void print_summary(FILE *out, const struct summary *o)
{
	char a[NUMFMT_LEN], b[NUMFMT_LEN];
	size_t unk = o->in_unknown > o->out_unknown ? o->in_unknown : o->out_unknown;

	fprintf(out, "%s", o->model);
	if (o->family)
		fprintf(out, " (family %s)", o->family);
	fputc('\n', out);
	fprintf(out, "  calls     %zu: %zu 2xx, %zu 4xx, %zu 5xx, %zu other, %zu incomplete\n",
		o->calls, o->s2xx, o->s4xx, o->s5xx, o->sother, o->incomplete);
	fprintf(out, "  errors    %zu (%.1f%%)", o->errors,
		o->calls ? 100.0 * (double)o->errors / (double)o->calls : 0.0);
	for (size_t i = 0; i < o->nsamples; i++)
		fprintf(out, "%s%s", i ? ", " : ": ", o->samples[i]);
	fputc('\n', out);
	fprintf(out, "  tokens    %s in, %s out", numfmt_int(a, o->in), numfmt_int(b, o->out));
	if (unk)
		fprintf(out, " (%zu call%s without counts)", unk, unk == 1 ? "" : "s");
	fputc('\n', out);
	put_ms3(out, "latency", o->lat, o->nlat, "no complete call");
	put_ms3(out, "ttft", o->ttft, o->nttft, "no streamed call");
	if (o->priced)
		fprintf(out, "  cost      %s%s%s%s\n", usd(a, o->cost), o->note ? " (" : "",
			o->note ? o->note : "", o->note ? ")" : "");
	else
		fprintf(out, "  cost      %s\n", o->note ? o->note : "no price");
}

void llmstats_print_text(FILE *out, const struct llmstats *s)
{
	struct summary o = {0};
	size_t *idx;

	if (!s || !s->calls) {
		fputs("no LLM calls in this recording\n", out);
		return;
	}
	if (!(idx = row_order(s))) {
		fputs("llm stats: out of memory\n", out);
		return;
	}
	fputs("LLM calls by model (percentiles: nearest rank)\n", out);
	for (size_t i = 0; i < s->n; i++) {
		if (summarize_row(s, &s->rows[idx[i]], &o)) {
			fputs("llm stats: out of memory\n", out);
			summary_release(&o);
			goto out;
		}
		print_summary(out, &o);
		summary_release(&o);
	}
	if (summarize_total(s, &o))
		fputs("llm stats: out of memory\n", out);
	else
		print_summary(out, &o);
	summary_release(&o);
out:
	free(idx);
}

static bool add_p(cJSON *o, const char *key, long long v)
{
	return v < 0 ? cJSON_AddNullToObject(o, key) != NULL
		     : cJSON_AddNumberToObject(o, key, (double)v) != NULL;
}

static cJSON *summary_json(const struct summary *o)
{
	cJSON *j = cJSON_CreateObject(), *st = NULL, *arr = NULL, *e;
	bool ok = j;

	ok = ok && cJSON_AddStringToObject(j, "model", o->model);
	ok = ok && (o->family ? cJSON_AddStringToObject(j, "family", o->family)
			      : cJSON_AddNullToObject(j, "family"));
	ok = ok && cJSON_AddNumberToObject(j, "calls", (double)o->calls);
	ok = ok && cJSON_AddNumberToObject(j, "request_tokens", (double)o->in);
	ok = ok && cJSON_AddNumberToObject(j, "response_tokens", (double)o->out);
	ok = ok && cJSON_AddNumberToObject(j, "request_tokens_unknown", (double)o->in_unknown);
	ok = ok && cJSON_AddNumberToObject(j, "response_tokens_unknown", (double)o->out_unknown);
	ok = ok && cJSON_AddNumberToObject(j, "latency_calls", (double)o->nlat);
	ok = ok && add_p(j, "latency_p50", o->lat[0]) && add_p(j, "latency_p90", o->lat[1]) &&
	     add_p(j, "latency_p99", o->lat[2]);
	ok = ok && cJSON_AddNumberToObject(j, "ttft_calls", (double)o->nttft);
	ok = ok && add_p(j, "ttft_p50", o->ttft[0]) && add_p(j, "ttft_p90", o->ttft[1]) &&
	     add_p(j, "ttft_p99", o->ttft[2]);
	ok = ok && (st = cJSON_AddObjectToObject(j, "status"));
	ok = ok && cJSON_AddNumberToObject(st, "2xx", (double)o->s2xx) &&
	     cJSON_AddNumberToObject(st, "4xx", (double)o->s4xx) &&
	     cJSON_AddNumberToObject(st, "5xx", (double)o->s5xx) &&
	     cJSON_AddNumberToObject(st, "other", (double)o->sother);
	ok = ok && cJSON_AddNumberToObject(j, "incomplete", (double)o->incomplete);
	ok = ok && cJSON_AddNumberToObject(j, "errors", (double)o->errors);
	ok = ok && cJSON_AddNumberToObject(j, "error_rate",
					   o->calls ? (double)o->errors / (double)o->calls : 0);
	ok = ok && (arr = cJSON_AddArrayToObject(j, "error_samples"));
	for (size_t i = 0; ok && i < o->nsamples; i++) {
		ok = (e = cJSON_CreateString(o->samples[i])) && cJSON_AddItemToArray(arr, e);
		if (!ok)
			cJSON_Delete(e);
	}
	ok = ok && (o->priced ? cJSON_AddNumberToObject(j, "cost_usd", o->cost)
			      : cJSON_AddNullToObject(j, "cost_usd"));
	ok = ok && (o->note ? cJSON_AddStringToObject(j, "cost_note", o->note)
			    : cJSON_AddNullToObject(j, "cost_note"));
	if (!ok) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

cJSON *llmstats_to_json(const struct llmstats *s)
{
	cJSON *o = cJSON_CreateObject(), *arr = NULL, *e = NULL;
	struct llmstats empty = {0};
	struct summary sm = {0};
	size_t *idx = NULL;
	bool ok = o;

	if (!s)
		s = &empty;
	ok = ok && cJSON_AddStringToObject(o, "percentile_method", "nearest-rank");
	ok = ok && (arr = cJSON_AddArrayToObject(o, "models")) && (idx = row_order(s));
	for (size_t i = 0; ok && i < s->n; i++) {
		ok = !summarize_row(s, &s->rows[idx[i]], &sm) && (e = summary_json(&sm)) &&
		     cJSON_AddItemToArray(arr, e);
		summary_release(&sm);
	}
	ok = ok && !summarize_total(s, &sm) && (e = summary_json(&sm)) &&
	     cJSON_AddItemToObject(o, "total", e);
	summary_release(&sm);
	free(idx);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
