#!/usr/bin/env bash
# `make strace-compare`: run the project's workloads under strace -f and under agtrace-bpf and
# compare every argument and result (scripts/strace_compare.py), then print the agreement over
# all of them. Both run with -s 32 (strace's default string size). Needs root.
set -u
cd "$(dirname "$0")/.."
AGT=./agtrace-bpf
WL=./.output/workloads/workload
TMP=$(mktemp -d /tmp/agtrace-cmp.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
runs=(
	"$WL seq"
	"$WL net"
	"$WL forkexec 3"
	"$WL mix 200"
	"$WL signals 5"
	"./.output/workloads/decode_cases"
	"sh -c 'ls /etc >/dev/null; cat /etc/hostname'"
	"python3 -c 'import os; os.listdir(\"/\")'"
)
eq=0 tot=0 st=0 nc=0
for r in "${runs[@]}"; do
	eval "set -- $r"
	strace -f -s 32 -o "$TMP/s" "$@" >/dev/null 2>&1
	$AGT -q -s 32 -o "$TMP/a" -- "$@" >/dev/null 2>&1
	python3 scripts/strace_compare.py "$TMP/s" "$TMP/a" --label "$*" --show 2 | tee "$TMP/c" |
		grep -v '^totals:'
	read -r e t s n < <(sed -n 's/^totals: //p' "$TMP/c")
	eq=$((eq + e)) tot=$((tot + t)) st=$((st + s)) nc=$((nc + n))
done
awk -v e=$eq -v t=$tot -v s=$st -v n=$nc 'BEGIN {
	printf "agreement with strace -f: %d/%d values equal (%.2f%%)\n", e, t, 100 * e / t
	printf "  not counting %d structures strace decodes and %d strings not resident at exec: %.2f%%\n",
		s, n, 100 * e / (t - s - n)
}'
