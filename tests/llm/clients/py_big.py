#!/usr/bin/python3
"""urllib: one non-stream chat completion whose body is > 1 MiB (a 1.2 MiB user message)."""
import json
import urllib.request

from common import MODEL, args, body, ctx, expect, headers

a = args(lambda ap: ap.add_argument("--lines", type=int, default=36000))  # 36000: 1.2 MiB
text = "".join("line %06d of a very long prompt.\n" % i for i in range(a.lines))
assert len(text) >= a.lines * 33
data = body(model=MODEL, messages=[{"role": "user", "content": text}])
req = urllib.request.Request(a.base + "/v1/chat/completions", data, headers())
with urllib.request.urlopen(req, context=ctx(a.ca)) as r:
    reply = json.loads(r.read())
expect(reply["usage"]["prompt_tokens"] == len(data) // 4, "usage %r" % reply["usage"])
print("ok 1")
