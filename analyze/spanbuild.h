/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * spanbuild.h - the one span builder (DESIGN.md §6), fed live by the tracer (user/tracer.c, from
 * kernel records) and offline by the analyzers (analyze/recscan.c, from events.jsonl.gz), so a
 * recording without a complete spans.jsonl still gets the same tree.
 *
 * Spans:
 *   process        one per process, named by its command line; parent: the process that forked
 *                  it, or the tool call it ran for
 *   llm <model>    one per LLM call, from the request's last byte to the response's last byte
 *   execute_tool <name>  one per tool call an LLM response asked for (tool_calls[].id): the
 *                  processes the agent forks after that response are its children (matching rule
 *                  below); it ends when the last of them exits, or (a tool run in-process) when
 *                  the request carrying its result (tool_call_id) is sent
 *   net <addr:port> one per TCP connection that no decoded LLM exchange of the process used
 *
 * Tool matching: after a response with tool calls, the agent's next children belong to those
 * calls until the request carrying their results is sent. One open call takes every child; with
 * several (parallel tool calls), a child goes to the call whose arguments contain most of its
 * exec'd argv words, else to the open call with the fewest processes, first come first served.
 * Limits: a tool run in-process has no child; a child forked for something else while a tool
 * call is open is counted under it.
 *
 * States (state_change events): each process that made an LLM call moves between "llm" (a
 * request sent, its answer not complete), "tool" (a child it forked still running) and "run"
 * (neither); llm wins over tool.
 *
 * Also kept per process, for the analyzers: open file descriptors and mapped memory over time
 * (from the syscalls that change them), where the main thread's wall time went, and the last
 * failed syscalls with the noise of PATH searches and of the dynamic loader removed (evidence).
 *
 * Memory grows with processes and spans, never with events. Nothing here allocates per syscall.
 */
#ifndef AGT_SPANBUILD_H
#define AGT_SPANBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_EVIDENCE   8	   /* failed syscalls kept per process (the last ones) */
#define SB_SPAN_EVS   16   /* span events (failed syscalls, signal) per span */
#define SB_RES_POINTS 128  /* fd/memory samples per process (decimated beyond) */
#define SB_TEXT_MAX   256  /* bytes of an evidence line */
#define SB_RAW_MAX    2048 /* bytes captured to describe it later */

enum sb_kind {
	SB_PROCESS,
	SB_LLM,
	SB_TOOL,
	SB_NET,
};

enum sb_state {
	SB_RUN,
	SB_LLM_WAIT,
	SB_TOOL_WAIT,
};

/* Where the main thread's wall time went (ns); cpu is what syscalls leave of the lifetime. */
enum sb_wall {
	SB_WALL_LLM,   /* in syscalls while an LLM request was outstanding */
	SB_WALL_TOOL,  /* in syscalls while a tool child ran */
	SB_WALL_FILE,  /* file I/O and file system calls */
	SB_WALL_NET,   /* socket calls and I/O on sockets */
	SB_WALL_OTHER, /* every other syscall (futex, poll on pipes, sleeps...) */
	SB_WALL_CPU,   /* outside syscalls: on CPU or runnable */
	SB_WALL__N,
};

struct sb_failure {
	uint64_t seq_num;
	uint64_t ts;
	int tid;
	char syscall[24];
	char err[16];
	char text[SB_TEXT_MAX]; /* "openat(AT_FDCWD, \"/x\", O_RDONLY) = -1 ENOENT (...)" */
};

struct sb_res_point {
	uint64_t ts;
	long long fds;
	long long mapped;
};

struct sb_span {
	char span_id[33];
	char parent_span_id[33]; /* "" for a root */
	enum sb_kind kind;
	int pid;
	char *name;
	uint64_t start, end; /* ns since the trace started */
	uint64_t syscalls, syscall_errors, syscall_ns;
	long long tokens;      /* llm: total tokens; process: sum of its LLM calls */
	const char *status;    /* "OK", "ERROR", "TIMEOUT" */
	int exit_code, signal; /* process */
	/* llm */
	char *model;
	long long request_tokens, response_tokens;
	int http_status;
	char *error;	  /* llm: the error message of an error response, or NULL */
	uint64_t seq_num; /* llm: the llm_response event; tool: the response that asked */
	/* tool */
	char *tool_call_id, *tool_name, *arguments, *llm_span_id;
	int tool_procs;
	uint64_t result_seq; /* the context_snapshot carrying its result; 0: never seen */
	/* net */
	uint64_t bytes_sent, bytes_received;
	/* process: evidence, resources, wall time */
	struct sb_failure *evidence; /* oldest first, nevidence of them */
	int nevidence;
	struct sb_res_point *res;
	int nres;
	uint64_t wall[SB_WALL__N];
	bool agent; /* made LLM calls */
	int nev;    /* span events: evidence entries and a signal */
};

