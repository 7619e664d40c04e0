// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pidset.h"

#define DELETED ((pid_t)-1)

static unsigned hash(pid_t pid, unsigned cap)
{
	return ((unsigned)pid * 2654435761u) & (cap - 1);
}

static int grow(struct pidset *s)
{
	unsigned ncap = s->cap ? s->cap * 2 : 64;
	pid_t *old = s->slot;
	unsigned ocap = s->cap;

	if (s->cap && s->n * 4 < s->cap)
		ncap = s->cap; /* mostly tombstones: rehash in place size */
	s->slot = calloc(ncap, sizeof(*s->slot));
	if (!s->slot) {
		s->slot = old;
		return -ENOMEM;
	}
	s->cap = ncap;
	s->n = s->used = 0;
	for (unsigned i = 0; i < ocap; i++)
		if (old[i] > 0)
			pidset_add(s, old[i]);
	free(old);
	return 0;
}

int pidset_add(struct pidset *s, pid_t pid)
{
	unsigned i;

	if (pid <= 0)
		return -EINVAL;
	if (pidset_has(s, pid))
		return 0;
	if ((s->used + 1) * 2 > s->cap && grow(s))
		return -ENOMEM;
	for (i = hash(pid, s->cap);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == 0 || s->slot[i] == DELETED) {
			if (s->slot[i] == 0)
				s->used++;
			s->slot[i] = pid;
			s->n++;
			return 0;
		}
	}
}

static long find(const struct pidset *s, pid_t pid)
{
	if (!s->cap || pid <= 0)
		return -1;
	for (unsigned i = hash(pid, s->cap), k = 0; k < s->cap; i = (i + 1) & (s->cap - 1), k++) {
		if (s->slot[i] == 0)
			return -1;
		if (s->slot[i] == pid)
			return i;
	}
	return -1;
}

bool pidset_has(const struct pidset *s, pid_t pid)
{
	return find(s, pid) >= 0;
}

bool pidset_del(struct pidset *s, pid_t pid)
{
	long i = find(s, pid);

	if (i < 0)
		return false;
	s->slot[i] = DELETED;
	s->n--;
	return true;
}

void pidset_release(struct pidset *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}
