# shellcheck shell=bash
# Go crypto/tls capture (user/tls_go.c), sourced by tests/integration/run.sh after llm_tests.sh
# (uses its llm_* helpers). The Go agent (tests/llm/clients/go_agent, stdlib net/http) is built
# by the Makefile with Debian's golang-go as users ship Go programs: plain (.output/workloads/
# go_agent), stripped and static (go_agent_s: -ldflags='-s -w', CGO_ENABLED=0), stripped PIE
# (go_agent_pie). Oracles: the mock server's log (check.py), `go tool nm` and `go tool objdump`
# (Go's own readers of the same tables), GNU objdump (an independent x86 decoder). When Go or
# the binaries are missing these tests FAIL, they are never skipped.

GO_WL=./.output/workloads
GO_TOOL=${GO_TOOL:-go}

go_need() { # test description
	if ! command -v "$GO_TOOL" >/dev/null || [ ! -x $GO_WL/go_agent_s ] || [ ! -x $GO_WL/gotab ]; then
		bad "$1" "go or the Go test binaries missing: run scripts/deps.sh and make"
		return 1
	fi
}

# go_agent_run TAG BINARY [ENV=V...] [-- AGENT FLAGS]: the agent under the tracer, checked
# against the mock's log: 3 requests (a tool call, the tool's result, a streamed answer).
go_agent_run() {
	local tag=$1 bin=$2
	shift 2
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	env AGTRACE_DEBUG=1 "${envs[@]}" "$AGT" -q --json --http -o "$LT/$tag.jsonl" -- \
		"$bin" "$@" -base "$LLM_BASE" -ca "$LLM_CA" -key-file tests/llm/secret \
		>"$LT/$tag.out" 2>"$LT/$tag.err" &&
		grep -qx 'ok 3' "$LT/$tag.out" &&
		grep -q "Go TLS uprobes on .*$(basename "$bin")" "$LT/$tag.err" &&
		llm_check "$tag" --expect-requests 3
}

go_version_of() { # log dir, request seq -> the logged http_version
	sed -n 's/.*"http_version": "\([0-9.]*\)".*/\1/p' "$1/$2/meta.json"
}

# ------------------------------------------------------------------ the locator against oracles

t test_go_pclntab_matches_go
test_go_pclntab_matches_go() {
	local d="Go function table (gotab) equals Go's debug/gosym (entry, end, name of every function) and go tool nm"
	go_need "$d" || return
	local b r=0 msg=""
	for b in go_agent go_agent_s go_agent_pie; do
		if ! { $GO_WL/gotab funcs $GO_WL/$b >"$TMP/gotab.$b" 2>"$TMP/gotab.$b.err" &&
			$GO_WL/gosym $GO_WL/$b >"$TMP/gosym.$b" 2>>"$TMP/gotab.$b.err" &&
			[ "$(wc -l <"$TMP/gotab.$b")" -gt 1000 ] && cmp -s "$TMP/gotab.$b" "$TMP/gosym.$b" &&
			grep -qx '[0-9a-f]* [0-9a-f]* crypto/tls\.(\*Conn)\.Read' "$TMP/gotab.$b"; }; then
			r=1
			msg="$msg $b: $(cat "$TMP/gotab.$b.err") $(diff "$TMP/gotab.$b" "$TMP/gosym.$b" | head -3)"
		fi
	done
	# the symbol table of the unstripped build, a source the function table is not made from
	$GO_TOOL tool nm -n $GO_WL/go_agent >"$TMP/gonm" 2>&1 || { r=1; msg="$msg go tool nm failed"; }
	/usr/bin/python3 - "$TMP/gotab.go_agent" "$TMP/gonm" >"$TMP/gocmp" 2>&1 <<'PY' || { r=1; msg="$msg nm: $(cat "$TMP/gocmp")"; }
import re, sys
def norm(n):
    # nm prints ABI0 assembly functions with ".abi0" and array lengths / generic shapes in full;
    # the table stores "[...]", and a middle dot where nm prints "."
    n = n[:-5] if n.endswith(".abi0") else n
    return re.sub(r"\[[^\]]*\]", "[...]", n.replace("\u00b7", "."))
ours = {}
for line in open(sys.argv[1], encoding="utf-8"):
    entry, end, name = line.rstrip("\n").split(" ", 2)
    ours[int(entry, 16)] = norm(name)
nm = {}
for line in open(sys.argv[2], encoding="utf-8"):
    f = line.split(None, 2)
    if len(f) == 3 and f[1] in "Tt":
        nm.setdefault(int(f[0], 16), set()).add(norm(f[2].strip()))
bad = [(hex(a), n) for a, n in ours.items() if n not in nm.get(a, ())]
# nm's text symbols that are no function of the table: only the end-of-text marker
extra = [(hex(a), sorted(ns)) for a, ns in nm.items() if a not in ours and ns != {"runtime.etext"}]
if bad or extra:
    print("%d functions, %d differ %s, %d only in nm %s" % (len(ours), len(bad), bad[:3], len(extra), extra[:3]))
    sys.exit(1)
PY
	check "$d" $r "$msg"
}

