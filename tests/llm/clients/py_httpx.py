#!/usr/bin/python3
"""httpx (Debian python3-httpx): one plain chat completion and one SSE chat completion on one
client; --http2 negotiates HTTP/2 (ALPN h2), else HTTP/1.1."""
import httpx

from common import MODEL, args, body, chat_text, ctx, expect, headers, sse_data

a = args(lambda ap: ap.add_argument("--http2", action="store_true"))
want = "HTTP/2" if a.http2 else "HTTP/1.1"
with httpx.Client(http2=a.http2, http1=True, verify=ctx(a.ca), timeout=30) as cl:
    r = cl.post(a.base + "/v1/chat/completions", headers=headers(),
                content=body(model=MODEL, messages=[{"role": "user", "content": "httpx plain %s" % want}]))
    expect(r.status_code == 200 and r.http_version == want, "plain %s %s" % (r.status_code, r.http_version))
    expect(r.json()["choices"][0]["message"]["content"].startswith("Mock answer"), "plain content")
    with cl.stream("POST", a.base + "/v1/chat/completions", headers=headers(),
                   content=body(model=MODEL, stream=True, stream_options={"include_usage": True},
                                messages=[{"role": "user", "content": "httpx stream %s" % want}])) as r:
        expect(r.status_code == 200 and r.http_version == want, "stream %s" % r.http_version)
        lines = []
        for line in r.iter_lines():
            lines.append(line.encode())
            if line.startswith("data: [DONE]"):
                break
    chunks, done = sse_data(lines)
    expect(done and chat_text(chunks).startswith("Mock answer"), "stream content")
print("ok 2")
