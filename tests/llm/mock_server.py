#!/usr/bin/python3
"""OpenAI/Anthropic/Gemini-compatible HTTPS mock model server: the oracle of the TLS capture tests.

Run with Debian's /usr/bin/python3 (stdlib + python3-h2):

    mock_server.py --port 0 --cert DIR --log DIR [--ready FILE]

--cert DIR  created there with the openssl CLI if absent: a CA, cert.pem (what clients trust),
            and the served leaf it signed (CN=localhost, SAN DNS:localhost + IP:127.0.0.1):
            leaf.pem (leaf + CA) and leaf.key.
--ready F   the chosen port is written to F (atomically) once the server listens.
--log DIR   one directory per request, DIR/NNNN/ (0001, 0002, ... in arrival order):
              request_body   exact body bytes received (de-chunked for a chunked HTTP/1.1 request)
              response_body  exact body bytes produced, before compression and chunking/framing
              meta.json      {"seq","method","path","http_version":"1.1"|"2","status","stream",
                              "compressed":"gzip"|null,"api","model","authorization",
                              "usage":{"request_tokens","response_tokens"} | null (error status),
                              "finish_reason","content","tool_calls":[{"id","name","arguments"}],
                              "user_agent","request_bytes","response_bytes",
                              "tool_results": tool results the request carried (LLM calls)}
            All three files are written (meta.json last, atomically) BEFORE the first response
            byte is sent, so a log dir with meta.json is complete by the time a client sees data.

TLS offers ALPN h2 and http/1.1. HTTP/1.1: keep-alive, one thread per connection; plain JSON with
Content-Length, SSE with Transfer-Encoding: chunked, exactly one chunk (one TLS write) per event.
HTTP/2 (ALPN h2): python3-h2, flow control respected both ways (bodies of several MB).

Endpoints (POST; the query string is ignored for routing but logged in "path"):
  /v1/chat/completions  -> api "openai.chat"
  /v1/responses         -> api "openai.responses"
  /v1/messages          -> api "anthropic.messages"
  .../models/MODEL:generateContent, .../models/MODEL:streamGenerateContent (any prefix: /v1beta,
                        /v1, Vertex's .../publishers/google) -> api "gemini.generate", model MODEL
  /v1internal:generateContent, /v1internal:streamGenerateContent (Code Assist, as gemini-cli
                        logged in with Google calls it) -> api "gemini.generate", the model from
                        the body's "model", the request in its "request", every response object
                        wrapped as {"response": ..., "traceId": ...}
  anything else         -> 404 JSON, api "other", usage null
Behaviour: if the request defines tools and the conversation holds no tool result yet, the answer is
a call of the FIRST tool with arguments {"cmd":"echo hi"}; otherwise a text answer (with some
non-ASCII characters, to test UTF-8 handling).  Header `x-mock-plan: demo` (chat only): the tool
calls of scripts/sample_agent.py's DEMO_PLAN, step = number of role:"tool" messages so far.
Gemini (Code Assist: the same, inside the body's "request"): a tool call when
tools[].functionDeclarations is set and no part of contents is a
functionResponse yet (the first declaration, args {"cmd":"echo hi"}); Gemini has no call ids, so
meta tool_calls[].id is the function's name, as the tracer reports it.  meta "authorization" is
the x-goog-api-key header when there is no Authorization.
Usage (deterministic, distinct per request):
  request_tokens  = len(request_body) // 4
  response_tokens = len(answer) // 4 + 7, answer = the text, or name + arguments of the tool call
For SSE the usage is ALWAYS sent (chat: a final {"choices":[],"usage":...} chunk before
`data: [DONE]`, whether or not stream_options.include_usage is set), so meta "usage" is always
what the client could see.  Error statuses carry no usage (meta "usage": null).
`"stream": true` in the body -> SSE:
  chat:      role chunk, content deltas (>=3 chunks) or tool_call (id+name chunk, then the
             arguments in >=3 chunks), finish chunk, usage chunk, `data: [DONE]`
  responses: response.created, response.in_progress, response.output_item.added,
             (content_part.added, output_text.delta x>=3, output_text.done, content_part.done) |
             (function_call_arguments.delta x>=3, function_call_arguments.done),
             response.output_item.done, response.completed (with usage).  No [DONE] (as OpenAI).
  gemini:    :streamGenerateContent?alt=sse (the path, not the body, asks for a stream):
             `data: {GenerateContentResponse}` CRLF CRLF per chunk, no [DONE]; text in >=3
             chunks, or one functionCall chunk then an empty-text chunk; every chunk carries
             usageMetadata, partial (candidatesTokenCount <= 1) but for the last, which also has
             finishReason "STOP".  Without alt=sse: the same chunks as one JSON array (meta
             stream false).  Plain :generateContent: one object, finishReason "STOP".
  anthropic: message_start (usage.input_tokens), content_block_start, ping,
             content_block_delta (text_delta | input_json_delta) x>=3, content_block_stop,
             message_delta (stop_reason, usage.output_tokens), message_stop
Besides the model calls (logged too, never LLM requests: their meta api is not one of the four):
  HEAD any path           the head GET would get, no body (Claude Code preconnects with HEAD /);
                          an unknown path: 404, api "probe"
  GET /v1/models, /models OpenAI's model list (api "openai.models"), Anthropic's when the
                          request has anthropic-version ("anthropic.models")
  GET /v1beta/models      Gemini's model list ("gemini.models")
  POST /v1/messages/count_tokens  {"input_tokens": len(body)//4} ("anthropic.count_tokens")
--scenario shell[:N]      real agent CLIs (tests/agents/run.sh): when a request offers a
                          shell-like tool (Bash, bash, shell, exec_command, run_shell_command,
                          shell_command, ...), call THAT tool with `echo agtrace-step-K`
                          (K = tool results so far + 1; the command under the schema's
                          command/cmd key, an argv array if the schema says array, other
                          required properties filled with harmless values) until N results
                          are in, then a text answer; requests without a shell tool (titles,
                          summaries) get a text answer.  The default behaviour is off.
--latency-ms MS           wait MS before the first response byte of every model call (a
                          fixed model latency for scripts/bench_agent.sh; probes never wait).
Request headers that steer the mock:
  x-mock-compress: gzip   (or query ?gzip=1) and Accept-Encoding containing gzip -> gzip the body;
                          SSE: one gzip stream, Z_SYNC_FLUSH after each event; the gzip trailer
                          is sent in the chunk just before the terminating 0-chunk (HTTP/1.1) or
                          in the last DATA frame (h2), i.e. after the last event.
                          br is not offered (no python3-brotli on this machine).
  x-mock-status: N        answer status N with an OpenAI-style error JSON (Anthropic style on
                          /v1/messages, {"error":{"code","message","status"}} on Gemini
                          paths); never streamed.
  x-mock-answer-bytes: N  pad a text answer to about N characters (big responses, h2 flow control).
  x-mock-latency-ms: N    this call's latency (overrides --latency-ms).
  x-mock-event-delay-ms: N  pause between SSE events (default 2 ms, so events leave in separate
                          TLS records and time-to-first-token < latency).
"""
import argparse
import gzip
import json
import os
import queue
import re
import select
import socket
import ssl
import subprocess
import sys
import threading
import time
import zlib

