// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * spantree.c - span tree, self time and critical path (see spantree.h).
 *
 * The critical path is computed as tracing UIs do (Jaeger's): walking back from a span's end,
 * the child that finished last before the cursor is on the path (recursively), the cursor moves
 * to that child's start, and the gaps no child covers are the span's own time on the path. The
 * on-path times of the nodes add up to the root's duration.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spantree.h"

static int by_start(const void *a, const void *b)
{
	const struct span_node *x = *(struct span_node *const *)a;
	const struct span_node *y = *(struct span_node *const *)b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->span && y->span ? strcmp(x->span->span_id, y->span->span_id) : 0;
}

static int by_id(const void *a, const void *b)
{
	return strcmp((*(struct span_node *const *)a)->span->span_id,
		      (*(struct span_node *const *)b)->span->span_id);
}

/* Duration of [start, end) not covered by the children (which are sorted by start). */
static uint64_t self_time(const struct span_node *n)
{
	uint64_t covered = 0, cur_s = 0, cur_e = 0;
	bool open = false;

	for (size_t i = 0; i < n->nchildren; i++) {
		uint64_t s = n->children[i]->start, e = n->children[i]->end;

		if (s < n->start)
			s = n->start;
		if (e > n->end)
			e = n->end;
		if (e <= s)
			continue;
		if (open && s <= cur_e) {
			if (e > cur_e)
				cur_e = e;
			continue;
		}
		if (open)
			covered += cur_e - cur_s;
		cur_s = s;
		cur_e = e;
		open = true;
	}
	if (open)
		covered += cur_e - cur_s;
	return n->end - n->start - covered;
}

static int by_end_desc(const void *a, const void *b)
{
	const struct span_node *x = *(struct span_node *const *)a;
	const struct span_node *y = *(struct span_node *const *)b;

	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return x->start > y->start ? -1 : x->start < y->start;
}

static void crit_walk(struct span_node *n, uint64_t cursor)
{
	struct span_node **kids;
	uint64_t t = n->end < cursor ? n->end : cursor;

	n->on_path = true;
	if (!n->nchildren) {
		n->crit += t > n->start ? t - n->start : 0;
		return;
	}
	/* children by end time, latest first */
	kids = malloc(n->nchildren * sizeof(*kids));
	if (!kids) {
		n->crit += t > n->start ? t - n->start : 0;
		return;
	}
	memcpy(kids, n->children, n->nchildren * sizeof(*kids));
	qsort(kids, n->nchildren, sizeof(*kids), by_end_desc);
	for (size_t i = 0; i < n->nchildren && t > n->start; i++) {
		struct span_node *c = kids[i];
		uint64_t ce = c->end < t ? c->end : t;

		if (c->start >= t || ce <= c->start)
			continue;
		n->crit += t - ce; /* nobody but n between the child's end and the cursor */
		crit_walk(c, ce);
		t = c->start > n->start ? c->start : n->start;
	}
	n->crit += t > n->start ? t - n->start : 0;
	free(kids);
}

static void collect_path(struct span_tree *t, struct span_node *n)
{
	if (!n->on_path)
		return;
	if (n->crit)
		t->path[t->npath++] = n;
	for (size_t i = 0; i < n->nchildren; i++)
		collect_path(t, n->children[i]);
}

static int by_path_time(const void *a, const void *b)
{
	const struct span_node *x = *(struct span_node *const *)a;
	const struct span_node *y = *(struct span_node *const *)b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->depth - y->depth;
}

static void set_depth(struct span_node *n, int d)
{
	n->depth = d;
	for (size_t i = 0; i < n->nchildren; i++)
		set_depth(n->children[i], d + 1);
}

int span_tree_build(struct span_tree *t, const char *trace_id, const struct sb_span *spans,
		    size_t n)
{
	size_t nroots = 0;
	struct span_node *only = NULL;

	memset(t, 0, sizeof(*t));
	snprintf(t->trace_id, sizeof(t->trace_id), "%s", trace_id ? trace_id : "");
	t->nodes = calloc(n + 1, sizeof(*t->nodes)); /* the last one: a virtual root */
	t->path = calloc(n + 1, sizeof(*t->path));
	if (!t->nodes || !t->path)
		goto nomem;
	t->nnodes = n;
	for (size_t i = 0; i < n; i++) {
		struct span_node *x = &t->nodes[i];

		x->span = &spans[i];
		x->start = spans[i].start;
		x->end = spans[i].end;
		t->meta.total_spans++;
		if (spans[i].kind == SB_LLM && spans[i].tokens > 0)
			t->meta.total_tokens += spans[i].tokens;
		if (strcmp(spans[i].status, "OK"))
			t->meta.error_count++;
	}
	/* parents: an id lookup through a sorted index */
	{
		struct span_node **idx = malloc((n ? n : 1) * sizeof(*idx));

		if (!idx)
			goto nomem;
		for (size_t i = 0; i < n; i++)
			idx[i] = &t->nodes[i];
		qsort(idx, n, sizeof(*idx), by_id);
		for (size_t i = 0; i < n; i++) {
			const char *pid = t->nodes[i].span->parent_span_id;
			size_t lo = 0, hi = n;

			if (!pid[0])
				continue;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				int c = strcmp(idx[mid]->span->span_id, pid);

				if (!c) {
					t->nodes[i].parent = idx[mid];
					break;
				}
				if (c < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
		}
		free(idx);
	}
	/* children arrays */
	for (size_t i = 0; i < n; i++)
		if (t->nodes[i].parent)
			t->nodes[i].parent->nchildren++;
		else
			nroots++;
	t->root = &t->nodes[n];
	t->root->nchildren = nroots;
	for (size_t i = 0; i <= n; i++) {
		struct span_node *x = &t->nodes[i];

		if (x->nchildren && !(x->children = calloc(x->nchildren, sizeof(*x->children))))
			goto nomem;
		x->nchildren = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct span_node *p = t->nodes[i].parent ? t->nodes[i].parent : t->root;

		p->children[p->nchildren++] = &t->nodes[i];
		if (!t->nodes[i].parent)
			only = &t->nodes[i];
	}
	t->root->start = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		if (t->nodes[i].start < t->root->start)
			t->root->start = t->nodes[i].start;
		if (t->nodes[i].end > t->root->end)
			t->root->end = t->nodes[i].end;
	}
	if (!n)
		t->root->start = 0;
	if (nroots == 1) { /* a single real root: no virtual one */
		free(t->root->children);
		t->root->children = NULL;
		t->root->nchildren = 0;
		t->root = only;
	}
	for (size_t i = 0; i <= n; i++) {
		struct span_node *x = &t->nodes[i];

		if (x->nchildren > 1)
			qsort(x->children, x->nchildren, sizeof(*x->children), by_start);
		if (x->end < x->start)
			x->end = x->start;
	}
	t->root->parent = NULL;
	for (size_t i = 0; i <= n; i++)
		t->nodes[i].self = self_time(&t->nodes[i]);
	set_depth(t->root, 0);
	t->meta.start = t->root->start;
	t->meta.end = t->root->end;
	t->meta.total_duration = t->root->end - t->root->start;
	crit_walk(t->root, t->root->end);
	collect_path(t, t->root);
	qsort(t->path, t->npath, sizeof(*t->path), by_path_time);
	return 0;
nomem:
	span_tree_release(t);
	return -ENOMEM;
}

void span_tree_release(struct span_tree *t)
{
	if (t->nodes)
		for (size_t i = 0; i <= t->nnodes; i++)
			free(t->nodes[i].children);
	free(t->nodes);
	free(t->path);
	memset(t, 0, sizeof(*t));
}

static void walk(const struct span_node *n, void (*fn)(void *, const struct span_node *), void *ctx)
{
	fn(ctx, n);
	for (size_t i = 0; i < n->nchildren; i++)
		walk(n->children[i], fn, ctx);
}

void span_tree_walk(const struct span_tree *t, void (*fn)(void *ctx, const struct span_node *n),
		    void *ctx)
{
	if (t->root)
		walk(t->root, fn, ctx);
}

void fmt_duration(char *buf, size_t n, uint64_t ns)
{
	if (ns >= 1000000000ull)
		snprintf(buf, n, "%.3f s", ns / 1e9);
	else if (ns >= 1000000ull)
		snprintf(buf, n, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, n, "%llu µs", (unsigned long long)(ns / 1000));
}

const char *span_label(const char *name, char buf[SPAN_LABEL_MAX])
{
	size_t n = name ? strlen(name) : 0, keep = SPAN_LABEL_MAX - 4;

	if (n < SPAN_LABEL_MAX)
		return name ? name : "?";
	while (keep && ((unsigned char)name[keep] & 0xc0) == 0x80) /* not inside a character */
		keep--;
	memcpy(buf, name, keep);
	memcpy(buf + keep, "...", 4);
	return buf;
}

const char *span_node_name(const struct span_node *n)
{
	return n->span ? n->span->name : "(trace)";
}

/* ---- text ---- */

struct print_ctx {
	FILE *out;
	bool verbose;
	char prefix[256]; /* "│  │  " for the current depth */
};

static void print_node(struct print_ctx *pc, const struct span_node *n, bool last, bool top)
{
	const struct sb_span *sp = n->span;
	char dur[32], label[SPAN_LABEL_MAX];
	size_t plen = strlen(pc->prefix);

	fmt_duration(dur, sizeof(dur), n->end - n->start);
	fprintf(pc->out, "%s%s%s  %s", pc->prefix,
		top    ? ""
		: last ? "└─ "
		       : "├─ ",
		span_label(span_node_name(n), label), dur);
	if (sp) {
		if (sp->kind == SB_PROCESS)
			fprintf(pc->out, "  pid %d  %llu syscalls", sp->pid,
				(unsigned long long)sp->syscalls);
		if (sp->kind == SB_LLM)
			fprintf(pc->out, "  %lld→%lld tokens", sp->request_tokens,
				sp->response_tokens);
		else if (sp->tokens > 0)
			fprintf(pc->out, "  %lld tokens", sp->tokens);
		if (sp->kind == SB_NET)
			fprintf(pc->out, "  %llu B out, %llu B in",
				(unsigned long long)sp->bytes_sent,
				(unsigned long long)sp->bytes_received);
		fprintf(pc->out, "  %s", sp->status);
		if (sp->kind == SB_PROCESS && sp->signal)
			fprintf(pc->out, " (signal %d)", sp->signal);
		else if (sp->kind == SB_PROCESS && sp->exit_code)
			fprintf(pc->out, " (exit %d)", sp->exit_code);
		else if (sp->kind == SB_LLM && sp->http_status != 200)
			fprintf(pc->out, " (HTTP %d)", sp->http_status);
	}
	fputc('\n', pc->out);
	if (!top && plen + 8 < sizeof(pc->prefix))
		strcat(pc->prefix, last ? "   " : "│  ");
	if (pc->verbose && sp) {
		const char *pre = n->nchildren ? "│  " : "   ";

		if (sp->kind == SB_TOOL)
			fprintf(pc->out, "%s%s  call %s args %s%s\n", pc->prefix, pre,
				sp->tool_call_id ? sp->tool_call_id : "?",
				sp->arguments ? sp->arguments : "",
				sp->result_seq ? "" : "  (result never sent back)");
		for (int i = 0; i < sp->nevidence; i++)
			fprintf(pc->out, "%s%s  ! #%llu %s\n", pc->prefix, pre,
				(unsigned long long)sp->evidence[i].seq_num, sp->evidence[i].text);
		if (sp->signal)
			fprintf(pc->out, "%s%s  ! killed by signal %d\n", pc->prefix, pre,
				sp->signal);
	}
	for (size_t i = 0; i < n->nchildren; i++)
		print_node(pc, n->children[i], i + 1 == n->nchildren, false);
	pc->prefix[plen] = '\0';
}

void span_tree_print(FILE *out, const struct span_tree *t, bool verbose)
{
	struct print_ctx pc = {.out = out, .verbose = verbose};
	char dur[32];

	fmt_duration(dur, sizeof(dur), t->meta.total_duration);
	fprintf(out, "trace %s: %zu spans, %lld tokens, %s, %zu error%s\n", t->trace_id,
		t->meta.total_spans, t->meta.total_tokens, dur, t->meta.error_count,
		t->meta.error_count == 1 ? "" : "s");
	if (!t->root || !t->meta.total_spans) {
		fprintf(out, "no spans in this recording\n");
		return;
	}
	print_node(&pc, t->root, true, true);
}

/* ---- JSON ---- */

cJSON *span_json(const struct sb_span *sp, const char *trace_id)
{
	char buf[16384];
	size_t len = sb_span_json(buf, sizeof(buf), trace_id, sp);

	if (len >= sizeof(buf))
		return NULL;
	return cJSON_ParseWithLength(buf, len);
}

static cJSON *node_json(const struct span_tree *t, const struct span_node *n, bool verbose)
{
	cJSON *o = n->span ? span_json(n->span, t->trace_id) : cJSON_CreateObject(), *kids;

	if (!o)
		return NULL;
	if (!n->span) {
		cJSON_AddStringToObject(o, "name", "(trace)");
		cJSON_AddNumberToObject(o, "start_time", (double)n->start);
		cJSON_AddNumberToObject(o, "end_time", (double)n->end);
		cJSON_AddNumberToObject(o, "duration", (double)(n->end - n->start));
	} else if (!verbose) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "events");
	}
	cJSON_AddNumberToObject(o, "self_time", (double)n->self);
	kids = cJSON_AddArrayToObject(o, "children");
	for (size_t i = 0; kids && i < n->nchildren; i++) {
		cJSON *c = node_json(t, n->children[i], verbose);

		if (c)
			cJSON_AddItemToArray(kids, c);
	}
	return o;
}

cJSON *span_tree_json(const struct span_tree *t, bool verbose)
{
	cJSON *o = cJSON_CreateObject(), *m;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "trace_id", t->trace_id);
	m = cJSON_AddObjectToObject(o, "metadata");
	if (m) {
		cJSON_AddNumberToObject(m, "total_spans", (double)t->meta.total_spans);
		cJSON_AddNumberToObject(m, "total_tokens", (double)t->meta.total_tokens);
		cJSON_AddNumberToObject(m, "total_duration", (double)t->meta.total_duration);
		cJSON_AddNumberToObject(m, "start_time", (double)t->meta.start);
		cJSON_AddNumberToObject(m, "end_time", (double)t->meta.end);
		cJSON_AddNumberToObject(m, "error_count", (double)t->meta.error_count);
	}
	if (t->root && t->meta.total_spans)
		cJSON_AddItemToObject(o, "root", node_json(t, t->root, verbose));
	else
		cJSON_AddNullToObject(o, "root");
	return o;
}
