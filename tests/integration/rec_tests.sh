# shellcheck shell=bash
# Recording tests (issue 5: record, records, replay, diff, fork), sourced by
# tests/integration/run.sh after llm_tests.sh (uses t/ok/bad/check, $AGT, $WL, $TMP, and
# llm_start/llm_stop/$LLM_* for the LLM recording). Each test checks exact values against an
# independent oracle: the recording's own files read with python's zstandard/gzip/json
# (rec_events.py), /proc, stat, the workload's own counts and the mock model server's log.

REC_PY="env PYTHONPATH=$PWD/tests/integration /usr/bin/python3"

# rec_cat DIR: the recording's events decompressed by the codec's own tool (zstd, or zcat for a
# recording made before zstd); exits non-zero on a stream cut short, like they do.
rec_cat() {
	if [ -f "$1/events.jsonl.zst" ]; then
		zstd -dcq "$1/events.jsonl.zst"
	else
		zcat "$1/events.jsonl.gz"
	fi
}

# rec_new BASE [record args...]: `agtrace-bpf record --output-dir BASE ARGS` into a fresh BASE;
# sets REC (the one recording directory under BASE) and REC_RC; stderr in BASE.err.
rec_new() {
	local base=$1
	shift
	rm -rf "$base" "$base.err" "$base.out"
	$AGT record --output-dir "$base" "$@" >"$base.out" 2>"$base.err"
	REC_RC=$?
	REC=$(ls -d "$base"/*/ 2>/dev/null | head -1)
	REC=${REC%/}
	[ -n "$REC" ]
}

# The recording of `$WL getppid 1000` shared by several tests (made once).
REC_WL=""
rec_wl() {
	[ -n "$REC_WL" ] && [ -d "$REC_WL" ] && return 0
	rec_new "$TMP/rec-wl" -- $WL getppid 1000 || return 1
	REC_WL=$REC
	REC_WL_RC=$REC_RC
}

rec_key() { # metadata.json key
	$REC_PY -c 'import json,sys; v=json.load(open(sys.argv[1]+"/metadata.json"))[sys.argv[2]]; print("null" if v is None else v)' "$1" "$2"
}

# Kill a traced command left running after its tracer stopped (only if it is that command).
rec_reap() { # pid cmdline-substring
	[ -n "$1" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2" && kill "$1" 2>/dev/null
	true
}

# ----------------------------------------------------------------------------- record

t test_rec_workload_files
test_rec_workload_files() {
	local d="record -- workload getppid 1000: metadata fields/types, files, modes, 1000 getppid, spans"
	rec_wl || { bad "$d" "no recording: $(cat "$TMP/rec-wl.err")"; return; }
	$REC_PY - "$REC_WL" "$WL" "$(hostname)" "$(uname -r)" "$($AGT -V | awk '{print $2}')" \
		"$REC_WL_RC" "$TMP/rec-wl.err" "$TMP/rec-wl.out" >"$TMP/rec-wl.check" 2>&1 <<'PY'
import datetime, json, os, re, stat, sys
from rec_events import events_bytes
d, wl, host, kern, ver, rc, errf, outf = sys.argv[1:]
assert rc == "0", rc
assert open(outf).read().startswith("getppid 1000 elapsed_ns "), open(outf).read()
assert "recording completed: %s\n" % d in open(errf).read(), open(errf).read()
m = json.load(open(d + "/metadata.json"))
types = {"record_id": str, "pid": int, "intent": str, "start_time": str, "end_time": str,
         "event_count": int, "status": str, "lost_events": int, "trace_id": str,
         "hostname": str, "kernel": str, "agtrace_version": str}
for k, ty in types.items():
    assert k in m and type(m[k]) is ty, ("field", k, m.get(k))
rfc = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"
assert re.fullmatch(rfc, m["start_time"]) and re.fullmatch(rfc, m["end_time"]), m
t0 = datetime.datetime.fromisoformat(m["start_time"].replace("Z", "+00:00"))
t1 = datetime.datetime.fromisoformat(m["end_time"].replace("Z", "+00:00"))
assert datetime.timedelta(0) <= t1 - t0 < datetime.timedelta(seconds=10), (t0, t1)
assert m["status"] == "completed" and m["lost_events"] == 0, m
assert re.fullmatch(r"[0-9a-f]{32}", m["trace_id"]) and set(m["trace_id"]) != {"0"}, m
assert (m["hostname"], m["kernel"], m["agtrace_version"]) == (host, kern, ver), m
rid = os.path.basename(d)
mm = re.fullmatch(r"(\d+)-(\d{8})-(\d{6})", rid)
assert mm and rid == m["record_id"] and int(mm.group(1)) == m["pid"], (rid, m)
assert mm.group(2) + mm.group(3) == re.sub(r"[-:T]", "", m["start_time"][:19]), (rid, m)
assert stat.S_IMODE(os.stat(d).st_mode) == 0o700, oct(os.stat(d).st_mode)
assert sorted(os.listdir(d)) == ["events.jsonl.zst", "metadata.json", "spans.jsonl"], os.listdir(d)
for f in ("metadata.json", "events.jsonl.zst", "spans.jsonl"):
    assert stat.S_IMODE(os.stat(d + "/" + f).st_mode) == 0o600, (f, oct(os.stat(d + "/" + f).st_mode))
argv = [wl, "getppid", "1000"]
assert m["intent"] == " ".join(argv), m["intent"]

raw = events_bytes(d).decode()
assert raw.endswith("\n")
evs = [json.loads(l) for l in raw.split("\n")[:-1]]
assert len(evs) == m["event_count"], (len(evs), m["event_count"])
assert [e["seq_num"] for e in evs] == list(range(len(evs))), "seq_num not contiguous from 0"
assert not [e for e in evs if e["type"] == "lost"]
execs = [e for e in evs if e["type"] == "process" and e["process"]["event"] == "exec"]
assert len(execs) == 1 and execs[0]["pid"] == m["pid"] and execs[0]["process"]["argv"] == argv, execs
exits = [e for e in evs if e["type"] == "process" and e["process"]["event"] == "exit"]
assert len(exits) == 1 and exits[0]["pid"] == m["pid"] and exits[0]["process"]["exit_code"] == 0, exits
gp = [e for e in evs if e["type"] == "syscall" and e["syscall"]["syscall"] == "getppid"]
assert len(gp) == 1000 and {e["pid"] for e in gp} == {m["pid"]}, len(gp)
assert len({e["syscall"]["result"] for e in gp}) == 1

spans = [json.loads(l) for l in open(d + "/spans.jsonl")]
ps = [s for s in spans if s["kind"] == "process" and s["pid"] == m["pid"]]
assert len(ps) == 1, spans
s = ps[0]
nsys = sum(1 for e in evs if e["type"] == "syscall" and e["pid"] == m["pid"])
assert s["syscall_count"] == nsys, (s["syscall_count"], nsys)
assert s["status"] == "OK" and s["name"] == " ".join(argv) and s["parent_span_id"] is None, s
assert s["trace_id"] == m["trace_id"] and re.fullmatch(r"[0-9a-f]{32}", s["span_id"]), s
assert s["duration"] == s["end_time"] - s["start_time"] > 0, s
print("events %d, getppid 1000, syscalls of pid %d: %d" % (len(evs), m["pid"], nsys))
PY
	check "$d" $? "$(tail -5 "$TMP/rec-wl.check") (in $REC_WL)"
}

t test_rec_intent_and_error_span
test_rec_intent_and_error_span() {
	local d="record --intent TEXT -- sh -c 'exit 3': intent kept, exit 3 passed on, span ERROR"
	rec_new "$TMP/rec-int" --intent "fix the flaky test" -- sh -c 'exit 3' ||
		{ bad "$d" "no recording: $(cat "$TMP/rec-int.err")"; return; }
	$REC_PY - "$REC" <<'PY' >"$TMP/rec-int.check" 2>&1
import json, sys
from rec_events import events
d = sys.argv[1]
m = json.load(open(d + "/metadata.json"))
assert m["intent"] == "fix the flaky test" and m["status"] == "completed", m
evs = events(d)
ex = [e for e in evs if e["type"] == "process" and e["process"]["event"] == "exit" and e["pid"] == m["pid"]]
assert len(ex) == 1 and ex[0]["process"]["exit_code"] == 3, ex
s = [json.loads(l) for l in open(d + "/spans.jsonl")]
s = [x for x in s if x["kind"] == "process" and x["pid"] == m["pid"]]
assert len(s) == 1 and s[0]["status"] == "ERROR" and s[0]["name"] == "sh -c exit 3", s
nsys = sum(1 for e in evs if e["type"] == "syscall" and e["pid"] == m["pid"])
assert s[0]["syscall_count"] == nsys, (s[0]["syscall_count"], nsys)
PY
	local prc=$?
	[ "$REC_RC" = 3 ] && [ $prc = 0 ]
	check "$d" $? "rc=$REC_RC $(tail -3 "$TMP/rec-int.check")"
}

t test_rec_live_flag_same_events
test_rec_live_flag_same_events() {
	local d="-r on a live --json trace: the recording's events are the live lines, byte for byte"
	local base="$TMP/rec-live"
	rm -rf "$base"
	$AGT -q -r --json -o "$base.jsonl" --output-dir "$base" -- $WL getppid 500 >/dev/null 2>"$base.err"
	local rc=$? r n m
	r=$(ls -d "$base"/*/ 2>/dev/null | head -1)
	n=$(wc -l <"$base.jsonl")
	m=$(rec_key "$r" event_count 2>/dev/null)
	[ $rc = 0 ] && [ -n "$r" ] && rec_cat "$r" | cmp -s - "$base.jsonl" && [ "$n" = "$m" ] &&
		[ "$(grep -c '"syscall":"getppid"' "$base.jsonl")" = 500 ] && [ "$(rec_key "$r" status)" = completed ]
	check "$d" $? "rc=$rc lines=$n event_count=$m $(cat "$base.err")"
}

