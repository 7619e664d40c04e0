#!/usr/bin/env bash
# Start-up cost: wall time of `agtrace-bpf -q -- true` (load, attach, run `true`, detach), the
# median of N runs (default 10), with TLS capture (uprobes on libssl and node) and without;
# strace -f true for reference. Prints one line per variant, in milliseconds. Needs root.
set -u
cd "$(dirname "$0")/.."
N=${N:-10}
median_ms() { # command...
	local i t0 t1 ts=()
	for ((i = 0; i < N; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		ts+=($(((t1 - t0) / 1000)))
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR] = $1} END {
		m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.1f", m / 1000 }'
}
echo "startup (median of $N, ms): agtrace-bpf -- true: $(median_ms ./agtrace-bpf -q -- true)" \
	"| --no-tls: $(median_ms ./agtrace-bpf -q --no-tls -- true)" \
	"| strace -f true: $(median_ms strace -f -o /dev/null true)"
