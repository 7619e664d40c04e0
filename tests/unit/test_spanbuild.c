// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_spanbuild.c - the span builder on hand-built event streams: tool calls linked to their
 * processes and results (two in parallel), the state machine, evidence noise, fds and memory,
 * TCP connections, wall time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "spanbuild.h"
#include "syscall_table.h"

#define MS 1000000ull

struct got {
	struct sb_span sp[32];
	char names[32][128];
	char parents[32][33];
	int nsp;
	struct {
		int pid;
		uint64_t ts;
		enum sb_state from, to;
		char reason[96];
	} st[32];
	int nst;
	struct sb_failure ev[32][SB_EVIDENCE];
	struct sb_res_point res[32][SB_RES_POINTS];
};

static void on_span(void *ctx, const struct sb_span *sp)
{
	struct got *g = ctx;
	int i = g->nsp++;

	g->sp[i] = *sp;
	snprintf(g->names[i], sizeof(g->names[i]), "%s", sp->name);
	g->sp[i].name = g->names[i];
	if (sp->nevidence)
		memcpy(g->ev[i], sp->evidence, sp->nevidence * sizeof(*sp->evidence));
	g->sp[i].evidence = g->ev[i];
	if (sp->nres)
		memcpy(g->res[i], sp->res, sp->nres * sizeof(*sp->res));
	g->sp[i].res = g->res[i];
	/* strings owned by the builder die after the call */
	g->sp[i].model = g->sp[i].tool_call_id = g->sp[i].tool_name = g->sp[i].arguments = NULL;
	g->sp[i].llm_span_id = NULL;
	if (sp->tool_call_id)
		snprintf(g->parents[i], sizeof(g->parents[i]), "%s", sp->tool_call_id);
}

static void on_state(void *ctx, int pid, const char *name, uint64_t ts, enum sb_state from,
		     enum sb_state to, const char *reason)
{
	struct got *g = ctx;
	int i = g->nst++;

	(void)name;
	g->st[i].pid = pid;
	g->st[i].ts = ts;
	g->st[i].from = from;
	g->st[i].to = to;
	snprintf(g->st[i].reason, sizeof(g->st[i].reason), "%s", reason);
}

static struct spanbuild *new_builder(struct got *g)
{
	struct sb_callbacks cb = {.span = on_span, .state = on_state, .ctx = g};

	memset(g, 0, sizeof(*g));
	return spanbuild__new("00112233445566778899aabbccddeeff", &cb);
}

static const struct sb_span *span_named(const struct got *g, const char *name, int nth)
{
	for (int i = 0; i < g->nsp; i++)
		if (!strcmp(g->sp[i].name, name) && nth-- == 0)
			return &g->sp[i];
	return NULL;
}

static void sys(struct spanbuild *b, uint64_t ts, int pid, const char *name, long long ret,
		const char *err, long long fd)
{
	struct sb_syscall s = {0};

	s.ts = ts;
	s.dur = 1000;
	s.pid = s.tid = pid;
	s.name = name;
	s.nr = sc_by_name(name);
	s.ret = ret;
	s.err = err;
	s.fd = fd;
	s.fd2 = s.length = s.length_old = -1;
	sb_syscall(b, &s);
}

static void response(struct spanbuild *b, uint64_t ts, int pid, const struct sb_tool_call *calls,
		     size_t n, long long in)
{
	struct sb_llm l = {.seq_num = ts / MS,
			   .ts = ts,
			   .latency = 3 * MS,
			   .pid = pid,
			   .model = "gpt-4o",
			   .request_tokens = in,
			   .response_tokens = 20,
			   .total_tokens = in + 20,
			   .status = 200,
			   .complete = true,
			   .calls = calls,
			   .ncalls = n};

	sb_llm_response(b, &l);
}

