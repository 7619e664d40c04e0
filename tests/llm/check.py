#!/usr/bin/python3
"""Compare agtrace-bpf's --json --http output with the mock server's log (the oracle).

    check.py TRACE.jsonl LOGDIR [--expect-requests N] [--from SEQ] [--only-seq SEQ ...]
             [--secret S ...] [--scan FILE ...] [--allow-extra] [--basic] [--print-matches]
             [--counts] [--authority HOST:PORT]
    check.py --synth LOGDIR > TRACE.jsonl     a trace a perfect tracer would write (for tests)
    check.py --selftest                       runs the mock server and proves the checks bite

The logged requests taken into account are LOGDIR/NNNN/ (those with a meta.json), restricted to
SEQ >= --from and to the --only-seq list when given.  Every trace line must be valid JSON.

HTTP exchanges (events with "type":"http"):
  * each logged request is paired with an http event whose request_body, encoded as UTF-8, equals
    the logged request_body byte for byte.  Identical bodies are paired in trace order, and their
    counts must be equal: exactly one event per logged request.
  * response_body (UTF-8) must equal the logged response_body (the decoded body: de-chunked,
    decompressed).  Only for an SSE response (meta "stream": true) may the captured body be a
    non-empty PREFIX of the logged one when everything after it is whitespace (space, tab, CR,
    LF): e.g. the blank line after `data: [DONE]`.  Anything else missing is a failure.
  * request_lost == 0, response_lost == 0, complete is true; method, path (with query) and
    status equal the logged ones (a ?key=/&key= query value of 16+ key characters as
    [REDACTED]); version equals meta http_version ("1.1" or "2");
    request_bytes, when present, equals the length of the logged request body.
  * an http event that pairs with no logged request fails the check (unless --allow-extra), except
    those whose request_body is a logged request left out by --from/--only-seq.
LLM calls (logged api openai.chat / openai.responses / anthropic.messages / gemini.generate):
  * the number of llm_response events equals the number of selected logged LLM requests (or N of
    --expect-requests).
  * each logged LLM request is paired with one llm_response of equal status, request_tokens and
    response_tokens (logged usage; an error status has no usage: tokens must be null, absent, 0
    or -1) and,
    unless --basic: equal model, stream flag, complete true, tool_calls [(name, arguments)]
    equal to the logged ones, content equal to the logged answer text for a 200 text answer
    (for an error: the logged error message must occur in "content" or "error"), finish_reason
    equal for openai.chat ("stop"/"tool_calls"), anthropic.messages ("end_turn"/"tool_use") and
    gemini.generate ("STOP").
Secrets: no --secret string occurs (raw bytes) anywhere in TRACE.jsonl nor in any --scan FILE
(syscall buffers and argv included); no --secret-llm string occurs in an http, context_snapshot
or llm_response event (the TLS capture's own output).
Output: "check: N exchanges matched, M llm responses" and exit 0, or one "check: FAIL ..." line
per problem (at most 20) and exit 1.  --print-matches also prints, per paired exchange,
"match SEQ pid=P tid=T comm=C" (and "llm SEQ pid=P" per llm_response).
"""
import argparse
import json
import os
import re
import sys

LLM_APIS = ("openai.chat", "openai.responses", "anthropic.messages", "gemini.generate")
WS = b" \t\r\n"


def enc(s):
    if s is None:
        return None
    return s.encode("utf-8", "surrogatepass") if isinstance(s, str) else bytes(s)


def load_log(d, frm=None, only=None):
    out = []
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if not (name.isdigit() and os.path.exists(os.path.join(p, "meta.json"))):
            continue
        with open(os.path.join(p, "meta.json"), encoding="utf-8") as f:
            meta = json.load(f)
        with open(os.path.join(p, "request_body"), "rb") as f:
            req = f.read()
        with open(os.path.join(p, "response_body"), "rb") as f:
            resp = f.read()
        seq = int(name)
        out.append({"seq": seq, "name": name, "meta": meta, "req": req, "resp": resp,
                    "selected": (frm is None or seq >= frm) and (not only or seq in only)})
    return out


