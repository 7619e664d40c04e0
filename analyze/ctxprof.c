// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ctxprof.c - AnalyzeContext: token estimate, calibration, classification, consumers (ctxprof.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctxprof.h"
#include "numfmt.h"

enum kind { K_SYSTEM, K_USER, K_ASSISTANT, K_TOOL_RESULTS, K_TOOL_CALLS, K_TOOL_DEFS, K_OTHER, NK };

static const char *const kind_names[NK] = {
    "system", "user", "assistant", "tool_results", "tool_calls", "tool_definitions", "other",
};

enum cls { C_ACTIVE, C_WARM, C_COLD, C_LEAKED };

static const char *const cls_names[] = {"active", "warm", "cold", "leaked"};

#define NEEDLE_MAX     64
#define NEEDLES_MAX    512
#define DISTINCT_ALNUM 4

/* One message while it is analyzed. */
struct msg {
	const char *role; /* static */
	enum kind kind;	  /* primary */
	enum kind text_kind;
	bool user_turn, assistant, tool_result;
	const char *content; /* points into the cJSON tree or content_own */
	char *content_own;
	size_t clen;
	char *calls; /* "name(arguments)\n" per call, for duplicates and references; owned */
	size_t calls_bytes;
	int ncalls;
	const char *tool_call_id;
	long long est_text, est_calls, tok; /* raw parts; calibrated whole */
	long long tok_text, tok_calls;
	enum cls cls;
	const char *leak_reason;
	int dup_of;
};

struct ana {
	struct ctx_profile *p;
	const cJSON *context;
	struct msg *m;
	size_t n;
	long long real, est_total;
	long long sys_est, defs_est, sys_tok, defs_tok;
};

