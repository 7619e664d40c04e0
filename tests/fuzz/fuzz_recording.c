// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_recording.c - libFuzzer harness for the recording readers.
 *
 * The first input byte picks what the rest becomes:
 *   0: the events.jsonl.gz file as is (gzip; anything else is refused as "not gzip data")
 *   1: metadata.json (beside a small valid events file)
 *   2: JSON lines, gzip-compressed here, then cut short by the last input byte's value (a
 *      killed writer's truncated tail)
 *   3: the events.jsonl.zst file as is (zstd, what the recorder writes; the reader prefers it)
 *   4: JSON lines, zstd-compressed here (one frame), then cut short like 2
 * A recording that opens is then pushed through everything that reads events: the one-line
 * formatter, the snapshot finder, diff, fork (JSON and each API's request) and replay commands;
 * and every recording, open or not, through the analyzers' streaming pass (spans, tree, blame,
 * each printed as text and JSON), which reads events without the indexing reader's checks.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -Ianalyze \
 *       tests/fuzz/fuzz_recording.c $(ls analyze/[a-z]*.c) -lcjson -lz -lzstd -lm -o fuzz_recording
 *   ./fuzz_recording -max_total_time=120 -max_len=65536 tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "analysis.h"
#include "blame.h"
#include "ctxdiff.h"
#include "evfmt.h"
#include "forkctx.h"
#include "recording.h"
#include "replay.h"

#define MAX_WALK 512 /* events formatted per input: keep executions fast */

static char dir[256];
static FILE *devnull;

static const char meta_ok[] =
    "{\"record_id\":\"1-x\",\"pid\":1,\"intent\":\"a b\",\"start_time\":\"2026-03-29T10:15:00Z\","
    "\"end_time\":null,\"event_count\":2,\"status\":\"recording\",\"lost_events\":0}";
static const char events_ok[] =
    "{\"seq_num\":1,\"timestamp\":5,\"pid\":1,\"type\":\"process\",\"process\":{\"event\":"
    "\"exec\",\"argv\":[\"a\",\"b\"]}}\n"
    "{\"seq_num\":2,\"timestamp\":6,\"pid\":1,\"type\":\"context_snapshot\",\"context\":"
    "{\"api\":\"openai.chat\",\"model\":\"m\",\"system_prompt\":\"s\",\"messages\":[{\"role\":"
    "\"user\",\"content\":\"hi\"}]}}\n";

static void put_file(const char *name, const void *data, size_t len)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	if (!f)
		abort();
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
}

static void unlink_events(void)
{
	static const char *const names[] = {"events.jsonl.gz", "events.jsonl.zst"};
	char p[512];

	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
}

static void put_gzip(const void *data, size_t len, size_t cut)
{
	z_stream z = {0};
	size_t cap = len + len / 8 + 128;
	unsigned char *out = malloc(cap);

	if (!out || deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	cap -= z.avail_out;
	deflateEnd(&z);
	put_file("events.jsonl.gz", out, cut < cap ? cap - cut : 0);
	free(out);
}

static void put_zstd(const void *data, size_t len, size_t cut)
{
	size_t cap = ZSTD_compressBound(len);
	unsigned char *out = malloc(cap);
	size_t n;

	if (!out)
		abort();
	n = ZSTD_compress(out, cap, data, len, 1);
	if (ZSTD_isError(n))
		abort();
	put_file("events.jsonl.zst", out, cut < n ? n - cut : 0);
	free(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	snprintf(dir, sizeof(dir), "/tmp/fuzz-rec-%d", (int)getpid());
	mkdir(dir, 0700);
	devnull = fopen("/dev/null", "w");
	return 0;
}

/* The analyzers' pass over whatever is in dir: it must end in a result or an error, never worse. */
static void analyze_all(void)
{
	struct an_opts o = {.want_ctx = true, .ctx_at = UINT64_MAX};
	struct blame_result br;
	struct span_tree t;
	struct analysis a;
	struct rec_err err;

	if (!analysis_run(&a, dir, NULL, &o, &err) &&
	    !span_tree_build(&t, a.trace_id, a.spans, a.nspans)) {
		cJSON *j = span_tree_json(&t, true);

		span_tree_print(devnull, &t, true);
		cJSON_Delete(j);
		if (!blame_analyze(&br, &t)) {
			j = blame_json(&br);
			blame_print(devnull, &br);
			cJSON_Delete(j);
			blame_release(&br);
		}
		span_tree_release(&t);
	}
	analysis_release(&a);
}

static void exercise(struct recording *r)
{
	static const char *const apis[] = {"openai.chat", "openai.responses", "anthropic.messages"};
	static const char *const cmds[] = {"n", "l 3", "g 1", "d 2", "p", "s", "f", "show"};
	size_t n = recording__count(r);
	struct snapfinder *f = snapfinder__new(r);
	struct rec_err err;
	struct replay *s;

	for (size_t i = 0; i < n && i < MAX_WALK; i++)
		evfmt_print(r, i, i & 1, devnull);
	if (f && n) {
		uint64_t first = recording__event(r, 0)->seq_num;
		uint64_t last = recording__event(r, n - 1)->seq_num;
		struct ctxdiff *d = NULL;
		struct forkctx *fc = NULL;

		if (!ctxdiff__compute(r, f, first, last, &d, &err)) {
			cJSON *o = ctxdiff_json(d);

			ctxdiff_print(d, devnull);
			cJSON_Delete(o);
			ctxdiff__free(d);
		}
		if (!forkctx__restore(r, f, last, &fc, &err)) {
			cJSON *o = forkctx_json(fc);

			cJSON_Delete(o);
			forkctx__append_message(fc, "user", "x");
			forkctx__replace_last_message(fc, "y");
			for (size_t a = 0; a < 3; a++) {
				free(fc->api);
				fc->api = strdup(apis[a]);
				if (fc->api && !forkctx_request(fc, &o, &err)) {
					forkctx_write(o, NULL, devnull, &err);
					cJSON_Delete(o);
				}
			}
			forkctx__remove_last_messages(fc, 3);
			forkctx__free(fc);
		}
	}
	snapfinder__free(f);
	s = replay__new(r, devnull, devnull);
	for (size_t i = 0; s && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		replay__exec(s, cmds[i]);
	replay__free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recording *r = NULL;
	struct rec_err err;

	if (size < 1)
		return 0;
	/* one events file per input: the zstd one would hide the gzip one */
	unlink_events();
	switch (data[0] % 5) {
	case 0:
		put_file("metadata.json", meta_ok, sizeof(meta_ok) - 1);
		put_file("events.jsonl.gz", data + 1, size - 1);
		break;
	case 1:
		put_file("metadata.json", data + 1, size - 1);
		put_file("events.jsonl.gz", events_ok, sizeof(events_ok) - 1);
		break;
	case 2:
		put_file("metadata.json", meta_ok, sizeof(meta_ok) - 1);
		put_gzip(data + 1, size > 1 ? size - 2 : 0, size > 1 ? data[size - 1] : 0);
		break;
	case 3:
		put_file("metadata.json", meta_ok, sizeof(meta_ok) - 1);
		put_file("events.jsonl.zst", data + 1, size - 1);
		break;
	default:
		put_file("metadata.json", meta_ok, sizeof(meta_ok) - 1);
		put_zstd(data + 1, size > 1 ? size - 2 : 0, size > 1 ? data[size - 1] : 0);
		break;
	}
	if (!recording__open_dir(&r, dir, &err))
		exercise(r);
	recording__free(r);
	analyze_all();
	return 0;
}
