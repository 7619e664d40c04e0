#!/bin/sh
# make bench: syscall overhead (scripts/bench.py), TLS capture latency (scripts/bench_tls.py),
# recordings (scripts/bench_rec.sh), start-up (scripts/bench_startup.sh), a real agent CLI's
# multi-step run traced vs untraced (scripts/bench_agent.sh; installs tests/agents' CLIs once).
# Mounts tracefs for perf trace if it is missing.
set -eu
cd "$(dirname "$0")/.."
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
python3 scripts/bench.py
echo
/usr/bin/python3 scripts/bench_tls.py
echo
./scripts/bench_rec.sh
echo
./scripts/bench_startup.sh
echo
./scripts/bench_agent.sh