static const char *known_role(const char *r)
{
	static const char *const roles[] = {"system", "developer", "user",    "assistant",
					    "model",  "tool",	   "function"};

	for (size_t i = 0; r && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (!strcmp(r, roles[i]))
			return roles[i];
	return "other";
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long est(size_t bytes)
{
	return (long long)((bytes + 3) / 4);
}

/* Text of a JSON value: a string as is, NULL/absent "", anything else its compact JSON (owned). */
static int value_text(const cJSON *v, const char **text, char **own)
{
	*own = NULL;
	if (!v || cJSON_IsNull(v)) {
		*text = "";
	} else if (cJSON_IsString(v)) {
		*text = v->valuestring;
	} else {
		if (!(*own = cJSON_PrintUnformatted(v)))
			return -ENOMEM;
		*text = *own;
	}
	return 0;
}

static int append(char **buf, size_t *len, const char *s)
{
	size_t sl = strlen(s);
	char *b = realloc(*buf, *len + sl + 1);

	if (!b)
		return -ENOMEM;
	memcpy(b + *len, s, sl + 1);
	*buf = b;
	*len += sl;
	return 0;
}

static int load_msg(struct msg *m, const cJSON *jm)
{
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(jm, "tool_calls"), *c;
	const cJSON *arr = cJSON_IsArray(calls) ? calls : NULL;
	size_t len = 0;
	const char *raw_role = jstr(jm, "role");

	m->role = known_role(raw_role);
	m->tool_call_id = jstr(jm, "tool_call_id");
	if (value_text(cJSON_GetObjectItemCaseSensitive(jm, "content"), &m->content,
		       &m->content_own))
		return -ENOMEM;
	m->clen = strlen(m->content);
	cJSON_ArrayForEach(c, arr)
	{
		const char *name = jstr(c, "name"), *args;
		char *own;
		int err;

		if (value_text(cJSON_GetObjectItemCaseSensitive(c, "arguments"), &args, &own))
			return -ENOMEM;
		name = name ? name : "";
		m->calls_bytes += strlen(name) + strlen(args);
		err = append(&m->calls, &len, name) || append(&m->calls, &len, "(") ||
		      append(&m->calls, &len, args) || append(&m->calls, &len, ")\n");
		free(own);
		if (err)
			return -ENOMEM;
		m->ncalls++;
	}

	m->tool_result =
	    m->tool_call_id || !strcmp(m->role, "tool") || !strcmp(m->role, "function");
	m->assistant =
	    !m->tool_result && (!strcmp(m->role, "assistant") || !strcmp(m->role, "model"));
	m->user_turn = !m->tool_result && !strcmp(m->role, "user");
	if (m->tool_result)
		m->text_kind = K_TOOL_RESULTS;
	else if (m->assistant)
		m->text_kind = K_ASSISTANT;
	else if (m->user_turn)
		m->text_kind = K_USER;
	else if (!strcmp(m->role, "system") || !strcmp(m->role, "developer"))
		m->text_kind = K_SYSTEM;
	else
		m->text_kind = K_OTHER;

	if (m->ncalls && !m->clen && m->assistant) {
		m->est_text = 0;
		m->est_calls = est(m->calls_bytes) + CTX_MSG_OVERHEAD;
		m->kind = K_TOOL_CALLS;
	} else {
		m->est_text = est(m->clen) + CTX_MSG_OVERHEAD;
		m->est_calls = m->ncalls ? est(m->calls_bytes) : 0;
		m->kind = m->text_kind;
	}
	return 0;
}

/* x scaled by real/est_total, rounded half up (exact integers). */
static long long cal(const struct ana *a, long long x)
{
	if (!a->p->calibrated)
		return x;
	return (long long)(((__int128)x * a->real * 2 + a->est_total) /
			   ((__int128)a->est_total * 2));
}

static double pct_of(long long part, long long total)
{
	return total > 0 ? 100.0 * (double)part / (double)total : 0;
}

/* Integer percent, rounded half up, for suggestions ("38%"). */
static long long ipct(long long part, long long total)
{
	return total > 0 ? (part * 200 + total) / (total * 2) : 0;
}

/* The tool definitions' size from the request body: bytes of compact "tools", -1 unknown. */
static long long tool_defs_bytes(const char *body, int *err)
{
	cJSON *b, *t;
	char *s;
	long long n = 0;

	*err = 0;
	if (!body || !(b = cJSON_Parse(body)))
		return -1;
	t = cJSON_GetObjectItemCaseSensitive(b, "tools");
	if (t && !cJSON_IsNull(t)) {
		if ((s = cJSON_PrintUnformatted(t))) {
			n = (long long)strlen(s);
			free(s);
		} else {
			*err = -ENOMEM;
		}
	}
	cJSON_Delete(b);
	return n;
}

static void mark(struct ana *a, size_t from, size_t to, enum cls c)
{
	for (size_t i = from; i < to && i < a->n; i++)
		a->m[i].cls = c;
}

/*
 * The turn/step classification of ctxprof.h. Units before the active part are collected newest
 * first; the first CTX_WARM_UNITS are warm, the rest stay cold.
 */
static int classify(struct ana *a)
{
	size_t n = a->n, last_u = 0, *steps = NULL, nsteps = 0, *ustart = NULL, *uend = NULL;
	size_t nunits = 0;
	bool have_u = false;
	int ret = -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		a->m[i].cls = C_COLD;
		if (a->m[i].user_turn) {
			last_u = i;
			have_u = true;
		}
	}
	if (!n)
		return 0;
	steps = calloc(n, sizeof(*steps));
	ustart = calloc(n + 1, sizeof(*ustart));
	uend = calloc(n + 1, sizeof(*uend));
	if (!steps || !ustart || !uend)
		goto out;
	for (size_t i = have_u ? last_u : 0; i < n; i++)
		if (a->m[i].assistant)
			steps[nsteps++] = i;
	if (nsteps > CTX_ACTIVE_STEPS) {
		size_t keep = nsteps - CTX_ACTIVE_STEPS;

		mark(a, have_u ? last_u : 0, steps[0], C_ACTIVE);
		mark(a, steps[keep], n, C_ACTIVE);
		for (size_t j = keep; j-- > 0;) {
			ustart[nunits] = steps[j];
			uend[nunits++] = steps[j + 1];
		}
	} else {
		mark(a, have_u ? last_u : 0, n, C_ACTIVE);
	}
	if (have_u) {
		/* earlier turns, newest first; a leading part before the first user message too */
		size_t end = last_u;

		for (size_t i = last_u; i-- > 0;) {
			if (a->m[i].user_turn || i == 0) {
				ustart[nunits] = i;
				uend[nunits++] = end;
				end = i;
			}
		}
	}
	for (size_t u = 0; u < nunits && u < CTX_WARM_UNITS; u++)
		mark(a, ustart[u], uend[u], C_WARM);
	ret = 0;
out:
	free(steps);
	free(ustart);
	free(uend);
	return ret;
}

/* Large, as for leaks and message consumers: >= 500 tokens, or >= 100 and 10% of the context. */
static bool large(long long tok, long long total)
{
	return tok >= CTX_LEAK_MIN_TOKENS || (tok >= CTX_LEAK_MIN_SMALL && tok * 10 >= total);
}

static bool distinct_line(const char *s, size_t len)
{
	int alnum = 0;

	if (len < CTX_DISTINCT_MIN)
		return false;
	for (size_t i = 0; i < len && alnum < DISTINCT_ALNUM; i++)
		alnum +=
		    (s[i] >= '0' && s[i] <= '9') || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z');
	return alnum >= DISTINCT_ALNUM;
}

/*
 * The text the model wrote or was given after each message: the content and calls of every
 * message that is not a tool result, in order, each followed by '\n' (needles hold no newline,
 * so none matches across two messages). tail[i] is where the messages after #i+1 start.
 */
struct later {
	char *buf;
	size_t len;
	size_t *tail; /* n + 1 offsets */
};

static int later_build(const struct ana *a, struct later *l)
{
	size_t len = 0;

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < a->n; i++)
		if (!a->m[i].tool_result)
			len += a->m[i].clen + 1 + (a->m[i].calls ? strlen(a->m[i].calls) + 1 : 0);
	l->buf = malloc(len + 1);
	l->tail = calloc(a->n + 1, sizeof(*l->tail));
	if (!l->buf || !l->tail)
		return -ENOMEM;
	for (size_t i = 0; i < a->n; i++) {
		const struct msg *m = &a->m[i];

		l->tail[i] = l->len;
		if (m->tool_result)
			continue;
		memcpy(l->buf + l->len, m->content, m->clen);
		l->len += m->clen;
		l->buf[l->len++] = '\n';
		if (m->calls) {
			size_t cl = strlen(m->calls);

			memcpy(l->buf + l->len, m->calls, cl);
			l->len += cl;
			l->buf[l->len++] = '\n';
		}
	}
	l->tail[a->n] = l->len;
	return 0;
}

