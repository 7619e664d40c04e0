// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_ctxprof.c - AnalyzeContext on a known conversation: kinds, calibration, classes, advice. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctxprof.h"

/* head, then filler, exactly n bytes (owned by the pool below). */
static char *pool[64];
static size_t npool;

static char *keep(char *s)
{
	assert_true(npool < sizeof(pool) / sizeof(pool[0]));
	pool[npool++] = s;
	return s;
}

static const char *fill(const char *head, size_t n)
{
	static const char filler[] = " and so on";
	char *s = calloc(1, n + 1);
	size_t h = strlen(head);

	assert_true(h <= n);
	memcpy(s, head, h);
	for (size_t i = h; i < n; i++)
		s[i] = filler[(i - h) % (sizeof(filler) - 1)];
	return keep(s);
}

/* Lines from fmt (one %d), exactly n bytes. */
static const char *lines(const char *fmt, size_t n)
{
	char *s = calloc(1, n + 64);
	size_t len = 0;

	for (int i = 0; len < n; i++)
		len += (size_t)sprintf(s + len, fmt, i);
	s[n] = '\0';
	return keep(s);
}

static void add_msg(cJSON *msgs, const char *role, const char *content, const char *call_id,
		    const char *call_name, const char *call_args, const char *tool_call_id)
{
	cJSON *m = cJSON_CreateObject(), *calls, *c;

	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", content);
	if (tool_call_id)
		cJSON_AddStringToObject(m, "tool_call_id", tool_call_id);
	if (call_id) {
		calls = cJSON_AddArrayToObject(m, "tool_calls");
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "id", call_id);
		cJSON_AddStringToObject(c, "name", call_name);
		cJSON_AddStringToObject(c, "arguments", call_args);
		cJSON_AddItemToArray(calls, c);
	}
	cJSON_AddItemToArray(msgs, m);
}

/*
 * The conversation: 4 turns, the last with 4 steps. Token estimates (bytes/4 rounded up + 4 per
 * message): system 503; #1 user 34; #2 assistant 304; #3 user 24; #4 assistant 44; #5 user 34
 * (same text as #1); #6 assistant 64; #7 user 29; #8 calls shell 14; #9 tool 1004 (never
 * quoted); #10 calls read_file 13; #11 tool 504 (quoted by #14); #12 assistant 14 + calls 9;
 * #13 tool 19; #14 assistant 104. Tool definitions: 400 bytes = 100 tokens.
 */
static cJSON *conversation(void)
{
	cJSON *ctx = cJSON_CreateObject(), *msgs, *tools;
	const char *q1 = fill("Why does the nightly build fail? Please find the cause.", 120);

	cJSON_AddStringToObject(ctx, "api", "openai.chat");
	cJSON_AddStringToObject(ctx, "model", "gpt-4o");
	cJSON_AddStringToObject(ctx, "system_prompt", fill("You are a build doctor.", 1996));
	msgs = cJSON_AddArrayToObject(ctx, "messages");
	add_msg(msgs, "user", q1, NULL, NULL, NULL, NULL);
	add_msg(msgs, "assistant", fill("Let me think about the build.", 1200), NULL, NULL, NULL,
		NULL);
	add_msg(msgs, "user", fill("Any luck?", 80), NULL, NULL, NULL, NULL);
	add_msg(msgs, "assistant", fill("Not yet.", 160), NULL, NULL, NULL, NULL);
	add_msg(msgs, "user", q1, NULL, NULL, NULL, NULL);
	add_msg(msgs, "assistant", fill("I will look at the logs.", 240), NULL, NULL, NULL, NULL);
	add_msg(msgs, "user", fill("Go ahead, use the tools.", 100), NULL, NULL, NULL, NULL);
	add_msg(msgs, "assistant", "", "call_1", "shell", fill("{\"cmd\":\"find /var/log\"}", 35),
		NULL);
	add_msg(msgs, "tool", lines("/var/log/app/service-%04d.log: 12 errors\n", 4000), NULL, NULL,
		NULL, "call_1");
	add_msg(msgs, "assistant", "", "call_2", "read_file", fill("{\"path\":\"build.cfg\"}", 27),
		NULL);
	add_msg(msgs, "tool", lines("config line %03d: option_x = enabled\n", 2000), NULL, NULL,
		NULL, "call_2");
	add_msg(msgs, "assistant", fill("Checking the compiler.", 40), "call_3", "shell",
		fill("{\"cmd\":\"cc -v\"}", 31), NULL);
	add_msg(msgs, "tool", fill("gcc version 12.2.0 (Debian 12.2.0-14)", 60), NULL, NULL, NULL,
		"call_3");
	add_msg(msgs, "assistant",
		fill("The failure comes from this setting:\nconfig line 017: option_x = enabled\n"
		     "Disable it.",
		     400),
		NULL, NULL, NULL, NULL);
	tools = cJSON_AddArrayToObject(ctx, "tools");
	cJSON_AddItemToArray(tools, cJSON_CreateString("shell"));
	cJSON_AddItemToArray(tools, cJSON_CreateString("read_file"));
	cJSON_AddNumberToObject(ctx, "message_count", 14);
	return ctx;
}

