// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_recording.c - metadata.json validation, events.jsonl.gz indexing, REC resolution. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <zstd.h>

#include "evfile.h"
#include "rec_fixture.h"
#include "recorder.h"
#include "recording.h"

static void test_recording_index(void **state)
{
	char *base = fx_base(), dir[4096];
	struct recording *r;
	struct rec_err err;
	const struct rec_event *e;

	(void)state;
	fx_std(base, dir, sizeof(dir));
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	assert_int_equal(recording__count(r), 13);
	assert_null(recording__warning(r, 0));
	assert_string_equal(recording__meta(r)->record_id, FX_STD_ID);
	assert_int_equal(recording__meta(r)->pid, 100);
	assert_false(recording__meta(r)->incomplete);
	assert_int_equal(recording__type_count(r, REC_CONTEXT_SNAPSHOT), 3);
	assert_int_equal(recording__type_count(r, REC_PROCESS), 4);
	assert_int_equal(recording__type_count(r, REC_SYSCALL), 2);
	assert_int_equal(recording__type_count(r, REC_LOST), 1);
	e = recording__event(r, 8);
	assert_int_equal(e->seq_num, 8);
	assert_int_equal(e->timestamp, 8000000);
	assert_int_equal(e->pid, -1);
	assert_int_equal(e->type, REC_LOST);
	assert_int_equal(e->lineno, 9);
	assert_string_equal(e->line, fx_std_lines[8]);
	e = recording__event(r, 6);
	assert_int_equal(e->pid, 101);
	assert_int_equal(e->type, REC_PROCESS);
	assert_null(recording__event(r, 13));
	recording__free(r);
	fx_rm(base);
}

/* goto's binary search: exact hits, gaps, both ends. */
static void test_recording_find(void **state)
{
	static const char *const lines[] = {
	    "{\"seq_num\":10,\"timestamp\":1,\"pid\":1,\"type\":\"syscall\"}",
	    "{\"seq_num\":20,\"timestamp\":2,\"pid\":1,\"type\":\"syscall\"}",
	    "{\"seq_num\":30,\"timestamp\":3,\"pid\":1,\"type\":\"syscall\"}",
	    "{\"seq_num\":31,\"timestamp\":4,\"pid\":1,\"type\":\"mystery\"}",
	};
	static const struct {
		uint64_t seq;
		ssize_t idx;
		size_t ub;
	} cases[] = {
	    {0, -ENOENT, 0}, {10, 0, 1}, {15, -ENOENT, 1}, {20, 1, 2},
	    {30, 2, 3},	     {31, 3, 4}, {32, -ENOENT, 4}, {UINT64_MAX, -ENOENT, 4},
	};
	char *base = fx_base(), dir[4096];
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_dir(base, "1-x", dir, sizeof(dir));
	fx_meta(dir, "1-x", "completed", "2026-03-29T10:15:00Z", NULL, 4);
	fx_events(dir, lines, 4);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(recording__find(r, cases[i].seq), cases[i].idx);
		assert_int_equal(recording__upper_bound(r, cases[i].seq), cases[i].ub);
	}
	assert_int_equal(recording__event(r, 3)->type, REC_OTHER);
	recording__free(r);
	fx_rm(base);
}

/* Each line in its own gzip member: gzread walks them all. */
static void test_recording_members(void **state)
{
	char *base = fx_base(), dir[4096];
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_dir(base, FX_STD_ID, dir, sizeof(dir));
	fx_meta(dir, FX_STD_ID, "stopped", "2026-03-29T10:15:00Z", "2026-03-29T10:15:01Z",
		FX_STD_N);
	for (size_t i = 0; i < FX_STD_N; i++)
		fx_events(dir, fx_std_lines + i, 1);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	assert_int_equal(recording__count(r), FX_STD_N);
	assert_int_equal(recording__event(r, FX_STD_N - 1)->seq_num, 12);
	assert_null(recording__warning(r, 0));
	recording__free(r);
	fx_rm(base);
}