def load_trace(path, fails):
    events = []
    with open(path, "rb") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except ValueError as e:
                fails.append("%s line %d is not JSON: %s" % (path, i, e))
    return events


def redacted_path(p):
    """The logged path as the tracer shows it: a ?key= / &key= query parameter redacted."""
    return re.sub(r"([?&]key=)[A-Za-z0-9_-]{16,}", r"\1[REDACTED]", p)


def body_ok(logged, got, stream):
    if got == logged:
        return True, ""
    if stream and got and logged.startswith(got) and not logged[len(got):].strip(WS):
        return True, "sse-trailing-whitespace"
    n = next((i for i in range(min(len(got), len(logged))) if got[i] != logged[i]),
             min(len(got), len(logged)))
    return False, "differs at byte %d (captured %d bytes, logged %d): captured %r vs logged %r" % (
        n, len(got), len(logged), got[max(0, n - 20):n + 40], logged[max(0, n - 20):n + 40])


def check_http(log, https, fails, allow_extra, matches):
    used = set()
    matched = 0
    for e in log:
        if not e["selected"]:
            continue
        m = e["meta"]
        cands = [i for i, h in enumerate(https) if i not in used and enc(h.get("request_body")) == e["req"]]
        same = [x for x in log if x["selected"] and x["req"] == e["req"]]
        allc = [i for i, h in enumerate(https) if enc(h.get("request_body")) == e["req"]]
        if len(allc) != len(same):
            fails.append("request %s (%s %s, %d bytes): %d http events carry its request_body, "
                         "expected %d" % (e["name"], m["method"], m["path"], len(e["req"]),
                                          len(allc), len(same)))
        if not cands:
            continue
        i = cands[0]
        used.add(i)
        ev = https[i]
        h = ev["http"]
        matches.append(("match %s pid=%s tid=%s comm=%s" % (e["name"], ev.get("pid"), ev.get("tid"),
                                                            ev.get("comm"))))
        errs = []
        ok, why = body_ok(e["resp"], enc(h.get("response_body")) or b"", m.get("stream"))
        if not ok:
            errs.append("response_body " + why)
        for k in ("request_lost", "response_lost"):
            if h.get(k) != 0:
                errs.append("%s=%r" % (k, h.get(k)))
        if h.get("complete") is not True:
            errs.append("complete=%r" % h.get("complete"))
        for k, want in (("method", m["method"]), ("path", redacted_path(m["path"])), ("status", m["status"]),
                        ("version", m["http_version"])):
            if h.get(k) != want:
                errs.append("%s=%r, logged %r" % (k, h.get(k), want))
        if "request_bytes" in h and h["request_bytes"] != len(e["req"]):
            errs.append("request_bytes=%r, logged body is %d bytes" % (h["request_bytes"], len(e["req"])))
        if errs:
            fails.append("request %s (%s %s, HTTP/%s, stream=%s, %s): %s" % (
                e["name"], m["method"], m["path"], m["http_version"], m.get("stream"),
                m.get("compressed") or "identity", "; ".join(errs)))
        else:
            matched += 1
    if not allow_extra:
        unselected = {x["req"] for x in log if not x["selected"]}
        for i, h in enumerate(https):
            b = enc(h.get("request_body")) or b""
            if i not in used and b not in unselected and not any(b == x["req"] for x in log if x["selected"]):
                hh = h["http"] if "http" in h else h
                fails.append("http event seq_num %s (%s %s) matches no logged request: request_body %r" % (
                    h.get("_seq"), hh.get("method"), hh.get("path"), b[:80]))
    return matched


