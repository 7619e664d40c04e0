// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * evfile.c - a recording's events file as one stream of decompressed bytes (contracts in
 * evfile.h).
 *
 * zstd is decoded with ZSTD_decompressStream straight into the caller's buffer from a 1 MiB
 * input buffer, which walks the recorder's concatenated frames by itself (one per flush). gzip
 * goes through gzread, which walks concatenated members and ignores trailing garbage the way
 * every earlier reader of events.jsonl.gz did.
 *
 * Open decodes the first bytes into a small peek buffer, so that a file whose data is corrupt
 * from the start is refused there (it holds no events at all) rather than read as an empty
 * recording with a warning.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "evfile.h"

#define IN_BUF	    (1u << 20)
#define PEEK_SZ	    (16u << 10)
#define GZ_BUF	    (256u << 10)
#define GZ_READ_MAX (1u << 30) /* gzread counts in unsigned int and returns int */

enum codec {
	EV_ZSTD,
	EV_GZIP,
};

enum damage {
	DMG_NONE,
	DMG_TRUNCATED, /* the file stops mid-frame/member: a killed writer */
	DMG_CORRUPT,
	DMG_IO,
};

struct evfile {
	char *path;
	enum codec codec;
	int fd; /* zstd only: gzdopen owns the gzip one */
	gzFile gz;
	ZSTD_DCtx *zd;
	unsigned char *in;
	size_t in_pos, in_len;
	bool in_eof;
	bool mid_frame; /* zstd: the last frame is not complete yet */
	unsigned char *peek;
	size_t peek_pos, peek_len;
	int end; /* 0 while reading; 1 clean end; -1 damaged */
	enum damage damage;
	char warn[256];
};

static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
static const unsigned char gzip_magic[2] = {0x1f, 0x8b};

static void set_damaged(struct evfile *f, enum damage d, const char *why)
{
	f->end = -1;
	f->damage = d;
	snprintf(f->warn, sizeof(f->warn), "%s", why);
}

/* Refills the input buffer once it is used up. Sets in_eof at the end; false on a read error. */
static bool zstd_fill(struct evfile *f)
{
	ssize_t r;

	do
		r = read(f->fd, f->in, IN_BUF);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		set_damaged(f, DMG_IO, strerror(errno));
		return false;
	}
	f->in_pos = 0;
	f->in_len = (size_t)r;
	f->in_eof = r == 0;
	return true;
}

/* Decodes up to n bytes; a return below n with f->end still 0 only happens at a frame end. */
static size_t zstd_decode(struct evfile *f, void *buf, size_t n)
{
	ZSTD_outBuffer out = {buf, n, 0};

	while (out.pos < out.size) {
		ZSTD_inBuffer in;
		size_t ret;

		if (f->in_pos == f->in_len && !f->in_eof && !zstd_fill(f))
			break;
		if (f->in_pos == f->in_len && f->in_eof && !f->mid_frame) {
			f->end = 1;
			break;
		}
		in = (ZSTD_inBuffer){f->in, f->in_len, f->in_pos};
		ret = ZSTD_decompressStream(f->zd, &out, &in);
		f->in_pos = in.pos;
		if (ZSTD_isError(ret)) {
			set_damaged(f, DMG_CORRUPT, ZSTD_getErrorName(ret));
			break;
		}
		f->mid_frame = ret != 0;
		/* no input left and room to spare: the decoder holds nothing more */
		if (f->mid_frame && f->in_eof && f->in_pos == f->in_len && out.pos < out.size) {
			set_damaged(f, DMG_TRUNCATED, "unexpected end of file");
			break;
		}
	}
	return out.pos;
}

/* gzerror's message without the "<fd:N>: " that a gzdopen stream puts before it. */
static const char *zlib_msg(const char *zmsg)
{
	const char *p;

	if (!zmsg || !*zmsg)
		return "zlib error";
	if (!strncmp(zmsg, "<fd:", 4) && (p = strstr(zmsg, ": ")))
		return p + 2;
	return zmsg;
}

static size_t gzip_decode(struct evfile *f, void *buf, size_t n)
{
	int got = gzread(f->gz, buf, n > GZ_READ_MAX ? GZ_READ_MAX : (unsigned)n);
	const char *msg;
	int zerr;

	if (got > 0)
		return (size_t)got;
	msg = gzerror(f->gz, &zerr);
	if (zerr == Z_BUF_ERROR || (got < 0 && zerr == Z_OK))
		set_damaged(f, DMG_TRUNCATED, "unexpected end of file");
	else if (zerr == Z_ERRNO)
		set_damaged(f, DMG_IO, zlib_msg(msg));
	else if (zerr != Z_OK)
		set_damaged(f, DMG_CORRUPT, zlib_msg(msg));
	else
		f->end = 1;
	return 0;
}

/* Bytes, or 0 with f->end set: the stream is over (cleanly or not). */
static size_t decode(struct evfile *f, void *buf, size_t n)
{
	size_t got = 0;

	while (!got && !f->end)
		got = f->codec == EV_ZSTD ? zstd_decode(f, buf, n) : gzip_decode(f, buf, n);
	return got;
}

