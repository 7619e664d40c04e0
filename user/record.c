// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>

#include "record.h"

_Static_assert(sizeof(struct agt_hdr) == 40, "agt_hdr layout");
_Static_assert(sizeof(struct agt_cap) == 8, "agt_cap layout");
_Static_assert(sizeof(struct agt_syscall) == 112, "agt_syscall layout");
_Static_assert(sizeof(struct agt_fork) == 48, "agt_fork layout");
_Static_assert(sizeof(struct agt_exec) == 56, "agt_exec layout");
_Static_assert(sizeof(struct agt_exit) == 56, "agt_exit layout");

int rec_chunk_next(const void *data, size_t size, size_t *off, const void **rec, size_t *len)
{
	const struct agt_hdr *h;

	/* *off can step past size: the last record's size need not be a multiple of 8. */
	if (*off >= size || size - *off < sizeof(*h))
		return 0;
	h = (const void *)((const char *)data + *off);
	if (h->size < sizeof(*h) || h->size > size - *off)
		return -EINVAL;
	*rec = h;
	*len = h->size;
	*off += (h->size + 7u) & ~7u;
	return 1;
}

int rec_check(const void *data, size_t size)
{
	const struct agt_hdr *h = data;
	size_t min;

	if (size < sizeof(*h) || h->size > size)
		return -EINVAL;
	switch (h->type) {
	case AGT_REC_SYSCALL:
		min = sizeof(struct agt_syscall);
		break;
	case AGT_REC_FORK:
		min = sizeof(struct agt_fork);
		break;
	case AGT_REC_EXEC:
		min = sizeof(struct agt_exec);
		break;
	case AGT_REC_EXIT:
		min = sizeof(struct agt_exit);
		break;
	default:
		return -EINVAL;
	}
	if (h->size < min)
		return -EINVAL;
	/* Nothing the kernel side builds is larger: a bigger one is garbage, not a long line. */
	if ((h->type == AGT_REC_SYSCALL && h->size > AGT_SYSCALL_MAX) ||
	    (h->type == AGT_REC_EXEC && h->size > AGT_EXEC_MAX) ||
	    ((h->type == AGT_REC_FORK || h->type == AGT_REC_EXIT) && h->size > 256))
		return -EINVAL;
	return h->type;
}

int rec_syscall_caps(const struct agt_syscall *r, size_t size, struct rec_caps *caps)
{
	const unsigned char *base = (const void *)r;
	size_t off = sizeof(*r), end = r->h.size < size ? r->h.size : size;

	memset(caps, 0, sizeof(*caps));
	for (unsigned i = 0; i < r->ncap; i++) {
		const struct agt_cap *c;

		if (off + sizeof(*c) > end)
			return -EINVAL;
		c = (const void *)(base + off);
		off += sizeof(*c);
		if (c->len > end - off || c->arg >= AGT_NARGS)
			return -EINVAL;
		caps->cap[c->arg] = c;
		caps->data[c->arg] = base + off;
		off += (c->len + 7u) & ~7u;
	}
	return 0;
}

int rec_exec_parts(const struct agt_exec *r, size_t size, const char **filename, const char **argv)
{
	size_t end = r->h.size < size ? r->h.size : size;

	if (sizeof(*r) + (size_t)r->filename_len + r->argv_len > end)
		return -EINVAL;
	*filename = (const char *)(r + 1);
	*argv = *filename + r->filename_len;
	return 0;
}