static void later_free(struct later *l)
{
	free(l->buf);
	free(l->tail);
}

/* Calls fn(line, len) on each trimmed distinctive line of s; stops when fn returns true. */
static bool each_distinct(const char *s, size_t slen, size_t stride,
			  bool (*fn)(const char *, size_t, void *), void *arg)
{
	const char *end = s + slen;
	size_t k = 0;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *e = nl ? nl : end;
		const char *b = s;

		while (b < e && (*b == ' ' || *b == '\t' || *b == '\r'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (distinct_line(b, (size_t)(e - b)) && k++ % stride == 0 &&
		    fn(b, (size_t)(e - b), arg))
			return true;
		s = nl ? nl + 1 : end;
	}
	return false;
}

static bool count_line(const char *line, size_t len, void *arg)
{
	(void)line;
	(void)len;
	++*(size_t *)arg;
	return false;
}

struct search {
	const char *hay;
	size_t len;
};

static bool quoted(const char *line, size_t len, void *arg)
{
	const struct search *sr = arg;

	return memmem(sr->hay, sr->len, line, len < NEEDLE_MAX ? len : NEEDLE_MAX) != NULL;
}

/*
 * Whether a later user or assistant message contains one of #i+1's distinctive lines (its first
 * 64 bytes); at most NEEDLES_MAX lines are tried, evenly spaced over the result.
 */
static bool referenced_later(const struct ana *a, const struct later *l, size_t i)
{
	struct search sr = {l->buf + l->tail[i + 1], l->len - l->tail[i + 1]};
	size_t count = 0;

	each_distinct(a->m[i].content, a->m[i].clen, 1, count_line, &count);
	return each_distinct(a->m[i].content, a->m[i].clen,
			     count > NEEDLES_MAX ? (count + NEEDLES_MAX - 1) / NEEDLES_MAX : 1,
			     quoted, &sr);
}

static int find_leaks(struct ana *a)
{
	long long total = a->p->total_tokens;
	struct later l;

	if (later_build(a, &l)) {
		later_free(&l);
		return -ENOMEM;
	}
	for (size_t i = 0; i < a->n; i++) {
		struct msg *m = &a->m[i];

		if (m->clen + (m->calls ? strlen(m->calls) : 0) < CTX_DUP_MIN_BYTES)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct msg *o = &a->m[j];

			if (o->clen == m->clen && !strcmp(o->content, m->content) &&
			    !strcmp(o->calls ? o->calls : "", m->calls ? m->calls : "")) {
				m->cls = C_LEAKED;
				m->leak_reason = "duplicate";
				m->dup_of = (int)j + 1;
				break;
			}
		}
	}
	for (size_t i = 0; i < a->n; i++) {
		struct msg *m = &a->m[i];
		bool answered = false;

		if (!m->tool_result || m->leak_reason || !large(m->tok, total))
			continue;
		for (size_t j = i + 1; j < a->n && !answered; j++)
			answered = a->m[j].assistant;
		if (answered && !referenced_later(a, &l, i)) {
			m->cls = C_LEAKED;
			m->leak_reason = "unreferenced tool result";
		}
	}
	later_free(&l);
	return 0;
}

