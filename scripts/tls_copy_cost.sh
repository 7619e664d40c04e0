#!/usr/bin/env bash
# tls_copy_cost.sh - what copying one SSL_write's plaintext costs in the kernel, per call size,
# for each TLS mode this kernel can run: bpf_loop (one program) and the tail-call chain of the
# kernels before 5.17 (AGTRACE_TLS_CHAIN=1), both on perf-event uprobes so only the copy differs.
# The figure is the return program's own run time from the kernel's BPF statistics
# (kernel.bpf_stats_enabled; a tail call's time counts in the program that made it), divided by
# the calls (an upper bound: other processes' OpenSSL calls run it too, and leave at once). A Python client writes N calls of each size over one TLS connection to an untraced
# local sink. Root; prints a table.
set -eu
cd "$(dirname "$0")/.."
TMP=$(mktemp -d /tmp/agtrace-copy.XXXXXX)
srv=""
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$old_stats"
	rm -rf "$TMP"
}
trap cleanup EXIT
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
# The sink runs on a copy of libssl (another inode, a path the tracer never probes), so its own
# SSL_read_ex returns do not run the programs and blur the figures.
mkdir -p "$TMP/lib"
cp "$(python3 -c 'import _ssl; print(_ssl.__file__)' | xargs ldd | awk '/libssl/ { print $3 }')" "$TMP/lib/"
LD_LIBRARY_PATH=$TMP/lib python3 - "$TMP" <<'PY' &
import socket, ssl, sys, threading
d = sys.argv[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + "/cert.pem", d + "/key.pem")
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
open(d + "/port", "w").write(str(s.getsockname()[1]))
def sink(c):
    with ctx.wrap_socket(c, server_side=True) as t:
        while t.recv(1 << 20):
            pass
while True:
    threading.Thread(target=sink, args=(s.accept()[0],), daemon=True).start()
PY
srv=$!
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
sysctl -qw kernel.bpf_stats_enabled=1

cat >"$TMP/client.py" <<'PY'
import os, socket, ssl, sys, time
d, prog = sys.argv[1], sys.argv[2]
ctx = ssl._create_unverified_context()  # a local sink; only the bytes matter
c = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(open(d + "/port").read()))),
                    server_hostname="127.0.0.1")
sys.path.insert(0, "scripts")  # run from the repository's root
import bpf_stats
mine = bpf_stats.tracer_prog_ids(os.getppid())  # the tracer's own programs: others may run the same ones
def stats():
    s = bpf_stats.snapshot(mine, lambda name: name == prog).get(prog)
    if not s:
        sys.exit("no program %s of the tracer %d" % (prog, os.getppid()))
    return s
for size, n in ((1 << 10, 400), (16 << 10, 200), (64 << 10, 100), (256 << 10, 40), (1 << 20, 20), (4 << 20, 10)):
    buf = b"x" * size
    t0, c0 = stats()
    for _ in range(n):
        c.sendall(buf)
        time.sleep(0.002 + size / 20e6)  # let the consumer drain the ring
    t1, c1 = stats()
    # per traced call: other processes' libssl calls on the machine run the programs too (the
    # probes are system-wide; they leave at the tracked-map check), so runs can exceed calls
    print("%8d %6d %6d %12.1f" % (size, n, c1 - c0, (t1 - t0) / n / 1000), flush=True)
PY
printf '%-26s %8s %6s %6s %12s\n' mode bytes calls runs "us/call"
for mode in loop chain; do
	prog=tls_return
	envs=(AGTRACE_NO_UPROBE_MULTI=1)
	if [ $mode = chain ]; then
		prog=tls_return_c
		envs=(AGTRACE_TLS_CHAIN=1)
	fi
	env "${envs[@]}" ./agtrace-bpf -q -e trace=none -o /dev/null -- python3 "$TMP/client.py" "$TMP" $prog \
		2>"$TMP/err" | sed "s/^/$(printf '%-26s ' "$mode")/"
	[ -s "$TMP/err" ] && cat "$TMP/err" >&2
done