CREATED = 1700000000

# scripts/sample_agent.py's plan: the model's tool calls, in order (x-mock-plan: demo).
DEMO_PLAN = [
    {"tool": "shell", "cmd": ["ls", "-l", "/etc/hostname", "/etc/os-release"]},
    {"tool": "shell", "cmd": ["grep", "-c", "root", "/etc/passwd"]},
    {"tool": "shell", "cmd": ["cat", "/nonexistent/config.yaml"]},
    {"tool": "write", "path": None, "text": "summary of the run\n"},
]
DEMO_FINAL = "Done: 3 tools run, 1 failed."

TOOL_ARGS = '{"cmd":"echo hi"}'


def ensure_cert(d):
    """-> (chain, key): a CA (cert.pem, what clients trust) and a leaf it signed (leaf.pem holds
    leaf + CA, served; leaf.key). A chain, not one self-signed certificate: rustls (webpki)
    rejects a leaf that is itself a CA, and Go and BoringSSL want a real issuer too."""
    os.makedirs(d, exist_ok=True)
    ca, chain, key = (os.path.join(d, n) for n in ("cert.pem", "leaf.pem", "leaf.key"))
    if all(os.path.exists(p) for p in (ca, chain, key)):
        return chain, key
    tmp = "%s.%d" % (os.path.join(d, "gen"), os.getpid())

    def run(*args):
        subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-days", "3650", "-subj", "/CN=agtrace mock CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout", tmp + ".ca.key", "-out", tmp + ".ca.crt")
    run("req", "-new", *ec, "-subj", "/CN=localhost", "-keyout", tmp + ".key",
        "-out", tmp + ".csr")
    with open(tmp + ".ext", "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", tmp + ".csr", "-CA", tmp + ".ca.crt", "-CAkey", tmp + ".ca.key",
        "-CAcreateserial", "-days", "3650", "-extfile", tmp + ".ext", "-out", tmp + ".crt")
    with open(tmp + ".chain", "wb") as out:
        for part in (tmp + ".crt", tmp + ".ca.crt"):
            with open(part, "rb") as f:
                out.write(f.read())
    # leaf first, the CA last: whoever sees cert.pem may rely on the rest being there
    os.replace(tmp + ".key", key)
    os.replace(tmp + ".chain", chain)
    os.replace(tmp + ".ca.crt", ca)
    for ext in (".ca.key", ".csr", ".ext", ".crt", ".ca.srl", ".srl"):
        if os.path.exists(tmp + ext):
            os.unlink(tmp + ext)
    if os.path.exists(os.path.join(d, "gen.%d.ca.srl" % os.getpid())):
        os.unlink(os.path.join(d, "gen.%d.ca.srl" % os.getpid()))
    return chain, key


