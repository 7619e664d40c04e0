"""Shared bits of the Python test clients (run with /usr/bin/python3)."""
import argparse
import json
import os
import ssl
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The fake API key every client sends; tests grep that it never reaches tracer output.
SECRET = open(os.path.join(HERE, "..", "secret")).read().strip()
MODEL = "gpt-mock-1"


def args(extra=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="https://127.0.0.1:PORT")
    ap.add_argument("--ca", required=True, help="the mock server's cert.pem")
    if extra:
        extra(ap)
    return ap.parse_args()


def ctx(ca):
    return ssl.create_default_context(cafile=ca)


def headers():
    return {"Content-Type": "application/json", "Authorization": "Bearer " + SECRET}


def body(**kw):
    return json.dumps(kw).encode()


def expect(cond, what):
    if not cond:
        print("FAIL: " + what, file=sys.stderr)
        sys.exit(1)


def sse_data(lines):
    """Parse SSE lines (bytes, with or without newline) into data payloads; stop at [DONE]."""
    out = []
    for line in lines:
        line = line.rstrip(b"\r\n")
        if line.startswith(b"data: "):
            d = line[6:]
            if d == b"[DONE]":
                return out, True
            out.append(json.loads(d))
    return out, False


def chat_text(chunks):
    return "".join((c["choices"][0]["delta"].get("content") or "") for c in chunks if c["choices"])
