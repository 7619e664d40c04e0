#!/bin/bash
# make test-agents: the agent CLIs people run, from the npm registry at the versions pinned in
# tests/agents/package-lock.json, each run once non-interactively against
# tests/llm/mock_server.py --scenario shell:2 (the model calls the CLI's own shell tool with
# `echo agtrace-step-1`, then `echo agtrace-step-2`, then answers) under `agtrace-bpf --json --http`.  The oracle is the mock's
# log: tests/llm/check.py pairs every model call it logged with an llm_response of exactly its
# tokens and an http event of exactly its bodies, and finds the fake API key nowhere in the trace.
# One row per agent; a CLI whose TLS stack the tracer cannot read is a FAILING row ("not seen").
#
#   tests/agents/run.sh [AGENT...]     default: all (names: see AGENTS below)
#   env: AGENTS_OUT=DIR (kept: DIR/AGENT/{trace.jsonl,log/,agent.out,agent.err,check}),
#        AGENTS_TIMEOUT=S (per CLI, default 180), AGENTS_STEPS=N (tool steps, default 2),
#        AGT=path of agtrace-bpf
# Exit 0 only if every row passes.  Not part of `make test`: ~2 GB of CLIs, minutes of run time.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
AGT=${AGT:-$ROOT/agtrace-bpf}
PY=/usr/bin/python3
DIR=$ROOT/tests/agents
NM=$DIR/node_modules
OUT=${AGENTS_OUT:-/tmp/agtrace-agents}
TIMEOUT=${AGENTS_TIMEOUT:-180}
STEPS=${AGENTS_STEPS:-2}
KEY=$(cat tests/llm/secret)
AGENTS="claude-node claude-bun codex gemini copilot opencode qwen pi"
PROMPT="Run the shell command: echo agtrace-step-1. Then say done."

# shellcheck source=tests/agents/lib.sh
. "$DIR/lib.sh"

