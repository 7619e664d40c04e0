// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbuf.h"

struct outbuf *outbuf__new(int fd, size_t cap)
{
	struct outbuf *ob = calloc(1, sizeof(*ob));

	if (!ob)
		return NULL;
	if (cap < 2 * OB_RECORD_MAX)
		cap = 2 * OB_RECORD_MAX;
	ob->buf = malloc(cap);
	if (!ob->buf) {
		free(ob);
		return NULL;
	}
	ob->fd = fd;
	ob->cap = cap;
	return ob;
}

void outbuf__free(struct outbuf *ob)
{
	if (!ob)
		return;
	ob_flush(ob);
	free(ob->buf);
	free(ob);
}

int ob_flush(struct outbuf *ob)
{
	size_t off = 0;

	if (ob->sink) {
		if (ob->len)
			ob->sink(ob->sink_ctx, ob->buf, ob->len);
		off = ob->len;
	}
	while (off < ob->len) {
		ssize_t w = write(ob->fd, ob->buf + off, ob->len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (!ob->err)
				ob->err = errno;
			break;
		}
		off += w;
	}
	ob->bytes += off;
	ob->len = 0;
	return ob->err ? -ob->err : 0;
}

char *ob_room(struct outbuf *ob, size_t need)
{
	if (ob->cap - ob->len < need)
		ob_flush(ob);
	return ob->buf + ob->len;
}

void ob_write(struct outbuf *ob, const void *data, size_t n)
{
	while (n) {
		size_t room = ob->cap - ob->len, k;

		if (!room) {
			ob_flush(ob);
			continue;
		}
		k = n < room ? n : room;
		memcpy(ob->buf + ob->len, data, k);
		ob->len += k;
		data = (const char *)data + k;
		n -= k;
	}
}

void ob_puts(struct outbuf *ob, const char *s)
{
	ob_write(ob, s, strlen(s));
}

void ob_printf(struct outbuf *ob, const char *fmt, ...)
{
	char *p = ob_room(ob, OB_RECORD_MAX);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, OB_RECORD_MAX, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= OB_RECORD_MAX)
		n = OB_RECORD_MAX - 1;
	ob_commit(ob, n);
}
