#!/usr/bin/python3
"""A stand-in for ./agtrace-bpf that tests the LLM test plumbing, not the tracer: it runs the
command (or waits for -p PID to exit) and then writes the trace a perfect tracer would have
written, built from the mock server's log found next to the -o file (DIR/log for -o DIR/x).
    AGT=tests/llm/fake_agtrace.py
pid/comm of an exchange: comm "curl" and a pid of its own when the User-Agent is curl's."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402

argv = sys.argv[1:]
out, pid, js, cmd = None, None, False, []
i = 0
while i < len(argv):
    a = argv[i]
    if a == "--":
        cmd = argv[i + 1:]
        break
    if a == "-o":
        out = argv[i + 1]
        i += 1
    elif a == "-p":
        pid = int(argv[i + 1])
        i += 1
    elif a == "--json":
        js = True
    i += 1
logdir = os.path.join(os.path.dirname(out), "log")
before = set(os.listdir(logdir)) if os.path.isdir(logdir) else set()
rc = 0
if pid:
    print("agtrace-bpf: Process %d attached" % pid, file=sys.stderr, flush=True)
    while os.path.exists("/proc/%d" % pid):
        time.sleep(0.02)
    print("agtrace-bpf: Process %d detached" % pid, file=sys.stderr)
else:
    rc = subprocess.call(cmd)
    before = set()
log = [e for e in check.load_log(logdir) if e["name"] not in before] if os.path.isdir(logdir) else []
lines = [json.loads(x) for x in check.synth(log)]
k = 0
for ev in lines:
    e = log[k]
    curl = (e["meta"].get("user_agent") or "").startswith("curl")
    ev["pid"] = ev["tid"] = 5000 + e["seq"] if curl else 4242
    ev["comm"] = "curl" if curl else "client"
    if ev["type"] == "llm_response" or e["meta"]["api"] not in check.LLM_APIS:
        k += 1
with open(out, "w", encoding="utf-8") as f:
    for ev in lines:
        if js:
            f.write(json.dumps(ev, ensure_ascii=False) + "\n")
        elif ev["type"] == "llm_response":
            r = ev["llm"]
            f.write("[pid %d] +%.6f LLM %s %s→%s tokens %d ms %d\n" % (
                ev["pid"], ev["timestamp"] / 1e9, r["model"], r["request_tokens"], r["response_tokens"],
                r["latency"] // 1000000, r["status"]))
sys.exit(rc)