t test_go_decoder_matches_objdump
test_go_decoder_matches_objdump() {
	local d="x86-64 decoder: every instruction boundary of every Go function equals GNU objdump's"
	go_need "$d" || return
	local r=0 msg="" b
	for b in go_agent go_agent_s go_agent_pie; do
		local extra=()
		if ! { $GO_WL/gotab insns $GO_WL/$b >"$TMP/goins.$b" 2>/dev/null &&
			objdump -d --no-show-raw-insn -j .text $GO_WL/$b >"$TMP/goobj.$b" &&
			$GO_WL/gotab funcs $GO_WL/$b >"$TMP/gofn.$b" 2>/dev/null; }; then
			r=1
			msg="$msg $b: gotab or objdump failed"
			continue
		fi
		if [ $b = go_agent ]; then # go tool objdump needs the symbol table
			if ! { AGTRACE_CACHE_DIR="$TMP/gocache" $GO_WL/gotab locate $GO_WL/$b >"$TMP/goloc.$b" &&
				$GO_TOOL tool objdump -s '^crypto/tls\.\(\*Conn\)\.(Read|Write)$' $GO_WL/$b \
					>"$TMP/gotls.$b"; }; then
				r=1
				msg="$msg $b: gotab locate or go tool objdump failed"
				continue
			fi
			extra=("$TMP/goloc.$b" "$TMP/gotls.$b")
		fi
		/usr/bin/python3 tests/integration/go_decode_cmp.py "$TMP/goins.$b" "$TMP/goobj.$b" \
			"$TMP/gofn.$b" "${extra[@]}" >"$TMP/godec.$b" 2>&1 ||
			{ r=1; msg="$msg $b: $(cat "$TMP/godec.$b")"; }
	done
	check "$d" $r "$msg"
}

# A current Go release: esbuild's npm binary (Go 1.26, stripped, crypto/tls linked for its HTTPS
# serve mode; tests/go, npm ci by scripts/deps.sh). Go 1.26 leaves the header's textStart 0:
# the text start comes from the runtime's moduledata (its .go.module section). No Go 1.26
# toolchain here to read its table, so the oracle is GNU objdump: every function's instructions
# from the entry the table gives (a wrong text start misaligns them all), the RETs of Read and
# the instruction after Write's stack check.
t test_go_126_binary_located
test_go_126_binary_located() {
	local d="Go 1.26 binary (esbuild from npm): table read via moduledata, every boundary equals objdump's, probes exact"
	local e=tests/go/node_modules/@esbuild/linux-x64/bin/esbuild
	if [ ! -x $e ] || [ ! -x $GO_WL/gotab ]; then
		bad "$d" "$e or gotab missing: run scripts/deps.sh (npm ci in tests/go) and make"
		return
	fi
	strings -n 8 $e | grep -qx 'go1\.26\.[0-9]*' &&
		$GO_WL/gotab funcs $e >"$TMP/go126.fn" 2>"$TMP/go126.err" &&
		grep -q 'magic 0xfffffff1, [0-9]* functions' "$TMP/go126.err" &&
		$GO_WL/gotab insns $e >"$TMP/go126.ins" 2>/dev/null &&
		objdump -d --no-show-raw-insn -j .text $e >"$TMP/go126.obj" &&
		AGTRACE_CACHE_DIR="$TMP/gocache126" $GO_WL/gotab locate $e >"$TMP/go126.loc" &&
		grep -qx 'result 1' "$TMP/go126.loc" &&
		/usr/bin/python3 tests/integration/go_decode_cmp.py "$TMP/go126.ins" "$TMP/go126.obj" \
			"$TMP/go126.fn" "$TMP/go126.loc" gnu >"$TMP/go126.cmp" 2>&1
	check "$d" $? "$(cat "$TMP/go126.err" "$TMP/go126.loc" "$TMP/go126.cmp" 2>/dev/null | head -c 600)"
}

# ------------------------------------------------------------------ the agent under the tracer