/* A gzip file cut in the middle of its second member: the first member's events, a warning. */
static void test_recording_truncated_tail(void **state)
{
	char *base = fx_base(), dir[4096], want[4200];
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_dir(base, FX_STD_ID, dir, sizeof(dir));
	fx_meta(dir, FX_STD_ID, "recording", "2026-03-29T10:15:00Z", NULL, 0);
	fx_events(dir, fx_std_lines, 5);
	fx_events(dir, fx_std_lines + 5, FX_STD_N - 5);
	fx_cut(dir, "events.jsonl.gz", 30);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	assert_true(recording__count(r) >= 5);
	assert_true(recording__count(r) < FX_STD_N);
	assert_true(recording__meta(r)->incomplete);
	assert_string_equal(recording__warning(r, 0),
			    "recording " FX_STD_ID
			    " is incomplete (status recording); reading what was flushed");
	snprintf(want, sizeof(want),
		 "%s/events.jsonl.gz: truncated after %zu events (tracer killed?)", dir,
		 recording__count(r));
	assert_string_equal(recording__warning(r, 1), want);
	assert_null(recording__warning(r, 2));
	recording__free(r);
	fx_rm(base);
}

/* A writer killed after a sync flush: a member without trailer, its last line half written. */
static void test_recording_unfinished_member(void **state)
{
	char *base = fx_base(), dir[4096], want[4200];
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_dir(base, FX_STD_ID, dir, sizeof(dir));
	fx_meta(dir, FX_STD_ID, "completed", "2026-03-29T10:15:00Z", "2026-03-29T10:15:01Z", 3);
	fx_events(dir, fx_std_lines, 2);
	fx_events_unfinished(dir, "{\"seq_num\":2,\"timestamp\":5,\"type\":\"lost\",\"lost\":{}}\n"
				  "{\"seq_num\":3,\"timest");
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	assert_int_equal(recording__count(r), 3);
	snprintf(want, sizeof(want),
		 "%s/events.jsonl.gz: truncated after 3 events (tracer killed?)", dir);
	assert_string_equal(recording__warning(r, 0), want);
	recording__free(r);
	fx_rm(base);
}

/* Appends text to dir/events.jsonl.zst as one zstd frame, ended or (a killed writer) only
 * flushed. */
static void zst_append(const char *dir, const char *text, bool end)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_inBuffer in = {text, strlen(text), 0};
	unsigned char out[65536];
	ZSTD_outBuffer o = {out, sizeof(out), 0};
	char p[4352];
	size_t left;
	FILE *f;

	do
		left = ZSTD_compressStream2(cc, &o, &in, end ? ZSTD_e_end : ZSTD_e_flush);
	while (left && !ZSTD_isError(left));
	assert_false(ZSTD_isError(left));
	snprintf(p, sizeof(p), "%s/" EVFILE_ZSTD, dir);
	f = fopen(p, "ab");
	assert_non_null(f);
	assert_int_equal(fwrite(out, 1, o.pos, f), o.pos);
	fclose(f);
	ZSTD_freeCCtx(cc);
}

/* The zstd events file: a killed writer's unfinished frame reads like an unfinished gzip member. */
static void test_recording_zstd_unfinished_frame(void **state)
{
	char *base = fx_base(), dir[4096], want[4200], text[2048] = "";
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_dir(base, FX_STD_ID, dir, sizeof(dir));
	fx_meta(dir, FX_STD_ID, "recording", "2026-03-29T10:15:00Z", NULL, 3);
	for (int i = 0; i < 2; i++)
		strcat(strcat(text, fx_std_lines[i]), "\n");
	zst_append(dir, text, true);
	zst_append(dir,
		   "{\"seq_num\":2,\"timestamp\":5,\"type\":\"lost\",\"lost\":{}}\n"
		   "{\"seq_num\":3,\"timest",
		   false);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	assert_int_equal(recording__count(r), 3);
	assert_int_equal(recording__event(r, 2)->seq_num, 2);
	snprintf(want, sizeof(want),
		 "%s/events.jsonl.zst: truncated after 3 events (tracer killed?)", dir);
	assert_string_equal(recording__warning(r, 1), want);
	assert_string_equal(recording__events_path(r), strcat(strcpy(want, dir), "/" EVFILE_ZSTD));
	recording__free(r);
	fx_rm(base);
}

