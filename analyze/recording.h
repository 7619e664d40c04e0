/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * recording.h - a recording opened for reading (seed RecordReader): metadata plus an in-memory
 * index of every event of its events file (events.jsonl.zst, or events.jsonl.gz for a recording
 * made before zstd; read through evfile.h).
 *
 * The decompressed lines are kept, NUL-terminated, in a few large arena blocks (RAM is the
 * decompressed size plus 40 bytes of index per event); an event is parsed again with cJSON only
 * when someone looks at it. Seq numbers are strictly ascending (checked at load), so finding an
 * event by seq_num is a binary search.
 */
#ifndef AGT_RECORDING_H
#define AGT_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "rec_err.h"
#include "rec_meta.h"

enum rec_type {
	REC_SYSCALL,
	REC_PROCESS,
	REC_LLM_RESPONSE,
	REC_CONTEXT_SNAPSHOT,
	REC_STATE_CHANGE,
	REC_LOST,
	REC_HTTP,
	REC_COVERAGE, /* a process talking TLS, and whether the probes see it */
	REC_OTHER, /* a type this reader does not know: kept, shown by name */
	REC__NTYPES,
};

/* One event of the index. line is the raw JSON (len bytes, NUL-terminated) in the arena. */
struct rec_event {
	uint64_t seq_num;
	uint64_t timestamp; /* ns since the recording started */
	const char *line;
	uint32_t len;
	uint32_t lineno; /* 1-based line of the events file */
	int32_t pid;	 /* -1 when the event has none (lost) */
	uint8_t type;	 /* enum rec_type */
};

struct recording;

/* "syscall", "process", ... for an enum rec_type; "other" for REC_OTHER. */
const char *rec_type_name(enum rec_type t);

/* The enum rec_type of a type string (REC_OTHER for an unknown one). */
enum rec_type rec_type_of(const char *s);

/*
 * Resolves REC (a recording directory, or a record id, or a unique prefix of one, under base)
 * into dir (size dirsz). Returns 0, -ENOENT (no such recording), -EEXIST (ambiguous prefix) or
 * -ENAMETOOLONG; err says which.
 */
int rec_resolve(const char *rec, const char *base, char *dir, size_t dirsz, struct rec_err *err);

/*
 * Opens the recording REC (see rec_resolve; base may be NULL for rec_base_dir(NULL)): reads
 * metadata.json and indexes the events file. Everything that decodes is read: a truncated or
 * corrupt compressed tail, or an unterminated last line that does not parse, stops the reading
 * with a warning, never an error. An events file that is not of its codec (no magic, or corrupt
 * before its first decompressed byte) is an error naming the file; an empty one holds no
 * events. A line
 * that is not a JSON object with an integer seq_num above the previous one, a non-string "type",
 * or a bad timestamp/pid is an error naming the file and line.
 * Returns 0 with *out set, or -errno with err set and *out NULL. Free with recording__free.
 */
int recording__open(struct recording **out, const char *rec, const char *base, struct rec_err *err);

/* Same, from a directory path taken literally. */
int recording__open_dir(struct recording **out, const char *dir, struct rec_err *err);

void recording__free(struct recording *r);

const struct rec_meta *recording__meta(const struct recording *r);
const char *recording__dir(const struct recording *r);
/* The events file read ("<dir>/events.jsonl.zst" or ".gz"), for messages naming a line. */
const char *recording__events_path(const struct recording *r);
size_t recording__count(const struct recording *r);
/* Events of one type (index time count). */
size_t recording__type_count(const struct recording *r, enum rec_type t);

/* The idx-th event (0-based); NULL when idx >= count. */
const struct rec_event *recording__event(const struct recording *r, size_t idx);

/* Index of the event with this seq_num, or -ENOENT. O(log n). */
ssize_t recording__find(const struct recording *r, uint64_t seq);

/* Number of events with seq_num <= seq (so the last such event is at that minus one). */
size_t recording__upper_bound(const struct recording *r, uint64_t seq);

/* The idx-th event parsed (caller cJSON_Deletes it); NULL if idx is out of range or on ENOMEM. */
cJSON *recording__parse(const struct recording *r, size_t idx);

/* Warnings gathered at open (incomplete recording, truncated tail, count mismatch): one line
 * each, without the "agtrace-bpf: warning: " prefix. NULL past the last. */
const char *recording__warning(const struct recording *r, size_t i);

/* Payload member of a parsed event (its "type" name: "syscall", "llm", ...); NULL if absent. */
const cJSON *rec_payload(const cJSON *ev, enum rec_type t);

/* The name of that member ("syscall", "llm", ...); NULL for REC_OTHER. */
const char *rec_payload_name(enum rec_type t);

/* Integer member of a JSON object as long long; false if absent or not a whole number. */
bool rec_json_ll(const cJSON *o, const char *key, long long *v);

/* String member, or NULL. */
const char *rec_json_str(const cJSON *o, const char *key);

#endif
