# shellcheck shell=bash
# What the real agent CLIs need from tests/llm/mock_server.py (make test-agents runs the CLIs
# themselves; these run in make test, with curl): the probes they make besides the model call,
# the scenario mode that drives their own shell tool, the fixed model latency of make bench-agent.
# Sourced by tests/integration/run.sh; uses llm_tests.sh's llm_start/llm_trace/llm_check.
# Expected values are written here, not read back from the mock: the mock is under test too.

# agents_meta FIELD: one line per logged request, meta FIELD as JSON (in log order)
agents_meta() {
	$LLM_PY -c 'import json, os, sys
d = sys.argv[1]
for n in sorted(os.listdir(d)):
    print(json.dumps(json.load(open(os.path.join(d, n, "meta.json")))[sys.argv[2]], sort_keys=True))' "$LT/log" "$1"
}

t test_agents_mock_probes
test_agents_mock_probes() {
	local d="mock probes (HEAD over HTTP/1.1 and h2, model lists, count_tokens): answered, traced, not LLM calls"
	llm_start probes || { bad "$d" "mock server did not start"; return; }
	llm_req "$LT/a.json" '{"model":"gpt-mock-1","messages":[{"role":"user","content":"after the probes"}]}'
	llm_req "$LT/ct.json" '{"model":"claude-mock-1","messages":[{"role":"user","content":"count me"}]}'
	local c=(curl -sS --cacert "$LLM_CA" -H "Authorization: Bearer $LLM_SECRET")
	# shellcheck disable=SC2016
	B="$LLM_BASE" T="$LT" llm_trace c sh -c '"$@" --http1.1 -I "$B/" && "$@" --http2 -I "$B/v1/models" &&
		"$@" --http1.1 "$B/v1/models" && "$@" --http1.1 -H "anthropic-version: 2023-06-01" "$B/v1/models" &&
		"$@" --http1.1 --data-binary @"$T/ct.json" "$B/v1/messages/count_tokens" &&
		"$@" --http1.1 -H "Content-Type: application/json" --data-binary @"$T/a.json" "$B/v1/chat/completions"' \
		sh "${c[@]}"
	local rc=$? want got
	want='"probe" 404 "HEAD" "/"
"openai.models" 200 "HEAD" "/v1/models"
"openai.models" 200 "GET" "/v1/models"
"anthropic.models" 200 "GET" "/v1/models"
"anthropic.count_tokens" 200 "POST" "/v1/messages/count_tokens"
"openai.chat" 200 "POST" "/v1/chat/completions"'
	got=$(paste -d' ' <(agents_meta api) <(agents_meta status) <(agents_meta method) <(agents_meta path))
	[ "$rc" = 0 ] && [ "$got" = "$want" ] &&
		grep -q '"input_tokens":' "$LT/c.out" && grep -qi '^content-length: [1-9]' "$LT/c.out" &&
		[ "$(agents_meta response_bytes | sed -n 1,2p | tr '\n' ' ')" = "0 0 " ] &&
		llm_check c --expect-requests 1
	check "$d" $? "logged: $got $(llm_why c)"
	llm_stop
}

