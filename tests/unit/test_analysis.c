// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_analysis.c - the analyzers' pass over a recording's JSON events, and blame on it: an
 * error chain three processes deep under a tool call, with its ENOENT evidence and the PATH
 * search filtered out; tool call <-> process <-> tool result; state changes; bad input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analysis.h"
#include "blame.h"
#include "rec_fixture.h"
#include "spantree.h"

#define EV(seq, ts, pid, comm, type) \
	"{\"seq_num\":" #seq ",\"timestamp\":" #ts ",\"pid\":" #pid ",\"tid\":" #pid ",\"comm\":\"" comm \
	"\",\"type\":\"" type "\","
#define FORK(seq, ts, pid, ppid) EV(seq, ts, pid, "x", "process") "\"process\":{\"event\":\"fork\",\"ppid\":" #ppid ",\"parent_tid\":" #ppid "}}"
#define EXIT(seq, ts, pid, code) EV(seq, ts, pid, "x", "process") "\"process\":{\"event\":\"exit\",\"exit_code\":" #code ",\"signal\":null,\"core_dumped\":false}}"

/*
 * agent.py (100) asks for a tool; it runs `sh -c "python3 job.py"` (101), which runs python3
 * (102), which runs cat (103) on a missing file. cat fails, then python3, then sh.
 */
