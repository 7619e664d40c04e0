#!/usr/bin/python3
"""make bench, part 2: what TLS capture adds to an LLM request.

A keep-alive HTTPS client (Debian's python3, urllib's http.client: SSL_write_ex/SSL_read_ex)
sends sequential chat-completion requests with a 1 KB and a 100 KB body to tests/llm/mock_server.py
and times each round trip itself (CLOCK_MONOTONIC). Rows: untraced; agtrace-bpf with every syscall
and the TLS capture (the default); --no-tls (syscalls only), so the TLS share shows on its own.
Interleaved repetitions, medians. QUICK=1: fewer requests. Not a test: nothing here asserts.
The same client in JavaScript (fetch(), keep-alive) on node (OpenSSL, symbols) and on Bun
(tests/bun's 1.3 release: BoringSSL located without symbols, tls_bssl.c) when they are there;
And Go's net/http over crypto/tls (HTTP/1.1, keep-alive: the Go test agent's -bench mode,
.output/workloads/go_agent_s, located through Go's function table, user/tls_go.c) when built.
BENCH_TLS_CLIENTS=python,node,bun,go picks.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = os.environ.get("QUICK") == "1"
N = 50 if QUICK else 200
REPS = int(os.environ.get("REPS", "3" if QUICK else "5"))
PY = "/usr/bin/python3"

CLIENT = r"""
import http.client, json, ssl, sys, time
port, ca, size, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
body = json.dumps({"model": "bench-1", "messages": [{"role": "user", "content": "x" * size}]})
lat = []
for i in range(n):
    t = time.monotonic_ns()
    conn.request("POST", "/v1/chat/completions", body=body,
                 headers={"Content-Type": "application/json", "Authorization": "Bearer sk-bench-0123456789abcdefghij"})
    r = conn.getresponse(); r.read()
    lat.append(time.monotonic_ns() - t)
lat.sort()
print(json.dumps({"median_us": lat[len(lat) // 2] / 1000, "p90_us": lat[len(lat) * 9 // 10] / 1000}))
"""


JS_CLIENT = r"""
const fs = require("fs");
const [port, ca, size, n] = process.argv.slice(2).map((x, i) => (i === 1 ? x : Number(x)));
const body = JSON.stringify({model: "bench-1", messages: [{role: "user", content: "x".repeat(size)}]});
const tls = {ca: fs.readFileSync(ca, "utf8")}; // Bun's fetch option; node reads NODE_EXTRA_CA_CERTS
(async () => {
    const lat = [];
    for (let i = 0; i < n; i++) {
        const t = process.hrtime.bigint();
        const r = await fetch(`https://127.0.0.1:${port}/v1/chat/completions`, {method: "POST", body, tls,
            headers: {"Content-Type": "application/json", Authorization: "Bearer sk-bench-0123456789abcdefghij"}});
        await r.text();
        lat.push(Number(process.hrtime.bigint() - t));
    }
    lat.sort((a, b) => a - b);
    console.log(JSON.stringify({median_us: lat[lat.length >> 1] / 1000, p90_us: lat[Math.floor(lat.length * 9 / 10)] / 1000}));
})();
"""


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    tmp = tempfile.mkdtemp(prefix="agtrace-bench-tls.")
    ready = os.path.join(tmp, "port")
    srv = subprocess.Popen([PY, os.path.join(ROOT, "tests/llm/mock_server.py"), "--port", "0",
                            "--cert", os.path.join(tmp, "cert"), "--log", os.path.join(tmp, "log"),
                            "--ready", ready], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(ready):
                break
            time.sleep(0.05)
        port = open(ready).read().strip()
        ca = os.path.join(tmp, "cert", "cert.pem")
        client = os.path.join(tmp, "client.py")
        open(client, "w").write(CLIENT)
        jsclient = os.path.join(tmp, "client.cjs")
        open(jsclient, "w").write(JS_CLIENT)
        os.environ["NODE_EXTRA_CA_CERTS"] = ca
        agt = os.path.join(ROOT, "agtrace-bpf")
        rows = [("untraced", []),
                ("agtrace-bpf (syscalls + TLS)", [agt, "-q", "-o", "/dev/null", "--"]),
                ("agtrace-bpf --no-tls", [agt, "-q", "--no-tls", "-o", "/dev/null", "--"])]
        bun = os.path.join(ROOT, "tests/bun/node_modules/bun-1.3/bin/bun")
        clients = [("python3 http.client (OpenSSL 3, libssl)", [PY, client])]
        if os.access("/usr/bin/node", os.X_OK):
            clients.append(("node fetch (OpenSSL, symbols)", ["/usr/bin/node", jsclient]))
        if os.access(bun, os.X_OK):
            clients.append(("bun 1.3 fetch (BoringSSL, no symbols)", [bun, jsclient]))
        gobin = os.path.join(ROOT, ".output/workloads/go_agent_s")
        if os.access(gobin, os.X_OK):
            clients.append(("go net/http HTTP/1.1 (crypto/tls, stripped)",
                            [gobin, "-http1", "-benchargs"]))
        pick = os.environ.get("BENCH_TLS_CLIENTS")
        if pick:
            clients = [c for c in clients if c[0].split()[0].rstrip("3") in pick.split(",")]
        print("TLS capture: %d sequential chat requests per run, keep-alive, %d interleaved reps"
              % (N, REPS))
        for cname, cmd in clients:
            print("  client: %s" % cname)
            for size in (1024, 100 * 1024):
                res = {name: [] for name, _ in rows}
                for _ in range(REPS):
                    for name, pre in rows:
                        r = run(pre + cmd + [port, ca, str(size), str(N)])
                        res[name].append(r["median_us"])
                base = statistics.median(res["untraced"])
                print("    request body %3d KB" % (size // 1024))
                for name, _ in rows:
                    m = statistics.median(res[name])
                    print("      %-30s median %8.1f us  (+%7.1f us, %.2fx)  min-max %.1f-%.1f"
                          % (name, m, m - base, m / base, min(res[name]), max(res[name])))
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    sys.exit(main())
