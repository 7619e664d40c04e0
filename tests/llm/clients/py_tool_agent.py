#!/usr/bin/python3
"""A tiny agent: asks /v1/chat/completions with a tool, gets a tool call, runs the tool as a child
process - `curl` making its OWN HTTPS call to the mock (so the tool's exchange belongs to another
pid) - feeds the result back and gets the final answer. 3 requests: agent, curl child, agent."""
import json
import subprocess
import urllib.request

from common import MODEL, SECRET, args, body, ctx, expect, headers

a = args()
url = a.base + "/v1/chat/completions"
tools = [{"type": "function", "function": {
    "name": "ask_subagent", "description": "Ask another model by running curl.",
    "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]}}}]
messages = [{"role": "system", "content": "You delegate."},
            {"role": "user", "content": "Use the tool, then answer."}]


def ask():
    req = urllib.request.Request(url, body(model=MODEL, messages=messages, tools=tools), headers())
    with urllib.request.urlopen(req, context=ctx(a.ca)) as r:
        return json.loads(r.read())["choices"][0]


first = ask()
expect(first["finish_reason"] == "tool_calls", "expected a tool call")
call = first["message"]["tool_calls"][0]
messages.append(first["message"])
p = subprocess.run(["curl", "-sS", "--http1.1", "--cacert", a.ca, url,
                    "-H", "Authorization: Bearer " + SECRET, "-H", "Content-Type: application/json",
                    "--data-binary", json.dumps({"model": "gpt-mock-sub", "messages": [
                        {"role": "user", "content": "subagent: " + call["function"]["arguments"]}]})],
                   capture_output=True, text=True)
expect(p.returncode == 0, "curl failed: " + p.stderr)
sub = json.loads(p.stdout)["choices"][0]["message"]["content"]
messages.append({"role": "tool", "tool_call_id": call["id"], "content": sub})
final = ask()
expect(final["finish_reason"] == "stop" and final["message"]["content"].startswith("Mock"), "final")
print("ok 3")
