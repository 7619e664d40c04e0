/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * evwriter.h - the compressed stream of a recording's events file (analyze/evfile.h reads it).
 *
 * zstd (events.jsonl.zst, the default): level 1, one frame per flush, each with a content
 * checksum, so what a killed tracer leaves is whole frames plus at most one unfinished frame.
 * gzip (events.jsonl.gz, the format before zstd, kept for comparison: AGTRACE_REC_CODEC=gzip):
 * level 1, one member, Z_SYNC_FLUSH per flush.
 *
 * Not thread-safe: the recorder's writer thread owns it.
 */
#ifndef AGT_EVWRITER_H
#define AGT_EVWRITER_H

#include <stddef.h>

enum evcodec {
	EVCODEC_ZSTD,
	EVCODEC_GZIP,
};

struct evwriter;

/* The events file name for a codec ("events.jsonl.zst" / "events.jsonl.gz"). */
const char *evcodec_file(enum evcodec c);

/* The codec named by $AGTRACE_REC_CODEC ("zstd" or "gzip"); zstd when unset or unknown. */
enum evcodec evcodec_from_env(void);

/*
 * Starts a stream on fd (which stays the caller's: the writer writes to it and never closes it)
 * and writes its header (zstd: an empty frame), so the file is a valid stream from the start.
 * Returns 0 with *out set, or -errno.
 */
int evwriter__open(struct evwriter **out, int fd, enum evcodec c);

/* Compresses len bytes (buffered: not on disk until a flush). 0 or -errno. */
int evwriter_write(struct evwriter *w, const void *buf, size_t len);
/* write(2) until all of buf is out (EINTR retried): 0 or -errno. The recorder's other files too. */
int evwriter_write_all(int fd, const void *buf, size_t len);

/* Makes everything written so far decodable from the file (zstd: ends the frame). 0 or -errno. */
int evwriter_flush(struct evwriter *w);

/* Flushes and ends the stream (gzip: the trailer), frees w. 0 or -errno. NULL is a no-op. */
int evwriter__close(struct evwriter *w);

#endif
