# shellcheck shell=bash
# TLS stacks located in stripped binaries, on the real agents: Codex CLI (a static-pie musl Rust
# binary; its model calls go over rustls 0.23 on aws-lc-rs, HTTP/2) and Copilot CLI (a node
# single executable whose Rust addon runtime.node sends them through OpenSSL 3 linked in
# stripped), against tests/llm/mock_server.py, traced; the capture is compared with the mock's
# log by tests/llm/check.py (bodies byte for byte, tokens exact, the key nowhere). Sourced by
# tests/integration/run.sh when AGT_RUSTLS=1 (make test-rustls): the two are ~300 MB to
# download and 900 MB installed (tests/rustls, npm ci), too much for every make test.
# AGT_CODEX=PATH runs another Codex binary (the release table of README "rustls").
# Uses llm_tests.sh's helpers (llm_start, llm_trace, llm_check, llm_why).

RUSTLS_CODEX=${AGT_CODEX:-tests/rustls/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}
RUSTLS_COPILOT=tests/rustls/node_modules/@github/copilot-linux-x64/copilot

# rustls_codex TAG PROMPT: `codex exec` against the mock as a user configures it: a model
# provider in CODEX_HOME/config.toml (Responses API), the mock's CA by SSL_CERT_FILE.
rustls_codex() {
	local tag=$1 prompt=$2 home="$LT/home-$1"
	mkdir -p "$home" "$LT/work"
	cat >"$home/config.toml" <<-EOF
		model = "$LLM_MODEL"
		model_provider = "mock"
		[analytics]
		enabled = false
		[model_providers.mock]
		name = "mock"
		base_url = "$LLM_BASE/v1"
		env_key = "MOCK_API_KEY"
		wire_api = "responses"
	EOF
	AGTRACE_DEBUG=1 CODEX_HOME="$home" MOCK_API_KEY="$LLM_SECRET" SSL_CERT_FILE="$LLM_CA" \
		llm_trace "$tag" "$RUSTLS_CODEX" exec --skip-git-repo-check -C "$LT/work" "$prompt" \
		</dev/null
}