def llm_detail(e, r):
    """Mismatches between a logged LLM request e and an llm_response's "llm" object r."""
    m = e["meta"]
    errs = []
    if r.get("model") != m["model"]:
        errs.append("model=%r, logged %r" % (r.get("model"), m["model"]))
    if bool(r.get("stream")) != bool(m["stream"]):
        errs.append("stream=%r, logged %r" % (r.get("stream"), m["stream"]))
    if r.get("complete") is not True:
        errs.append("complete=%r" % r.get("complete"))
    if m["status"] == 200:
        got = [(t.get("name"), t.get("arguments")) for t in (r.get("tool_calls") or [])]
        want = [(t["name"], t["arguments"]) for t in m["tool_calls"]]
        if got != want:
            errs.append("tool_calls=%r, logged %r" % (got, want))
        if m["content"] is not None and r.get("content") != m["content"]:
            errs.append("content=%r, logged %r" % (r.get("content"), m["content"]))
        if m["api"] in ("openai.chat", "anthropic.messages", "gemini.generate") and \
                r.get("finish_reason") != m["finish_reason"]:
            errs.append("finish_reason=%r, logged %r" % (r.get("finish_reason"), m["finish_reason"]))
    elif m.get("content"):
        text = json.dumps([r.get("content"), r.get("error")], ensure_ascii=False)
        if m["content"] not in text:
            errs.append("error message %r not in content/error (%s)" % (m["content"], text[:200]))
    return errs


def check_llm(log, llms, fails, expect, basic, matches):
    want = [e for e in log if e["selected"] and e["meta"]["api"] in LLM_APIS]
    n = expect if expect is not None else len(want)
    if len(llms) != n:
        fails.append("%d llm_response events, expected %d (logged LLM requests: %s)" % (
            len(llms), n, " ".join(e["name"] for e in want) or "none"))

    def key_of(status, rt, st):  # no usage (error): tokens null, absent, 0 or -1
        return (status, rt if rt not in (None, -1) else 0, st if st not in (None, -1) else 0)
    used = set()
    paired = 0
    for e in want:
        m = e["meta"]
        u = m.get("usage") or {}
        key = key_of(m["status"], u.get("request_tokens"), u.get("response_tokens"))
        cands = [i for i, ev in enumerate(llms) if i not in used and
                 key_of(ev["llm"].get("status"), ev["llm"].get("request_tokens"),
                        ev["llm"].get("response_tokens")) == key]
        if not cands:
            near = [(ev["llm"].get("status"), ev["llm"].get("request_tokens"), ev["llm"].get("response_tokens"))
                    for i, ev in enumerate(llms) if i not in used]
            fails.append("request %s (%s %s): no llm_response with status/request_tokens/response_tokens "
                         "= %r; unpaired llm_responses have %r" % (e["name"], m["api"], m["path"], key, near[:8]))
            continue
        best = None
        for i in cands:
            errs = [] if basic else llm_detail(e, llms[i]["llm"])
            if not errs:
                best = (i, [])
                break
            if best is None:
                best = (i, errs)
        i, errs = best
        used.add(i)
        matches.append("llm %s pid=%s" % (e["name"], llms[i].get("pid")))
        if errs:
            fails.append("request %s (%s, stream=%s) llm_response: %s" % (
                e["name"], m["api"], m["stream"], "; ".join(errs)))
        else:
            paired += 1
    return paired


def check_secrets(files, secrets, fails):
    for p in files:
        try:
            with open(p, "rb") as f:
                data = f.read()
        except OSError as e:
            fails.append("cannot read %s: %s" % (p, e))
            continue
        for s in secrets:
            i = data.find(s.encode())
            if i >= 0:
                line = data.count(b"\n", 0, i) + 1
                fails.append("secret %s... found in %s (line %d, offset %d)" % (s[:10], p, line, i))