/* One syscall, as both feeders know it. Strings may be NULL. */
struct sb_syscall {
	uint64_t seq_num;
	uint64_t ts, dur; /* entry time, ns since the trace started; duration */
	int pid, tid, nr;
	const char *name;
	const char *comm; /* names a process seen first here (-p), may be NULL */
	long long ret;	  /* the return value (for a failure: -1, with err) */
	const char *err;
	long long fd;	      /* the first fd argument, -1 if none */
	long long fd2;	      /* dup2/dup3's newfd, close_range's last fd; -1 */
	long long length;     /* mmap/munmap length, mremap new length; -1 */
	long long length_old; /* mremap old length; -1 */
	int sock_family;      /* socket(): AF_*; 0 unknown */
	int sock_type;	      /* socket(): SOCK_STREAM etc. without flags; 0 unknown */
	const char *path;     /* pathname/filename argument */
	const char *addr;     /* connect(): "127.0.0.1:443" for AF_INET/AF_INET6, else NULL */
	bool noreturn;	      /* exit/exit_group/in-flight execve: no result */
};

struct sb_tool_call {
	const char *id, *name, *arguments;
};

struct sb_llm {
	uint64_t seq_num;
	uint64_t ts; /* the response's last byte */
	uint64_t latency;
	int pid;
	const char *model;
	long long request_tokens, response_tokens, total_tokens; /* -1: unknown */
	int status;
	bool complete;
	const struct sb_tool_call *calls;
	size_t ncalls;
	const char *authority; /* "host:port" of the exchange, or NULL */
	const char *error;     /* the error message of an error response, or NULL */
};

struct sb_callbacks {
	/* A finished span; valid during the call only. */
	void (*span)(void *ctx, const struct sb_span *sp);
	/* A state change of an agent process (reason: a short sentence). */
	void (*state)(void *ctx, int pid, const char *name, uint64_t ts, enum sb_state from,
		      enum sb_state to, const char *reason);
	/*
	 * Optional, together: capture keeps what describes a failed syscall being kept as evidence
	 * (its raw event, say) in raw; describe turns it into the evidence line when the process
	 * ends, for the few failures still kept then. Without them the line is built from the
	 * syscall's name, path and errno.
	 */
	void (*capture)(void *ctx, const struct sb_syscall *s, char *raw, size_t rawsz);
	void (*describe)(void *ctx, const char *raw, char *text, size_t textsz);
	void *ctx;
};

struct spanbuild;

/* Which arguments of syscall nr the builder reads (indices, -1 none), for both feeders. */
struct sb_argmap {
	signed char fd, fd2, len, len_old, path, addr, domain, type;
};
void sb_argmap_of(int nr, struct sb_argmap *m);
/* "{AF_INET, 127.0.0.1:443}" (a formatted sockaddr) -> "127.0.0.1:443"; false if not inet. */
bool sb_inet_addr(const char *sockaddr_text, char *out, size_t n);

/* trace_id: 32 hex digits (span ids are its first 16 and a counter). NULL on ENOMEM. */
struct spanbuild *spanbuild__new(const char *trace_id, const struct sb_callbacks *cb);
/* Ends every open span at ts (cut: TIMEOUT, the trace was cut; else OK) and frees. NULL no-op. */
void spanbuild__free(struct spanbuild *b, uint64_t ts, bool cut);

/* A new process (not a thread): pid forked by ppid (0: unknown, a root). */
void sb_fork(struct spanbuild *b, uint64_t ts, int pid, int ppid, const char *comm);
/* pid exec'd: cmdline ("ls -l /etc"), filename ("/usr/bin/ls"). */
void sb_exec(struct spanbuild *b, uint64_t ts, int pid, const char *cmdline, const char *filename,
	     uint64_t seq_num);
void sb_exit(struct spanbuild *b, uint64_t ts, int pid, int exit_code, int signal);
void sb_syscall(struct spanbuild *b, const struct sb_syscall *s);
/* An LLM request was sent by pid (a context_snapshot); tool_result_ids: the tool_call_id of
 * each tool message it carries. */
void sb_llm_request(struct spanbuild *b, uint64_t seq_num, uint64_t ts, int pid,
		    const char *const *tool_result_ids, size_t nids);
void sb_llm_response(struct spanbuild *b, const struct sb_llm *l);

/* Copies src into dst, strings and arrays too (dst owns them: sb_span_release). 0 or -ENOMEM. */
int sb_span_copy(struct sb_span *dst, const struct sb_span *src);
/* Frees what a copied span owns and zeroes it. */
void sb_span_release(struct sb_span *sp);

/* Spans emitted so far. */
unsigned long long sb_spans_emitted(const struct spanbuild *b);
/* Whether pid has an open process span. */
bool sb_has(const struct spanbuild *b, int pid);

const char *sb_kind_name(enum sb_kind k);
const char *sb_state_name(enum sb_state s);
const char *sb_wall_name(enum sb_wall w);

/*
 * The span as one JSON line (with '\n') into buf; returns the length it needed (snprintf
 * contract: a line that does not fit is cut and must not be used).
 */
size_t sb_span_json(char *buf, size_t n, const char *trace_id, const struct sb_span *sp);

#endif