ssize_t evfile_read(struct evfile *f, void *buf, size_t n)
{
	size_t got;

	if (!n)
		return 0;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	if (f->peek_pos < f->peek_len) {
		got = f->peek_len - f->peek_pos < n ? f->peek_len - f->peek_pos : n;
		memcpy(buf, f->peek + f->peek_pos, got);
		f->peek_pos += got;
		return (ssize_t)got;
	}
	if (f->end)
		return f->end < 0 ? -1 : 0;
	got = decode(f, buf, n);
	if (got)
		return (ssize_t)got;
	return f->end < 0 ? -1 : 0;
}

const char *evfile_warning(const struct evfile *f)
{
	return f->end < 0 ? f->warn : NULL;
}

bool evfile_truncated(const struct evfile *f)
{
	return f->end < 0 && f->damage == DMG_TRUNCATED;
}

const char *evfile_path(const struct evfile *f)
{
	return f->path;
}

void evfile__free(struct evfile *f)
{
	if (!f)
		return;
	if (f->gz)
		gzclose(f->gz);
	if (f->fd >= 0)
		close(f->fd);
	ZSTD_freeDCtx(f->zd);
	free(f->in);
	free(f->peek);
	free(f->path);
	free(f);
}

/* Opens dir/name into f (path and fd); -errno without a message. */
static int open_named(struct evfile *f, const char *dir, const char *name)
{
	free(f->path);
	if (asprintf(&f->path, "%s/%s", dir, name) < 0) {
		f->path = NULL;
		return -ENOMEM;
	}
	f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
	return f->fd < 0 ? -errno : 0;
}

/*
 * True if the file's first bytes are (a prefix of) the codec's magic. A file shorter than the
 * magic is a writer killed early, read as truncated. A zstd file may also start with a skippable
 * frame (magic 0x184D2A5?, little endian).
 */
static bool magic_ok(const struct evfile *f, const unsigned char *b, size_t n)
{
	if (f->codec == EV_GZIP)
		return !memcmp(b, gzip_magic, n < 2 ? n : 2);
	if (n >= 4 && (b[0] & 0xf0) == 0x50 && b[1] == 0x2a && b[2] == 0x4d && b[3] == 0x18)
		return true;
	return !memcmp(b, zstd_magic, n < 4 ? n : 4);
}

int evfile__open(struct evfile **out, const char *dir, struct rec_err *err)
{
	struct evfile *f = calloc(1, sizeof(*f));
	const char *codec_name;
	unsigned char magic[4];
	ssize_t n;
	int ret;

	*out = NULL;
	if (!f)
		return rec_errf(err, -ENOMEM, "%s: out of memory", dir);
	f->fd = -1;
	f->codec = EV_ZSTD;
	ret = open_named(f, dir, EVFILE_ZSTD);
	if (ret == -ENOENT) {
		f->codec = EV_GZIP;
		ret = open_named(f, dir, EVFILE_GZIP);
		if (ret == -ENOENT) {
			/* name the file a recording is written as today */
			f->codec = EV_ZSTD;
			ret = open_named(f, dir, EVFILE_ZSTD);
		}
	}
	if (ret == -ENOMEM || !f->path) {
		ret = rec_errf(err, -ENOMEM, "%s: out of memory", dir);
		goto cleanup;
	}
	if (ret) {
		ret = rec_errf(err, ret, "%s: %s", f->path, strerror(-ret));
		goto cleanup;
	}
	codec_name = f->codec == EV_ZSTD ? "zstd" : "gzip";

	n = pread(f->fd, magic, sizeof(magic), 0);
	if (n < 0) {
		ret = rec_errf(err, -errno, "%s: %s", f->path, strerror(errno));
		goto cleanup;
	}
	if (!magic_ok(f, magic, (size_t)n)) {
		ret = rec_errf(err, -EINVAL, "%s: not %s data", f->path, codec_name);
		goto cleanup;
	}

	if (f->codec == EV_GZIP) {
		f->gz = gzdopen(f->fd, "rb");
		if (!f->gz) {
			ret = rec_errf(err, -ENOMEM, "%s: out of memory", f->path);
			goto cleanup;
		}
		f->fd = -1;
		gzbuffer(f->gz, GZ_BUF);
	} else {
		f->zd = ZSTD_createDCtx();
		f->in = malloc(IN_BUF);
		if (!f->zd || !f->in) {
			ret = rec_errf(err, -ENOMEM, "%s: out of memory", f->path);
			goto cleanup;
		}
		posix_fadvise(f->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}

	f->peek = malloc(PEEK_SZ);
	if (!f->peek) {
		ret = rec_errf(err, -ENOMEM, "%s: out of memory", f->path);
		goto cleanup;
	}
	f->peek_len = decode(f, f->peek, PEEK_SZ);
	if (!f->peek_len && f->end < 0 && f->damage == DMG_CORRUPT) {
		ret = rec_errf(err, -EINVAL, "%s: not %s data (%s)", f->path, codec_name, f->warn);
		goto cleanup;
	}
	if (!f->peek_len && f->end < 0 && f->damage == DMG_IO) {
		ret = rec_errf(err, -EIO, "%s: %s", f->path, f->warn);
		goto cleanup;
	}
	*out = f;
	f = NULL;
	ret = 0;
cleanup:
	evfile__free(f);
	return ret;
}