/* What the recorder writes, the reader reads: every line, the counts, no warning. */
static void test_recording_from_recorder(void **state)
{
	char *base = fx_base(), err_s[256], line[256], dir[4096];
	struct recorder *w;
	struct recording *r;
	struct rec_err err;
	const int n = 5000;

	(void)state;
	unsetenv("AGTRACE_REC_CODEC");
	w = recorder__open(base, 4242, "agent", err_s, sizeof(err_s));
	assert_non_null(w);
	snprintf(dir, sizeof(dir), "%s", recorder_dir(w));
	for (int i = 0; i < n; i++) {
		int len =
		    snprintf(line, sizeof(line),
			     "{\"seq_num\":%d,\"timestamp\":%d,\"pid\":42,\"type\":\"syscall\","
			     "\"syscall\":{\"syscall\":\"getppid\"}}\n",
			     i, i * 10);

		recorder_events(w, line, (size_t)len);
	}
	assert_int_equal(recorder__close(w, NULL), 0);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	assert_int_equal(recording__count(r), n);
	assert_int_equal(recording__type_count(r, REC_SYSCALL), n);
	assert_int_equal(recording__event(r, n - 1)->timestamp, (n - 1) * 10);
	assert_null(recording__warning(r, 0));
	recording__free(r);
	fx_rm(base);
}

/* Unterminated last line of a cleanly ended stream: kept if it parses, else the truncated tail. */
static void test_recording_unterminated_last_line(void **state)
{
	char *base = fx_base(), dir[4096], p[4200];
	struct recording *r;
	struct rec_err err;
	gzFile gz;

	(void)state;
	fx_dir(base, "1-x", dir, sizeof(dir));
	fx_meta(dir, "1-x", "completed", "2026-03-29T10:15:00Z", NULL, 2);
	snprintf(p, sizeof(p), "%s/events.jsonl.gz", dir);
	gz = gzopen(p, "wb");
	gzputs(gz, "{\"seq_num\":1,\"type\":\"x\"}\n{\"seq_num\":2,\"type\":\"x\"}");
	gzclose(gz);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	assert_int_equal(recording__count(r), 2);
	assert_null(recording__warning(r, 0));
	recording__free(r);
	gz = gzopen(p, "wb");
	gzputs(gz, "{\"seq_num\":1,\"type\":\"x\"}\n{\"seq_num\":2,\"ty");
	gzclose(gz);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	assert_int_equal(recording__count(r), 1);
	assert_non_null(strstr(recording__warning(r, 0), "truncated after 1 events"));
	recording__free(r);
	fx_rm(base);
}

/* Bad lines are errors that name the file and line. */
static void test_recording_bad_lines(void **state)
{
	static const struct {
		const char *line2;
		const char *what;
	} cases[] = {
	    {"garbage here", "not valid JSON"},
	    {"[1,2]", "not a JSON object"},
	    {"{\"timestamp\":1,\"type\":\"x\"}", "missing \"seq_num\""},
	    {"{\"seq_num\":-1,\"type\":\"x\"}", "\"seq_num\" is not a non-negative integer"},
	    {"{\"seq_num\":1.5,\"type\":\"x\"}", "\"seq_num\" is not a non-negative integer"},
	    {"{\"seq_num\":\"7\",\"type\":\"x\"}", "\"seq_num\" is not a non-negative integer"},
	    {"{\"seq_num\":7}", "missing \"type\""},
	    {"{\"seq_num\":7,\"type\":3}", "non-string \"type\""},
	    {"{\"seq_num\":7,\"type\":\"x\",\"timestamp\":\"now\"}",
	     "\"timestamp\" is not a non-negative number"},
	    {"{\"seq_num\":7,\"type\":\"x\",\"pid\":-4}", "\"pid\" is not a process id"},
	    {"{\"seq_num\":5,\"type\":\"x\"}", "seq_num 5 does not follow 5"},
	    {"{\"seq_num\":4,\"type\":\"x\"}", "seq_num 4 does not follow 5"},
	};
	char *base = fx_base(), dir[4096], want[4400];
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_dir(base, "1-x", dir, sizeof(dir));
	fx_meta(dir, "1-x", "completed", "2026-03-29T10:15:00Z", NULL, 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *lines[] = {"{\"seq_num\":5,\"type\":\"x\"}", "", cases[i].line2,
				       "{\"seq_num\":99,\"type\":\"x\"}"};
		char p[4200];

		snprintf(p, sizeof(p), "%s/events.jsonl.gz", dir);
		unlink(p);
		fx_events(dir, lines, 4);
		assert_int_equal(recording__open_dir(&r, dir, &err), -EINVAL);
		assert_null(r);
		snprintf(want, sizeof(want), "%s/events.jsonl.gz:3: %s", dir, cases[i].what);
		assert_string_equal(err.msg, want);
	}
	fx_rm(base);
}

