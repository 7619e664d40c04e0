#!/usr/bin/python3
"""http.client: request 1, print "pid N req1 done", wait until --go FILE exists, then request 2 on
the SAME TLS connection (for a tracer attached with -p between the two)."""
import http.client
import json
import os
import sys
import time
import urllib.parse

from common import MODEL, args, body, ctx, expect, headers

a = args(lambda ap: ap.add_argument("--go", required=True))
u = urllib.parse.urlsplit(a.base)
conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx(a.ca), timeout=60)


def ask(text):
    conn.request("POST", "/v1/chat/completions", body(model=MODEL, messages=[{"role": "user", "content": text}]),
                 headers())
    r = conn.getresponse()
    reply = json.loads(r.read())
    expect(r.status == 200 and reply["choices"][0]["message"]["content"].startswith("Mock"), "reply")


ask("keepalive request one")
sock = conn.sock
print("pid %d req1 done" % os.getpid(), flush=True)
for _ in range(6000):
    if os.path.exists(a.go):
        break
    time.sleep(0.01)
else:
    expect(False, "timed out waiting for " + a.go)
ask("keepalive request two, on the same connection")
expect(conn.sock is sock, "connection was not reused")
print("ok 2")
sys.exit(0)