t test_llm_go_h2_stripped
test_llm_go_h2_stripped() {
	local d="Go agent (stripped, static) over HTTP/2: tool call, tool result, SSE; bodies, tokens, no key"
	go_need "$d" || return
	llm_start goh2 || { bad "$d" "mock server did not start"; return; }
	go_agent_run c $GO_WL/go_agent_s && [ "$(go_version_of "$LT/log" 0001)" = 2 ]
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_go_h1_stripped
test_llm_go_h1_stripped() {
	local d="Go agent (stripped, static) over HTTP/1.1 (TLSNextProto empty): 3 exchanges exact"
	go_need "$d" || return
	llm_start goh1 || { bad "$d" "mock server did not start"; return; }
	go_agent_run c $GO_WL/go_agent_s -- -http1 && [ "$(go_version_of "$LT/log" 0001)" = 1.1 ]
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_go_plain_and_pie
test_llm_go_plain_and_pie() {
	local d="Go agent unstripped (cgo, dynamic) over HTTP/2 and stripped PIE over HTTP/1.1"
	go_need "$d" || return
	llm_start goplain || { bad "$d" "mock server did not start"; return; }
	go_agent_run c $GO_WL/go_agent
	local r=$? why
	why=$(llm_why c)
	llm_start gopie || { bad "$d" "mock server did not start"; return; }
	[ $r = 0 ] && go_agent_run p $GO_WL/go_agent_pie -- -http1
	check "$d" $? "$why $(llm_why p)"
	llm_stop
}

t test_llm_go_perf_uprobes
test_llm_go_perf_uprobes() {
	local d="Go agent with perf-event uprobes (AGTRACE_NO_UPROBE_MULTI=1, kernels 5.17-6.5): h2 and h1"
	go_need "$d" || return
	llm_start goperf2 || { bad "$d" "mock server did not start"; return; }
	go_agent_run c $GO_WL/go_agent_s AGTRACE_NO_UPROBE_MULTI=1 &&
		grep -q "Go TLS uprobes on .*perf uprobes+bpf_loop" "$LT/c.err"
	local r=$? why
	why=$(llm_why c)
	llm_start goperf1 || { bad "$d" "mock server did not start"; return; }
	[ $r = 0 ] && go_agent_run p $GO_WL/go_agent_s AGTRACE_NO_UPROBE_MULTI=1 -- -http1
	check "$d" $? "$why $(llm_why p)"
	llm_stop
}

# A Go binary whose table this tracer does not read (the magic of Go 1.16/1.17, of an unknown
# future layout) gets no probe and one reason (AGTRACE_DEBUG; it is kept for the coverage
# report). Such a patched copy cannot run (Go's runtime checks the magic too): the tracer looks
# at the command before starting it, which is what is tested.
t test_go_refuses_unknown_table
test_go_refuses_unknown_table() {
	local d="Go binaries with a Go 1.16/1.17 or an unknown function table: nothing attached, the reason said"
	go_need "$d" || return
	local r=0 msg="" m want
	for m in fa f7; do
		/usr/bin/python3 - $GO_WL/go_agent_s "$TMP/go_old_$m" $m <<'PY' || { r=1; msg="$msg patch failed"; }
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
shoff, = struct.unpack_from("<Q", b, 0x28)
shnum, shstrndx = struct.unpack_from("<HH", b, 0x3c)
sh = lambda i: struct.unpack_from("<IIQQQQIIQQ", b, shoff + 64 * i)
stroff = sh(shstrndx)[4]
for i in range(shnum):
    name = b[stroff + sh(i)[0]:].split(b"\0")[0]
    if name == b".gopclntab":
        b[sh(i)[4]] = int(sys.argv[3], 16)
open(sys.argv[2], "wb").write(b)
PY
		chmod +x "$TMP/go_old_$m"
		env AGTRACE_DEBUG=1 "$AGT" -q -o /dev/null -- "$TMP/go_old_$m" >/dev/null 2>"$TMP/go_old_$m.err"
		want="go_old_$m: Go crypto/tls not located (go1.19.8): Go 1.16/1.17 function table (only 1.18+ is read)"
		[ $m = f7 ] && want="go_old_$m: Go crypto/tls not located (go1.19.8): unknown Go function table (magic 0xfffffff7)"
		if [ "$(grep -cF "$want" "$TMP/go_old_$m.err")" != 1 ] ||
			grep -q "Go TLS uprobes" "$TMP/go_old_$m.err"; then
			r=1
			msg="$msg [$m: $(grep -i go "$TMP/go_old_$m.err" | head -3)]"
		fi
	done
	check "$d" $r "$msg"
}

t test_llm_go_big_bodies
test_llm_go_big_bodies() {
	local d="Go agent, 300 KB request and 150 KB answers (many TLS records, h2 flow control): exact"
	go_need "$d" || return
	llm_start gobig || { bad "$d" "mock server did not start"; return; }
	go_agent_run c $GO_WL/go_agent_s -- -big 300000 &&
		[ "$(stat -c %s "$LT/log/0001/request_body")" -gt 300000 ] &&
		[ "$(stat -c %s "$LT/log/0002/response_body")" -gt 150000 ]
	check "$d" $? "$(llm_why c)"
	llm_stop
}

t test_llm_go_tail_call_chain
test_llm_go_tail_call_chain() {
	local d="Go agent on the tail-call chain (AGTRACE_TLS_CHAIN=1, kernels 5.10-5.16): h2 and h1, 300 KB"
	go_need "$d" || return
	llm_start gochain2 || { bad "$d" "mock server did not start"; return; }
	go_agent_run c $GO_WL/go_agent_s AGTRACE_TLS_CHAIN=1 -- -big 300000 &&
		grep -q "Go TLS uprobes on .*perf uprobes+tail calls" "$LT/c.err"
	local r=$? why
	why=$(llm_why c)
	llm_start gochain1 || { bad "$d" "mock server did not start"; return; }
	[ $r = 0 ] && go_agent_run p $GO_WL/go_agent_s AGTRACE_TLS_CHAIN=1 -- -http1 -big 300000
	check "$d" $? "$why $(llm_why p)"
	llm_stop
}

# The coverage events (coverage_tests.sh's cov_* helpers): the Go agent's TLS is reported probed;
# a copy whose table names no (*Conn).Read (one letter changed: Go's runtime only prints names)
# runs as well, and is reported blind with the locator's reason, on stderr and as an event.
t test_go_coverage
test_go_coverage() {
	local d="coverage: the Go agent is reported probed (Go crypto/tls); one without (*Conn).Read blind, with the reason"
	go_need "$d" || return
	cov_start gocov "$d" || return
	local exe pid ev r=0 msg=""
	exe=$(readlink -f $GO_WL/go_agent_s)
	"$AGT" --json --http -o "$LT/c.jsonl" -- $GO_WL/go_agent_s -base "$LLM_BASE" -ca "$LLM_CA" \
		-key-file tests/llm/secret >"$LT/c.out" 2>"$LT/c.err"
	pid=$(cov_pid_of "$LT/c.jsonl" go_agent_s)
	ev=$(cov_events "$LT/c.jsonl")
	if [ "$ev" != "probed|$exe|Go crypto/tls|None|ClientHello|$pid" ] || grep -q 'cannot see' "$LT/c.err" ||
		[ "$(grep -c '"type":"llm_response"' "$LT/c.jsonl")" != 3 ]; then
		r=1
		msg="probed: events=[$ev] stderr: $(head -c 400 "$LT/c.err")"
	fi
	/usr/bin/python3 - $GO_WL/go_agent_s "$TMP/go_noread" <<'PY' || { r=1; msg="$msg patch failed"; }
import sys
b = open(sys.argv[1], "rb").read()
name = b"crypto/tls.(*Conn).Read\0"
assert b.count(name) == 1, b.count(name)
open(sys.argv[2], "wb").write(b.replace(name, b"crypto/tls.(*Conn).Reaq\0"))
PY
	chmod +x "$TMP/go_noread"
	"$AGT" --json -o "$LT/b.jsonl" -- "$TMP/go_noread" -base "$LLM_BASE" -ca "$LLM_CA" \
		-key-file tests/llm/secret >"$LT/b.out" 2>"$LT/b.err"
	pid=$(cov_pid_of "$LT/b.jsonl" go_noread)
	ev=$(cov_events "$LT/b.jsonl")
	local why="Go crypto/tls (go1.19.8): (*Conn).Read not found"
	if ! { grep -qx 'ok 3' "$LT/b.out" && [ "$ev" = "blind|$TMP/go_noread|Go crypto/tls|$why|ClientHello|$pid" ] &&
		grep -qxF "agtrace-bpf: pid $pid talks TLS the tracer cannot see: $TMP/go_noread: $why" "$LT/b.err"; }; then
		r=1
		msg="$msg blind: events=[$ev] stderr: $(head -c 400 "$LT/b.err")"
	fi
	check "$d" $r "$msg"
	llm_stop
}