/* A request body whose "tools" member is exactly 400 bytes of compact JSON. */
static const char *body_400(void)
{
	static const char head[] = "[{\"type\":\"function\",\"function\":{\"name\":\"shell\","
				   "\"description\":\"",
			  tail[] = "\"}},{\"type\":\"function\",\"function\":{\"name\":"
				   "\"read_file\",\"description\":\"r\"}}]";
	char *b = calloc(1, 600);
	size_t pad = 400 - (sizeof(head) - 1) - (sizeof(tail) - 1);

	strcpy(b, "{\"model\":\"gpt-4o\",\"tools\":");
	strcat(b, head);
	memset(b + strlen(b), 'x', pad);
	strcat(b, tail);
	strcat(b, ",\"stream\":true}");
	return keep(b);
}

static int teardown(void **state)
{
	(void)state;
	while (npool)
		free(pool[--npool]);
	return 0;
}

static const char *const want_cls[] = {
    "cold", "cold",   "cold",	"cold",	  "leaked", "warm",   "active",
    "warm", "leaked", "active", "active", "active", "active", "active",
};

static void check_kind(const struct ctx_profile *p, size_t k, const char *kind, long long tokens,
		       int messages)
{
	assert_string_equal(p->kinds[k].kind, kind);
	assert_int_equal(p->kinds[k].tokens, tokens);
	assert_int_equal(p->kinds[k].messages, messages);
}

static void test_ctxprof_estimated(void **state)
{
	cJSON *ctx = conversation();
	struct ctx_profile p;
	static const long long want_tok[] = {34, 304,  24, 44,	34, 64, 29,
					     14, 1004, 13, 504, 23, 19, 104};

	(void)state;
	assert_int_equal(ctx_analyze(&p, ctx, NULL, -1, 0, 77, 123), 0);
	assert_false(p.calibrated);
	assert_true(p.scale == 1.0);
	assert_int_equal(p.estimated_tokens, 2717);
	assert_int_equal(p.total_tokens, 2717);
	assert_int_equal(p.tokens_used, 2717);
	assert_int_equal(p.request_tokens, -1);
	assert_false(p.tools_size_known);
	assert_int_equal(p.ntools, 2);
	assert_int_equal(p.nkinds, 6);
	check_kind(&p, 0, "system", 503, 1);
	check_kind(&p, 1, "user", 121, 4);
	check_kind(&p, 2, "assistant", 530, 5);
	check_kind(&p, 3, "tool_results", 1527, 3);
	check_kind(&p, 4, "tool_calls", 36, 3);
	check_kind(&p, 5, "tool_definitions", 0, 0);
	assert_int_equal(p.nmsgs, 14);
	for (size_t i = 0; i < 14; i++) {
		assert_int_equal(p.msgs[i].index, (int)i + 1);
		assert_int_equal(p.msgs[i].tokens, want_tok[i]);
		assert_string_equal(p.msgs[i].cls, want_cls[i]);
	}
	assert_string_equal(p.msgs[4].leak_reason, "duplicate");
	assert_int_equal(p.msgs[4].dup_of, 1);
	assert_string_equal(p.msgs[8].leak_reason, "unreferenced tool result");
	assert_null(p.msgs[10].leak_reason); /* quoted by #14 */
	assert_string_equal(p.msgs[7].kind, "tool_calls");
	assert_string_equal(p.msgs[11].kind, "assistant");
	assert_string_equal(p.msgs[8].kind, "tool_results");
	assert_int_equal(p.active.tokens, 1195);
	assert_int_equal(p.active.messages, 7);
	assert_int_equal(p.warm.tokens, 78);
	assert_int_equal(p.warm.messages, 2);
	assert_int_equal(p.cold.tokens, 406);
	assert_int_equal(p.cold.messages, 4);
	assert_int_equal(p.leaked.tokens, 1038);
	assert_int_equal(p.leaked.messages, 2);
	ctx_profile_release(&p);
	cJSON_Delete(ctx);
}