/* Two parallel tool calls: each process goes to the call whose arguments name its argv. */
static void test_spanbuild_tool_parallel(void **state)
{
	const struct sb_tool_call calls[] = {
	    {"call_a", "shell", "{\"cmd\":[\"ls\",\"-l\",\"/etc\"]}"},
	    {"call_b", "shell", "{\"cmd\":[\"grep\",\"root\",\"/etc/passwd\"]}"}};
	const char *results[] = {"call_b", "call_a"};
	const struct sb_span *ta, *tb, *ls, *grep, *agent, *llm;
	struct spanbuild *b;
	struct got g;

	(void)state;
	b = new_builder(&g);
	sb_fork(b, 0, 100, 0, "python3 agent.py");
	sb_llm_request(b, 1, 1 * MS, 100, NULL, 0);
	response(b, 5 * MS, 100, calls, 2, 100);
	sb_fork(b, 6 * MS, 101, 100, "python3");
	sb_fork(b, 6 * MS + 500, 102, 100, "python3");
	sb_exec(b, 7 * MS, 102, "grep root /etc/passwd", "/usr/bin/grep", 0);
	sb_exec(b, 7 * MS + 200, 101, "ls -l /etc", "/usr/bin/ls", 0);
	sb_exit(b, 9 * MS, 101, 0, 0);
	sb_exit(b, 10 * MS, 102, 1, 0);
	sb_llm_request(b, 12, 12 * MS, 100, results, 2);
	response(b, 15 * MS, 100, NULL, 0, 180);
	sb_exit(b, 20 * MS, 100, 0, 0);
	spanbuild__free(b, 21 * MS, false);

	assert_int_equal(g.nsp, 7);
	ls = span_named(&g, "ls -l /etc", 0);
	grep = span_named(&g, "grep root /etc/passwd", 0);
	ta = span_named(&g, "execute_tool shell", 0);
	tb = span_named(&g, "execute_tool shell", 1);
	agent = span_named(&g, "python3 agent.py", 0);
	llm = span_named(&g, "llm gpt-4o", 0);
	assert_non_null(ls);
	assert_non_null(grep);
	assert_non_null(ta);
	assert_non_null(tb);
	assert_non_null(agent);
	assert_non_null(llm);
	/* ta is call_a (ends with ls at 9 ms), tb call_b (ends with grep at 10 ms, failed) */
	assert_string_equal(g.parents[ta - g.sp], "call_a");
	assert_string_equal(g.parents[tb - g.sp], "call_b");
	assert_string_equal(ls->parent_span_id, ta->span_id);
	assert_string_equal(grep->parent_span_id, tb->span_id);
	assert_string_equal(ta->parent_span_id, agent->span_id);
	assert_string_equal(llm->parent_span_id, agent->span_id);
	assert_int_equal(ta->start, 5 * MS);
	assert_int_equal(ta->end, 9 * MS);
	assert_int_equal(tb->end, 10 * MS);
	assert_string_equal(ta->status, "OK");
	assert_string_equal(tb->status, "ERROR");
	assert_int_equal(ta->tool_procs, 1);
	assert_int_equal(ta->result_seq, 12);
	assert_int_equal(tb->result_seq, 12);
	assert_string_equal(grep->status, "ERROR");
	assert_int_equal(grep->exit_code, 1);
	assert_int_equal(llm->start, 2 * MS);
	assert_int_equal(llm->request_tokens, 100);
	assert_int_equal(agent->tokens, 120 + 200);
	assert_true(agent->agent);
	assert_string_equal(agent->span_id, "00112233445566770000000000000001");
	assert_string_equal(agent->parent_span_id, "");

	/* the state machine: llm wins over tool; tool ends with the last child */
	assert_int_equal(g.nst, 6);
	assert_int_equal(g.st[0].from, SB_RUN);
	assert_int_equal(g.st[0].to, SB_LLM_WAIT);
	assert_int_equal(g.st[0].ts, 1 * MS);
	assert_string_equal(g.st[0].reason, "LLM request sent");
	assert_int_equal(g.st[1].to, SB_RUN);
	assert_string_equal(g.st[1].reason, "LLM response 200 tool_calls=shell,shell");
	assert_int_equal(g.st[2].to, SB_TOOL_WAIT);
	assert_int_equal(g.st[2].ts, 6 * MS);
	assert_string_equal(g.st[2].reason, "tool process 101 started");
	assert_int_equal(g.st[3].to, SB_RUN);
	assert_int_equal(g.st[3].ts, 10 * MS);
	assert_string_equal(g.st[3].reason, "tool process 102 exited with 1");
	assert_int_equal(g.st[4].to, SB_LLM_WAIT);
	assert_int_equal(g.st[5].to, SB_RUN);
}

/*
 * The response reaches the builder after the fork it led to (live: the TLS ring was read
 * before the agent answered, the syscall pass took in its fork): the child is the call's all
 * the same; one forked before the response stays the agent's.
 */
