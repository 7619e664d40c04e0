/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * recorder.h - the live writer of a recording directory (DESIGN.md §5).
 *
 * The ring-buffer consumer hands over whole JSON lines; they are copied into a bounded byte
 * ring and a writer thread compresses them into events.jsonl.zst (evwriter.h), so the consumer
 * never waits for the disk. A full queue drops the block and counts its lines (never blocks).
 * At least once per flush interval (1 s) in which something was written, the zstd frame is
 * ended and metadata.json rewritten atomically, so a tracer killed with SIGKILL leaves every
 * event up to the last flush readable (at most a last frame cut short after it).
 *
 * Layout: <base>/<pid>-<YYYYmmdd-HHMMSS>[-N]/ (0700) holding metadata.json, events.jsonl.zst
 * and spans.jsonl (all 0600 whatever the umask).
 *
 * Environment (tests, benchmarks): AGTRACE_REC_QUEUE = queue size in bytes (default 64 MiB, at
 * least 64), AGTRACE_REC_FLUSH_MS = flush interval in ms (default 1000), AGTRACE_REC_CODEC=gzip
 * = write events.jsonl.gz as before zstd (gzip level 1, sync-flushed; a killed tracer's stream
 * then ends without a trailer).
 *
 * Threads: one producer thread calls recorder_events/span/add_lost; recorder_dropped and the
 * accessors may be called from any thread; open and close from the producer.
 */
#ifndef AGT_RECORDER_H
#define AGT_RECORDER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RECORDER_QUEUE_DEFAULT	  (64u << 20)
#define RECORDER_FLUSH_MS_DEFAULT 1000

struct recorder;

/*
 * Creates <base>/<pid>-<YYYYmmdd-HHMMSS>/ (local time; if it exists, -2, -3, ... is appended)
 * with metadata.json (status "recording", end_time null), events.jsonl.zst (an empty frame
 * already written: a valid stream from the start) and spans.jsonl, and starts the writer
 * thread (with all signals blocked). base NULL means $AGTRACE_DIR if set and non-empty, else
 * ./agtrace-recordings; missing components of base are created 0700. intent NULL is recorded
 * as "". Returns the recorder, or NULL with a one-line lowercase reason in err (nothing is left
 * behind in base then).
 */
struct recorder *recorder__open(const char *base, pid_t pid, const char *intent, char *err,
				size_t errlen);

/* The recording directory ("<base>/<id>"), owned by r. */
const char *recorder_dir(const struct recorder *r);
/* "<pid>-<YYYYmmdd-HHMMSS>" or "<pid>-<YYYYmmdd-HHMMSS>-<N>", owned by r. */
const char *recorder_id(const struct recorder *r);
/* 32 lowercase hex digits from getrandom(2), owned by r. */
const char *recorder_trace_id(const struct recorder *r);

/*
 * Queues buf (whole JSON lines, each ending in '\n'; a missing final '\n' is added) for
 * the events file. Copies; never blocks on disk or on the writer (only a short mutex). If the
 * block does not fit in the queue, it is dropped and its lines counted in recorder_dropped()
 * and lost_events. After a write error, lines are still accepted and counted as lost.
 */
void recorder_events(struct recorder *r, const char *buf, size_t len);
/* Queues one line (a '\n' is added if missing) for spans.jsonl; a dropped span line counts in
 * recorder_spans_dropped(), not in lost_events (it is not an event). */
void recorder_span(struct recorder *r, const char *line, size_t len);
/* Adds n records the kernel dropped (ring buffer full) to lost_events. */
void recorder_add_lost(struct recorder *r, uint64_t n);
/* Event lines dropped so far because the queue was full. */
uint64_t recorder_dropped(const struct recorder *r);
/* Span lines dropped so far because the queue was full. */
uint64_t recorder_spans_dropped(const struct recorder *r);

/*
 * Drains the queue, ends the compressed stream (last frame; gzip: trailer), writes the final
 * metadata.json (status, end_time, event_count = event lines written, lost_events = kernel drops +
 * queue drops + lines lost to a write error), fsyncs the files and the directory, stops the thread
 * and frees r. status NULL means "completed" (the target exited); the tracer passes "stopped" when
 * it was interrupted. Returns 0 or the first write error as -errno (e.g. -ENOSPC). NULL is a no-op
 * returning 0.
 */
int recorder__close(struct recorder *r, const char *status);

#endif