def split3(s, n=3):
    """Split s into at least n non-empty pieces (fewer only if s is shorter than n), at most 32."""
    if len(s) <= n:
        return [c for c in s] or [""]
    k = -(-len(s) // max(n, min(len(s) // 12, 32)))
    return [s[i:i + k] for i in range(0, len(s), k)]


def dumps(o):
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


class Logger:
    def __init__(self, d):
        self.dir = d
        self.seq = 0
        self.lock = threading.Lock()
        os.makedirs(d, exist_ok=True)

    def next(self):
        with self.lock:
            self.seq += 1
            n = self.seq
        path = os.path.join(self.dir, "%04d" % n)
        os.makedirs(path, exist_ok=True)
        return n, path


# ---------------------------------------------------------------- the model


# Gemini: POST {/v1beta|/v1|Vertex prefix}/models/MODEL:generateContent | :streamGenerateContent
GEMINI_ROUTE = re.compile(r"^/(?:[^?#]*/)?models/([^/:?#]+):(generateContent|streamGenerateContent)$")
# Code Assist (gemini-cli logged in with Google): POST /v1internal:METHOD, the model in the body
CODE_ASSIST_ROUTE = re.compile(r"^/v1internal:(generateContent|streamGenerateContent)$")


def api_of(route):
    if GEMINI_ROUTE.match(route) or CODE_ASSIST_ROUTE.match(route):
        return "gemini.generate"
    return {"/v1/chat/completions": "openai.chat", "/v1/responses": "openai.responses",
            "/v1/messages": "anthropic.messages"}.get(route, "other")


def gget(o, camel, snake):
    """A Gemini request field by its camelCase or its proto snake_case name (the API takes both)."""
    return o.get(camel, o.get(snake)) if isinstance(o, dict) else None


def decide(api, body, headers, seq, size):
    """-> (kind, payload): ("tool", (id, name, args)) or ("text", str)."""
    if SCENARIO["steps"]:
        return scenario_decide(api, body, seq, size)
    if api == "openai.chat" and headers.get("x-mock-plan") == "demo":
        step = sum(1 for m in body.get("messages", []) if m.get("role") == "tool")
        if step < len(DEMO_PLAN):
            return "tool", ("call_demo_%d" % step, DEMO_PLAN[step]["tool"], dumps(DEMO_PLAN[step]))
        return "text", DEMO_FINAL
    tools = body.get("tools") or []
    if api == "openai.chat":
        msgs = body.get("messages", [])
        done = any(m.get("role") == "tool" for m in msgs)
        name = tools[0].get("function", {}).get("name") if tools else None
        n = len(msgs)
    elif api == "openai.responses":
        inp = body.get("input", [])
        inp = inp if isinstance(inp, list) else [inp]
        done = any(isinstance(i, dict) and i.get("type") == "function_call_output" for i in inp)
        name = tools[0].get("name") if tools else None
        n = len(inp)
    elif api == "gemini.generate":
        contents = body.get("contents") or []
        done = any(isinstance(c, dict) and any(isinstance(p, dict) and gget(p, "functionResponse", "function_response")
                                               for p in c.get("parts") or [])
                   for c in contents)
        decls = [d for t in tools for d in (gget(t, "functionDeclarations", "function_declarations") or [])]
        name = decls[0].get("name") if decls else None
        n = len(contents)
        if name and not done:  # Gemini has no call ids: the name stands in (what the tracer reports)
            return "tool", (name, name, TOOL_ARGS)
    else:
        msgs = body.get("messages", [])
        done = any(isinstance(m.get("content"), list) and
                   any(isinstance(c, dict) and c.get("type") == "tool_result" for c in m["content"])
                   for m in msgs)
        name = tools[0].get("name") if tools else None
        n = len(msgs)
    if name and not done:
        return "tool", ("call_mock_%d" % n, name, TOOL_ARGS)
    # the length varies with the request, so that response token counts differ too
    text = "Mock answer #%04d to %d message(s) — naïve café ✓, all good.%s" % (
        seq, n, " More." * (size % 17))
    pad = int(headers.get("x-mock-answer-bytes", "0") or 0)
    if pad > len(text):  # a big answer: filler lines up to about pad characters
        text += "".join("\nfiller line %07d" % i for i in range((pad - len(text)) // 20))
    return "text", text


# ---------------------------------------------------------------- real agent CLIs

# --scenario shell[:N] (tests/agents/run.sh, scripts/bench_agent.sh): real CLIs offer dozens of
# tools; the default behaviour (call the FIRST one with {"cmd":"echo hi"}) would drive them into
# tools that fail.  This mode calls the CLI's own shell tool N times, then answers in text.
SCENARIO = {"steps": 0, "latency_ms": 0}
SHELL_TOOLS = ("bash", "shell", "run_shell_command", "exec_command", "shell_command",
               "local_shell", "run_terminal_cmd", "execute_command", "terminal", "run_command")
COMMAND_KEYS = ("command", "cmd", "script")


def offered_tools(api, body):
    """-> [(name, JSON schema of the arguments)] of the function tools a request offers."""
    out = []
    for t in body.get("tools") or []:
        if not isinstance(t, dict):
            continue
        if api == "gemini.generate":
            for d in gget(t, "functionDeclarations", "function_declarations") or []:
                out.append((d.get("name"), gget(d, "parametersJsonSchema", "parameters_json_schema")
                            or d.get("parameters") or {}))
        elif api == "openai.chat":
            f = t.get("function") or {}
            out.append((f.get("name"), f.get("parameters") or {}))
        elif api == "openai.responses":
            if t.get("type") == "function":
                out.append((t.get("name"), t.get("parameters") or {}))
        else:
            out.append((t.get("name"), t.get("input_schema") or {}))
    return [(n, sch if isinstance(sch, dict) else {}) for n, sch in out if isinstance(n, str)]


def tool_results(api, body):
    """Number of tool results the conversation already carries back to the model."""
    if api == "openai.chat":
        return sum(1 for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "tool")
    if api == "openai.responses":
        inp = body.get("input")
        return sum(1 for i in (inp if isinstance(inp, list) else [])
                   if isinstance(i, dict) and i.get("type") in ("function_call_output",
                                                                "local_shell_call_output"))
    if api == "gemini.generate":
        return sum(1 for c in body.get("contents") or [] if isinstance(c, dict)
                   for p in c.get("parts") or []
                   if isinstance(p, dict) and gget(p, "functionResponse", "function_response"))
    return sum(1 for m in body.get("messages") or [] if isinstance(m, dict) and isinstance(m.get("content"), list)
               for c in m["content"] if isinstance(c, dict) and c.get("type") == "tool_result")


def shell_args(schema, command):
    """Arguments for a shell tool, from its schema: the command under its key (an argv array
    when the schema asks for one), every other required property with a harmless value."""
    props = schema.get("properties") or {}
    key = next((k for k in COMMAND_KEYS if k in props), "command")
    args = {}
    for k in schema.get("required") or []:
        typ = (props.get(k) or {}).get("type")
        args[k] = {"boolean": False, "number": 10000, "integer": 10000, "array": [],
                   "object": {}}.get(typ, "agtrace scenario step")
    args[key] = ["bash", "-lc", command] if (props.get(key) or {}).get("type") == "array" else command
    return dumps(args)


def scenario_decide(api, body, seq, size):
    """A call of the request's shell-like tool running `echo agtrace-step-K` while fewer than N
    tool results are in; then (or when no shell tool is offered: titles, summaries) a text."""
    done = tool_results(api, body)
    shell = next(((n, sch) for n, sch in offered_tools(api, body) if n.lower() in SHELL_TOOLS), None)
    if shell and done < SCENARIO["steps"]:
        name, schema = shell
        args = shell_args(schema, "echo agtrace-step-%d" % (done + 1))
        cid = name if api == "gemini.generate" else "call_agtrace_%d_%04d" % (done + 1, seq)
        return "tool", (cid, name, args)
    return "text", "Mock answer #%04d: %d step(s) run — naïve café ✓, all good.%s" % (
        seq, done, " More." * (size % 17))


def probe_answer(method, route, headers, raw):
    """What the real endpoints answer to the calls CLIs make besides the model call: model lists
    (GET /v1/models, Gemini's GET .../models), Anthropic's token counter, and HEAD (Claude Code
    preconnects with HEAD on the base URL).  -> (status, api, body object) or None.  HEAD is
    answered here as GET would be; respond() sends its head only."""
    if method == "GET" and route.rstrip("/") in ("/v1/models", "/models"):
        if "anthropic-version" in headers:
            return 200, "anthropic.models", {
                "data": [{"type": "model", "id": "claude-mock-1", "display_name": "Claude Mock 1",
                          "created_at": "2025-01-01T00:00:00Z"}],
                "has_more": False, "first_id": "claude-mock-1", "last_id": "claude-mock-1"}
        return 200, "openai.models", {"object": "list", "data": [
            {"id": "gpt-mock-1", "object": "model", "created": CREATED, "owned_by": "mock"}]}
    if method == "GET" and re.match(r"^/(v1beta|v1)/models/?$", route):
        return 200, "gemini.models", {"models": [{
            "name": "models/gemini-mock-1", "displayName": "Gemini Mock 1", "inputTokenLimit": 1048576,
            "outputTokenLimit": 65536, "supportedGenerationMethods": ["generateContent", "countTokens"]}]}
    if method == "POST" and route == "/v1/messages/count_tokens":
        return 200, "anthropic.count_tokens", {"input_tokens": len(raw) // 4}
    if method == "HEAD":
        got = probe_answer("GET", route, headers, raw)
        if got:
            return got
        return 404, "probe", {"type": "error", "error": {"type": "not_found_error",
                                                          "message": "Not Found"}}
    return None


def latency_of(headers, api):
    """Seconds to wait before a model call's first response byte: x-mock-latency-ms, else the
    --latency-ms flag (a fixed model latency for scripts/bench_agent.sh).  Probes never wait."""
    if api not in ("openai.chat", "openai.responses", "anthropic.messages", "gemini.generate"):
        return 0
    try:
        return float(headers.get("x-mock-latency-ms", SCENARIO["latency_ms"])) / 1000
    except ValueError:
        return SCENARIO["latency_ms"] / 1000


def sse(data, event=None):
    out = ("event: %s\n" % event) if event else ""
    return (out + "data: " + (data if isinstance(data, str) else dumps(data)) + "\n\n").encode()


def build(seq, method, target, headers, raw):
    """The whole response for one request: (status, content_type, [event bytes] | body bytes, meta)."""
    route = target.split("?", 1)[0]
    api = api_of(route)
    meta = {"seq": seq, "method": method, "path": target, "api": api, "stream": False,
            "compressed": None, "usage": None, "model": None, "finish_reason": None,
            "content": None, "tool_calls": [],
            "authorization": headers.get("authorization", headers.get("x-api-key",
                                                                      headers.get("x-goog-api-key"))),
            "user_agent": headers.get("user-agent")}
    try:
        body = json.loads(raw.decode("utf-8")) if raw else {}
        if not isinstance(body, dict):
            raise ValueError("body is not an object")
    except ValueError as e:
        return 400, "application/json", dumps({"error": {"message": "bad JSON: %s" % e,
                                                         "type": "invalid_request_error",
                                                         "param": None, "code": None}}).encode(), meta
    model = body.get("model") or "mock-1"
    code_assist = bool(CODE_ASSIST_ROUTE.match(route))
    if api == "gemini.generate" and not code_assist:  # the model is in the path, the body has none
        model = GEMINI_ROUTE.match(route).group(1)
    meta["model"] = model
    forced = headers.get("x-mock-status")
    probe = probe_answer(method, route, headers, raw) if api == "other" or method != "POST" else None
    if probe and not forced:
        status, meta["api"], obj = probe
        meta["model"] = None
        return status, "application/json", (dumps(obj) + "\n").encode(), meta
    if api == "other" or method != "POST" or (forced and forced != "200"):
        status = int(forced) if forced and forced != "200" else (404 if api == "other" else 405)
        msg = {401: "Invalid API key (mock).", 404: "Unknown path %s (mock)." % route,
               405: "Method not allowed (mock)."}.get(status, "Mock error %d." % status)
        if api == "anthropic.messages":
            err = {"type": "error", "error": {"type": "authentication_error" if status == 401
                                              else "api_error", "message": msg}}
        elif api == "gemini.generate":
            err = {"error": {"code": status, "message": msg, "status": {
                400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                429: "RESOURCE_EXHAUSTED"}.get(status, "INTERNAL")}}
        else:
            err = {"error": {"message": msg, "type": "invalid_request_error",
                             "param": None, "code": "invalid_api_key" if status == 401 else None}}
        meta["content"] = msg
        return status, "application/json", (dumps(err) + "\n").encode(), meta

    # Code Assist wraps the generateContent request: {model, project, request: {...}}
    inner = body.get("request") if code_assist and isinstance(body.get("request"), dict) else body
    kind, payload = decide(api, inner, headers, seq, len(raw))
    meta["tool_results"] = tool_results(api, inner)
    stream = body.get("stream") is True
    if api == "gemini.generate":
        # :streamGenerateContent is SSE with ?alt=sse, else one JSON array of the chunks
        query = target.partition("?")[2].split("&")
        stream = route.endswith(":streamGenerateContent") and "alt=sse" in query
        gemini_array = route.endswith(":streamGenerateContent") and not stream
    meta["stream"] = stream
    answer = payload if kind == "text" else payload[1] + payload[2]
    ptok = len(raw) // 4
    ctok = len(answer) // 4 + 7
    meta["usage"] = {"request_tokens": ptok, "response_tokens": ctok}
    if kind == "tool":
        meta["tool_calls"] = [{"id": payload[0], "name": payload[1], "arguments": payload[2]}]
    else:
        meta["content"] = payload
    rid = "%04d" % seq
    if api == "openai.chat":
        fn = chat_stream if stream else chat_plain
    elif api == "openai.responses":
        fn = resp_stream if stream else resp_plain
    elif api == "gemini.generate":
        gem = gem_stream if stream else gem_array if gemini_array else gem_plain

        def fn(*a):
            return gem(*a, code_assist=code_assist)
    else:
        fn = anth_stream if stream else anth_plain
    out, finish = fn(rid, model, kind, payload, ptok, ctok)
    meta["finish_reason"] = finish
    return 200, "text/event-stream" if stream else "application/json", out, meta


def chat_usage(p, c):
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c,
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0}}


def chat_plain(rid, model, kind, payload, p, c):
    if kind == "tool":
        msg = {"role": "assistant", "content": None, "refusal": None,
               "tool_calls": [{"id": payload[0], "type": "function",
                               "function": {"name": payload[1], "arguments": payload[2]}}]}
        finish = "tool_calls"
    else:
        msg = {"role": "assistant", "content": payload, "refusal": None}
        finish = "stop"
    return (dumps({"id": "chatcmpl-mock-" + rid, "object": "chat.completion", "created": CREATED,
                   "model": model, "choices": [{"index": 0, "message": msg, "logprobs": None,
                                                "finish_reason": finish}],
                   "usage": chat_usage(p, c), "system_fingerprint": None}) + "\n").encode(), finish


def chat_stream(rid, model, kind, payload, p, c):
    def chunk(delta, finish=None, usage=None, choices=True):
        o = {"id": "chatcmpl-mock-" + rid, "object": "chat.completion.chunk", "created": CREATED,
             "model": model, "system_fingerprint": None,
             "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
             if choices else []}
        if usage:
            o["usage"] = usage
        return sse(o)
    ev = [chunk({"role": "assistant", "content": "" if kind == "text" else None, "refusal": None})]
    if kind == "tool":
        ev.append(chunk({"tool_calls": [{"index": 0, "id": payload[0], "type": "function",
                                         "function": {"name": payload[1], "arguments": ""}}]}))
        for piece in split3(payload[2]):
            ev.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}))
        finish = "tool_calls"
    else:
        for piece in split3(payload):
            ev.append(chunk({"content": piece}))
        finish = "stop"
    ev.append(chunk({}, finish))
    ev.append(chunk(None, usage=chat_usage(p, c), choices=False))
    ev.append(sse("[DONE]"))
    return ev, finish


