// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_forkctx.c - SnapshotRestorer / ForkContext: restore, edits and their order, request
 * bodies for each API. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "forkctx.h"
#include "rec_fixture.h"

static void assert_json(const cJSON *o, const char *want)
{
	char *s = cJSON_PrintUnformatted(o);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static struct forkctx *restore(struct fx *fx, uint64_t seq)
{
	struct forkctx *fc = NULL;
	struct rec_err err;

	assert_int_equal(forkctx__restore(fx->r, fx->f, seq, &fc, &err), 0);
	return fc;
}

#define B_MSGS                                                                                     \
	"[{\"role\":\"user\",\"content\":\"fix the bug\"},{\"role\":\"assistant\",\"content\":"    \
	"\"\",\"tool_calls\":[{\"id\":\"call_1\",\"name\":\"bash\",\"arguments\":"                 \
	"\"{\\\"cmd\\\":\\\"ls\\\"}\"}]},{\"role\":\"tool\",\"content\":\"a.txt\","                \
	"\"tool_call_id\":\"call_1\"}]"

static void test_forkctx_restore(void **state)
{
	struct fx *fx = *state;
	struct forkctx *fc = restore(fx, 10);
	struct rec_err err;
	cJSON *o = forkctx_json(fc);

	assert_json(o, "{\"original_pid\":100,\"seq_num\":10,\"intent\":\"python3 agent.py --task "
		       "fix\",\"system_prompt\":\"You are very helpful.\",\"messages\":" B_MSGS
		       ",\"snapshot_seq_num\":9,\"api\":\"openai.chat\",\"model\":\"gpt-4o\"}");
	assert_null(fc->orig_body); /* the http event belongs to snapshot #2 */
	cJSON_Delete(o);
	forkctx__free(fc);
	fc = restore(fx, 3);
	assert_int_equal(fc->snapshot_seq_num, 2);
	assert_non_null(fc->orig_body);
	forkctx__free(fc);
	assert_int_equal(forkctx__restore(fx->r, fx->f, 1, &fc, &err), -ENOENT);
	assert_null(fc);
}

/* No exec of the snapshot's pid in the recording: the metadata's intent. */
static void test_forkctx_intent_fallback(void **state)
{
	const char *lines[] = {FX_SNAP_A};
	char *base = fx_base(), dir[4096];
	struct recording *r;
	struct snapfinder *f;
	struct forkctx *fc;
	struct rec_err err;

	(void)state;
	fx_dir(base, "1-x", dir, sizeof(dir));
	fx_meta(dir, "1-x", "completed", "2026-03-29T10:15:00Z", NULL, 1);
	fx_events(dir, lines, 1);
	assert_int_equal(recording__open_dir(&r, dir, &err), 0);
	f = snapfinder__new(r);
	assert_int_equal(forkctx__restore(r, f, 2, &fc, &err), 0);
	assert_string_equal(fc->intent, "python3 agent.py");
	forkctx__free(fc);
	snapfinder__free(f);
	recording__free(r);
	fx_rm(base);
}

/* Edits apply in order: append then drop differs from drop then append. */
static void test_forkctx_edits(void **state)
{
	struct fx *fx = *state;
	struct forkctx *fc = restore(fx, 10);
	cJSON *o;

	assert_int_equal(forkctx__set_system_prompt(fc, "Be brief."), 0);
	assert_int_equal(forkctx__append_message(fc, "user", "now run the tests"), 0);
	forkctx__remove_last_messages(fc, 2);
	assert_int_equal(forkctx__replace_last_message(fc, "[call removed]"), 0);
	assert_int_equal(forkctx__append_message(fc, "", "x"), -EINVAL);
	o = forkctx_json(fc);
	assert_json(o, "{\"original_pid\":100,\"seq_num\":10,\"intent\":\"python3 agent.py --task "
		       "fix\",\"system_prompt\":\"Be brief.\",\"messages\":[{\"role\":\"user\","
		       "\"content\":\"fix the bug\"},{\"role\":\"assistant\",\"content\":"
		       "\"[call removed]\",\"tool_calls\":[{\"id\":\"call_1\",\"name\":\"bash\","
		       "\"arguments\":\"{\\\"cmd\\\":\\\"ls\\\"}\"}]}],\"snapshot_seq_num\":9,"
		       "\"api\":\"openai.chat\",\"model\":\"gpt-4o\"}");
	cJSON_Delete(o);
	forkctx__free(fc);

	fc = restore(fx, 10);
	forkctx__remove_last_messages(fc, 2);
	assert_int_equal(forkctx__append_message(fc, "user", "now run the tests"), 0);
	assert_int_equal(fc->nmsgs, 2);
	assert_string_equal(fc->msgs[0].content, "fix the bug");
	assert_string_equal(fc->msgs[1].content, "now run the tests");
	forkctx__free(fc);
}

/* Dropping more than there is empties the list; replacing then has nothing to replace. */
static void test_forkctx_drop_beyond(void **state)
{
	struct fx *fx = *state;
	struct forkctx *fc = restore(fx, 10);

	forkctx__remove_last_messages(fc, 99);
	assert_int_equal(fc->nmsgs, 0);
	assert_int_equal(forkctx__replace_last_message(fc, "x"), -ENOENT);
	forkctx__remove_last_messages(fc, 1);
	assert_int_equal(fc->nmsgs, 0);
	assert_int_equal(forkctx__append_message(fc, "assistant", "hi"), 0);
	assert_int_equal(forkctx__replace_last_message(fc, "hello"), 0);
	assert_string_equal(fc->msgs[0].role, "assistant");
	assert_string_equal(fc->msgs[0].content, "hello");
	forkctx__free(fc);
}

/* openai.chat: system first, OpenAI tool_calls, and the original's tools/temperature copied
 * (not stream, not stream_options). */
static void test_forkctx_request_chat(void **state)
{
	struct fx *fx = *state;
	struct forkctx *fc = restore(fx, 4);
	struct rec_err err;
	cJSON *o;

	assert_int_equal(forkctx_request(fc, &o, &err), 0);
	assert_json(o, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\",\"content\":"
		       "\"You are helpful.\"},{\"role\":\"user\",\"content\":\"fix the bug\"}],"
		       "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"bash\"}}],"
		       "\"temperature\":0.2}");
	cJSON_Delete(o);
	forkctx__free(fc);
	fc = restore(fx, 10);
	assert_int_equal(forkctx_request(fc, &o, &err), 0);
	assert_json(o,
		    "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\",\"content\":"
		    "\"You are very helpful.\"},{\"role\":\"user\",\"content\":\"fix the bug\"},"
		    "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
		    "\"type\":\"function\",\"function\":{\"name\":\"bash\",\"arguments\":"
		    "\"{\\\"cmd\\\":\\\"ls\\\"}\"}}]},{\"role\":\"tool\",\"content\":\"a.txt\","
		    "\"tool_call_id\":\"call_1\"}]}");
	cJSON_Delete(o);
	forkctx__free(fc);
}

static void set_api(struct forkctx *fc, const char *api)
{
	free(fc->api);
	fc->api = strdup(api);
}

static void test_forkctx_request_responses(void **state)
{
	struct fx *fx = *state;
	struct forkctx *fc = restore(fx, 10);
	struct rec_err err;
	cJSON *o;

	set_api(fc, "openai.responses");
	assert_int_equal(forkctx__append_message(fc, "user", "go on"), 0);
	assert_int_equal(forkctx_request(fc, &o, &err), 0);
	assert_json(o, "{\"model\":\"gpt-4o\",\"instructions\":\"You are very helpful.\",\"input\":"
		       "[{\"role\":\"user\",\"content\":\"fix the bug\"},{\"type\":"
		       "\"function_call\",\"call_id\":\"call_1\",\"name\":\"bash\",\"arguments\":"
		       "\"{\\\"cmd\\\":\\\"ls\\\"}\"},{\"type\":\"function_call_output\","
		       "\"call_id\":\"call_1\",\"output\":\"a.txt\"},{\"role\":\"user\","
		       "\"content\":\"go on\"}]}");
	cJSON_Delete(o);
	forkctx__free(fc);
}

/* anthropic.messages: tool_use with parsed input; the tool result and the user text after it
 * share one user turn; role system messages join the system field. */
static void test_forkctx_request_anthropic(void **state)
{
	struct fx *fx = *state;
	struct forkctx *fc = restore(fx, 10);
	struct rec_err err;
	cJSON *o;

	set_api(fc, "anthropic.messages");
	assert_int_equal(forkctx__append_message(fc, "user", "go on"), 0);
	assert_int_equal(forkctx__append_message(fc, "system", "Stay terse."), 0);
	assert_int_equal(forkctx_request(fc, &o, &err), 0);
	assert_json(o,
		    "{\"model\":\"gpt-4o\",\"max_tokens\":4096,\"system\":\"You are very "
		    "helpful.\\n\\nStay terse.\",\"messages\":[{\"role\":\"user\",\"content\":"
		    "\"fix the bug\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\","
		    "\"id\":\"call_1\",\"name\":\"bash\",\"input\":{\"cmd\":\"ls\"}}]},{\"role\":"
		    "\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\","
		    "\"content\":\"a.txt\"},{\"type\":\"text\",\"text\":\"go on\"}]}]}");
	cJSON_Delete(o);
	/* the original's max_tokens wins */
	fc->orig_body = cJSON_Parse("{\"max_tokens\":512,\"stream\":true,\"system\":\"old\"}");
	assert_int_equal(forkctx_request(fc, &o, &err), 0);
	assert_int_equal(cJSON_GetObjectItem(o, "max_tokens")->valueint, 512);
	assert_null(cJSON_GetObjectItem(o, "stream"));
	assert_string_equal(cJSON_GetObjectItem(o, "system")->valuestring,
			    "You are very helpful.\n\nStay terse.");
	cJSON_Delete(o);
	set_api(fc, "palm");
	assert_int_equal(forkctx_request(fc, &o, &err), -EINVAL);
	assert_null(o);
	assert_string_equal(err.msg, "context snapshot #9: api \"palm\" is not openai.chat, "
				     "openai.responses, anthropic.messages or gemini.generate");
	forkctx__free(fc);
}

/* gemini.generate: no model in the body; functionCall args parsed, call ids sent back only when
 * they are the server's (not the name standing in); the tool result and the user text after it
 * share one user turn; the original's tools and generationConfig are kept. */
static void test_forkctx_request_gemini(void **state)
{
	struct fx *fx = *state;
	struct forkctx *fc = restore(fx, 10);
	struct rec_err err;
	cJSON *o, *call;

	set_api(fc, "gemini.generate");
	assert_int_equal(forkctx__append_message(fc, "user", "go on"), 0);
	assert_int_equal(forkctx__append_message(fc, "system", "Stay terse."), 0);
	assert_int_equal(forkctx_request(fc, &o, &err), 0);
	assert_json(o, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"fix the bug\"}]},"
		       "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"bash\","
		       "\"id\":\"call_1\",\"args\":{\"cmd\":\"ls\"}}}]},{\"role\":\"user\","
		       "\"parts\":[{\"functionResponse\":{\"name\":\"bash\",\"id\":\"call_1\","
		       "\"response\":{\"output\":\"a.txt\"}}},{\"text\":\"go on\"}]}],"
		       "\"systemInstruction\":{\"parts\":[{\"text\":\"You are very helpful.\\n\\n"
		       "Stay terse.\"}]}}");
	cJSON_Delete(o);
	/* as the recorder writes Gemini's calls: the name is the id, a result is an object */
	call = cJSON_GetArrayItem(fc->msgs[1].tool_calls, 0);
	cJSON_ReplaceItemInObject(call, "id", cJSON_CreateString("bash"));
	free(fc->msgs[2].tool_call_id);
	fc->msgs[2].tool_call_id = strdup("bash");
	free(fc->msgs[2].content);
	fc->msgs[2].content = strdup("{\"result\":[\"a.txt\"]}");
	forkctx__remove_last_messages(fc, 2);
	fc->orig_body = cJSON_Parse(
	    "{\"contents\":[],\"systemInstruction\":{\"parts\":[{\"text\":\"old\"}]},\"tools\":"
	    "[{\"functionDeclarations\":[{\"name\":\"bash\"}]}],\"generationConfig\":{"
	    "\"temperature\":0}}");
	assert_int_equal(forkctx_request(fc, &o, &err), 0);
	assert_json(o, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"fix the bug\"}]},"
		       "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"bash\","
		       "\"args\":{\"cmd\":\"ls\"}}}]},{\"role\":\"user\",\"parts\":[{"
		       "\"functionResponse\":{\"name\":\"bash\",\"response\":{\"result\":"
		       "[\"a.txt\"]}}}]}],\"systemInstruction\":{\"parts\":[{\"text\":"
		       "\"You are very helpful.\"}]},\"tools\":[{\"functionDeclarations\":[{"
		       "\"name\":\"bash\"}]}],\"generationConfig\":{\"temperature\":0}}");
	cJSON_Delete(o);
	/* gemini-cli's Code Assist request: the fields of its inner "request", without session_id
	 */
	cJSON_Delete(fc->orig_body);
	fc->orig_body = cJSON_Parse(
	    "{\"model\":\"gemini-2.5-pro\",\"project\":\"p\",\"user_prompt_id\":\"u\",\"request\":{"
	    "\"contents\":[],\"tools\":[{\"functionDeclarations\":[{\"name\":\"bash\"}]}],"
	    "\"session_id\":\"s\"}}");
	assert_int_equal(forkctx_request(fc, &o, &err), 0);
	assert_null(cJSON_GetObjectItem(o, "request"));
	assert_null(cJSON_GetObjectItem(o, "project"));
	assert_null(cJSON_GetObjectItem(o, "session_id"));
	assert_null(cJSON_GetObjectItem(o, "model"));
	assert_json(cJSON_GetObjectItem(o, "tools"),
		    "[{\"functionDeclarations\":[{\"name\":\"bash\"}]}]");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "contents")), 3);
	cJSON_Delete(o);
	forkctx__free(fc);
}

