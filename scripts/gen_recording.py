#!/usr/bin/env python3
"""gen_recording.py - write a synthetic agtrace-bpf recording (DESIGN.md §3, §5).

A recording directory <out>/<pid>-<YYYYmmdd-HHMMSS>/ with metadata.json and events.jsonl.zst
(zstd frames, as the recorder writes; --codec gzip: events.jsonl.gz, a recording from before zstd):
mostly syscall events, an exec, and every --llm-every events an LLM step (context_snapshot with
a conversation one user/assistant turn longer, then its llm_response). For the analyzer
benchmark (1M events) and for fuzz seeds.

  scripts/gen_recording.py --out /tmp/rec --events 1000000
  scripts/gen_recording.py --out /tmp/rec --events 200 --members 4 --truncate 300

zstd frames come from the zstd command (any python will do: no zstandard module needed).
"""
import argparse
import gzip
import io
import json
import os
import subprocess
import sys

SYSCALLS = [
    ("openat", 257, lambda i: {"dirfd": "AT_FDCWD", "pathname": f"/tmp/work/file{i % 97}.py",
                               "flags": "O_RDONLY|O_CLOEXEC", "mode": 0}, 3, ""),
    ("read", 0, lambda i: {"fd": 3, "buf": "import os\nprint(1)\n", "count": 4096}, 19, ""),
    ("close", 3, lambda i: {"fd": 3}, 0, ""),
    ("stat", 4, lambda i: {"pathname": f"/usr/lib/python3/x{i % 13}.so", "statbuf": "0x7ffc1000"},
     -1, "ENOENT"),
    ("write", 1, lambda i: {"fd": 1, "buf": "step done\n", "count": 10}, 10, ""),
]


def events(n, pid, llm_every, big):
    ts = 0
    turn = 0
    msgs = [{"role": "user", "content": "fix the failing test in tests/test_app.py"}]
    for seq in range(n):
        ts += 1000 + (seq * 7919) % 50000
        base = {"seq_num": seq, "timestamp": ts, "pid": pid, "tid": pid, "comm": "python3"}
        if seq == 0:
            base.update(type="process", process={
                "event": "exec", "filename": "/usr/bin/python3", "argv": ["python3", "agent.py"],
                "argc": 2, "old_tid": pid})
        elif llm_every and seq % llm_every == 1:
            turn += 1
            base.update(type="context_snapshot", context={
                "api": "openai.chat", "model": "gpt-4o-mini",
                "system_prompt": "You are a careful coding agent." + (" pad" * big),
                "messages": list(msgs), "tools": ["bash", "read_file"],
                "message_count": len(msgs), "request_bytes": 1000 + 200 * len(msgs)})
        elif llm_every and seq % llm_every == 2:
            tokens = 50 + 40 * len(msgs)
            base.update(type="llm_response", llm={
                "api": "openai.chat", "model": "gpt-4o-mini", "request_tokens": tokens,
                "response_tokens": 20, "total_tokens": tokens + 20, "latency": 850000000,
                "ttft": -1, "status": 200, "finish_reason": "tool_calls", "stream": False,
                "content": "", "tool_calls": [{"id": f"call_{turn}", "name": "bash",
                                               "arguments": "{\"cmd\":\"pytest -q\"}"}],
                "complete": True})
            msgs.append({"role": "assistant", "content": "",
                         "tool_calls": [{"id": f"call_{turn}", "name": "bash",
                                         "arguments": "{\"cmd\":\"pytest -q\"}"}]})
            msgs.append({"role": "tool", "content": f"{turn} failed", "tool_call_id": f"call_{turn}"})
        else:
            name, nr, args, res, err = SYSCALLS[seq % len(SYSCALLS)]
            base.update(type="syscall", syscall={
                "syscall": name, "nr": nr, "args": args(seq), "result": res, "err": err,
                "duration": 1000 + seq % 9000})
        yield base


def compress(codec, text):
    """One zstd frame (level 1, checksummed, like the recorder's) or one gzip member of text."""
    if codec == "gzip":
        return gzip.compress(text, compresslevel=1)
    return subprocess.run(["zstd", "-q", "-1", "-c"], input=text, stdout=subprocess.PIPE,
                          check=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="base directory")
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--pid", type=int, default=4242)
    ap.add_argument("--llm-every", type=int, default=500)
    ap.add_argument("--big", type=int, default=0, help="system prompt padding words")
    ap.add_argument("--codec", choices=("zstd", "gzip"), default="zstd")
    ap.add_argument("--members", type=int, default=1, help="zstd frames / gzip members (flushes)")
    ap.add_argument("--truncate", type=int, default=0, help="cut this many bytes off the file")
    ap.add_argument("--status", default="completed")
    ap.add_argument("--id", default="20260329-101500")
    a = ap.parse_args()

    rid = f"{a.pid}-{a.id}"
    d = os.path.join(a.out, rid)
    os.makedirs(d, mode=0o700, exist_ok=True)
    raw = io.BytesIO()
    per = max(1, a.events // a.members)
    buf = []
    last_ts = 0
    for i, ev in enumerate(events(a.events, a.pid, a.llm_every, a.big)):
        buf.append(json.dumps(ev, separators=(",", ":")))
        last_ts = ev["timestamp"]
        if len(buf) >= per and (i + 1) < a.events:
            raw.write(compress(a.codec, ("\n".join(buf) + "\n").encode()))
            buf = []
    if buf:
        raw.write(compress(a.codec, ("\n".join(buf) + "\n").encode()))
    data = raw.getvalue()
    if a.truncate:
        data = data[:-a.truncate]
    name = "events.jsonl.gz" if a.codec == "gzip" else "events.jsonl.zst"
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    secs = last_ts // 1000000000
    meta = {"record_id": rid, "pid": a.pid, "intent": "python3 agent.py",
            "start_time": "2026-03-29T10:15:00Z",
            "end_time": None if a.status == "recording" else
            f"2026-03-29T10:{15 + secs // 60:02d}:{secs % 60:02d}.{(last_ts % 10**9) // 1000:06d}Z",
            "event_count": a.events, "status": a.status, "lost_events": 0,
            "trace_id": "0123456789abcdef0123456789abcdef", "hostname": "bench",
            "kernel": "6.1.0", "agtrace_version": "0.1.0"}
    with open(os.path.join(d, "metadata.json"), "w") as f:
        json.dump(meta, f)
    os.chmod(os.path.join(d, "metadata.json"), 0o600)
    os.chmod(os.path.join(d, name), 0o600)
    print(d)


if __name__ == "__main__":
    sys.exit(main())