def run(argv):
    ap = argparse.ArgumentParser(description="compare agtrace-bpf --json --http output with the mock's log")
    ap.add_argument("trace", nargs="?")
    ap.add_argument("logdir", nargs="?")
    ap.add_argument("--expect-requests", type=int)
    ap.add_argument("--from", dest="frm", type=int, help="only logged requests with SEQ >= this")
    ap.add_argument("--only-seq", type=int, nargs="+", default=[])
    ap.add_argument("--secret", action="append", default=[],
                    help="must occur nowhere in TRACE nor in the --scan files (raw bytes)")
    ap.add_argument("--secret-llm", action="append", default=[],
                    help="must occur in no http/context_snapshot/llm_response event (whole files not scanned)")
    ap.add_argument("--scan", nargs="+", default=[], help="more files that must not hold a secret")
    ap.add_argument("--allow-extra", action="store_true", help="tolerate http events with no logged request")
    ap.add_argument("--basic", action="store_true", help="llm_response: only count, status and tokens")
    ap.add_argument("--print-matches", action="store_true")
    ap.add_argument("--authority", metavar="HOST:PORT",
                    help="only http events to this authority are the mock's (a real CLI also "
                         "talks to other hosts: opencode fetches its plugins from the npm registry)")
    ap.add_argument("--counts", action="store_true",
                    help='first print "counts: logged=N seen=M steps=K elsewhere=E" (selected '
                         'logged LLM requests, llm_response events, most tool results one request '
                         'carried, http events left out by --authority)')
    ap.add_argument("--synth", metavar="LOGDIR", help="print the trace a perfect tracer would write")
    ap.add_argument("--selftest", action="store_true")
    a = ap.parse_args(argv)
    if a.selftest:
        return selftest()
    if a.synth:
        for line in synth(load_log(a.synth)):
            print(line)
        return 0
    if not a.trace or not a.logdir:
        ap.error("TRACE and LOGDIR are required")
    fails = []
    log = load_log(a.logdir, a.frm, set(a.only_seq))
    events = load_trace(a.trace, fails)
    for i, ev in enumerate(events):
        ev["_seq"] = ev.get("seq_num", i)
    https = [ev for ev in events if ev.get("type") == "http" and isinstance(ev.get("http"), dict)]
    elsewhere = [ev for ev in https if a.authority and ev["http"].get("authority") != a.authority]
    https = [ev for ev in https if ev not in elsewhere]
    for ev in https:
        ev["request_body"] = ev["http"].get("request_body")
    llms = [ev for ev in events if ev.get("type") == "llm_response" and isinstance(ev.get("llm"), dict)]
    matches = []
    if a.counts:
        want = [e for e in log if e["selected"] and e["meta"]["api"] in LLM_APIS]
        print("counts: logged=%d seen=%d steps=%d elsewhere=%d" % (
            len(want), len(llms), max([e["meta"].get("tool_results") or 0 for e in want] or [0]),
            len(elsewhere)))
    nh = check_http(log, https, fails, a.allow_extra, matches)
    nl = check_llm(log, llms, fails, a.expect_requests, a.basic, matches)
    check_secrets([a.trace] + a.scan, a.secret, fails)
    for ev in events:
        if ev.get("type") in ("http", "context_snapshot", "llm_response"):
            text = json.dumps(ev, ensure_ascii=False)
            for sec in a.secret_llm:
                if sec in text:
                    fails.append("secret %s... found in the %s event seq_num %s" % (sec[:10], ev["type"], ev.get("_seq")))
    if a.print_matches:
        for m in matches:
            print(m)
    if fails:
        for f in fails[:20]:
            print("check: FAIL " + f)
        if len(fails) > 20:
            print("check: FAIL ... and %d more" % (len(fails) - 20))
        return 1
    print("check: %d exchanges matched, %d llm responses" % (nh, nl))
    return 0


# ---------------------------------------------------------------- synthetic traces, self-test


