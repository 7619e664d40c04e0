// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * spanbuild.c - spans, states, resources and evidence from the event stream (see spanbuild.h).
 *
 * Processes live in an open-addressing table by pid while they run; tool calls and TCP
 * connections in pools that grow with the spans. Syscalls are classified through a table by
 * number, built once from the syscall table, so the per-syscall path does no string work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sbuf.h"
#include "spanbuild.h"
#include "strfmt.h"
#include "syscall_table.h"

#define SB_NR_MAX 1024
#define FD_MAX	  65536

/* What a syscall does to the bookkeeping. */
enum sb_op {
	OP_NONE,
	OP_OPEN,   /* a new file fd */
	OP_NEWFD,  /* a new fd of some other kind (eventfd, epoll, memfd...) */
	OP_SOCKET, /* a new socket fd: kind from family/type */
	OP_ACCEPT, /* a new connected socket */
	OP_PAIR,   /* two new fds (pipe, socketpair) */
	OP_DUP,	   /* ret = copy of fd */
	OP_DUP2,   /* fd2 = copy of fd */
	OP_CLOSE,
	OP_CLOSE_RANGE,
	OP_MMAP,
	OP_MUNMAP,
	OP_MREMAP,
	OP_BRK,
	OP_CONNECT,
	OP_READ,  /* bytes in on fd */
	OP_WRITE, /* bytes out on fd */
	OP_EXEC,
	OP_WAIT, /* ret: the child reaped */
};

enum fd_kind {
	FD_NONE,
	FD_FILE,
	FD_TCP,
	FD_UDP,
	FD_UNIX,
	FD_OTHER,
};

struct sb_fd {
	uint8_t kind;
	int32_t conn; /* index in b->conns, -1 */
};

struct proc {
	int pid; /* 0: free slot */
	int ppid;
	struct sb_span sp;
	struct sb_fd *fds;
	int fdcap;
	long long nfds;
	long long mmapped;
	unsigned long long brk_base, heap;
	uint64_t res_step; /* minimum ns between resource samples (doubles when full) */
	int n_llm;	   /* requests waiting for their answer */
	int n_children;	   /* live children */
	enum sb_state state;
	int tool;	 /* index in b->tools of the call this process runs for; -1 */
	bool tool_later; /* several calls were open at fork: decide at exec */
	int *open;	 /* tool calls (b->tools indices) taking children */
	int nopen, capopen;
	bool reaped;		 /* its parent's wait4 returned it: no longer a running tool */
	uint64_t reaped_ts;	 /* when */
	char (*raw)[SB_RAW_MAX]; /* captured evidence, parallel to sp.evidence (cb.capture) */
};

struct tool {
	struct sb_span sp;
	int owner; /* the agent's pid */
	bool open; /* takes new children */
	bool emitted;
	int live;    /* its processes still running */
	bool failed; /* one of them failed */
	uint64_t last_exit;
};

struct conn {
	struct sb_span sp;
	int fd;
	int port;
	bool active;
	bool decoded;
};

struct spanbuild {
	char trace_id[33];
	struct sb_callbacks cb;
	unsigned long long next_id, emitted;
	struct proc *tab;
	size_t cap, n;
	struct tool *tools;
	size_t ntools, captools;
	struct conn *conns;
	size_t nconns, capconns;
	uint8_t op[SB_NR_MAX];
	uint8_t wall[SB_NR_MAX]; /* SB_WALL_FILE / NET / OTHER by syscall class */
};

static const char *const kind_names[] = {"process", "llm", "tool", "net"};
static const char *const state_names[] = {"run", "llm", "tool"};
static const char *const wall_names[] = {"llm", "tool", "file", "net", "other", "cpu"};

const char *sb_kind_name(enum sb_kind k)
{
	return k <= SB_NET ? kind_names[k] : "?";
}

const char *sb_state_name(enum sb_state s)
{
	return s <= SB_TOOL_WAIT ? state_names[s] : "?";
}

const char *sb_wall_name(enum sb_wall w)
{
	return w < SB_WALL__N ? wall_names[w] : "?";
}

static void set_op(struct spanbuild *b, const char *name, enum sb_op op)
{
	int nr = sc_by_name(name);

	if (nr >= 0 && nr < SB_NR_MAX)
		b->op[nr] = op;
}

