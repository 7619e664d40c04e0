#!/usr/bin/python3
"""urllib.request: one plain chat completion, then one SSE chat completion read up to
`data: [DONE]` (the rest of the chunked body, its 0-chunk, is never read: like the SDKs)."""
import json
import urllib.request

from common import MODEL, args, body, chat_text, ctx, expect, headers, sse_data

a = args()
url = a.base + "/v1/chat/completions"
c = ctx(a.ca)
req = urllib.request.Request(url, body(model=MODEL, messages=[
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "urllib plain: say hi"}]), headers())
with urllib.request.urlopen(req, context=c) as r:
    reply = json.loads(r.read())
expect(reply["choices"][0]["message"]["content"].startswith("Mock answer"), "plain content")
expect(reply["usage"]["prompt_tokens"] > 0, "plain usage")

req = urllib.request.Request(url, body(model=MODEL, stream=True, stream_options={"include_usage": True},
                                       messages=[{"role": "user", "content": "urllib stream: say hi"}]),
                             headers())
r = urllib.request.urlopen(req, context=c)
lines = []
while True:
    line = r.readline()
    expect(line, "stream ended before [DONE]")
    lines.append(line)
    if line.startswith(b"data: [DONE]"):
        break
chunks, done = sse_data(lines)
expect(done and chat_text(chunks).startswith("Mock answer"), "stream content")
expect(any(ch.get("usage") for ch in chunks), "stream usage chunk")
r.close()
print("ok 2")
