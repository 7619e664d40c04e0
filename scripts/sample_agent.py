#!/usr/bin/env python3
"""A small but real tool-using agent loop, for `make demo`.

It talks to a model over HTTP (a local OpenAI-compatible stub it starts itself, since this
machine has no network), and runs the tools the model asks for as child processes, feeding
their output back into the conversation - the syscall shape of a coding agent: sockets, forks,
execs, file reads and writes. Unmodified, untraced-aware: agtrace-bpf watches it from outside.
"""
import http.server
import json
import subprocess
import sys
import tempfile
import threading
import urllib.request

PLAN = [
    {"tool": "shell", "cmd": ["ls", "-l", "/etc/hostname", "/etc/os-release"]},
    {"tool": "shell", "cmd": ["grep", "-c", "root", "/etc/passwd"]},
    {"tool": "shell", "cmd": ["cat", "/nonexistent/config.yaml"]},
    {"tool": "write", "path": None, "text": "summary of the run\n"},
]


class Model(http.server.BaseHTTPRequestHandler):
    """Answers /v1/chat/completions with the next step of PLAN as a tool call."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        step = sum(1 for m in body["messages"] if m["role"] == "tool")
        if step < len(PLAN):
            msg = {"role": "assistant", "content": None,
                   "tool_calls": [{"id": "call_%d" % step, "type": "function",
                                   "function": {"name": PLAN[step]["tool"],
                                                "arguments": json.dumps(PLAN[step])}}]}
            finish = "tool_calls"
        else:
            msg = {"role": "assistant", "content": "Done: 3 tools run, 1 failed."}
            finish = "stop"
        out = json.dumps({"model": "stub-1", "choices": [{"message": msg, "finish_reason": finish}],
                          "usage": {"prompt_tokens": 100 * (step + 1), "completion_tokens": 20}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out.encode())

    def log_message(self, *args):
        pass


def run_tool(call, workdir):
    args = json.loads(call["function"]["arguments"])
    if args["tool"] == "shell":
        p = subprocess.run(args["cmd"], capture_output=True, text=True)
        return "exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr)
    path = "%s/notes.txt" % workdir
    with open(path, "w") as f:
        f.write(args["text"])
    return "wrote %s" % path


def main():
    srv = http.server.HTTPServer(("127.0.0.1", 0), Model)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/v1/chat/completions" % srv.server_address[1]
    messages = [{"role": "system", "content": "You are a careful ops agent."},
                {"role": "user", "content": "Check this host and write a summary."}]
    with tempfile.TemporaryDirectory() as workdir:
        for _ in range(10):
            req = urllib.request.Request(url, json.dumps({"model": "stub-1", "messages": messages}).encode(),
                                         {"Content-Type": "application/json"})
            reply = json.loads(urllib.request.urlopen(req).read())
            msg = reply["choices"][0]["message"]
            messages.append(msg)
            if not msg.get("tool_calls"):
                print("agent:", msg["content"])
                break
            for call in msg["tool_calls"]:
                messages.append({"role": "tool", "tool_call_id": call["id"],
                                 "content": run_tool(call, workdir)})
    srv.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