/* The name of the tool whose call id is id, from the calls of the messages before i. */
static const char *tool_name(const struct ana *a, const cJSON *msgs, size_t i, const char *id)
{
	const cJSON *jm, *c;
	size_t k = 0;

	if (!id)
		return NULL;
	cJSON_ArrayForEach(jm, msgs)
	{
		if (k++ >= i)
			break;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(jm, "tool_calls"))
		{
			const char *cid = jstr(c, "id");

			if (cid && !strcmp(cid, id))
				return jstr(c, "name");
		}
	}
	(void)a;
	return NULL;
}

static int push_suggestion(struct ctx_profile *p, char *s)
{
	char **v;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < p->nsuggestions; i++)
		if (!strcmp(p->suggestions[i], s)) {
			free(s);
			return 0;
		}
	v = realloc(p->suggestions, (p->nsuggestions + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return -ENOMEM;
	}
	v[p->nsuggestions++] = s;
	p->suggestions = v;
	return 0;
}

struct cand {
	bool is_msg;
	size_t idx; /* kind or message index */
	long long tokens;
};

static int cand_cmp(const void *pa, const void *pb)
{
	const struct cand *x = pa, *y = pb;

	if (x->tokens != y->tokens)
		return x->tokens > y->tokens ? -1 : 1;
	if (x->is_msg != y->is_msg)
		return x->is_msg ? 1 : -1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The suggestion for a kind (NULL below 10% of the context or for "other"); owned. */
static char *kind_suggestion(const struct ana *a, enum kind k, bool *fail)
{
	const struct ctx_profile *p = a->p;
	long long t = p->kinds[k].tokens, total = p->total_tokens;
	char n1[NUMFMT_LEN];
	char *s = NULL;

	*fail = false;
	if (t * 10 < total)
		return NULL;
	numfmt_int(n1, t);
	switch (k) {
	case K_SYSTEM:
		s = xasprintf("system prompt is %s tokens, sent on every step: cache it (prompt "
			      "caching) or shorten it",
			      n1);
		break;
	case K_USER:
		s = xasprintf(
		    "user messages are %s tokens (%lld%%): move pasted documents into files "
		    "the agent reads on demand",
		    n1, ipct(t, total));
		break;
	case K_ASSISTANT:
		s = xasprintf(
		    "assistant messages are %s tokens (%lld%%): ask for shorter answers or "
		    "drop old reasoning from the history",
		    n1, ipct(t, total));
		break;
	case K_TOOL_RESULTS:
		s = xasprintf("tool results are %s tokens (%lld%%) in %d messages: truncate or "
			      "summarize tool output",
			      n1, ipct(t, total), p->kinds[k].messages);
		break;
	case K_TOOL_CALLS:
		s = xasprintf("tool call arguments are %s tokens (%lld%%): pass file paths or "
			      "references instead of contents",
			      n1, ipct(t, total));
		break;
	case K_TOOL_DEFS:
		s = xasprintf("%d tool definitions are %s tokens: send only those this step needs",
			      p->ntools, n1);
		break;
	default:
		return NULL;
	}
	*fail = !s;
	return s;
}

/* The suggestion for one large message; owned (NULL: no memory). */
static char *msg_suggestion(const struct ana *a, const cJSON *msgs, size_t i, bool leaked_note)
{
	const struct msg *m = &a->m[i];
	long long total = a->p->total_tokens;
	char n1[NUMFMT_LEN];
	const char *name;

	numfmt_int(n1, m->tok);
	if (m->leak_reason && !strcmp(m->leak_reason, "duplicate"))
		return xasprintf(
		    "message #%zu is %s tokens, %lld%% of the context, and identical to "
		    "#%d: drop the duplicate",
		    i + 1, n1, ipct(m->tok, total), m->dup_of);
	if (m->tool_result) {
		name = tool_name(a, msgs, i, m->tool_call_id);
		return xasprintf(
		    "tool result of `%s`%s%s%s is %s tokens, %lld%% of the context%s",
		    name ? name : "?", m->tool_call_id ? " (" : "",
		    m->tool_call_id ? m->tool_call_id : "", m->tool_call_id ? ")" : "", n1,
		    ipct(m->tok, total),
		    leaked_note && m->leak_reason
			? " and nothing later refers to it: drop it or keep a one-line "
			  "summary"
			: ": truncate or summarize tool output");
	}
	if (m->user_turn)
		return xasprintf(
		    "user message #%zu is %s tokens, %lld%% of the context: move large "
		    "pasted content to a file the agent reads on demand",
		    i + 1, n1, ipct(m->tok, total));
	if (m->assistant)
		return xasprintf(
		    "assistant message #%zu is %s tokens, %lld%% of the context: drop or "
		    "summarize old reasoning and arguments",
		    i + 1, n1, ipct(m->tok, total));
	return xasprintf("%s message #%zu is %s tokens, %lld%% of the context: summarize it",
			 m->role, i + 1, n1, ipct(m->tok, total));
}

static char *msg_label(const struct ana *a, const cJSON *msgs, size_t i)
{
	const struct msg *m = &a->m[i];
	const char *name;

	if (m->tool_result) {
		name = tool_name(a, msgs, i, m->tool_call_id);
		return name ? xasprintf("tool_result #%zu (%s)", i + 1, name)
			    : xasprintf("tool_result #%zu", i + 1);
	}
	return xasprintf("%s #%zu", m->kind == K_TOOL_CALLS ? "tool_calls" : m->role, i + 1);
}

static int consumers(struct ana *a, const cJSON *msgs)
{
	struct ctx_profile *p = a->p;
	struct cand *c = calloc(NK + a->n, sizeof(*c));
	size_t nc = 0;
	bool *ranked = calloc(a->n + 1, sizeof(*ranked));
	bool fail = false;
	char n1[NUMFMT_LEN], n2[NUMFMT_LEN];
	int ret = -ENOMEM;

	if (!c || !ranked)
		goto out;
	for (size_t k = 0; k < NK; k++)
		if (p->kinds[k].tokens > 0)
			c[nc++] = (struct cand){false, k, p->kinds[k].tokens};
	for (size_t i = 0; i < a->n; i++)
		if (large(a->m[i].tok, p->total_tokens))
			c[nc++] = (struct cand){true, i, a->m[i].tok};
	qsort(c, nc, sizeof(*c), cand_cmp);
	if (nc > CTX_TOP_MAX)
		nc = CTX_TOP_MAX;
	if (nc && !(p->top = calloc(nc, sizeof(*p->top))))
		goto out;
	for (size_t r = 0; r < nc; r++) {
		struct ctx_consumer *t = &p->top[p->ntop++];

		t->tokens = c[r].tokens;
		t->pct = pct_of(c[r].tokens, p->total_tokens);
		t->rank = (int)r + 1;
		if (c[r].is_msg) {
			ranked[c[r].idx] = true;
			t->kind = msg_label(a, msgs, c[r].idx);
			t->suggestion = msg_suggestion(a, msgs, c[r].idx, true);
			fail = !t->suggestion;
		} else {
			t->kind = strdup(kind_names[c[r].idx]);
			t->suggestion = kind_suggestion(a, (enum kind)c[r].idx, &fail);
		}
		if (fail || !t->kind)
			goto out;
		if (t->suggestion && push_suggestion(p, strdup(t->suggestion)))
			goto out;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct msg *m = &a->m[i];

		if (m->dup_of &&
		    push_suggestion(p, xasprintf("messages #%d and #%zu are identical: drop the "
						 "duplicate",
						 m->dup_of, i + 1)))
			goto out;
		if (m->leak_reason && !m->dup_of && !ranked[i]) {
			const char *name = tool_name(a, msgs, i, m->tool_call_id);

			if (push_suggestion(
				p, xasprintf("tool result #%zu of `%s` (%s tokens) is "
					     "never referred to again: drop it or keep a "
					     "one-line summary",
					     i + 1, name ? name : "?", numfmt_int(n1, m->tok))))
				goto out;
		}
	}
	if (p->cold.messages && p->cold.tokens * 10 >= p->total_tokens &&
	    push_suggestion(p, xasprintf("the %d oldest messages are cold (%s tokens): summarize "
					 "them",
					 p->cold.messages, numfmt_int(n1, p->cold.tokens))))
		goto out;
	if (p->context_budget > 0 && p->tokens_used * 5 >= p->context_budget * 4 &&
	    push_suggestion(p, xasprintf("the context is at %.1f%% of its %s-token budget (%s "
					 "tokens): compact it before the next steps",
					 numfmt_round1(pct_of(p->tokens_used, p->context_budget)),
					 numfmt_int(n2, p->context_budget),
					 numfmt_int(n1, p->tokens_used))))
		goto out;
	ret = 0;
out:
	free(c);
	free(ranked);
	return ret;
}

void ctx_profile_release(struct ctx_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ntop; i++) {
		free(p->top[i].kind);
		free(p->top[i].suggestion);
	}
	free(p->top);
	for (size_t i = 0; i < p->nsuggestions; i++)
		free(p->suggestions[i]);
	free(p->suggestions);
	free(p->msgs);
	memset(p, 0, sizeof(*p));
}

