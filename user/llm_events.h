/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * llm_events.h - HTTP exchanges of the traced processes as output events: `context_snapshot` when
 * an LLM request has been sent, `llm_response` when its response is in (text: one LLM line per
 * call), and with --http an `http` event per exchange carrying headers and bodies, redacted.
 */
#ifndef AGT_LLM_EVENTS_H
#define AGT_LLM_EVENTS_H

#include <stdbool.h>

#include "printer.h"
#include "tls_conn.h"

struct spans;

struct llm_events {
	struct printer *pr;   /* live output (text or JSON) */
	struct printer *rec;  /* the recording's JSON printer, or NULL */
	struct spans *spans;  /* LLM-call spans of the recording, or NULL */
	bool http;    /* --http: also every exchange, with bodies (live and recorded) */
	bool print;   /* false with -c or `record`: nothing live */
	unsigned long long snapshots, responses, exchanges;
	unsigned long long tokens_in, tokens_out;
};

/* The tls_http_cb of the tracer: ctx is a struct llm_events. */
void llm_events_on_http(void *ctx, const struct tls_origin *o, const struct http_msg *req,
			const struct http_msg *resp);

#endif
