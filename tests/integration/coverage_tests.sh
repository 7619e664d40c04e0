# shellcheck shell=bash
# TLS coverage, sourced by tests/integration/run.sh: a process talking TLS through a library the
# tracer has no probe on gets one stderr line and a `coverage` event naming it; a covered one a
# `coverage` event with status "probed". The oracle for the library: ldd, and the mock's log.

# cov_event FILE: the coverage events of a JSON trace, one "status|binary|tls|why|seen|pid" line each
cov_events() {
	$LLM_PY - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if e.get("type") == "coverage":
        c = e["coverage"]
        print("|".join(str(x) for x in (c["status"], c["binary"], c["tls"], c["why"], c["seen"], e["pid"])))
PY
}

# the pid of the exec of PROG in a JSON trace
cov_pid_of() {
	$LLM_PY - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if e.get("type") == "process" and e["process"].get("event") == "exec" and \
            e["process"].get("filename", "").endswith(sys.argv[2]):
        print(e["pid"])
        break
PY
}

# cov_start TAG DESC: a fresh mock server, or a failure named after DESC
cov_start() {
	llm_start "$1" && return 0
	bad "$2" "mock server did not start: $(cat "$LT/server.err")"
	return 1
}

# cov_lib PROG PATTERN: the real path of the library PROG links that matches PATTERN
cov_lib() {
	readlink -f "$(ldd "$(command -v "$1")" | awk -v p="$2" '$0 ~ p {print $3}')"
}

t test_coverage_gnutls_blind
test_coverage_gnutls_blind() {
	local d="coverage: wget (GnuTLS) is reported blind, by name, once"
	if ! command -v wget >/dev/null; then
		bad "$d" "wget missing: run scripts/deps.sh"
		return
	fi
	cov_start covg "$d" || return
	local lib pid ev lines
	lib=$(cov_lib wget libgnutls)
	$AGT --json --http -o "$LT/w.jsonl" -- wget -q -O "$LT/w.out" --ca-certificate="$LLM_CA" \
		--header='Content-Type: application/json' \
		--post-data='{"model":"m","messages":[{"role":"user","content":"hi"}]}' \
		"$LLM_BASE/v1/chat/completions" 2>"$LT/w.err"
	pid=$(cov_pid_of "$LT/w.jsonl" wget)
	ev=$(cov_events "$LT/w.jsonl")
	lines=$(grep -c 'talks TLS the tracer cannot see' "$LT/w.err")
	[ -s "$LT/log/0001/meta.json" ] && [ -n "$lib" ] && [ "$lines" = 1 ] &&
		grep -qxF "agtrace-bpf: pid $pid talks TLS the tracer cannot see: $lib: GnuTLS: no probes for this library" "$LT/w.err" &&
		{ [ "$ev" = "blind|$lib|GnuTLS|GnuTLS: no probes for this library|ServerHello|$pid" ] ||
			# gone before the consumer could look at it (slow guests): judged at its exit
			[ "$ev" = "blind|$lib|GnuTLS|GnuTLS: no probes for this library|exit|$pid" ]; } &&
		! grep -q '"type":"llm_response"' "$LT/w.jsonl"
	check "$d" $? "lib=$lib pid=$pid events=[$ev] stderr: $(cat "$LT/w.err")"
	llm_stop
}

t test_coverage_openssl_probed
test_coverage_openssl_probed() {
	local d="coverage: curl (OpenSSL) is reported probed, without a stderr line"
	cov_start covo "$d" || return
	local lib pid ev
	lib=$(cov_lib curl 'libssl\\.so')
	$AGT --json --http -o "$LT/c.jsonl" -- curl -sS --http1.1 --cacert "$LLM_CA" \
		-H 'Content-Type: application/json' \
		--data-binary '{"model":"m","messages":[{"role":"user","content":"hi"}]}' \
		"$LLM_BASE/v1/chat/completions" >"$LT/c.out" 2>"$LT/c.err"
	pid=$(cov_pid_of "$LT/c.jsonl" curl)
	ev=$(cov_events "$LT/c.jsonl")
	[ -n "$lib" ] && [ "$ev" = "probed|$lib|OpenSSL|None|ClientHello|$pid" ] &&
		! grep -q 'cannot see' "$LT/c.err" &&
		[ "$(grep -c '"type":"llm_response"' "$LT/c.jsonl")" = 1 ]
	check "$d" $? "lib=$lib pid=$pid events=[$ev] stderr: $(cat "$LT/c.err")"
	llm_stop
}

t test_coverage_no_library
test_coverage_no_library() {
	local d="coverage: a ClientHello written by no TLS library is reported blind"
	local pid ev exe
	exe=$(readlink -f "$WL")
	$AGT --json -o "$TMP/covw.jsonl" -- $WL tlshello >/dev/null 2>"$TMP/covw.err"
	pid=$(cov_pid_of "$TMP/covw.jsonl" workload)
	ev=$(cov_events "$TMP/covw.jsonl")
	local why="no TLS library the tracer can probe in its mappings (no OpenSSL symbols, no stack it can locate)"
	[ "$ev" = "blind|$exe|None|$why|ClientHello|$pid" ] &&
		grep -qxF "agtrace-bpf: pid $pid talks TLS the tracer cannot see: $exe: $why" "$TMP/covw.err"
	check "$d" $? "pid=$pid events=[$ev] stderr: $(cat "$TMP/covw.err")"
}

t test_coverage_blame_blind_spot
test_coverage_blame_blind_spot() {
	local d="coverage: blame names the blind spot of a recording"
	cov_start covb "$d" || return
	local lib rec out
	lib=$(cov_lib wget libgnutls)
	$AGT record -q --output-dir "$LT/recs" -- wget -q -O /dev/null --ca-certificate="$LLM_CA" \
		--post-data='{"model":"m","messages":[]}' "$LLM_BASE/v1/chat/completions" 2>/dev/null
	rec=$(ls -d "$LT"/recs/*/ 2>/dev/null | head -1)
	out=$($AGT blame "$rec" 2>&1)
	echo "$out" | grep -qxF "blind spots: 1 process talked TLS the tracer could not see; its LLM calls are missing from the figures above:" &&
		echo "$out" | grep -qE "^  pid [0-9]+ $lib: GnuTLS: no probes for this library\$" &&
		$AGT blame --json "$rec" | $LLM_PY -c "
import json, sys
b = json.load(sys.stdin)['blind_spots']
assert [(x['binary'], x['tls']) for x in b] == [('$lib', 'GnuTLS')], b"
	check "$d" $? "$(echo "$out" | tail -4)"
	llm_stop
}
