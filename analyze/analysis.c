// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * analysis.c - the analyzers' one pass over a recording (see analysis.h).
 *
 * Syscall events are read from their text (jsonraw.h) with the argument names of the syscall
 * table resolved once per number; only the rare large events (LLM calls, process events,
 * evidence lines) are parsed with cJSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>

#include "analysis.h"
#include "evfmt.h"
#include "jsonraw.h"
#include "syscall_table.h"

/* The payload members of a syscall event, and the arguments the span builder reads. */
enum { TOP_NAME, TOP_NR, TOP_ARGS, TOP_RESULT, TOP_ERR, TOP_DUR, TOP_N };
static const char *const top_keys[TOP_N] = {"syscall", "nr", "args", "result", "err", "duration"};
enum { ARG_FD, ARG_FD2, ARG_LEN, ARG_LEN_OLD, ARG_PATH, ARG_ADDR, ARG_DOMAIN, ARG_TYPE, ARG_N };

struct pass {
	struct analysis *a;
	const struct an_opts *o;
	struct spanbuild *b;
	const struct evs_event *cur;
	struct sb_argmap map[AGT_NR_MAX];
	const char *names[AGT_NR_MAX][ARG_N]; /* their argument names, NULL where none */
	bool mapped[AGT_NR_MAX];
	size_t capspans, capllm, capstates;
	bool ctx_wait_resp, ctx_wait_http;
	char idbuf[64][128]; /* a request's tool_call_ids, decoded (on_context) */
	int err;
};

/* The names of the arguments the builder reads, in enum ARG_* order. */
static void argmap_names(int nr, struct sb_argmap *m, const char **names)
{
	const struct sc_desc *d = sc_lookup(nr);

	sb_argmap_of(nr, m);
	for (int i = 0; i < ARG_N; i++)
		names[i] = NULL;
	if (!d)
		return;
#define NAME(field, k) names[k] = m->field >= 0 ? d->args[(int)m->field].name : NULL
	NAME(fd, ARG_FD);
	NAME(fd2, ARG_FD2);
	NAME(len, ARG_LEN);
	NAME(len_old, ARG_LEN_OLD);
	NAME(path, ARG_PATH);
	NAME(addr, ARG_ADDR);
	NAME(domain, ARG_DOMAIN);
	NAME(type, ARG_TYPE);
#undef NAME
}

static int domain_of(const char *s)
{
	return !strncmp(s, "AF_INET6", 8)				 ? AF_INET6
	       : !strncmp(s, "AF_INET", 7)				 ? AF_INET
	       : !strncmp(s, "AF_UNIX", 7) || !strncmp(s, "AF_LOCAL", 8) ? AF_UNIX
									 : -1;
}

