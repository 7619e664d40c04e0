// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * evwriter.c - compresses a recording's events stream (contracts in evwriter.h).
 *
 * Why zstd level 1: on getppid storm lines (~190 bytes of JSON each) the writer thread does
 * 3.3-3.7M lines per CPU-second against gzip level 1's 1.3-1.4M, in 20% fewer bytes, and the
 * readers decompress it 3-4x faster. The writer shares two cores with the traced program and
 * the ring-buffer consumer, so the codec's cost per byte decides whether the queue overflows
 * (docs/benchmarks.md, 2026-12-02). Negative levels are 15-30% cheaper for 35-85% more bytes.
 *
 * Compressed bytes collect in a 1 MiB buffer and go to the file when it is nearly full or at a
 * flush: few write(2) calls, and a frame reaches the disk in one piece unless more than ~1 MiB
 * of compressed output (a storm) piles up before its flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "evwriter.h"

#define ZSTD_LEVEL 1
#define OUT_BUF	   (1u << 20)
#define GZ_BUF	   (128u * 1024)
/* zlib level 1: twice level 6's throughput (~300k vs ~165k events/s here) for ~20% more bytes */
#define GZ_MODE "wb1"

struct evwriter {
	enum evcodec codec;
	int fd;
	ZSTD_CCtx *cc;
	unsigned char *out;
	size_t out_len;
	bool open_frame; /* zstd: bytes were written since the last frame ended */
	gzFile gz;
};

const char *evcodec_file(enum evcodec c)
{
	return c == EVCODEC_GZIP ? "events.jsonl.gz" : "events.jsonl.zst";
}

enum evcodec evcodec_from_env(void)
{
	const char *s = getenv("AGTRACE_REC_CODEC");

	return s && !strcmp(s, "gzip") ? EVCODEC_GZIP : EVCODEC_ZSTD;
}

int evwriter_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int out_drain(struct evwriter *w)
{
	int ret = evwriter_write_all(w->fd, w->out, w->out_len);

	w->out_len = 0;
	return ret;
}

/* The errno behind a failed gz call: the system error if there was one, else EIO. */
static int gz_errno(gzFile gz, int saved_errno)
{
	int zerr;

	gzerror(gz, &zerr);
	if (zerr == Z_ERRNO && saved_errno)
		return -saved_errno;
	if (zerr == Z_MEM_ERROR)
		return -ENOMEM;
	return -EIO;
}

/* Runs the compressor over in with op until it is consumed (and, for ZSTD_e_end, the frame is
 * complete), draining the output buffer whenever it could not take a full block. */
static int zstd_run(struct evwriter *w, ZSTD_inBuffer *in, ZSTD_EndDirective op)
{
	for (;;) {
		ZSTD_outBuffer out = {w->out, OUT_BUF, w->out_len};
		size_t left = ZSTD_compressStream2(w->cc, &out, in, op);
		int ret;

		if (ZSTD_isError(left))
			return ZSTD_getErrorCode(left) == ZSTD_error_memory_allocation ? -ENOMEM
										       : -EIO;
		w->out_len = out.pos;
		if (OUT_BUF - w->out_len < ZSTD_CStreamOutSize() && (ret = out_drain(w)))
			return ret;
		if (op == ZSTD_e_continue ? in->pos == in->size : left == 0)
			return 0;
	}
}

int evwriter_write(struct evwriter *w, const void *buf, size_t len)
{
	ZSTD_inBuffer in = {buf, len, 0};

	if (w->codec == EVCODEC_GZIP) {
		errno = 0;
		/* gzwrite counts in int: a recorder block is at most the queue, far below that */
		if (len > INT32_MAX)
			return -EFBIG;
		if (gzwrite(w->gz, buf, (unsigned)len) == (int)len)
			return 0;
		return gz_errno(w->gz, errno);
	}
	w->open_frame = true;
	return zstd_run(w, &in, ZSTD_e_continue);
}

int evwriter_flush(struct evwriter *w)
{
	ZSTD_inBuffer in = {NULL, 0, 0};
	int ret;

	if (w->codec == EVCODEC_GZIP) {
		errno = 0;
		return gzflush(w->gz, Z_SYNC_FLUSH) == Z_OK ? 0 : gz_errno(w->gz, errno);
	}
	if (!w->open_frame)
		return 0;
	ret = zstd_run(w, &in, ZSTD_e_end);
	if (!ret)
		ret = out_drain(w);
	w->open_frame = false;
	return ret;
}

static void evwriter_free(struct evwriter *w)
{
	ZSTD_freeCCtx(w->cc);
	free(w->out);
	free(w);
}

int evwriter__open(struct evwriter **out, int fd, enum evcodec c)
{
	struct evwriter *w = calloc(1, sizeof(*w));
	int gzfd, ret;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->codec = c;
	w->fd = fd;
	if (c == EVCODEC_GZIP) {
		gzfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (gzfd < 0) {
			ret = -errno;
			goto fail;
		}
		w->gz = gzdopen(gzfd, GZ_MODE);
		if (!w->gz) {
			close(gzfd);
			ret = -ENOMEM;
			goto fail;
		}
		gzbuffer(w->gz, GZ_BUF);
	} else {
		w->cc = ZSTD_createCCtx();
		w->out = malloc(OUT_BUF);
		if (!w->cc || !w->out) {
			ret = -ENOMEM;
			goto fail;
		}
		if (ZSTD_isError(
			ZSTD_CCtx_setParameter(w->cc, ZSTD_c_compressionLevel, ZSTD_LEVEL)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(w->cc, ZSTD_c_checksumFlag, 1))) {
			ret = -EINVAL;
			goto fail;
		}
	}
	/* the header goes out now (zstd: an empty frame): a recording killed before any event
	 * is a valid stream */
	w->open_frame = true;
	ret = evwriter_flush(w);
	if (ret)
		goto fail;
	*out = w;
	return 0;
fail:
	if (w->gz)
		gzclose(w->gz);
	evwriter_free(w);
	return ret;
}

int evwriter__close(struct evwriter *w)
{
	int ret = 0;

	if (!w)
		return 0;
	if (w->codec == EVCODEC_GZIP) {
		errno = 0;
		if (gzclose(w->gz) != Z_OK)
			/* gzclose frees the state: no gzerror; a failed close is a failed write */
			ret = errno ? -errno : -EIO;
	} else {
		ret = evwriter_flush(w);
	}
	evwriter_free(w);
	return ret;
}
