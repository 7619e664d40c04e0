// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_snapshot.c - SnapshotFinder, snapshot parsing, token counts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rec_fixture.h"
#include "snapshot.h"

/* Exact hits, steps between snapshots, before the first one, past the end. */
static void test_snapshot_find(void **state)
{
	static const struct {
		uint64_t seq;
		int ret;
		size_t idx;
	} cases[] = {
	    {0, -ENOENT, 0}, {1, -ENOENT, 0}, {2, 0, 2},   {3, 0, 2},	 {8, 0, 2},
	    {9, 0, 9},	     {11, 0, 9},      {12, 0, 12}, {500, 0, 12}, {UINT64_MAX, 0, 12},
	};
	struct fx *fx = *state;

	assert_true(snapfinder__has_snapshots(fx->f));
	assert_int_equal(fx->f->n, 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t idx = 999;

		assert_int_equal(snapfinder__find(fx->f, cases[i].seq, &idx), cases[i].ret);
		if (!cases[i].ret)
			assert_int_equal(idx, cases[i].idx);
		else
			assert_int_equal(idx, 999);
	}
}

static void test_snapshot_none(void **state)
{
	static const char *const lines[] = {"{\"seq_num\":1,\"type\":\"syscall\"}"};
	char *base = fx_base(), dir[4096];
	struct recording *r;
	struct snapfinder *f;
	struct rec_err err;
	size_t idx;

	(void)state;
	fx_dir(base, "1-x", dir, sizeof(dir));
	fx_meta(dir, "1-x", "completed", "2026-03-29T10:15:00Z", NULL, 1);
	fx_events(dir, lines, 1);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	f = snapfinder__new(r);
	assert_false(snapfinder__has_snapshots(f));
	assert_int_equal(snapfinder__find(f, 1, &idx), -ENOENT);
	snapfinder__free(f);
	recording__free(r);
	fx_rm(base);
}

static void test_snapshot_load(void **state)
{
	struct fx *fx = *state;
	struct ctx_snapshot *s;
	struct rec_err err;

	assert_int_equal(ctx_snapshot__load(fx->r, 9, &s, &err), 0);
	assert_int_equal(s->seq_num, 9);
	assert_int_equal(s->timestamp, 9000000);
	assert_int_equal(s->pid, 100);
	assert_string_equal(s->api, "openai.chat");
	assert_string_equal(s->model, "gpt-4o");
	assert_string_equal(s->system_prompt, "You are very helpful.");
	assert_int_equal(s->request_bytes, 400);
	assert_int_equal(s->nmsgs, 3);
	assert_string_equal(s->msgs[0].role, "user");
	assert_string_equal(s->msgs[0].content, "fix the bug");
	assert_null(s->msgs[0].tool_call_id);
	assert_null(s->msgs[0].tool_calls);
	assert_string_equal(s->msgs[1].content, "");
	assert_int_equal(cJSON_GetArraySize(s->msgs[1].tool_calls), 1);
	assert_string_equal(s->msgs[2].tool_call_id, "call_1");
	ctx_snapshot__free(s);
	assert_int_equal(ctx_snapshot__load(fx->r, 1, &s, &err), -EINVAL);
	assert_null(s);
	assert_string_equal(err.msg, "event index 1 is not a context_snapshot");
}

static void test_snapshot_bad_payload(void **state)
{
	static const struct {
		const char *ctx;
		const char *why;
	} cases[] = {
	    {"\"x\"", "no \"context\" object"},
	    {"{}", "\"context.messages\" is not an array"},
	    {"{\"messages\":[],\"system_prompt\":5}", "\"context.system_prompt\" is not a string"},
	    {"{\"messages\":[3]}", "a message is not an object"},
	    {"{\"messages\":[{\"content\":\"x\"}]}", "a message has no string \"role\""},
	    {"{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":1}]}",
	     "a message's \"tool_call_id\" is not a string"},
	    {"{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":{}}]}",
	     "a message's \"tool_calls\" is not an array"},
	    {"{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[1]}]}",
	     "a tool call is not an object"},
	};
	char *base = fx_base(), dir[4096], line[512], want[4400];

	(void)state;
	fx_dir(base, "1-x", dir, sizeof(dir));
	fx_meta(dir, "1-x", "completed", "2026-03-29T10:15:00Z", NULL, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *lines[] = {line};
		struct ctx_snapshot *s;
		struct recording *r;
		struct rec_err err;
		char p[4400];

		snprintf(p, sizeof(p), "%s/events.jsonl.gz", dir);
		unlink(p);
		snprintf(line, sizeof(line),
			 "{\"seq_num\":7,\"type\":\"context_snapshot\",\"context\":%s}",
			 cases[i].ctx);
		fx_events(dir, lines, 1);
		assert_int_equal(recording__open_dir(&r, dir, &err), 0);
		assert_int_equal(ctx_snapshot__load(r, 0, &s, &err), -EINVAL);
		snprintf(want, sizeof(want), "%s/events.jsonl.gz:1: context_snapshot #7: %s", dir,
			 cases[i].why);
		assert_string_equal(err.msg, want);
		recording__free(r);
	}
	fx_rm(base);
}

/* request_tokens of the answering llm_response, else chars/4 rounded up. */
static void test_snapshot_tokens(void **state)
{
	struct fx *fx = *state;
	struct ctx_snapshot *s;
	struct rec_err err;
	bool est = false;

	assert_int_equal(ctx_snapshot__load(fx->r, 2, &s, &err), 0);
	assert_int_equal(snapshot_tokens(fx->r, s, &est), 120);
	assert_false(est);
	assert_int_equal(snapshot_answer(fx->r, 2, REC_HTTP), 3);
	ctx_snapshot__free(s);
	/* 21 + 11 + 0 + 4 ("bash") + 12 ({"cmd":"ls"}) + 5 = 53 chars -> 14 */
	assert_int_equal(ctx_snapshot__load(fx->r, 9, &s, &err), 0);
	assert_int_equal(snapshot_tokens(fx->r, s, &est), 14);
	assert_true(est);
	assert_int_equal(snapshot_answer(fx->r, 9, REC_LLM_RESPONSE), -ENOENT);
	ctx_snapshot__free(s);
	assert_int_equal(ctx_estimate_tokens(NULL, NULL, 0), 0);
	assert_int_equal(ctx_estimate_tokens("abcd", NULL, 0), 1);
	assert_int_equal(ctx_estimate_tokens("abcde", NULL, 0), 2);
	/* code points, not bytes: 4 x U+00E9 is 8 bytes, 4 characters */
	assert_int_equal(ctx_estimate_tokens("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_snapshot_find, fx_setup, fx_teardown),
	    cmocka_unit_test(test_snapshot_none),
	    cmocka_unit_test_setup_teardown(test_snapshot_load, fx_setup, fx_teardown),
	    cmocka_unit_test(test_snapshot_bad_payload),
	    cmocka_unit_test_setup_teardown(test_snapshot_tokens, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