static void on_syscall(struct pass *ps, const struct evs_event *ev)
{
	const char *p = ev->payload, *end = ev->end;
	struct sb_syscall s = {0};
	const struct sb_argmap *m;
	const char *top[TOP_N], *arg[ARG_N];
	char name[32], err[24], path[512], addr[96], tmp[64];
	long long nr = -1, v;

	if (!p)
		return;
	s.seq_num = ev->e.seq_num;
	s.ts = ev->e.timestamp;
	s.pid = ev->e.pid;
	s.tid = ev->tid;
	s.comm = ev->comm[0] ? ev->comm : NULL;
	s.fd = s.fd2 = s.length = s.length_old = -1;
	/* one walk over the payload, one over its args */
	jraw_members(p, end, top_keys, TOP_N, top);
	if (top[TOP_NR] && jvalue_ll(top[TOP_NR], end, &nr) && nr >= 0 && nr < AGT_NR_MAX)
		s.nr = (int)nr;
	else
		s.nr = -1;
	if (top[TOP_NAME] && jstr_value(top[TOP_NAME], end, name, sizeof(name)))
		s.name = name;
	if (top[TOP_DUR] && jvalue_ll(top[TOP_DUR], end, &v) && v > 0)
		s.dur = (uint64_t)v;
	if (top[TOP_ERR] && jstr_value(top[TOP_ERR], end, err, sizeof(err)) && err[0])
		s.err = err;
	if (top[TOP_RESULT] && jvalue_ll(top[TOP_RESULT], end, &v))
		s.ret = v;
	else
		s.noreturn = true; /* null: exit_group, an execve that never returned */
	if (s.nr >= 0) {
		struct agt_stat *st = &ps->a->sys[s.nr];

		st->count++;
		st->errors += s.err != NULL;
		st->total_ns += s.dur;
		if (s.dur > st->max_ns)
			st->max_ns = s.dur;
		st->hist[agt_hist_bucket(s.dur)]++;
	} else {
		ps->a->sys_unknown++;
	}
	if (s.nr >= 0 && !ps->mapped[s.nr]) {
		argmap_names(s.nr, &ps->map[s.nr], ps->names[s.nr]);
		ps->mapped[s.nr] = true;
	}
	m = s.nr >= 0 ? &ps->map[s.nr] : NULL;
	if (m && top[TOP_ARGS] && jraw_members(top[TOP_ARGS], end, ps->names[s.nr], ARG_N, arg)) {
		if (arg[ARG_FD] && jvalue_ll(arg[ARG_FD], end, &v))
			s.fd = v;
		if (arg[ARG_FD2] && jvalue_ll(arg[ARG_FD2], end, &v))
			s.fd2 = v;
		if (arg[ARG_LEN] && jvalue_ll(arg[ARG_LEN], end, &v))
			s.length = v;
		if (arg[ARG_LEN_OLD] && jvalue_ll(arg[ARG_LEN_OLD], end, &v))
			s.length_old = v;
		if (arg[ARG_PATH] && s.err && jstr_value(arg[ARG_PATH], end, path, sizeof(path)))
			s.path = path;
		if (arg[ARG_ADDR] && jstr_value(arg[ARG_ADDR], end, addr, sizeof(addr))) {
			if (sb_inet_addr(addr, tmp, sizeof(tmp))) {
				memcpy(addr, tmp, strlen(tmp) + 1);
				s.addr = addr;
			} else if (strstr(addr, "/nscd/")) {
				s.addr = addr; /* for the noise filter only */
			}
		}
		if (arg[ARG_DOMAIN] && jstr_value(arg[ARG_DOMAIN], end, tmp, sizeof(tmp)))
			s.sock_family = domain_of(tmp);
		if (arg[ARG_TYPE] && jstr_value(arg[ARG_TYPE], end, tmp, sizeof(tmp)))
			s.sock_type = !strncmp(tmp, "SOCK_STREAM", 11)	? SOCK_STREAM
				      : !strncmp(tmp, "SOCK_DGRAM", 10) ? SOCK_DGRAM
									: -1;
	}
	/* connect() on a non-blocking socket: EINPROGRESS is the connection starting */
	if (s.err && !strcmp(s.err, "EINPROGRESS") && s.addr) {
		s.err = NULL;
		s.ret = 0;
	}
	sb_syscall(ps->b, &s);
}

/* "ls -l /etc" from an exec's argv array (secrets were redacted by the tracer already). */
static void join_argv(const cJSON *argv, char *out, size_t n)
{
	const cJSON *x;
	size_t len = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(x, argv)
	{
		if (!cJSON_IsString(x) || len + 2 >= n)
			continue;
		len += snprintf(out + len, n - len, "%s%s", len ? " " : "", x->valuestring);
		if (len >= n)
			len = n - 1;
	}
}