# A key on a command line (curl -H "Authorization: Bearer sk-...") is redacted in the events'
# exec argv; it must not reach disk through the other copies of the command line either: the
# intent in metadata.json (default: the command line) and the process span names in spans.jsonl.
t test_rec_no_key_in_cmdline_fields
test_rec_no_key_in_cmdline_fields() {
	local d="a key on the traced command line reaches no file of the recording (intent, span names, events)"
	local key
	key=$(cat tests/llm/secret)
	rec_new "$TMP/rec-key" -- sh -c "true 'Authorization: Bearer $key'; true $key" ||
		{ bad "$d" "no recording: $(cat "$TMP/rec-key.err")"; return; }
	local where=""
	grep -qF -- "$key" "$REC/metadata.json" && where="$where metadata.json"
	grep -qF -- "$key" "$REC/spans.jsonl" && where="$where spans.jsonl"
	rec_cat "$REC" | grep -qF -- "$key" && where="$where events.jsonl.zst"
	[ "$REC_RC" = 0 ] && [ -z "$where" ] && grep -qF '[REDACTED]' "$REC/metadata.json"
	check "$d" $? "rc=$REC_RC key found in:$where; intent: $(rec_key "$REC" intent)"
}

# The writer's queue is bounded (the ring-buffer consumer never waits for the disk): lines it
# has no room for are counted into lost_events and reported on stderr (issue 5), so that
# event_count + lost_events accounts for every sequence number. AGTRACE_REC_QUEUE shrinks it.
t test_rec_writer_drops_counted
test_rec_writer_drops_counted() {
	local d="a full recording queue (AGTRACE_REC_QUEUE=64K): drops in lost_events, every seq accounted, reported on stderr"
	local b="$TMP/rec-drop" n
	for n in 200000 1000000; do
		rm -rf "$b"
		AGTRACE_REC_QUEUE=65536 $AGT record --output-dir "$b" -- $WL getppid $n >/dev/null 2>"$b.err"
		REC=$(ls -d "$b"/*/ 2>/dev/null | head -1)
		[ -n "$REC" ] && [ "$(rec_key "$REC" lost_events)" != 0 ] && break
	done
	$REC_PY - "$REC" "$b.err" >"$b.check" 2>&1 <<'PY'
import json, re, sys
from rec_events import events
d, errf = sys.argv[1:]
m = json.load(open(d + "/metadata.json"))
evs = events(d)
lost = m["lost_events"]
assert lost > 0, "no drop happened: nothing checked"
assert len(evs) == m["event_count"], (len(evs), m["event_count"])
last = evs[-1]["seq_num"]
assert m["event_count"] + lost == last + 1, (m["event_count"], lost, last)
err = open(errf).read()
assert re.search(r"\b%d\b.*(lost|dropped|not recorded)|(lost|dropped|not recorded).*\b%d\b" % (lost, lost), err), \
    "lost_events %d not reported on stderr: %r" % (lost, err)
PY
	check "$d" $? "$(tail -2 "$b.check")"
}

# ----------------------------------------------------------------------------- records

t test_rec_records_list
test_rec_records_list() {
	local d="records DIR (text and --json): id, pid, events, lost, status, intent; newest first"
	local base="$TMP/rec-list" a b="" x
	rm -rf "$base" && mkdir -p "$base"
	$AGT record -q --output-dir "$base" -- $WL getppid 10 >/dev/null 2>&1
	a=$(ls "$base")
	$AGT record -q --output-dir "$base" --intent "second one" -- $WL getppid 20 >/dev/null 2>&1
	for x in "$base"/*; do [ "${x##*/}" != "$a" ] && b=${x##*/}; done
	$AGT records "$base" >"$base.txt" 2>"$base.err"
	local r1=$?
	$AGT records "$base" --json >"$base.json" 2>>"$base.err"
	local r2=$?
	AGTRACE_DIR="$base" $AGT records >"$base.env.txt" 2>>"$base.err"
	local r3=$?
	$REC_PY - "$base" "$a" "$b" <<'PY' >"$base.check" 2>&1
import datetime, json, re, sys
base, a, b = sys.argv[1:]
meta = {r: json.load(open("%s/%s/metadata.json" % (base, r))) for r in (a, b)}
assert meta[b]["start_time"] > meta[a]["start_time"], meta
lines = open(base + ".txt").read().split("\n")
assert lines[-1] == "" and len(lines) == 4, lines
assert lines[0].split() == ["ID", "PID", "START", "DURATION", "EVENTS", "LOST", "STATUS", "INTENT"], lines[0]
row = re.compile(r"(\S+) +(\d+) +(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) +(\d+\.\d{3}) s +(\d+) +(\d+) +(\S+) +(.*)")
def ts(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
for line, r in zip(lines[1:3], (b, a)):  # newest first
    mm = row.fullmatch(line)
    assert mm, line
    m = meta[r]
    dur = (ts(m["end_time"]) - ts(m["start_time"])).total_seconds()
    assert mm.groups() == (r, str(m["pid"]), m["start_time"][:19].replace("T", " "), "%.3f" % dur,
                           str(m["event_count"]), "0", "completed", m["intent"]), (line, m)
assert meta[b]["intent"] == "second one"
assert open(base + ".env.txt").read() == open(base + ".txt").read(), "AGTRACE_DIR listing differs"
j = json.load(open(base + ".json"))
assert [x["record_id"] for x in j] == [b, a], j
for x in j:
    m = meta[x["record_id"]]
    for k in ("record_id", "pid", "intent", "start_time", "end_time", "event_count", "lost_events",
              "status", "trace_id"):
        assert x[k] == m[k], (k, x[k], m[k])
    assert x["incomplete"] is False and x["path"] == "%s/%s" % (base, x["record_id"]), x
    dur = ts(m["end_time"]) - ts(m["start_time"])
    assert x["duration"] == dur // datetime.timedelta(microseconds=1) * 1000, (x["duration"], dur)
PY
	local prc=$?
	[ $r1 = 0 ] && [ $r2 = 0 ] && [ $r3 = 0 ] && [ ! -s "$base.err" ] && [ -n "$b" ] && [ $prc = 0 ]
	check "$d" $? "rc=$r1,$r2,$r3 $(cat "$base.err") $(tail -3 "$base.check") $(cat "$base.txt")"
}

# ----------------------------------------------------------------------------- replay

t test_rec_replay_goto_list
test_rec_replay_goto_list() {
	local d="replay --goto/--list/--next/--prev and stdin commands: exact lines, ► on the cursor, errors"
	rec_wl || { bad "$d" "no recording: $(cat "$TMP/rec-wl.err")"; return; }
	local R=$REC_WL o="$TMP/rec-rp" n last rc ok=0 why=""
	n=$(rec_key "$R" event_count)
	last=$((n - 1))
	# the oracle: lines built from the events in the file
	$REC_PY - "$R" >"$o.expect" 2>&1 <<'PY' || { ok=1; why="oracle: $(tail -2 "$o.expect")"; }
import json, sys
from rec_events import events
evs = events(sys.argv[1])
def t(ns):
    return "%d.%06d" % (ns // 10**9, ns % 10**9 // 1000)
def line(e):
    s = e["syscall"]
    assert s["syscall"] == "getppid", e
    return "#%d +%s [pid %d] getppid() = %d <%s>" % (e["seq_num"], t(e["timestamp"]), e["pid"], s["result"], t(s["duration"]))
out = [line(evs[500])] + ["%s %s" % ("►" if i == 500 else " ", line(evs[i])) for i in range(498, 503)]
out += ["EXEC #0 +%s [pid %d] exec %s" % (t(evs[0]["timestamp"]), evs[0]["pid"], evs[0]["process"]["filename"])]
print("\n".join(out))
PY
	$AGT replay "$R" --goto 500 --list 2 >"$o.1" 2>"$o.1e"
	rc=$?
	[ $rc = 0 ] && [ ! -s "$o.1e" ] && diff <(head -6 "$o.expect") "$o.1" >"$o.1d" ||
		{ ok=1; why="$why; --goto 500 --list 2 rc=$rc: $(head -c 600 "$o.1d") $(cat "$o.1e")"; }
	# by id under AGTRACE_DIR: the same
	AGTRACE_DIR=$(dirname "$R") $AGT replay "$(basename "$R")" --goto 500 --list 2 2>&1 | cmp -s - "$o.1" ||
		{ ok=1; why="$why; by record id under AGTRACE_DIR differs"; }
	# the cursor starts before the first event
	$AGT replay "$R" --next >"$o.2" 2>&1
	rc=$?
	local ex
	ex=$(sed -n 's/^EXEC //p' "$o.expect")
	[ $rc = 0 ] && [ "$(wc -l <"$o.2")" = 1 ] && grep -qxF "$ex [\"$WL\", \"getppid\", \"1000\"]" "$o.2" ||
		{ ok=1; why="$why; --next rc=$rc: $(cat "$o.2") want: $ex"; }
	$AGT replay "$R" --list 2 >"$o.3" 2>&1
	rc=$?
	[ $rc = 0 ] && [ "$(wc -l <"$o.3")" = 3 ] && [ "$(head -1 "$o.3")" = "► (before the first event)" ] &&
		[ "$(sed -n 2p "$o.3")" = "  ${ex#EXEC } [\"$WL\", \"getppid\", \"1000\"]" ] && grep -q '^  #1 ' <(sed -n 3p "$o.3") ||
		{ ok=1; why="$why; --list 2 at start: $(cat "$o.3")"; }
	# errors: one line, exit 1
	local e
	e=$($AGT replay "$R" --prev 2>&1)
	rc=$?
	[ $rc = 1 ] && [ "$e" = "agtrace-bpf: the cursor is before the first event" ] ||
		{ ok=1; why="$why; --prev at start rc=$rc [$e]"; }
	$AGT replay "$R" --goto $((n + 5)) >"$o.4" 2>"$o.4e"
	rc=$?
	[ $rc = 1 ] && [ ! -s "$o.4" ] && [ "$(cat "$o.4e")" = "agtrace-bpf: no event #$((n + 5)) (events #0..#$last)" ] ||
		{ ok=1; why="$why; goto missing rc=$rc [$(cat "$o.4" "$o.4e")]"; }
	e=$($AGT replay "$R" --goto $last --next 2>&1 >/dev/null)
	rc=$?
	[ $rc = 1 ] && [ "$e" = "agtrace-bpf: end of the recording ($n events)" ] ||
		{ ok=1; why="$why; next past the end rc=$rc [$e]"; }
	# commands from stdin (not a tty)
	printf 'g 500\nn\np\nn\nn\nl 1\nq\n' | $AGT replay "$R" >"$o.5" 2>&1
	rc=$?
	[ $rc = 0 ] && [ "$(sed -n 's/^\(► \|  \)\?#\([0-9]*\) .*/\2/p' "$o.5" | tr '\n' ' ')" = "500 501 500 501 502 501 502 503 " ] &&
		[ "$(grep -c '^► #502 ' "$o.5")" = 1 ] ||
		{ ok=1; why="$why; stdin g/n/p/l rc=$rc: $(cut -c1-20 "$o.5" | tr '\n' '|')"; }
	check "$d" $ok "$why"
}

# The text of a syscall whose buffer holds NUL bytes: the recording has them (\u0000), and the
# replay line must show them as the live trace does ("\177ELF\2\1\1\3\0\0\0..."), not stop at the
# first NUL.
t test_rec_replay_nul_buffer
test_rec_replay_nul_buffer() {
	local d="replay shows a read buffer past its first NUL byte, as the live trace does"
	local base="$TMP/rec-nul" r seq live got
	rm -rf "$base"
	$AGT -q -r --output-dir "$base" -o "$base.txt" -e trace=read -- $WL seq >/dev/null 2>&1
	r=$(ls -d "$base"/*/ 2>/dev/null | head -1)
	seq=$(rec_cat "$r" 2>/dev/null | $REC_PY -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    if e["type"] == "syscall" and e["syscall"]["syscall"] == "read" and "\0" in str(e["syscall"]["args"].get("buf")):
        print(e["seq_num"]); break')
	live=$(grep -m1 ' read(.*\\0' "$base.txt" | sed 's/^\[pid [0-9]*\] +[0-9.]* //; s/ <[0-9.]*>$//')
	got=$($AGT replay "$r" --goto "${seq:-x}" 2>&1 | sed 's/^#[0-9]* +[0-9.]* \[pid [0-9]*\] //; s/ <[0-9.]*>$//')
	[ -n "$seq" ] && [ -n "$live" ] && [ "$got" = "$live" ]
	check "$d" $? "event #$seq: live [$live] replay [$got]"
}

# ----------------------------------------------------------------------------- LLM: diff, fork

t test_rec_llm_diff_fork
test_rec_llm_diff_fork() {
	local d="LLM recording: snapshots/responses = server requests; diff counts; fork --as-request re-runs (200); no key on disk"
	if ! declare -F llm_start >/dev/null; then
		bad "$d" "llm_tests.sh must be sourced before rec_tests.sh"
		return
	fi
	llm_start rec || { bad "$d" "mock server did not start: $(cat "$LT/server.err")"; return; }
	local key2
	key2=$(sed -n 's/^API_KEY = "\([^"]*\)".*/\1/p' scripts/sample_agent.py)
	rec_new "$LT/rec" -- sh -c "$LLM_PY scripts/sample_agent.py --base $LLM_BASE --ca $LLM_CA &&
		$LLM_PY tests/llm/clients/py_tool_agent.py --base $LLM_BASE --ca $LLM_CA"
	local R=$REC rc=$REC_RC
	[ -n "$R" ] && [ "$rc" = 0 ] && [ -n "$key2" ] &&
		$REC_PY - "$AGT" "$R" "$LT/log" "$LLM_BASE" "$LLM_CA" "$LT" "$LLM_SECRET" "$key2" \
			>"$LT/rec.check" 2>&1 <<'PY'
import hashlib, json, os, stat, subprocess, sys
from rec_events import decompress, events
agt, R, logdir, base, ca, lt, secret, key2 = sys.argv[1:]
evs = events(R)
snaps = [e for e in evs if e["type"] == "context_snapshot"]
resps = [e for e in evs if e["type"] == "llm_response"]
logs = sorted(os.listdir(logdir))
metas = [json.load(open("%s/%s/meta.json" % (logdir, x))) for x in logs]
assert len(logs) == 8, logs  # sample_agent 5 + py_tool_agent 3 (one from its curl child)
assert len(snaps) == len(resps) == len(logs), (len(snaps), len(resps), len(logs))
got = [(r["llm"]["request_tokens"], r["llm"]["response_tokens"]) for r in resps]
want = [(m["usage"]["request_tokens"], m["usage"]["response_tokens"]) for m in metas]
assert got == want, (got, want)
# the keys were sent (so their absence at the end means something)
assert key2 in metas[0]["authorization"] and secret in metas[5]["authorization"], metas[0]

def run(*a, ok=True):
    p = subprocess.run([agt] + [str(x) for x in a], capture_output=True, text=True)
    assert (p.returncode == 0) == ok, (a, p.returncode, p.stderr)
    return p.stdout

def key(m):
    return json.dumps(m, sort_keys=True)

def lcs(a, b):
    a, b = [key(x) for x in a], [key(x) for x in b]
    L = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            L[i][j] = L[i + 1][j + 1] + 1 if a[i] == b[j] else max(L[i + 1][j], L[i][j + 1])
    return L[0][0]

agent = [s for s in snaps if s["context"]["model"] == "mock-agent-1"]
assert len(agent) == 5 and len({s["pid"] for s in agent}) == 1, [s["context"]["model"] for s in snaps]
S = [s["seq_num"] for s in agent]
M = [s["context"]["messages"] for s in agent]
sp = agent[0]["context"]["system_prompt"]
sha = hashlib.sha256(sp.encode()).hexdigest()
tok = [m["usage"]["request_tokens"] for m in metas]

def check_diff(s1, s2, i1, i2, snap2=None, tok2=None):
    m1, m2 = M[i1], (snap2 or agent[i2])["context"]["messages"]
    j = json.loads(run("diff", R, s1, s2, "--json"))
    L = lcs(m1, m2)
    assert j["from_seq_num"] == S[i1] and j["to_seq_num"] == (snap2 or agent[i2])["seq_num"], j
    mm = j["messages"]
    assert (mm["from_count"], mm["to_count"]) == (len(m1), len(m2)), mm
    assert (len(mm["added"]), len(mm["removed"])) == (len(m2) - L, len(m1) - L), (mm, L)
    td = j["token_delta"]
    t2 = tok2 if tok2 is not None else tok[i2]
    assert (td["from_tokens"], td["to_tokens"], td["delta"]) == (tok[i1], t2, t2 - tok[i1]), td
    return j, len(m1), len(m2), L

# first to last step of the agent; between snapshots (nearest at or before); reversed
j, a, b, L = check_diff(S[0], S[4], 0, 4)
assert j["system_prompt"]["changed"] is False and j["system_prompt"]["from_hash"] == sha, j["system_prompt"]
assert j["system_prompt"]["from_chars"] == len(sp)
assert (a, b, L) == (1, 9, 1), (a, b, L)
check_diff(S[1] + 1, S[3] + 2, 1, 3)
j, a, b, L = check_diff(S[4], S[0], 4, 0)
assert len(j["messages"]["removed"]) == 8 and not j["messages"]["added"], j["messages"]
# to another agent's conversation: system prompt changed, nothing in common
other = [s for s in snaps if s["context"]["model"] != "mock-agent-1" and s["pid"] != agent[0]["pid"]][0]
oi = snaps.index(other)
j, a, b, L = check_diff(S[4], other["seq_num"], 4, None, snap2=other, tok2=tok[oi])
osp = other["context"]["system_prompt"]
assert j["system_prompt"]["changed"] is True and j["system_prompt"]["to_hash"] == hashlib.sha256(osp.encode()).hexdigest()
assert L == 0
# text form
txt = run("diff", R, S[0], S[4]).split("\n")
assert "system prompt: unchanged (sha256 %s, %d chars)" % (sha[:12], len(sp)) in txt, txt
assert "messages: 1 → 9 (+8 added, -0 removed)" in txt, txt

# fork at a step between snapshots 3 and 4: ForkContext, each edit
at = S[2] + 1
argv = [e for e in evs if e["type"] == "process" and e["process"]["event"] == "exec" and e["pid"] == agent[0]["pid"]][-1]["process"]["argv"]
fc = json.loads(run("fork", R, "--at", at))
assert (fc["seq_num"], fc["snapshot_seq_num"], fc["original_pid"]) == (at, S[2], agent[0]["pid"]), fc
assert fc["intent"] == " ".join(argv) and fc["system_prompt"] == sp and fc["messages"] == M[2], fc
assert (fc["model"], fc["api"]) == ("mock-agent-1", "openai.chat"), fc
open(lt + "/sys.txt", "w").write("You are terse.")
assert json.loads(run("fork", R, "--at", at, "--system", lt + "/sys.txt"))["system_prompt"] == "You are terse."
assert json.loads(run("fork", R, "--at", at, "--drop-last", 2))["messages"] == M[2][:-2]
rl = json.loads(run("fork", R, "--at", at, "--replace-last", "REPLACED"))["messages"]
assert rl[:-1] == M[2][:-1] and (rl[-1]["role"], rl[-1]["content"]) == (M[2][-1]["role"], "REPLACED"), rl[-1]
ap = json.loads(run("fork", R, "--at", at, "--append", "user:Try the other host"))["messages"]
assert ap == M[2] + [{"role": "user", "content": "Try the other host"}], ap[-1]
run("fork", R, "--at", S[0] - 1, ok=False)  # no snapshot before the first

# --as-request: the logged request of that step + the edit, ready to POST
F = lt + "/fork.json"
run("fork", R, "--at", at, "--append", "user:Try the other host", "--as-request", "-o", F)
assert stat.S_IMODE(os.stat(F).st_mode) == 0o600, oct(os.stat(F).st_mode)
req = json.load(open(F))
logged = json.load(open("%s/%s/request_body" % (logdir, logs[2])))
def norm(m):
    return (m["role"], m.get("content") or "", m.get("tool_call_id"),
            [(c["id"], c.get("function", c).get("name"), c.get("function", c).get("arguments")) for c in m.get("tool_calls") or []])
assert req["model"] == logged["model"] == "mock-agent-1", req["model"]
want = [norm(m) for m in logged["messages"]] + [("user", "Try the other host", None, [])]
assert [norm(m) for m in req["messages"]] == want, ([norm(m) for m in req["messages"]], want)
assert [norm(m)[:2] for m in req["messages"]] == [("system", sp)] + [norm(m)[:2] for m in M[2]] + [("user", "Try the other host")]
p = subprocess.run(["curl", "-sS", "--http1.1", "--cacert", ca, "-o", lt + "/fork.resp", "-w", "%{http_code}",
                    "-H", "Authorization: Bearer " + secret, "-H", "Content-Type: application/json",
                    "--data-binary", "@" + F, base + "/v1/chat/completions"], capture_output=True, text=True)
assert p.stdout == "200", (p.stdout, p.stderr)
assert json.load(open(lt + "/fork.resp"))["choices"][0]["message"]["content"].startswith("Mock")
logs2 = sorted(os.listdir(logdir))
assert len(logs2) == 9 and open("%s/%s/request_body" % (logdir, logs2[8]), "rb").read() == open(F, "rb").read()
print("snapshots %s, diff 1→9 messages, fork of #%d posted: 200" % (S, at))
# the keys are nowhere in the recording (events decompressed)
for f in sorted(os.listdir(R)):
    data = open(R + "/" + f, "rb").read()
    if f.startswith("events."):
        data = decompress(f, data)
    for k in (secret, key2):
        assert k.encode() not in data, ("API key in", f, data[max(0, data.find(k.encode()) - 300):data.find(k.encode())].decode(errors="replace"))
PY
	check "$d" $? "rc=$rc $(tail -4 "$LT/rec.check" 2>/dev/null) $(tail -c 400 "$LT/rec.err") (in $LT)"
	llm_stop
}

# fork --as-request of a Gemini step: the recorded contents (functionCall, functionResponse) come
# back as the agent sent them, with its systemInstruction, tools and generationConfig; posted to
# the mock's :generateContent it gets a 200 text answer. The span tree holds the tool run.
t test_rec_gemini_fork
test_rec_gemini_fork() {
	local d="Gemini recording (@google/genai): fork --as-request of step 2 equals the logged request, re-runs (200); no key on disk"
	llm_need_node "$d" || return
	llm_start recgem || { bad "$d" "mock server did not start: $(cat "$LT/server.err")"; return; }
	rec_new "$LT/rec" -- env NODE_EXTRA_CA_CERTS="$LLM_CA" /usr/bin/node tests/llm/clients/node_genai.mjs \
		--base "$LLM_BASE" --ca "$LLM_CA"
	local R=$REC rc=$REC_RC
	[ -n "$R" ] && [ "$rc" = 0 ] &&
		$REC_PY - "$AGT" "$R" "$LT/log" "$LLM_BASE" "$LLM_CA" "$LT" "$LLM_SECRET" \
			>"$LT/rec.check" 2>&1 <<'PY'
import json, os, subprocess, sys
from rec_events import decompress, events
agt, R, logdir, base, ca, lt, secret = sys.argv[1:]
snaps = [e for e in events(R) if e["type"] == "context_snapshot"]
assert [s["context"]["api"] for s in snaps] == ["gemini.generate"] * 2, snaps
F = lt + "/fork.json"
p = subprocess.run([agt, "fork", R, "--at", str(snaps[1]["seq_num"]), "--as-request", "-o", F],
                   capture_output=True, text=True)
assert p.returncode == 0, p.stderr
req = json.load(open(F))
logged = json.load(open(logdir + "/0002/request_body"))
assert "model" not in req and req["contents"] == logged["contents"], (req["contents"], logged["contents"])
assert req["systemInstruction"]["parts"] == logged["systemInstruction"]["parts"], req
assert req["tools"] == logged["tools"] and req["generationConfig"] == logged["generationConfig"], req
p = subprocess.run(["curl", "-sS", "--cacert", ca, "-o", lt + "/fork.resp", "-w", "%{http_code}",
                    "-H", "x-goog-api-key: " + secret, "-H", "Content-Type: application/json",
                    "--data-binary", "@" + F, base + "/v1beta/models/gemini-mock-1:generateContent"],
                   capture_output=True, text=True)
assert p.stdout == "200", (p.stdout, p.stderr)
parts = json.load(open(lt + "/fork.resp"))["candidates"][0]["content"]["parts"]
assert parts[0]["text"].startswith("Mock answer"), parts
# the name standing in for Gemini's missing call ids links the call, its tool run and its result
tree = subprocess.run([agt, "tree", R], capture_output=True, text=True).stdout.split("\n")
names = [l.lstrip("│├└─ ").split("  ")[0] for l in tree[2:] if l.strip()]
assert names == ["llm gemini-mock-1", "execute_tool run_shell", "sh -c echo hi", "llm gemini-mock-1"], tree
# the key (sent as x-goog-api-key) is nowhere in the recording
for f in sorted(os.listdir(R)):
    data = open(R + "/" + f, "rb").read()
    data = decompress(f, data) if f.startswith("events.") else data
    assert secret.encode() not in data, ("API key in", f)
print("fork of #%d posted: 200" % snaps[1]["seq_num"])
PY
	check "$d" $? "rc=$rc $(head -c 1500 "$LT/rec.check" 2>/dev/null) $(tail -c 400 "$LT/rec.err" 2>/dev/null)"
	llm_stop
}

# ----------------------------------------------------------------------------- status

t test_rec_status_transitions
test_rec_status_transitions() {
	local d="status: recording while running, stopped on SIGINT/SIGTERM/-d, completed when the target exits (-p too)"
	local b="$TMP/rec-st" ok=0 why="" x
	rm -rf "$b" && mkdir -p "$b"
	rm -f "$b/go"
	$WL wait "$b/go" 100 >"$b/wait.out" &
	local wpid=$!
	for _ in $(seq $((100 * TS))); do grep -q ready "$b/wait.out" 2>/dev/null && break; sleep 0.02; done
	# the commands must outlive four tracers' start-up, ~10x slower in emulated guests
	$AGT record --output-dir "$b/int" -- $WL sleep $((3 * TS)) >/dev/null 2>"$b/int.err" &
	local a1=$!
	$AGT record --output-dir "$b/term" -- $WL sleep $((3 * TS)) >/dev/null 2>"$b/term.err" &
	local a2=$!
	$AGT record -d 1 --output-dir "$b/dur" -- $WL sleep $((3 * TS)) >/dev/null 2>"$b/dur.err" &
	local a3=$!
	$AGT record --output-dir "$b/pid" -p $wpid >/dev/null 2>"$b/pid.err" &
	local a4=$!
	for _ in $(seq $((150 * TS))); do
		grep -q tracing "$b/int.err" 2>/dev/null && grep -q tracing "$b/term.err" 2>/dev/null &&
			grep -q attached "$b/pid.err" 2>/dev/null && break
		sleep 0.02
	done
	touch "$b/go"
	sleep 1.3 # > one flush period
	local mid n
	mid=$(cat "$b"/int/*/metadata.json 2>/dev/null)
	n=$(rec_cat "$(echo "$b"/int/*)" 2>/dev/null | wc -l)
	kill -INT $a1
	kill -TERM $a2
	wait $a1
	local r1=$?
	wait $a2
	local r2=$?
	wait $a3
	wait $wpid
	wait $a4
	local r4=$?
	$REC_PY - "$b" "$mid" "$n" "$wpid" "$WL" <<'PY' >"$b/check" 2>&1 || { ok=1; why="$(tail -3 "$b/check")"; }
import glob, json, sys
from rec_events import events
b, mid, n, wpid, wl = sys.argv[1:]
mid = json.loads(mid)
assert mid["status"] == "recording" and mid["end_time"] is None, mid
assert mid["event_count"] == int(n) > 0, (mid["event_count"], n)  # the events so far, flushed
def rec(name):
    d = glob.glob(b + "/" + name + "/*")
    assert len(d) == 1, d
    m = json.load(open(d[0] + "/metadata.json"))
    evs = events(d[0])
    assert len(evs) == m["event_count"] and isinstance(m["end_time"], str), (name, m, len(evs))
    spans = [json.loads(l) for l in open(d[0] + "/spans.jsonl")]
    return m, evs, spans
for name in ("int", "term", "dur"):
    m, evs, spans = rec(name)
    assert m["status"] == "stopped", (name, m)
    print(name, m["pid"])
m, evs, spans = rec("dur")
s = [x for x in spans if x["pid"] == m["pid"]]
assert len(s) == 1 and s[0]["status"] == "TIMEOUT", s
m, evs, spans = rec("pid")
assert m["status"] == "completed" and m["pid"] == int(wpid) and m["record_id"].startswith(wpid + "-"), m
assert m["intent"] == "%s wait %s/go 100" % (wl, b), m["intent"]
gp = [e for e in evs if e["type"] == "syscall" and e["syscall"]["syscall"] == "getppid"]
assert len(gp) == 100, len(gp)
PY
	for x in $(awk '$1 == "int" || $1 == "term" || $1 == "dur" { print $2 }' "$b/check"); do rec_reap "$x" "$WL sleep $((3 * TS))"; done
	[ $r1 = 130 ] && [ $r2 = 143 ] && [ $r4 = 0 ] || { ok=1; why="$why rc int=$r1 term=$r2 -p=$r4"; }
	check "$d" $ok "$why"
}

# ----------------------------------------------------------------------------- crash safety

t test_rec_sigkill
test_rec_sigkill() {
	local d="SIGKILL mid-recording: status recording, records says incomplete, replay warns, all flushed events readable"
	local b="$TMP/rec-kill" ok=0 why=""
	rm -rf "$b" "$b.err"
	$AGT record --output-dir "$b" -- $REC_PY -c 'import os, time
for _ in range(4000):
    os.getppid(); time.sleep(0.001)' >/dev/null 2>"$b.err" &
	local a=$!
	for _ in $(seq $((150 * TS))); do grep -q tracing "$b.err" 2>/dev/null && break; sleep 0.02; done
	sleep 2.5
	kill -KILL $a
	wait $a 2>/dev/null
	local R
	R=$(ls -d "$b"/*/ 2>/dev/null | head -1)
	R=${R%/}
	rec_reap "$(rec_key "$R" pid 2>/dev/null)" "os.getppid"
	# zstd: every flush ends a frame, so the file may well be whole (rc 0) or end mid-frame
	rec_cat "$R" >"$b.events" 2>"$b.zerr"
	$AGT records "$b" >"$b.list" 2>&1
	local r1=$?
	$AGT records "$b" --json >"$b.json" 2>&1
	local r2=$?
	$AGT replay "$R" --summary >"$b.sum" 2>"$b.sumerr"
	local r3=$?
	$REC_PY - "$R" "$b" <<'PY' >"$b.check" 2>&1 || { ok=1; why="$(tail -3 "$b.check")"; }
import json, sys
R, b = sys.argv[1:]
m = json.load(open(R + "/metadata.json"))
assert m["status"] == "recording" and m["end_time"] is None, m
lines = open(b + ".events").read().split("\n")
complete = [json.loads(l) for l in lines[:-1]]  # every complete line parses
assert [e["seq_num"] for e in complete] == list(range(len(complete))), "seq gap"
# nothing flushed was lost: at least what the last metadata counted, and >= 1 s of the run
assert len(complete) >= m["event_count"] > 0, (len(complete), m["event_count"])
assert complete[-1]["timestamp"] >= 1000000000, complete[-1]["timestamp"]
row = open(b + ".list").read().split("\n")[1].split()
assert row[0] == m["record_id"] and "incomplete" in row, row
j = json.load(open(b + ".json"))
assert len(j) == 1 and j[0]["incomplete"] is True and j[0]["status"] == "recording", j
s = open(b + ".sum").read()
assert "\nevents     %d " % len(complete) in s and "incomplete" in s, s
err = open(b + ".sumerr").read()
assert "warning" in err and "incomplete" in err, err
print("readable %d >= event_count %d" % (len(complete), m["event_count"]))
PY
	[ $r1 = 0 ] && [ $r2 = 0 ] && [ $r3 = 0 ] || { ok=1; why="$why records=$r1,$r2 replay=$r3"; }
	check "$d" $ok "$why $(head -c 300 "$b.sumerr")"
}

# ----------------------------------------------------------------------------- bad input

t test_rec_bad_input
test_rec_bad_input() {
	local d="bad input: unknown id, garbage/corrupt/truncated events, truncated metadata, bad SEQ: one line, exit 1, no crash"
	rec_wl || { bad "$d" "no recording: $(cat "$TMP/rec-wl.err")"; return; }
	local b="$TMP/rec-bad" ok=0 why="" e rc
	rm -rf "$b" && mkdir -p "$b/empty"
	# expect RC REGEX CMD...: exit RC, stdout empty, stderr exactly one line matching REGEX
	expect() {
		local want=$1 re=$2
		shift 2
		"$@" >"$b/o" 2>"$b/e"
		rc=$?
		if [ $rc != "$want" ] || [ -s "$b/o" ] || [ "$(wc -l <"$b/e")" != 1 ] || ! grep -qE -- "$re" "$b/e"; then
			ok=1
			why="$why; [${*:2}] rc=$rc out=$(head -c 100 "$b/o") err=$(head -c 200 "$b/e")"
		fi
	}
	expect 1 "^agtrace-bpf: no recording \"no-such-id\" under $b/empty\$" env AGTRACE_DIR="$b/empty" $AGT replay no-such-id --summary
	expect 1 "^agtrace-bpf: no recording \"no-such-id\"" env AGTRACE_DIR="$b/empty" $AGT diff no-such-id 1 2
	expect 1 "^agtrace-bpf: no recording \"no-such-id\"" env AGTRACE_DIR="$b/empty" $AGT fork no-such-id --at 1
	expect 1 "\"x\" is not a sequence number\$" $AGT diff "$REC_WL" x 3
	expect 1 "\"5x\" is not a sequence number\$" $AGT replay "$REC_WL" --goto 5x
	expect 1 "not a sequence number" $AGT fork "$REC_WL" --at -3
	expect 1 "^agtrace-bpf: $REC_WL: no context snapshot at or before #3\$" $AGT diff "$REC_WL" 3 4
	# garbage events (fixed random bytes, no magic): the file named, not of its codec; the same
	# for a recording from before zstd (events.jsonl.gz)
	cp -r "$REC_WL" "$b/g"
	$REC_PY -c 'import random, sys; random.seed(5); sys.stdout.buffer.write(bytes([0x41]) + random.randbytes(4000))' >"$b/g/events.jsonl.zst"
	expect 1 "^agtrace-bpf: $b/g/events.jsonl.zst: not zstd data$" $AGT replay "$b/g" --summary
	mv "$b/g/events.jsonl.zst" "$b/g/events.jsonl.gz"
	expect 1 "^agtrace-bpf: $b/g/events.jsonl.gz: not gzip data$" $AGT replay "$b/g" --summary
	# valid zstd and valid gzip, line 3 cut in the middle
	cp -r "$REC_WL" "$b/l"
	rec_cat "$REC_WL" | sed '3s/.\{20\}$//' | zstd -q >"$b/l/events.jsonl.zst"
	expect 1 "^agtrace-bpf: $b/l/events.jsonl.zst:3: not valid JSON\$" $AGT replay "$b/l" --goto 1
	rec_cat "$REC_WL" | sed '3s/.\{20\}$//' | gzip >"$b/l/events.jsonl.gz" && rm "$b/l/events.jsonl.zst"
	expect 1 "^agtrace-bpf: $b/l/events.jsonl.gz:3: not valid JSON\$" $AGT replay "$b/l" --goto 1
	# a codec's header then garbage: no crash, the file named (warning and nothing read, or an error)
	cp -r "$REC_WL" "$b/z"
	$REC_PY -c 'import random, sys; random.seed(7); sys.stdout.buffer.write(b"\x28\xb5\x2f\xfd" + random.randbytes(3000))' >"$b/z/events.jsonl.zst"
	$AGT replay "$b/z" --summary >"$b/o" 2>"$b/e"
	rc=$?
	[ $rc -lt 128 ] && grep -q "$b/z/events.jsonl.zst" "$b/e" || { ok=1; why="$why; zstd garbage rc=$rc $(cat "$b/e")"; }
	rm "$b/z/events.jsonl.zst"
	$REC_PY -c 'import random, sys; random.seed(7); sys.stdout.buffer.write(b"\x1f\x8b\x08\x00" + random.randbytes(3000))' >"$b/z/events.jsonl.gz"
	$AGT replay "$b/z" --summary >"$b/o" 2>"$b/e"
	rc=$?
	[ $rc -lt 128 ] && grep -q "$b/z/events.jsonl.gz" "$b/e" || { ok=1; why="$why; gzip garbage rc=$rc $(cat "$b/e")"; }
	# a completed recording cut in half: no crash, the file named
	cp -r "$REC_WL" "$b/h"
	head -c $(($(stat -c %s "$REC_WL/events.jsonl.zst") / 2)) "$REC_WL/events.jsonl.zst" >"$b/h/events.jsonl.zst"
	$AGT replay "$b/h" --summary >"$b/o" 2>"$b/e"
	rc=$?
	[ $rc -lt 128 ] && grep -q "$b/h/events.jsonl.zst" "$b/e" || { ok=1; why="$why; half zstd rc=$rc $(cat "$b/e")"; }
	# metadata.json truncated: every reader names it; records warns and skips it
	cp -r "$REC_WL" "$b/m"
	head -c 100 "$REC_WL/metadata.json" >"$b/m/metadata.json"
	expect 1 "^agtrace-bpf: $b/m/metadata.json: " $AGT replay "$b/m" --summary
	expect 1 "^agtrace-bpf: $b/m/metadata.json: " $AGT diff "$b/m" 1 2
	expect 1 "^agtrace-bpf: $b/m/metadata.json: " $AGT fork "$b/m" --at 2
	mkdir -p "$b/only" && mv "$b/m" "$b/only/m"
	e=$($AGT records "$b/only" 2>&1 >/dev/null)
	rc=$?
	[ $rc -lt 128 ] && echo "$e" | grep -q "$b/only/m/metadata.json" || { ok=1; why="$why; records rc=$rc [$e]"; }
	# events file missing
	cp -r "$REC_WL" "$b/n" && rm "$b/n/events.jsonl.zst"
	expect 1 "^agtrace-bpf: $b/n/events.jsonl.zst: No such file or directory\$" $AGT replay "$b/n" --summary
	unset -f expect
	check "$d" $ok "$why"
}

# A recording made before zstd (events.jsonl.gz, gzip members) reads as it always did: the same
# recording with its events re-compressed by gzip replays and lists exactly like the
# zstd original, and a gzip stream cut short is read up to the cut with a warning.
t test_rec_old_gzip_recording
test_rec_old_gzip_recording() {
	local d="an events.jsonl.gz recording (before zstd) reads like its zstd original; cut short: a warning"
	rec_wl || { bad "$d" "no recording: $(cat "$TMP/rec-wl.err")"; return; }
	local b="$TMP/rec-old" ok=0 why="" want
	rm -rf "$b" && mkdir -p "$b"
	cp -r "$REC_WL" "$b/old"
	rec_cat "$REC_WL" | gzip -1 >"$b/old/events.jsonl.gz" && rm "$b/old/events.jsonl.zst"
	for cmd in "--summary" "--goto 500 --list 3" "--goto 1 --list 2"; do
		# shellcheck disable=SC2086
		want=$($AGT replay "$REC_WL" $cmd 2>&1)
		# shellcheck disable=SC2086
		[ "$($AGT replay "$b/old" $cmd 2>&1 | sed "s|$b/old|$REC_WL|g")" = "$want" ] ||
			{ ok=1; why="$why; replay $cmd differs"; }
	done
	head -c $(($(stat -c %s "$b/old/events.jsonl.gz") * 2 / 3)) "$b/old/events.jsonl.gz" >"$b/cut.gz"
	mv "$b/cut.gz" "$b/old/events.jsonl.gz"
	$AGT replay "$b/old" --summary >"$b/o" 2>"$b/e"
	[ $? = 0 ] && grep -q "warning: $b/old/events.jsonl.gz: truncated after [0-9]* events" "$b/e" ||
		{ ok=1; why="$why; cut gzip: $(cat "$b/e")"; }
	check "$d" $ok "$why"
}

# With -p, the children a process already had at attach get process spans under its span, with
# syscall counts, though their forks were never seen.
t test_rec_attach_existing_children
test_rec_attach_existing_children() {
	local d="record -p: children that existed at attach get spans under the parent's" b="$TMP/recx"
	rm -rf "$b"
	mkdir -p "$b"
	# the children must still run once the tracer is up: ~10x slower in emulated guests
	local z
	z=$(awk -v t="$TS" 'BEGIN { print 1.5 * t }')
	sh -c "sleep $z & sleep $z; wait" &
	local sh=$!
	sleep "$(awk -v t="$TS" 'BEGIN { print 0.3 * t }')"
	$AGT record -q --output-dir "$b" -p $sh >/dev/null 2>"$b/err"
	wait $sh 2>/dev/null
	python3 - "$b" "$sh" "$z" <<'PY' >"$b/check" 2>&1
import glob, json, sys
b, sh, z = sys.argv[1], int(sys.argv[2]), sys.argv[3]
spans = [json.loads(l) for l in open(glob.glob(b + "/*/spans.jsonl")[0])]
root = [s for s in spans if s["pid"] == sh]
kids = [s for s in spans if s["pid"] != sh]
assert len(root) == 1 and root[0]["parent_span_id"] is None, root
assert root[0]["name"] == "sh -c sleep %s & sleep %s; wait" % (z, z), root[0]["name"]
assert len(kids) == 2, kids
for k in kids:
    assert k["parent_span_id"] == root[0]["span_id"], k
    assert k["name"] == "sleep " + z and k["status"] == "OK", k
    assert k["syscall_count"] >= 1, k
PY
	check "$d" $? "$(cat "$b/check" "$b/err" | head -c 600)"
}
