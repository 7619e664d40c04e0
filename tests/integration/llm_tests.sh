# shellcheck shell=bash
# LLM capture tests, sourced by tests/integration/run.sh (uses its t/ok/bad/check, $AGT, $TMP).
# Each test starts its own tests/llm/mock_server.py (HTTPS, untraced, a fresh log dir), runs one
# real client under the tracer with --json --http, then tests/llm/check.py compares the trace
# with the server's log byte for byte (bodies), number for number (tokens), and greps for the
# fake API key.  Node clients need tests/llm/node/node_modules (scripts/deps.sh runs npm ci):
# when node or the modules are missing those tests FAIL, they are never skipped.
#
# The curl clients, for reference (BASE=https://127.0.0.1:PORT, CA=<cert dir>/cert.pem):
#   plain:      curl -sS --http1.1 --cacert $CA -H "Authorization: Bearer $KEY" \
#                 -H 'Content-Type: application/json' --data-binary @req.json $BASE/v1/chat/completions
#   gzip:       ... --compressed -H 'x-mock-compress: gzip' ...  (curl offers gzip, the mock gzips)
#   SSE:        ... -N ...  with "stream":true in req.json
#   Anthropic:  curl -sS -N --http1.1 --cacert $CA -H "x-api-key: $KEY" -H 'anthropic-version: 2023-06-01' \
#                 --data-binary @req.json $BASE/v1/messages
#   Gemini:     curl -sS --cacert $CA -H "x-goog-api-key: $KEY" --data-binary @req.json \
#                 $BASE/v1beta/models/MODEL:generateContent   (or :streamGenerateContent?alt=sse)
#   (--data-binary, not -d: -d @file strips newlines; our request files have none anyway.)

LLM_PY=/usr/bin/python3
LLM_SECRET=$(cat tests/llm/secret)
LLM_MODEL=gpt-mock-1
llm_srv=""
LT=""

llm_stop() {
	if [ -n "$llm_srv" ]; then
		kill "$llm_srv" 2>/dev/null
		wait "$llm_srv" 2>/dev/null
		llm_srv=""
	fi
}