def resp_usage(p, c):
    return {"input_tokens": p, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": c, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": p + c}


def resp_obj(rid, model, status, output, usage):
    return {"id": "resp_mock_" + rid, "object": "response", "created_at": CREATED,
            "status": status, "background": False, "error": None, "incomplete_details": None,
            "instructions": None, "max_output_tokens": None, "model": model, "output": output,
            "parallel_tool_calls": True, "previous_response_id": None, "reasoning": {"effort": None},
            "store": False, "temperature": 1.0, "text": {"format": {"type": "text"}},
            "tool_choice": "auto", "tools": [], "top_p": 1.0, "truncation": "disabled",
            "usage": usage, "user": None, "metadata": {}}


def resp_item(rid, kind, payload, done=True):
    if kind == "tool":
        return {"type": "function_call", "id": "fc_mock_" + rid, "call_id": payload[0],
                "name": payload[1], "arguments": payload[2] if done else "",
                "status": "completed" if done else "in_progress"}
    return {"type": "message", "id": "msg_mock_" + rid, "status": "completed" if done else "in_progress",
            "role": "assistant",
            "content": [{"type": "output_text", "text": payload, "annotations": [], "logprobs": []}]
            if done else []}


def resp_plain(rid, model, kind, payload, p, c):
    o = resp_obj(rid, model, "completed", [resp_item(rid, kind, payload)], resp_usage(p, c))
    return (dumps(o) + "\n").encode(), "completed"