static void test_ctxprof_calibrated(void **state)
{
	cJSON *ctx = conversation();
	struct ctx_profile p;
	static const char *const want_top[][2] = {
	    {"tool_results", "tool results are 3,054 tokens (54%) in 3 messages: truncate or "
			     "summarize tool output"},
	    {"tool_result #9 (shell)",
	     "tool result of `shell` (call_1) is 2,008 tokens, 36% of the context and nothing "
	     "later refers to it: drop it or keep a one-line summary"},
	    {"assistant", "assistant messages are 1,060 tokens (19%): ask for shorter answers or "
			  "drop old reasoning from the history"},
	    {"tool_result #11 (read_file)",
	     "tool result of `read_file` (call_2) is 1,008 tokens, 18% of the context: truncate or "
	     "summarize tool output"},
	    {"system", "system prompt is 1,006 tokens, sent on every step: cache it (prompt "
		       "caching) or shorten it"},
	    {"assistant #2", "assistant message #2 is 608 tokens, 11% of the context: drop or "
			     "summarize old reasoning and arguments"},
	    {"user", NULL},
	    {"tool_definitions", NULL},
	    {"tool_calls", NULL},
	};
	static const long long want_top_tok[] = {3054, 2008, 1060, 1008, 1006, 608, 242, 200, 72};

	(void)state;
	assert_int_equal(ctx_analyze(&p, ctx, body_400(), 5634, 6000, 77, 123), 0);
	assert_true(p.calibrated);
	assert_true(p.scale == 2.0);
	assert_int_equal(p.estimated_tokens, 2817);
	assert_int_equal(p.total_tokens, 5634);
	assert_int_equal(p.tokens_used, 5634);
	assert_true(p.tools_size_known);
	check_kind(&p, 0, "system", 1006, 1);
	check_kind(&p, 1, "user", 242, 4);
	check_kind(&p, 2, "assistant", 1060, 5);
	check_kind(&p, 3, "tool_results", 3054, 3);
	check_kind(&p, 4, "tool_calls", 72, 3);
	check_kind(&p, 5, "tool_definitions", 200, 0);
	for (size_t i = 0; i < 14; i++)
		assert_string_equal(p.msgs[i].cls, want_cls[i]);
	assert_int_equal(p.active.tokens, 2590);
	assert_int_equal(p.warm.tokens, 156);
	assert_int_equal(p.cold.tokens, 812);
	assert_int_equal(p.leaked.tokens, 2076);
	assert_true(p.leaked.pct > 36.84 && p.leaked.pct < 36.85);
	assert_int_equal(p.ntop, 9);
	for (size_t i = 0; i < p.ntop; i++) {
		assert_int_equal(p.top[i].rank, (int)i + 1);
		assert_string_equal(p.top[i].kind, want_top[i][0]);
		assert_int_equal(p.top[i].tokens, want_top_tok[i]);
		if (want_top[i][1])
			assert_string_equal(p.top[i].suggestion, want_top[i][1]);
		else
			assert_null(p.top[i].suggestion);
	}
	assert_int_equal(p.nsuggestions, 9);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(p.suggestions[i], want_top[i][1]);
	assert_string_equal(p.suggestions[6],
			    "messages #1 and #5 are identical: drop the duplicate");
	assert_string_equal(p.suggestions[7],
			    "the 4 oldest messages are cold (812 tokens): summarize them");
	assert_string_equal(p.suggestions[8],
			    "the context is at 93.9% of its 6,000-token budget (5,634 tokens): "
			    "compact it before the next steps");
	ctx_profile_release(&p);
	cJSON_Delete(ctx);
}

