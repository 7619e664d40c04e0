#!/usr/bin/env python3
"""A small but real tool-using agent loop, for `make demo`.

It talks to a model over HTTPS with urllib (so Python's libssl SSL_write_ex/SSL_read_ex carry
the LLM traffic, as in a real agent), and runs the tools the model asks for as child processes,
feeding their output back into the conversation - the syscall shape of a coding agent: sockets,
TLS, forks, execs, file reads and writes. agtrace-bpf watches it from outside, unmodified.

The model is tests/llm/mock_server.py (this machine has no network): started here as a child
process on a free port with a throw-away certificate, unless --base URL --ca CERT point at one
already running (then the server is not part of the traced process tree). Its `x-mock-plan: demo`
mode answers with DEMO_PLAN's tool calls in order, then a final text.
"""
import argparse
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MOCK = os.path.join(ROOT, "tests", "llm", "mock_server.py")
API_KEY = "sk-demo-5dVq8Rk2LwN7xPz4Hc9JtB3mYf6GsA1e"  # fake; a tracer must redact it
TOOLS = [
    {"type": "function", "function": {"name": "shell", "description": "Run a command",
                                      "parameters": {"type": "object", "properties": {
                                          "cmd": {"type": "array", "items": {"type": "string"}}}}}},
    {"type": "function", "function": {"name": "write", "description": "Write a file",
                                      "parameters": {"type": "object", "properties": {
                                          "text": {"type": "string"}}}}},
]


def start_model(tmp):
    ready = os.path.join(tmp, "port")
    srv = subprocess.Popen([sys.executable, MOCK, "--port", "0", "--cert", os.path.join(tmp, "cert"),
                            "--log", os.path.join(tmp, "log"), "--ready", ready],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(ready):
            with open(ready) as f:
                return srv, "https://127.0.0.1:%d" % int(f.read()), os.path.join(tmp, "cert", "cert.pem")
        if srv.poll() is not None:
            break
        time.sleep(0.05)
    srv.kill()
    sys.exit("sample_agent: the mock model server did not start (%s)" % MOCK)


def run_tool(call, workdir):
    args = json.loads(call["function"]["arguments"])
    if args["tool"] == "shell":
        p = subprocess.run(args["cmd"], capture_output=True, text=True)
        return p.returncode, "exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr)
    path = os.path.join(workdir, "notes.txt")
    with open(path, "w") as f:
        f.write(args["text"])
    return 0, "wrote %s" % path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", help="an already running mock_server.py, https://127.0.0.1:PORT")
    ap.add_argument("--ca", help="its cert.pem")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="agtrace-demo-")
    srv = None
    try:
        if a.base:
            base, ca = a.base, a.ca
        else:
            srv, base, ca = start_model(tmp)
        ctx = ssl.create_default_context(cafile=ca)
        url = base + "/v1/chat/completions"
        headers = {"Content-Type": "application/json", "Authorization": "Bearer " + API_KEY,
                   "x-mock-plan": "demo"}
        messages = [{"role": "system", "content": "You are a careful ops agent."},
                    {"role": "user", "content": "Check this host and write a summary."}]
        calls = tokens_in = tokens_out = tools_run = tools_failed = 0
        workdir = os.path.join(tmp, "work")
        os.mkdir(workdir)
        for _ in range(10):
            body = json.dumps({"model": "mock-agent-1", "messages": messages, "tools": TOOLS}).encode()
            req = urllib.request.Request(url, body, headers)
            with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
                reply = json.loads(r.read())
            calls += 1
            tokens_in += reply["usage"]["prompt_tokens"]
            tokens_out += reply["usage"]["completion_tokens"]
            msg = reply["choices"][0]["message"]
            messages.append(msg)
            if not msg.get("tool_calls"):
                print("agent:", msg["content"])
                break
            for call in msg["tool_calls"]:
                rc, out = run_tool(call, workdir)
                tools_run += 1
                tools_failed += rc != 0
                print("tool %s -> exit %d" % (call["function"]["name"], rc))
                messages.append({"role": "tool", "tool_call_id": call["id"], "content": out})
        print("summary: %d model calls over HTTPS, %d tokens in, %d out; %d tools run, %d failed" % (
            calls, tokens_in, tokens_out, tools_run, tools_failed))
    finally:
        if srv:
            srv.terminate()
            srv.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
