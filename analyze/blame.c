// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* blame.c - root-cause analysis over a span tree (see blame.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blame.h"

static bool failed(const struct sb_span *sp)
{
	return sp && strcmp(sp->status, "OK") != 0;
}

static bool has_failing_descendant(const struct span_node *n)
{
	for (size_t i = 0; i < n->nchildren; i++)
		if (failed(n->children[i]->span) || has_failing_descendant(n->children[i]))
			return true;
	return false;
}

/* The first failing process at or under n (a tool call's evidence). */
static const struct sb_span *failing_process(const struct span_node *n)
{
	if (n->span && n->span->kind == SB_PROCESS && failed(n->span))
		return n->span;
	for (size_t i = 0; i < n->nchildren; i++) {
		const struct sb_span *sp = failing_process(n->children[i]);

		if (sp)
			return sp;
	}
	return NULL;
}

/* Inserts (node, value) into the top list, kept sorted by value, largest first. */
static void top_insert(struct blame_entry *top, size_t *n, const struct span_node *node,
		       uint64_t value)
{
	size_t i = *n;

	if (!value || (*n == BLAME_TOP && value <= top[BLAME_TOP - 1].value))
		return;
	if (*n < BLAME_TOP)
		(*n)++;
	else
		i = BLAME_TOP - 1;
	while (i > 0 && top[i - 1].value < value) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = (struct blame_entry){node, 0, 0, value};
}

struct visit {
	struct blame_result *r;
	int err;
};

static void visit(void *ctx, const struct span_node *n)
{
	struct visit *v = ctx;
	struct blame_result *r = v->r;
	const struct span_node *p;
	struct blame_chain *c;
	size_t depth = 0;

	if (!n->span)
		return;
	top_insert(r->hot_dur, &r->nhot_dur, n, n->self);
	if (n->span->kind == SB_LLM && n->span->tokens > 0)
		top_insert(r->hot_tok, &r->nhot_tok, n, (uint64_t)n->span->tokens);
	if (!failed(n->span) || has_failing_descendant(n))
		return;
	r->chains_total++;
	if (r->nchains == BLAME_CHAINS)
		return;
	for (p = n; p; p = p->parent)
		depth++;
	c = &r->chains[r->nchains];
	c->path = calloc(depth, sizeof(*c->path));
	if (!c->path) {
		v->err = -ENOMEM;
		return;
	}
	for (p = n; p; p = p->parent)
		c->path[c->npath++] = p;
	c->evidence_of = failing_process(n);
	r->nchains++;
}

int blame_analyze(struct blame_result *r, const struct span_tree *t)
{
	struct visit v = {r, 0};
	uint64_t total = t->meta.total_duration;

	memset(r, 0, sizeof(*r));
	r->tree = t;
	span_tree_walk(t, visit, &v);
	for (size_t i = 0; i < r->nhot_dur; i++) {
		r->hot_dur[i].rank = (int)i + 1;
		r->hot_dur[i].pct = total ? 100.0 * r->hot_dur[i].value / total : 0;
	}
	for (size_t i = 0; i < r->nhot_tok; i++) {
		r->hot_tok[i].rank = (int)i + 1;
		r->hot_tok[i].pct =
		    t->meta.total_tokens ? 100.0 * r->hot_tok[i].value / t->meta.total_tokens : 0;
	}
	for (size_t i = 0; i < t->npath; i++)
		if (t->path[i] != t->root)
			r->critical_duration += t->path[i]->crit;
	r->critical_path_pct = total ? 100.0 * r->critical_duration / total : 0;
	if (v.err)
		blame_release(r);
	return v.err;
}

void blame_release(struct blame_result *r)
{
	for (size_t i = 0; i < r->nchains; i++)
		free(r->chains[i].path);
	memset(r, 0, sizeof(*r));
}

/* ---- text ---- */

static void span_status(FILE *out, const struct sb_span *sp)
{
	fprintf(out, "%s", sp->status);
	if (sp->kind == SB_PROCESS && sp->signal)
		fprintf(out, " (killed by signal %d)", sp->signal);
	else if (sp->kind == SB_PROCESS && sp->exit_code)
		fprintf(out, " (exit %d)", sp->exit_code);
	else if (sp->kind == SB_LLM && sp->http_status >= 400)
		fprintf(out, " (HTTP %d)", sp->http_status);
	else if (sp->kind == SB_TOOL && sp->tool_call_id)
		fprintf(out, " (%s)", sp->tool_call_id);
}