static void init_ops(struct spanbuild *b)
{
	static const struct {
		const char *name;
		enum sb_op op;
	} ops[] = {
	    {"open", OP_OPEN},
	    {"openat", OP_OPEN},
	    {"openat2", OP_OPEN},
	    {"creat", OP_OPEN},
	    {"open_by_handle_at", OP_OPEN},
	    {"eventfd", OP_NEWFD},
	    {"eventfd2", OP_NEWFD},
	    {"epoll_create", OP_NEWFD},
	    {"epoll_create1", OP_NEWFD},
	    {"memfd_create", OP_NEWFD},
	    {"timerfd_create", OP_NEWFD},
	    {"signalfd", OP_NEWFD},
	    {"signalfd4", OP_NEWFD},
	    {"inotify_init", OP_NEWFD},
	    {"inotify_init1", OP_NEWFD},
	    {"pidfd_open", OP_NEWFD},
	    {"fanotify_init", OP_NEWFD},
	    {"userfaultfd", OP_NEWFD},
	    {"io_uring_setup", OP_NEWFD},
	    {"perf_event_open", OP_NEWFD},
	    {"socket", OP_SOCKET},
	    {"accept", OP_ACCEPT},
	    {"accept4", OP_ACCEPT},
	    {"pipe", OP_PAIR},
	    {"pipe2", OP_PAIR},
	    {"socketpair", OP_PAIR},
	    {"dup", OP_DUP},
	    {"dup2", OP_DUP2},
	    {"dup3", OP_DUP2},
	    {"close", OP_CLOSE},
	    {"close_range", OP_CLOSE_RANGE},
	    {"mmap", OP_MMAP},
	    {"munmap", OP_MUNMAP},
	    {"mremap", OP_MREMAP},
	    {"brk", OP_BRK},
	    {"connect", OP_CONNECT},
	    {"read", OP_READ},
	    {"readv", OP_READ},
	    {"pread64", OP_READ},
	    {"preadv", OP_READ},
	    {"preadv2", OP_READ},
	    {"recvfrom", OP_READ},
	    {"recvmsg", OP_READ},
	    {"write", OP_WRITE},
	    {"writev", OP_WRITE},
	    {"pwrite64", OP_WRITE},
	    {"pwritev", OP_WRITE},
	    {"pwritev2", OP_WRITE},
	    {"sendto", OP_WRITE},
	    {"sendmsg", OP_WRITE},
	    {"execve", OP_EXEC},
	    {"execveat", OP_EXEC},
	    {"wait4", OP_WAIT},
	    {"waitpid", OP_WAIT},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		set_op(b, ops[i].name, ops[i].op);
	for (int nr = 0; nr < SB_NR_MAX && nr < sc_count(); nr++) {
		const struct sc_desc *d = sc_lookup(nr);

		b->wall[nr] = SB_WALL_OTHER;
		if (!d)
			continue;
		if (d->classes & SC_NETWORK)
			b->wall[nr] = SB_WALL_NET;
		else if (d->classes & SC_FILE)
			b->wall[nr] = SB_WALL_FILE;
	}
}

void sb_argmap_of(int nr, struct sb_argmap *m)
{
	const struct sc_desc *d = sc_lookup(nr);

	memset(m, -1, sizeof(*m));
	if (!d)
		return;
	for (int i = 0; i < d->nargs; i++) {
		const struct sc_arg *x = &d->args[i];

		switch (x->type) {
		case SA_FD:
			if (m->fd < 0)
				m->fd = i;
			else if (m->fd2 < 0)
				m->fd2 = i;
			break;
		case SA_PATH:
			if (m->path < 0)
				m->path = i;
			break;
		case SA_SOCKADDR_IN:
			m->addr = i;
			break;
		case SA_SOCK_DOMAIN:
			m->domain = i;
			break;
		case SA_SOCK_TYPE:
			m->type = i;
			break;
		default:
			break;
		}
		if (!strcmp(x->name, "length") || !strcmp(x->name, "new_size"))
			m->len = i;
		else if (!strcmp(x->name, "old_size"))
			m->len_old = i;
	}
	if (!strcmp(d->name, "close_range")) { /* unsigned ints, not SA_FD */
		m->fd = 0;
		m->fd2 = 1;
	}
}

bool sb_inet_addr(const char *s, char *out, size_t n)
{
	const char *p;
	size_t len;

	if (strncmp(s, "{AF_INET", 8))
		return false;
	p = strchr(s, ',');
	if (!p)
		return false;
	p++;
	while (*p == ' ')
		p++;
	len = strcspn(p, "}");
	if (!len || len >= n)
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

struct spanbuild *spanbuild__new(const char *trace_id, const struct sb_callbacks *cb)
{
	struct spanbuild *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	snprintf(b->trace_id, sizeof(b->trace_id), "%s", trace_id ? trace_id : "");
	while (strlen(b->trace_id) < 32) /* ids need 16 hex digits of it */
		strcat(b->trace_id, "0");
	b->cb = *cb;
	b->cap = 64;
	b->tab = calloc(b->cap, sizeof(*b->tab));
	if (!b->tab) {
		free(b);
		return NULL;
	}
	init_ops(b);
	return b;
}

static void new_id(struct spanbuild *b, char out[33])
{
	snprintf(out, 33, "%.16s%016llx", b->trace_id, ++b->next_id);
}

/* ---- the process table ---- */

static size_t slot_of(const struct spanbuild *b, int pid)
{
	size_t i = ((unsigned)pid * 2654435761u) & (b->cap - 1);

	while (b->tab[i].pid && b->tab[i].pid != pid)
		i = (i + 1) & (b->cap - 1);
	return i;
}

static struct proc *find(struct spanbuild *b, int pid)
{
	struct proc *p;

	if (pid <= 0)
		return NULL;
	p = &b->tab[slot_of(b, pid)];
	return p->pid ? p : NULL;
}

bool sb_has(const struct spanbuild *b, int pid)
{
	return pid > 0 && b->tab[slot_of(b, pid)].pid == pid;
}

static bool grow(struct spanbuild *b)
{
	struct proc *old = b->tab;
	size_t ocap = b->cap;

	b->tab = calloc(ocap * 2, sizeof(*b->tab));
	if (!b->tab) {
		b->tab = old;
		return false;
	}
	b->cap = ocap * 2;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].pid)
			b->tab[slot_of(b, old[i].pid)] = old[i];
	free(old);
	return true;
}

void sb_span_release(struct sb_span *sp)
{
	free(sp->name);
	free(sp->model);
	free(sp->tool_call_id);
	free(sp->tool_name);
	free(sp->arguments);
	free(sp->llm_span_id);
	free(sp->error);
	free(sp->evidence);
	free(sp->res);
	memset(sp, 0, sizeof(*sp));
}

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void *memdup(const void *p, size_t n)
{
	void *q = n ? malloc(n) : NULL;

	if (q)
		memcpy(q, p, n);
	return q;
}

int sb_span_copy(struct sb_span *dst, const struct sb_span *src)
{
	*dst = *src;
	dst->name = dup0(src->name);
	dst->model = dup0(src->model);
	dst->tool_call_id = dup0(src->tool_call_id);
	dst->tool_name = dup0(src->tool_name);
	dst->arguments = dup0(src->arguments);
	dst->llm_span_id = dup0(src->llm_span_id);
	dst->error = dup0(src->error);
	dst->evidence = memdup(src->evidence, src->nevidence * sizeof(*src->evidence));
	dst->nevidence = dst->evidence ? src->nevidence : 0;
	dst->res = memdup(src->res, src->nres * sizeof(*src->res));
	dst->nres = dst->res ? src->nres : 0;
	if ((src->name && !dst->name) || (src->model && !dst->model) ||
	    (src->tool_call_id && !dst->tool_call_id) || (src->tool_name && !dst->tool_name) ||
	    (src->arguments && !dst->arguments) || (src->llm_span_id && !dst->llm_span_id) ||
	    (src->error && !dst->error) || dst->nevidence != src->nevidence ||
	    dst->nres != src->nres) {
		sb_span_release(dst);
		return -ENOMEM;
	}
	return 0;
}

