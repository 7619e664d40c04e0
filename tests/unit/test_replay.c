// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_replay.c - ReplaySession commands and FormatReplayEvent lines, exact output. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "evfmt.h"
#include "rec_fixture.h"
#include "replay.h"

static const char *const ev_lines[] = {
    "#0 +0.001000 [pid 100] exec /usr/bin/python3 [\"python3\", \"agent.py\", \"--task\", \"fix\"]",
    "#1 +0.002000 [pid 100] openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 3 <0.000021>",
    "#2 +0.003000 [pid 100] context 1 message, system prompt 16 chars (openai.chat gpt-4o)",
    "#3 +0.004000 [pid 100] HTTP POST /v1/chat/completions 200 200\xe2\x86\x92"
    "0 bytes",
    "#4 +0.005000 [pid 100] LLM gpt-4o 120\xe2\x86\x92"
    "30 tokens 850 ms 200 tool_calls=[bash]",
    "#5 +0.006000 [pid 101] fork (parent 100)",
    "#6 +0.006500 [pid 101] exec /bin/ls [\"ls\", \"-la\"]",
    "#7 +0.007000 [pid 101] exit 0",
    "#8 +0.008000 lost 3 events",
    "#9 +0.009000 [pid 100] context 3 messages, system prompt 21 chars (openai.chat gpt-4o)",
    "#10 +0.010000 [pid 100] unlink(\"/tmp/x\") = -1 ENOENT <0.000005>",
    "#11 +0.011000 [pid 100] state thinking \xe2\x86\x92 tool (tool_calls)",
    "#12 +0.012500 [pid 100] context 2 messages, system prompt 21 chars (openai.chat gpt-4o)",
};

static void test_replay_event_lines(void **state)
{
	struct fx *fx = *state;

	for (size_t i = 0; i < FX_STD_N; i++) {
		char *buf = NULL, want[512];
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		evfmt_print(fx->r, i, false, f);
		fclose(f);
		snprintf(want, sizeof(want), "%s\n", ev_lines[i]);
		assert_string_equal(buf, want);
		free(buf);
	}
}

/* Runs the commands; returns what was written to out and err, and the last return code. */
static int run(struct fx *fx, const char *const *cmds, size_t n, char **out, char **err)
{
	size_t ol = 0, el = 0;
	FILE *o = open_memstream(out, &ol), *e = open_memstream(err, &el);
	struct replay *s = replay__new(fx->r, o, e);
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		ret = replay__exec(s, cmds[i]);
	replay__free(s);
	fclose(o);
	fclose(e);
	return ret;
}

static void test_replay_script(void **state)
{
	static const char *const cmds[] = {"list 2",	"n", "g 8",  "l 1",  "p",
					   "# comment", "",  "next", "next", "c"};
	struct fx *fx = *state;
	char *out, *err;

	assert_int_equal(run(fx, cmds, sizeof(cmds) / sizeof(cmds[0]), &out, &err), 0);
	assert_string_equal(err, "");
	assert_string_equal(out,
			    "\xe2\x96\xba (before the first event)\n"
			    "  #0 +0.001000 [pid 100] exec /usr/bin/python3 [\"python3\", "
			    "\"agent.py\", \"--task\", \"fix\"]\n"
			    "  #1 +0.002000 [pid 100] openat(AT_FDCWD, \"/etc/hosts\", "
			    "O_RDONLY|O_CLOEXEC) = 3 <0.000021>\n"
			    "#0 +0.001000 [pid 100] exec /usr/bin/python3 [\"python3\", "
			    "\"agent.py\", \"--task\", \"fix\"]\n"
			    "#8 +0.008000 lost 3 events\n"
			    "  #7 +0.007000 [pid 101] exit 0\n"
			    "\xe2\x96\xba #8 +0.008000 lost 3 events\n"
			    "  #9 +0.009000 [pid 100] context 3 messages, system prompt 21 chars "
			    "(openai.chat gpt-4o)\n"
			    "#7 +0.007000 [pid 101] exit 0\n"
			    "#8 +0.008000 lost 3 events\n"
			    "#9 +0.009000 [pid 100] context 3 messages, system prompt 21 chars "
			    "(openai.chat gpt-4o)\n"
			    "#9 +0.009000 [pid 100] context 3 messages, system prompt 21 chars "
			    "(openai.chat gpt-4o)\n");
	free(out);
	free(err);
}