static void print_wall(FILE *out, const struct span_tree *t)
{
	char label[SPAN_LABEL_MAX];
	static const char *const what[SB_WALL__N] = {
	    "waiting on the LLM", "waiting on tools", "file I/O",
	    "network I/O",	  "other syscalls",   "on CPU or runnable (outside syscalls)"};
	bool any = false;

	for (size_t i = 0; i < t->nnodes; i++) {
		const struct sb_span *sp = t->nodes[i].span;
		uint64_t life = sp->end - sp->start;
		char d[32];

		if (sp->kind != SB_PROCESS || !sp->agent)
			continue;
		if (!any)
			fprintf(out, "\nwhere the agent's wall time went (main thread):\n");
		any = true;
		fmt_duration(d, sizeof(d), life);
		fprintf(out, "  pid %d %s, %s:\n", sp->pid, span_label(sp->name, label), d);
		for (int w = 0; w < SB_WALL__N; w++) {
			fmt_duration(d, sizeof(d), sp->wall[w]);
			fprintf(out, "    %-6s %10s %5.1f%%  %s\n", sb_wall_name(w), d,
				life ? 100.0 * sp->wall[w] / life : 0, what[w]);
		}
	}
}

void blame_print(FILE *out, const struct blame_result *r)
{
	const struct span_tree *t = r->tree;
	char d[32], d2[32], label[SPAN_LABEL_MAX];

	fmt_duration(d, sizeof(d), t->meta.total_duration);
	fprintf(out, "blame: trace %s: %s, %zu spans, %lld tokens, %zu error%s\n", t->trace_id, d,
		t->meta.total_spans, t->meta.total_tokens, t->meta.error_count,
		t->meta.error_count == 1 ? "" : "s");
	if (!t->meta.total_spans) {
		fprintf(out, "no spans in this recording\n");
		return;
	}
	fmt_duration(d, sizeof(d), r->critical_duration);
	fmt_duration(d2, sizeof(d2), t->meta.total_duration);
	fprintf(out, "\ncritical path: %s of %s below the root (%.1f%%)\n", d, d2,
		r->critical_path_pct);
	for (size_t i = 0; i < t->npath; i++) {
		const struct span_node *n = t->path[i];

		fmt_duration(d, sizeof(d), n->crit);
		fprintf(out, "  +%.6f %10s %5.1f%%  %*s%s\n", (n->start - t->meta.start) / 1e9, d,
			t->meta.total_duration ? 100.0 * n->crit / t->meta.total_duration : 0,
			n->depth * 2, "", span_label(span_node_name(n), label));
	}
	fprintf(out, "\nduration hotspots (self time):\n");
	for (size_t i = 0; i < r->nhot_dur && i < BLAME_TOP_TEXT; i++) {
		fmt_duration(d, sizeof(d), r->hot_dur[i].value);
		fprintf(out, "  %2d. %10s %5.1f%%  %s [%s]\n", r->hot_dur[i].rank, d,
			r->hot_dur[i].pct, span_label(span_node_name(r->hot_dur[i].node), label),
			sb_kind_name(r->hot_dur[i].node->span->kind));
	}
	fprintf(out, "\ntoken hotspots:\n");
	if (!r->nhot_tok)
		fprintf(out, "  no LLM calls in this recording\n");
	for (size_t i = 0; i < r->nhot_tok && i < BLAME_TOP_TEXT; i++) {
		const struct sb_span *sp = r->hot_tok[i].node->span;

		fprintf(out, "  %2d. %8llu tokens %5.1f%%  %s (pid %d, %lld in, %lld out, #%llu)\n",
			r->hot_tok[i].rank, (unsigned long long)r->hot_tok[i].value,
			r->hot_tok[i].pct, sp->name, sp->pid, sp->request_tokens,
			sp->response_tokens, (unsigned long long)sp->seq_num);
	}
	fprintf(out, "\nerror chains:%s\n", r->chains_total ? "" : " none");
	for (size_t i = 0; i < r->nchains; i++) {
		const struct blame_chain *c = &r->chains[i];
		const struct sb_span *ev = c->evidence_of;

		for (size_t k = 0; k < c->npath; k++) {
			const struct sb_span *sp = c->path[k]->span;

			if (!sp)
				continue;
			if (!k)
				fprintf(out, "  %zu. ", i + 1);
			else
				fprintf(out, "     ← ");
			fprintf(out, "%s [%s, pid %d]  ", span_label(sp->name, label),
				sb_kind_name(sp->kind), sp->pid);
			span_status(out, sp);
			fputc('\n', out);
		}
		if (!ev && c->path[0]->span && c->path[0]->span->kind == SB_LLM) {
			const struct sb_span *l = c->path[0]->span;

			fprintf(out, "     evidence: HTTP %d%s%s%s\n", l->http_status,
				l->error ? ": \"" : "", l->error ? l->error : "",
				l->error ? "\"" : "");
			continue;
		}
		if (!ev)
			continue;
		if (!ev->nevidence) {
			fprintf(out,
				"     evidence: pid %d made no failed syscall before it ended\n",
				ev->pid);
			continue;
		}
		fprintf(out, "     evidence: the last failed syscalls of pid %d (%s) before it ",
			ev->pid, span_label(ev->name, label));
		if (ev->signal)
			fprintf(out, "was killed by signal %d:\n", ev->signal);
		else
			fprintf(out, "exited with %d:\n", ev->exit_code);
		for (int k = 0; k < ev->nevidence; k++)
			fprintf(out, "       #%llu +%.6f [pid %d] %s\n",
				(unsigned long long)ev->evidence[k].seq_num,
				ev->evidence[k].ts / 1e9, ev->evidence[k].tid,
				ev->evidence[k].text);
	}
	if (r->chains_total > r->nchains)
		fprintf(out, "  ... %zu more\n", r->chains_total - r->nchains);
	print_wall(out, t);
	fmt_duration(d, sizeof(d), t->meta.total_duration);
	fprintf(
	    out,
	    "\nsummary: %zu spans, %zu with errors, %s, %lld tokens, critical path %.1f%% below "
	    "the root\n",
	    t->meta.total_spans, t->meta.error_count, d, t->meta.total_tokens,
	    r->critical_path_pct);
}

