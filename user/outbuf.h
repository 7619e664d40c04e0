/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * outbuf.h - a growing-free output buffer for the hot path.
 *
 * Printers format straight into the buffer (ob_room() guarantees space for one record) and the
 * consumer loop calls ob_flush() once per ring-buffer batch, so a burst of records costs one
 * write(2) instead of one per line, while a quiet trace still sees each line within a poll tick.
 */
#ifndef AGT_OUTBUF_H
#define AGT_OUTBUF_H

#include <stdarg.h>
#include <stddef.h>

#define OB_RECORD_MAX (64 * 1024) /* the longest line one record can produce */

struct outbuf {
	int fd;
	char *buf;
	size_t len;
	size_t cap;
	int err;		  /* first write error (positive errno), sticky */
	unsigned long long bytes; /* written in all */
	/* set: flushes go to sink(sink_ctx, ...) instead of fd (a recording's writer queue) */
	void (*sink)(void *ctx, const char *buf, size_t len);
	void *sink_ctx;
};

/* Returns a buffer writing to fd (not owned), or NULL on allocation failure. */
struct outbuf *outbuf__new(int fd, size_t cap);
/* Flushes and frees; NULL is a no-op. Does not close fd. */
void outbuf__free(struct outbuf *ob);
/* Writes everything pending; returns 0 or -errno (also kept in ob->err). */
int ob_flush(struct outbuf *ob);
/* Makes room for at least `need` bytes (flushing if needed); returns the write position. */
char *ob_room(struct outbuf *ob, size_t need);
/* Marks `n` bytes at the write position as used (n <= the room asked for). */
static inline void ob_commit(struct outbuf *ob, size_t n)
{
	ob->len += n;
}
void ob_write(struct outbuf *ob, const void *data, size_t n);
void ob_puts(struct outbuf *ob, const char *s);
void ob_printf(struct outbuf *ob, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
