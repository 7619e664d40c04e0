# shellcheck shell=bash
# Bun single binaries (BoringSSL linked in, no SSL_* symbols), sourced by tests/integration/run.sh
# after llm_tests.sh (uses its llm_* helpers). The Bun releases come from tests/bun (npm ci in
# scripts/deps.sh, one per release line); when they are missing these tests FAIL, never skip.
# The oracle is the mock server's log: a wrongly located SSL_write or SSL_read cannot give back
# every request and response body byte for byte.

BUN_LOCATE=./.output/bssl_locate
BUN_LINES="1.1 1.2 1.3 1.4"

bun_bin() { echo "tests/bun/node_modules/bun-$1/bin/bun"; }

bun_need() { # test description, release line
	if [ ! -x "$(bun_bin "$2")" ] || [ ! -x "$BUN_LOCATE" ]; then
		bad "$1" "$(bun_bin "$2") or $BUN_LOCATE missing: run scripts/deps.sh (npm ci) and make"
		return 1
	fi
}

# The dry run finds the functions in every pinned release, the same again from the cache.
t test_bun_locate_pinned
test_bun_locate_pinned() {
	local d="BoringSSL locator: SSL_write and SSL_read found in Bun $BUN_LINES, the cache gives the same"
	local l out=() rc=0
	for l in $BUN_LINES; do
		bun_need "$d" "$l" || return
		out+=("$(bun_bin "$l")")
	done
	AGTRACE_CACHE_DIR="$TMP/bun-cache" $BUN_LOCATE "${out[@]}" >"$TMP/bun-loc1" 2>&1 || rc=1
	AGTRACE_CACHE_DIR="$TMP/bun-cache" $BUN_LOCATE "${out[@]}" >"$TMP/bun-loc2" 2>&1 || rc=1
	[ $rc = 0 ] && [ "$(grep -c ' write=0x[0-9a-f]* read=0x[0-9a-f]* ' "$TMP/bun-loc1")" = 4 ] &&
		[ "$(grep -c ' cached$' "$TMP/bun-loc2")" = 4 ] &&
		diff <(sed 's/ sites=.*//' "$TMP/bun-loc1") <(sed 's/ sites=.*//' "$TMP/bun-loc2") >/dev/null
	check "$d" $? "$(cat "$TMP/bun-loc1" "$TMP/bun-loc2")"
}

# bun_agent LINE: the fetch() agent loop of tests/llm/clients/bun_agent.js under the tracer.
bun_agent() {
	local l=$1 d="Bun $1 fetch() agent loop (tool call, chat SSE, Anthropic SSE): 3 exchanges, bodies, tokens, no key"
	bun_need "$d" "$l" || return
	llm_start "bun$l" || { bad "$d" "mock server did not start"; return; }
	AGTRACE_CACHE_DIR="$TMP/bun-cache-$l" llm_trace c "$(bun_bin "$l")" tests/llm/clients/bun_agent.js \
		--base "$LLM_BASE" --ca "$LLM_CA" &&
		grep -qx 'ok 3' "$LT/c.out" && llm_check c --expect-requests 3 --secret "$LLM_SECRET" &&
		$LLM_PY - "$LT/c.jsonl" <<'PY' >>"$LT/c.check" 2>&1
import json, sys
r = [e["llm"] for e in map(json.loads, open(sys.argv[1])) if e["type"] == "llm_response"]
assert len(r) == 3, r
assert r[0]["finish_reason"] == "tool_calls" and [t["name"] for t in r[0]["tool_calls"]] == ["run_shell"], r[0]
assert r[1]["stream"] is True and r[2]["stream"] is True, r
PY
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_bun_1_1
test_llm_bun_1_1() { bun_agent 1.1; }
t test_llm_bun_1_2
test_llm_bun_1_2() { bun_agent 1.2; }
t test_llm_bun_1_3
test_llm_bun_1_3() { bun_agent 1.3; }
t test_llm_bun_1_4
test_llm_bun_1_4() { bun_agent 1.4; }

# What cannot be located is not attached to: a truncated copy is no BoringSSL to the locator; a
# copy whose SSL_write reports another reason than SSL_R_BAD_LENGTH (its error path patched: it
# still runs) leaves SSL_write unlocated, and the tracer says why (AGTRACE_DEBUG), attaches
# nothing to it and reports no LLM call, while the agent itself works; without AGTRACE_DEBUG too,
# a stderr line and a `coverage` event name the blind spot.
t test_bun_locate_refuses
test_bun_locate_refuses() {
	local d="BoringSSL locator: a truncated or altered Bun is refused with a reason, nothing attached"
	bun_need "$d" 1.3 || return
	local b
	b=$(bun_bin 1.3)
	head -c 40000000 "$b" >"$TMP/bun-cut"
	cp "$b" "$TMP/bun-alt"
	$LLM_PY - "$TMP/bun-alt" <<'PY' || { bad "$d" "could not patch the copy"; return; }
import sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
# mov edi, ERR_LIB_SSL; mov esi, SSL_R_BAD_LENGTH -> SSL_R_BAD_LENGTH + 1 (the 4-argument error call)
pat = bytes.fromhex("bf10000000be6f000000")
n = d.count(pat)
assert n >= 1, n
d[:] = d.replace(pat, bytes.fromhex("bf10000000be70000000"))
open(p, "wb").write(d)
PY
	AGTRACE_CACHE_DIR="$TMP/bun-cache-r" $BUN_LOCATE "$TMP/bun-cut" "$TMP/bun-alt" >"$TMP/bun-ref" 2>&1
	local rc=$?
	llm_start bunref || { bad "$d" "mock server did not start"; return; }
	AGTRACE_DEBUG=1 AGTRACE_CACHE_DIR="$TMP/bun-cache-r" llm_trace c "$TMP/bun-alt" \
		tests/llm/clients/bun_agent.js --base "$LLM_BASE" --ca "$LLM_CA"
	[ $rc = 1 ] && grep -q "bun-cut: not BoringSSL" "$TMP/bun-ref" &&
		grep -q "bun-alt: not located: BoringSSL statically linked, SSL_write not located (0 candidates)" "$TMP/bun-ref" &&
		grep -qx 'ok 3' "$LT/c.out" &&
		grep -q "bun-alt: BoringSSL statically linked, SSL_write not located" "$LT/c.err" &&
		! grep -q "TLS uprobes on .*bun-alt" "$LT/c.err" &&
		[ "$(count '"type":"llm_response"' "$LT/c.jsonl")" = 0 ] &&
		grep -qE "^agtrace-bpf: pid [0-9]+ talks TLS the tracer cannot see: $TMP/bun-alt: BoringSSL statically linked, SSL_write not located \(0 candidates\)\$" "$LT/c.err" &&
		[ "$(grep -c '"type":"coverage","coverage":{"status":"blind","binary":"'"$TMP"'/bun-alt","tls":"BoringSSL"' "$LT/c.jsonl")" = 1 ]
	check "$d" $? "rc=$rc $(cat "$TMP/bun-ref") $(grep -i 'bun-alt\|boringssl' "$LT/c.err" | head -5)"
	llm_stop
}