/* Removes the process at slot i, re-seating its probe chain (no tombstones). */
static void remove_at(struct spanbuild *b, size_t i)
{
	size_t j = i;

	sb_span_release(&b->tab[i].sp);
	free(b->tab[i].fds);
	free(b->tab[i].open);
	free(b->tab[i].raw);
	memset(&b->tab[i], 0, sizeof(b->tab[i]));
	b->n--;
	for (;;) {
		struct proc tmp;

		j = (j + 1) & (b->cap - 1);
		if (!b->tab[j].pid)
			return;
		tmp = b->tab[j];
		memset(&b->tab[j], 0, sizeof(b->tab[j]));
		b->tab[slot_of(b, tmp.pid)] = tmp;
	}
}

static void emit(struct spanbuild *b, struct sb_span *sp)
{
	if (sp->end < sp->start)
		sp->end = sp->start;
	if (b->cb.span)
		b->cb.span(b->cb.ctx, sp);
	b->emitted++;
}

unsigned long long sb_spans_emitted(const struct spanbuild *b)
{
	return b->emitted;
}

static void res_sample(struct proc *p, uint64_t ts);

static struct proc *add_proc(struct spanbuild *b, uint64_t ts, int pid, int ppid, const char *name)
{
	struct proc *parent, *p;

	if (pid <= 0)
		return NULL;
	if ((b->n + 1) * 2 > b->cap && !grow(b))
		return NULL;
	parent = find(b, ppid); /* after grow(): it moves the table */
	p = &b->tab[slot_of(b, pid)];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = parent ? ppid : 0;
	p->tool = -1;
	p->res_step = 1000000; /* 1 ms to start with */
	p->sp.kind = SB_PROCESS;
	p->sp.pid = pid;
	p->sp.start = ts;
	p->sp.status = "OK";
	p->sp.name = strdup(name && *name ? name : "?");
	new_id(b, p->sp.span_id);
	snprintf(p->sp.parent_span_id, sizeof(p->sp.parent_span_id), "%s",
		 parent ? parent->sp.span_id : "");
	if (parent) {
		/* fork copies the fd table and the address space */
		if (parent->fdcap && (p->fds = malloc(parent->fdcap * sizeof(*p->fds)))) {
			p->fdcap = parent->fdcap;
			for (int i = 0; i < p->fdcap; i++)
				p->fds[i] = (struct sb_fd){parent->fds[i].kind, -1};
		}
		p->nfds = parent->nfds;
		p->mmapped = parent->mmapped;
		p->heap = parent->heap;
		p->brk_base = parent->brk_base;
	} else {
		p->nfds = 3; /* stdin, stdout, stderr: what a process is normally given */
	}
	b->n++;
	res_sample(p, ts);
	return p;
}

/* The process of an event, created on first sight (a process of a -p trace, say). */
static struct proc *proc_of(struct spanbuild *b, int pid, uint64_t ts, const char *name)
{
	struct proc *p = find(b, pid);

	return p ? p : add_proc(b, ts, pid, 0, name);
}

/* ---- states ---- */

static void set_state(struct spanbuild *b, struct proc *p, uint64_t ts, const char *reason)
{
	enum sb_state s = p->n_llm > 0 ? SB_LLM_WAIT : p->n_children > 0 ? SB_TOOL_WAIT : SB_RUN;

	if (s == p->state)
		return;
	if (p->sp.agent && b->cb.state)
		b->cb.state(b->cb.ctx, p->pid, p->sp.name, ts, p->state, s, reason);
	p->state = s;
}

/* ---- resources ---- */

static void res_sample(struct proc *p, uint64_t ts)
{
	struct sb_span *sp = &p->sp;
	long long mapped = p->mmapped + (long long)p->heap;

	if (sp->nres && sp->res[sp->nres - 1].fds == p->nfds &&
	    sp->res[sp->nres - 1].mapped == mapped)
		return;
	if (sp->nres && ts < sp->res[sp->nres - 1].ts + p->res_step) {
		/* too soon after the last sample: it becomes this one */
		sp->res[sp->nres - 1] =
		    (struct sb_res_point){sp->res[sp->nres - 1].ts, p->nfds, mapped};
		return;
	}
	if (!sp->res && !(sp->res = malloc(SB_RES_POINTS * sizeof(*sp->res))))
		return;
	if (sp->nres == SB_RES_POINTS) { /* keep every other sample, sample half as often */
		for (int i = 1; i < SB_RES_POINTS / 2; i++)
			sp->res[i] = sp->res[2 * i];
		sp->res[SB_RES_POINTS / 2] = sp->res[SB_RES_POINTS - 1];
		sp->nres = SB_RES_POINTS / 2 + 1;
		p->res_step *= 2;
	}
	sp->res[sp->nres++] = (struct sb_res_point){ts, p->nfds, mapped};
}

static struct sb_fd *fd_slot(struct proc *p, long long fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	if (fd >= p->fdcap) {
		int ncap = p->fdcap ? p->fdcap : 16;
		struct sb_fd *t;

		while (ncap <= fd)
			ncap *= 2;
		t = realloc(p->fds, ncap * sizeof(*t));
		if (!t)
			return NULL;
		for (int i = p->fdcap; i < ncap; i++)
			t[i] = (struct sb_fd){FD_NONE, -1};
		p->fds = t;
		p->fdcap = ncap;
	}
	return &p->fds[fd];
}

static enum fd_kind fd_kind_of(const struct proc *p, long long fd)
{
	return fd >= 0 && fd < p->fdcap ? p->fds[fd].kind : FD_NONE;
}

/* ---- tool calls ---- */

static void tool_emit(struct spanbuild *b, struct tool *t, uint64_t ts)
{
	if (t->emitted)
		return;
	t->sp.end = t->sp.tool_procs ? t->last_exit : ts;
	t->sp.status = t->failed ? "ERROR" : "OK";
	emit(b, &t->sp);
	t->emitted = true;
	sb_span_release(&t->sp);
}

/* Stops pid's open tool calls from taking children; those with nothing running end at ts. */
static void close_tools(struct spanbuild *b, struct proc *p, uint64_t ts)
{
	for (int i = 0; i < p->nopen; i++) {
		struct tool *t = &b->tools[p->open[i]];

		t->open = false;
		if (!t->live)
			tool_emit(b, t, ts);
	}
	p->nopen = 0;
}

