#!/bin/bash
# make bench-agent (and the last part of make bench): what tracing costs a real agent.
# One real CLI (default pi, a node agent whose calls the tracer reads today; AGENT=qwen,
# claude-node, gemini work too) does a multi-step tool task against tests/llm/mock_server.py
# --scenario shell:STEPS --latency-ms LAT (the model calls its shell tool STEPS times with a
# fixed LAT ms per call, then answers), N times untraced and N times under
# `agtrace-bpf --json --http -o FILE`, interleaved (the order rotates). Two wall times:
#   agent: from the CLI's exec to its exit, read by a wrapper shell inside the trace (so the
#          tracer is already attached: the steady-state cost, which published agent-tracer
#          figures measure), and
#   end to end: from starting agtrace-bpf to its exit (adds its start-up and teardown);
# traced twice: every syscall (--json --http) and only process events plus the LLM capture
# (-e trace=%process), what agent tracers that watch only TLS and exec do; and the CPU time
# (user+sys) of the whole run, the tracer's included.
# Every traced run is checked as make test-agents does (all calls seen, tokens exact).
# Prints medians and the overhead in percent.  Env: AGENT, N (5), STEPS (3), LAT (300).
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
AGT=${AGT:-$ROOT/agtrace-bpf}
PY=/usr/bin/python3
DIR=$ROOT/tests/agents
NM=$DIR/node_modules
KEY=$(cat tests/llm/secret)
AGENT=${AGENT:-pi}
N=${N:-5}
STEPS=${STEPS:-3}
LAT=${LAT:-300}
OUT=${BENCH_OUT:-/tmp/agtrace-bench-agent}
PROMPT="Run the shell command: echo agtrace-step-1, then the next steps. Then say done."

# shellcheck source=tests/agents/lib.sh
. "$DIR/lib.sh"
[ "$(id -u)" = 0 ] || die "must run as root (BPF)"
[ -x "$AGT" ] || die "$AGT missing: run make"
agents_install || exit 1

rm -rf "$OUT"
mkdir -p "$OUT/home" "$OUT/work"
CERT=$OUT/cert
CA=$CERT/cert.pem
mock_start "$OUT" --scenario "shell:$STEPS" --latency-ms "$LAT" || exit 1
trap mock_stop EXIT
agent_setup "$AGENT" "$OUT/home"
STACK="$STACK_PREFIX$(stack_of "$TLS_BIN")"

# run_once untraced|traced|process I: one run; appends "kind agent_ns e2e_ns user sys" to $OUT/times
run_once() {
	local kind=$1 i=$2 t0 t1 first
	first=$(($(find "$OUT/log" -mindepth 1 -maxdepth 1 | wc -l) + 1))
	# shellcheck disable=SC2016 # expanded by that shell
	local wrap=(/bin/sh -c 't0=$(date +%s%N); "$@" >/dev/null 2>&1 </dev/null; r=$?;
		echo $(($(date +%s%N) - t0)) >"$T"; exit $r' sh timeout 300 "${CMD[@]}")
	local trace=()
	case $kind in
	traced) trace=("$AGT" -q --json --http -o "$OUT/$kind$i.jsonl" --) ;;
	process) trace=("$AGT" -q --json --http -e trace=%process -o "$OUT/$kind$i.jsonl" --) ;;
	esac
	t0=$(date +%s%N)
	# `times` in the subshell: the CPU (user, sys) of everything it waited for: the CLI's tree,
	# and the tracer with the BPF time charged to the traced threads when traced
	# AGTRACE_STATS: the tracer's own consumer CPU and record count, on its stderr (the CLI's
	# output goes to /dev/null inside the wrapper)
	(cd "$OUT/work" && env -i "${ENVS[@]}" T="$OUT/t" AGTRACE_STATS=1 "${trace[@]}" "${wrap[@]}" \
		2>"$OUT/$kind$i.err" && times >"$OUT/cpu") || die "$AGENT exited $? ($kind run $i)"
	t1=$(date +%s%N)
	echo "$kind $(cat "$OUT/t") $((t1 - t0)) $(tail -1 "$OUT/cpu")" >>"$OUT/times"
	if [ "$kind" != untraced ]; then
		$PY tests/llm/check.py "$OUT/$kind$i.jsonl" "$OUT/log" --from "$first" --counts \
			--secret "$KEY" --authority "${BASE#https://}" >"$OUT/check-$kind$i" 2>&1 ||
			die "$kind run $i: the trace does not match the mock's log: $(grep -m1 FAIL "$OUT/check-$kind$i")"
	fi
}