static void test_recording_bad_metadata(void **state)
{
	static const struct {
		const char *text;
		const char *what;
	} cases[] = {
	    {"", "empty file"},
	    {"{\"record_id\":", "not valid JSON"},
	    {"[]", "not a JSON object"},
	    {"{\"pid\":1,\"start_time\":\"2026-03-29T10:15:00Z\",\"status\":\"completed\"}",
	     "missing \"record_id\""},
	    {"{\"record_id\":\"a\",\"pid\":\"1\",\"start_time\":\"2026-03-29T10:15:00Z\","
	     "\"status\":\"completed\"}",
	     "\"pid\" is not a non-negative integer"},
	    {"{\"record_id\":\"a\",\"pid\":1,\"start_time\":\"yesterday\",\"status\":"
	     "\"completed\"}",
	     "\"start_time\" is not an RFC 3339 time"},
	    {"{\"record_id\":\"a\",\"pid\":1,\"start_time\":\"2026-03-29T10:15:00Z\","
	     "\"status\":\"done\"}",
	     "\"status\" is \"done\", not recording, completed or stopped"},
	    {"{\"record_id\":\"a\",\"pid\":1,\"start_time\":\"2026-03-29T10:15:00Z\","
	     "\"status\":\"completed\",\"event_count\":-2}",
	     "\"event_count\" is not a non-negative integer"},
	    {"{\"record_id\":\"a\",\"pid\":1,\"start_time\":\"2026-03-29T10:15:00Z\","
	     "\"status\":\"completed\",\"intent\":7}",
	     "\"intent\" is not a string"},
	    {"{\"record_id\":\"a/b\",\"pid\":1,\"start_time\":\"2026-03-29T10:15:00Z\","
	     "\"status\":\"completed\"}",
	     "\"record_id\" is not a directory name"},
	};
	char *base = fx_base(), dir[4096], want[4400];
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_dir(base, "1-x", dir, sizeof(dir));
	fx_events(dir, fx_std_lines, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx_write(dir, "metadata.json", cases[i].text, strlen(cases[i].text));
		assert_int_equal(recording__open_dir(&r, dir, &err), -EINVAL);
		snprintf(want, sizeof(want), "%s/metadata.json: %s", dir, cases[i].what);
		assert_string_equal(err.msg, want);
	}
	unlink(strcat(strcpy(want, dir), "/metadata.json"));
	assert_int_equal(recording__open_dir(&r, dir, &err), -ENOENT);
	strcat(want, ": No such file or directory");
	assert_string_equal(err.msg, want);
	fx_rm(base);
}

static void test_recording_missing_or_empty_events(void **state)
{
	char *base = fx_base(), dir[4096], want[4400];
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_dir(base, "1-x", dir, sizeof(dir));
	fx_meta(dir, "1-x", "completed", "2026-03-29T10:15:00Z", NULL, 0);
	assert_int_equal(recording__open_dir(&r, dir, &err), -ENOENT);
	snprintf(want, sizeof(want), "%s/events.jsonl.zst: No such file or directory", dir);
	assert_string_equal(err.msg, want);
	fx_events(dir, NULL, 0);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	assert_int_equal(recording__count(r), 0);
	assert_int_equal(recording__find(r, 0), -ENOENT);
	assert_int_equal(recording__upper_bound(r, 5), 0);
	recording__free(r);
	fx_rm(base);
}