static void open_tool(struct spanbuild *b, struct proc *p, const struct sb_llm *l,
		      const struct sb_tool_call *c, const char *llm_span_id)
{
	struct tool *t;
	char name[160];

	if (b->ntools == b->captools) {
		size_t ncap = b->captools ? b->captools * 2 : 16;
		void *n = realloc(b->tools, ncap * sizeof(*b->tools));

		if (!n)
			return;
		b->tools = n;
		b->captools = ncap;
	}
	if (p->nopen == p->capopen) {
		int ncap = p->capopen ? p->capopen * 2 : 4;
		void *n = realloc(p->open, ncap * sizeof(*p->open));

		if (!n)
			return;
		p->open = n;
		p->capopen = ncap;
	}
	t = &b->tools[b->ntools];
	memset(t, 0, sizeof(*t));
	t->owner = p->pid;
	t->open = true;
	snprintf(name, sizeof(name), "execute_tool %s", c->name && *c->name ? c->name : "?");
	t->sp.kind = SB_TOOL;
	t->sp.pid = p->pid;
	t->sp.name = strdup(name);
	t->sp.start = l->ts;
	t->sp.status = "OK";
	t->sp.seq_num = l->seq_num;
	t->sp.tool_call_id = c->id ? strdup(c->id) : NULL;
	t->sp.tool_name = c->name ? strdup(c->name) : NULL;
	t->sp.arguments = c->arguments ? strndup(c->arguments, 512) : NULL;
	t->sp.llm_span_id = strdup(llm_span_id);
	new_id(b, t->sp.span_id);
	memcpy(t->sp.parent_span_id, p->sp.span_id, sizeof(t->sp.parent_span_id));
	p->open[p->nopen++] = (int)b->ntools++;
}

static void tool_take(struct spanbuild *b, struct proc *child, int ti)
{
	struct tool *t = &b->tools[ti];

	child->tool = ti;
	child->tool_later = false;
	t->live++;
	t->sp.tool_procs++;
	memcpy(child->sp.parent_span_id, t->sp.span_id, sizeof(child->sp.parent_span_id));
}

/* How many words of the command line (2+ characters) the call's arguments contain. */
static int tool_score(const struct tool *t, const char *cmdline)
{
	const char *args = t->sp.arguments, *s = cmdline;
	int score = 0;

	if (!args || !cmdline)
		return 0;
	while (*s) {
		char w[128];
		size_t n = strcspn(s, " ");

		if (n >= 2 && n < sizeof(w)) {
			const char *base;

			memcpy(w, s, n);
			w[n] = '\0';
			base = strrchr(w, '/');
			if (strstr(args, w) || (base && base[1] && strstr(args, base + 1)))
				score++;
		}
		s += n;
		s += strspn(s, " ");
	}
	return score;
}

/* A child of several open calls: the best argv match, else the one with fewest processes. */
static void tool_decide(struct spanbuild *b, struct proc *child, const char *cmdline)
{
	struct proc *agent = find(b, child->ppid);
	int best = -1, best_score = 0, fewest = -1;

	if (!agent || !agent->nopen) {
		child->tool_later = false;
		return;
	}
	for (int i = 0; i < agent->nopen; i++) {
		int ti = agent->open[i], sc = tool_score(&b->tools[ti], cmdline);

		if (sc > best_score) {
			best = ti;
			best_score = sc;
		}
		if (fewest < 0 || b->tools[ti].sp.tool_procs < b->tools[fewest].sp.tool_procs)
			fewest = ti;
	}
	tool_take(b, child, best >= 0 ? best : fewest);
}

/* ---- net connections ---- */

static void conn_end(struct spanbuild *b, struct conn *c, uint64_t ts)
{
	if (!c->active)
		return;
	c->active = false;
	c->sp.end = ts;
	if (!c->decoded)
		emit(b, &c->sp);
	sb_span_release(&c->sp);
}

static void conn_open(struct spanbuild *b, struct proc *p, struct sb_fd *f, long long fd,
		      const char *addr, uint64_t ts)
{
	struct conn *c;
	char name[96];
	const char *colon = strrchr(addr, ':');

	if (f->conn >= 0)
		conn_end(b, &b->conns[f->conn], ts);
	if (b->nconns == b->capconns) {
		size_t ncap = b->capconns ? b->capconns * 2 : 16;
		void *n = realloc(b->conns, ncap * sizeof(*b->conns));

		if (!n)
			return;
		b->conns = n;
		b->capconns = ncap;
	}
	c = &b->conns[b->nconns];
	memset(c, 0, sizeof(*c));
	snprintf(name, sizeof(name), "net %s", addr);
	c->sp.kind = SB_NET;
	c->sp.pid = p->pid;
	c->sp.name = strdup(name);
	c->sp.start = ts;
	c->sp.status = "OK";
	new_id(b, c->sp.span_id);
	memcpy(c->sp.parent_span_id, p->sp.span_id, sizeof(c->sp.parent_span_id));
	c->fd = (int)fd;
	c->port = colon ? atoi(colon + 1) : 0;
	c->active = true;
	f->conn = (int32_t)b->nconns++;
}

/* A decoded LLM exchange of pid: the connections it may have used are not "net" spans. */
static void conns_decoded(struct spanbuild *b, struct proc *p, const char *authority)
{
	const char *colon = authority ? strrchr(authority, ':') : NULL;
	int port = colon ? atoi(colon + 1) : 0;

	for (int fd = 0; fd < p->fdcap; fd++) {
		struct conn *c;

		if (p->fds[fd].conn < 0)
			continue;
		c = &b->conns[p->fds[fd].conn];
		if (c->active && (!port || port == c->port || !c->port))
			c->decoded = true;
	}
}

static void fd_clear(struct spanbuild *b, struct proc *p, long long fd, uint64_t ts)
{
	struct sb_fd *f = fd >= 0 && fd < p->fdcap ? &p->fds[fd] : NULL;

	if (!f)
		return;
	if (f->conn >= 0)
		conn_end(b, &b->conns[f->conn], ts);
	*f = (struct sb_fd){FD_NONE, -1};
}