static const char *const chain_lines[] = {
    EV(0, 1000, 100, "python3", "process") "\"process\":{\"event\":\"exec\",\"filename\":\"/usr/bin/python3\",\"argv\":[\"python3\",\"agent.py\"],\"argc\":2,\"old_tid\":100}}",
    EV(1, 2000000, 100, "python3", "context_snapshot") "\"context\":{\"api\":\"openai.chat\",\"model\":\"gpt-4o\",\"system_prompt\":\"be brief\",\"messages\":[{\"role\":\"user\",\"content\":\"run the job\"}],\"tools\":[\"shell\"],\"message_count\":1,\"request_bytes\":120}}",
    EV(2, 2000500, 100, "python3", "syscall") "\"syscall\":{\"syscall\":\"poll\",\"nr\":7,\"args\":{\"fds\":\"0x1\",\"nfds\":1,\"timeout\":-1},\"result\":1,\"err\":\"\",\"duration\":2900000}}",
    EV(3, 5000000, 100, "python3", "llm_response") "\"llm\":{\"api\":\"openai.chat\",\"model\":\"gpt-4o\",\"request_tokens\":100,\"response_tokens\":20,\"total_tokens\":120,\"latency\":3000000,\"ttft\":-1,\"status\":200,\"finish_reason\":\"tool_calls\",\"stream\":false,\"content\":\"\",\"tool_calls\":[{\"id\":\"call_1\",\"name\":\"shell\",\"arguments\":\"{\\\"cmd\\\":\\\"sh -c 'python3 job.py'\\\"}\"}],\"complete\":true}}",
    FORK(4, 6000000, 101, 100),
    EV(5, 6100000, 101, "python3", "syscall") "\"syscall\":{\"syscall\":\"execve\",\"nr\":59,\"args\":{\"pathname\":\"/usr/local/bin/sh\",\"argv\":[\"sh\",\"-c\",\"python3 job.py\"],\"envp\":\"0x7ffd\"},\"result\":-1,\"err\":\"ENOENT\",\"duration\":3000}}",
    EV(6, 6200000, 101, "sh", "process") "\"process\":{\"event\":\"exec\",\"filename\":\"/usr/bin/sh\",\"argv\":[\"sh\",\"-c\",\"python3 job.py\"],\"argc\":3,\"old_tid\":101}}",
    FORK(7, 7000000, 102, 101),
    EV(8, 7100000, 102, "python3", "process") "\"process\":{\"event\":\"exec\",\"filename\":\"/usr/bin/python3\",\"argv\":[\"python3\",\"job.py\"],\"argc\":2,\"old_tid\":102}}",
    FORK(9, 8000000, 103, 102),
    EV(10, 8050000, 103, "python3", "syscall") "\"syscall\":{\"syscall\":\"execve\",\"nr\":59,\"args\":{\"pathname\":\"/usr/local/bin/cat\",\"argv\":[\"cat\",\"/app/conf.yml\"],\"envp\":\"0x7ffd\"},\"result\":-1,\"err\":\"ENOENT\",\"duration\":2000}}",
    EV(11, 8100000, 103, "cat", "process") "\"process\":{\"event\":\"exec\",\"filename\":\"/usr/bin/cat\",\"argv\":[\"cat\",\"/app/conf.yml\"],\"argc\":2,\"old_tid\":103}}",
    EV(12, 8200000, 103, "cat", "syscall") "\"syscall\":{\"syscall\":\"openat\",\"nr\":257,\"args\":{\"dirfd\":\"AT_FDCWD\",\"pathname\":\"/etc/ld.so.preload\",\"flags\":\"O_RDONLY|O_CLOEXEC\",\"mode\":0},\"result\":-1,\"err\":\"ENOENT\",\"duration\":1500}}",
    EV(13, 8300000, 103, "cat", "syscall") "\"syscall\":{\"syscall\":\"openat\",\"nr\":257,\"args\":{\"dirfd\":\"AT_FDCWD\",\"pathname\":\"/app/conf.yml\",\"flags\":\"O_RDONLY\",\"mode\":0},\"result\":-1,\"err\":\"ENOENT\",\"duration\":2500}}",
    EXIT(14, 8400000, 103, 1),
    EXIT(15, 9000000, 102, 1),
    EXIT(16, 9500000, 101, 1),
    EV(17, 9600000, 100, "python3", "syscall") "\"syscall\":{\"syscall\":\"wait4\",\"nr\":61,\"args\":{\"pid\":101,\"wstatus\":\"0x7ffd\",\"options\":0,\"rusage\":null},\"result\":101,\"err\":\"\",\"duration\":3500000}}",
    EV(18, 11000000, 100, "python3", "context_snapshot") "\"context\":{\"api\":\"openai.chat\",\"model\":\"gpt-4o\",\"system_prompt\":\"be brief\",\"messages\":[{\"role\":\"user\",\"content\":\"run the job\"},{\"role\":\"assistant\",\"content\":\"\"},{\"role\":\"tool\",\"content\":\"exit 1\",\"tool_call_id\":\"call_1\"}],\"tools\":[\"shell\"],\"message_count\":3,\"request_bytes\":300}}",
    EV(19, 14000000, 100, "python3", "llm_response") "\"llm\":{\"api\":\"openai.chat\",\"model\":\"gpt-4o\",\"request_tokens\":160,\"response_tokens\":12,\"total_tokens\":172,\"latency\":3000000,\"ttft\":-1,\"status\":200,\"finish_reason\":\"stop\",\"stream\":false,\"content\":\"the job failed\",\"tool_calls\":[],\"complete\":true}}",
    EXIT(20, 20000000, 100, 0),
};

static const struct sb_span *find_span(const struct analysis *a, const char *name)
{
	for (size_t i = 0; i < a->nspans; i++)
		if (!strcmp(a->spans[i].name, name))
			return &a->spans[i];
	return NULL;
}

static void chain_recording(char *base, char *dir, size_t n)
{
	fx_dir(base, "100-20261202-101500", dir, n);
	fx_meta(dir, "100-20261202-101500", "completed", "2026-12-02T10:15:00.000+00:00",
		"2026-12-02T10:15:00.020+00:00", 21);
	fx_events(dir, chain_lines, sizeof(chain_lines) / sizeof(chain_lines[0]));
}

