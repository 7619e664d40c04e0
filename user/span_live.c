// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* span_live.c - kernel records into the span builder (see span_live.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errno_names.h"
#include "record.h"
#include "redact.h"
#include "sockaddr_fmt.h"
#include "span_live.h"
#include "syscall_table.h"

struct span_live_item {
	bool response;
	uint64_t ts;
	int pid;
	char **ids; /* request: tool_call_ids */
	size_t nids;
	struct sb_llm l; /* response: strings owned */
	struct sb_tool_call *calls;
};

static void item_free(struct span_live_item *it)
{
	for (size_t i = 0; i < it->nids; i++)
		free(it->ids[i]);
	free(it->ids);
	free((char *)it->l.model);
	free((char *)it->l.authority);
	free((char *)it->l.error);
	for (size_t i = 0; i < it->l.ncalls; i++) {
		free((char *)it->calls[i].id);
		free((char *)it->calls[i].name);
		free((char *)it->calls[i].arguments);
	}
	free(it->calls);
}

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* A slot in the queue, kept sorted by ts (stable for equal ones); NULL on ENOMEM. */
static struct span_live_item *enqueue(struct span_live *sl, uint64_t ts)
{
	size_t i;

	if (sl->npend == sl->cappend) {
		size_t ncap = sl->cappend ? sl->cappend * 2 : 8;
		void *t = realloc(sl->pend, ncap * sizeof(*sl->pend));

		if (!t)
			return NULL;
		sl->pend = t;
		sl->cappend = ncap;
	}
	i = sl->npend;
	while (i && sl->pend[i - 1].ts > ts)
		i--;
	memmove(&sl->pend[i + 1], &sl->pend[i], (sl->npend - i) * sizeof(*sl->pend));
	memset(&sl->pend[i], 0, sizeof(sl->pend[i]));
	sl->pend[i].ts = ts;
	sl->npend++;
	return &sl->pend[i];
}

void span_live_request(struct span_live *sl, uint64_t ts, int pid, const char *const *ids,
		       size_t nids)
{
	struct span_live_item *it = enqueue(sl, ts);

	if (!it)
		return;
	it->pid = pid;
	it->ids = calloc(nids ? nids : 1, sizeof(*it->ids));
	for (size_t i = 0; it->ids && i < nids; i++)
		if ((it->ids[it->nids] = dup0(ids[i])))
			it->nids++;
}

void span_live_response(struct span_live *sl, const struct sb_llm *l)
{
	struct span_live_item *it = enqueue(sl, l->ts);

	if (!it)
		return;
	it->response = true;
	it->l = *l;
	it->l.model = dup0(l->model);
	it->l.authority = dup0(l->authority);
	it->l.error = dup0(l->error);
	it->l.ncalls = 0;
	it->calls = calloc(l->ncalls ? l->ncalls : 1, sizeof(*it->calls));
	for (size_t i = 0; it->calls && i < l->ncalls; i++)
		it->calls[it->l.ncalls++] = (struct sb_tool_call){
		    dup0(l->calls[i].id), dup0(l->calls[i].name), dup0(l->calls[i].arguments)};
	it->l.calls = it->calls;
}

void span_live_release(struct span_live *sl, uint64_t ts)
{
	size_t n = 0;

	while (n < sl->npend && sl->pend[n].ts <= ts) {
		struct span_live_item *it = &sl->pend[n++];

		if (it->response)
			sb_llm_response(sl->b, &it->l);
		else
			sb_llm_request(sl->b, 0, it->ts, it->pid, (const char *const *)it->ids,
				       it->nids);
		item_free(it);
	}
	if (!n) /* nothing released (pend may still be NULL) */
		return;
	memmove(sl->pend, sl->pend + n, (sl->npend - n) * sizeof(*sl->pend));
	sl->npend -= n;
}

void span_live_free_pending(struct span_live *sl)
{
	for (size_t i = 0; i < sl->npend; i++)
		item_free(&sl->pend[i]);
	free(sl->pend);
	sl->pend = NULL;
	sl->npend = sl->cappend = 0;
}

uint64_t span_live_ts(const struct span_live *sl, unsigned long long ts)
{
	return ts > sl->t0 ? ts - sl->t0 : 0;
}

/* The string captured for argument i, NUL-terminated into buf; NULL if there is none. */
static const char *cap_str(const struct rec_caps *caps, int i, char *buf, size_t n)
{
	size_t len;

	if (i < 0 || !caps->cap[i])
		return NULL;
	len = caps->cap[i]->len < n - 1 ? caps->cap[i]->len : n - 1;
	memcpy(buf, caps->data[i], len);
	buf[len] = '\0';
	return buf;
}