static void on_process(struct pass *ps, const struct evs_event *ev)
{
	cJSON *o = ev->payload ? cJSON_ParseWithLength(ev->payload, ev->end - ev->payload) : NULL;
	const char *what;
	long long v;

	if (!o)
		return;
	what = rec_json_str(o, "event");
	if (!what) {
	} else if (!strcmp(what, "fork")) {
		if (ev->tid == ev->e.pid && rec_json_ll(o, "ppid", &v))
			sb_fork(ps->b, ev->e.timestamp, ev->e.pid, (int)v, ev->comm);
	} else if (!strcmp(what, "exec")) {
		char cmd[512];
		const char *fn = rec_json_str(o, "filename");

		join_argv(cJSON_GetObjectItemCaseSensitive(o, "argv"), cmd, sizeof(cmd));
		sb_exec(ps->b, ev->e.timestamp, ev->e.pid, cmd[0] ? cmd : fn, fn, ev->e.seq_num);
	} else if (!strcmp(what, "exit")) {
		long long code = 0, sig = 0;

		rec_json_ll(o, "exit_code", &code);
		rec_json_ll(o, "signal", &sig);
		sb_exit(ps->b, ev->e.timestamp, ev->e.pid, (int)code, (int)sig);
	}
	cJSON_Delete(o);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void on_llm(struct pass *ps, const struct evs_event *ev)
{
	struct analysis *a = ps->a;
	cJSON *o = ev->payload ? cJSON_ParseWithLength(ev->payload, ev->end - ev->payload) : NULL;
	struct sb_tool_call calls[32];
	const cJSON *tc, *x;
	struct sb_llm l = {0};
	struct an_llm *c;
	long long v;

	if (!o)
		return;
	l.seq_num = ev->e.seq_num;
	l.ts = ev->e.timestamp;
	l.pid = ev->e.pid;
	l.model = rec_json_str(o, "model");
	l.request_tokens = rec_json_ll(o, "request_tokens", &v) ? v : -1;
	l.response_tokens = rec_json_ll(o, "response_tokens", &v) ? v : -1;
	l.total_tokens = rec_json_ll(o, "total_tokens", &v) ? v : -1;
	l.latency = rec_json_ll(o, "latency", &v) && v > 0 ? (uint64_t)v : 0;
	l.status = rec_json_ll(o, "status", &v) ? (int)v : 0;
	l.complete = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "complete"));
	l.error = rec_json_str(o, "error");
	tc = cJSON_GetObjectItemCaseSensitive(o, "tool_calls");
	cJSON_ArrayForEach(x, tc)
	{
		if (l.ncalls == sizeof(calls) / sizeof(calls[0]))
			break;
		calls[l.ncalls++] = (struct sb_tool_call){
		    rec_json_str(x, "id"), rec_json_str(x, "name"), rec_json_str(x, "arguments")};
	}
	l.calls = calls;
	sb_llm_response(ps->b, &l);
	if (a->nllm == ps->capllm) {
		size_t ncap = ps->capllm ? ps->capllm * 2 : 64;
		void *n = realloc(a->llm, ncap * sizeof(*a->llm));

		if (!n) {
			ps->err = -ENOMEM;
			goto out;
		}
		a->llm = n;
		ps->capllm = ncap;
	}
	c = &a->llm[a->nllm++];
	memset(c, 0, sizeof(*c));
	c->seq_num = l.seq_num;
	c->timestamp = l.ts;
	c->pid = l.pid;
	c->model = dup_or_null(l.model);
	c->request_tokens = l.request_tokens;
	c->response_tokens = l.response_tokens;
	c->total_tokens = l.total_tokens;
	c->latency = (long long)l.latency;
	c->ttft = rec_json_ll(o, "ttft", &v) ? v : -1;
	c->status = l.status;
	c->complete = l.complete;
	c->error = dup_or_null(rec_json_str(o, "error"));
	c->ntool_calls = (int)l.ncalls;
	if (ps->ctx_wait_resp && l.pid == a->ctx_pid) {
		a->ctx_request_tokens = l.request_tokens;
		ps->ctx_wait_resp = false;
	}
out:
	cJSON_Delete(o);
}

static void on_context(struct pass *ps, const struct evs_event *ev)
{
	struct analysis *a = ps->a;
	const char *ids[64], *msgs, *m;
	struct jraw_iter it;
	size_t n = 0;

	/* the tool_call_ids of its tool messages, read from the text: a context can be megabytes */
	msgs = ev->payload &&
		       memmem(ev->payload, (size_t)(ev->end - ev->payload), "\"tool_call_id\"", 14)
		   ? jraw_member(ev->payload, ev->end, "messages")
		   : NULL;
	if (msgs && jraw_iter_init(&it, msgs, ev->end)) {
		while ((m = jraw_iter_next(&it)) && n < sizeof(ids) / sizeof(ids[0])) {
			const char *id = jraw_member(m, ev->end, "tool_call_id");

			if (id && jstr_value(id, ev->end, ps->idbuf[n], sizeof(ps->idbuf[n])))
				ids[n] = ps->idbuf[n], n++;
		}
	}
	sb_llm_request(ps->b, ev->e.seq_num, ev->e.timestamp, ev->e.pid, ids, n);
	if (ps->o && ps->o->want_ctx && ev->e.seq_num <= ps->o->ctx_at) {
		char *line = strndup(ev->e.line, ev->e.len);

		if (!line) {
			ps->err = -ENOMEM;
			return;
		}
		free(a->ctx_line);
		free(a->ctx_request_body);
		a->ctx_line = line;
		a->ctx_request_body = NULL;
		a->ctx_seq = ev->e.seq_num;
		a->ctx_pid = ev->e.pid;
		a->ctx_request_tokens = -1;
		ps->ctx_wait_resp = ps->ctx_wait_http = true;
	}
}