static void test_spanbuild_tool_late_response(void **state)
{
	const struct sb_tool_call calls[] = {{"call_x", "shell", "{\"cmd\":\"grep -c root\"}"}};
	const struct sb_span *t, *grep, *early, *agent;
	struct spanbuild *b;
	struct got g;

	(void)state;
	b = new_builder(&g);
	sb_fork(b, 0, 100, 0, "python3 agent.py");
	sb_llm_request(b, 1, 1 * MS, 100, NULL, 0);
	sb_fork(b, 4 * MS, 103, 100, "python3"); /* before the response: not a tool */
	sb_exec(b, 4 * MS + 100, 103, "uname -r", "/usr/bin/uname", 0);
	sb_fork(b, 6 * MS, 101, 100, "python3");
	sb_exec(b, 6 * MS + 300, 101, "grep -c root /etc/passwd", "/usr/bin/grep", 0);
	response(b, 5 * MS, 100, calls, 1, 100); /* stamped 5 ms, arrived after the fork */
	sb_exit(b, 7 * MS, 103, 0, 0);
	sb_exit(b, 9 * MS, 101, 0, 0);
	sb_exit(b, 20 * MS, 100, 0, 0);
	spanbuild__free(b, 21 * MS, false);

	t = span_named(&g, "execute_tool shell", 0);
	grep = span_named(&g, "grep -c root /etc/passwd", 0);
	early = span_named(&g, "uname -r", 0);
	agent = span_named(&g, "python3 agent.py", 0);
	assert_non_null(t);
	assert_non_null(grep);
	assert_non_null(early);
	assert_non_null(agent);
	assert_string_equal(grep->parent_span_id, t->span_id);
	assert_string_equal(early->parent_span_id, agent->span_id);
	assert_int_equal(t->tool_procs, 1);
	assert_int_equal(t->end, 9 * MS);
	/* the states in the order they happened, not in the order they arrived */
	assert_int_equal(g.nst, 4);
	assert_int_equal(g.st[0].to, SB_LLM_WAIT);
	assert_int_equal(g.st[1].from, SB_LLM_WAIT);
	assert_int_equal(g.st[1].to, SB_RUN);
	assert_int_equal(g.st[1].ts, 5 * MS);
	assert_int_equal(g.st[2].to, SB_TOOL_WAIT);
	assert_int_equal(g.st[2].ts, 6 * MS);
	assert_string_equal(g.st[2].reason, "tool process 101 started");
	assert_int_equal(g.st[3].to, SB_RUN);
	assert_int_equal(g.st[3].ts, 9 * MS);
}

/* An in-process tool (no child): it ends when its result is sent back. */
static void test_spanbuild_tool_in_process(void **state)
{
	const struct sb_tool_call calls[] = {{"call_w", "write", "{\"text\":\"x\"}"}};
	const char *results[] = {"call_w"};
	const struct sb_span *t;
	struct spanbuild *b;
	struct got g;

	(void)state;
	b = new_builder(&g);
	sb_fork(b, 0, 100, 0, "node agent.js");
	sb_llm_request(b, 1, 1 * MS, 100, NULL, 0);
	response(b, 4 * MS, 100, calls, 1, 50);
	sb_llm_request(b, 9, 9 * MS, 100, results, 1);
	spanbuild__free(b, 30 * MS, false);
	t = span_named(&g, "execute_tool write", 0);
	assert_non_null(t);
	assert_int_equal(t->start, 4 * MS);
	assert_int_equal(t->end, 9 * MS);
	assert_int_equal(t->tool_procs, 0);
	assert_int_equal(t->result_seq, 9);
	assert_string_equal(t->status, "OK");
}

