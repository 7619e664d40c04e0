#!/usr/bin/env bash
# The per-kernel smoke set (`make test-kernels` runs it in each guest, and on the host): the
# program flavour and TLS mode the tracer chose against what the kernel version says it must
# choose, an exact getppid count, fork/exec follow, LLM calls over TLS with exact tokens (curl:
# SSL_write/SSL_read; Python: the _ex forms; a 1.2 MiB request: many chunks; Bun's stripped
# BoringSSL, located; Go's crypto/tls at its RET instructions, keyed by goroutine), the coverage
# report of a TLS library without probes (wget, GnuTLS), and -c.
# Last line: "smoke KERNEL: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
AGT=${AGT:-./agtrace-bpf} # test-kernels: a copy, so a rebuild cannot change it mid-run
WL=./.output/workloads/workload
TMP=$(mktemp -d /tmp/agtrace-smoke.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1: $2"; fail=$((fail + 1)); }
check() { if [ "$2" = 0 ]; then ok "$1"; else bad "$1" "$3"; fi; }
count() { grep -c -- "$1" "$2" || true; }
t() { :; } # llm_tests.sh registers its tests with t; here they are called by name

# What this kernel must get, from its version alone (the oracle): task storage for tp_btf (5.11),
# attach cookies (5.15) and bpf_loop (5.17) for the single-program bpf_loop copy, uprobe_multi
# links (6.6).
kver=$(uname -r)
IFS=. read -r kmaj kmin _ <<<"${kver%%-*}"
kv=$((kmaj * 1000 + kmin))
want_flavour=raw_tp
[ $kv -ge 5011 ] && want_flavour=tp_btf
want_tls="perf uprobes+tail calls"
[ $kv -ge 5017 ] && want_tls="perf uprobes+bpf_loop"
[ $kv -ge 6006 ] && want_tls="uprobe_multi+bpf_loop"

test_modes() {
	$AGT -e trace=getppid -- true >/dev/null 2>"$TMP/m.err"
	$AGT -q -e trace=getppid -- true >/dev/null 2>"$TMP/q.err"
	local got
	got=$(sed -n 's/^agtrace-bpf: tracing .* with \(.*\)$/\1/p' "$TMP/m.err")
	local fallbacks
	fallbacks=$(grep -c 'unavailable' "$TMP/m.err")
	local want_fallbacks=0
	[ "$want_flavour" = raw_tp ] && want_fallbacks=1
	[ "$want_tls" != "uprobe_multi+bpf_loop" ] && want_fallbacks=$((want_fallbacks + 1))
	[ "$want_tls" = "perf uprobes+tail calls" ] && want_fallbacks=$((want_fallbacks + 1))
	sed -n 's/^agtrace-bpf: \(.*unavailable.*\)$/# \1/p' "$TMP/m.err" # what the log shows
	[ "$got" = "$want_flavour, TLS $want_tls" ] && [ "$fallbacks" = "$want_fallbacks" ] &&
		[ ! -s "$TMP/q.err" ]
	check "kernel $kver: $want_flavour, TLS $want_tls, $want_fallbacks fallback line(s), none with -q" $? \
		"got '$got', stderr: $(tr '\n' '|' <"$TMP/m.err"), -q stderr: $(tr '\n' '|' <"$TMP/q.err")"
}

test_getppid() {
	local n=5000
	$AGT -q --json -o "$TMP/g.jsonl" -- $WL getppid $n >/dev/null 2>"$TMP/g.err"
	local got lost
	got=$(count '"syscall":"getppid"' "$TMP/g.jsonl")
	lost=$(count '"type":"lost"' "$TMP/g.jsonl")
	[ "$got" = "$n" ] && [ "$lost" = 0 ] && [ ! -s "$TMP/g.err" ]
	check "getppid: $n issued, $got captured, 0 lost" $? "lost events $lost, stderr: $(cat "$TMP/g.err")"
}

test_fork_exec() {
	local k=321
	$AGT -q -- $WL forkexec $k >"$TMP/f.txt" 2>&1
	local child got
	child=$(sed -n 's/^child \([0-9]*\) status 7$/\1/p' "$TMP/f.txt")
	got=$(count "^\[pid $child\] +[0-9.]* getppid() = " "$TMP/f.txt")
	[ -n "$child" ] && [ "$got" = "$k" ] &&
		grep -q "^\[pid $child\] +[0-9.]* --- fork (parent " "$TMP/f.txt" &&
		grep -q "^\[pid $child\] +[0-9.]* +++ exited with 7 +++" "$TMP/f.txt" &&
		grep -q -- '--- exec "/bin/true" \["true", "from-workload"\] ---' "$TMP/f.txt"
	check "fork child ($k getppid, exit 7) and exec of /bin/true followed" $? "child=$child got=$got"
}

test_summary() {
	local n=1234
	$AGT -q -c -o "$TMP/c.txt" -- $WL getppid $n >/dev/null 2>&1
	local calls
	calls=$(awk '$NF == "getppid" { print $(NF-1) }' "$TMP/c.txt")
	[ "$calls" = "$n" ]
	check "-c summary: getppid calls = $n" $? "$(cat "$TMP/c.txt")"
}

# The tail-call chain (forced here on kernels that have bpf_loop) copies at most 33 programs x 16
# chunks x 16 KiB = 8650752 bytes of one call: a 10 MiB request is cut there, says so at start,
# and the rest is counted as lost to the byte.
test_chain_cap() {
	local d="tail-call chain: a 10 MiB SSL_write is captured up to 8650752 bytes, the rest counted"
	llm_start chain || { bad "$d" "mock server did not start"; return; }
	AGTRACE_TLS_CHAIN=1 $AGT --json --http --tls-max-bytes 16M -o "$LT/t.jsonl" -- \
		$LLM_PY tests/llm/clients/py_big.py --lines 320000 --base "$LLM_BASE" --ca "$LLM_CA" \
		>"$LT/t.out" 2>"$LT/t.err"
	grep -qx 'ok 1' "$LT/t.out" &&
		grep -q 'tracing .* TLS perf uprobes+tail calls$' "$LT/t.err" &&
		grep -q 'tls-max-bytes 16777216 exceeds .* beyond 8650752 bytes a call is cut' "$LT/t.err" &&
		$LLM_PY - "$LT/t.jsonl" "$LT/log/0001/request_body" "$LT/t.err" <<'PY' >"$LT/t.check" 2>&1
import json, re, sys
body = open(sys.argv[2], "rb").read()
h = [e["http"] for e in map(json.loads, open(sys.argv[1])) if e["type"] == "http"]
assert len(h) == 1, len(h)
got, lost = h[0]["request_bytes"], h[0]["request_lost"]
# one SSL_write: the headers, then the body; 8650752 bytes of it are captured
assert got + lost == len(body) > 10 << 20, (got, lost, len(body))
assert 0 <= 8650752 - got < 1024, got  # less what headers sent in the same call took
assert body.startswith(h[0]["request_body"].encode()), "captured part differs"
m = re.search(r"(\d+) bytes of TLS plaintext not captured", open(sys.argv[3]).read())
assert m and int(m.group(1)) == lost, (m and m.group(1), lost)
PY
	check "$d" $? "$(head -c 800 "$LT/t.check"; tail -c 300 "$LT/t.err")"
	llm_stop
}

# shellcheck source=tests/integration/llm_tests.sh
. tests/integration/llm_tests.sh
# shellcheck source=tests/integration/bun_tests.sh
. tests/integration/bun_tests.sh
# shellcheck source=tests/integration/go_tests.sh
. tests/integration/go_tests.sh
# shellcheck source=tests/integration/coverage_tests.sh
. tests/integration/coverage_tests.sh

test_modes
test_getppid
test_fork_exec
test_summary
test_llm_curl_plain
test_llm_py_urllib
test_llm_py_big
test_chain_cap
test_llm_bun_1_3
test_llm_go_h2_stripped
test_coverage_gnutls_blind
echo "smoke $kver: $pass passed, $fail failed"
[ $fail = 0 ]
