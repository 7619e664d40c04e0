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
BENCH_TLS_CLIENTS=python,node,bun,go,codex,pi picks.

Then the figure this VM's noise does not blur: the kernel's own count of the TLS programs' run
time (kernel.bpf_stats_enabled=1, scripts/bpf_stats.py), read while the tracer still runs (the
client runs inside a shell that waits on a fifo before and after it), divided by the requests:
"BPF us per request" per stack and body size, with the program runs per request (uprobe hits:
the uprobe trap itself, ~1-2 us a hit on x86, comes on top and is not in the figure); the least
of REPS runs, since other processes' TLS calls on the machine run the same probes and only add.
Then two real agents doing the same task against the mock's --scenario shell:N, BPF time divided
by the model calls the mock logged: Codex (rustls on aws-lc-rs: AEAD records paired to sockets
by tls_sock.bpf.c's tracepoints; tests/rustls or tests/agents' npm install) and pi (node's
OpenSSL), the reference. Not their wall time: a run is seconds of start-up, sandboxed tool runs
and model loop, against which a few us per call cannot be seen.
The mock runs on a copy of libssl (another inode, never probed), so the server's own
SSL_read/SSL_write calls do not run the OpenSSL probes and count in neither figure.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bpf_stats  # noqa: E402
QUICK = os.environ.get("QUICK") == "1"
N = 50 if QUICK else 200
REPS = int(os.environ.get("REPS", "3" if QUICK else "5"))
PY = "/usr/bin/python3"

CLIENT = r"""
import http.client, json, os, ssl, sys, time
port, ca, size, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
body = json.dumps({"model": "bench-1", "messages": [{"role": "user", "content": "x" * size}]})
def pause():  # BENCH_TLS_PAUSE=FIFO: bench_tls.py reads the BPF statistics until FIFO is written
    if os.environ.get("BENCH_TLS_PAUSE"):
        print("agt-bench-pause", flush=True)
        open(os.environ["BENCH_TLS_PAUSE"]).read()
lat = []
pause()
for i in range(n):
    t = time.monotonic_ns()
    conn.request("POST", "/v1/chat/completions", body=body,
                 headers={"Content-Type": "application/json", "Authorization": "Bearer sk-bench-0123456789abcdefghij"})
    r = conn.getresponse(); r.read()
    lat.append(time.monotonic_ns() - t)
pause()
lat.sort()
print(json.dumps({"median_us": lat[len(lat) // 2] / 1000, "p90_us": lat[len(lat) * 9 // 10] / 1000}))
"""


JS_CLIENT = r"""
const fs = require("fs");
const [port, ca, size, n] = process.argv.slice(2).map((x, i) => (i === 1 ? x : Number(x)));
const body = JSON.stringify({model: "bench-1", messages: [{role: "user", content: "x".repeat(size)}]});
const tls = {ca: fs.readFileSync(ca, "utf8")}; // Bun's fetch option; node reads NODE_EXTRA_CA_CERTS
// BENCH_TLS_PAUSE=FIFO: bench_tls.py reads the BPF statistics until FIFO is written (sync writes:
// the event loop is blocked meanwhile)
const pause = () => {
    if (process.env.BENCH_TLS_PAUSE) {
        fs.writeSync(1, "agt-bench-pause\n");
        fs.readFileSync(process.env.BENCH_TLS_PAUSE);
    }
};
(async () => {
    const lat = [];
    pause();
    for (let i = 0; i < n; i++) {
        const t = process.hrtime.bigint();
        const r = await fetch(`https://127.0.0.1:${port}/v1/chat/completions`, {method: "POST", body, tls,
            headers: {"Content-Type": "application/json", Authorization: "Bearer sk-bench-0123456789abcdefghij"}});
        await r.text();
        lat.push(Number(process.hrtime.bigint() - t));
    }
    pause();
    lat.sort((a, b) => a - b);
    console.log(JSON.stringify({median_us: lat[lat.length >> 1] / 1000, p90_us: lat[Math.floor(lat.length * 9 / 10)] / 1000}));
})();
"""


