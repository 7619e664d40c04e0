// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* spans.c - process and LLM-call spans, built from the live event stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "sbuf.h"
#include "spans.h"
#include "strfmt.h"

struct span_event {
	char syscall[24];
	char err[16];
	int signal;
	uint64_t ts;
};

struct span {
	uint32_t pid; /* 0: free slot */
	char id[33];
	char parent[33];
	char *name;
	uint64_t start;
	uint64_t syscalls;
	long long tokens;
	struct span_event ev[SPANS_MAX_EVENTS];
	int nev;
};

struct spans {
	char trace_id[33];
	uint64_t t0;
	spans_emit_fn emit;
	void *ctx;
	uint64_t id_hi, id_next;
	struct span *tab; /* open process spans, open addressing by pid */
	size_t cap, n;
	unsigned long long emitted;
};

static void new_id(struct spans *s, char out[33])
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)s->id_hi,
		 (unsigned long long)++s->id_next);
}

struct spans *spans__new(const char *trace_id, uint64_t t0, spans_emit_fn emit, void *ctx)
{
	struct spans *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	snprintf(s->trace_id, sizeof(s->trace_id), "%s", trace_id);
	s->t0 = t0;
	s->emit = emit;
	s->ctx = ctx;
	/* span ids unique across traces: a random high half, a counter low half */
	if (getrandom(&s->id_hi, sizeof(s->id_hi), GRND_NONBLOCK) != sizeof(s->id_hi))
		s->id_hi = t0 ^ (uint64_t)(uintptr_t)s;
	s->cap = 64;
	s->tab = calloc(s->cap, sizeof(*s->tab));
	if (!s->tab) {
		free(s);
		return NULL;
	}
	return s;
}

static size_t slot_of(const struct spans *s, uint32_t pid)
{
	size_t i = (pid * 2654435761u) & (s->cap - 1);

	while (s->tab[i].pid && s->tab[i].pid != pid)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static struct span *find(struct spans *s, uint32_t pid)
{
	struct span *sp = &s->tab[slot_of(s, pid)];

	return sp->pid ? sp : NULL;
}

static bool grow(struct spans *s)
{
	struct span *old = s->tab;
	size_t ocap = s->cap;

	s->tab = calloc(ocap * 2, sizeof(*s->tab));
	if (!s->tab) {
		s->tab = old;
		return false;
	}
	s->cap = ocap * 2;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].pid)
			s->tab[slot_of(s, old[i].pid)] = old[i];
	free(old);
	return true;
}

/* Removes the span at slot i, re-seating the entries of its probe chain (no tombstones). */
static void remove_at(struct spans *s, size_t i)
{
	size_t j = i;

	free(s->tab[i].name);
	memset(&s->tab[i], 0, sizeof(s->tab[i]));
	s->n--;
	for (;;) {
		struct span tmp;

		j = (j + 1) & (s->cap - 1);
		if (!s->tab[j].pid)
			return;
		tmp = s->tab[j];
		memset(&s->tab[j], 0, sizeof(s->tab[j]));
		s->tab[slot_of(s, tmp.pid)] = tmp;
	}
}

static uint64_t rel(const struct spans *s, uint64_t ts)
{
	return ts > s->t0 ? ts - s->t0 : 0;
}

static void put_str(struct sbuf *sb, const char *v)
{
	sb_putc(sb, '"');
	sb_add(sb, json_escape(sb_pos(sb), sb_left(sb), v, strlen(v)));
	sb_putc(sb, '"');
}