def synth(log, pid=4242):
    """The events a perfect tracer would emit for these logged exchanges."""
    lines = []
    n = 0
    for e in log:
        m = e["meta"]
        ev = {"seq_num": n, "timestamp": 1000 * n, "pid": pid, "tid": pid, "comm": "client", "type": "http",
              "http": {"conn": "c1", "version": m["http_version"], "stream_id": 0, "method": m["method"],
                       "path": m["path"], "authority": "127.0.0.1:1", "status": m["status"],
                       "request_headers": [["Authorization", "[REDACTED]"]], "response_headers": [],
                       "request_body": e["req"].decode("utf-8"), "response_body": e["resp"].decode("utf-8"),
                       "request_bytes": len(e["req"]), "response_bytes": len(e["resp"]),
                       "request_lost": 0, "response_lost": 0, "complete": True, "latency": 1000}}
        lines.append(ev)
        n += 1
        if m["api"] in LLM_APIS:
            u = m.get("usage") or {}
            rt, st = u.get("request_tokens"), u.get("response_tokens")
            lines.append({"seq_num": n, "timestamp": 1000 * n, "pid": pid, "tid": pid, "comm": "client",
                          "type": "llm_response", "llm": {
                              "api": m["api"], "model": m["model"], "request_tokens": rt, "response_tokens": st,
                              "total_tokens": (rt or 0) + (st or 0), "latency": 1000, "ttft": 500,
                              "status": m["status"], "finish_reason": m["finish_reason"], "stream": m["stream"],
                              "content": m["content"], "tool_calls": m["tool_calls"], "complete": True}})
            n += 1
    return [json.dumps(x, ensure_ascii=False) for x in lines]