/* -o FILE: indented JSON, mode 0600 even over an existing file. */
static void test_forkctx_write(void **state)
{
	char *base = fx_base(), path[4200], buf[256] = {0};
	cJSON *o = cJSON_Parse("{\"a\":[1,{\"b\":\"x,y:[z]\"}],\"c\":{},\"d\":[]}");
	struct rec_err err;
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/fork.json", base);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	assert_int_equal(forkctx_write(o, path, NULL, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	f = fopen(path, "r");
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	assert_string_equal(buf, "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x,y:[z]\"\n    }\n"
				 "  ],\n  \"c\": {},\n  \"d\": []\n}\n");
	assert_int_equal(forkctx_write(o, "/nonexistent/dir/f.json", NULL, &err), -ENOENT);
	assert_string_equal(err.msg, "/nonexistent/dir/f.json: No such file or directory");
	cJSON_Delete(o);
	fx_rm(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_forkctx_restore, fx_setup, fx_teardown),
	    cmocka_unit_test(test_forkctx_intent_fallback),
	    cmocka_unit_test_setup_teardown(test_forkctx_edits, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_forkctx_drop_beyond, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_forkctx_request_chat, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_forkctx_request_responses, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_forkctx_request_anthropic, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_forkctx_request_gemini, fx_setup, fx_teardown),
	    cmocka_unit_test(test_forkctx_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