static void write_span(struct spans *s, const struct span *sp, const char *kind, uint64_t end,
		       const char *status, int signal)
{
	char buf[8192];
	struct sbuf sb = SBUF_INIT(buf, sizeof(buf));
	uint64_t st = rel(s, sp->start), en = rel(s, end);

	if (en < st)
		en = st;
	sb_puts(&sb, "{\"trace_id\":\"");
	sb_puts(&sb, s->trace_id);
	sb_puts(&sb, "\",\"span_id\":\"");
	sb_puts(&sb, sp->id);
	sb_puts(&sb, "\",\"parent_span_id\":");
	if (sp->parent[0]) {
		put_str(&sb, sp->parent);
	} else {
		sb_puts(&sb, "null");
	}
	sb_puts(&sb, ",\"pid\":");
	sb_putu(&sb, sp->pid);
	sb_puts(&sb, ",\"name\":");
	put_str(&sb, sp->name ? sp->name : "?");
	sb_puts(&sb, ",\"kind\":\"");
	sb_puts(&sb, kind);
	sb_puts(&sb, "\",\"start_time\":");
	sb_putu(&sb, st);
	sb_puts(&sb, ",\"end_time\":");
	sb_putu(&sb, en);
	sb_puts(&sb, ",\"duration\":");
	sb_putu(&sb, en - st);
	sb_puts(&sb, ",\"syscall_count\":");
	sb_putu(&sb, sp->syscalls);
	sb_puts(&sb, ",\"tokens_used\":");
	sb_puti(&sb, sp->tokens);
	sb_puts(&sb, ",\"status\":\"");
	sb_puts(&sb, status);
	sb_puts(&sb, "\",\"events\":[");
	for (int i = 0; i < sp->nev; i++) {
		if (i)
			sb_putc(&sb, ',');
		sb_puts(&sb, "{\"name\":\"syscall_failed\",\"syscall\":");
		put_str(&sb, sp->ev[i].syscall);
		sb_puts(&sb, ",\"err\":");
		put_str(&sb, sp->ev[i].err);
		sb_puts(&sb, ",\"timestamp\":");
		sb_putu(&sb, rel(s, sp->ev[i].ts));
		sb_putc(&sb, '}');
	}
	if (signal) {
		if (sp->nev)
			sb_putc(&sb, ',');
		sb_puts(&sb, "{\"name\":\"signal\",\"signal\":");
		sb_puti(&sb, signal);
		sb_puts(&sb, ",\"timestamp\":");
		sb_putu(&sb, en);
		sb_putc(&sb, '}');
	}
	sb_puts(&sb, "]}\n");
	if (sb.len < sizeof(buf)) {
		s->emit(s->ctx, buf, sb.len);
		s->emitted++;
	}
}

void spans_process(struct spans *s, uint32_t pid, uint32_t ppid, const char *comm, uint64_t ts)
{
	struct span *parent = ppid ? find(s, ppid) : NULL, *sp;
	char pid_parent[33] = "";

	if (!pid || find(s, pid))
		return;
	if (parent)
		memcpy(pid_parent, parent->id, sizeof(pid_parent));
	if ((s->n + 1) * 2 > s->cap && !grow(s))
		return;
	sp = &s->tab[slot_of(s, pid)];
	memset(sp, 0, sizeof(*sp));
	sp->pid = pid;
	new_id(s, sp->id);
	memcpy(sp->parent, pid_parent, sizeof(sp->parent));
	sp->name = strdup(comm ? comm : "?");
	sp->start = ts;
	s->n++;
}

void spans_exec(struct spans *s, uint32_t pid, const char *cmdline, uint64_t ts)
{
	struct span *sp = find(s, pid);
	char *name;

	if (!sp) {
		spans_process(s, pid, 0, cmdline, ts);
		return;
	}
	name = strndup(cmdline, 256);
	if (name) {
		free(sp->name);
		sp->name = name;
	}
}

void spans_syscall(struct spans *s, uint32_t pid, const char *name, const char *err, uint64_t ts)
{
	struct span *sp = find(s, pid);
	struct span_event *e;

	if (!sp)
		return;
	sp->syscalls++;
	if (!err || sp->nev == SPANS_MAX_EVENTS)
		return;
	e = &sp->ev[sp->nev++];
	snprintf(e->syscall, sizeof(e->syscall), "%s", name);
	snprintf(e->err, sizeof(e->err), "%s", err);
	e->ts = ts;
}

void spans_exit(struct spans *s, uint32_t pid, int exit_code, int signal, uint64_t ts)
{
	size_t i = slot_of(s, pid);

	if (!s->tab[i].pid)
		return;
	write_span(s, &s->tab[i], "process", ts,
		   signal      ? "TIMEOUT"
		   : exit_code ? "ERROR"
			       : "OK",
		   signal);
	remove_at(s, i);
}

void spans_llm(struct spans *s, uint32_t pid, const char *model, uint64_t start, uint64_t end,
	       long long tokens, int http_status, bool complete)
{
	struct span *proc = find(s, pid);
	struct span sp = {0};
	char name[128];

	snprintf(name, sizeof(name), "llm %s", model && *model ? model : "?");
	sp.pid = pid;
	new_id(s, sp.id);
	if (proc) {
		memcpy(sp.parent, proc->id, sizeof(sp.parent));
		if (tokens > 0)
			proc->tokens += tokens;
	}
	sp.name = name;
	sp.start = start;
	sp.tokens = tokens > 0 ? tokens : 0;
	write_span(s, &sp, "llm", end, http_status >= 400 || !complete ? "ERROR" : "OK", 0);
}

bool spans_has(const struct spans *s, uint32_t pid)
{
	return pid && s->tab[slot_of(s, pid)].pid == pid;
}

unsigned long long spans_emitted(const struct spans *s)
{
	return s->emitted;
}

void spans__free(struct spans *s, uint64_t ts, bool cut)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->tab[i].pid)
			continue;
		write_span(s, &s->tab[i], "process", ts, cut ? "TIMEOUT" : "OK", 0);
		free(s->tab[i].name);
	}
	free(s->tab);
	free(s);
}