/* The agent's wait4 ends the tool state, whenever the child's exit record comes. */
static void test_spanbuild_wait4_reaps(void **state)
{
	const struct sb_tool_call calls[] = {{"c1", "shell", "{}"}};
	struct spanbuild *b;
	struct got g;

	(void)state;
	b = new_builder(&g);
	sb_fork(b, 0, 100, 0, "agent");
	sb_llm_request(b, 1, 1 * MS, 100, NULL, 0);
	response(b, 2 * MS, 100, calls, 1, 10);
	sb_fork(b, 3 * MS, 101, 100, "agent");
	sys(b, 3 * MS + 100, 100, "wait4", 101, NULL, -1);
	sb_llm_request(b, 5, 5 * MS, 100, NULL, 0);
	sb_exit(b, 4 * MS, 101, 0, 0); /* held back by the tracer, arrives late */
	spanbuild__free(b, 6 * MS, false);
	assert_int_equal(g.nst, 5);
	assert_int_equal(g.st[2].to, SB_TOOL_WAIT);
	assert_int_equal(g.st[3].to, SB_RUN);
	assert_string_equal(g.st[3].reason, "tool process 101 reaped");
	assert_int_equal(g.st[3].ts, 3 * MS + 1100);
	assert_int_equal(g.st[4].to, SB_LLM_WAIT);
}

static void failed(struct spanbuild *b, uint64_t ts, int pid, const char *name, const char *path)
{
	struct sb_syscall s = {0};

	s.ts = ts;
	s.pid = s.tid = pid;
	s.name = name;
	s.nr = sc_by_name(name);
	s.ret = -1;
	s.err = "ENOENT";
	s.path = path;
	s.fd = s.fd2 = s.length = s.length_old = -1;
	sb_syscall(b, &s);
}

/* A PATH search and the loader's library search are not evidence; the missing file is. */
static void test_spanbuild_evidence_noise(void **state)
{
	const struct sb_span *cat;
	struct spanbuild *b;
	struct got g;

	(void)state;
	b = new_builder(&g);
	sb_fork(b, 0, 200, 0, "sh");
	failed(b, 1, 200, "execve", "/usr/local/sbin/cat");
	failed(b, 2, 200, "execve", "/usr/local/bin/cat");
	failed(b, 3, 200, "newfstatat", "/usr/sbin/cat");
	failed(b, 4, 200, "openat", "/etc/ld.so.preload");
	sb_exec(b, 5, 200, "cat /app/conf.yml", "/usr/bin/cat", 0);
	failed(b, 6, 200, "openat", "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libc.so.6");
	failed(b, 7, 200, "openat", "/app/conf.yml");
	failed(b, 8, 200, "openat", "/usr/share/locale/C.UTF-8/LC_MESSAGES/libc.mo");
	sb_exit(b, 9, 200, 1, 0);
	spanbuild__free(b, 10, false);
	cat = span_named(&g, "cat /app/conf.yml", 0);
	assert_non_null(cat);
	assert_int_equal(cat->syscall_errors, 7);
	assert_int_equal(cat->nevidence, 1);
	assert_string_equal(cat->evidence[0].syscall, "openat");
	assert_string_equal(cat->evidence[0].err, "ENOENT");
	assert_string_equal(cat->evidence[0].text, "openat(\"/app/conf.yml\") = -1 ENOENT");
	assert_int_equal(cat->nev, 1);
}

/* Open fds and mapped memory follow open/socket/pipe/dup2/close and mmap/munmap/brk. */
static void test_spanbuild_fds_memory(void **state)
{
	const struct sb_span *p;
	struct sb_syscall s = {0};
	struct spanbuild *b;
	struct got g;

	(void)state;
	b = new_builder(&g);
	sb_fork(b, 0, 300, 0, "leaky");
	sys(b, 10 * MS, 300, "openat", 3, NULL, -1);
	sys(b, 20 * MS, 300, "pipe2", 0, NULL, -1);
	s = (struct sb_syscall){.ts = 30 * MS,
				.pid = 300,
				.tid = 300,
				.name = "dup2",
				.nr = sc_by_name("dup2"),
				.ret = 9,
				.fd = 3,
				.fd2 = 9,
				.length = -1,
				.length_old = -1};
	sb_syscall(b, &s);
	sys(b, 40 * MS, 300, "close", 0, NULL, 3);
	s = (struct sb_syscall){.ts = 50 * MS,
				.pid = 300,
				.tid = 300,
				.name = "mmap",
				.nr = sc_by_name("mmap"),
				.ret = 0x7f0000000000,
				.fd = -1,
				.fd2 = -1,
				.length = 1 << 20,
				.length_old = -1};
	sb_syscall(b, &s);
	s.ts = 60 * MS;
	s.name = "munmap";
	s.nr = sc_by_name("munmap");
	s.ret = 0;
	s.length = 4096;
	sb_syscall(b, &s);
	sys(b, 70 * MS, 300, "brk", 0x1000000, NULL, -1);
	sys(b, 80 * MS, 300, "brk", 0x1021000, NULL, -1);
	sb_exit(b, 90 * MS, 300, 0, 0);
	spanbuild__free(b, 91 * MS, false);
	p = span_named(&g, "leaky", 0);
	assert_non_null(p);
	/* 3 (stdio) +1 open +2 pipe +1 dup2 -1 close; then memory */
	assert_int_equal(p->nres, 8);
	assert_int_equal(p->res[0].fds, 3);
	assert_int_equal(p->res[1].fds, 4);
	assert_int_equal(p->res[2].fds, 6);
	assert_int_equal(p->res[3].fds, 7);
	assert_int_equal(p->res[4].fds, 6);
	assert_int_equal(p->res[5].mapped, 1 << 20);
	assert_int_equal(p->res[6].mapped, (1 << 20) - 4096);
	/* brk(0x1000000) is the base: the heap grows by 0x21000 after it */
	assert_int_equal(p->res[6].ts, 60 * MS);
	assert_int_equal(p->res[7].ts, 80 * MS);
	assert_int_equal(p->res[7].mapped, (1 << 20) - 4096 + 0x21000);
}