static void add_bucket(struct ctx_bucket *b, long long tok, int msgs)
{
	b->tokens += tok;
	b->messages += msgs;
}

int ctx_analyze(struct ctx_profile *out, const cJSON *context, const char *request_body,
		long long request_tokens, long long budget, int pid, uint64_t seq_num)
{
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(context, "messages"), *jm;
	const cJSON *tools = cJSON_GetObjectItemCaseSensitive(context, "tools");
	const char *sys = jstr(context, "system_prompt");
	struct ana a = {.p = out, .context = context};
	struct ctx_bucket *bk[] = {&out->active, &out->warm, &out->cold, &out->leaked};
	long long defs_bytes;
	int ret = -ENOMEM, err;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->seq_num = seq_num;
	out->context_budget = budget > 0 ? budget : 0;
	out->request_tokens = request_tokens >= 0 ? request_tokens : -1;
	out->scale = 1;
	if (!cJSON_IsObject(context) || !cJSON_IsArray(msgs))
		return -EINVAL;
	a.n = (size_t)cJSON_GetArraySize(msgs);
	if (a.n && !(a.m = calloc(a.n, sizeof(*a.m))))
		goto out;
	cJSON_ArrayForEach(jm, msgs)
	{
		if (load_msg(&a.m[i++], jm))
			goto out;
	}
	out->ntools = cJSON_IsArray(tools) ? cJSON_GetArraySize(tools) : 0;
	defs_bytes = tool_defs_bytes(request_body, &err);
	if (err)
		goto out;
	out->tools_size_known = defs_bytes >= 0;
	a.defs_est = defs_bytes > 0 ? est((size_t)defs_bytes) : 0;
	a.sys_est = sys && *sys ? est(strlen(sys)) + CTX_MSG_OVERHEAD : 0;

	a.est_total = a.sys_est + a.defs_est;
	for (i = 0; i < a.n; i++)
		a.est_total += a.m[i].est_text + a.m[i].est_calls;
	out->estimated_tokens = a.est_total;
	if (request_tokens > 0 && a.est_total > 0) {
		a.real = request_tokens;
		out->calibrated = true;
		out->scale = (double)request_tokens / (double)a.est_total;
	}

	/* kinds */
	for (size_t k = 0; k < NK; k++)
		out->kinds[k].kind = kind_names[k];
	a.sys_tok = cal(&a, a.sys_est);
	a.defs_tok = cal(&a, a.defs_est);
	out->kinds[K_SYSTEM].tokens = a.sys_tok;
	out->kinds[K_SYSTEM].messages = a.sys_est > 0;
	out->kinds[K_TOOL_DEFS].tokens = a.defs_tok;
	out->kinds[K_TOOL_DEFS].messages = 0;
	for (i = 0; i < a.n; i++) {
		struct msg *m = &a.m[i];

		m->tok_text = cal(&a, m->est_text);
		m->tok_calls = cal(&a, m->est_calls);
		m->tok = m->tok_text + m->tok_calls;
		if (m->kind != K_TOOL_CALLS) {
			out->kinds[m->text_kind].tokens += m->tok_text;
			out->kinds[m->text_kind].messages++;
		}
		if (m->ncalls) {
			out->kinds[K_TOOL_CALLS].tokens += m->tok_calls;
			out->kinds[K_TOOL_CALLS].messages++;
		}
	}
	out->nkinds = out->kinds[K_OTHER].messages ? NK : NK - 1;
	for (size_t k = 0; k < NK; k++)
		out->total_tokens += out->kinds[k].tokens;
	out->tokens_used = request_tokens > 0 ? request_tokens : out->total_tokens;

	/* classification */
	if (classify(&a))
		goto out;
	if (find_leaks(&a))
		goto out;
	add_bucket(&out->active, a.sys_tok + a.defs_tok, a.sys_est > 0);
	for (i = 0; i < a.n; i++)
		add_bucket(bk[a.m[i].cls], a.m[i].tok, 1);
	for (size_t b = 0; b < 4; b++)
		bk[b]->pct = pct_of(bk[b]->tokens, out->total_tokens);

	if (a.n && !(out->msgs = calloc(a.n, sizeof(*out->msgs))))
		goto out;
	out->nmsgs = a.n;
	for (i = 0; i < a.n; i++)
		out->msgs[i] = (struct ctx_msg_class){.index = (int)i + 1,
						      .role = a.m[i].role,
						      .kind = kind_names[a.m[i].kind],
						      .tokens = a.m[i].tok,
						      .cls = cls_names[a.m[i].cls],
						      .leak_reason = a.m[i].leak_reason,
						      .dup_of = a.m[i].dup_of};
	ret = consumers(&a, msgs);
out:
	for (i = 0; i < a.n; i++) {
		free(a.m[i].content_own);
		free(a.m[i].calls);
	}
	free(a.m);
	if (ret)
		ctx_profile_release(out);
	return ret;
}

