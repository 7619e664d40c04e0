// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_spans.c - process and LLM spans from the event stream (DESIGN.md §6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "spans.h"

#define T0 1000000000ull

struct lines {
	cJSON *span[32];
	int n;
};

static void collect(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;

	assert_true(len > 0 && line[len - 1] == '\n');
	assert_true(l->n < 32);
	l->span[l->n] = cJSON_ParseWithLength(line, len);
	assert_non_null(l->span[l->n]);
	l->n++;
}

static const char *str(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);

	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static void release(struct lines *l)
{
	for (int i = 0; i < l->n; i++)
		cJSON_Delete(l->span[i]);
}

/* An agent forks a tool that fails; the agent makes an LLM call; both exit. */
static void test_spans_tree(void **state)
{
	struct lines l = {0};
	struct spans *s = spans__new("0123456789abcdef0123456789abcdef", T0, collect, &l);
	const cJSON *tool, *llm, *agent, *ev;

	(void)state;
	spans_process(s, 100, 0, "python3", T0);
	spans_exec(s, 100, "python3 agent.py", T0 + 10);
	spans_syscall(s, 100, "read", NULL, T0 + 20);
	spans_process(s, 101, 100, "python3", T0 + 100);
	spans_exec(s, 101, "cat /nope", T0 + 110);
	spans_syscall(s, 101, "openat", "ENOENT", T0 + 120);
	spans_syscall(s, 101, "write", NULL, T0 + 130);
	spans_exit(s, 101, 1, 0, T0 + 200);
	spans_llm(s, 100, "gpt-4o", T0 + 300, T0 + 700, 1610, 200, true);
	spans_exit(s, 100, 0, 0, T0 + 1000);
	assert_int_equal(spans_emitted(s), 3);
	spans__free(s, T0 + 2000, false);
	assert_int_equal(l.n, 3);

	tool = l.span[0];
	llm = l.span[1];
	agent = l.span[2];
	assert_string_equal(str(tool, "name"), "cat /nope");
	assert_string_equal(str(tool, "kind"), "process");
	assert_string_equal(str(tool, "status"), "ERROR");
	assert_int_equal(num(tool, "pid"), 101);
	assert_int_equal(num(tool, "start_time"), 100);
	assert_int_equal(num(tool, "end_time"), 200);
	assert_int_equal(num(tool, "duration"), 100);
	assert_int_equal(num(tool, "syscall_count"), 2);
	assert_string_equal(str(tool, "parent_span_id"), str(agent, "span_id"));
	ev = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tool, "events"), 0);
	assert_string_equal(str(ev, "name"), "syscall_failed");
	assert_string_equal(str(ev, "syscall"), "openat");
	assert_string_equal(str(ev, "err"), "ENOENT");
	assert_int_equal(num(ev, "timestamp"), 120);

	assert_string_equal(str(llm, "name"), "llm gpt-4o");
	assert_string_equal(str(llm, "kind"), "llm");
	assert_string_equal(str(llm, "status"), "OK");
	assert_int_equal(num(llm, "tokens_used"), 1610);
	assert_int_equal(num(llm, "duration"), 400);
	assert_string_equal(str(llm, "parent_span_id"), str(agent, "span_id"));

	assert_string_equal(str(agent, "name"), "python3 agent.py");
	assert_string_equal(str(agent, "status"), "OK");
	assert_int_equal(num(agent, "tokens_used"), 1610);
	assert_int_equal(num(agent, "syscall_count"), 1);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(agent, "parent_span_id")));
	assert_string_equal(str(agent, "trace_id"), "0123456789abcdef0123456789abcdef");
	assert_int_equal(strlen(str(agent, "span_id")), 32);
	assert_string_not_equal(str(agent, "span_id"), str(tool, "span_id"));
	release(&l);
}

/* Killed by a signal: TIMEOUT with the signal as an event; an HTTP error makes an LLM ERROR. */
static void test_spans_signal_and_errors(void **state)
{
	struct lines l = {0};
	struct spans *s = spans__new("ab", T0, collect, &l);
	const cJSON *ev;

	(void)state;
	spans_process(s, 7, 0, "sleep", T0);
	spans_llm(s, 7, NULL, T0 + 1, T0 + 2, -1, 429, true);
	spans_llm(s, 7, "m", T0 + 3, T0 + 4, 10, 200, false);
	spans_exit(s, 7, -1, 9, T0 + 50);
	spans__free(s, T0 + 60, false);
	assert_int_equal(l.n, 3);
	assert_string_equal(str(l.span[0], "name"), "llm ?");
	assert_string_equal(str(l.span[0], "status"), "ERROR");
	assert_int_equal(num(l.span[0], "tokens_used"), 0);
	assert_string_equal(str(l.span[1], "status"), "ERROR"); /* cut response */
	assert_string_equal(str(l.span[2], "status"), "TIMEOUT");
	assert_int_equal(num(l.span[2], "tokens_used"), 10);
	ev = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(l.span[2], "events"), 0);
	assert_string_equal(str(ev, "name"), "signal");
	assert_int_equal(num(ev, "signal"), 9);
	release(&l);
}

/* Spans still open when the trace is cut end TIMEOUT; when it simply ends, OK. */
static void test_spans_open_at_end(void **state)
{
	struct lines l = {0};
	struct spans *s = spans__new("ab", T0, collect, &l);

	(void)state;
	spans_process(s, 1, 0, "a", T0);
	spans__free(s, T0 + 5, true);
	assert_int_equal(l.n, 1);
	assert_string_equal(str(l.span[0], "status"), "TIMEOUT");
	assert_int_equal(num(l.span[0], "end_time"), 5);
	release(&l);
	memset(&l, 0, sizeof(l));
	s = spans__new("ab", T0, collect, &l);
	spans_process(s, 1, 0, "a", T0);
	spans__free(s, T0 + 5, false);
	assert_string_equal(str(l.span[0], "status"), "OK");
	release(&l);
}

/* By pid: the syscall_count of each process span emitted. */
static long counts[600];

static void count_by_pid(void *ctx, const char *line, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(line, len);

	(void)ctx;
	assert_non_null(j);
	counts[(int)num(j, "pid") / 64] = (long)num(j, "syscall_count");
	cJSON_Delete(j);
}

/* Many processes whose pids collide (table growth, removals inside probe chains) keep their own
 * counts. */
static void test_spans_many(void **state)
{
	struct spans *s = spans__new("ab", T0, count_by_pid, NULL);

	(void)state;
	memset(counts, 0xff, sizeof(counts));
	for (uint32_t pid = 1; pid <= 500; pid++)
		spans_process(s, pid * 64, 0, "p", T0); /* same low bits: long probe chains */
	for (uint32_t pid = 1; pid <= 500; pid++)
		for (uint32_t k = 0; k < pid % 7; k++)
			spans_syscall(s, pid * 64, "getpid", NULL, T0 + 1);
	for (uint32_t pid = 2; pid <= 500; pid += 2)
		spans_exit(s, pid * 64, 0, 0, T0 + 2);
	for (uint32_t pid = 1; pid <= 500; pid++) /* exited ones are gone: no effect */
		spans_syscall(s, pid * 64, "getpid", NULL, T0 + 3);
	assert_int_equal(spans_emitted(s), 250);
	spans__free(s, T0 + 9, false);
	for (uint32_t pid = 1; pid <= 500; pid++)
		assert_int_equal(counts[pid], pid % 7 + (pid % 2 ? 1 : 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spans_tree),
	    cmocka_unit_test(test_spans_signal_and_errors),
	    cmocka_unit_test(test_spans_open_at_end),
	    cmocka_unit_test(test_spans_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