def resp_stream(rid, model, kind, payload, p, c):
    n = [0]
    ev = []

    def e(typ, **kw):
        o = {"type": typ, "sequence_number": n[0]}
        o.update(kw)
        n[0] += 1
        ev.append(sse(o, typ))
    e("response.created", response=resp_obj(rid, model, "in_progress", [], None))
    e("response.in_progress", response=resp_obj(rid, model, "in_progress", [], None))
    item = resp_item(rid, kind, payload, done=False)
    e("response.output_item.added", output_index=0, item=item)
    if kind == "tool":
        for piece in split3(payload[2]):
            e("response.function_call_arguments.delta", item_id=item["id"], output_index=0, delta=piece)
        e("response.function_call_arguments.done", item_id=item["id"], output_index=0,
          arguments=payload[2])
    else:
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        e("response.content_part.added", item_id=item["id"], output_index=0, content_index=0, part=part)
        for piece in split3(payload):
            e("response.output_text.delta", item_id=item["id"], output_index=0, content_index=0,
              delta=piece, logprobs=[])
        e("response.output_text.done", item_id=item["id"], output_index=0, content_index=0,
          text=payload, logprobs=[])
        e("response.content_part.done", item_id=item["id"], output_index=0, content_index=0,
          part=dict(part, text=payload))
    done = resp_item(rid, kind, payload)
    e("response.output_item.done", output_index=0, item=done)
    e("response.completed", response=resp_obj(rid, model, "completed", [done], resp_usage(p, c)))
    return ev, "completed"