echo "bench-agent: $AGENT $VERSION ($STACK), $STEPS tool steps, ${LAT} ms per model call, $N runs each" >&2
run_once untraced 0 # warm-up (page cache, the CLI's first-run files), not counted
: >"$OUT/times"
kinds=(untraced traced process)
for ((i = 1; i <= N; i++)); do
	for ((k = 0; k < ${#kinds[@]}; k++)); do # rotated: each kind goes first in turn
		run_once "${kinds[(i + k) % ${#kinds[@]}]}" "$i"
	done
done

$PY - "$OUT/times" "$AGENT $VERSION" "$STEPS" "$LAT" "$(grep -h '^counts:' "$OUT"/check-* | sort | uniq -c | tr -s ' ' | tr '\n' ';')" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
agent, steps, lat, counts = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
def ms(v):  # "123456789" ns, or `times`' "0m1.234s"
    if v.endswith("s"):
        m, _, sec = v[:-1].partition("m")
        return (int(m) * 60 + float(sec)) * 1000
    return int(v) / 1e6
for r in rows:  # column 3: CPU = user + sys
    r[3:] = [str(int((ms(r[3]) + ms(r[4])) * 1e6))]
def col(kind, k):
    return [ms(r[k]) for r in rows if r[0] == kind]
print("agent run, %s: %s tool steps, %s ms per model call (median of %d, min-max, ms)" % (
    agent, steps, lat, len(col("traced", 1))))
print("  %-32s %-20s %-20s %-20s %s" % ("", "agent wall", "end to end", "CPU", "overhead"))
med = lambda kind, k: statistics.median(col(kind, k))
for kind, name in (("untraced", "untraced"), ("traced", "--json --http (every syscall)"),
                   ("process", "--json --http -e trace=%process")):
    cells = ["%6.0f (%4.0f-%4.0f)" % (med(kind, k), min(col(kind, k)), max(col(kind, k)))
             for k in (1, 2, 3)]
    over = "" if kind == "untraced" else " / ".join(
        "%+.1f%%" % (100 * (med(kind, k) - med("untraced", k)) / med("untraced", k)) for k in (1, 2, 3))
    print("  %-32s %s  %s  %s  %s" % (name, cells[0], cells[1], cells[2], over))
import glob, json, os
for kind, name in (("traced", "every syscall"), ("process", "-e trace=%process")):
    st = []
    for f in glob.glob(os.path.join(os.path.dirname(sys.argv[1]), kind + "[0-9]*.err")):
        for line in open(f):
            if line.startswith('{"agtrace_stats"'):
                st.append(json.loads(line)["agtrace_stats"])
    if st:
        cpu = statistics.median([(x["cpu_user_s"] + x["cpu_sys_s"]) * 1000 for x in st])
        print("  tracer consumer CPU, %-18s %5.0f ms a run (median), %d records, %d lost" % (
            name + ":", cpu, statistics.median([x["records"] for x in st]), sum(x["lost"] for x in st)))
print("  (agent wall: the CLI's exec to exit, the tracer already attached; end to end: from\n"
      "   starting agtrace-bpf to its exit; CPU: user+sys of the CLI's tree plus the tracer's;\n"
      "   overhead: of the medians, in that order)")
print("  traced runs checked against the mock's log: %s" % counts.strip(" ;"))
EOF