static void test_analysis_spans_and_states(void **state)
{
	const struct sb_span *agent, *tool, *sh, *py, *cat, *llm;
	char *base = fx_base(), dir[4096];
	struct analysis a;
	struct rec_err err;

	(void)state;
	chain_recording(base, dir, sizeof(dir));
	assert_int_equal(analysis_run(&a, dir, NULL, NULL, &err), 0);
	assert_int_equal(a.res.events, 21);
	assert_int_equal(a.nspans, 7); /* 4 processes, 2 LLM calls, 1 tool call */
	agent = find_span(&a, "python3 agent.py");
	tool = find_span(&a, "execute_tool shell");
	sh = find_span(&a, "sh -c python3 job.py");
	py = find_span(&a, "python3 job.py");
	cat = find_span(&a, "cat /app/conf.yml");
	llm = find_span(&a, "llm gpt-4o");
	assert_non_null(agent);
	assert_non_null(tool);
	assert_non_null(sh);
	assert_non_null(py);
	assert_non_null(cat);
	assert_non_null(llm);
	assert_string_equal(tool->parent_span_id, agent->span_id);
	assert_string_equal(sh->parent_span_id, tool->span_id);
	assert_string_equal(py->parent_span_id, sh->span_id);
	assert_string_equal(cat->parent_span_id, py->span_id);
	assert_string_equal(tool->tool_call_id, "call_1");
	assert_int_equal(tool->seq_num, 3);
	assert_int_equal(tool->result_seq, 18);
	assert_int_equal(tool->start, 5000000);
	assert_int_equal(tool->end, 9500000);
	assert_string_equal(tool->status, "ERROR");
	assert_string_equal(sh->status, "ERROR");
	assert_int_equal(agent->tokens, 292);
	/* the agent's states: llm, run, tool (sh), run (its exit), llm, run */
	assert_int_equal(a.nstates, 6);
	assert_int_equal(a.states[0].to, SB_LLM_WAIT);
	assert_int_equal(a.states[1].to, SB_RUN);
	assert_int_equal(a.states[2].to, SB_TOOL_WAIT);
	assert_int_equal(a.states[2].timestamp, 6000000);
	assert_int_equal(a.states[3].to, SB_RUN);
	assert_string_equal(a.states[3].reason, "tool process 101 exited with 1");
	assert_int_equal(a.states[4].to, SB_LLM_WAIT);
	assert_int_equal(a.states[4].timestamp, 11000000);
	assert_int_equal(a.states[5].to, SB_RUN);
	/* the poll while the request was out is time waiting on the LLM */
	assert_int_equal(agent->wall[SB_WALL_LLM], 2900000);
	assert_int_equal(agent->wall[SB_WALL_TOOL], 3500000);
	assert_int_equal(a.nllm, 2);
	assert_int_equal(a.llm[1].request_tokens, 160);
	assert_int_equal(a.sys[257].count, 2);
	assert_int_equal(a.sys[257].errors, 2);
	assert_int_equal(a.sys[59].count, 2);
	analysis_release(&a);
	fx_rm(base);
}

static void test_analysis_blame_chain(void **state)
{
	char *base = fx_base(), dir[4096];
	struct blame_result r;
	struct analysis a;
	struct span_tree t;
	struct rec_err err;
	const struct blame_chain *c;

	(void)state;
	chain_recording(base, dir, sizeof(dir));
	assert_int_equal(analysis_run(&a, dir, NULL, NULL, &err), 0);
	assert_int_equal(span_tree_build(&t, a.trace_id, a.spans, a.nspans), 0);
	assert_int_equal(blame_analyze(&r, &t), 0);
	assert_int_equal(r.chains_total, 1);
	c = &r.chains[0];
	assert_int_equal(c->npath, 5);
	assert_string_equal(c->path[0]->span->name, "cat /app/conf.yml");
	assert_string_equal(c->path[1]->span->name, "python3 job.py");
	assert_string_equal(c->path[2]->span->name, "sh -c python3 job.py");
	assert_string_equal(c->path[3]->span->name, "execute_tool shell");
	assert_string_equal(c->path[4]->span->name, "python3 agent.py");
	/* the PATH search (execve /usr/local/bin/cat) and ld.so.preload are not evidence */
	assert_non_null(c->evidence_of);
	assert_int_equal(c->evidence_of->pid, 103);
	assert_int_equal(c->evidence_of->nevidence, 1);
	assert_int_equal(c->evidence_of->evidence[0].seq_num, 13);
	assert_string_equal(c->evidence_of->evidence[0].err, "ENOENT");
	assert_string_equal(c->evidence_of->evidence[0].text,
			    "openat(AT_FDCWD, \"/app/conf.yml\", O_RDONLY, 0) = -1 ENOENT <0.000002>");
	/* the agent waited on the model 0 .. and on its tool: the tool chain is on the path */
	assert_int_equal(t.meta.total_tokens, 292);
	assert_int_equal(r.nhot_tok, 2);
	assert_int_equal(r.hot_tok[0].value, 172);
	assert_int_equal(r.critical_duration, 3000000 + 4500000 + 3000000);
	blame_release(&r);
	span_tree_release(&t);
	analysis_release(&a);
	fx_rm(base);
}