/* Rounding: 3 parts of 5 estimated tokens, 10 real -> each 3.33 rounds to 3; scale reported. */
static void test_ctxprof_rounding_and_chat(void **state)
{
	cJSON *ctx = cJSON_CreateObject(), *msgs = cJSON_AddArrayToObject(ctx, "messages");
	struct ctx_profile p;

	(void)state;
	add_msg(msgs, "user", "hi", NULL, NULL, NULL, NULL);
	add_msg(msgs, "assistant", "hey", NULL, NULL, NULL, NULL);
	add_msg(msgs, "user", "bye", NULL, NULL, NULL, NULL);
	assert_int_equal(ctx_analyze(&p, ctx, NULL, 10, 0, 1, 2), 0);
	assert_true(p.calibrated);
	assert_int_equal(p.estimated_tokens, 15);
	assert_true(p.scale > 0.6666 && p.scale < 0.6667);
	assert_int_equal(p.total_tokens, 9);
	assert_int_equal(p.tokens_used, 10);
	/* chat: the last user message is active, the previous turn warm */
	assert_string_equal(p.msgs[0].cls, "warm");
	assert_string_equal(p.msgs[1].cls, "warm");
	assert_string_equal(p.msgs[2].cls, "active");
	assert_int_equal(p.active.messages, 1); /* no system prompt */
	assert_int_equal(p.ntop, 2);		/* kinds: user 6, assistant 3 */
	assert_string_equal(p.top[0].kind, "user");
	assert_string_equal(p.top[1].kind, "assistant");
	ctx_profile_release(&p);
	cJSON_Delete(ctx);
}

/* No user message: the whole conversation is the current turn; odd content types; bad input. */
static void test_ctxprof_edges(void **state)
{
	cJSON *ctx = cJSON_Parse(
	    "{\"system_prompt\":null,\"messages\":[{\"role\":\"assistant\",\"content\":null,"
	    "\"tool_calls\":[{\"id\":\"c1\",\"name\":\"ls\",\"arguments\":{\"d\":\"/\"}}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":[\"bin\",\"etc\"]},"
	    "{\"role\":\"critic\",\"content\":\"12345678\"}]}");
	cJSON *bad = cJSON_Parse("{\"messages\":{}}");
	struct ctx_profile p;

	(void)state;
	assert_int_equal(ctx_analyze(&p, ctx, "not json", -1, 0, 1, 2), 0);
	assert_false(p.tools_size_known);
	assert_int_equal(p.nkinds, 7);
	check_kind(&p, 4, "tool_calls", 7, 1);	 /* "ls" + {"d":"/"} = 11 bytes -> 3 + 4 */
	check_kind(&p, 3, "tool_results", 8, 1); /* ["bin","etc"] = 13 bytes -> 4 + 4 */
	check_kind(&p, 6, "other", 6, 1);
	assert_string_equal(p.msgs[2].role, "other");
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(p.msgs[i].cls, "active");
	ctx_profile_release(&p);
	assert_int_equal(ctx_analyze(&p, bad, NULL, -1, 0, 1, 2), -EINVAL);
	assert_int_equal(ctx_analyze(&p, NULL, NULL, -1, 0, 1, 2), -EINVAL);
	ctx_profile_release(&p);
	cJSON_Delete(ctx);
	cJSON_Delete(bad);
}

static void test_ctxprof_text_json(void **state)
{
	cJSON *ctx = conversation(), *o, *cl;
	struct ctx_profile p;
	char *buf = NULL, *json;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(ctx_analyze(&p, ctx, body_400(), 5634, 6000, 77, 123), 0);
	f = open_memstream(&buf, &len);
	ctx_print_text(f, &p);
	fclose(f);
	assert_non_null(strstr(buf,
			       "context at #123 (pid 77): 5,634 tokens, 93.9% of a 6,000-token "
			       "budget, 14 messages\n"
			       "  calibrated against 5,634 real request tokens (chars/4 "
			       "estimate 2,817, scale 2.00)\n"));
	assert_non_null(strstr(buf, "  tool_definitions          200    3.5%   2 tools\n"));
	assert_non_null(strstr(buf, "  leaked                  2,076   36.8%   2 messages\n"));
	assert_non_null(strstr(buf, "   2. tool_result #9 (shell)            2,008   35.6%\n"));
	assert_non_null(strstr(buf, "  - messages #1 and #5 are identical: drop the duplicate\n"));
	free(buf);
	o = ctx_to_json(&p);
	assert_non_null(o);
	assert_int_equal(cJSON_GetObjectItem(o, "ctx_id")->valuedouble, 123);
	assert_int_equal(cJSON_GetObjectItem(o, "tokens_used")->valuedouble, 5634);
	assert_int_equal(cJSON_GetObjectItem(o, "context_budget")->valuedouble, 6000);
	assert_int_equal(cJSON_GetObjectItem(o, "total_tokens")->valuedouble, 5634);
	cl = cJSON_GetObjectItem(o, "classification");
	json = cJSON_PrintUnformatted(cJSON_GetObjectItem(cl, "leaked"));
	assert_string_equal(json, "{\"tokens\":2076,\"messages\":2,\"pct\":36.8}");
	free(json);
	json =
	    cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "top_consumers"), 6));
	assert_string_equal(json, "{\"kind\":\"user\",\"tokens\":242,\"pct\":4.3,\"rank\":7}");
	free(json);
	json = cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "messages"), 4));
	assert_string_equal(json,
			    "{\"index\":5,\"role\":\"user\",\"kind\":\"user\",\"tokens\":68,"
			    "\"class\":\"leaked\",\"leak_reason\":\"duplicate\",\"dup_of\":1}");
	free(json);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "suggestions")), 9);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "calibrated")));
	assert_int_equal(cJSON_GetObjectItem(o, "scale")->valuedouble, 2);
	cJSON_Delete(o);
	ctx_profile_release(&p);
	cJSON_Delete(ctx);
}