CODEX_PATHS = ["tests/%s/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex"
               % d for d in ("rustls", "agents")]
AGENT_STEPS = 3 if QUICK else 8  # tool steps: model calls = steps + 1 (and what else it asks)
AGENT_REPS = 2 if QUICK else 3
MODEL_APIS = ("openai.chat", "openai.responses", "anthropic.messages", "gemini.generate")
PAUSE = "agt-bench-pause"


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def libssl_copy(tmp):
    """A copy of the libssl python's _ssl links (another inode: the tracer's probes are not on
    it), for the mock server: its own SSL calls would otherwise run the OpenSSL programs."""
    import _ssl
    ldd = subprocess.run(["ldd", _ssl.__file__], capture_output=True, text=True).stdout
    lib = os.path.join(tmp, "lib")
    os.makedirs(lib, exist_ok=True)
    for line in ldd.splitlines():
        if "libssl" in line and "=>" in line:
            shutil.copy(line.split("=>")[1].split()[0], lib)
    return lib


def start_mock(tmp, tag, *args):
    tag = tempfile.mkdtemp(prefix=tag + ".", dir=tmp)  # a fresh port file and log each time
    ready = os.path.join(tmp, tag + ".port")
    log = os.path.join(tmp, tag + ".log")
    env = dict(os.environ, LD_LIBRARY_PATH=libssl_copy(tmp))
    srv = subprocess.Popen([PY, os.path.join(ROOT, "tests/llm/mock_server.py"), "--port", "0",
                            "--cert", os.path.join(tmp, "cert"), "--log", log, "--ready", ready]
                           + list(args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(200):
        if os.path.exists(ready):
            break
        time.sleep(0.05)
    return srv, open(ready).read().strip(), log


def bpf_run(agt, cmd, tmp, env=None, cwd=None, agent=False):
    """CMD under the tracer (every syscall and the TLS capture, the default) with the TLS programs'
    bpf_stats read while the tracer still holds them. A bench client is the tracer's own command
    (its TLS located before it starts) and stops on a fifo twice (BENCH_TLS_PAUSE): before its
    first request and after its last. An agent runs in a shell that stops after it: from the
    tracer's start (the counters start at zero with the programs) to the agent's exit, every
    byte it sent or received; its capture goes to TMP/agent.jsonl (--json --http: userspace
    work, not in the figure) for the caller to check. Returns ({program: (ns, runs)}, CMD's
    stdout lines, the tracer's stderr)."""
    fifo = os.path.join(tmp, "fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    env = dict(env or os.environ)
    snaps, lines = [], []
    if agent:
        snaps.append({})
        cmd = ["/bin/sh", "-c", '"$@"; echo %s; read _ <"$0"' % PAUSE, fifo] + cmd
        out = ["--json", "--http", "-o", os.path.join(tmp, "agent.jsonl")]
    else:
        env["BENCH_TLS_PAUSE"] = fifo
        out = ["-o", "/dev/null"]
    err = open(os.path.join(tmp, "tracer.err"), "w+")
    p = subprocess.Popen([agt, "-q"] + out + ["--"] + cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=cwd)
    for line in p.stdout:
        if line.strip() != PAUSE:
            lines.append(line)
            continue
        # the TLS socket programs are loaded with the first AWS-LC binary: ids are read each time
        snaps.append(bpf_stats.snapshot(bpf_stats.tracer_prog_ids(p.pid)))
        with open(fifo, "w") as f:
            f.write("\n")
    p.wait()
    err.seek(0)
    if p.returncode or len(snaps) != 2:
        sys.exit("bench_tls: %s under the tracer: exit %d, %d stops\n%s"
                 % (cmd[0], p.returncode, len(snaps), err.read()))
    return bpf_stats.delta(snaps[0], snaps[1]), lines, err.read()


def per_request(d, n):
    """(us per request, program runs per request, 'name runs/req us/req, ...')"""
    ns = sum(t for t, _ in d.values())
    runs = sum(c for _, c in d.values())
    parts = ", ".join("%s %.1fx %.2f" % (k, c / n, t / n / 1000) for k, (t, c) in sorted(d.items()))
    return ns / n / 1000, runs / n, parts


AGENT_PROMPT = "Run the shell command: echo agtrace-step-1, then the next steps. Then say done."


def agent_setup(name, home, base, ca):
    """(command, environment) of a real agent CLI pointed at the mock as tests/agents/lib.sh
    points it, or None when it is not installed: codex (rustls) and pi (node, OpenSSL)."""
    env = dict(os.environ, MOCK_API_KEY="sk-bench-0123456789abcdefghij", AGTRACE_DEBUG="1")
    if name == "codex":
        codex = next((os.path.join(ROOT, c) for c in CODEX_PATHS
                      if os.access(os.path.join(ROOT, c), os.X_OK)), None)
        if not codex:
            return None
        open(os.path.join(home, "config.toml"), "w").write(
            'model = "gpt-mock-1"\nmodel_provider = "mock"\n[analytics]\nenabled = false\n'
            '[model_providers.mock]\nname = "mock"\nbase_url = "%s/v1"\n'
            'env_key = "MOCK_API_KEY"\nwire_api = "responses"\n' % base)
        env.update(CODEX_HOME=home, SSL_CERT_FILE=ca)
        return [codex, "exec", "--skip-git-repo-check", AGENT_PROMPT], env
    cli = os.path.join(ROOT, "tests/agents/node_modules/@mariozechner/pi-coding-agent/dist/cli.js")
    if not os.path.exists(cli) or not os.access("/usr/bin/node", os.X_OK):
        return None
    os.makedirs(os.path.join(home, ".pi/agent"), exist_ok=True)
    open(os.path.join(home, ".pi/agent/models.json"), "w").write(json.dumps({"providers": {"mock": {
        "baseUrl": base + "/v1", "api": "openai-completions", "apiKey": "MOCK_API_KEY",
        "models": [{"id": "gpt-mock-1"}]}}}))
    env.update(HOME=home, PI_OFFLINE="1", PI_TELEMETRY="0", NODE_EXTRA_CA_CERTS=ca)
    return ["/usr/bin/node", cli, "-p", AGENT_PROMPT, "--provider", "mock", "--model", "gpt-mock-1"], env


def agent_run(name, agt, tmp, ca):
    """One run of agent NAME doing AGENT_STEPS tool steps against its own mock: (model calls the
    mock logged, {program: (ns, runs)}, request bytes, response bytes, AEAD records, calls
    captured as llm_response events), or None when NAME is not installed."""
    home, work = os.path.join(tmp, name + "-home"), os.path.join(tmp, name + "-work")
    os.makedirs(home, exist_ok=True)
    os.makedirs(work, exist_ok=True)
    srv, port, log = start_mock(tmp, name, "--scenario", "shell:%d" % AGENT_STEPS)
    try:
        setup = agent_setup(name, home, "https://127.0.0.1:" + port, ca)
        if not setup:
            return None
        d, _, err = bpf_run(agt, setup[0], tmp, setup[1], cwd=work, agent=True)
    finally:
        srv.terminate()
        srv.wait()
    metas = [json.load(open(os.path.join(log, r, "meta.json"))) for r in sorted(os.listdir(log))]
    # the model calls (the mock also logs model lists and probes: their bytes count, not their number)
    calls = sum(1 for m in metas if m.get("api") in MODEL_APIS)
    # the calls the capture turned into llm_response events: said beside the figure (Codex's
    # AEAD capture misses some calls of multi-step runs while its records all reach the tracer)
    seen = sum(1 for ln in open(os.path.join(tmp, "agent.jsonl")) if '"type":"llm_response"' in ln)
    records = [ln for ln in err.splitlines() if "AEAD records" in ln]
    nrec = int(records[-1].split("AEAD records")[1].split()[0]) if records else 0
    return (calls, d, sum(m.get("request_bytes") or 0 for m in metas),
            sum(m.get("response_bytes") or 0 for m in metas), nrec, seen)


def main():
    tmp = tempfile.mkdtemp(prefix="agtrace-bench-tls.")
    srv, port, _ = start_mock(tmp, "mock")
    try:
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
        # (label, short name for the comparison lines, command)
        clients = [("python3 http.client (OpenSSL 3, libssl)", "OpenSSL", [PY, client])]
        if os.access("/usr/bin/node", os.X_OK):
            clients.append(("node fetch (OpenSSL, symbols)", "node/OpenSSL", ["/usr/bin/node", jsclient]))
        if os.access(bun, os.X_OK):
            clients.append(("bun 1.3 fetch (BoringSSL, no symbols)", "Bun/BoringSSL", [bun, jsclient]))
        gobin = os.path.join(ROOT, ".output/workloads/go_agent_s")
        if os.access(gobin, os.X_OK):
            clients.append(("go net/http HTTP/1.1 (crypto/tls, stripped)", "Go/crypto/tls",
                            [gobin, "-http1", "-benchargs"]))
        pick = os.environ.get("BENCH_TLS_CLIENTS")
        if pick:
            clients = [c for c in clients if c[0].split()[0].rstrip("3") in pick.split(",")]
        print("TLS capture: %d sequential chat requests per run, keep-alive, %d interleaved reps"
              % (N, REPS))
        bpf = {}  # (short name, size) -> (us/request, runs/request)
        for cname, short, cmd in clients:
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
                # the least of REPS runs: a uprobe runs for every process that maps the probed
                # file (another session's npm, node or python TLS), which only ever adds
                with bpf_stats.enabled():
                    us, runs, parts = min(per_request(bpf_run(agt, cmd + [port, ca, str(size), str(N)],
                                                              tmp)[0], N) for _ in range(REPS))
                bpf[short, size] = (us, runs)
                print("      %-30s %8.2f us per request, %.1f program runs (%s)"
                      % ("BPF (TLS programs, kernel)", us, runs, parts))
        # real agents, per model call: Codex (rustls) against pi (node's OpenSSL), the same task
        agents = [("codex", "Codex/rustls", "codex exec 0.171 (rustls 0.23 on aws-lc-rs: AEAD records, HTTP/2)"),
                  ("pi", "pi/OpenSSL", "pi 0.73 (node, OpenSSL symbols, HTTP/1.1)")]
        for name, short, label in agents:
            if pick and name not in pick.split(","):
                continue
            with bpf_stats.enabled():
                ags = [agent_run(name, agt, tmp, ca) for _ in range(AGENT_REPS)]
            if not ags[0]:
                print("  agent: %s not installed (npm ci in tests/rustls or tests/agents)" % name)
                continue
            (us, runs, parts), (n, d, qb, rb, nrec, seen) = min((per_request(a[1], a[0]), a) for a in ags)
            print("  agent: %s, shell:%d, %d model calls (least of %d runs), %d captured"
                  % (label, AGENT_STEPS, n, AGENT_REPS, seen))
            print("    %.1f KB request + %.1f KB response body a call%s" % (
                qb / n / 1024, rb / n / 1024, ", %.1f AEAD records a call" % (nrec / n) if nrec else ""))
            print("      %-30s %8.2f us per model call, %.1f program runs (%s)"
                  % ("BPF (TLS programs, kernel)", us, runs, parts))
            bpf[short, "agent"] = (us, runs)
        print("  BPF time per request, against OpenSSL at the same body size / the same agent task:")
        for (short, size), (us, runs) in bpf.items():
            if short in ("OpenSSL", "pi/OpenSSL"):
                continue
            ref = ("pi/OpenSSL", "agent") if size == "agent" else ("OpenSSL", size)
            if ref in bpf:
                print("    %-14s %7.2f us (%5.1f runs) vs %s %7.2f us (%5.1f runs), %s"
                      % ((short + ":", us, runs, ref[0]) + bpf[ref]
                         + ("a model call of the same task" if size == "agent" else "%d KB body" % (size // 1024),)))
    finally:
        srv.terminate()
        srv.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
