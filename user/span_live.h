/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * span_live.h - the live feeder of the span builder (analyze/spanbuild.h): kernel records in,
 * the same calls the offline analyzers make from a recording's JSON events.
 */
#ifndef AGT_SPAN_LIVE_H
#define AGT_SPAN_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "spanbuild.h"

struct span_live_item;

struct span_live {
	struct spanbuild *b;
	unsigned long long t0; /* CLOCK_MONOTONIC ns of the trace's start: span times are since */
	struct sb_argmap map[AGT_NR_MAX];
	bool mapped[AGT_NR_MAX];
	/*
	 * LLM events wait here, by timestamp, until a record stamped later is fed (or the drain
	 * ends): the TLS ring is consumed before the syscall ring, and the builder must see a
	 * response before the fork of the tool it asked for, as the printer shows them.
	 */
	struct span_live_item *pend;
	size_t npend, cappend;
};

/* A syscall, fork or exec record (others are ignored; exits go through span_live_exit). */
void span_live_record(struct span_live *sl, const void *data, size_t size);
/* An exit record, when the tracer releases it (after the process's last syscalls). */
void span_live_exit(struct span_live *sl, const struct agt_exit *x);
/* An LLM request sent (the tool results it carries: tool_call_ids), queued by timestamp. */
void span_live_request(struct span_live *sl, uint64_t ts, int pid, const char *const *ids,
		       size_t nids);
/* An LLM response (l's strings are copied), queued by timestamp. */
void span_live_response(struct span_live *sl, const struct sb_llm *l);
/* Feeds every queued LLM event stamped at or before ts (~0ull: all); the drain's end. */
void span_live_release(struct span_live *sl, uint64_t ts);
/* Drops what is queued. */
void span_live_free_pending(struct span_live *sl);

/* ns since the trace started, for a CLOCK_MONOTONIC timestamp. */
uint64_t span_live_ts(const struct span_live *sl, unsigned long long ts);

#endif