/* ---- JSON ---- */

static cJSON *short_span(const struct sb_span *sp)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "span_id", sp->span_id);
	cJSON_AddStringToObject(o, "name", sp->name);
	cJSON_AddStringToObject(o, "kind", sb_kind_name(sp->kind));
	cJSON_AddNumberToObject(o, "pid", sp->pid);
	cJSON_AddNumberToObject(o, "start_time", (double)sp->start);
	cJSON_AddNumberToObject(o, "duration", (double)(sp->end - sp->start));
	cJSON_AddNumberToObject(o, "tokens_used", (double)sp->tokens);
	cJSON_AddStringToObject(o, "status", sp->status);
	if (sp->kind == SB_PROCESS) {
		cJSON_AddNumberToObject(o, "exit_code", sp->exit_code);
		cJSON_AddNumberToObject(o, "signal", sp->signal);
	} else if (sp->kind == SB_TOOL) {
		cJSON_AddStringToObject(o, "tool_call_id",
					sp->tool_call_id ? sp->tool_call_id : "");
	} else if (sp->kind == SB_LLM) {
		cJSON_AddNumberToObject(o, "http_status", sp->http_status);
		if (sp->error)
			cJSON_AddStringToObject(o, "error", sp->error);
	}
	return o;
}

static cJSON *entries_json(const struct blame_entry *e, size_t n, const char *valname)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o)
			break;
		cJSON_AddNumberToObject(o, "rank", e[i].rank);
		cJSON_AddItemToObject(o, "span", short_span(e[i].node->span));
		cJSON_AddNumberToObject(o, valname, (double)e[i].value);
		cJSON_AddNumberToObject(o, "percentage", e[i].pct);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *chain_json(const struct blame_chain *c)
{
	cJSON *o = cJSON_CreateObject(), *path, *ev;
	const struct sb_span *e = c->evidence_of;

	if (!o)
		return NULL;
	cJSON_AddItemToObject(o, "root_cause", short_span(c->path[0]->span));
	path = cJSON_AddArrayToObject(o, "path");
	for (size_t k = 0; path && k < c->npath; k++)
		if (c->path[k]->span)
			cJSON_AddItemToArray(path, short_span(c->path[k]->span));
	ev = cJSON_AddArrayToObject(o, "evidence");
	for (int k = 0; ev && e && k < e->nevidence; k++) {
		cJSON *x = cJSON_CreateObject();

		if (!x)
			break;
		cJSON_AddNumberToObject(x, "seq_num", (double)e->evidence[k].seq_num);
		cJSON_AddNumberToObject(x, "timestamp", (double)e->evidence[k].ts);
		cJSON_AddNumberToObject(x, "pid", e->pid);
		cJSON_AddNumberToObject(x, "tid", e->evidence[k].tid);
		cJSON_AddStringToObject(x, "syscall", e->evidence[k].syscall);
		cJSON_AddStringToObject(x, "err", e->evidence[k].err);
		cJSON_AddStringToObject(x, "line", e->evidence[k].text);
		cJSON_AddItemToArray(ev, x);
	}
	return o;
}