/*
 * An events file that is not gzip (random bytes, plain text, a damaged gzip header) is an error
 * naming the file, whatever metadata says; a zero-byte file or a valid empty gzip is 0 events.
 */
static void test_recording_not_gzip(void **state)
{
	static const struct {
		const char *data;
		size_t len;
		const char *what; /* NULL: opens */
	} cases[] = {
	    {"\x8e\x13\xa7\x00\xff\x42\x19\x77\x00\x01\x9a\x9b", 12, "not gzip data"},
	    {"{\"seq_num\":1,\"type\":\"x\"}\n", 26, "not gzip data"},
	    {"\x1f\x8c\x08\x00\x00\x00\x00\x00\x00\x03", 10, "not gzip data"},
	    {"\x1f\x8b\x07\x00\x00\x00\x00\x00\x00\x03\x01\x02\x03\x04\x05\x06\x07\x08\x09", 19,
	     "not gzip data (unknown compression method)"},
	    {"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff\xff\xff\xff\xff", 18,
	     "not gzip data (invalid block type)"},
	    {"", 0, NULL},
	    {"\x1f", 1, NULL},
	};
	char *base = fx_base(), dir[4096], want[4400];
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_dir(base, "1-x", dir, sizeof(dir));
	fx_meta(dir, "1-x", "completed", "2026-03-29T10:15:00Z", "2026-03-29T10:15:01Z", 1037);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx_write(dir, "events.jsonl.gz", cases[i].data, cases[i].len);
		if (!cases[i].what) {
			assert_int_equal(recording__open_dir(&r, dir, &err), 0);
			assert_int_equal(recording__count(r), 0);
			recording__free(r);
			continue;
		}
		assert_int_equal(recording__open_dir(&r, dir, &err), -EINVAL);
		assert_null(r);
		snprintf(want, sizeof(want), "%s/events.jsonl.gz: %s", dir, cases[i].what);
		assert_string_equal(err.msg, want);
	}
	/* a completed recording of no events: a valid empty gzip, no warning */
	fx_meta(dir, "1-x", "completed", "2026-03-29T10:15:00Z", "2026-03-29T10:15:01Z", 0);
	unlink(strcat(strcpy(want, dir), "/events.jsonl.gz"));
	fx_events(dir, NULL, 0);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	assert_int_equal(recording__count(r), 0);
	assert_null(recording__warning(r, 0));
	recording__free(r);
	fx_rm(base);
}

static void test_recording_count_mismatch(void **state)
{
	char *base = fx_base(), dir[4096], want[4400];
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_dir(base, "1-x", dir, sizeof(dir));
	fx_meta(dir, "1-x", "completed", "2026-03-29T10:15:00Z", NULL, 7);
	fx_events(dir, fx_std_lines, 2);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	snprintf(want, sizeof(want), "%s/metadata.json: event_count is 7, events.jsonl.gz holds 2",
		 dir);
	assert_string_equal(recording__warning(r, 0), want);
	recording__free(r);
	fx_rm(base);
}

/* REC: a path, an id under the base, a unique prefix; unknown and ambiguous ids are errors. */
static void test_recording_resolve(void **state)
{
	char *base = fx_base(), dir[4096], got[4096], want[4400];
	struct recording *r;
	struct rec_err err;

	(void)state;
	fx_std(base, dir, sizeof(dir));
	assert_int_equal(rec_resolve(dir, base, got, sizeof(got), &err), 0);
	assert_string_equal(got, dir);
	assert_int_equal(rec_resolve(FX_STD_ID, base, got, sizeof(got), &err), 0);
	assert_string_equal(got, dir);
	assert_int_equal(rec_resolve("100-2026", base, got, sizeof(got), &err), 0);
	assert_string_equal(got, dir);
	assert_int_equal(rec_resolve("999", base, got, sizeof(got), &err), -ENOENT);
	snprintf(want, sizeof(want), "no recording \"999\" under %s", base);
	assert_string_equal(err.msg, want);
	assert_int_equal(rec_resolve("/nonexistent/x", base, got, sizeof(got), &err), -ENOENT);
	assert_string_equal(err.msg, "/nonexistent/x: no such recording directory");
	fx_dir(base, "100-20260330-000000", got, sizeof(got));
	assert_int_equal(rec_resolve("100-", base, got, sizeof(got), &err), -EEXIST);
	assert_non_null(strstr(err.msg, "record id \"100-\" is ambiguous under"));
	assert_int_equal(recording__open(&r, FX_STD_ID, base, &err), 0);
	assert_int_equal(recording__count(r), FX_STD_N);
	recording__free(r);
	setenv("AGTRACE_DIR", base, 1);
	assert_string_equal(rec_base_dir(NULL), base);
	assert_string_equal(rec_base_dir("/x"), "/x");
	unsetenv("AGTRACE_DIR");
	assert_string_equal(rec_base_dir(NULL), "./agtrace-recordings");
	fx_rm(base);
}