/* The list window is clamped at both ends. */
static void test_replay_list_edges(void **state)
{
	static const char *const cmds[] = {"g 12", "l 1", "g #0", "l 1"};
	struct fx *fx = *state;
	char *out, *err;

	assert_int_equal(run(fx, cmds, 4, &out, &err), 0);
	assert_string_equal(
	    out, "#12 +0.012500 [pid 100] context 2 messages, system prompt 21 "
		 "chars (openai.chat gpt-4o)\n"
		 "  #11 +0.011000 [pid 100] state thinking \xe2\x86\x92 tool (tool_calls)\n"
		 "\xe2\x96\xba #12 +0.012500 [pid 100] context 2 messages, system prompt "
		 "21 chars (openai.chat gpt-4o)\n"
		 "#0 +0.001000 [pid 100] exec /usr/bin/python3 [\"python3\", "
		 "\"agent.py\", \"--task\", \"fix\"]\n"
		 "\xe2\x96\xba #0 +0.001000 [pid 100] exec /usr/bin/python3 "
		 "[\"python3\", \"agent.py\", \"--task\", \"fix\"]\n"
		 "  #1 +0.002000 [pid 100] openat(AT_FDCWD, \"/etc/hosts\", "
		 "O_RDONLY|O_CLOEXEC) = 3 <0.000021>\n");
	free(out);
	free(err);
}

static void test_replay_errors(void **state)
{
	static const struct {
		const char *cmd;
		int ret;
		const char *err;
	} cases[] = {
	    {"p", -ENOENT, "agtrace-bpf: the cursor is before the first event\n"},
	    {"c", -ENOENT,
	     "agtrace-bpf: the cursor is before the first event: next or goto first\n"},
	    {"g 99", -ENOENT, "agtrace-bpf: no event #99 (events #0..#12)\n"},
	    {"g x", -EINVAL, "agtrace-bpf: \"x\" is not a sequence number\n"},
	    {"g", -EINVAL, "agtrace-bpf: usage: goto SEQ\n"},
	    {"l -1", -EINVAL, "agtrace-bpf: list: \"-1\" is not a count (0..100000)\n"},
	    {"d 9", -ENOENT,
	     "agtrace-bpf: the cursor is before the first event: next or goto first\n"},
	    {"frobnicate", -EINVAL, "agtrace-bpf: unknown command \"frobnicate\" (h for help)\n"},
	    {"q", REPLAY_QUIT, ""},
	};
	struct fx *fx = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out, *err;

		assert_int_equal(run(fx, &cases[i].cmd, 1, &out, &err), cases[i].ret);
		assert_string_equal(err, cases[i].err);
		assert_string_equal(out, "");
		free(out);
		free(err);
	}
}

static void test_replay_next_at_end(void **state)
{
	static const char *const cmds[] = {"g 12", "n"};
	struct fx *fx = *state;
	char *out, *err;

	assert_int_equal(run(fx, cmds, 2, &out, &err), -ENOENT);
	assert_string_equal(err, "agtrace-bpf: end of the recording (13 events)\n");
	free(out);
	free(err);
}

