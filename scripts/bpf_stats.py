"""bpf_stats: the kernel's own count of what one tracer's BPF programs ran (run_time_ns, run_cnt).

With kernel.bpf_stats_enabled=1 the kernel clocks every program run (two clock reads each, ~50 ns,
counted inside the figure). The counters belong to the loaded program and vanish with it, so they
must be read while the tracer still runs. Only the programs of one tracer process count (found by
the prog_id lines of its fds): other sessions on the machine may load programs of the same names.
A uprobe program runs for every process that maps the probed file, traced or not (untraced ones
leave at the first map check), so a figure divided by requests is an upper bound.
Used by scripts/tls_copy_cost.sh and scripts/bench_tls.py; root.
"""
import contextlib
import json
import os
import subprocess

# bpf/tls.bpf.c (tls_*) and bpf/tls_sock.bpf.c (aead_sock_*): the TLS capture's programs
TLS_PREFIXES = ("tls_", "aead_")


@contextlib.contextmanager
def enabled():
    """kernel.bpf_stats_enabled=1 for the block, the previous value restored after."""
    path = "/proc/sys/kernel/bpf_stats_enabled"
    old = open(path).read().strip()
    open(path, "w").write("1")
    try:
        yield
    finally:
        open(path, "w").write(old)


def tracer_prog_ids(pid):
    """The ids of the BPF programs process PID holds an fd of."""
    ids = set()
    for fd in os.listdir("/proc/%d/fdinfo" % pid):
        try:
            for line in open("/proc/%d/fdinfo/%s" % (pid, fd)):
                if line.startswith("prog_id:"):
                    ids.add(int(line.split()[1]))
        except OSError:
            pass  # an fd closed meanwhile
    return ids


def is_tls(name):
    return name.startswith(TLS_PREFIXES)


def snapshot(ids, want=is_tls):
    """{program name: (run_time_ns, run_cnt)} for the programs of ids whose name want(name)
    accepts (names as the kernel keeps them: 15 characters at most)."""
    out = subprocess.run(["bpftool", "--json", "prog", "show"], capture_output=True, check=True).stdout
    res = {}
    for p in json.loads(out):
        name = p.get("name", "")
        if p["id"] in ids and want(name):
            t, c = res.get(name, (0, 0))
            res[name] = (t + p.get("run_time_ns", 0), c + p.get("run_cnt", 0))
    return res


def delta(before, after):
    """after - before, per program; programs that did not run are left out."""
    d = {}
    for name, (t, c) in after.items():
        t0, c0 = before.get(name, (0, 0))
        if c - c0:
            d[name] = (t - t0, c - c0)
    return d