void ctx_print_text(FILE *out, const struct ctx_profile *p)
{
	static const char *const names[] = {"active", "warm", "cold", "leaked"};
	const struct ctx_bucket *bk[] = {&p->active, &p->warm, &p->cold, &p->leaked};
	char a[NUMFMT_LEN], b[NUMFMT_LEN];

	fprintf(out, "context at #%llu (pid %d): %s tokens", (unsigned long long)p->seq_num, p->pid,
		numfmt_int(a, p->tokens_used));
	if (p->context_budget > 0)
		fprintf(out, ", %.1f%% of a %s-token budget",
			pct_of(p->tokens_used, p->context_budget),
			numfmt_int(b, p->context_budget));
	fprintf(out, ", %zu messages\n", p->nmsgs);
	if (p->calibrated)
		fprintf(out,
			"  calibrated against %s real request tokens (chars/4 estimate %s, scale "
			"%.2f)\n",
			numfmt_int(a, p->request_tokens), numfmt_int(b, p->estimated_tokens),
			p->scale);
	else
		fprintf(out, "  estimated (chars/4): %s tokens\n",
			numfmt_int(a, p->estimated_tokens));
	fputs("by kind\n", out);
	for (size_t k = 0; k < p->nkinds; k++) {
		const struct ctx_kind_total *t = &p->kinds[k];

		fprintf(out, "  %-18s %10s %6.1f%%", t->kind, numfmt_int(a, t->tokens),
			pct_of(t->tokens, p->total_tokens));
		if (!strcmp(t->kind, "tool_definitions"))
			fprintf(out, "   %d tools%s\n", p->ntools,
				p->tools_size_known || !p->ntools
				    ? ""
				    : ", size unknown (no request body)");
		else
			fprintf(out, "   %d message%s\n", t->messages, t->messages == 1 ? "" : "s");
	}
	fputs("classification\n", out);
	for (size_t i = 0; i < 4; i++)
		fprintf(out, "  %-18s %10s %6.1f%%   %d message%s\n", names[i],
			numfmt_int(a, bk[i]->tokens), bk[i]->pct, bk[i]->messages,
			bk[i]->messages == 1 ? "" : "s");
	if (p->ntop)
		fputs("top consumers\n", out);
	for (size_t i = 0; i < p->ntop; i++) {
		const struct ctx_consumer *c = &p->top[i];

		fprintf(out, "  %2d. %-28s %10s %6.1f%%\n", c->rank, c->kind,
			numfmt_int(a, c->tokens), c->pct);
	}
	if (p->nsuggestions)
		fputs("suggestions\n", out);
	for (size_t i = 0; i < p->nsuggestions; i++)
		fprintf(out, "  - %s\n", p->suggestions[i]);
}