/* The request body of the exchange that answered the kept context snapshot (tool schemas). */
static void on_http(struct pass *ps, const struct evs_event *ev)
{
	struct analysis *a = ps->a;
	const char *body;
	size_t len;

	if (!ps->ctx_wait_http || ev->e.pid != a->ctx_pid || !ev->payload)
		return;
	body = jraw_member(ev->payload, ev->end, "request_body");
	if (body && (a->ctx_request_body = jraw_string(body, ev->end, &len)))
		ps->ctx_wait_http = false;
}

/* A blind spot: kept whole, so blame can name what its figures are missing. */
static void on_coverage(struct pass *ps, const struct evs_event *ev)
{
	struct analysis *a = ps->a;
	const char *v;
	struct an_blind *b;
	size_t len;
	void *t;

	if (!ev->payload || !(v = jraw_member(ev->payload, ev->end, "status")))
		return;
	{
		char *st = jraw_string(v, ev->end, &len);
		bool blind = st && !strcmp(st, "blind");

		free(st);
		if (!blind)
			return;
	}
	t = realloc(a->blind, (a->nblind + 1) * sizeof(*a->blind));
	if (!t) {
		ps->err = -ENOMEM;
		return;
	}
	a->blind = t;
	b = &a->blind[a->nblind++];
	b->pid = ev->e.pid;
	v = jraw_member(ev->payload, ev->end, "binary");
	b->binary = v ? jraw_string(v, ev->end, &len) : NULL;
	v = jraw_member(ev->payload, ev->end, "tls");
	b->tls = v ? jraw_string(v, ev->end, &len) : NULL;
	v = jraw_member(ev->payload, ev->end, "why");
	b->why = v ? jraw_string(v, ev->end, &len) : NULL;
}

static void on_state(struct pass *ps, const struct evs_event *ev)
{
	(void)ev;
	ps->a->recorded_states++;
}

static int on_event(void *ctx, const struct evs_event *ev)
{
	struct pass *ps = ctx;
	struct analysis *a = ps->a;
	long long v;

	ps->cur = ev;
	if (ev->e.type < REC__NTYPES)
		a->by_type[ev->e.type]++;
	if (!a->first_ts || ev->e.timestamp < a->first_ts)
		a->first_ts = ev->e.timestamp;
	if (ev->e.timestamp > a->last_ts)
		a->last_ts = ev->e.timestamp;
	switch (ev->e.type) {
	case REC_SYSCALL:
		on_syscall(ps, ev);
		break;
	case REC_PROCESS:
		on_process(ps, ev);
		break;
	case REC_LLM_RESPONSE:
		on_llm(ps, ev);
		break;
	case REC_CONTEXT_SNAPSHOT:
		on_context(ps, ev);
		break;
	case REC_HTTP:
		on_http(ps, ev);
		break;
	case REC_STATE_CHANGE:
		on_state(ps, ev);
		break;
	case REC_COVERAGE:
		on_coverage(ps, ev);
		break;
	case REC_LOST:
		if (ev->payload && jnum_member(ev->payload, ev->end, "count", &v) && v > 0)
			a->lost += (uint64_t)v;
		break;
	default:
		break;
	}
	ps->cur = NULL;
	return ps->err;
}

static void keep_span(void *ctx, const struct sb_span *sp)
{
	struct pass *ps = ctx;
	struct analysis *a = ps->a;
	if (a->nspans == ps->capspans) {
		size_t ncap = ps->capspans ? ps->capspans * 2 : 64;
		void *n = realloc(a->spans, ncap * sizeof(*a->spans));

		if (!n) {
			ps->err = -ENOMEM;
			return;
		}
		a->spans = n;
		ps->capspans = ncap;
	}
	if (sb_span_copy(&a->spans[a->nspans], sp))
		ps->err = -ENOMEM;
	else
		a->nspans++;
}

