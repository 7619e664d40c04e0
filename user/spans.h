/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * spans.h - the span tree of a trace (DESIGN.md §6): one span per process (named by what it
 * exec'd, parent: the process that forked it) and one per LLM call (child of the calling process).
 * A span is emitted as one JSON line when it ends: a process at its exit, an LLM call when its
 * response is in, whatever is still open when the trace ends (status TIMEOUT if the trace was cut).
 *
 * Line: {"trace_id","span_id","parent_span_id","pid","name","kind":"process"|"llm","start_time",
 * "end_time","duration","syscall_count","tokens_used","status":"OK"|"ERROR"|"TIMEOUT","events":[..]}
 * Times are ns since the trace started, like event timestamps. Process status: exit 0 is OK,
 * another code ERROR, killed by a signal TIMEOUT; an LLM call is ERROR on HTTP >= 400 or a cut
 * response. events: the first SPANS_MAX_EVENTS failed syscalls ({"name":"syscall_failed",
 * "syscall","err","timestamp"}) and the terminating signal ({"name":"signal","signal",...}).
 */
#ifndef AGT_SPANS_H
#define AGT_SPANS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPANS_MAX_EVENTS 16

struct spans;
typedef void (*spans_emit_fn)(void *ctx, const char *line, size_t len); /* line ends in '\n' */

/* trace_id: 32 hex; t0: CLOCK_MONOTONIC ns of the trace start (record timestamps are made
 * relative). */
struct spans *spans__new(const char *trace_id, uint64_t t0, spans_emit_fn emit, void *ctx);
/* Ends every open span at `ts` (TIMEOUT if `cut`, else OK) and frees; NULL is a no-op. */
void spans__free(struct spans *s, uint64_t ts, bool cut);

/* A traced process appeared: a root (ppid not traced, or 0) or a fork child of ppid. */
void spans_process(struct spans *s, uint32_t pid, uint32_t ppid, const char *comm, uint64_t ts);
/* It exec'd: the span is named after the new command line (argv joined with spaces). */
void spans_exec(struct spans *s, uint32_t pid, const char *cmdline, uint64_t ts);
/* One syscall of the process; failed ones (err non-NULL) are kept as span events. */
void spans_syscall(struct spans *s, uint32_t pid, const char *name, const char *err, uint64_t ts);
void spans_exit(struct spans *s, uint32_t pid, int exit_code, int signal, uint64_t ts);
/* An LLM call of pid, from request sent to response complete. tokens < 0: unknown. */
void spans_llm(struct spans *s, uint32_t pid, const char *model, uint64_t start, uint64_t end,
	       long long tokens, int http_status, bool complete);
/* Is there an open process span for pid? */
bool spans_has(const struct spans *s, uint32_t pid);
/* Spans emitted so far. */
unsigned long long spans_emitted(const struct spans *s);

#endif
