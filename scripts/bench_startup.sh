#!/usr/bin/env bash
# Start-up cost of `agtrace-bpf -- COMMAND`, the median of N runs (default 10), in ms:
#   to command: from starting agtrace-bpf to the command running (it prints its own clock:
#               `date +%s%N` under the tracer; this is what delays the traced program),
#   wall:       the whole `agtrace-bpf -q -- true` (load, attach, run, detach, exit),
# with TLS capture (uprobes on libssl and node) and without (--no-tls); strace -f for reference.
# Needs root. Used by `make bench`; run alone with `scripts/bench_startup.sh`.
set -u
cd "$(dirname "$0")/.."
N=${N:-10}
AGT=${AGT:-./agtrace-bpf}

median() { sort -n | awk '{a[NR] = $1} END { printf "%.1f", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) / 1e6 }'; }

to_command() { # tracer args...: ns from starting the tracer to the command's first clock read
	local i t0 t1
	for ((i = 0; i < N; i++)); do
		t0=$(date +%s%N)
		t1=$("$@" date +%s%N 2>/dev/null | tail -1)
		echo $((t1 - t0))
	done | median
}

wall() { # command...
	local i t0 t1
	for ((i = 0; i < N; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $((t1 - t0))
	done | median
}

printf 'startup (median of %d, ms)   to command   wall\n' "$N"
printf '  agtrace-bpf (TLS on)     %10s %8s\n' "$(to_command $AGT -q -o /dev/null --)" "$(wall $AGT -q -- true)"
printf '  agtrace-bpf --no-tls     %10s %8s\n' "$(to_command $AGT -q --no-tls -o /dev/null --)" \
	"$(wall $AGT -q --no-tls -- true)"
printf '  strace -f                %10s %8s\n' "$(to_command strace -f -o /dev/null)" \
	"$(wall strace -f -o /dev/null true)"
printf '  untraced                 %10s %8s\n' "$(to_command env)" "$(wall true)"