/* ---- evidence ---- */

static const char *basename_of(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

/*
 * Failures every run has and nobody needs to see: the dynamic loader looking for libraries
 * (hwcaps and tls directories, lib*.so*, ld.so.preload), and the C library's optional probes
 * (nscd, locale archives, gconv, the message catalogs it looks for before printing an error).
 */
static bool noise(const struct sb_syscall *s)
{
	const char *path = s->path, *base;

	if (s->addr && strstr(s->addr, "/nscd/"))
		return true;
	if (!path)
		return false;
	base = basename_of(path);
	if (strstr(path, "/glibc-hwcaps/") || strstr(path, "/tls/") ||
	    !strcmp(path, "/etc/ld.so.preload") || strstr(path, "/nscd/") ||
	    !strncmp(path, "/usr/lib/locale/", 16) || strstr(path, "/gconv/") ||
	    strstr(path, "/LC_MESSAGES/"))
		return true;
	/* libfoo.so, libfoo.so.6 */
	return base && (strstr(base, ".so.") ||
			(strlen(base) > 3 && !strcmp(base + strlen(base) - 3, ".so")));
}

static void evidence_add(struct spanbuild *b, struct proc *p, const struct sb_syscall *s)
{
	struct sb_span *sp = &p->sp;
	struct sb_failure *f;

	if (noise(s))
		return;
	if (!sp->evidence && !(sp->evidence = calloc(SB_EVIDENCE, sizeof(*sp->evidence))))
		return;
	if (b->cb.capture && !p->raw && !(p->raw = calloc(SB_EVIDENCE, sizeof(*p->raw))))
		return;
	if (sp->nevidence == SB_EVIDENCE) {
		memmove(sp->evidence, sp->evidence + 1, (SB_EVIDENCE - 1) * sizeof(*sp->evidence));
		if (p->raw)
			memmove(p->raw, p->raw + 1, (SB_EVIDENCE - 1) * sizeof(*p->raw));
		sp->nevidence--;
	}
	f = &sp->evidence[sp->nevidence];
	memset(f, 0, sizeof(*f));
	f->seq_num = s->seq_num;
	f->ts = s->ts;
	f->tid = s->tid;
	snprintf(f->syscall, sizeof(f->syscall), "%s", s->name ? s->name : "?");
	snprintf(f->err, sizeof(f->err), "%s", s->err ? s->err : "?");
	/* the short form: the PATH-search filter reads it, and it stays if nothing better comes */
	snprintf(f->text, sizeof(f->text), "%s(%s%s%s) = -1 %s", f->syscall, s->path ? "\"" : "",
		 s->path ? s->path : "", s->path ? "\"" : "", f->err);
	if (p->raw)
		b->cb.capture(b->cb.ctx, s, p->raw[sp->nevidence], SB_RAW_MAX);
	sp->nevidence++;
}

/* The kept evidence in its long form (cb.describe), when the process ends. */
static void evidence_describe(struct spanbuild *b, struct proc *p)
{
	if (!p->raw || !b->cb.describe)
		return;
	for (int i = 0; i < p->sp.nevidence; i++)
		if (p->raw[i][0])
			b->cb.describe(b->cb.ctx, p->raw[i], p->sp.evidence[i].text,
				       sizeof(p->sp.evidence[i].text));
}

/*
 * A successful execve of FILE: the failed execve/stat/access calls on other directories' FILE
 * before it were a PATH search, not errors.
 */
static void evidence_path_search(struct proc *p, const char *filename)
{
	struct sb_span *sp = &p->sp;
	const char *base = basename_of(filename);
	int keep = 0;
	char needle[300];

	if (!base || !*base)
		return;
	snprintf(needle, sizeof(needle), "/%s\"", base);
	for (int i = 0; i < sp->nevidence; i++) {
		struct sb_failure *f = &sp->evidence[i];
		bool search = (!strcmp(f->syscall, "execve") || !strcmp(f->syscall, "execveat") ||
			       strstr(f->syscall, "stat") || strstr(f->syscall, "access")) &&
			      strstr(f->text, needle);

		if (search)
			continue;
		if (p->raw && keep != i)
			memcpy(p->raw[keep], p->raw[i], sizeof(*p->raw));
		sp->evidence[keep++] = *f;
	}
	sp->nevidence = keep;
}

/* ---- feeding ---- */

void sb_fork(struct spanbuild *b, uint64_t ts, int pid, int ppid, const char *comm)
{
	struct proc *parent, *p;

	if (find(b, pid))
		return;
	p = add_proc(b, ts, pid, ppid, comm);
	if (!p || !(parent = find(b, ppid)))
		return;
	parent->n_children++;
	if (parent->nopen == 1)
		tool_take(b, p, parent->open[0]);
	else if (parent->nopen > 1)
		p->tool_later = true;
	char reason[64];

	snprintf(reason, sizeof(reason), "tool process %d started", pid);
	set_state(b, parent, ts, reason);
}

void sb_exec(struct spanbuild *b, uint64_t ts, int pid, const char *cmdline, const char *filename,
	     uint64_t seq_num)
{
	struct proc *p = proc_of(b, pid, ts, cmdline);
	char *name;

	(void)seq_num;
	if (!p)
		return;
	if (cmdline && *cmdline && (name = strndup(cmdline, 256))) {
		free(p->sp.name);
		p->sp.name = name;
	}
	if (filename)
		evidence_path_search(p, filename);
	if (p->tool_later)
		tool_decide(b, p, cmdline);
	/* a new image: the old mappings are gone (the fds without O_CLOEXEC stay) */
	p->mmapped = 0;
	p->heap = 0;
	p->brk_base = 0;
	res_sample(p, ts);
}

static void finish_proc(struct spanbuild *b, struct proc *p, uint64_t ts, const char *status)
{
	struct sb_span *sp = &p->sp;
	uint64_t used = 0, life;

	for (int fd = 0; fd < p->fdcap; fd++)
		if (p->fds[fd].conn >= 0)
			conn_end(b, &b->conns[p->fds[fd].conn], ts);
	close_tools(b, p, ts);
	sp->end = ts > sp->start ? ts : sp->start;
	sp->status = status;
	life = sp->end - sp->start;
	for (int w = 0; w < SB_WALL_CPU; w++)
		used += sp->wall[w];
	sp->wall[SB_WALL_CPU] = life > used ? life - used : 0;
	sp->nev = sp->nevidence + (sp->signal ? 1 : 0);
	res_sample(p, ts);
	evidence_describe(b, p);
	emit(b, sp);
}

void sb_exit(struct spanbuild *b, uint64_t ts, int pid, int exit_code, int signal)
{
	size_t i = slot_of(b, pid);
	struct proc *p = &b->tab[i], *parent;

	if (pid <= 0 || !p->pid)
		return;
	if (p->tool_later)
		tool_decide(b, p, NULL);
	p->sp.exit_code = exit_code;
	p->sp.signal = signal;
	finish_proc(b, p, ts, signal ? "TIMEOUT" : exit_code ? "ERROR" : "OK");
	if (p->tool >= 0) {
		struct tool *t = &b->tools[p->tool];

		t->live--;
		if (signal || exit_code)
			t->failed = true;
		if (ts > t->last_exit)
			t->last_exit = ts;
		if (!t->open && !t->live)
			tool_emit(b, t, ts);
	}
	if (!p->reaped && (parent = find(b, p->ppid)) && parent->n_children > 0) {
		char reason[80];

		parent->n_children--;
		if (signal)
			snprintf(reason, sizeof(reason), "tool process %d killed by signal %d", pid,
				 signal);
		else
			snprintf(reason, sizeof(reason), "tool process %d exited with %d", pid,
				 exit_code);
		set_state(b, parent, ts, reason);
	}
	remove_at(b, i);
}

void sb_syscall(struct spanbuild *b, const struct sb_syscall *s)
{
	struct proc *p = proc_of(b, s->pid, s->ts, s->comm);
	struct sb_span *sp;
	enum sb_op op;
	struct sb_fd *f;
	bool ok;

	if (!p)
		return;
	sp = &p->sp;
	sp->syscalls++;
	sp->syscall_ns += s->dur;
	ok = !s->err && !s->noreturn;
	if (s->err) {
		sp->syscall_errors++;
		evidence_add(b, p, s);
	}
	op = s->nr >= 0 && s->nr < SB_NR_MAX ? b->op[s->nr] : OP_NONE;
	if (s->tid == s->pid) {
		enum sb_wall w = s->nr >= 0 && s->nr < SB_NR_MAX ? b->wall[s->nr] : SB_WALL_OTHER;

		if (p->state == SB_LLM_WAIT)
			w = SB_WALL_LLM;
		else if (p->state == SB_TOOL_WAIT || op == OP_WAIT) /* waiting for a child */
			w = SB_WALL_TOOL;
		else if (op == OP_READ || op == OP_WRITE) {
			enum fd_kind k = fd_kind_of(p, s->fd);

			w = k == FD_FILE				 ? SB_WALL_FILE
			    : k == FD_TCP || k == FD_UDP || k == FD_UNIX ? SB_WALL_NET
									 : SB_WALL_OTHER;
		}
		sp->wall[w] += s->dur;
	}
	if (!ok)
		return;
	switch (op) {
	case OP_OPEN:
	case OP_NEWFD:
	case OP_SOCKET:
	case OP_ACCEPT:
	case OP_DUP:
		if (s->ret < 0 || !(f = fd_slot(p, s->ret)))
			break;
		fd_clear(b, p, s->ret, s->ts);
		f->kind = op == OP_OPEN	    ? FD_FILE
			  : op == OP_ACCEPT ? FD_TCP
			  : op == OP_DUP    ? fd_kind_of(p, s->fd)
					    : FD_OTHER;
		if (op == OP_SOCKET)
			f->kind = s->sock_family == AF_UNIX ? FD_UNIX
				  : (s->sock_family == AF_INET || s->sock_family == AF_INET6)
				      ? (s->sock_type == SOCK_STREAM ? FD_TCP : FD_UDP)
				      : FD_OTHER;
		p->nfds++;
		break;
	case OP_PAIR:
		p->nfds += 2;
		break;
	case OP_DUP2:
		if (s->fd2 < 0 || !(f = fd_slot(p, s->fd2)))
			break;
		if (f->kind == FD_NONE)
			p->nfds++;
		fd_clear(b, p, s->fd2, s->ts);
		f->kind = fd_kind_of(p, s->fd);
		break;
	case OP_CLOSE:
		fd_clear(b, p, s->fd, s->ts);
		if (p->nfds > 0)
			p->nfds--;
		break;
	case OP_CLOSE_RANGE:
		for (long long fd = s->fd; fd >= 0 && fd < p->fdcap && (s->fd2 < 0 || fd <= s->fd2);
		     fd++) {
			if (p->fds[fd].kind != FD_NONE && p->nfds > 0)
				p->nfds--;
			fd_clear(b, p, fd, s->ts);
		}
		break;
	case OP_MMAP:
		if (s->length > 0)
			p->mmapped += s->length;
		break;
	case OP_MUNMAP:
		if (s->length > 0)
			p->mmapped = p->mmapped > s->length ? p->mmapped - s->length : 0;
		break;
	case OP_MREMAP:
		if (s->length >= 0 && s->length_old >= 0)
			p->mmapped += s->length - s->length_old;
		if (p->mmapped < 0)
			p->mmapped = 0;
		break;
	case OP_BRK:
		if (!p->brk_base)
			p->brk_base = (unsigned long long)s->ret;
		else if ((unsigned long long)s->ret >= p->brk_base)
			p->heap = (unsigned long long)s->ret - p->brk_base;
		break;
	case OP_CONNECT:
		if (s->addr && (f = fd_slot(p, s->fd)) &&
		    (f->kind == FD_TCP || (f->kind == FD_NONE && s->addr[0] != '"')))
			conn_open(b, p, f, s->fd, s->addr, s->ts);
		break;
	case OP_WAIT: {
		/*
		 * The agent reaped a tool child: its state moves on here, where the agent saw it,
		 * whatever the order in which the child's exit record arrives.
		 */
		struct proc *child = s->ret > 0 ? find(b, (int)s->ret) : NULL;
		char reason[64];

		if (!child || child->reaped || child->ppid != p->pid || p->n_children <= 0)
			break;
		child->reaped = true;
		child->reaped_ts = s->ts + s->dur;
		p->n_children--;
		snprintf(reason, sizeof(reason), "tool process %lld reaped", s->ret);
		set_state(b, p, s->ts + s->dur, reason);
		break;
	}
	case OP_READ:
	case OP_WRITE:
		if (s->ret > 0 && s->fd >= 0 && s->fd < p->fdcap && p->fds[s->fd].conn >= 0) {
			struct conn *c = &b->conns[p->fds[s->fd].conn];

			if (op == OP_READ)
				c->sp.bytes_received += s->ret;
			else
				c->sp.bytes_sent += s->ret;
			c->sp.syscalls++;
		}
		break;
	default:
		break;
	}
	if (op != OP_NONE && op != OP_READ && op != OP_WRITE && op != OP_CONNECT)
		res_sample(p, s->ts);
}

void sb_llm_request(struct spanbuild *b, uint64_t seq_num, uint64_t ts, int pid,
		    const char *const *tool_result_ids, size_t nids)
{
	struct proc *p = proc_of(b, pid, ts, NULL);
	char reason[64];

	if (!p)
		return;
	/* the results it carries end their tool calls; the rest stop taking children too */
	for (int i = 0; i < p->nopen; i++) {
		struct tool *t = &b->tools[p->open[i]];

		for (size_t k = 0; k < nids; k++)
			if (t->sp.tool_call_id && tool_result_ids[k] &&
			    !strcmp(t->sp.tool_call_id, tool_result_ids[k]))
				t->sp.result_seq = seq_num;
	}
	close_tools(b, p, ts);
	p->sp.agent = true;
	p->n_llm++;
	conns_decoded(b, p, NULL);
	snprintf(reason, sizeof(reason), "LLM request sent");
	set_state(b, p, ts, reason);
}

/*
 * Children the agent forked after the response at ts but that reached the builder before it:
 * live, the TLS ring is read before the syscall ring, and a syscall pass that runs long can
 * take in a fork the agent made after a response the TLS pass had not yet seen (the events
 * file keeps that order). They are the response's tool processes all the same.
 */
static void adopt_late(struct spanbuild *b, struct proc *agent, uint64_t ts,
		       const char *reason)
{
	struct proc *first = NULL, *last_reaped = NULL;

	for (size_t i = 0; i < b->cap; i++) {
		struct proc *c = &b->tab[i];

		if (!c->pid || c->ppid != agent->pid || c->tool >= 0 || c->tool_later ||
		    c->sp.start < ts)
			continue;
		if (agent->nopen == 1)
			tool_take(b, c, agent->open[0]);
		else
			tool_decide(b, c, c->sp.name);
		if (!first || c->sp.start < first->sp.start)
			first = c;
		if (c->reaped && (!last_reaped || c->reaped_ts > last_reaped->reaped_ts))
			last_reaped = c;
	}
	if (!first || !agent->sp.agent || !b->cb.state)
		return;
	/*
	 * The states it went through meanwhile, in their order: the response, then the tool
	 * process, then (if the agent already reaped them all) back to running.
	 */
	char why[64];

	b->cb.state(b->cb.ctx, agent->pid, agent->sp.name, ts, agent->state, SB_RUN, reason);
	snprintf(why, sizeof(why), "tool process %d started", first->pid);
	b->cb.state(b->cb.ctx, agent->pid, agent->sp.name, first->sp.start, SB_RUN, SB_TOOL_WAIT,
		    why);
	agent->state = SB_TOOL_WAIT;
	if (agent->n_children == 0 && last_reaped) {
		snprintf(why, sizeof(why), "tool process %d reaped", last_reaped->pid);
		b->cb.state(b->cb.ctx, agent->pid, agent->sp.name, last_reaped->reaped_ts,
			    SB_TOOL_WAIT, SB_RUN, why);
		agent->state = SB_RUN;
	}
}

void sb_llm_response(struct spanbuild *b, const struct sb_llm *l)
{
	struct proc *p = proc_of(b, l->pid, l->ts, NULL);
	struct sb_span sp = {0};
	char name[160], reason[200];
	size_t n;

	if (!p)
		return;
	snprintf(name, sizeof(name), "llm %s", l->model && *l->model ? l->model : "?");
	sp.kind = SB_LLM;
	sp.pid = l->pid;
	sp.name = name;
	sp.start = l->ts > l->latency ? l->ts - l->latency : 0;
	sp.end = l->ts;
	sp.seq_num = l->seq_num;
	sp.model = (char *)l->model;
	sp.request_tokens = l->request_tokens;
	sp.response_tokens = l->response_tokens;
	sp.tokens = l->total_tokens > 0 ? l->total_tokens : 0;
	sp.http_status = l->status;
	sp.error = (char *)l->error;
	sp.status = l->status >= 400 || !l->complete ? "ERROR" : "OK";
	new_id(b, sp.span_id);
	memcpy(sp.parent_span_id, p->sp.span_id, sizeof(sp.parent_span_id));
	if (b->cb.span)
		b->cb.span(b->cb.ctx, &sp);
	b->emitted++;
	if (sp.tokens > 0)
		p->sp.tokens += sp.tokens;
	p->sp.agent = true;
	conns_decoded(b, p, l->authority);
	for (size_t i = 0; i < l->ncalls; i++)
		open_tool(b, p, l, &l->calls[i], sp.span_id);
	if (p->n_llm > 0)
		p->n_llm--;
	n = snprintf(reason, sizeof(reason), "LLM response %d", l->status);
	for (size_t i = 0; i < l->ncalls && n < sizeof(reason); i++)
		n += snprintf(reason + n, sizeof(reason) - n, "%s%s",
			      i ? "," : " tool_calls=", l->calls[i].name ? l->calls[i].name : "?");
	if (p->nopen && p->n_llm == 0)
		adopt_late(b, p, l->ts, reason);
	set_state(b, p, l->ts, reason);
}

void spanbuild__free(struct spanbuild *b, uint64_t ts, bool cut)
{
	if (!b)
		return;
	/* children before parents is not needed: every span already has its parent's id */
	for (size_t i = 0; i < b->cap; i++) {
		struct proc *p = &b->tab[i];

		if (!p->pid)
			continue;
		finish_proc(b, p, ts, cut ? "TIMEOUT" : "OK");
		if (p->tool >= 0) {
			struct tool *t = &b->tools[p->tool];

			t->live--;
			if (cut)
				t->failed = true;
			if (ts > t->last_exit)
				t->last_exit = ts;
		}
	}
	for (size_t i = 0; i < b->ntools; i++) {
		if (!b->tools[i].emitted)
			tool_emit(b, &b->tools[i], ts);
	}
	for (size_t i = 0; i < b->nconns; i++)
		conn_end(b, &b->conns[i], ts);
	for (size_t i = 0; i < b->cap; i++) {
		sb_span_release(&b->tab[i].sp);
		free(b->tab[i].fds);
		free(b->tab[i].open);
		free(b->tab[i].raw);
	}
	free(b->tab);
	free(b->tools);
	free(b->conns);
	free(b);
}

/* ---- JSON ---- */

static void put_str(struct sbuf *sb, const char *v)
{
	if (!v) {
		sb_puts(sb, "null");
		return;
	}
	sb_putc(sb, '"');
	sb_add(sb, json_escape(sb_pos(sb), sb_left(sb), v, strlen(v)));
	sb_putc(sb, '"');
}

size_t sb_span_json(char *buf, size_t n, const char *trace_id, const struct sb_span *sp)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	sb_puts(&sb, "{\"trace_id\":");
	put_str(&sb, trace_id);
	sb_puts(&sb, ",\"span_id\":");
	put_str(&sb, sp->span_id);
	sb_puts(&sb, ",\"parent_span_id\":");
	put_str(&sb, sp->parent_span_id[0] ? sp->parent_span_id : NULL);
	sb_puts(&sb, ",\"pid\":");
	sb_puti(&sb, sp->pid);
	sb_puts(&sb, ",\"name\":");
	put_str(&sb, sp->name ? sp->name : "?");
	sb_puts(&sb, ",\"kind\":");
	put_str(&sb, sb_kind_name(sp->kind));
	sb_puts(&sb, ",\"start_time\":");
	sb_putu(&sb, sp->start);
	sb_puts(&sb, ",\"end_time\":");
	sb_putu(&sb, sp->end);
	sb_puts(&sb, ",\"duration\":");
	sb_putu(&sb, sp->end - sp->start);
	sb_puts(&sb, ",\"syscall_count\":");
	sb_putu(&sb, sp->syscalls);
	sb_puts(&sb, ",\"tokens_used\":");
	sb_puti(&sb, sp->tokens);
	sb_puts(&sb, ",\"status\":");
	put_str(&sb, sp->status);
	sb_puts(&sb, ",\"attributes\":{");
	switch (sp->kind) {
	case SB_PROCESS:
		sb_puts(&sb, "\"exit_code\":");
		sb_puti(&sb, sp->exit_code);
		sb_puts(&sb, ",\"signal\":");
		sb_puti(&sb, sp->signal);
		sb_puts(&sb, ",\"syscall_errors\":");
		sb_putu(&sb, sp->syscall_errors);
		sb_puts(&sb, ",\"agent\":");
		sb_puts(&sb, sp->agent ? "true" : "false");
		break;
	case SB_LLM:
		sb_puts(&sb, "\"model\":");
		put_str(&sb, sp->model);
		sb_puts(&sb, ",\"request_tokens\":");
		sb_puti(&sb, sp->request_tokens);
		sb_puts(&sb, ",\"response_tokens\":");
		sb_puti(&sb, sp->response_tokens);
		sb_puts(&sb, ",\"http_status\":");
		sb_puti(&sb, sp->http_status);
		if (sp->error) {
			sb_puts(&sb, ",\"error\":");
			put_str(&sb, sp->error);
		}
		sb_puts(&sb, ",\"seq_num\":");
		sb_putu(&sb, sp->seq_num);
		break;
	case SB_TOOL:
		sb_puts(&sb, "\"tool_name\":");
		put_str(&sb, sp->tool_name);
		sb_puts(&sb, ",\"tool_call_id\":");
		put_str(&sb, sp->tool_call_id);
		sb_puts(&sb, ",\"arguments\":");
		put_str(&sb, sp->arguments);
		sb_puts(&sb, ",\"llm_span_id\":");
		put_str(&sb, sp->llm_span_id);
		sb_puts(&sb, ",\"processes\":");
		sb_puti(&sb, sp->tool_procs);
		sb_puts(&sb, ",\"requested_seq_num\":");
		sb_putu(&sb, sp->seq_num);
		sb_puts(&sb, ",\"result_seq_num\":");
		if (sp->result_seq)
			sb_putu(&sb, sp->result_seq);
		else
			sb_puts(&sb, "null");
		break;
	case SB_NET:
		sb_puts(&sb, "\"bytes_sent\":");
		sb_putu(&sb, sp->bytes_sent);
		sb_puts(&sb, ",\"bytes_received\":");
		sb_putu(&sb, sp->bytes_received);
		break;
	}
	sb_puts(&sb, "},\"events\":[");
	for (int i = 0; i < sp->nevidence; i++) {
		const struct sb_failure *f = &sp->evidence[i];

		if (i)
			sb_putc(&sb, ',');
		sb_puts(&sb, "{\"name\":\"syscall_failed\",\"syscall\":");
		put_str(&sb, f->syscall);
		sb_puts(&sb, ",\"err\":");
		put_str(&sb, f->err);
		sb_puts(&sb, ",\"seq_num\":");
		sb_putu(&sb, f->seq_num);
		sb_puts(&sb, ",\"timestamp\":");
		sb_putu(&sb, f->ts);
		sb_puts(&sb, ",\"line\":");
		put_str(&sb, f->text);
		sb_putc(&sb, '}');
	}
	if (sp->signal) {
		if (sp->nevidence)
			sb_putc(&sb, ',');
		sb_puts(&sb, "{\"name\":\"signal\",\"signal\":");
		sb_puti(&sb, sp->signal);
		sb_puts(&sb, ",\"timestamp\":");
		sb_putu(&sb, sp->end);
		sb_putc(&sb, '}');
	}
	sb_puts(&sb, "]}\n");
	return sb.len;
}