/* A TCP connection no LLM call used is a net span with its bytes; one that carried one is not. */
static void test_spanbuild_net(void **state)
{
	struct sb_syscall s;
	const struct sb_span *n;
	struct spanbuild *b;
	struct got g;

	(void)state;
	b = new_builder(&g);
	sb_fork(b, 0, 400, 0, "curl");
	s = (struct sb_syscall){.ts = 1,
				.pid = 400,
				.tid = 400,
				.name = "socket",
				.nr = sc_by_name("socket"),
				.ret = 5,
				.fd = -1,
				.fd2 = -1,
				.length = -1,
				.length_old = -1,
				.sock_family = AF_INET,
				.sock_type = SOCK_STREAM};
	sb_syscall(b, &s);
	s = (struct sb_syscall){.ts = 2 * MS,
				.pid = 400,
				.tid = 400,
				.name = "connect",
				.nr = sc_by_name("connect"),
				.fd = 5,
				.fd2 = -1,
				.length = -1,
				.length_old = -1,
				.addr = "10.0.0.7:5432"};
	sb_syscall(b, &s);
	sys(b, 3 * MS, 400, "write", 100, NULL, 5);
	sys(b, 4 * MS, 400, "read", 50, NULL, 5);
	sys(b, 5 * MS, 400, "close", 0, NULL, 5);
	/* a second connection that carries an LLM call */
	s.ts = 6 * MS;
	s.name = "socket";
	s.nr = sc_by_name("socket");
	s.ret = 5;
	s.fd = -1;
	s.addr = NULL;
	s.sock_family = AF_INET;
	s.sock_type = SOCK_STREAM;
	sb_syscall(b, &s);
	s.ts = 7 * MS;
	s.name = "connect";
	s.nr = sc_by_name("connect");
	s.ret = 0;
	s.fd = 5;
	s.addr = "127.0.0.1:8443";
	sb_syscall(b, &s);
	sb_llm_request(b, 8, 8 * MS, 400, NULL, 0);
	response(b, 9 * MS, 400, NULL, 0, 10);
	sys(b, 10 * MS, 400, "close", 0, NULL, 5);
	sb_exit(b, 11 * MS, 400, 0, 0);
	spanbuild__free(b, 12 * MS, false);
	n = span_named(&g, "net 10.0.0.7:5432", 0);
	assert_non_null(n);
	assert_int_equal(n->kind, SB_NET);
	assert_int_equal(n->start, 2 * MS);
	assert_int_equal(n->end, 5 * MS);
	assert_int_equal(n->bytes_sent, 100);
	assert_int_equal(n->bytes_received, 50);
	assert_null(span_named(&g, "net 127.0.0.1:8443", 0));
	assert_int_equal(g.nsp, 3); /* net, llm, process */
}