static void keep_state(void *ctx, int pid, const char *name, uint64_t ts, enum sb_state from,
		       enum sb_state to, const char *reason)
{
	(void)name;
	struct pass *ps = ctx;
	struct analysis *a = ps->a;

	if (a->nstates == ps->capstates) {
		size_t ncap = ps->capstates ? ps->capstates * 2 : 64;
		void *n = realloc(a->states, ncap * sizeof(*a->states));

		if (!n) {
			ps->err = -ENOMEM;
			return;
		}
		a->states = n;
		ps->capstates = ncap;
	}
	a->states[a->nstates++] = (struct an_state){pid, ts, from, to, dup_or_null(reason)};
}

/* A failed syscall kept as evidence: its raw event, formatted only if it is still kept. */
static void capture(void *ctx, const struct sb_syscall *s, char *raw, size_t n)
{
	struct pass *ps = ctx;
	const struct evs_event *ev = ps->cur;

	(void)s;
	if (ev && ev->e.len < n) {
		memcpy(raw, ev->e.line, ev->e.len);
		raw[ev->e.len] = '\0';
	} else {
		raw[0] = '\0';
	}
}

/* The evidence line: the event as replay shows it. */
static void describe(void *ctx, const char *raw, char *text, size_t n)
{
	cJSON *o = cJSON_Parse(raw);
	FILE *f;

	(void)ctx;
	if (!o)
		return;
	f = fmemopen(text, n, "w");
	if (f) {
		evfmt_what(o, raw, strlen(raw), REC_SYSCALL, f);
		fclose(f);
		text[n - 1] = '\0';
	}
	cJSON_Delete(o);
}

int analysis_run(struct analysis *a, const char *rec, const char *base, const struct an_opts *o,
		 struct rec_err *err)
{
	struct pass *ps = NULL;
	struct sb_callbacks cb;
	int ret;

	memset(a, 0, sizeof(*a));
	a->ctx_request_tokens = -1;
	if ((ret = rec_resolve(rec, base ? base : rec_base_dir(NULL), a->dir, sizeof(a->dir), err)))
		return ret;
	if ((ret = rec_meta_read(a->dir, &a->meta, err)))
		return ret;
	snprintf(a->trace_id, sizeof(a->trace_id), "%s", a->meta.trace_id ? a->meta.trace_id : "");
	if (!(ps = calloc(1, sizeof(*ps))))
		return rec_errf(err, -ENOMEM, "out of memory");
	ps->a = a;
	ps->o = o;
	cb = (struct sb_callbacks){.span = keep_span,
				   .state = keep_state,
				   .capture = capture,
				   .describe = describe,
				   .ctx = ps};
	if (!(ps->b = spanbuild__new(a->trace_id, &cb))) {
		free(ps);
		return rec_errf(err, -ENOMEM, "out of memory");
	}
	ret = evstream_run(a->dir, on_event, ps, &a->res, err);
	if (ret == -ENOMEM || ps->err == -ENOMEM)
		ret = rec_errf(err, -ENOMEM, "out of memory");
	/* what is still open ends with the recording: cut if the tracer did not see it end */
	spanbuild__free(ps->b, a->last_ts,
			!a->meta.status || strcmp(a->meta.status, "completed") != 0);
	if (!ret && ps->err)
		ret = rec_errf(err, ps->err, "out of memory");
	free(ps);
	return ret;
}

void analysis_release(struct analysis *a)
{
	for (size_t i = 0; i < a->nspans; i++)
		sb_span_release(&a->spans[i]);
	free(a->spans);
	for (size_t i = 0; i < a->nllm; i++) {
		free(a->llm[i].model);
		free(a->llm[i].error);
	}
	free(a->llm);
	for (size_t i = 0; i < a->nstates; i++)
		free(a->states[i].reason);
	free(a->states);
	for (size_t i = 0; i < a->nblind; i++) {
		free(a->blind[i].binary);
		free(a->blind[i].tls);
		free(a->blind[i].why);
	}
	free(a->blind);
	free(a->ctx_line);
	free(a->ctx_request_body);
	rec_meta_release(&a->meta);
	memset(a, 0, sizeof(*a));
}

ssize_t analysis_span_by_id(const struct analysis *a, const char *id)
{
	for (size_t i = 0; i < a->nspans; i++)
		if (!strcmp(a->spans[i].span_id, id))
			return (ssize_t)i;
	return -1;
}
