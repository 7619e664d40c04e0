/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rec_meta.h - a recording's metadata.json (DESIGN.md §5, seed RecordMetadata), read and
 * validated, and the recordings base directory.
 */
#ifndef AGT_REC_META_H
#define AGT_REC_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rec_err.h"

#define REC_DEFAULT_BASE "./agtrace-recordings"

/*
 * Strings are owned (freed by rec_meta_release) and never NULL except end_time (null while
 * recording) and the optional trace_id/hostname/kernel/agtrace_version. start_ns/end_ns are the
 * RFC 3339 times as ns since the epoch (end_ns -1 without end_time).
 */
struct rec_meta {
	char *record_id;
	long long pid;
	char *intent;
	char *start_time;
	char *end_time;
	uint64_t event_count;
	char *status; /* "recording" | "completed" | "stopped" */
	uint64_t lost_events;
	char *trace_id;
	char *hostname;
	char *kernel;
	char *agtrace_version;
	int64_t start_ns;
	int64_t end_ns;
	bool incomplete; /* status "recording": the writer never finished (or still runs) */
};

/*
 * Parses and validates a metadata.json text of len bytes. `name` is the file name used in error
 * messages ("<name>: \"pid\" is not an integer"). Required: record_id, pid, start_time, status;
 * the other fields are type-checked when present. Returns 0, -EINVAL (err says why) or -ENOMEM.
 * On failure *m is left released.
 */
int rec_meta_parse(const char *text, size_t len, const char *name, struct rec_meta *m,
		   struct rec_err *err);

/* Reads <dir>/metadata.json; -errno of the open/read or of rec_meta_parse. */
int rec_meta_read(const char *dir, struct rec_meta *m, struct rec_err *err);

/* Frees the members; accepts a zeroed or already released struct. */
void rec_meta_release(struct rec_meta *m);

/*
 * RFC 3339 ("2026-03-29T10:15:00Z", "...T10:15:00.123456+02:00", 't'/' ' separators allowed)
 * to ns since the epoch. Years outside 1970..2200 are refused. Returns 0 or -EINVAL.
 */
int rfc3339_parse(const char *s, int64_t *ns);

/* The recordings base directory: opt if set, else $AGTRACE_DIR if set and non-empty, else
 * REC_DEFAULT_BASE. Never NULL; the result points into opt, the environment or a literal. */
const char *rec_base_dir(const char *opt);

#endif