def gem_usage(p, c, final=True):
    """usageMetadata; a chunk before the last carries a partial count (the last one wins)."""
    u = {"promptTokenCount": p, "candidatesTokenCount": c, "totalTokenCount": p + c,
         "promptTokensDetails": [{"modality": "TEXT", "tokenCount": p}]}
    if not final:
        u["candidatesTokenCount"] = min(c, 1)
        u["totalTokenCount"] = p + u["candidatesTokenCount"]
    return u


def gem_obj(rid, model, parts, usage, finish=None):
    cand = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    return {"candidates": [cand], "usageMetadata": usage, "modelVersion": model,
            "responseId": "mock-gemini-" + rid}


def gem_parts(kind, payload):
    if kind == "tool":  # args is an object; printed compactly it is TOOL_ARGS again
        return [{"functionCall": {"name": payload[1], "args": json.loads(payload[2])}}]
    return [{"text": payload}]


def gem_wrap(o, rid, code_assist):
    """Code Assist answers {"response": GenerateContentResponse, "traceId"}."""
    if not code_assist:
        return o
    o = dict(o)
    del o["responseId"]
    return {"response": o, "traceId": "mock-trace-" + rid}


def gem_plain(rid, model, kind, payload, p, c, code_assist=False):
    o = gem_obj(rid, model, gem_parts(kind, payload), gem_usage(p, c), "STOP")
    return (dumps(gem_wrap(o, rid, code_assist)) + "\n").encode(), "STOP"


def gem_chunks(rid, model, kind, payload, p, c, code_assist=False):
    """The chunks of a stream: text in >=3 pieces, the finish reason and full usage on the last;
    a function call whole in one chunk (Gemini does not stream arguments), then an empty text
    chunk carrying the finish reason and usage, as the API ends some streams."""
    if kind == "tool":
        out = [gem_obj(rid, model, gem_parts(kind, payload), gem_usage(p, c, False)),
               gem_obj(rid, model, [{"text": ""}], gem_usage(p, c), "STOP")]
    else:
        pieces = split3(payload)
        out = [gem_obj(rid, model, [{"text": t}], gem_usage(p, c, i + 1 == len(pieces)),
                       "STOP" if i + 1 == len(pieces) else None) for i, t in enumerate(pieces)]
    return [gem_wrap(o, rid, code_assist) for o in out]


def gem_stream(rid, model, kind, payload, p, c, code_assist=False):
    # Google's SSE: CRLF line ends, no event names, no [DONE]: the stream ends with the response
    return [("data: " + dumps(o) + "\r\n\r\n").encode()
            for o in gem_chunks(rid, model, kind, payload, p, c, code_assist)], "STOP"


def gem_array(rid, model, kind, payload, p, c, code_assist=False):
    return ("[" + ",\r\n".join(dumps(o) for o in gem_chunks(rid, model, kind, payload, p, c, code_assist))
            + "]").encode(), "STOP"


def anth_block(kind, payload):
    if kind == "tool":
        return {"type": "tool_use", "id": "toolu_" + payload[0], "name": payload[1],
                "input": json.loads(payload[2])}
    return {"type": "text", "text": payload}


def anth_plain(rid, model, kind, payload, p, c):
    stop = "tool_use" if kind == "tool" else "end_turn"
    o = {"id": "msg_mock_" + rid, "type": "message", "role": "assistant", "model": model,
         "content": [anth_block(kind, payload)], "stop_reason": stop, "stop_sequence": None,
         "usage": anth_usage(p, c)}
    return (dumps(o) + "\n").encode(), stop


def anth_usage(p, c):
    """Anthropic's usage as the API sends it: the cache counters are always there (0 here)."""
    return {"input_tokens": p, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            "output_tokens": c, "service_tier": "standard"}