static void test_recording_rfc3339(void **state)
{
	static const struct {
		const char *s;
		int ret;
		int64_t ns;
	} cases[] = {
	    {"1970-01-01T00:00:00Z", 0, 0},
	    {"2026-03-29T10:15:00Z", 0, 1774779300000000000LL},
	    {"2026-03-29T10:15:00.5Z", 0, 1774779300500000000LL},
	    {"2026-03-29T12:15:00.000000123+02:00", 0, 1774779300000000123LL},
	    {"2026-03-29 10:15:00z", 0, 1774779300000000000LL},
	    {"2026-03-29T10:15:00", -EINVAL, 0},
	    {"2026-13-29T10:15:00Z", -EINVAL, 0},
	    {"2026-03-29T10:15:00Zjunk", -EINVAL, 0},
	    {"2026-03-29T10:15:00.Z", -EINVAL, 0},
	    {"", -EINVAL, 0},
	    {"4052-03-29T10:15:00Z", -EINVAL, 0}, /* ns would overflow int64 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ns = 0;

		assert_int_equal(rfc3339_parse(cases[i].s, &ns), cases[i].ret);
		if (!cases[i].ret)
			assert_int_equal(ns, cases[i].ns);
	}
}

/* Parsing an indexed event gives back the object; payload lookup by type. */
static void test_recording_parse_payload(void **state)
{
	char *base = fx_base(), dir[4096];
	struct recording *r;
	struct rec_err err;
	long long v;
	cJSON *ev;

	(void)state;
	fx_std(base, dir, sizeof(dir));
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	ev = recording__parse(r, 4);
	assert_true(rec_json_ll(rec_payload(ev, REC_LLM_RESPONSE), "request_tokens", &v));
	assert_int_equal(v, 120);
	assert_string_equal(rec_json_str(rec_payload(ev, REC_LLM_RESPONSE), "model"), "gpt-4o");
	assert_null(rec_payload(ev, REC_SYSCALL));
	cJSON_Delete(ev);
	assert_null(recording__parse(r, 99));
	assert_string_equal(rec_type_name(REC_CONTEXT_SNAPSHOT), "context_snapshot");
	assert_int_equal(rec_type_of("llm_response"), REC_LLM_RESPONSE);
	assert_int_equal(rec_type_of("nope"), REC_OTHER);
	recording__free(r);
	fx_rm(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recording_index),
	    cmocka_unit_test(test_recording_find),
	    cmocka_unit_test(test_recording_members),
	    cmocka_unit_test(test_recording_truncated_tail),
	    cmocka_unit_test(test_recording_unfinished_member),
	    cmocka_unit_test(test_recording_zstd_unfinished_frame),
	    cmocka_unit_test(test_recording_from_recorder),
	    cmocka_unit_test(test_recording_unterminated_last_line),
	    cmocka_unit_test(test_recording_bad_lines),
	    cmocka_unit_test(test_recording_bad_metadata),
	    cmocka_unit_test(test_recording_missing_or_empty_events),
	    cmocka_unit_test(test_recording_count_mismatch),
	    cmocka_unit_test(test_recording_not_gzip),
	    cmocka_unit_test(test_recording_resolve),
	    cmocka_unit_test(test_recording_rfc3339),
	    cmocka_unit_test(test_recording_parse_payload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
