/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * llm_events.h - HTTP exchanges of the traced processes as output events: `context_snapshot` when
 * an LLM request has been sent, `llm_response` when its response is in (text: one LLM line per
 * call), and with --http an `http` event per exchange carrying headers and bodies, redacted.
 */
#ifndef AGT_LLM_EVENTS_H
#define AGT_LLM_EVENTS_H

#include <stdbool.h>

#include "llm.h"
#include "printer.h"
#include "tls_conn.h"

#define LLM_EVENTS_PENDING 8

/* A parsed request waiting for its response, so a context is parsed once, not twice. */
struct llm_pending {
	bool used;
	uint32_t tgid;
	uint64_t ssl;
	uint32_t gen;
	uint32_t stream_id;
	uint64_t ts_start;
	size_t body_len;
	struct llm_request req;
};

struct span_live;

struct llm_events {
	struct printer *pr;   /* live output (text or JSON) */
	struct printer *rec;  /* the recording's JSON printer, or NULL */
	struct span_live *sl; /* the span builder (spans, states), or NULL */
	bool http;	      /* --http: also every exchange, with bodies (live and recorded) */
	bool print;	      /* false with -c or `record`: nothing live */
	unsigned long long snapshots, responses, exchanges;
	unsigned long long tokens_in, tokens_out;
	struct llm_pending pending[LLM_EVENTS_PENDING];
	unsigned next_pending; /* round-robin eviction */
};

/* Frees the requests still waiting for a response; the struct can be reused. */
void llm_events_release(struct llm_events *ev);
/* The tls_http_cb of the tracer: ctx is a struct llm_events. */
void llm_events_on_http(void *ctx, const struct tls_origin *o, const struct http_msg *req,
			const struct http_msg *resp);

#endif