# method_of FILE ERRLOG: how the tracer reached the TLS functions of FILE, from its
# AGTRACE_DEBUG lines ("agtrace-bpf: TLS uprobes on PATH (mode)"): "symbols" when FILE exports
# SSL_write (found by name), "located" when the uprobes went on FILE without such a symbol
# (functions located by other means), "none" when nothing was attached to FILE.
method_of() {
	local f p real
	real=$(readlink -f "$1")
	while IFS= read -r p; do
		p=${p#agtrace-bpf: TLS uprobes on }
		p=${p%% (*}
		p=$(echo "$p" | sed -E 's#^/proc/[0-9]+/root##')
		if [ "$(readlink -f "$p" 2>/dev/null)" = "$real" ] || [ "$p" = "$real" ]; then
			f=located
			readelf -W --dyn-syms "$real" 2>/dev/null | grep -q ' SSL_write$' && f=symbols
			echo "$f"
			return
		fi
	done < <(grep -a '^agtrace-bpf: TLS uprobes on ' "$2")
	echo none
}

# run_agent NAME: one row.  Pass = the CLI exited 0, it ran the shell tool STEPS times (the mock
# logged a request carrying STEPS tool results, the trace shows STEPS tool commands exec'd),
# and check.py found every logged call in the trace
# (bodies, tokens) and the key nowhere.  Fail otherwise, with the first reason.
run_agent() {
	local a=$1 d=$OUT/$1 rc why counts logged seen steps execs method cov
	rm -rf "$d"
	mkdir -p "$d/home" "$d/work"
	mock_start "$d" --scenario "shell:$STEPS" || { rows+=("| $a | ? | ? | ? | ? | 0 | 0 | 0/0 | FAIL: mock did not start |") && return 1; }
	agent_setup "$a" "$d/home"
	echo "test-agents: $a $VERSION ..." >&2
	(cd "$d/work" && env -i "${ENVS[@]}" AGTRACE_DEBUG=1 "$AGT" --json --http -o "$d/trace.jsonl" \
		-- timeout "$TIMEOUT" "${CMD[@]}" </dev/null >"$d/agent.out" 2>"$d/agent.err")
	rc=$?
	mock_stop
	$PY tests/llm/check.py "$d/trace.jsonl" "$d/log" --counts --secret "$KEY" \
		--authority "${BASE#https://}" >"$d/check" 2>&1
	local crc=$?
	counts=$(grep -m1 '^counts:' "$d/check")
	logged=$(echo "$counts" | sed -E 's/.*logged=([0-9]+).*/\1/')
	seen=$(echo "$counts" | sed -E 's/.*seen=([0-9]+).*/\1/')
	steps=$(echo "$counts" | sed -E 's/.*steps=([0-9]+).*/\1/')
	method=$(method_of "$TLS_BIN" "$d/agent.err")
	STACK="$STACK_PREFIX$(stack_of "$TLS_BIN")"
	execs=$(tool_execs "$d/trace.jsonl" 2>/dev/null)
	cov=$(coverage_of "$d/trace.jsonl" 2>/dev/null)
	why=""
	if [ "$rc" != 0 ]; then
		why="exit $rc: $(grep -av '^agtrace-bpf:' "$d/agent.err" | tail -1 | cut -c1-80)"
	elif [ "${logged:-0}" = 0 ]; then
		why="no model call reached the mock"
	elif [ "${steps:-0}" != "$STEPS" ]; then
		why="${steps:-0} of $STEPS shell tool steps ran"
	elif [ "${execs:-0}" != "$STEPS" ]; then
		why="the trace shows ${execs:-0} of the $STEPS tool commands exec'd"
	elif [ "${seen:-0}" = 0 ]; then
		why="not seen"
	elif [ "$crc" != 0 ]; then
		why=$(grep -m1 'FAIL' "$d/check" | cut -c1-100)
	fi
	rows+=("| $a | $VERSION | $STACK | $method | ${cov:-?} | ${logged:-?} | ${seen:-?} | ${steps:-?}/${execs:-?} | ${why:+FAIL: }${why:-pass} |")
	[ -z "$why" ]
}

# coverage_of TRACE: what the tracer's own `coverage` events said of the processes that talked
# TLS: "probed: STACK" / "blind: WHY", distinct, in order ("-" when none was emitted).
coverage_of() {
	$PY - "$1" <<-'EOF'
		import json, sys
		seen = []
		for line in open(sys.argv[1], "rb"):
		    if b'"coverage"' not in line:
		        continue
		    e = json.loads(line)
		    if e.get("type") != "coverage":
		        continue
		    c = e["coverage"]
		    s = "%s: %s" % (c["status"], c["tls"] if c["status"] == "probed" else c["why"])
		    if s not in seen:
		        seen.append(s)
		print("; ".join(seen) or "-")
	EOF
}

# tool_execs TRACE: how many distinct `echo agtrace-step-K` tool commands the trace shows being
# exec'd (any process whose argv holds one, the CLI's own command line with the prompt aside):
# the syscall side's view of the tool loop.
tool_execs() {
	$PY - "$1" <<-'EOF'
		import json, re, sys
		steps = set()
		for line in open(sys.argv[1], "rb"):
		    if b'"exec"' not in line or b"agtrace-step-" not in line:
		        continue
		    e = json.loads(line)
		    argv = " ".join((e.get("process") or {}).get("argv") or [])
		    if e.get("type") == "process" and "Run the shell command" not in argv:
		        steps.update(re.findall(r"echo agtrace-step-(\d+)", argv))
		print(len(steps))
	EOF
}

print_table() {
	echo "| agent | version | binary / TLS stack | method | coverage events | requests logged | requests seen | tool steps run/traced | result |"
	echo "|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
}

[ "$(id -u)" = 0 ] || die "must run as root (BPF)"
[ -x "$AGT" ] || die "$AGT missing: run make"
command -v node >/dev/null || die "node missing: run scripts/deps.sh"
agents_install || exit 1

mkdir -p "$OUT"
CERT=$OUT/cert
CA=$CERT/cert.pem
TABLE=$OUT/table.md
fails=0
rows=()
# shellcheck disable=SC2086 # AGENTS is a word list
[ $# = 0 ] && set -- $AGENTS
for a in "$@"; do
	case " $AGENTS " in *" $a "*) ;; *) die "unknown agent $a (known: $AGENTS)" ;; esac
	run_agent "$a" || fails=$((fails + 1))
done
print_table >"$TABLE"
cat "$TABLE"
echo
echo "test-agents: $((${#rows[@]} - fails)) passed, $fails failed (details in $OUT/AGENT/)"
[ "$fails" = 0 ]
