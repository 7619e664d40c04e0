/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * evstream.h - a recording's events, one at a time, in file order, without keeping them: what
 * the analyzers stand on (memory grows with what they keep, never with the events).
 *
 * Each line gets a light parse (seq_num, timestamp, pid, tid, type, comm) straight from its
 * text; payloads are read by the caller (jraw.h helpers, or cJSON for the rare large events).
 * Lines must be JSON objects with seq_num strictly ascending, as every reader of recordings
 * checks; a damaged tail (a SIGKILLed tracer) ends the stream with a warning, not an error.
 */
#ifndef AGT_EVSTREAM_H
#define AGT_EVSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rec_err.h"
#include "recording.h"

struct evs_event {
	struct rec_event e; /* seq_num, timestamp, line (NUL-terminated), len, lineno, pid, type */
	int tid;	    /* -1 if none */
	char comm[17];
	const char *payload; /* the value of the member named after the type, or NULL */
	const char *end;     /* line + len */
};

/* Returns 0 to go on, anything else to stop the stream (returned by evstream_run). */
typedef int (*evs_fn)(void *ctx, const struct evs_event *ev);

struct evs_result {
	uint64_t events, lines;
	char warning[REC_ERR_MAX]; /* "" or why the stream ended early */
};

/*
 * Streams the events file of recording directory dir through fn. Returns 0, fn's non-zero
 * value, or -errno with err set ("<file>:<line>: <what>") for an unreadable file or a malformed
 * line.
 */
int evstream_run(const char *dir, evs_fn fn, void *ctx, struct evs_result *res,
		 struct rec_err *err);

/* Small readers over JSON text [p, end): the integer value at p (a whole number); integer /
 * string members of an object at p. */
bool jvalue_ll(const char *p, const char *end, long long *v);
bool jnum_member(const char *p, const char *end, const char *key, long long *v);
/* Copies the string member into buf (escapes decoded; cut at n-1 bytes); false if absent or not
 * a string. */
bool jstr_member(const char *p, const char *end, const char *key, char *buf, size_t n);
/* Same for the string value at p itself. */
bool jstr_value(const char *p, const char *end, char *buf, size_t n);

#endif
