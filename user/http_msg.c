// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* http_msg.c - accessors shared by the HTTP/1.1 and HTTP/2 parsers and the LLM layer. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

const char *http_header_get(const struct http_msg *m, const char *name)
{
	for (size_t i = 0; i < m->nhdrs; i++)
		if (!strcasecmp(m->hdrs[i].name, name))
			return m->hdrs[i].value;
	return NULL;
}

uint64_t http_msg_time_at(const struct http_msg *m, size_t off)
{
	size_t lo = 0, hi = m->nmarks;

	/* marks are ascending by offset: the first one that reaches past `off` delivered it */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->marks[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nmarks ? m->marks[lo].ts : m->ts_end;
}

void http_msg_release(struct http_msg *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nhdrs; i++) {
		free(m->hdrs[i].name);
		free(m->hdrs[i].value);
	}
	free(m->hdrs);
	free(m->path);
	free(m->authority);
	free(m->body);
	free(m->marks);
	memset(m, 0, sizeof(*m));
}
