// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* llm_events.c - from reassembled HTTP messages to the events and lines users read. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <linux/types.h>

#include "agtrace.h"
#include "llm.h"
#include "llm_events.h"
#include "redact.h"
#include "sbuf.h"
#include "span_live.h"
#include "strfmt.h"

static void origin_hdr(struct agt_hdr *h, const struct tls_origin *o, uint64_t ts)
{
	memset(h, 0, sizeof(*h));
	h->tgid = o->tgid;
	h->tid = o->tid;
	h->ts = ts;
	memcpy(h->comm, o->comm, sizeof(h->comm));
}

/* To the live output (if it prints JSON) and/or the recording. */
static void emit_json_to(struct llm_events *ev, bool live, bool rec, const struct agt_hdr *h,
			 const char *type, const char *key, const char *s, size_t len)
{
	if (live && ev->print && ev->pr->json)
		printer_event_json(ev->pr, h, type, key, s, len);
	if (rec && ev->rec)
		printer_event_json(ev->rec, h, type, key, s, len);
}

/* The JSON sinks: the live output if it is JSON, and the recording. */
static void emit_json(struct llm_events *ev, const struct agt_hdr *h, const char *type,
		      const char *key, const char *s, size_t len)
{
	emit_json_to(ev, true, true, h, type, key, s, len);
}

static void emit_cjson(struct llm_events *ev, const struct agt_hdr *h, const char *type,
		       const char *key, cJSON *obj)
{
	char *s = obj ? cJSON_PrintUnformatted(obj) : NULL;

	if (s)
		emit_json(ev, h, type, key, s, strlen(s));
	else
		ev->pr->bad++;
	free(s);
	cJSON_Delete(obj);
}

/* A JSON string of data[0..len), secrets redacted first. */
static void put_json_str(struct sbuf *sb, const void *data, size_t len)
{
	char *copy = NULL;

	if (len && redact_needed(data, len) && (copy = malloc(len))) {
		memcpy(copy, data, len);
		len = redact_secrets(copy, len);
		data = copy;
	}
	sb_putc(sb, '"');
	sb_add(sb, json_escape(sb_pos(sb), sb_left(sb), data ? data : "", data ? len : 0));
	sb_putc(sb, '"');
	free(copy);
}

static void put_headers(struct sbuf *sb, const struct http_msg *m)
{
	sb_putc(sb, '[');
	for (size_t i = 0; m && i < m->nhdrs; i++) {
		if (i)
			sb_putc(sb, ',');
		sb_putc(sb, '[');
		put_json_str(sb, m->hdrs[i].name, strlen(m->hdrs[i].name));
		sb_putc(sb, ',');
		put_json_str(sb, m->hdrs[i].value, strlen(m->hdrs[i].value));
		sb_putc(sb, ']');
	}
	sb_putc(sb, ']');
}

static size_t headers_len(const struct http_msg *m)
{
	size_t n = 0;

	for (size_t i = 0; m && i < m->nhdrs; i++)
		n += strlen(m->hdrs[i].name) + strlen(m->hdrs[i].value) + 8;
	return n;
}

static void http_json(struct sbuf *sb, const struct tls_origin *o, const struct http_msg *req,
		      const struct http_msg *resp)
{
	sb_puts(sb, "{\"conn\":\"");
	sb_putu(sb, o->tgid);
	sb_putc(sb, ':');
	sb_putx(sb, o->ssl);
	sb_putc(sb, ':');
	sb_putu(sb, o->gen);
	sb_puts(sb, o->version == 20 ? "\",\"version\":\"2\"" : "\",\"version\":\"1.1\"");
	sb_puts(sb, ",\"stream_id\":");
	sb_putu(sb, req->stream_id);
	sb_puts(sb, ",\"method\":");
	put_json_str(sb, req->method, strlen(req->method));
	sb_puts(sb, ",\"path\":");
	put_json_str(sb, req->path ? req->path : "", req->path ? strlen(req->path) : 0);
	sb_puts(sb, ",\"authority\":");
	if (req->authority)
		put_json_str(sb, req->authority, strlen(req->authority));
	else
		sb_puts(sb, "null");
	sb_puts(sb, ",\"status\":");
	sb_puti(sb, resp->status);
	sb_puts(sb, ",\"request_headers\":");
	put_headers(sb, req);
	sb_puts(sb, ",\"response_headers\":");
	put_headers(sb, resp);
	sb_puts(sb, ",\"request_body\":");
	put_json_str(sb, req->body, req->body_len);
	sb_puts(sb, ",\"response_body\":");
	put_json_str(sb, resp->body, resp->body_len);
	sb_puts(sb, ",\"request_bytes\":");
	sb_putu(sb, req->body_len);
	sb_puts(sb, ",\"response_bytes\":");
	sb_putu(sb, resp->body_len);
	sb_puts(sb, ",\"request_lost\":");
	sb_putu(sb, req->lost);
	sb_puts(sb, ",\"response_lost\":");
	sb_putu(sb, resp->lost);
	sb_puts(sb, resp->complete && req->complete ? ",\"complete\":true" : ",\"complete\":false");
	sb_puts(sb, ",\"latency\":");
	sb_putu(sb, resp->ts_end > req->ts_end ? resp->ts_end - req->ts_end : 0);
	sb_putc(sb, '}');
}