static void on_syscall(struct span_live *sl, const struct agt_syscall *r, size_t size)
{
	struct sb_syscall s = {0};
	const struct sb_argmap *m;
	struct rec_caps caps;
	bool have_caps = false;
	char path[512], addr[128], tmp[128];
	bool failed = r->ret < 0 && r->ret >= -4095 && !(r->flags & AGT_SYS_NORETURN);

	s.ts = span_live_ts(sl, r->h.ts);
	s.dur = r->dur;
	s.pid = (int)r->h.tgid;
	s.tid = (int)r->h.tid;
	s.nr = r->nr;
	s.name = sc_name(r->nr);
	s.ret = r->ret;
	s.noreturn = r->flags & AGT_SYS_NORETURN;
	s.err = failed ? (errno_name((int)-r->ret) ?: "E???") : NULL;
	s.fd = s.fd2 = s.length = s.length_old = -1;
	if (r->nr < 0 || r->nr >= AGT_NR_MAX) {
		sb_syscall(sl->b, &s);
		return;
	}
	if (!sl->mapped[r->nr]) {
		sb_argmap_of(r->nr, &sl->map[r->nr]);
		sl->mapped[r->nr] = true;
	}
	m = &sl->map[r->nr];
	/* int arguments: the kernel ignores the register's upper half */
	if (m->fd >= 0)
		s.fd = (int)r->args[(int)m->fd];
	if (m->fd2 >= 0)
		s.fd2 = (int)r->args[(int)m->fd2];
	if (m->len >= 0)
		s.length = (long long)r->args[(int)m->len];
	if (m->len_old >= 0)
		s.length_old = (long long)r->args[(int)m->len_old];
	if (m->domain >= 0)
		s.sock_family = (int)r->args[(int)m->domain];
	if (m->type >= 0)
		s.sock_type = (int)(r->args[(int)m->type] & 0xf); /* SOCK_TYPE_MASK */
	if ((failed && m->path >= 0) || m->addr >= 0)
		have_caps = r->ncap && !rec_syscall_caps(r, size, &caps);
	if (have_caps && failed && m->path >= 0)
		s.path = cap_str(&caps, m->path, path, sizeof(path));
	if (have_caps && m->addr >= 0 && caps.cap[(int)m->addr]) {
		fmt_sockaddr(tmp, sizeof(tmp), caps.data[(int)m->addr],
			     caps.cap[(int)m->addr]->len);
		if (sb_inet_addr(tmp, addr, sizeof(addr)))
			s.addr = addr;
		else if (strstr(tmp, "/nscd/"))
			s.addr = tmp;
	}
	/* connect() on a non-blocking socket: EINPROGRESS is the connection starting */
	if (failed && -r->ret == EINPROGRESS && s.addr) {
		s.err = NULL;
		s.ret = 0;
	}
	sb_syscall(sl->b, &s);
}

static void on_exec(struct span_live *sl, const struct agt_exec *r, size_t size)
{
	const char *fn, *argv;
	char cmd[512], file[512];
	size_t n = 0;

	if (rec_exec_parts(r, size, &fn, &argv))
		return;
	/* argv joined with spaces: "pytest -q" */
	for (size_t off = 0, len = r->argv_len; off < len && n + 1 < sizeof(cmd);) {
		size_t l = strnlen(argv + off, len - off);

		n += snprintf(cmd + n, sizeof(cmd) - n, "%s%.*s", n ? " " : "", (int)l, argv + off);
		off += l + 1;
	}
	if (n >= sizeof(cmd))
		n = sizeof(cmd) - 1;
	cmd[n] = '\0';
	/* `curl -H "Authorization: Bearer sk-..."`, maybe cut by the buffer's end */
	n = n >= sizeof(cmd) - 1 - sizeof(REDACTED) ? redact_secrets_cut(cmd, n, sizeof(cmd))
						    : redact_secrets(cmd, n);
	cmd[n < sizeof(cmd) ? n : sizeof(cmd) - 1] = '\0';
	snprintf(file, sizeof(file), "%.*s", (int)r->filename_len, fn);
	sb_exec(sl->b, span_live_ts(sl, r->h.ts), (int)r->h.tgid, n ? cmd : file, file, 0);
}

void span_live_record(struct span_live *sl, const void *data, size_t size)
{
	const struct agt_hdr *h = data;

	if (sl->npend)
		span_live_release(sl, span_live_ts(sl, h->ts));
	if (h->type == AGT_REC_SYSCALL && size >= sizeof(struct agt_syscall)) {
		on_syscall(sl, data, size);
	} else if (h->type == AGT_REC_FORK && size >= sizeof(struct agt_fork)) {
		const struct agt_fork *r = data;
		char comm[AGT_COMM_LEN + 1] = {0};

		memcpy(comm, h->comm, AGT_COMM_LEN);
		if (h->tid == h->tgid) /* a new process, not a thread */
			sb_fork(sl->b, span_live_ts(sl, h->ts), (int)h->tgid, (int)r->ppid, comm);
	} else if (h->type == AGT_REC_EXEC && size >= sizeof(struct agt_exec)) {
		on_exec(sl, data, size);
	}
}

void span_live_exit(struct span_live *sl, const struct agt_exit *x)
{
	if (sl->npend)
		span_live_release(sl, span_live_ts(sl, x->h.ts));
	sb_exit(sl->b, span_live_ts(sl, x->h.ts), (int)x->h.tgid, x->exit_code, x->signal);
}