/* Recordings with nothing to analyze, and bad ones: a clear error or an empty result. */
static void test_analysis_bad_input(void **state)
{
	static const char *const no_llm[] = {FORK(0, 10, 7, 1), EXIT(1, 20, 7, 0)};
	static const char *const garbage[] = {"{\"seq_num\":0,\"type\":\"syscall\"", "nope"};
	static const char *const backwards[] = {FORK(5, 10, 7, 1), EXIT(4, 20, 7, 0)};
	char *base = fx_base(), dir[4096];
	struct analysis a;
	struct rec_err err;

	(void)state;
	fx_dir(base, "7-20261202-101500", dir, sizeof(dir));
	fx_meta(dir, "7-20261202-101500", "completed", "2026-12-02T10:15:00Z", NULL, 2);
	fx_events(dir, no_llm, 2);
	assert_int_equal(analysis_run(&a, dir, NULL, NULL, &err), 0);
	assert_int_equal(a.nllm, 0);
	assert_int_equal(a.nspans, 1);
	analysis_release(&a);

	fx_dir(base, "8-20261202-101500", dir, sizeof(dir));
	fx_meta(dir, "8-20261202-101500", "completed", "2026-12-02T10:15:00Z", NULL, 2);
	fx_events(dir, garbage, 2);
	assert_int_equal(analysis_run(&a, dir, NULL, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "events.jsonl.gz:1: not valid JSON"));
	analysis_release(&a);

	fx_dir(base, "9-20261202-101500", dir, sizeof(dir));
	fx_meta(dir, "9-20261202-101500", "completed", "2026-12-02T10:15:00Z", NULL, 2);
	fx_events(dir, backwards, 2);
	assert_int_equal(analysis_run(&a, dir, NULL, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "events.jsonl.gz:2: seq_num 4 does not follow 5"));
	analysis_release(&a);

	/* a SIGKILLed tracer: the gzip stream ends without its trailer; what was flushed counts */
	fx_dir(base, "10-20261202-101500", dir, sizeof(dir));
	fx_meta(dir, "10-20261202-101500", "recording", "2026-12-02T10:15:00Z", NULL, 2);
	fx_events_unfinished(dir, FORK(0, 10, 7, 1) "\n" EV(1, 15, 7, "x", "syscall") "\"syscall\":{\"syscall\":\"getpid\",\"nr\":39,\"args\":{},\"result\":7,\"err\":\"\",\"duration\":100}}\n");
	assert_int_equal(analysis_run(&a, dir, NULL, NULL, &err), 0);
	assert_int_equal(a.res.events, 2);
	assert_true(a.meta.incomplete);
	assert_int_equal(a.nspans, 1);
	assert_string_equal(a.spans[0].status, "TIMEOUT"); /* never seen to end */
	assert_int_equal(a.spans[0].syscalls, 1);
	analysis_release(&a);

	assert_int_equal(analysis_run(&a, "/nonexistent/rec", NULL, NULL, &err), -ENOENT);
	analysis_release(&a);
	fx_rm(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_analysis_spans_and_states),
	    cmocka_unit_test(test_analysis_blame_chain),
	    cmocka_unit_test(test_analysis_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