def anth_stream(rid, model, kind, payload, p, c):
    stop = "tool_use" if kind == "tool" else "end_turn"
    ev = [sse({"type": "message_start", "message": {
        "id": "msg_mock_" + rid, "type": "message", "role": "assistant", "model": model,
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": anth_usage(p, 1)}}, "message_start")]
    block = anth_block(kind, payload)
    if kind == "tool":
        block["input"] = {}
    else:
        block["text"] = ""
    ev.append(sse({"type": "content_block_start", "index": 0, "content_block": block},
                  "content_block_start"))
    ev.append(sse({"type": "ping"}, "ping"))
    if kind == "tool":
        for piece in split3(payload[2]):
            ev.append(sse({"type": "content_block_delta", "index": 0,
                           "delta": {"type": "input_json_delta", "partial_json": piece}},
                          "content_block_delta"))
    else:
        for piece in split3(payload):
            ev.append(sse({"type": "content_block_delta", "index": 0,
                           "delta": {"type": "text_delta", "text": piece}}, "content_block_delta"))
    ev.append(sse({"type": "content_block_stop", "index": 0}, "content_block_stop"))
    ev.append(sse({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                   "usage": {"output_tokens": c}}, "message_delta"))
    ev.append(sse({"type": "message_stop"}, "message_stop"))
    return ev, stop


def respond(logger, method, target, headers, raw, http_version):
    """Log the exchange; -> (status, header list, body-or-events, gzip?, delay seconds)."""
    seq, d = logger.next()
    with open(os.path.join(d, "request_body"), "wb") as f:
        f.write(raw)
    status, ctype, out, meta = build(seq, method, target, headers, raw)
    events = out if isinstance(out, list) else None
    body = b"".join(events) if events is not None else out
    head_len = None
    if method == "HEAD":  # the head GET would get, no body (logged empty: nothing is sent)
        head_len, body, out = len(body), b"", None
    want = headers.get("x-mock-compress") == "gzip" or "gzip=1" in target.partition("?")[2].split("&")
    gz = want and "gzip" in headers.get("accept-encoding", "")
    meta.update({"http_version": http_version, "status": status,
                 "compressed": "gzip" if gz else None, "response_bytes": len(body),
                 "request_bytes": len(raw)})
    with open(os.path.join(d, "response_body"), "wb") as f:
        f.write(body)
    with open(os.path.join(d, "meta.json.tmp"), "w") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1)
    os.replace(os.path.join(d, "meta.json.tmp"), os.path.join(d, "meta.json"))
    hdrs = [("content-type", ctype + ("; charset=utf-8" if events is None else "")),
            ("x-request-id", "req_mock_%04d" % seq)]
    if events is not None:
        hdrs.append(("cache-control", "no-cache"))
    if gz:
        hdrs.append(("content-encoding", "gzip"))
    if head_len is not None:
        hdrs.append(("content-length", str(head_len)))
        gz = False
    try:
        delay = float(headers.get("x-mock-event-delay-ms", "2")) / 1000
    except ValueError:
        delay = 0.002
    wait = latency_of(headers, meta["api"])
    if wait > 0:  # the model "thinks": nothing is sent before this
        time.sleep(wait)
    return status, hdrs, (events if events is not None else out), gz, delay


def gzip_pieces(pieces):
    """-> list of compressed pieces, Z_SYNC_FLUSH after each, then the gzip trailer last."""
    z = zlib.compressobj(6, zlib.DEFLATED, 31)
    out = [z.compress(p) + z.flush(zlib.Z_SYNC_FLUSH) for p in pieces]
    out.append(z.flush(zlib.Z_FINISH))
    return out


REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 429: "Too Many Requests",
           500: "Internal Server Error"}

# ---------------------------------------------------------------- HTTP/1.1


class BadRequest(Exception):
    pass


def serve_http1(sock, logger):
    f = sock.makefile("rb", buffering=65536)
    while True:
        line = f.readline(65537)
        if not line:
            return
        if line in (b"\r\n", b"\n"):
            continue
        try:
            method, target, version = line.decode("latin-1").split()
        except ValueError:
            raise BadRequest(line)
        headers = {}
        while True:
            h = f.readline(65537)
            if h in (b"\r\n", b"\n", b""):
                break
            k, _, v = h.decode("latin-1").partition(":")
            k = k.strip().lower()
            headers[k] = (headers[k] + ", " + v.strip()) if k in headers else v.strip()
        if headers.get("expect", "").lower() == "100-continue":
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                n = int(f.readline().split(b";")[0].strip(), 16)
                if n == 0:
                    while f.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(f.read(n))
                f.readline()
            raw = b"".join(parts)
        else:
            n = int(headers.get("content-length", "0"))
            raw = f.read(n)
            if len(raw) != n:
                return
        status, hdrs, out, gz, delay = respond(logger, method, target, headers, raw, "1.1")
        close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
        head = "HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, "Status"))
        head += "".join("%s: %s\r\n" % kv for kv in hdrs)
        if close:
            head += "connection: close\r\n"
        if out is None:  # HEAD: content-length is in hdrs already, no body follows
            sock.sendall((head + "\r\n").encode())
        elif isinstance(out, list):
            head += "transfer-encoding: chunked\r\n\r\n"
            sock.sendall(head.encode())
            pieces = gzip_pieces(out) if gz else out + [b""]
            for i, p in enumerate(pieces[:-1]):
                if i and delay:
                    time.sleep(delay)
                if p:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(p), p))
            last = pieces[-1]
            sock.sendall((b"%x\r\n%s\r\n" % (len(last), last) if last else b"") + b"0\r\n\r\n")
        else:
            body = gzip.compress(out, mtime=0) if gz else out
            head += "content-length: %d\r\n\r\n" % len(body)
            sock.sendall(head.encode() + body)
        if close:
            return


# ---------------------------------------------------------------- HTTP/2


