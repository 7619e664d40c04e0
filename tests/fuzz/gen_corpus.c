// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gen_corpus.c - writes the seed inputs of fuzz_tls (DIR/corpus-tls/) and fuzz_llm
 * (DIR/corpus-llm/): a few valid conversations in each harness's input format (see the head
 * comments of fuzz_tls.c and fuzz_llm.c). HTTP/2 header blocks come from nghttp2_hd_deflate, plus
 * one hand-encoded with plain literals so that mutations meet readable strings.
 *
 *   make fuzz-corpus        (or: cc gen_corpus.c -lnghttp2 -lbrotlienc -lz && ./a.out tests/fuzz)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <brotli/encode.h>
#include <nghttp2/nghttp2.h>
#include <zlib.h>

#define FIXTURES "tests/unit/fixtures/llm/"

/* The harness's selector bits (fuzz_tls.c). */
#define SEL_READ  0x08
#define SEL_SSL1  0x02
#define SEL_CHUNK 0x80
#define TLS_FIRST 1
#define TLS_LAST  2

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put8(struct buf *b, unsigned v)
{
	unsigned char c = v;

	put(b, &c, 1);
}

static void put16(struct buf *b, unsigned v)
{
	put8(b, v & 0xff);
	put8(b, v >> 8);
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void save(const char *dir, const char *name, const struct buf *b)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->p, 1, b->len, f) != b->len || fclose(f)) {
		fprintf(stderr, "gen_corpus: cannot write %s\n", path);
		exit(1);
	}
	printf("  %s (%zu bytes)\n", path, b->len);
}

/* ---- fuzz_tls ops ---- */

/* One whole SSL_write/SSL_read call, step_ms after the previous op. */
static void op_call(struct buf *b, unsigned step_ms, unsigned sel, const void *data, size_t len)
{
	put8(b, step_ms << 3);
	put8(b, sel & 0x7f);
	put16(b, len);
	put(b, data, len);
}

/* A call of call_len bytes as chunks of at most `chunk` bytes (the BPF side's split). */
static void op_chunks(struct buf *b, unsigned step_ms, unsigned sel, const void *data, size_t len,
		      size_t chunk)
{
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		unsigned flags = (off ? 0 : TLS_FIRST) | (off + n == len ? TLS_LAST : 0);

		put8(b, (off ? 0 : step_ms) << 3);
		put8(b, SEL_CHUNK | flags << 4 | (sel & 0x0f));
		put16(b, n);
		put16(b, off);
		put16(b, len - off - n);
		put(b, (const char *)data + off, n);
	}
}

static void op_free(struct buf *b, unsigned sel)
{
	put8(b, 5);
	put8(b, (sel & 0x07) | 0x08);
}

static void op_exit(struct buf *b, unsigned sel)
{
	put8(b, 6);
	put8(b, sel & 1);
}

static void call_s(struct buf *b, unsigned step_ms, unsigned sel, const char *s)
{
	op_call(b, step_ms, sel, s, strlen(s));
}

static const char chat_req_body[] =
    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
    "{\"role\":\"user\",\"content\":\"list files\"}],\"tools\":[{\"type\":\"function\","
    "\"function\":{\"name\":\"run_shell\",\"parameters\":{}}}]}";
static const char chat_resp_body[] =
    "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{"
    "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
    "\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"run_shell\",\"arguments\":"
    "\"{\\\"cmd\\\":\\\"ls\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],\"usage\":{"
    "\"prompt_tokens\":42,\"completion_tokens\":7,\"total_tokens\":49}}";
static const char sse_body[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}],"
    "\"model\":\"gpt-4o-mini\"}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}"
    "\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
    "\"total_tokens\":7}}\n\n"
    "data: [DONE]\n\n";

static void h1_request(struct buf *b, unsigned sel, const char *path, const char *body)
{
	char head[512];

	snprintf(head, sizeof(head),
		 "POST %s HTTP/1.1\r\nHost: api.openai.com\r\nAuthorization: Bearer "
		 "sk-proj-AbCdEfGhIjKlMnOpQrSt0123\r\nContent-Type: application/json\r\n"
		 "Accept-Encoding: gzip, br\r\nContent-Length: %zu\r\n\r\n",
		 path, strlen(body));
	call_s(b, 1, sel, head);
	call_s(b, 0, sel, body);
}

