#!/usr/bin/env bash
# make demo: trace a real tool-using agent (scripts/sample_agent.py) talking HTTPS to an
# OpenAI-compatible model (tests/llm/mock_server.py, started here, outside the trace), then
# record a run, look at it offline, and explain it (tree, blame, growth).
set -eu
cd "$(dirname "$0")/.."
AGT=./agtrace-bpf
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/agtrace-demo.XXXXXX)
"$PY" tests/llm/mock_server.py --port 0 --cert "$TMP/cert" --log "$TMP/log" --ready "$TMP/port" \
	>/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
AGENT=("$PY" scripts/sample_agent.py --base "https://127.0.0.1:$(cat "$TMP/port")" --ca "$TMP/cert/cert.pem")

echo "== live: processes, connects and LLM calls"
echo "\$ agtrace-bpf -e trace=%process,connect -- python3 scripts/sample_agent.py"
$AGT -e trace=%process,connect -- "${AGENT[@]}"

echo
echo "== summary of the syscalls, counted in the kernel"
echo "\$ agtrace-bpf -c -- python3 scripts/sample_agent.py"
$AGT -q -c -o "$TMP/c.txt" -- "${AGENT[@]}" >/dev/null
head -15 "$TMP/c.txt"

echo
echo "== record a run, then read it back"
echo "\$ agtrace-bpf record --output-dir $TMP/rec -- python3 scripts/sample_agent.py"
$AGT record --output-dir "$TMP/rec" -- "${AGENT[@]}" >/dev/null
REC=$(ls -d "$TMP"/rec/*)
echo "\$ agtrace-bpf records $TMP/rec"
$AGT records "$TMP/rec"
echo "\$ agtrace-bpf replay REC --summary"
$AGT replay "$REC" --summary
SNAPS=$(zstd -dcq "$REC/events.jsonl.zst" | grep '"type":"context_snapshot"' | sed 's/^{"seq_num":\([0-9]*\).*/\1/')
FIRST=$(echo "$SNAPS" | head -1)
LAST=$(echo "$SNAPS" | tail -1)
echo "\$ agtrace-bpf diff REC $FIRST $LAST"
$AGT diff "$REC" "$FIRST" "$LAST"
echo "\$ agtrace-bpf fork REC --at $LAST --drop-last 1 --as-request | head -12"
$AGT fork "$REC" --at "$LAST" --drop-last 1 --as-request | head -12

echo
echo "== explain the run: spans (agent -> LLM calls -> tools -> processes), blame, context growth"
echo "\$ agtrace-bpf tree REC"
$AGT tree "$REC"
echo "\$ agtrace-bpf blame REC"
$AGT blame "$REC"
echo "\$ agtrace-bpf growth REC"
$AGT growth "$REC"