static cJSON *wall_json(const struct span_tree *t)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < t->nnodes; i++) {
		const struct sb_span *sp = t->nodes[i].span;
		cJSON *o, *w;

		if (sp->kind != SB_PROCESS || !sp->agent || !(o = cJSON_CreateObject()))
			continue;
		cJSON_AddNumberToObject(o, "pid", sp->pid);
		cJSON_AddStringToObject(o, "name", sp->name);
		cJSON_AddNumberToObject(o, "lifetime", (double)(sp->end - sp->start));
		w = cJSON_AddObjectToObject(o, "wall_time");
		for (int k = 0; w && k < SB_WALL__N; k++)
			cJSON_AddNumberToObject(w, sb_wall_name(k), (double)sp->wall[k]);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *blame_json(const struct blame_result *r)
{
	const struct span_tree *t = r->tree;
	cJSON *o = cJSON_CreateObject(), *arr, *s;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "trace_id", t->trace_id);
	arr = cJSON_AddArrayToObject(o, "critical_path");
	for (size_t i = 0; arr && i < t->npath; i++) {
		const struct span_node *n = t->path[i];
		cJSON *x = n->span ? short_span(n->span) : cJSON_CreateObject();

		if (!x)
			break;
		if (!n->span)
			cJSON_AddStringToObject(x, "name", "(trace)");
		cJSON_AddNumberToObject(x, "on_path", (double)n->crit);
		cJSON_AddNumberToObject(
		    x, "percentage",
		    t->meta.total_duration ? 100.0 * n->crit / t->meta.total_duration : 0);
		cJSON_AddItemToArray(arr, x);
	}
	cJSON_AddNumberToObject(o, "critical_duration", (double)r->critical_duration);
	cJSON_AddItemToObject(o, "duration_hotspots",
			      entries_json(r->hot_dur, r->nhot_dur, "self_time"));
	cJSON_AddItemToObject(o, "token_hotspots", entries_json(r->hot_tok, r->nhot_tok, "tokens"));
	arr = cJSON_AddArrayToObject(o, "error_chains");
	for (size_t i = 0; arr && i < r->nchains; i++)
		cJSON_AddItemToArray(arr, chain_json(&r->chains[i]));
	cJSON_AddNumberToObject(o, "error_chains_total", (double)r->chains_total);
	cJSON_AddItemToObject(o, "wall_time", wall_json(t));
	s = cJSON_AddObjectToObject(o, "summary");
	if (s) {
		cJSON_AddNumberToObject(s, "total_spans", (double)t->meta.total_spans);
		cJSON_AddNumberToObject(s, "error_spans", (double)t->meta.error_count);
		cJSON_AddNumberToObject(s, "total_duration", (double)t->meta.total_duration);
		cJSON_AddNumberToObject(s, "total_tokens", (double)t->meta.total_tokens);
		cJSON_AddNumberToObject(s, "critical_path_pct", r->critical_path_pct);
	}
	return o;
}
