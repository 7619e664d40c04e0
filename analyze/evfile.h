/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * evfile.h - the decompressed bytes of a recording's events file, read sequentially, whatever
 * its codec: events.jsonl.zst (zstd frames, what the recorder writes) or events.jsonl.gz (gzip
 * members, recordings made before the switch). The one place that knows the codecs.
 *
 * When both files exist the zstd one is read. A stream that stops in the middle of a frame or
 * member (a SIGKILLed tracer) reads as everything that decodes, then -1 with the warning
 * "unexpected end of file"; corrupt data after the first decoded byte likewise ends the stream
 * with the codec's message. Corrupt data before it, or a file without the codec's magic, is an
 * error at open: nothing of the file is events.
 */
#ifndef AGT_EVFILE_H
#define AGT_EVFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rec_err.h"

#define EVFILE_ZSTD "events.jsonl.zst"
#define EVFILE_GZIP "events.jsonl.gz"

struct evfile;

/* Opens the events file in recording directory dir. 0, or -errno with err set ("<path>: not
 * gzip data" etc., one line naming the file). An absent events file is -ENOENT (the message
 * names events.jsonl.zst). */
int evfile__open(struct evfile **out, const char *dir, struct rec_err *err);

/* Reads up to n decompressed bytes. Returns the count, 0 at the end, or -1 when the stream is
 * corrupt/truncated after some data (the reader then treats what it got as the whole file and
 * warns: evfile_warning). Never blocks on anything but the disk. After 0 or -1, returns the
 * same again. */
ssize_t evfile_read(struct evfile *f, void *buf, size_t n);

/* NULL, or one line saying why the stream ended early ("unexpected end of file" for a SIGKILLed
 * tracer's unfinished stream). */
const char *evfile_warning(const struct evfile *f);

/* True when the stream ended early because the file stops mid-frame (a killed writer), false
 * for a clean end or corrupt data. */
bool evfile_truncated(const struct evfile *f);

/* The file's path (for messages). */
const char *evfile_path(const struct evfile *f);

void evfile__free(struct evfile *f); /* NULL is a no-op */

#endif
