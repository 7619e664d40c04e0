// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_ctxdiff.c - ContextDiff: prompt hashes, message LCS / multiset, token delta, text, JSON. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctxdiff.h"
#include "rec_fixture.h"

#define HASH_A "42ea835592c20e1e24b29875c1063f6c7ef31f78c490c428306b4e1088fcf0e8"
#define HASH_B "64d4236703544b3dd3a64b9162375be95aee274b39f33db3151c37f8e79b3b23"

static void test_ctxdiff_append_only(void **state)
{
	struct fx *fx = *state;
	struct ctxdiff *d;
	struct rec_err err;

	assert_int_equal(ctxdiff__compute(fx->r, fx->f, 3, 10, &d, &err), 0);
	assert_int_equal(d->from_seq_num, 2);
	assert_int_equal(d->to_seq_num, 9);
	assert_int_equal(d->from_at, 3);
	assert_int_equal(d->to_at, 10);
	assert_int_equal(d->from_timestamp, 3000000);
	assert_int_equal(d->to_timestamp, 9000000);
	assert_true(d->system_prompt.changed);
	assert_string_equal(d->system_prompt.from_hash, HASH_A);
	assert_string_equal(d->system_prompt.to_hash, HASH_B);
	assert_int_equal(d->messages.from_count, 1);
	assert_int_equal(d->messages.to_count, 3);
	assert_int_equal(d->messages.nadded, 2);
	assert_string_equal(d->messages.added[0], "assistant: [call bash {\"cmd\":\"ls\"}]");
	assert_string_equal(d->messages.added[1], "tool: a.txt");
	assert_int_equal(d->messages.nremoved, 0);
	assert_false(d->messages.multiset);
	assert_int_equal(d->token_delta.from_tokens, 120);
	assert_int_equal(d->token_delta.to_tokens, 14);
	assert_int_equal(d->token_delta.delta, -106);
	assert_false(d->token_delta.from_estimated);
	assert_true(d->token_delta.to_estimated);
	ctxdiff__free(d);
}

/* [user, assistant, tool] -> [tool, user]: order matters, so a moved message is removed+added. */
static void test_ctxdiff_reordered(void **state)
{
	struct fx *fx = *state;
	struct ctxdiff *d;
	struct rec_err err;

	assert_int_equal(ctxdiff__compute(fx->r, fx->f, 9, 12, &d, &err), 0);
	assert_false(d->system_prompt.changed);
	assert_string_equal(d->system_prompt.from_hash, HASH_B);
	assert_int_equal(d->messages.nremoved, 2);
	assert_string_equal(d->messages.removed[0], "user: fix the bug");
	assert_string_equal(d->messages.removed[1], "assistant: [call bash {\"cmd\":\"ls\"}]");
	assert_int_equal(d->messages.nadded, 1);
	assert_string_equal(d->messages.added[0], "user: fix the bug");
	assert_int_equal(d->token_delta.from_tokens, 14);
	assert_int_equal(d->token_delta.to_tokens, 10);
	assert_int_equal(d->token_delta.delta, -4);
	ctxdiff__free(d);
	/* the same snapshot on both sides: nothing changed */
	assert_int_equal(ctxdiff__compute(fx->r, fx->f, 9, 11, &d, &err), 0);
	assert_int_equal(d->messages.nadded + d->messages.nremoved, 0);
	assert_int_equal(d->token_delta.delta, 0);
	ctxdiff__free(d);
}

static void test_ctxdiff_no_snapshot(void **state)
{
	struct fx *fx = *state;
	struct ctxdiff *d;
	struct rec_err err;
	char want[4400];

	assert_int_equal(ctxdiff__compute(fx->r, fx->f, 1, 9, &d, &err), -ENOENT);
	assert_null(d);
	snprintf(want, sizeof(want), "%s: no context snapshot at or before #1",
		 recording__dir(fx->r));
	assert_string_equal(err.msg, want);
}

static void test_ctxdiff_text(void **state)
{
	struct fx *fx = *state;
	struct ctxdiff *d;
	struct rec_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(ctxdiff__compute(fx->r, fx->f, 3, 10, &d, &err), 0);
	ctxdiff_print(d, f);
	fclose(f);
	assert_string_equal(
	    buf, "from #2 +0.003000 (nearest snapshot to #3)\n"
		 "to   #9 +0.009000 (nearest snapshot to #10)\n"
		 "system prompt: changed (sha256 42ea835592c2, 16 chars \xe2\x86\x92 sha256 "
		 "64d423670354, 21 chars)\n"
		 "messages: 1 \xe2\x86\x92 3 (+2 added, -0 removed)\n"
		 "  + assistant: [call bash {\"cmd\":\"ls\"}]\n"
		 "  + tool: a.txt\n"
		 "tokens: 120 \xe2\x86\x92 14 (-106; from request_tokens, to estimated)\n");
	free(buf);
	ctxdiff__free(d);
}

