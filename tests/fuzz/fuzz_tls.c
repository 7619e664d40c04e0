// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_tls.c - libFuzzer harness for the TLS plaintext path: records (bpf/agtrace.h) into
 * connections (tls_conn.c), HTTP/1.1 and HTTP/2 (http1.c, http2.c, decomp.c), LLM semantics
 * (llm*.c) and the events printed from them (llm_events.c through printer.c), as the tracer wires
 * them.
 *
 * Input: one config byte, then operations until the input runs out:
 *   config  bit 0: JSON (else text) live output   bit 1: a recording printer too
 *           bit 2: --http                          bit 3: printers defer events
 *           bit 4: nothing live (-c, `record`)     bit 5: spans
 *           bits 6-7: max body 64 / 4096 / 64 KiB / 4 MiB
 *   op      byte K; K >> 3 is the time step in ms before the record (31: 7 ms back), K & 7
 *           the kind:
 *   0-4     TLS data: sel, len (u16 le, cut to the input left and AGT_TLS_CHUNK), then with
 *           sel bit 7 clear a whole call (off 0, call_len len, FIRST|LAST), with it set off (u16
 *           le) and extra (u16 le): call_len = off + len + extra, flags from sel bits 4-6 as
 *           given; then len data bytes. sel bit 0: tgid, bits 1-2: SSL*, bit 3: write/read.
 *   5       SSL_new / SSL_free: sel (tgid, SSL*, bit 3: which)
 *   6       the process exits: sel (tgid)
 *   7       a raw record: n (byte), then n bytes passed as they are (malformed, mostly)
 *
 * Checked on everything printed: every JSON line parses to an object, every text line starts
 * with its "[pid N]" prefix (one event, one line), no JSON string (decoded) holds anything
 * redact_secrets() would still change and no text line an sk- key (fuzz_check.h).
 *
 *   make fuzz FUZZ_TIME=300        (builds .output/fuzz/fuzz_tls, corpus tests/fuzz/corpus-tls)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <linux/types.h>

#include "agtrace.h"
#include "fuzz_check.h"
#include "llm_events.h"
#include "outbuf.h"
#include "printer.h"
#include "redact.h"
#include "span_live.h"
#include "tls_conn.h"

#define MAX_OPS 2048

static const uint32_t tgids[2] = {100, 101};
static const uint64_t ssls[4] = {0x7f0000001000, 0x7f0000002000, 0x7f0000003000, 0x1};
static const size_t max_bodies[4] = {64, 4096, 65536, 4u << 20};

/* What one sink received, split into lines as they complete. */
struct sink {
	bool json;
	char *line;
	size_t len, cap;
};

static bool
    echo; /* AGT_FUZZ_ECHO set: every line also goes to stderr (to see what an input does) */

static void check_line(const struct sink *k, const char *s, size_t len)
{
	if (echo)
		fprintf(stderr, "%.*s\n", (int)len, s);
	if (k->json) {
		cJSON *j = cJSON_ParseWithLength(s, len);

		if (!cJSON_IsObject(j)) {
			fprintf(stderr, "not a JSON object line: %.*s\n", (int)len, s);
			abort();
		}
		if (!fc_json_clean(j)) {
			fprintf(stderr, "unredacted secret in output: %.*s\n", (int)len, s);
			abort();
		}
		cJSON_Delete(j);
		return;
	}
	if (len < 5 || memcmp(s, "[pid ", 5)) {
		/* a text event is one line: nothing in it may start another */
		fprintf(stderr, "text line without its prefix: %.*s\n", (int)len, s);
		abort();
	}
	if (fc_has_key(s, len)) {
		fprintf(stderr, "unredacted secret in output: %.*s\n", (int)len, s);
		abort();
	}
}

static void sink_add(void *ctx, const char *buf, size_t len)
{
	struct sink *k = ctx;

	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		if (k->len + n > k->cap) {
			size_t cap = k->cap ? k->cap : 4096;

			while (cap < k->len + n)
				cap *= 2;
			k->line = realloc(k->line, cap);
			if (!k->line)
				abort();
			k->cap = cap;
		}
		memcpy(k->line + k->len, buf, n);
		k->len += n;
		if (!nl)
			return;
		check_line(k, k->line, k->len);
		k->len = 0;
		buf += n + 1;
		len -= n + 1;
	}
}

static void sink_release(struct sink *k)
{
	if (k->len) {
		fprintf(stderr, "output ends in an unterminated line\n");
		abort();
	}
	free(k->line);
}

/* Spans as the tracer writes them: one JSON line each, checked like the other sinks. */
static void span_emit(void *ctx, const struct sb_span *sp)
{
	char buf[16384];
	size_t n = sb_span_json(buf, sizeof(buf), "0123456789abcdef0123456789abcdef", sp);

	if (n < sizeof(buf))
		sink_add(ctx, buf, n);
}

/* A little-endian u16 from the input, 0 past its end. */
static uint16_t take16(const uint8_t *d, size_t size, size_t *i)
{
	uint16_t v = 0;

	if (*i < size)
		v = d[(*i)++];
	if (*i < size)
		v |= (uint16_t)d[(*i)++] << 8;
	return v;
}

static void hdr_init(struct agt_hdr *h, uint16_t type, size_t size, uint32_t tgid, uint64_t ts)
{
	h->type = type;
	h->size = (uint16_t)size;
	h->tgid = tgid;
	h->tid = tgid + 7;
	h->ts = ts;
	memcpy(h->comm, "agent", 6);
}

/*
 * Records go to the parser in buffers of exactly their size (malloc aligns as the ring does), so
 * ASan sees any read past a record's end.
 */