/* diff with one SEQ starts at the cursor (DiffFromCursor); fork defaults to the cursor. */
static void test_replay_diff_fork(void **state)
{
	static const char *const cmds[] = {"g 3", "d 10", "f"};
	struct fx *fx = *state;
	char *out, *err;

	assert_int_equal(run(fx, cmds, 3, &out, &err), 0);
	assert_string_equal(err, "");
	assert_string_equal(
	    out, "#3 +0.004000 [pid 100] HTTP POST /v1/chat/completions 200 200\xe2\x86\x92"
		 "0 bytes\n"
		 "from #2 +0.003000 (nearest snapshot to #3)\n"
		 "to   #9 +0.009000 (nearest snapshot to #10)\n"
		 "system prompt: changed (sha256 42ea835592c2, 16 chars \xe2\x86\x92 sha256 "
		 "64d423670354, 21 chars)\n"
		 "messages: 1 \xe2\x86\x92 3 (+2 added, -0 removed)\n"
		 "  + assistant: [call bash {\"cmd\":\"ls\"}]\n"
		 "  + tool: a.txt\n"
		 "tokens: 120 \xe2\x86\x92 14 (-106; from request_tokens, to estimated)\n"
		 "{\n  \"original_pid\": 100,\n  \"seq_num\": 3,\n  \"intent\": \"python3 "
		 "agent.py --task fix\",\n  \"system_prompt\": \"You are helpful.\",\n"
		 "  \"messages\": [\n    {\n      \"role\": \"user\",\n      \"content\": "
		 "\"fix the bug\"\n    }\n  ],\n  \"snapshot_seq_num\": 2,\n  \"api\": "
		 "\"openai.chat\",\n  \"model\": \"gpt-4o\"\n}\n");
	free(out);
	free(err);
}

static void test_replay_summary(void **state)
{
	static const char *const cmds[] = {"g 4", "s"};
	struct fx *fx = *state;
	char *out, *err;

	assert_int_equal(run(fx, cmds, 2, &out, &err), 0);
	assert_string_equal(
	    strchr(out, '\n') + 1,
	    "record_id  100-20260329-101500\n"
	    "pid        100\n"
	    "intent     python3 agent.py\n"
	    "start      2026-03-29T10:15:00Z\n"
	    "duration   2.500000 s\n"
	    "status     completed\n"
	    "events     13 (syscall 2, process 4, llm_response 1, context_snapshot 3, "
	    "state_change 1, lost 1, http 1)\n"
	    "lost       3\n"
	    "llm        1 calls, 120 tokens in, 30 out\n"
	    "cursor     #4 (5 of 13)\n");
	free(out);
	free(err);
}

/* A recording of its own under a fresh base: metadata (intent as raw JSON) and the lines. */
static struct recording *open_own(char **base, const char *intent_json, const char *const *lines,
				  size_t n)
{
	char dir[4096], meta[1024];
	struct recording *r;
	struct rec_err err;
	int len;

	*base = fx_base();
	fx_dir(*base, "7-x", dir, sizeof(dir));
	len = snprintf(meta, sizeof(meta),
		       "{\"record_id\":\"7-x\",\"pid\":7,\"intent\":%s,\"start_time\":"
		       "\"2026-03-29T10:15:00Z\",\"end_time\":\"2026-03-29T10:15:01Z\","
		       "\"event_count\":%zu,\"status\":\"completed\",\"lost_events\":0}\n",
		       intent_json, n);
	fx_write(dir, "metadata.json", meta, (size_t)len);
	fx_events(dir, lines, n);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	return r;
}

/*
 * String arguments are the decoded bytes of the JSON text, NULs included (cJSON's C strings end
 * at the first one), quoted as the live tracer does: strace's octal, \0 widened to \000 before a
 * digit, bytes and not characters counted for the cut, a \u00XX above 0x7f as the raw byte the
 * tracer escaped (invalid UTF-8), a surrogate pair as its UTF-8 bytes.
 */