/*
 * A request field on the text line: secrets redacted, control characters as spaces (an HTTP/2
 * :method or :path may hold any byte, and a line break would forge a line of output), at most
 * `max` bytes.
 */
static void put_text_field(struct sbuf *sb, const char *s, size_t max)
{
	size_t len = strlen(s);
	char *copy = NULL;

	if (redact_needed(s, len)) {
		if (!(copy = strdup(s))) {
			sb_puts(sb, REDACTED);
			return;
		}
		len = redact_secrets(copy, len);
		s = copy;
	}
	for (size_t i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		sb_putc(sb, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	free(copy);
}

/*
 * live: --http asked for exchanges in the output. rec: into the recording, which keeps every LLM
 * exchange whole (fork --as-request copies the original request's tools and parameters from it).
 */
static void emit_http(struct llm_events *ev, const struct tls_origin *o, const struct http_msg *req,
		      const struct http_msg *resp, bool live, bool rec)
{
	struct agt_hdr h;
	size_t cap;
	char *buf;

	origin_hdr(&h, o, resp->ts_end);
	if (live && ev->print && !ev->pr->json) {
		char line[1024];
		struct sbuf sb = SBUF_INIT(line, sizeof(line));
		uint64_t lat = resp->ts_end > req->ts_end ? resp->ts_end - req->ts_end : 0;

		sb_puts(&sb, o->version == 20 ? "HTTP/2 " : "HTTP/1.1 ");
		put_text_field(&sb, req->method, sizeof(req->method));
		sb_putc(&sb, ' ');
		put_text_field(&sb, req->path ? req->path : "", 200);
		sb_putc(&sb, ' ');
		sb_puti(&sb, resp->status);
		sb_putc(&sb, ' ');
		sb_putu(&sb, req->body_len);
		sb_puts(&sb, "\u2192");
		sb_putu(&sb, resp->body_len);
		sb_puts(&sb, " bytes ");
		sb_putu(&sb, (lat + 500000) / 1000000);
		sb_puts(&sb, " ms");
		if (!resp->complete)
			sb_puts(&sb, " incomplete");
		if (req->lost || resp->lost)
			sb_printf(&sb, " lost %llu bytes",
				  (unsigned long long)(req->lost + resp->lost));
		printer_event_text(ev->pr, &h, line,
				   sb_finish(&sb) < sizeof(line) ? sb.len : sizeof(line) - 1);
		if (!ev->rec)
			return;
	}
	/* every byte may escape to 6 (\u00XX) */
	cap = 6 * (req->body_len + resp->body_len + headers_len(req) + headers_len(resp) +
		   (req->path ? strlen(req->path) : 0) +
		   (req->authority ? strlen(req->authority) : 0)) +
	      512;
	buf = malloc(cap);
	if (!buf) {
		ev->pr->bad++;
		return;
	}
	{
		struct sbuf sb = SBUF_INIT(buf, cap);

		http_json(&sb, o, req, resp);
		if (sb.len < cap)
			emit_json_to(ev, live, rec, &h, "http", "http", buf, sb.len);
		else
			ev->pr->bad++;
	}
	free(buf);
}

static bool pending_is(const struct llm_pending *p, const struct tls_origin *o,
		       const struct http_msg *req)
{
	return p->used && p->tgid == o->tgid && p->ssl == o->ssl && p->gen == o->gen &&
	       p->stream_id == req->stream_id && p->ts_start == req->ts_start &&
	       p->body_len == req->body_len;
}

/* Keeps a parsed request until its response (the oldest kept one makes room). */
static void pending_put(struct llm_events *ev, const struct tls_origin *o,
			const struct http_msg *req, struct llm_request *lreq)
{
	struct llm_pending *p = &ev->pending[ev->next_pending++ % LLM_EVENTS_PENDING];

	llm_request_release(&p->req);
	p->used = true;
	p->tgid = o->tgid;
	p->ssl = o->ssl;
	p->gen = o->gen;
	p->stream_id = req->stream_id;
	p->ts_start = req->ts_start;
	p->body_len = req->body_len;
	p->req = *lreq;
	memset(lreq, 0, sizeof(*lreq));
}

/* The request parsed when it was sent, moved into *lreq; false if it is not kept. */
static bool pending_take(struct llm_events *ev, const struct tls_origin *o,
			 const struct http_msg *req, struct llm_request *lreq)
{
	for (int i = 0; i < LLM_EVENTS_PENDING; i++) {
		struct llm_pending *p = &ev->pending[i];

		if (pending_is(p, o, req)) {
			*lreq = p->req;
			memset(p, 0, sizeof(*p));
			return true;
		}
	}
	return false;
}

void llm_events_release(struct llm_events *ev)
{
	for (int i = 0; i < LLM_EVENTS_PENDING; i++) {
		llm_request_release(&ev->pending[i].req);
		memset(&ev->pending[i], 0, sizeof(ev->pending[i]));
	}
}

/* The request was sent: the state machine, and the tool results it carries end tool calls. */
static void span_request(struct span_live *sl, const struct tls_origin *o,
			 const struct http_msg *req, const struct llm_request *lreq)
{
	const char *ids[64];
	size_t n = 0;

	for (size_t i = 0; i < lreq->nmsgs && n < sizeof(ids) / sizeof(ids[0]); i++)
		if (lreq->msgs[i].tool_call_id)
			ids[n++] = lreq->msgs[i].tool_call_id;
	span_live_request(sl, span_live_ts(sl, req->ts_end), (int)o->tgid, ids, n);
}

static void span_response(struct span_live *sl, const struct tls_origin *o,
			  const struct http_msg *req, const struct http_msg *resp,
			  const struct llm_request *lreq, const struct llm_response *lresp,
			  uint64_t latency)
{
	struct sb_tool_call calls[32];
	struct sb_llm l = {0};

	l.ts = span_live_ts(sl, resp->ts_end);
	l.latency = latency;
	l.pid = (int)o->tgid;
	l.model = lresp->model ? lresp->model : lreq->model;
	l.request_tokens = lresp->request_tokens;
	l.response_tokens = lresp->response_tokens;
	l.total_tokens = lresp->total_tokens;
	l.status = resp->status;
	l.complete = resp->complete;
	l.authority = req->authority;
	l.error = lresp->error;
	for (size_t i = 0; i < lresp->ntool_calls && l.ncalls < sizeof(calls) / sizeof(calls[0]);
	     i++)
		calls[l.ncalls++] =
		    (struct sb_tool_call){lresp->tool_calls[i].id, lresp->tool_calls[i].name,
					  lresp->tool_calls[i].arguments};
	l.calls = calls;
	span_live_response(sl, &l);
}

void llm_events_on_http(void *ctx, const struct tls_origin *o, const struct http_msg *req,
			const struct http_msg *resp)
{
	struct llm_events *ev = ctx;
	enum llm_api api = llm_api_of(req->method, req->path ? req->path : "");
	struct llm_request lreq = {0};
	struct llm_response lresp = {0};
	struct agt_hdr h;

	if (resp) {
		ev->exchanges++;
		if (ev->http || (ev->rec && api != LLM_NONE))
			emit_http(ev, o, req, resp, ev->http, ev->http || api != LLM_NONE);
	}
	if (api == LLM_NONE)
		goto cleanup;
	/* a large context costs milliseconds to parse: once at the request, kept for the response
	 */
	if (!(resp && pending_take(ev, o, req, &lreq)) && llm_request_parse(req, &lreq))
		goto cleanup;
	if (!resp) {
		ev->snapshots++;
		origin_hdr(&h, o, req->ts_end);
		if ((ev->print && ev->pr->json) || ev->rec)
			emit_cjson(ev, &h, "context_snapshot", "context", llm_context_json(&lreq));
		if (ev->sl)
			span_request(ev->sl, o, req, &lreq);
		pending_put(ev, o, req, &lreq);
	} else {
		uint64_t lat = resp->ts_end > req->ts_end ? resp->ts_end - req->ts_end : 0;
		int64_t ttft = -1;

		llm_response_parse(lreq.api, resp, &lresp);
		ev->responses++;
		if (lresp.request_tokens > 0)
			ev->tokens_in += lresp.request_tokens;
		if (lresp.response_tokens > 0)
			ev->tokens_out += lresp.response_tokens;
		if (lresp.first_token_off != SIZE_MAX) {
			uint64_t t = http_msg_time_at(resp, lresp.first_token_off);

			ttft = t > req->ts_end ? (int64_t)(t - req->ts_end) : 0;
		}
		origin_hdr(&h, o, resp->ts_end);
		if ((ev->print && ev->pr->json) || ev->rec)
			emit_cjson(ev, &h, "llm_response", "llm",
				   llm_response_json(&lreq, &lresp, lat, ttft));
		if (ev->print && !ev->pr->json) {
			char line[1024];
			size_t n = llm_text(line, sizeof(line), &lreq, &lresp, lat, ttft);

			printer_event_text(ev->pr, &h, line,
					   n < sizeof(line) ? n : sizeof(line) - 1);
		}
		if (ev->sl)
			span_response(ev->sl, o, req, resp, &lreq, &lresp, lat);
	}
cleanup:
	llm_request_release(&lreq);
	llm_response_release(&lresp);
}