static cJSON *bucket_json(cJSON *parent, const char *name, const struct ctx_bucket *b)
{
	cJSON *o = cJSON_AddObjectToObject(parent, name);

	if (!o || !cJSON_AddNumberToObject(o, "tokens", (double)b->tokens) ||
	    !cJSON_AddNumberToObject(o, "messages", b->messages) ||
	    !cJSON_AddNumberToObject(o, "pct", numfmt_round1(b->pct)))
		return NULL;
	return o;
}

cJSON *ctx_to_json(const struct ctx_profile *p)
{
	cJSON *o = cJSON_CreateObject(), *cl = NULL, *arr = NULL, *e;
	bool ok = o;

	ok = ok && cJSON_AddNumberToObject(o, "pid", p->pid);
	ok = ok && cJSON_AddNumberToObject(o, "ctx_id", (double)p->seq_num);
	ok = ok && cJSON_AddNumberToObject(o, "tokens_used", (double)p->tokens_used);
	ok = ok && cJSON_AddNumberToObject(o, "context_budget", (double)p->context_budget);
	ok = ok && cJSON_AddNumberToObject(o, "total_tokens", (double)p->total_tokens);
	ok = ok && (cl = cJSON_AddObjectToObject(o, "classification"));
	ok = ok && bucket_json(cl, "active", &p->active) && bucket_json(cl, "warm", &p->warm) &&
	     bucket_json(cl, "cold", &p->cold) && bucket_json(cl, "leaked", &p->leaked);
	ok = ok && (arr = cJSON_AddArrayToObject(o, "top_consumers"));
	for (size_t i = 0; ok && i < p->ntop; i++) {
		const struct ctx_consumer *c = &p->top[i];

		ok = (e = cJSON_CreateObject()) && cJSON_AddItemToArray(arr, e);
		if (!ok) {
			cJSON_Delete(e);
			break;
		}
		ok = cJSON_AddStringToObject(e, "kind", c->kind) &&
		     cJSON_AddNumberToObject(e, "tokens", (double)c->tokens) &&
		     cJSON_AddNumberToObject(e, "pct", numfmt_round1(c->pct)) &&
		     cJSON_AddNumberToObject(e, "rank", c->rank) &&
		     (!c->suggestion || cJSON_AddStringToObject(e, "suggestion", c->suggestion));
	}
	ok = ok && (arr = cJSON_AddArrayToObject(o, "suggestions"));
	for (size_t i = 0; ok && i < p->nsuggestions; i++) {
		ok = (e = cJSON_CreateString(p->suggestions[i])) && cJSON_AddItemToArray(arr, e);
		if (!ok)
			cJSON_Delete(e);
	}
	ok = ok && (arr = cJSON_AddArrayToObject(o, "kinds"));
	for (size_t k = 0; ok && k < p->nkinds; k++) {
		const struct ctx_kind_total *t = &p->kinds[k];

		ok = (e = cJSON_CreateObject()) && cJSON_AddItemToArray(arr, e);
		if (!ok) {
			cJSON_Delete(e);
			break;
		}
		ok = cJSON_AddStringToObject(e, "kind", t->kind) &&
		     cJSON_AddNumberToObject(e, "tokens", (double)t->tokens) &&
		     cJSON_AddNumberToObject(e, "messages", t->messages) &&
		     cJSON_AddNumberToObject(e, "pct",
					     numfmt_round1(pct_of(t->tokens, p->total_tokens)));
	}
	ok = ok && cJSON_AddBoolToObject(o, "calibrated", p->calibrated);
	ok = ok && cJSON_AddNumberToObject(o, "scale", p->scale);
	ok = ok && cJSON_AddNumberToObject(o, "estimated_tokens", (double)p->estimated_tokens);
	ok = ok && (p->request_tokens >= 0
			? cJSON_AddNumberToObject(o, "request_tokens", (double)p->request_tokens)
			: cJSON_AddNullToObject(o, "request_tokens"));
	ok = ok && cJSON_AddNumberToObject(o, "tools", p->ntools);
	ok = ok && cJSON_AddBoolToObject(o, "tools_size_known", p->tools_size_known);
	ok = ok && (arr = cJSON_AddArrayToObject(o, "messages"));
	for (size_t i = 0; ok && i < p->nmsgs; i++) {
		const struct ctx_msg_class *m = &p->msgs[i];

		ok = (e = cJSON_CreateObject()) && cJSON_AddItemToArray(arr, e);
		if (!ok) {
			cJSON_Delete(e);
			break;
		}
		ok = cJSON_AddNumberToObject(e, "index", m->index) &&
		     cJSON_AddStringToObject(e, "role", m->role) &&
		     cJSON_AddStringToObject(e, "kind", m->kind) &&
		     cJSON_AddNumberToObject(e, "tokens", (double)m->tokens) &&
		     cJSON_AddStringToObject(e, "class", m->cls) &&
		     (!m->leak_reason ||
		      cJSON_AddStringToObject(e, "leak_reason", m->leak_reason)) &&
		     (!m->dup_of || cJSON_AddNumberToObject(e, "dup_of", m->dup_of));
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
