#!/bin/sh
# make bench: see scripts/bench.py. Mounts tracefs for perf trace if it is missing.
set -eu
cd "$(dirname "$0")/.."
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
exec python3 scripts/bench.py