# Chain onto run.sh's EXIT trap (rm -rf "$TMP"): stop a server left running, then its cleanup.
llm_prev_trap=$(trap -p EXIT)
llm_prev_trap=${llm_prev_trap#"trap -- '"}
llm_prev_trap=${llm_prev_trap%"' EXIT"}
llm_prev_trap=${llm_prev_trap//\'\\\'\'/\'}
# shellcheck disable=SC2064
trap "llm_stop; $llm_prev_trap" EXIT

# llm_start TAG [MOCK OPTION...]: a fresh mock server; sets LT (scratch dir, log in $LT/log),
# LLM_BASE, LLM_CA.
llm_start() {
	llm_stop
	LT="$TMP/llm-$1"
	shift
	rm -rf "$LT"
	mkdir -p "$LT"
	LLM_CA="$TMP/llm-cert/cert.pem"
	$LLM_PY tests/llm/mock_server.py --port 0 --cert "$TMP/llm-cert" --log "$LT/log" \
		--ready "$LT/port" "$@" 2>"$LT/server.err" &
	llm_srv=$!
	local _
	for _ in $(seq $((200 * ${TS:-1}))); do
		[ -s "$LT/port" ] && break
		sleep 0.05
	done
	LLM_BASE="https://127.0.0.1:$(cat "$LT/port" 2>/dev/null)"
	[ -s "$LT/port" ]
}

# llm_trace TAG CMD...: CMD under the tracer, JSON with HTTP exchanges, to $LT/TAG.{jsonl,out,err}
llm_trace() {
	local tag=$1
	shift
	$AGT -q --json --http -o "$LT/$tag.jsonl" -- "$@" >"$LT/$tag.out" 2>"$LT/$tag.err"
}

# llm_check TAG [check.py options]: the oracle comparison, output in $LT/TAG.check. The key must
# be in no http/context/llm event here; test_llm_secret_redacted greps whole outputs (argv,
# syscall buffers, stderr, text mode) so that one redaction gap fails one test, not all.
llm_check() {
	local tag=$1
	shift
	$LLM_PY tests/llm/check.py "$LT/$tag.jsonl" "$LT/log" --secret-llm "$LLM_SECRET" "$@" \
		>"$LT/$tag.check" 2>&1
}

# What to show when a test fails.
llm_why() {
	local tag=$1
	head -c 1500 "$LT/$tag.check" 2>/dev/null
	echo
	echo "client: $(tail -c 300 "$LT/$tag.out" 2>/dev/null | tr '\n' ' ') stderr: $(tail -c 600 "$LT/$tag.err" 2>/dev/null | tr '\n' ' ')"
	echo "server: $(tail -c 300 "$LT/server.err" 2>/dev/null | tr '\n' ' ') (logs in $LT)"
}

# A JSON request file (no trailing newline).
llm_req() { # file json
	printf '%s' "$2" >"$1"
}

llm_need_node() { # test description
	if [ ! -x /usr/bin/node ] || [ ! -f tests/llm/node/node_modules/openai/package.json ] ||
		[ ! -f tests/llm/node/node_modules/@openai/agents/package.json ] ||
		[ ! -f tests/llm/node/node_modules/@google/genai/package.json ]; then
		bad "$1" "node or tests/llm/node/node_modules missing: run scripts/deps.sh (npm ci)"
		return 1
	fi
}

# ----------------------------------------------------------------------------- curl

t test_llm_curl_plain
test_llm_curl_plain() {
	local d="curl HTTP/1.1 chat completion: bodies, tokens, no key in the trace"
	llm_start curl || { bad "$d" "mock server did not start: $(cat "$LT/server.err")"; return; }
	llm_req "$LT/req.json" '{"model":"gpt-mock-1","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"curl plain: say hi"}]}'
	llm_trace c curl -sS --http1.1 --cacert "$LLM_CA" -H "Authorization: Bearer $LLM_SECRET" \
		-H 'Content-Type: application/json' --data-binary @"$LT/req.json" "$LLM_BASE/v1/chat/completions" &&
		grep -q '"Mock answer' "$LT/c.out" && llm_check c --expect-requests 1
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_curl_http2
test_llm_curl_http2() {
	local d="curl HTTP/2 (ALPN h2): plain and SSE chat completions"
	llm_start curlh2 || { bad "$d" "mock server did not start"; return; }
	llm_req "$LT/a.json" '{"model":"gpt-mock-1","messages":[{"role":"user","content":"curl h2 plain"}]}'
	llm_req "$LT/b.json" '{"model":"gpt-mock-1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"curl h2 stream"}]}'
	local c="curl -sS --cacert $LLM_CA -H 'Authorization: Bearer $LLM_SECRET' -H 'Content-Type: application/json'"
	llm_trace c sh -c "$c --http2 --data-binary @$LT/a.json $LLM_BASE/v1/chat/completions &&
		$c --http2 -N --data-binary @$LT/b.json $LLM_BASE/v1/chat/completions" &&
		grep -q '"http_version": "2"' "$LT/log/0001/meta.json" && llm_check c --expect-requests 2
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_curl_gzip
test_llm_curl_gzip() {
	local d="curl --compressed: gzip JSON and gzip SSE (Z_SYNC_FLUSH per event) decoded"
	llm_start gzip || { bad "$d" "mock server did not start"; return; }
	llm_req "$LT/a.json" '{"model":"gpt-mock-1","messages":[{"role":"user","content":"curl gzip plain"}]}'
	llm_req "$LT/b.json" '{"model":"gpt-mock-1","stream":true,"messages":[{"role":"user","content":"curl gzip stream"}],"tools":[{"type":"function","function":{"name":"run_shell","parameters":{"type":"object"}}}]}'
	local c="curl -sS --http1.1 --compressed --cacert $LLM_CA -H 'Authorization: Bearer $LLM_SECRET' -H 'Content-Type: application/json'"
	llm_trace c sh -c "$c -H 'x-mock-compress: gzip' --data-binary @$LT/a.json $LLM_BASE/v1/chat/completions &&
		$c -N --data-binary @$LT/b.json '$LLM_BASE/v1/chat/completions?gzip=1'" &&
		grep -q '"compressed": "gzip"' "$LT/log/0001/meta.json" &&
		grep -q '"compressed": "gzip"' "$LT/log/0002/meta.json" && llm_check c --expect-requests 2
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_curl_anthropic_stream
test_llm_curl_anthropic_stream() {
	local d="curl Anthropic /v1/messages SSE (x-api-key): input/output tokens from message_start/message_delta"
	llm_start anth || { bad "$d" "mock server did not start"; return; }
	llm_req "$LT/a.json" '{"model":"claude-mock-1","max_tokens":256,"stream":true,"system":"Be brief.","messages":[{"role":"user","content":"curl anthropic stream"}]}'
	llm_trace c curl -sS -N --http1.1 --fail-with-body --cacert "$LLM_CA" -H "x-api-key: $LLM_SECRET" \
		-H 'anthropic-version: 2023-06-01' -H 'Content-Type: application/json' \
		--data-binary @"$LT/a.json" "$LLM_BASE/v1/messages" &&
		grep -q 'event: message_stop' "$LT/c.out" && llm_check c --expect-requests 1
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_error_401
test_llm_error_401() {
	local d="a 401 answer: llm_response status 401 with the error message"
	llm_start e401 || { bad "$d" "mock server did not start"; return; }
	llm_req "$LT/a.json" '{"model":"gpt-mock-1","messages":[{"role":"user","content":"bad key"}]}'
	llm_trace c curl -sS --http1.1 --cacert "$LLM_CA" -H "Authorization: Bearer $LLM_SECRET" \
		-H 'x-mock-status: 401' -H 'Content-Type: application/json' \
		--data-binary @"$LT/a.json" "$LLM_BASE/v1/chat/completions" &&
		grep -q 'Invalid API key (mock)' "$LT/c.out" && llm_check c --expect-requests 1 &&
		$LLM_PY - "$LT/c.jsonl" <<'PY' >>"$LT/c.check" 2>&1
import json, sys
r = [e["llm"] for e in map(json.loads, open(sys.argv[1])) if e["type"] == "llm_response"]
assert len(r) == 1 and r[0]["status"] == 401, r
assert "Invalid API key (mock)." in json.dumps(r[0]), r
PY
	check "$d" $? "$(llm_why c)"
	llm_stop
}

# Gemini: a function-calling step (plain generateContent over HTTP/1.1, key in x-goog-api-key)
# then the next step carrying the functionResponse (streamGenerateContent?alt=sse over h2, key in
# the ?key= query parameter, which the http event's path and the text line show redacted).
t test_llm_curl_gemini
test_llm_curl_gemini() {
	local d="curl Gemini: generateContent (tool call) + streamGenerateContent?alt=sse (h2, ?key=): bodies, tokens, no key"
	llm_start gemini || { bad "$d" "mock server did not start"; return; }
	llm_req "$LT/a.json" '{"contents":[{"role":"user","parts":[{"text":"curl gemini: list files"}]}],"systemInstruction":{"parts":[{"text":"Be brief."}]},"tools":[{"functionDeclarations":[{"name":"run_shell","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}}]}],"generationConfig":{"temperature":0}}'
	llm_req "$LT/b.json" '{"contents":[{"role":"user","parts":[{"text":"curl gemini: list files"}]},{"role":"model","parts":[{"functionCall":{"name":"run_shell","args":{"cmd":"echo hi"}}}]},{"role":"user","parts":[{"functionResponse":{"name":"run_shell","response":{"output":"hi"}}}]}],"systemInstruction":{"parts":[{"text":"Be brief."}]},"tools":[{"functionDeclarations":[{"name":"run_shell","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}}]}]}'
	local c="curl -sS --fail-with-body --cacert $LLM_CA -H 'Content-Type: application/json'"
	local m="$LLM_BASE/v1beta/models/gemini-mock-1"
	llm_trace c sh -c "$c --http1.1 -H 'x-goog-api-key: $LLM_SECRET' --data-binary @$LT/a.json $m:generateContent &&
		$c --http2 -N --data-binary @$LT/b.json '$m:streamGenerateContent?key=$LLM_SECRET&alt=sse'" &&
		grep -q '"functionCall"' "$LT/c.out" && grep -q '"finishReason":"STOP"' "$LT/c.out" &&
		llm_check c --expect-requests 2 --secret "$LLM_SECRET" --scan "$LT/c.err" &&
		$LLM_PY - "$LT/c.jsonl" "$LT/log" <<'PY' >>"$LT/c.check" 2>&1
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ctx = [e["context"] for e in ev if e["type"] == "context_snapshot"]
r = [e["llm"] for e in ev if e["type"] == "llm_response"]
meta = [json.load(open("%s/%04d/meta.json" % (sys.argv[2], i))) for i in (1, 2)]
assert [c["api"] for c in ctx] == ["gemini.generate"] * 2 and ctx[0]["model"] == "gemini-mock-1", ctx
assert ctx[0]["system_prompt"] == "Be brief." and ctx[0]["tools"] == ["run_shell"], ctx[0]
assert [(m["role"], m["content"]) for m in ctx[1]["messages"]] == [
    ("user", "curl gemini: list files"), ("assistant", ""), ("tool", '{"output":"hi"}')], ctx[1]
assert ctx[1]["messages"][1]["tool_calls"] == [{"id": "run_shell", "name": "run_shell", "arguments": '{"cmd":"echo hi"}'}]
assert ctx[1]["messages"][2]["tool_call_id"] == "run_shell"
# the tool call's id is what the mock logged (the name: Gemini has no ids)
assert [t["id"] for t in r[0]["tool_calls"]] == [t["id"] for t in meta[0]["tool_calls"]] == ["run_shell"], r[0]
assert r[0]["stream"] is False and r[0]["ttft"] == -1, r[0]
assert r[1]["stream"] is True and 0 < r[1]["ttft"] < r[1]["latency"], r[1]
u = meta[1]["usage"]
assert r[1]["total_tokens"] == u["request_tokens"] + u["response_tokens"], (r[1], u)
h = [e["http"] for e in ev if e["type"] == "http"]
assert h[1]["path"] == "/v1beta/models/gemini-mock-1:streamGenerateContent?key=[REDACTED]&alt=sse", h[1]["path"]
assert ["x-goog-api-key", "[REDACTED]"] in h[0]["request_headers"], h[0]["request_headers"]
PY
	local rc=$?
	# text mode with --http: the path on the HTTP line is redacted too
	[ $rc = 0 ] && $AGT -q --http -o "$LT/t.txt" -- sh -c "$c --http2 -N --data-binary @$LT/b.json '$m:streamGenerateContent?key=$LLM_SECRET&alt=sse'" \
		>"$LT/t.out" 2>"$LT/t.err" &&
		grep -q 'HTTP/2 POST /v1beta/models/gemini-mock-1:streamGenerateContent?key=\[REDACTED\]&alt=sse 200' "$LT/t.txt" &&
		grep -Eq ' LLM gemini-mock-1 [0-9]+→[0-9]+ tokens [0-9]+ ms 200 stream ttft ' "$LT/t.txt" &&
		! grep -qF "$LLM_SECRET" "$LT/t.txt" "$LT/t.err" "$LT/c.jsonl"
	rc=$((rc + $?))
	check "$d" $rc "$(llm_why c) text: $(grep -E 'LLM|HTTP' "$LT/t.txt" | head -3)"
	llm_stop
}

# gemini-cli logged in with a Google account talks to Code Assist: /v1internal:streamGenerateContent
# with the generateContent request wrapped in {model, project, request}, each chunk in {response}.
t test_llm_curl_gemini_code_assist
test_llm_curl_gemini_code_assist() {
	local d="curl Gemini Code Assist (/v1internal:streamGenerateContent?alt=sse, gemini-cli's OAuth path): model from the body, tool call, tokens"
	llm_start gemca || { bad "$d" "mock server did not start"; return; }
	llm_req "$LT/a.json" '{"model":"gemini-mock-2","project":"mock-project","user_prompt_id":"u-1","request":{"contents":[{"role":"user","parts":[{"text":"code assist: list files"}]}],"systemInstruction":{"role":"user","parts":[{"text":"You are an agent."}]},"tools":[{"functionDeclarations":[{"name":"list_directory"}]}],"session_id":"s-1"}}'
	llm_trace c curl -sS -N --http1.1 --fail-with-body --cacert "$LLM_CA" -H "Authorization: Bearer $LLM_SECRET" \
		-H 'Content-Type: application/json' --data-binary @"$LT/a.json" \
		"$LLM_BASE/v1internal:streamGenerateContent?alt=sse" &&
		grep -q '"traceId"' "$LT/c.out" && llm_check c --expect-requests 1 --secret "$LLM_SECRET" &&
		$LLM_PY - "$LT/c.jsonl" <<'PY' >>"$LT/c.check" 2>&1
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ctx = [e["context"] for e in ev if e["type"] == "context_snapshot"]
r = [e["llm"] for e in ev if e["type"] == "llm_response"]
assert ctx[0]["model"] == "gemini-mock-2" and ctx[0]["system_prompt"] == "You are an agent.", ctx
assert ctx[0]["tools"] == ["list_directory"] and ctx[0]["messages"][0]["content"] == "code assist: list files", ctx
assert r[0]["stream"] is True and [t["id"] for t in r[0]["tool_calls"]] == ["list_directory"], r
PY
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_curl_gemini_error
test_llm_curl_gemini_error() {
	local d="curl Gemini error body {error:{code,message,status}}: llm_response 400 with the message"
	llm_start gemerr || { bad "$d" "mock server did not start"; return; }
	llm_req "$LT/a.json" '{"contents":[{"parts":[{"text":"bad request"}]}]}'
	llm_trace c curl -sS --http1.1 --cacert "$LLM_CA" -H "x-goog-api-key: $LLM_SECRET" \
		-H 'x-mock-status: 400' -H 'Content-Type: application/json' --data-binary @"$LT/a.json" \
		"$LLM_BASE/v1/models/gemini-mock-1:generateContent" &&
		grep -q '"INVALID_ARGUMENT"' "$LT/c.out" && llm_check c --expect-requests 1 &&
		$LLM_PY - "$LT/c.jsonl" <<'PY' >>"$LT/c.check" 2>&1
import json, sys
r = [e["llm"] for e in map(json.loads, open(sys.argv[1])) if e["type"] == "llm_response"]
assert len(r) == 1 and r[0]["status"] == 400 and r[0]["error"] == "Mock error 400.", r
assert r[0]["api"] == "gemini.generate" and r[0]["model"] == "gemini-mock-1", r
PY
	check "$d" $? "$(llm_why c)"
	llm_stop
}

# ----------------------------------------------------------------------------- python

t test_llm_py_urllib
test_llm_py_urllib() {
	local d="python urllib (SSL_write_ex/SSL_read_ex): plain chat + SSE chat read up to [DONE]"
	llm_start urllib || { bad "$d" "mock server did not start"; return; }
	llm_trace c $LLM_PY tests/llm/clients/py_urllib.py --base "$LLM_BASE" --ca "$LLM_CA" &&
		grep -qx 'ok 2' "$LT/c.out" && llm_check c --expect-requests 2
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_httpx_http1
test_llm_httpx_http1() {
	local d="python httpx HTTP/1.1: plain + SSE chat"
	llm_start httpx1 || { bad "$d" "mock server did not start"; return; }
	llm_trace c $LLM_PY tests/llm/clients/py_httpx.py --base "$LLM_BASE" --ca "$LLM_CA" &&
		grep -qx 'ok 2' "$LT/c.out" && grep -q '"http_version": "1.1"' "$LT/log/0002/meta.json" &&
		llm_check c --expect-requests 2
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_httpx_http2
test_llm_httpx_http2() {
	local d="python httpx HTTP/2 (h2 negotiated): plain + SSE chat on one connection"
	llm_start httpx2 || { bad "$d" "mock server did not start"; return; }
	llm_trace c $LLM_PY tests/llm/clients/py_httpx.py --http2 --base "$LLM_BASE" --ca "$LLM_CA" &&
		grep -qx 'ok 2' "$LT/c.out" && grep -q '"http_version": "2"' "$LT/log/0001/meta.json" &&
		grep -q '"http_version": "2"' "$LT/log/0002/meta.json" && llm_check c --expect-requests 2
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_py_big
test_llm_py_big() {
	local d="a 1.2 MiB request body captured whole (request_bytes > 1 MiB and equal)"
	llm_start big || { bad "$d" "mock server did not start"; return; }
	llm_trace c $LLM_PY tests/llm/clients/py_big.py --base "$LLM_BASE" --ca "$LLM_CA" &&
		grep -qx 'ok 1' "$LT/c.out" && llm_check c --expect-requests 1 &&
		$LLM_PY - "$LT/c.jsonl" "$LT/log/0001/request_body" <<'PY' >>"$LT/c.check" 2>&1
import json, os, sys
n = os.path.getsize(sys.argv[2])
h = [e["http"] for e in map(json.loads, open(sys.argv[1])) if e["type"] == "http"]
assert len(h) == 1 and h[0]["request_bytes"] == n > 1048576, ([x.get("request_bytes") for x in h], n)
PY
	check "$d" $? "$(llm_why c)"
	llm_stop
}

# --tls-max-bytes: the part of one SSL_write beyond the cap is not captured, and says so: the
# request's request_lost is exactly what was cut, and the tracer reports the bytes on stderr.
t test_llm_tls_max_bytes
test_llm_tls_max_bytes() {
	local d="--tls-max-bytes 256K: a 1.2 MiB request is cut, the missing bytes counted exactly"
	llm_start cap || { bad "$d" "mock server did not start"; return; }
	$AGT -q --json --http --tls-max-bytes 256K -o "$LT/t.jsonl" -- \
		$LLM_PY tests/llm/clients/py_big.py --base "$LLM_BASE" --ca "$LLM_CA" \
		>"$LT/t.out" 2>"$LT/t.err"
	grep -qx 'ok 1' "$LT/t.out" &&
		$LLM_PY - "$LT/t.jsonl" "$LT/log/0001/request_body" "$LT/t.err" <<'PY' >"$LT/t.check" 2>&1
import json, os, re, sys
body = open(sys.argv[2], "rb").read()
ev = [json.loads(l) for l in open(sys.argv[1])]
h = [e["http"] for e in ev if e["type"] == "http"]
assert len(h) == 1, len(h)
h = h[0]
# one SSL_write carries headers + body; everything past 256 KiB of it is missing
got = h["request_bytes"]
lost = h["request_lost"]
assert got + lost == len(body), (got, lost, len(body))
assert lost > 0 and h["complete"] is False, h["complete"]
assert body.startswith(h["request_body"].encode()), "captured part differs"
err = open(sys.argv[3]).read()
m = re.search(r"(\d+) bytes of TLS plaintext not captured", err)
assert m and int(m.group(1)) == lost, (err, lost)
PY
	check "$d" $? "$(head -c 800 "$LT/t.check"; tail -c 300 "$LT/t.err")"
	llm_stop
}

t test_llm_tool_subprocess
test_llm_tool_subprocess() {
	local d="an agent's tool (curl child) makes its own HTTPS call: captured under the child's pid"
	llm_start tool || { bad "$d" "mock server did not start"; return; }
	llm_trace c $LLM_PY tests/llm/clients/py_tool_agent.py --base "$LLM_BASE" --ca "$LLM_CA" &&
		grep -qx 'ok 3' "$LT/c.out" && llm_check c --expect-requests 3 --print-matches &&
		cp "$LT/c.check" "$LT/c.matches" &&
		$LLM_PY - "$LT/c.matches" <<'PY' >>"$LT/c.check" 2>&1
import re, sys
m = dict((s, (p, c)) for s, p, c in re.findall(r"^match (\d+) pid=(\d+) tid=\d+ comm=(\S+)$", open(sys.argv[1]).read(), re.M))
assert set(m) == {"0001", "0002", "0003"}, m
assert m["0001"][0] == m["0003"][0] != m["0002"][0], m
assert m["0002"][1] == "curl", m
PY
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_keepalive_attach
test_llm_keepalive_attach() {
	local d="-p attached between two requests on one keep-alive connection: the second is captured"
	llm_start keep || { bad "$d" "mock server did not start"; return; }
	$LLM_PY tests/llm/clients/py_keepalive.py --base "$LLM_BASE" --ca "$LLM_CA" --go "$LT/go" >"$LT/c.out" 2>&1 &
	local cpid=$! _
	for _ in $(seq $((200 * ${TS:-1}))); do grep -q 'req1 done' "$LT/c.out" 2>/dev/null && break; sleep 0.05; done
	$AGT --json --http -o "$LT/c.jsonl" -p $cpid 2>"$LT/c.err" &
	local apid=$!
	for _ in $(seq $((200 * ${TS:-1}))); do grep -q attached "$LT/c.err" 2>/dev/null && break; sleep 0.05; done
	touch "$LT/go"
	wait $cpid
	local crc=$?
	wait $apid
	[ $crc = 0 ] && grep -qx 'ok 2' "$LT/c.out" && llm_check c --from 2 --expect-requests 1
	check "$d" $? "$(llm_why c)"
	llm_stop
}

# The key must appear nowhere: not in the JSON trace (headers, bodies, but also curl's argv and
# the python client's read() of the key file: DESIGN §4, sk-... keys are redacted before any
# sink), not on the tracer's stderr, not in the text output of a second run with --http.
t test_llm_secret_redacted
test_llm_secret_redacted() {
	local d="the API key never reaches the tracer's output (JSON, text --http, stderr; argv and buffers too)"
	llm_start secret || { bad "$d" "mock server did not start"; return; }
	llm_trace c $LLM_PY tests/llm/clients/py_tool_agent.py --base "$LLM_BASE" --ca "$LLM_CA"
	local rc1=$?
	$AGT -q --http -o "$LT/t.txt" -- $LLM_PY tests/llm/clients/py_tool_agent.py --base "$LLM_BASE" \
		--ca "$LLM_CA" >"$LT/t.out" 2>"$LT/t.err"
	local rc=$?
	[ $rc1 = 0 ] && [ $rc = 0 ] && grep -qx 'ok 3' "$LT/c.out" && llm_check c --only-seq 1 2 3 --secret "$LLM_SECRET" \
		--scan "$LT/c.err" "$LT/t.txt" "$LT/t.out" "$LT/t.err" && grep -q ' LLM ' "$LT/t.txt" &&
		grep -qF "$LLM_SECRET" "$LT/log/0005/meta.json" # the clients did send it
	check "$d" $? "rc=$rc1,$rc $(llm_why c)"
	llm_stop
}

t test_llm_text_line
test_llm_text_line() {
	local d="text mode: [pid N] +S.UUUUUU LLM <model> <req>→<resp> tokens <ms> ms 200[ ...], tokens from the server"
	llm_start text || { bad "$d" "mock server did not start"; return; }
	$AGT -q -o "$LT/t.txt" -- $LLM_PY tests/llm/clients/py_urllib.py --base "$LLM_BASE" \
		--ca "$LLM_CA" >"$LT/t.out" 2>"$LT/t.err"
	local rc=$? ok=0 n f rq rs
	for n in 0001 0002; do
		f="$LT/log/$n/meta.json"
		read -r rq rs < <($LLM_PY -c 'import json,sys; u=json.load(open(sys.argv[1]))["usage"]; print(u["request_tokens"], u["response_tokens"])' "$f")
		grep -Eq "^\[pid [0-9]+\] \+[0-9]+\.[0-9]{6} LLM $LLM_MODEL $rq→$rs tokens [0-9.]+ ms 200( .*)?$" "$LT/t.txt" || ok=1
	done
	[ $rc = 0 ] && [ $ok = 0 ] && [ "$(grep -c ' LLM ' "$LT/t.txt")" = 2 ]
	check "$d" $? "rc=$rc lines: $(grep ' LLM ' "$LT/t.txt" | head -5) err: $(tail -c 300 "$LT/t.err")"
	llm_stop
}

# ----------------------------------------------------------------------------- node

t test_llm_node_openai
test_llm_node_openai() {
	local d="node openai SDK: chat, chat stream with a tool call, responses, responses stream"
	llm_need_node "$d" || return
	llm_start nodeoa || { bad "$d" "mock server did not start"; return; }
	NODE_EXTRA_CA_CERTS="$LLM_CA" llm_trace c /usr/bin/node tests/llm/clients/node_openai.mjs \
		--base "$LLM_BASE" --ca "$LLM_CA" &&
		grep -qx 'ok 4' "$LT/c.out" && llm_check c --expect-requests 4
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_node_agents
test_llm_node_agents() {
	local d="node @openai/agents: a two-step tool loop, 2 llm_response (tool_calls run_shell, then stop)"
	llm_need_node "$d" || return
	llm_start nodeag || { bad "$d" "mock server did not start"; return; }
	NODE_EXTRA_CA_CERTS="$LLM_CA" llm_trace c /usr/bin/node tests/llm/clients/node_agents.mjs \
		--base "$LLM_BASE" --ca "$LLM_CA" &&
		grep -qx 'ok 2' "$LT/c.out" && llm_check c --expect-requests 2 &&
		$LLM_PY - "$LT/c.jsonl" <<'PY' >>"$LT/c.check" 2>&1
import json, sys
r = [e["llm"] for e in map(json.loads, open(sys.argv[1])) if e["type"] == "llm_response"]
assert len(r) == 2, r
assert r[0]["finish_reason"] == "tool_calls" and [t["name"] for t in r[0]["tool_calls"]] == ["run_shell"], r[0]
assert r[1]["finish_reason"] == "stop" and not r[1].get("tool_calls"), r[1]
PY
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_node_genai
test_llm_node_genai() {
	local d="node @google/genai: a two-step function-calling loop (streamed functionCall, then plain text)"
	llm_need_node "$d" || return
	llm_start nodegem || { bad "$d" "mock server did not start"; return; }
	NODE_EXTRA_CA_CERTS="$LLM_CA" llm_trace c /usr/bin/node tests/llm/clients/node_genai.mjs \
		--base "$LLM_BASE" --ca "$LLM_CA" &&
		grep -qx 'ok 2' "$LT/c.out" && llm_check c --expect-requests 2 --secret "$LLM_SECRET" &&
		$LLM_PY - "$LT/c.jsonl" <<'PY' >>"$LT/c.check" 2>&1
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
r = [e["llm"] for e in ev if e["type"] == "llm_response"]
ctx = [e["context"] for e in ev if e["type"] == "context_snapshot"]
assert [x["api"] for x in r] == ["gemini.generate"] * 2, r
assert r[0]["stream"] is True and [t["name"] for t in r[0]["tool_calls"]] == ["run_shell"], r[0]
assert r[1]["stream"] is False and r[1]["finish_reason"] == "STOP" and not r[1]["tool_calls"], r[1]
assert ctx[1]["system_prompt"] == "Use the tool, then answer." and ctx[1]["tools"] == ["run_shell"], ctx[1]
assert [(m["role"], m.get("tool_call_id")) for m in ctx[1]["messages"]] == [
    ("user", None), ("assistant", None), ("tool", "run_shell")], ctx[1]["messages"]
assert ctx[1]["messages"][2]["content"] == '{"output":"hi\\n"}', ctx[1]["messages"][2]
PY
	check "$d" $? "$(llm_why c)"
	llm_stop
}