/* The main thread's wall time, by state and kind of syscall, adds up to its lifetime. */
static void test_spanbuild_wall(void **state)
{
	struct sb_syscall s;
	const struct sb_span *p;
	struct spanbuild *b;
	struct got g;
	uint64_t sum = 0;

	(void)state;
	b = new_builder(&g);
	sb_fork(b, 0, 500, 0, "agent");
	s = (struct sb_syscall){.ts = 1 * MS,
				.dur = 2 * MS,
				.pid = 500,
				.tid = 500,
				.name = "openat",
				.nr = sc_by_name("openat"),
				.ret = 3,
				.fd = -1,
				.fd2 = -1,
				.length = -1,
				.length_old = -1};
	sb_syscall(b, &s);
	s.ts = 4 * MS;
	s.dur = 1 * MS;
	s.name = "read";
	s.nr = sc_by_name("read");
	s.fd = 3;
	s.ret = 10;
	sb_syscall(b, &s); /* file: 3 ms so far */
	sb_llm_request(b, 1, 6 * MS, 500, NULL, 0);
	s.ts = 6 * MS;
	s.dur = 10 * MS;
	s.name = "poll";
	s.nr = sc_by_name("poll");
	s.fd = -1;
	s.ret = 1;
	sb_syscall(b, &s); /* llm: 10 ms */
	response(b, 17 * MS, 500, NULL, 0, 10);
	s.ts = 18 * MS;
	s.dur = 500000;
	s.name = "futex";
	s.nr = sc_by_name("futex");
	sb_syscall(b, &s); /* other */
	s.tid = 501;	   /* another thread: not the main one */
	s.dur = 5 * MS;
	sb_syscall(b, &s);
	sb_exit(b, 40 * MS, 500, 0, 0);
	spanbuild__free(b, 41 * MS, false);
	p = span_named(&g, "agent", 0);
	assert_non_null(p);
	assert_int_equal(p->wall[SB_WALL_FILE], 3 * MS);
	assert_int_equal(p->wall[SB_WALL_LLM], 10 * MS);
	assert_int_equal(p->wall[SB_WALL_OTHER], 500000);
	assert_int_equal(p->wall[SB_WALL_TOOL], 0);
	for (int w = 0; w < SB_WALL__N; w++)
		sum += p->wall[w];
	assert_int_equal(sum, 40 * MS);
	assert_int_equal(p->wall[SB_WALL_CPU], 40 * MS - 13500000);
}

/* The JSON line of a span carries the seed's fields. */
static void test_spanbuild_json(void **state)
{
	struct sb_span sp = {0};
	char buf[2048];
	size_t n;

	(void)state;
	snprintf(sp.span_id, sizeof(sp.span_id), "%s", "0011223344556677000000000000000a");
	sp.kind = SB_TOOL;
	sp.pid = 7;
	sp.name = "execute_tool shell";
	sp.start = 5;
	sp.end = 9;
	sp.status = "ERROR";
	sp.tool_call_id = "call_\"x";
	sp.tool_name = "shell";
	sp.tool_procs = 2;
	sp.seq_num = 12;
	n = sb_span_json(buf, sizeof(buf), "00112233445566778899aabbccddeeff", &sp);
	assert_true(n < sizeof(buf));
	assert_string_equal(
	    buf, "{\"trace_id\":\"00112233445566778899aabbccddeeff\",\"span_id\":"
		 "\"0011223344556677000000000000000a\",\"parent_span_id\":null,\"pid\":7,\"name\":"
		 "\"execute_tool shell\",\"kind\":\"tool\",\"start_time\":5,\"end_time\":9,"
		 "\"duration\":4,\"syscall_count\":0,\"tokens_used\":0,\"status\":\"ERROR\","
		 "\"attributes\":{\"tool_name\":\"shell\",\"tool_call_id\":\"call_\\\"x\","
		 "\"arguments\":null,\"llm_span_id\":null,\"processes\":2,\"requested_seq_num\":"
		 "12,\"result_seq_num\":null},\"events\":[]}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spanbuild_tool_parallel),
	    cmocka_unit_test(test_spanbuild_tool_late_response),
	    cmocka_unit_test(test_spanbuild_tool_in_process),
	    cmocka_unit_test(test_spanbuild_wait4_reaps),
	    cmocka_unit_test(test_spanbuild_evidence_noise),
	    cmocka_unit_test(test_spanbuild_fds_memory),
	    cmocka_unit_test(test_spanbuild_net),
	    cmocka_unit_test(test_spanbuild_wall),
	    cmocka_unit_test(test_spanbuild_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