def serve_h2(sock, logger):
    import h2.config
    import h2.connection
    import h2.events
    import h2.exceptions
    import h2.settings

    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(
        client_side=False, header_encoding="utf-8"))
    conn.initiate_connection()
    conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20,
                          h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 100})
    conn.increment_flow_control_window(1 << 24)
    sock.sendall(conn.data_to_send())
    wake_r, wake_w = socket.socketpair()
    outq = queue.Queue()          # (stream_id, op, arg) from worker threads
    pending = {}                  # stream_id -> [bytearray data, end?]
    reqs = {}                     # stream_id -> [headers dict, bytearray]

    def worker(sid, headers, raw):
        try:
            status, hdrs, out, gz, delay = respond(
                logger, headers.get(":method", ""), headers.get(":path", ""), headers, raw, "2")
            if out is None:  # HEAD
                outq.put((sid, "headers", [(":status", str(status))] + hdrs))
            elif isinstance(out, list):
                outq.put((sid, "headers", [(":status", str(status))] + hdrs))
                pieces = gzip_pieces(out) if gz else out
                for i, p in enumerate(pieces):
                    if i and delay and i < len(out):
                        time.sleep(delay)
                    outq.put((sid, "data", p))
                    wake_w.send(b"x")
            else:
                body = gzip.compress(out, mtime=0) if gz else out
                outq.put((sid, "headers", [(":status", str(status))] + hdrs +
                          [("content-length", str(len(body)))]))
                outq.put((sid, "data", body))
            outq.put((sid, "end", None))
        except Exception as e:  # noqa: BLE001 - report, reset the stream
            print("mock_server: h2 stream %d: %r" % (sid, e), file=sys.stderr)
            outq.put((sid, "reset", None))
        wake_w.send(b"x")

    def flush():
        while True:
            try:
                sid, op, arg = outq.get_nowait()
            except queue.Empty:
                break
            if sid not in pending and op != "headers":
                continue  # stream gone (reset by the client)
            if op == "headers":
                conn.send_headers(sid, arg)
                pending[sid] = [bytearray(), False]
            elif op == "data":
                pending[sid][0] += arg
            elif op == "end":
                pending[sid][1] = True
            elif op == "reset":
                try:
                    conn.reset_stream(sid)
                except h2.exceptions.ProtocolError:
                    pass
                pending.pop(sid, None)
        for sid in list(pending):
            buf, end = pending[sid]
            try:
                while buf:
                    n = min(conn.local_flow_control_window(sid), conn.max_outbound_frame_size, len(buf))
                    if n <= 0:
                        break
                    conn.send_data(sid, bytes(buf[:n]))
                    del buf[:n]
                if not buf and end:
                    conn.end_stream(sid)
                    del pending[sid]
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                pending.pop(sid, None)
        data = conn.data_to_send()
        if data:
            sock.sendall(data)

    try:
        while True:
            flush()
            if not sock.pending():
                r, _, _ = select.select([sock, wake_r], [], [])
                if wake_r in r:
                    wake_r.recv(4096)
                if sock not in r:
                    continue
            data = sock.recv(65536)
            if not data:
                return
            for ev in conn.receive_data(data):
                if isinstance(ev, h2.events.RequestReceived):
                    reqs[ev.stream_id] = [{k.lower(): v for k, v in ev.headers}, bytearray()]
                elif isinstance(ev, h2.events.DataReceived):
                    reqs[ev.stream_id][1] += ev.data
                    conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.StreamEnded):
                    hd, raw = reqs.pop(ev.stream_id)
                    threading.Thread(target=worker, args=(ev.stream_id, hd, bytes(raw)),
                                     daemon=True).start()
                elif isinstance(ev, h2.events.StreamReset):
                    reqs.pop(ev.stream_id, None)
                    pending.pop(ev.stream_id, None)
                elif isinstance(ev, h2.events.ConnectionTerminated):
                    flush()
                    return
    finally:
        wake_r.close()
        wake_w.close()


# ---------------------------------------------------------------- main


def handle(ctx, raw_sock, logger):
    try:
        raw_sock.settimeout(300)
        sock = ctx.wrap_socket(raw_sock, server_side=True)
        if sock.selected_alpn_protocol() == "h2":
            serve_h2(sock, logger)
        else:
            serve_http1(sock, logger)
    except (ssl.SSLError, ConnectionError, socket.timeout, BadRequest, OSError) as e:
        if not isinstance(e, (ConnectionResetError, BrokenPipeError, ssl.SSLEOFError)):
            print("mock_server: connection: %r" % e, file=sys.stderr)
    finally:
        try:
            raw_sock.close()
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert", required=True, help="directory of cert.pem (the CA), leaf.pem, leaf.key (created if absent)")
    ap.add_argument("--log", required=True, help="directory of per-request logs")
    ap.add_argument("--ready", help="file to write the port to once listening")
    ap.add_argument("--scenario", metavar="shell[:N]",
                    help="real agent CLIs: call the request's shell tool N times (default 1), then answer")
    ap.add_argument("--latency-ms", type=float, default=0,
                    help="wait this long before each model response (x-mock-latency-ms overrides)")
    a = ap.parse_args()
    if a.scenario:
        kind, _, n = a.scenario.partition(":")
        if kind != "shell" or (n and not n.isdigit()):
            ap.error("--scenario: expected shell or shell:N, got %r" % a.scenario)
        SCENARIO["steps"] = int(n or 1)
    SCENARIO["latency_ms"] = a.latency_ms
    cert, key = ensure_cert(a.cert)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    logger = Logger(a.log)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", a.port))
    srv.listen(64)
    port = srv.getsockname()[1]
    if a.ready:
        with open(a.ready + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.replace(a.ready + ".tmp", a.ready)
    print("mock_server: listening on https://127.0.0.1:%d" % port, file=sys.stderr, flush=True)
    try:
        while True:
            s, _ = srv.accept()
            threading.Thread(target=handle, args=(ctx, s, logger), daemon=True).start()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