static void seed_h1_json(const char *dir)
{
	struct buf b = {0};
	char head[256];

	put8(&b, 0x01 | 0x02 | 0x04 | 0x20 | 3 << 6); /* JSON, recording, --http, spans, 4 MiB */
	h1_request(&b, 0, "/v1/chat/completions", chat_req_body);
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		 strlen(chat_resp_body));
	call_s(&b, 20, SEL_READ, head);
	call_s(&b, 0, SEL_READ, chat_resp_body);
	op_free(&b, 0);
	save(dir, "h1_chat_json", &b);
	free(b.p);
}

static void seed_h1_sse(const char *dir)
{
	struct buf b = {0};
	char chunk[1024];
	size_t half = sizeof(sse_body) / 2;

	put8(&b, 0x01 | 0x08 | 2 << 6); /* JSON, deferred, 64 KiB */
	h1_request(&b, SEL_SSL1, "/v1/chat/completions",
		   "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\","
		   "\"content\":\"hi\"}]}");
	call_s(&b, 30, SEL_SSL1 | SEL_READ,
	       "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
	       "Transfer-Encoding: chunked\r\n\r\n");
	snprintf(chunk, sizeof(chunk), "%zx\r\n%.*s\r\n", half, (int)half, sse_body);
	call_s(&b, 5, SEL_SSL1 | SEL_READ, chunk);
	snprintf(chunk, sizeof(chunk), "%zx\r\n%s\r\n", strlen(sse_body + half), sse_body + half);
	call_s(&b, 5, SEL_SSL1 | SEL_READ, chunk);
	/* the client stops at [DONE]: the last chunk is never read, the process exits */
	op_exit(&b, 0);
	save(dir, "h1_chat_sse", &b);
	free(b.p);
}

static size_t gzip(const void *in, size_t len, unsigned char *out, size_t cap)
{
	z_stream z = {0};

	if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(1);
	z.next_in = (unsigned char *)in;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		exit(1);
	deflateEnd(&z);
	return cap - z.avail_out;
}

static void seed_h1_gzip(const char *dir)
{
	const char *body = "{\"type\":\"message\",\"model\":\"claude-sonnet-4\",\"content\":[{"
			   "\"type\":\"text\",\"text\":\"Done.\"}],\"stop_reason\":\"end_turn\","
			   "\"usage\":{\"input_tokens\":30,\"output_tokens\":3}}";
	unsigned char gz[1024];
	size_t gzlen = gzip(body, strlen(body), gz, sizeof(gz));
	struct buf resp = {0}, b = {0};
	char head[256];

	put8(&b, 0x00 | 1 << 6); /* text, 4096 */
	h1_request(&b, 0, "/v1/messages",
		   "{\"model\":\"claude-sonnet-4\",\"max_tokens\":64,\"system\":\"Be brief.\","
		   "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
		   "\"hi\"}]}]}");
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
		 "Content-Length: %zu\r\n\r\n",
		 gzlen);
	puts_(&resp, head);
	put(&resp, gz, gzlen);
	op_chunks(&b, 40, SEL_READ, resp.p, resp.len, 64); /* one read, 64-byte chunks */
	op_free(&b, 0);
	save(dir, "h1_anthropic_gzip", &b);
	free(resp.p);
	free(b.p);
}

/* A raw (RFC 1951) deflate stream, as some servers send for Content-Encoding: deflate. */
static size_t deflate_raw(const void *in, size_t len, unsigned char *out, size_t cap)
{
	z_stream z = {0};

	if (deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(1);
	z.next_in = (unsigned char *)in;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		exit(1);
	deflateEnd(&z);
	return cap - z.avail_out;
}

/*
 * One keep-alive connection, three exchanges: a br SSE stream (chunked, with a trailer), a raw
 * deflate JSON body, and a gzip body of two members (RFC 1952 concatenation).
 */
static void seed_h1_codings(const char *dir)
{
	const char *json = "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
			   "\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"model\":\"m\"}";
	const char *req = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
	unsigned char z[2048];
	size_t zlen = sizeof(z), half = strlen(json) / 2, n;
	struct buf b = {0}, resp = {0};
	char head[256];

	put8(&b, 0x01 | 0x04 | 1 << 6); /* JSON, --http, 4096 */

	h1_request(&b, 0, "/v1/chat/completions", req);
	if (!BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, sizeof(sse_body) - 1,
				   (const uint8_t *)sse_body, &zlen, z))
		exit(1);
	puts_(&resp, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
		     "Content-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n");
	snprintf(head, sizeof(head), "%zx\r\n", zlen);
	puts_(&resp, head);
	put(&resp, z, zlen);
	puts_(&resp, "\r\n0\r\nX-Trailer: 1\r\n\r\n");
	op_call(&b, 10, SEL_READ, resp.p, resp.len);

	h1_request(&b, 0, "/v1/chat/completions", req);
	n = deflate_raw(json, strlen(json), z, sizeof(z));
	resp.len = 0;
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: "
		 "deflate\r\nContent-Length: %zu\r\n\r\n",
		 n);
	puts_(&resp, head);
	put(&resp, z, n);
	op_call(&b, 10, SEL_READ, resp.p, resp.len);

	h1_request(&b, 0, "/v1/chat/completions", req);
	n = gzip(json, half, z, sizeof(z));
	n += gzip(json + half, strlen(json) - half, z + n, sizeof(z) - n);
	resp.len = 0;
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: "
		 "gzip\r\nContent-Length: %zu\r\n\r\n",
		 n);
	puts_(&resp, head);
	put(&resp, z, n);
	op_call(&b, 10, SEL_READ, resp.p, resp.len);
	op_free(&b, 0);
	save(dir, "h1_codings", &b);
	free(resp.p);
	free(b.p);
}