t test_agents_mock_scenario
test_agents_mock_scenario() {
	local d="mock --scenario shell:1: each API's shell tool called with its own schema, then a text; traced calls equal"
	llm_start scen --scenario shell:1 || { bad "$d" "mock server did not start"; return; }
	# chat: a decoy first, then `bash` whose schema wants an argv array and a description
	llm_req "$LT/1.json" '{"model":"gpt-mock-1","stream":true,"messages":[{"role":"user","content":"go"}],"tools":[{"type":"function","function":{"name":"read","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}},{"type":"function","function":{"name":"bash","parameters":{"type":"object","required":["command","description","timeout"],"properties":{"command":{"type":"array"},"description":{"type":"string"},"timeout":{"type":"integer"}}}}}]}'
	# anthropic: Claude Code's Bash
	llm_req "$LT/2.json" '{"model":"claude-mock-1","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"go"}],"tools":[{"name":"Read","input_schema":{"type":"object"}},{"name":"Bash","input_schema":{"type":"object","required":["command"],"properties":{"command":{"type":"string"},"run_in_background":{"type":"boolean"}}}}]}'
	# responses: Codex's exec_command, after a non-function tool
	llm_req "$LT/3.json" '{"model":"gpt-mock-1","stream":true,"input":[{"role":"user","content":"go"}],"tools":[{"type":"web_search"},{"type":"function","name":"exec_command","parameters":{"type":"object","required":["cmd"],"properties":{"cmd":{"type":"string"},"login":{"type":"boolean"}}}}]}'
	# gemini: run_shell_command, the schema as parametersJsonSchema
	llm_req "$LT/4.json" '{"contents":[{"role":"user","parts":[{"text":"go"}]}],"tools":[{"functionDeclarations":[{"name":"read_file","parameters":{"type":"object"}},{"name":"run_shell_command","parametersJsonSchema":{"type":"object","required":["command"],"properties":{"command":{"type":"string"}}}}]}]}'
	# chat again with the tool result in: the text answer
	llm_req "$LT/5.json" '{"model":"gpt-mock-1","messages":[{"role":"user","content":"go"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"bash","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"agtrace-step-1\n"}],"tools":[{"type":"function","function":{"name":"bash","parameters":{"type":"object"}}}]}'
	local h=(-H "Authorization: Bearer $LLM_SECRET" -H "x-api-key: $LLM_SECRET" -H 'anthropic-version: 2023-06-01'
		-H 'Content-Type: application/json')
	# shellcheck disable=SC2016
	B="$LLM_BASE" T="$LT" llm_trace c sh -c 'c="curl -sS -N --http1.1 --fail-with-body --cacert $0"; shift
		for p in "1 /v1/chat/completions" "2 /v1/messages" "3 /v1/responses" \
			"4 /v1beta/models/gemini-mock-1:streamGenerateContent?alt=sse" "5 /v1/chat/completions"; do
			$c "$@" --data-binary @"$T/${p%% *}.json" "$B${p#* }" || exit 1
		done' "$LLM_CA" "${h[@]}"
	local rc=$? want got
	want='[{"arguments": "{\"command\":[\"bash\",\"-lc\",\"echo agtrace-step-1\"],\"description\":\"agtrace scenario step\",\"timeout\":10000}", "id": "call_agtrace_1_0001", "name": "bash"}]
[{"arguments": "{\"command\":\"echo agtrace-step-1\"}", "id": "call_agtrace_1_0002", "name": "Bash"}]
[{"arguments": "{\"cmd\":\"echo agtrace-step-1\"}", "id": "call_agtrace_1_0003", "name": "exec_command"}]
[{"arguments": "{\"command\":\"echo agtrace-step-1\"}", "id": "run_shell_command", "name": "run_shell_command"}]
[]'
	got=$(agents_meta tool_calls)
	[ "$rc" = 0 ] && [ "$got" = "$want" ] && [ "$(agents_meta tool_results | tr '\n' ' ')" = "0 0 0 0 1 " ] &&
		agents_meta content | tail -1 | grep -q '"Mock answer #0005: 1 step(s) run' &&
		llm_check c --expect-requests 5
	check "$d" $? "logged tool_calls: $got $(llm_why c)"
	llm_stop
}

t test_agents_mock_latency
test_agents_mock_latency() {
	local d="mock --latency-ms 300 (x-mock-latency-ms overrides): the traced llm_response latencies show it"
	llm_start lat --latency-ms 300 || { bad "$d" "mock server did not start"; return; }
	llm_req "$LT/a.json" '{"model":"gpt-mock-1","messages":[{"role":"user","content":"slow"}]}'
	llm_req "$LT/b.json" '{"model":"gpt-mock-1","messages":[{"role":"user","content":"faster"}]}'
	local c=(curl -sS --http1.1 --cacert "$LLM_CA" -H "Authorization: Bearer $LLM_SECRET" -H 'Content-Type: application/json')
	llm_trace c sh -c '"$@" --data-binary @'"$LT/a.json $LLM_BASE/v1/chat/completions"' &&
		"$@" -H "x-mock-latency-ms: 50" --data-binary @'"$LT/b.json $LLM_BASE/v1/chat/completions" sh "${c[@]}" &&
		llm_check c --expect-requests 2 &&
		$LLM_PY -c 'import json, sys
lat = [json.loads(l)["llm"]["latency"] for l in open(sys.argv[1]) if "\"llm_response\"" in l]
assert len(lat) == 2 and 300e6 <= lat[0] < 1000e6 and 50e6 <= lat[1] < 250e6, lat' "$LT/c.jsonl" \
		>"$LT/lat.err" 2>&1
	check "$d" $? "$(cat "$LT/lat.err") $(llm_why c)"
	llm_stop
}
