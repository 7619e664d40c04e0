"""The events file of a recording directory, decompressed by an oracle independent of agtrace-bpf:
python's zstandard for events.jsonl.zst (what the recorder writes), gzip for events.jsonl.gz
(recordings made before zstd). Used by rec_tests.sh's python checks (Debian's python3-zstandard).
"""
import gzip
import io
import json
import os

import zstandard


def events_path(d):
    """The events file of recording d: the zstd one if present, else the gzip one."""
    z = os.path.join(d, "events.jsonl.zst")
    return z if os.path.exists(z) else os.path.join(d, "events.jsonl.gz")


def decompress(name, data, partial=False):
    """The decompressed bytes of a whole events file (name says the codec). A stream that stops
    mid-frame raises EOFError, or with partial=True returns what decoded (a killed tracer's file)."""
    if name.endswith(".gz"):
        if partial:
            d = gzip.GzipFile(fileobj=io.BytesIO(data))
            out = bytearray()
            try:
                while True:
                    b = d.read(65536)
                    if not b:
                        break
                    out += b
            except EOFError:
                pass
            return bytes(out)
        return gzip.decompress(data)
    out = []
    while data:
        obj = zstandard.ZstdDecompressor().decompressobj()
        out.append(obj.decompress(data))
        if not obj.eof:
            if partial:
                break
            raise EOFError("zstd stream ends mid-frame")
        data = obj.unused_data
    return b"".join(out)


def events_bytes(d, partial=False):
    p = events_path(d)
    with open(p, "rb") as f:
        return decompress(p, f.read(), partial)


def events(d):
    """Every event of recording d, parsed."""
    return [json.loads(l) for l in events_bytes(d).decode().split("\n") if l]
