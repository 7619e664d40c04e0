// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* evfile.c - events.jsonl.gz through zlib's gzread (concatenated members included). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "evfile.h"

struct evfile {
	gzFile gz;
	char path[4096];
	char warning[4400];
	int state; /* 0 reading, 1 done */
};

int evfile__open(struct evfile **out, const char *dir, struct rec_err *err)
{
	struct evfile *f = calloc(1, sizeof(*f));
	unsigned char magic[2];
	ssize_t n;
	int fd;

	*out = NULL;
	if (!f)
		return rec_errf(err, -ENOMEM, "out of memory");
	snprintf(f->path, sizeof(f->path), "%s/events.jsonl.gz", dir);
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		free(f);
		return rec_errf(err, -e, "%s/events.jsonl.gz: %s", dir, strerror(e));
	}
	n = pread(fd, magic, sizeof(magic), 0);
	if (n < 0 || (n >= 1 && magic[0] != 0x1f) || (n == 2 && magic[1] != 0x8b)) {
		int e = n < 0 ? errno : EINVAL;

		close(fd);
		rec_errf(err, -e, "%s: %s", f->path, n < 0 ? strerror(e) : "not gzip data");
		free(f);
		return -e;
	}
	f->gz = gzdopen(fd, "rb");
	if (!f->gz) {
		close(fd);
		free(f);
		return rec_errf(err, -ENOMEM, "out of memory");
	}
	gzbuffer(f->gz, 256u << 10);
	*out = f;
	return 0;
}

ssize_t evfile_read(struct evfile *f, void *buf, size_t n)
{
	int got, zerr = Z_OK;
	const char *msg, *p;

	if (f->state)
		return 0;
	got = gzread(f->gz, buf, n > (1u << 30) ? (1u << 30) : (unsigned)n);
	if (got > 0)
		return got;
	msg = gzerror(f->gz, &zerr);
	f->state = 1;
	if (got == 0 && zerr == Z_OK)
		return 0;
	if (msg && !strncmp(msg, "<fd:", 4) && (p = strstr(msg, ": ")))
		msg = p + 2;
	snprintf(f->warning, sizeof(f->warning), "%s: %s", f->path,
		 msg && *msg ? msg : "zlib error");
	return -1;
}

const char *evfile_warning(const struct evfile *f)
{
	return f->warning[0] ? f->warning : NULL;
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
	free(f);
}