t test_rustls_codex_exec
test_rustls_codex_exec() {
	local n d="codex exec, 6 tool steps (rustls/aws-lc-rs, HTTP/2, a connection per call, key addresses reused): every request the mock logged is an llm_response, bodies and tokens exact"
	if [ ! -x "$RUSTLS_CODEX" ]; then
		bad "$d" "no Codex at $RUSTLS_CODEX: run make test-rustls (npm ci in tests/rustls)"
		return
	fi
	# six steps: Codex opens a connection per model call and the next one's AEAD keys often get
	# the freed ones' addresses (tls_aead.c moves them); two calls rarely showed it
	llm_start codex --scenario shell:6 || { bad "$d" "mock server did not start"; return; }
	rustls_codex c "Run the shell command: echo agtrace-step-1. Then say done." &&
		grep -q 'AWS-LC AEAD: 4 functions located' "$LT/c.err" &&
		n=$(ls "$LT/log" | wc -l) && [ "$n" = 7 ] &&
		llm_check c --expect-requests "$n" &&
		$LLM_PY - "$LT/c.jsonl" "$n" <<'PY' >>"$LT/c.check" 2>&1
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
r = [e["llm"] for e in ev if e["type"] == "llm_response"]
h = [e["http"] for e in ev if e["type"] == "http"]
assert len(r) == int(sys.argv[2]), len(r)
assert all(x["version"] == "2" for x in h), [x["version"] for x in h]
assert r[0]["tool_calls"] and r[-1]["finish_reason"] == "completed", r
PY
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_rustls_copilot
test_rustls_copilot() {
	local n agt cop d="copilot -p (runtime.node: OpenSSL 3 linked in stripped, loaded by dlopen): every request the mock logged is an llm_response, bodies and tokens exact"
	if [ ! -x "$RUSTLS_COPILOT" ]; then
		bad "$d" "no Copilot at $RUSTLS_COPILOT: run make test-rustls (npm ci in tests/rustls)"
		return
	fi
	llm_start copilot || { bad "$d" "mock server did not start"; return; }
	mkdir -p "$LT/home" "$LT/work"
	case $AGT in /*) agt=$AGT ;; *) agt=$PWD/$AGT ;; esac
	case $RUSTLS_COPILOT in /*) cop=$RUSTLS_COPILOT ;; *) cop=$PWD/$RUSTLS_COPILOT ;; esac
	# BYOK provider (chat completions), offline (no GitHub login); the executable extracts
	# runtime.node under HOME and dlopens it: the tracer must attach before the first call
	(cd "$LT/work" && AGTRACE_DEBUG=1 HOME="$LT/home" SSL_CERT_FILE="$LLM_CA" \
		COPILOT_OFFLINE=true COPILOT_PROVIDER_BASE_URL="$LLM_BASE/v1" \
		COPILOT_PROVIDER_API_KEY="$LLM_SECRET" COPILOT_MODEL="$LLM_MODEL" \
		COPILOT_AUTO_UPDATE=false $agt -q --json --http -o "$LT/c.jsonl" -- "$cop" -p "Run the shell command: echo agtrace-step-1. Then say done." \
		--allow-all-tools </dev/null >"$LT/c.out" 2>"$LT/c.err") &&
		grep -q 'OpenSSL 3 stripped: ssl_write_internal, ssl_read_internal, SSL_new located' \
			"$LT/c.err" &&
		n=$(ls "$LT/log" | wc -l) && [ "$n" -ge 2 ] &&
		llm_check c --expect-requests "$n" &&
		$LLM_PY - "$LT/c.jsonl" "$n" <<'PY' >>"$LT/c.check" 2>&1
import json, sys
r = [e["llm"] for e in map(json.loads, open(sys.argv[1])) if e["type"] == "llm_response"]
assert len(r) == int(sys.argv[2]), len(r)
assert r[0]["finish_reason"] == "tool_calls" and r[-1]["finish_reason"] == "stop", r
PY
	check "$d" $? "$(llm_why c)"
	llm_stop
}

# Codex 0.135.0 carries AWS-LC (located, attached) but sends its model traffic through rustls on
# ring, which has no probes: nothing is captured, and the tracer must say so rather than show an
# agent that made no LLM calls - at its exit, since only then is "no plaintext" known.
RUSTLS_CODEX_RING=tests/rustls/node_modules/codex-ring/vendor/x86_64-unknown-linux-musl/bin/codex

t test_rustls_codex_ring_blind
test_rustls_codex_ring_blind() {
	local d="codex 0.135 (rustls on ring, AWS-LC unused): no llm_response, one blind coverage event at its exit, one stderr line"
	if [ ! -x "$RUSTLS_CODEX_RING" ]; then
		bad "$d" "no Codex at $RUSTLS_CODEX_RING: run make test-rustls (npm ci in tests/rustls)"
		return
	fi
	llm_start codexring || { bad "$d" "mock server did not start"; return; }
	local bin why
	bin=$(readlink -f "$RUSTLS_CODEX_RING")
	RUSTLS_CODEX=$RUSTLS_CODEX_RING rustls_codex c "Say hi."
	why="TLS handshakes seen but no plaintext through $bin (AWS-LC + OpenSSL 3): another TLS stack is in use"
	[ "$(ls "$LT/log" | wc -l)" -ge 1 ] &&
		[ "$(count '"type":"llm_response"' "$LT/c.jsonl")" = 0 ] &&
		[ "$(grep -c "talks TLS the tracer cannot see: $bin: $why\$" "$LT/c.err")" = 1 ] &&
		$LLM_PY - "$LT/c.jsonl" "$bin" "$why" <<'PY' >"$LT/c.check" 2>&1
import json, sys
c = [e["coverage"] for e in map(json.loads, open(sys.argv[1])) if e["type"] == "coverage"]
blind = [x for x in c if x["status"] == "blind"]
assert [(x["binary"], x["why"], x["seen"]) for x in blind] == [(sys.argv[2], sys.argv[3], "exit")], c
PY
	check "$d" $? "$(cat "$LT/c.check" 2>/dev/null) $(grep agtrace "$LT/c.err" | head -5)"
	llm_stop
}