static void test_ctxdiff_json(void **state)
{
	struct fx *fx = *state;
	struct ctxdiff *d;
	struct rec_err err;
	cJSON *o;
	char *s;

	assert_int_equal(ctxdiff__compute(fx->r, fx->f, 9, 12, &d, &err), 0);
	o = ctxdiff_json(d);
	s = cJSON_PrintUnformatted(o);
	assert_string_equal(
	    s,
	    "{\"from_seq_num\":9,\"to_seq_num\":12,\"from_timestamp\":9000000,"
	    "\"to_timestamp\":12500000,\"system_prompt\":{\"changed\":false,\"from_hash\":\"" HASH_B
	    "\",\"to_hash\":\"" HASH_B "\",\"from_chars\":21,\"to_chars\":21},"
	    "\"messages\":{\"added\":[\"user: fix the bug\"],\"removed\":[\"user: fix the bug\","
	    "\"assistant: [call bash {\\\"cmd\\\":\\\"ls\\\"}]\"],\"from_count\":3,\"to_count\":2,"
	    "\"algorithm\":\"lcs\"},\"token_delta\":{\"from_tokens\":14,\"to_tokens\":10,"
	    "\"delta\":-4,\"estimated\":true,\"from_estimated\":true,\"to_estimated\":true}}");
	free(s);
	cJSON_Delete(o);
	ctxdiff__free(d);
}

static void fill(struct ctx_snapshot *s, struct ctx_msg *m, size_t n, const char *const *text)
{
	memset(s, 0, sizeof(*s));
	s->msgs = m;
	s->nmsgs = n;
	for (size_t i = 0; i < n; i++) {
		m[i] = (struct ctx_msg){.role = (char *)"user", .content = (char *)text[i]};
	}
}

/* LCS in the middle after prefix/suffix trimming; tool_call_id is part of a message's identity. */
static void test_ctxdiff_lcs_cases(void **state)
{
	static const char *const a[] = {"p", "x", "y", "z", "s"};
	static const char *const b[] = {"p", "y", "w", "z", "x", "s"};
	struct ctx_msg ma[5], mb[6];
	struct ctx_snapshot sa, sb;
	struct ctxdiff d;

	(void)state;
	fill(&sa, ma, 5, a);
	fill(&sb, mb, 6, b);
	assert_int_equal(ctxdiff_snapshots(&sa, &sb, &d), 0);
	/* common: p y z s; x moved after z */
	assert_int_equal(d.messages.nremoved, 1);
	assert_string_equal(d.messages.removed[0], "user: x");
	assert_int_equal(d.messages.nadded, 2);
	assert_string_equal(d.messages.added[0], "user: w");
	assert_string_equal(d.messages.added[1], "user: x");
	ctxdiff_release(&d);
	mb[1].tool_call_id = (char *)"c1"; /* "y" is now another message */
	assert_int_equal(ctxdiff_snapshots(&sa, &sb, &d), 0);
	assert_int_equal(d.messages.nremoved, 2);
	assert_int_equal(d.messages.nadded, 3);
	ctxdiff_release(&d);
	/* no system prompt on either side: unchanged, empty hashes */
	assert_false(d.system_prompt.changed);
	assert_string_equal(d.system_prompt.from_hash, "");
}

/* Beyond CTXDIFF_LCS_MAX_CELLS the middle is matched as a multiset. */
static void test_ctxdiff_multiset_fallback(void **state)
{
	const size_t n = 2100;
	struct ctx_msg *ma = calloc(n, sizeof(*ma)), *mb = calloc(n, sizeof(*mb));
	char **text = calloc(2 * n, sizeof(*text));
	struct ctx_snapshot sa = {0}, sb = {0};
	struct ctxdiff d;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		asprintf(&text[i], "m%zu", i);
		asprintf(&text[n + i], "m%zu", (i * 11 + 3) % n); /* a permutation */
		ma[i] = (struct ctx_msg){.role = (char *)"user", .content = text[i]};
		mb[i] = (struct ctx_msg){.role = (char *)"user", .content = text[n + i]};
	}
	mb[n - 1].content = (char *)"new"; /* one replaced: the permutation's last is lost */
	ma[0].content = (char *)"first";   /* and the first differs, so there is no prefix */
	sa.msgs = ma, sa.nmsgs = n, sb.msgs = mb, sb.nmsgs = n;
	assert_int_equal(ctxdiff_snapshots(&sa, &sb, &d), 0);
	assert_true(d.messages.multiset);
	assert_int_equal(d.messages.nadded, 2);
	assert_int_equal(d.messages.nremoved, 2);
	ctxdiff_release(&d);
	for (size_t i = 0; i < 2 * n; i++)
		free(text[i]);
	free(text);
	free(ma);
	free(mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ctxdiff_append_only, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_ctxdiff_reordered, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_ctxdiff_no_snapshot, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_ctxdiff_text, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_ctxdiff_json, fx_setup, fx_teardown),
	    cmocka_unit_test(test_ctxdiff_lcs_cases),
	    cmocka_unit_test(test_ctxdiff_multiset_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