/* ---- HTTP/2 ---- */

static void frame(struct buf *b, unsigned type, unsigned flags, unsigned sid, const void *p,
		  size_t n)
{
	put8(b, n >> 16);
	put8(b, n >> 8);
	put8(b, n);
	put8(b, type);
	put8(b, flags);
	put8(b, sid >> 24 & 0x7f);
	put8(b, sid >> 16);
	put8(b, sid >> 8);
	put8(b, sid);
	if (n)
		put(b, p, n);
}

#define NV(n, v)                                                                                   \
	{                                                                                          \
		(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, NGHTTP2_NV_FLAG_NONE \
	}

static void hd_frame(struct buf *b, nghttp2_hd_deflater *d, unsigned flags, unsigned sid,
		     const nghttp2_nv *nv, size_t n)
{
	unsigned char blk[1024];
	ssize_t len = nghttp2_hd_deflate_hd(d, blk, sizeof(blk), nv, n);

	if (len < 0) {
		fprintf(stderr, "gen_corpus: nghttp2_hd_deflate_hd: %s\n", nghttp2_strerror(len));
		exit(1);
	}
	frame(b, 1, flags, sid, blk, len);
}

static void seed_h2(const char *dir)
{
	const nghttp2_nv req[] = {
	    NV(":method", "POST"),
	    NV(":scheme", "https"),
	    NV(":path", "/v1/chat/completions"),
	    NV(":authority", "api.openai.com"),
	    NV("authorization", "Bearer sk-proj-AbCdEfGhIjKlMnOpQrSt0123"),
	    NV("content-type", "application/json"),
	};
	const nghttp2_nv resp[] = {
	    NV(":status", "200"),
	    NV("content-type", "text/event-stream"),
	};
	const unsigned char settings[] = {0, 3, 0, 0, 0, 100, 0, 4, 0, 1, 0, 0};
	const char *body = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\","
			   "\"content\":\"hi\"}]}";
	nghttp2_hd_deflater *dout, *din;
	struct buf out = {0}, in = {0}, b = {0};

	if (nghttp2_hd_deflate_new(&dout, 4096) || nghttp2_hd_deflate_new(&din, 4096))
		exit(1);
	put(&out, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	frame(&out, 4, 0, 0, settings, sizeof(settings));
	hd_frame(&out, dout, 0x4, 1, req, sizeof(req) / sizeof(req[0])); /* END_HEADERS */
	frame(&out, 0, 0x1, 1, body, strlen(body));			 /* END_STREAM */

	frame(&in, 4, 0, 0, settings, sizeof(settings));
	frame(&in, 4, 0x1, 0, NULL, 0); /* ACK */
	hd_frame(&in, din, 0x4, 1, resp, sizeof(resp) / sizeof(resp[0]));
	frame(&in, 0, 0, 1, sse_body, sizeof(sse_body) - 1 - 13);
	frame(&in, 0, 0x1, 1, sse_body + sizeof(sse_body) - 1 - 13, 13);

	put8(&b, 0x01 | 0x02 | 0x04 | 3 << 6); /* JSON, recording, --http */
	op_call(&b, 1, 0, out.p, out.len);
	op_call(&b, 50, SEL_READ, in.p, in.len);
	op_free(&b, 0);
	save(dir, "h2_chat_sse", &b);
	free(out.p);
	free(in.p);
	free(b.p);
	nghttp2_hd_deflate_del(dout);
	nghttp2_hd_deflate_del(din);
}

/*
 * More streams than the parser keeps open (1024): one write of 1100 requests, each a HEADERS of
 * static-table fields with END_STREAM, then responses to the first and the last few.
 */
static void seed_h2_many_streams(const char *dir)
{
	const unsigned char blk[] = {0x83, 0x84, 0x87, 0x41, 0x01, 'h'}; /* POST / https, host h */
	const unsigned char st[] = {0x88};				 /* :status 200 */
	struct buf out = {0}, in = {0}, b = {0};

	put(&out, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	for (unsigned sid = 1; sid < 2 * 1100; sid += 2)
		frame(&out, 1, 0x4 | 0x1, sid, blk, sizeof(blk));
	for (unsigned sid = 1; sid < 2 * 1100; sid += 2 * 183)
		frame(&in, 1, 0x4 | 0x1, sid, st, sizeof(st));
	frame(&in, 7, 0, 0, "\0\0\x07\xd1\0\0\0\0", 8); /* GOAWAY, last stream 2001 */

	put8(&b, 0x00 | 0x04 | 1 << 6); /* text, --http */
	op_chunks(&b, 1, 0, out.p, out.len, 16384);
	op_call(&b, 5, SEL_READ, in.p, in.len);
	op_free(&b, 0);
	save(dir, "h2_many_streams", &b);
	free(out.p);
	free(in.p);
	free(b.p);
}

/* HPACK "literal without indexing, indexed name" (< 15) with a plain (not Huffman) value. */
static void hp_lit(struct buf *b, unsigned name_idx, const char *v)
{
	put8(b, name_idx); /* 0000 + 4-bit index: names up to 15 */
	put8(b, strlen(v));
	puts_(b, v);
}

static void seed_h2_literal(const char *dir)
{
	const char *body = "{\"model\":\"o3\",\"input\":\"hi\",\"instructions\":\"Be brief.\"}";
	const char *rbody = "{\"id\":\"r1\",\"object\":\"response\",\"status\":\"completed\","
			    "\"model\":\"o3\",\"output\":[{\"type\":\"message\",\"role\":"
			    "\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":"
			    "\"Hello\"}]}],\"usage\":{\"input_tokens\":9,\"output_tokens\":1,"
			    "\"total_tokens\":10}}";
	struct buf blk = {0}, out = {0}, in = {0}, b = {0};

	put(&out, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	frame(&out, 4, 0, 0, NULL, 0);
	put8(&blk, 0x83); /* :method POST */
	put8(&blk, 0x87); /* :scheme https */
	hp_lit(&blk, 4, "/v1/responses?trace=1");
	hp_lit(&blk, 1, "api.openai.com");
	put8(&blk, 0x00); /* new name, plain literals */
	put8(&blk, 9);
	puts_(&blk, "x-api-key");
	put8(&blk, 24);
	puts_(&blk, "sk-ant-AbCdEfGhIjKlMnOpQ");
	frame(&out, 1, 0x4, 3, blk.p, blk.len);
	frame(&out, 0, 0x1, 3, body, strlen(body));

	blk.len = 0;
	put8(&blk, 0x88); /* :status 200 */
	put8(&blk, 0x00);
	put8(&blk, 12);
	puts_(&blk, "content-type");
	put8(&blk, 16);
	puts_(&blk, "application/json");
	frame(&in, 1, 0x4, 3, blk.p, blk.len);
	frame(&in, 0, 0x1, 3, rbody, strlen(rbody));

	put8(&b, 0x00 | 0x04 | 2 << 6); /* text, --http */
	op_call(&b, 1, SEL_SSL1, out.p, out.len);
	op_chunks(&b, 30, SEL_SSL1 | SEL_READ, in.p, in.len, 100);
	op_exit(&b, 0);
	save(dir, "h2_responses_literal", &b);
	free(blk.p);
	free(out.p);
	free(in.p);
	free(b.p);
}

/* ---- fuzz_llm ---- */

static char *load(const char *name, size_t *len)
{
	char path[256];
	FILE *f;
	char *p;
	long n;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0) {
		fprintf(stderr, "gen_corpus: cannot read %s\n", path);
		exit(1);
	}
	rewind(f);
	p = malloc(n + 1);
	if (!p || fread(p, 1, n, f) != (size_t)n)
		exit(1);
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
}

static void llm_seed(const char *dir, const char *name, unsigned cfg, const char *req,
		     size_t reqlen, const char *resp, size_t resplen, const char *ct)
{
	struct buf b = {0};

	put8(&b, cfg);
	put(&b, req, reqlen);
	put(&b, "\n@@\n", 4);
	put(&b, resp, resplen);
	if (ct) {
		put(&b, "\n@@\n", 4);
		puts_(&b, ct);
	}
	save(dir, name, &b);
	free(b.p);
}

static void llm_fixture(const char *dir, const char *name, unsigned cfg, const char *req_file,
			const char *resp_file)
{
	size_t rl, sl;
	char *req = load(req_file, &rl), *resp = load(resp_file, &sl);

	llm_seed(dir, name, cfg, req, rl, resp, sl, "text/event-stream");
	free(req);
	free(resp);
}

#define LLM_COMPLETE 0x20
#define S(x)	     x, sizeof(x) - 1

static void seeds_llm(const char *dir)
{
	llm_seed(dir, "chat_json", 1 | LLM_COMPLETE, S(chat_req_body), S(chat_resp_body),
		 "application/json");
	llm_seed(dir, "chat_sse", 1 | LLM_COMPLETE | 0x80, S(chat_req_body), S(sse_body),
		 "text/event-stream; charset=utf-8");
	llm_seed(dir, "chat_error_429", 1 | 5 << 2 | LLM_COMPLETE,
		 S("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"my key is "
		   "sk-proj-AbCdEfGhIjKlMnOpQrSt0123\"}]}"),
		 S("{\"error\":{\"message\":\"Rate limit for Bearer abcdefghijklmnopqrstuvwx\","
		   "\"type\":\"requests\"}}"),
		 "application/json");
	llm_seed(
	    dir, "responses_json", 2 | LLM_COMPLETE,
	    S("{\"model\":\"o3\",\"instructions\":\"sys\",\"input\":[{\"role\":\"user\","
	      "\"content\":[{\"type\":\"input_text\",\"text\":\"hi\"}]},{\"type\":"
	      "\"function_call\",\"call_id\":\"c1\",\"name\":\"ls\",\"arguments\":\"{}\"},"
	      "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"a b\"}],"
	      "\"tools\":[{\"type\":\"function\",\"name\":\"ls\"},{\"type\":"
	      "\"web_search_preview\"}]}"),
	    S("{\"object\":\"response\",\"model\":\"o3\",\"status\":\"completed\",\"output\":[{"
	      "\"type\":\"function_call\",\"call_id\":\"c2\",\"name\":\"ls\",\"arguments\":"
	      "\"{\\\"d\\\":1}\"}],\"usage\":{\"input_tokens\":3,\"output_tokens\":4,"
	      "\"total_tokens\":7}}"),
	    NULL);
	llm_fixture(dir, "chat_stream_tools", 1 | LLM_COMPLETE, "chat_request.json",
		    "chat_stream_tools.sse");
	llm_fixture(dir, "responses_stream", 2, "responses_request.json", "responses_stream.sse");
	/* API 0 with bit 7: Gemini (fuzz_llm.c) */
	llm_fixture(dir, "gemini_stream", 0x80 | LLM_COMPLETE, "gemini_request.json",
		    "gemini_stream.sse");
	llm_fixture(dir, "gemini_stream_tools", 0x80 | LLM_COMPLETE, "gemini_request.json",
		    "gemini_stream_tools.sse");
	llm_fixture(dir, "anthropic_stream", 3 | LLM_COMPLETE, "anthropic_request.json",
		    "anthropic_stream.sse");
}

int main(int argc, char **argv)
{
	char tls[256], llm[256];

	if (argc != 2) {
		fprintf(stderr,
			"usage: gen_corpus DIR   (writes DIR/corpus-tls and DIR/corpus-llm)\n");
		return 1;
	}
	snprintf(tls, sizeof(tls), "%s/corpus-tls", argv[1]);
	snprintf(llm, sizeof(llm), "%s/corpus-llm", argv[1]);
	mkdir(tls, 0755);
	mkdir(llm, 0755);
	seed_h1_json(tls);
	seed_h1_sse(tls);
	seed_h1_gzip(tls);
	seed_h1_codings(tls);
	seed_h2(tls);
	seed_h2_literal(tls);
	seed_h2_many_streams(tls);
	seeds_llm(llm);
	return 0;
}