def selftest():
    import shutil
    import subprocess
    import tempfile
    import time
    import urllib.request
    here = os.path.dirname(os.path.abspath(__file__))
    tmp = tempfile.mkdtemp(prefix="agtrace-check-")
    srv = subprocess.Popen([sys.executable, os.path.join(here, "mock_server.py"), "--port", "0",
                            "--cert", tmp + "/cert", "--log", tmp + "/log", "--ready", tmp + "/port"],
                           stderr=subprocess.DEVNULL)
    results = []

    def expect(name, rc_want, argv):
        from contextlib import redirect_stdout
        import io
        buf = io.StringIO()
        with redirect_stdout(buf):
            rc = run(argv)
        good = rc == rc_want
        results.append(good)
        print("%s selftest: %s -> rc %d%s" % ("ok  " if good else "FAIL", name, rc,
                                              "" if good else "\n" + buf.getvalue()))
        return buf.getvalue()
    try:
        for _ in range(200):
            if os.path.exists(tmp + "/port"):
                break
            time.sleep(0.05)
        port = int(open(tmp + "/port").read())
        base = "https://127.0.0.1:%d" % port
        ca = tmp + "/cert/cert.pem"
        import ssl
        ctx = ssl.create_default_context(cafile=ca)
        secret = "sk-test-selftestselftestselftestselftest0000"

        def post(path, body, **hdr):
            h = {"Content-Type": "application/json", "Authorization": "Bearer " + secret,
                 "Accept-Encoding": "gzip"}
            h.update(hdr)
            req = urllib.request.Request(base + path, json.dumps(body).encode(), h)
            try:
                with urllib.request.urlopen(req, context=ctx) as r:
                    return r.read()
            except urllib.error.HTTPError as e:
                return e.read()
        msgs = [{"role": "user", "content": "selftest"}]
        tools = [{"type": "function", "function": {"name": "t1", "parameters": {}}}]
        post("/v1/chat/completions", {"model": "m1", "messages": msgs})
        post("/v1/chat/completions", {"model": "m1", "messages": msgs, "stream": True, "tools": tools})
        post("/v1/chat/completions?gzip=1", {"model": "m1", "messages": msgs * 2, "stream": True})
        post("/v1/responses", {"model": "m2", "input": "hi", "stream": True})
        post("/v1/messages", {"model": "m3", "messages": msgs, "max_tokens": 9, "stream": True},
             **{"x-mock-compress": "gzip"})
        post("/v1/responses", {"model": "m2", "input": "bad key"}, **{"x-mock-status": "401"})
        post("/v1/chat/completions", {"model": "m1", "messages": msgs})  # same body as 0001
        # Gemini: the model in the path, the key as ?key= (the trace shows it redacted)
        post("/v1beta/models/g1:streamGenerateContent?alt=sse&key=" + secret,
             {"contents": [{"parts": [{"text": "selftest"}]}],
              "tools": [{"functionDeclarations": [{"name": "t1"}]}]})
        logd = tmp + "/log"
        log = load_log(logd)
        assert len(log) == 8, len(log)
        good = synth(log)
        tr = tmp + "/t.jsonl"

        def write(lines):
            with open(tr, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            return tr
        write(good)
        # the perfect trace redacts the ?key= of the Gemini path, as the tracer does
        good = [x.replace("key=" + secret, "key=[REDACTED]") for x in good]
        write(good)
        expect("perfect trace passes", 0, [tr, logd, "--secret", secret])

        def mutate(i, f):
            lines = [json.loads(x) for x in good]
            f(lines[i])
            return [json.dumps(x, ensure_ascii=False) for x in lines]
        idx = {}  # log name -> index of its http line in good
        k = 0
        for e in log:
            idx[e["name"]] = k
            k += 2 if e["meta"]["api"] in LLM_APIS else 1
        # SSE may end right after [DONE]: the trailing blank line may be missing
        write(mutate(idx["0002"], lambda ev: ev["http"].update(response_body=ev["http"]["response_body"][:-1])))
        expect("SSE body missing its final newline passes", 0, [tr, logd])
        write(mutate(idx["0002"], lambda ev: ev["http"].update(response_body=ev["http"]["response_body"][:-20])))
        expect("SSE body missing 20 bytes fails", 1, [tr, logd])
        write(mutate(idx["0001"], lambda ev: ev["http"].update(response_body=ev["http"]["response_body"][:-1])))
        expect("plain JSON body missing its last byte fails", 1, [tr, logd])
        write(mutate(idx["0003"], lambda ev: ev["http"].update(response_body=ev["http"]["response_body"] + "\n")))
        expect("extra byte at the end fails", 1, [tr, logd])
        write(mutate(idx["0001"], lambda ev: ev["http"].update(
            request_body=ev["http"]["request_body"].replace("selftest", "selftesT"))))
        expect("one request byte changed fails", 1, [tr, logd])
        write(mutate(idx["0004"], lambda ev: ev["http"].update(response_lost=5)))
        expect("response_lost > 0 fails", 1, [tr, logd])
        write(mutate(idx["0004"], lambda ev: ev["http"].update(complete=False)))
        expect("complete false fails", 1, [tr, logd])
        write(mutate(idx["0005"] + 1, lambda ev: ev["llm"].update(response_tokens=ev["llm"]["response_tokens"] + 1)))
        expect("wrong response_tokens fails", 1, [tr, logd])
        write(mutate(idx["0002"] + 1, lambda ev: ev["llm"].update(tool_calls=[])))
        expect("missing tool call fails", 1, [tr, logd])
        expect("... but passes with --basic", 0, [tr, logd, "--basic"])
        write(mutate(idx["0008"] + 1, lambda ev: ev["llm"].update(tool_calls=[dict(ev["llm"]["tool_calls"][0], arguments="{}")])))
        expect("gemini: wrong functionCall args fails", 1, [tr, logd])
        write(mutate(idx["0008"] + 1, lambda ev: ev["llm"].update(finish_reason="stop")))
        expect("gemini: finish_reason other than STOP fails", 1, [tr, logd])
        write(mutate(idx["0008"], lambda ev: ev["http"].update(path=ev["http"]["path"].replace("[REDACTED]", "x" * 20))))
        expect("gemini: a path with another key= fails", 1, [tr, logd])
        write(mutate(idx["0006"] + 1, lambda ev: ev["llm"].update(status=200)))
        expect("401 reported as 200 fails", 1, [tr, logd])
        write([x for i, x in enumerate(good) if i != idx["0003"]])
        expect("a missing exchange fails", 1, [tr, logd])
        write(good + [good[idx["0007"]]])
        expect("a duplicated exchange fails", 1, [tr, logd])
        write(good + [good[idx["0007"] + 1]])
        expect("an extra llm_response fails", 1, [tr, logd])
        expect("--expect-requests 7 fails on 8", 1, [tr.replace("t.jsonl", "t.jsonl"), logd, "--expect-requests", "7"])
        write(mutate(idx["0001"], lambda ev: ev["http"]["request_headers"].append(["Authorization", "Bearer " + secret])))
        expect("secret in the trace fails", 1, [tr, logd, "--secret", secret])
        expect("... and with --secret-llm", 1, [tr, logd, "--secret-llm", secret])
        write(good + [json.dumps({"seq_num": 99, "type": "syscall", "syscall": {"args": {"buf": secret}}})])
        expect("secret in a syscall buffer fails with --secret", 1, [tr, logd, "--secret", secret])
        expect("... but passes with --secret-llm", 0, [tr, logd, "--secret-llm", secret])
        write(mutate(idx["0006"] + 1, lambda ev: ev["llm"].update(request_tokens=-1, response_tokens=-1)))
        expect("error without usage as -1 tokens passes", 0, [tr, logd])
        write(good)
        with open(tmp + "/stderr.txt", "w") as f:
            f.write("some text " + secret + "\n")
        expect("secret in a --scan file fails", 1, [tr, logd, "--secret", secret, "--scan", tmp + "/stderr.txt"])
        # --from: a trace holding only requests >= 5 passes with --from 5, fails without
        write([x for x in good if json.loads(x)["seq_num"] >= idx["0005"]])
        expect("--from 5 restricts the oracle", 0, [tr, logd, "--from", "5"])
        expect("... and without it the missing ones fail", 1, [tr, logd])
        expect("--only-seq 5 6 with 0007 in the trace: extra fails", 1, [tr, logd, "--only-seq", "5", "6"])
        expect("--only-seq 5 6 7 8", 0, [tr, logd, "--only-seq", "5", "6", "7", "8"])
        # --authority: an exchange with another host is left out; the mock's own are all checked
        other = json.loads(good[0])
        other["http"].update(authority="registry.npmjs.org", request_body="GET elsewhere")
        write(good + [json.dumps(other)])
        expect("an exchange with another host fails without --authority", 1, [tr, logd])
        expect("... and is left out with --authority", 0, [tr, logd, "--authority", "127.0.0.1:1"])
        expect("--authority of another host leaves the mock's exchanges unchecked: fails", 1,
               [tr, logd, "--authority", "registry.npmjs.org"])
        write(good + ["{not json"])
        expect("a line that is not JSON fails", 1, [tr, logd])
        # compressed exchanges were really compressed, and the h2 path is not covered here
        metas = {e["name"]: e["meta"] for e in log}
        assert metas["0003"]["compressed"] == "gzip" and metas["0005"]["compressed"] == "gzip", metas
        assert metas["0001"]["compressed"] is None
        assert metas["0006"]["status"] == 401 and metas["0006"]["usage"] is None
        assert (metas["0008"]["api"], metas["0008"]["model"], metas["0008"]["stream"]) == ("gemini.generate", "g1", True)
        assert metas["0008"]["tool_calls"] == [{"id": "t1", "name": "t1", "arguments": '{"cmd":"echo hi"}'}]
    finally:
        srv.terminate()
        srv.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("check selftest: %d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