static void *rec_alloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		abort();
	return p;
}

static size_t op_data(const uint8_t *d, size_t size, size_t i, uint64_t ts, struct tls_conns *t)
{
	uint8_t sel = i < size ? d[i++] : 0;
	size_t len = take16(d, size, &i);
	uint64_t off = 0, extra = 0;
	uint8_t flags = AGT_TLS_FIRST | AGT_TLS_LAST;
	struct agt_tls_data *r;
	size_t rsize;

	if (sel & 0x80) {
		off = take16(d, size, &i);
		extra = take16(d, size, &i);
		flags = (sel >> 4) & 7;
	}
	if (len > size - i)
		len = size - i;
	if (len > AGT_TLS_CHUNK)
		len = AGT_TLS_CHUNK;
	rsize = sizeof(*r) + len;
	r = rec_alloc(rsize);
	memset(r, 0, sizeof(*r));
	hdr_init(&r->h, AGT_REC_TLS_DATA, rsize, tgids[sel & 1], ts);
	r->ssl = ssls[(sel >> 1) & 3];
	r->op = (sel >> 3) & 1 ? AGT_TLS_READ : AGT_TLS_WRITE;
	r->flags = flags;
	r->off = (uint32_t)off;
	r->len = (uint16_t)len;
	r->call_len = off + len + extra;
	memcpy(r + 1, d + i, len);
	tls_conns_record(t, r, rsize);
	free(r);
	return i + len;
}

static void op_conn(uint8_t sel, uint64_t ts, struct tls_conns *t)
{
	struct agt_tls_conn c;

	memset(&c, 0, sizeof(c));
	hdr_init(&c.h, AGT_REC_TLS_CONN, sizeof(c), tgids[sel & 1], ts);
	c.ssl = ssls[(sel >> 1) & 3];
	c.event = (sel >> 3) & 1 ? AGT_TLS_FREE : AGT_TLS_NEW;
	if (tls_conns_record(t, &c, sizeof(c)))
		abort(); /* a well-formed record is never refused */
}

static size_t op_raw(const uint8_t *d, size_t size, size_t i, struct tls_conns *t)
{
	size_t n = i < size ? d[i++] : 0;
	void *r;

	if (n > size - i)
		n = size - i;
	r = rec_alloc(n);
	memcpy(r, d + i, n);
	tls_conns_record(t, r, n);
	free(r);
	return i + n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	echo = getenv("AGT_FUZZ_ECHO") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sink live_sink = {0}, rec_sink = {.json = true}, span_sink = {.json = true};
	struct span_live sl = {0};
	struct printer pr = {0}, rpr = {0};
	struct llm_events ev = {0};
	struct tls_conns *t = NULL;
	uint8_t cfg;
	uint64_t ts = 1000000000;
	size_t i = 1;
	int ops = 0;

	if (!size)
		return 0;
	cfg = data[0];
	pr.ob = outbuf__new(-1, 0);
	if (!pr.ob)
		abort();
	pr.ob->sink = sink_add;
	pr.ob->sink_ctx = &live_sink;
	pr.json = live_sink.json = cfg & 1;
	pr.defer = cfg & 8;
	pr.strsize = 32;
	pr.t0 = ts;
	ev.pr = &pr;
	ev.http = cfg & 4;
	ev.print = !(cfg & 16);
	if (cfg & 2) {
		rpr.ob = outbuf__new(-1, 0);
		if (!rpr.ob)
			abort();
		rpr.ob->sink = sink_add;
		rpr.ob->sink_ctx = &rec_sink;
		rpr.json = true;
		rpr.defer = pr.defer;
		rpr.strsize = pr.strsize;
		rpr.t0 = ts;
		ev.rec = &rpr;
	}
	if (cfg & 32) {
		struct sb_callbacks cb = {.span = span_emit, .ctx = &span_sink};

		sl.t0 = ts;
		sl.b = spanbuild__new("0123456789abcdef0123456789abcdef", &cb);
		if (!sl.b)
			abort();
		ev.sl = &sl;
	}
	t = tls_conns__new(llm_events_on_http, &ev, max_bodies[cfg >> 6]);
	if (!t)
		abort();

	while (i < size && ops++ < MAX_OPS) {
		uint8_t k = data[i++];

		if (k >> 3 == 31)
			ts -= 7000000; /* records of other CPUs can arrive out of time order */
		else
			ts += (uint64_t)(k >> 3) * 1000000;
		switch (k & 7) {
		case 5:
			op_conn(i < size ? data[i++] : 0, ts, t);
			break;
		case 6:
			tls_conns_exit(t, tgids[(i < size ? data[i++] : 0) & 1], ts);
			break;
		case 7:
			i = op_raw(data, size, i, t);
			break;
		default:
			i = op_data(data, size, i, ts, t);
			break;
		}
		if (pr.defer && (k & 0x80)) {
			printer_release(&pr, ts);
			if (ev.rec)
				printer_release(&rpr, ts);
		}
	}

	tls_conns__free(t);
	llm_events_release(&ev);
	if (sl.b) {
		span_live_release(&sl, ~0ull);
		spanbuild__free(sl.b, span_live_ts(&sl, ts), true);
	}
	span_live_free_pending(&sl);
	printer_release(&pr, ~0ull);
	outbuf__free(pr.ob);
	free(pr.pend);
	if (ev.rec) {
		printer_release(&rpr, ~0ull);
		outbuf__free(rpr.ob);
		free(rpr.pend);
	}
	sink_release(&live_sink);
	sink_release(&rec_sink);
	sink_release(&span_sink);
	return 0;
}