static void test_replay_string_args(void **state)
{
	static const struct {
		const char *json;
		const char *shown;
	} cases[] = {
	    {"\"\\u007fELF\\u0002\\u0001\\u0001\\u0003\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"
	     "\\u0000\\u0000\\u0003\\u0000>\\u0000\\u0001\\u0000\\u0000\\u0000\"",
	     "\"\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0\""},
	    {"\"a\\u0000\"", "\"a\\0\""},
	    {"\"\\u00001\\u00008x\\u0000\"", "\"\\0001\\08x\\0\""},
	    {"\"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"
	     "\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"
	     "\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"
	     "\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"
	     "\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"
	     "\\u0000\\u0000\\u0000\"",
	     "\"\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0"
	     "\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"..."},
	    {"\"\\t\\n\\r\\u000b\\f\\b\\u0007\\u001b[0m\\\"\\\\\\/\"",
	     "\"\\t\\n\\r\\v\\f\\10\\7\\33[0m\\\"\\\\/\""},
	    {"\"\\u0080\\u00ff\\u00e9\"", "\"\\200\\377\\351\""},
	    {"\"\xc3\xa9\\u00e9\"", "\"\\303\\251\\351\""},
	    {"\"\\ud83d\\ude00\\u20ac\"", "\"\\360\\237\\230\\200\\342\\202\\254\""},
	    {"\"O_RDONLY\\u0000\"", "\"O_RDONLY\\0\""},
	    {"\"O_RDONLY|O_CLOEXEC\"", "O_RDONLY|O_CLOEXEC"},
	    {"\"\"", "\"\""},
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	char *lines[N], *base;
	struct recording *r;

	(void)state;
	for (size_t i = 0; i < N; i++)
		assert_true(
		    asprintf(&lines[i],
			     "{\"seq_num\":%zu,\"timestamp\":1000,\"pid\":7,\"type\":\"syscall\","
			     "\"syscall\":{\"syscall\":\"read\",\"args\":{\"fd\":3,\"buf\":%s,"
			     "\"count\":832},\"result\":832,\"err\":\"\",\"duration\":2000}}",
			     i, cases[i].json) > 0);
	r = open_own(&base, "\"a\"", (const char *const *)lines, N);
	for (size_t i = 0; i < N; i++) {
		char *buf = NULL, want[1024];
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		evfmt_print(r, i, false, f);
		fclose(f);
		size_t sl = strlen(cases[i].shown);
		/* read returned 832 bytes: a shorter head is shown cut, "..." (strace's form) */
		bool cut = cases[i].shown[0] == '"' &&
			   !(sl > 3 && !strcmp(cases[i].shown + sl - 3, "..."));

		snprintf(want, sizeof(want),
			 "#%zu +0.000001 [pid 7] read(3, %s%s, 832) = 832 <0.000002>\n", i,
			 cases[i].shown, cut ? "..." : "");
		assert_string_equal(buf, want);
		free(buf);
		free(lines[i]);
	}
	recording__free(r);
	fx_rm(base);
}

/* exec's argv goes through the same decoding: a NUL or an invalid byte inside an argument. */
static void test_replay_exec_argv_bytes(void **state)
{
	static const char *const lines[] = {
	    "{\"seq_num\":1,\"timestamp\":1000,\"pid\":7,\"type\":\"process\",\"process\":{"
	    "\"event\":"
	    "\"exec\",\"filename\":\"/bin/x\",\"argv\":[\"x\",\"a\\u0000b\",\"\\u00ff\",7]}}",
	};
	char *base, *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct recording *r = open_own(&base, "\"a\"", lines, 1);

	(void)state;
	evfmt_print(r, 0, false, f);
	fclose(f);
	assert_string_equal(buf,
			    "#1 +0.000001 [pid 7] exec /bin/x [\"x\", \"a\\0b\", \"\\377\", 7]\n");
	free(buf);
	recording__free(r);
	fx_rm(base);
}

/* The summary keeps to its lines: control characters of the intent are escaped. */
static void test_replay_summary_escapes(void **state)
{
	static const char *const lines[] = {"{\"seq_num\":1,\"timestamp\":1000,\"type\":\"x\"}"};
	static const char *const cmds[] = {"s"};
	struct fx fx = {0};
	char *out, *err;

	(void)state;
	fx.r = open_own(&fx.base, "\"python3 -c \\\"a\\nb\\\"\\tx\\r\\u001b[31m\\\\n\"", lines, 1);
	assert_int_equal(run(&fx, cmds, 1, &out, &err), 0);
	assert_non_null(strstr(out, "\nintent     python3 -c \"a\\nb\"\\tx\\r\\33[31m\\\\n\n"));
	free(out);
	free(err);
	recording__free(fx.r);
	fx_rm(fx.base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_replay_event_lines, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_replay_script, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_replay_list_edges, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_replay_errors, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_replay_next_at_end, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_replay_diff_fork, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_replay_summary, fx_setup, fx_teardown),
	    cmocka_unit_test(test_replay_string_args),
	    cmocka_unit_test(test_replay_exec_argv_bytes),
	    cmocka_unit_test(test_replay_summary_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