/* What counts as a reference to a large tool result (#3): later user/assistant text or calls. */
static void test_ctxprof_references(void **state)
{
	static const struct {
		const char *later_role, *later_text, *later_args, *then_text;
		const char *cls3;
	} cases[] = {
	    {"assistant", "row 42 says: result row 0042: value ok", NULL, NULL, "active"},
	    {"assistant", "", "{\"q\":\"result row 0099: value ok\"}", NULL, "active"},
	    {"user", "what about result row 0007: value ok ?", NULL, "fine", "warm"},
	    {"tool", "result row 0042: value ok", NULL, "nothing useful", "leaked"},
	    {"assistant", "nothing useful there", NULL, NULL, "leaked"},
	    {NULL, NULL, NULL, NULL, "active"}, /* not answered yet */
	};
	struct ctx_profile p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *ctx = cJSON_CreateObject(), *msgs = cJSON_AddArrayToObject(ctx, "messages");

		add_msg(msgs, "user", "check the table", NULL, NULL, NULL, NULL);
		add_msg(msgs, "assistant", "", "c1", "shell", "{\"cmd\":\"dump\"}", NULL);
		add_msg(msgs, "tool", lines("result row %04d: value ok\n", 2600), NULL, NULL, NULL,
			"c1");
		if (cases[i].later_role && !strcmp(cases[i].later_role, "tool"))
			add_msg(msgs, "tool", cases[i].later_text, NULL, NULL, NULL, "c1");
		else if (cases[i].later_role)
			add_msg(msgs, cases[i].later_role, cases[i].later_text,
				cases[i].later_args ? "c2" : NULL, "lookup", cases[i].later_args,
				NULL);
		if (cases[i].then_text)
			add_msg(msgs, "assistant", cases[i].then_text, NULL, NULL, NULL, NULL);
		assert_int_equal(ctx_analyze(&p, ctx, NULL, -1, 0, 1, 2), 0);
		if (strcmp(p.msgs[2].cls, cases[i].cls3))
			fail_msg("case %zu: #3 is %s, want %s", i, p.msgs[2].cls, cases[i].cls3);
		ctx_profile_release(&p);
		cJSON_Delete(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_ctxprof_estimated, teardown),
	    cmocka_unit_test_teardown(test_ctxprof_calibrated, teardown),
	    cmocka_unit_test_teardown(test_ctxprof_rounding_and_chat, teardown),
	    cmocka_unit_test_teardown(test_ctxprof_edges, teardown),
	    cmocka_unit_test_teardown(test_ctxprof_text_json, teardown),
	    cmocka_unit_test_teardown(test_ctxprof_references, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
