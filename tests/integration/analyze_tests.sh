# shellcheck shell=bash
# Analyzer tests (tree, blame, growth, ctx, stats), sourced by tests/integration/run.sh after
# llm_tests.sh (uses its llm_start/llm_stop and run.sh's t/ok/bad/check, $AGT, $TMP). A real agent
# runs under `record` against tests/llm/mock_server.py; the oracles are the mock server's log
# (tool calls, tokens, step by step), the live JSON trace written beside the recording (-o: the
# processes and their parents, the states), and the live spans.jsonl (the same span builder, fed
# from kernel records instead of the recording's events).

AN_PY=/usr/bin/python3

# an_record TAG CMD...: record CMD into $LT/rec (live JSON in $LT/TAG.jsonl); sets AN_REC.
an_record() {
	local tag=$1
	shift
	rm -rf "$LT/rec"
	$AGT record -q --json -o "$LT/$tag.jsonl" --output-dir "$LT/rec" -- "$@" \
		>"$LT/$tag.out" 2>"$LT/$tag.err"
	AN_REC=$(ls -d "$LT"/rec/*/ 2>/dev/null | head -1)
	AN_REC=${AN_REC%/}
	[ -n "$AN_REC" ]
}

# an_verbs: every analyzer's JSON (and text) for $AN_REC into $LT/<verb>.{json,txt}.
an_verbs() {
	local v rc=0
	for v in tree blame growth ctx stats; do
		$AGT "$v" "$AN_REC" --json >"$LT/$v.json" 2>"$LT/$v.jsonerr" || rc=1
		$AGT "$v" "$AN_REC" >"$LT/$v.txt" 2>"$LT/$v.txterr" || rc=1
	done
	return $rc
}

t test_an_sample_agent
test_an_sample_agent() {
	local d="analyzers on scripts/sample_agent.py: tool processes under execute_tool, tokens = mock log, ENOENT error chain, growth = request tokens step by step, live spans = rebuilt spans"
	llm_start ansample || { bad "$d" "mock server did not start"; return; }
	an_record live $LLM_PY scripts/sample_agent.py --base "$LLM_BASE" --ca "$LLM_CA" ||
		{ bad "$d" "no recording: $(tail -c 300 "$LT/live.err")"; llm_stop; return; }
	an_verbs || { bad "$d" "a verb failed: $(cat "$LT"/*err | head -c 600)"; llm_stop; return; }
	# the first step's context, and a budget the last step is close to
	local first
	first=$($AN_PY -c 'import json,sys; t=json.load(open(sys.argv[1])); print(min(c["attributes"]["seq_num"] for c in t["root"]["children"] if c["kind"] == "llm"))' "$LT/tree.json")
	$AGT ctx "$AN_REC" --at "$first" --json >"$LT/ctx1.json" 2>"$LT/ctx1.err"
	$AGT growth "$AN_REC" --budget 600 --max-steps 6 --json >"$LT/growth600.json" 2>"$LT/g600.err"
	$AN_PY - "$LT" "$AN_REC" <<'PY' >"$LT/check" 2>&1
import glob, json, os, sys
lt, rec = sys.argv[1:]
log = [json.load(open(p)) for p in sorted(glob.glob(lt + "/log/*/meta.json"))]
assert len(log) == 5, len(log)
live = [json.loads(l) for l in open(lt + "/live.jsonl")]
tree = json.load(open(lt + "/tree.json"))

def walk(n, parent=None, out=None):
    out = [] if out is None else out
    out.append((n, parent))
    for c in n.get("children", []):
        walk(c, n, out)
    return out

nodes = walk(tree["root"])
agent = tree["root"]
assert agent["kind"] == "process" and "sample_agent.py" in agent["name"], agent["name"]
# every tool process (a child of the agent that exec'd a program) is under an execute_tool span
# whose tool_call_id is the id the mock sent for that step, in order
calls = [c for m in log for c in m["tool_calls"]]
assert [c["id"] for c in calls] == ["call_demo_0", "call_demo_1", "call_demo_2", "call_demo_3"], calls
execs = [e for e in live if e["type"] == "process" and e["process"]["event"] == "exec" and e["pid"] != agent["pid"]]
assert [e["process"]["argv"][0] for e in execs] == ["ls", "grep", "cat"], execs
tools = [n for n, p in nodes if n["kind"] == "tool"]
assert [t["attributes"]["tool_call_id"] for t in tools] == [c["id"] for c in calls], tools
for t, e in zip(tools, execs):
    kids = [c for c in t["children"] if c["kind"] == "process"]
    assert len(kids) == 1 and kids[0]["pid"] == e["pid"], (t["name"], kids, e["pid"])
    assert kids[0]["name"] == " ".join(e["process"]["argv"]), kids[0]["name"]
assert tools[3]["name"] == "execute_tool write" and tools[3]["children"] == [], tools[3]
assert [t["status"] for t in tools] == ["OK", "OK", "ERROR", "OK"], [t["status"] for t in tools]
# tokens: each LLM span equals the usage the mock sent, in order
llms = [n for n, p in nodes if n["kind"] == "llm"]
assert [(l["attributes"]["request_tokens"], l["attributes"]["response_tokens"]) for l in llms] == \
    [(m["usage"]["request_tokens"], m["usage"]["response_tokens"]) for m in log], llms
total = sum(m["usage"]["request_tokens"] + m["usage"]["response_tokens"] for m in log)
assert tree["metadata"]["total_tokens"] == total, (tree["metadata"], total)
# blame: the failing leaf is cat, under the tool call that ran it; the evidence is its ENOENT
blame = json.load(open(lt + "/blame.json"))
ch = blame["error_chains"]
assert blame["error_chains_total"] == 1 and len(ch) == 1, ch
assert ch[0]["root_cause"]["name"] == "cat /nonexistent/config.yaml", ch[0]["root_cause"]
assert ch[0]["root_cause"]["exit_code"] == 1
assert [s["kind"] for s in ch[0]["path"]] == ["process", "tool", "process"], ch[0]["path"]
assert ch[0]["path"][1]["tool_call_id"] == "call_demo_2", ch[0]["path"][1]
ev = ch[0]["evidence"]
assert len(ev) == 1, ev  # loader, locale and nscd probes are noise
assert ev[0]["syscall"] == "openat" and ev[0]["err"] == "ENOENT", ev
assert '"/nonexistent/config.yaml"' in ev[0]["line"], ev
w = blame["wall_time"]
assert len(w) == 1 and w[0]["pid"] == agent["pid"], w
assert sum(w[0]["wall_time"].values()) == w[0]["lifetime"], w
assert w[0]["wall_time"]["llm"] > 0 and w[0]["wall_time"]["tool"] > 0, w
txt = open(lt + "/blame.txt").read()
assert "cat /nonexistent/config.yaml" in txt and "ENOENT" in txt and "execute_tool shell" in txt, txt
# growth: the history is the request tokens the server logged, step by step
g = json.load(open(lt + "/growth.json"))
assert len(g["agents"]) == 1, g
h = g["agents"][0]["history"]
assert [x["tokens"] for x in h] == [m["usage"]["request_tokens"] for m in log], h
assert [x["output_tokens"] for x in h] == [m["usage"]["response_tokens"] for m in log], h
assert g["agents"][0]["tokens_used"] == log[-1]["usage"]["request_tokens"]
assert g["agents"][0]["context_budget"] == 128000 and g["agents"][0]["alert_level"] == "none", g
# ctx: the last request, calibrated against its real request tokens
c = json.load(open(lt + "/ctx.json"))
assert c["tokens_used"] == log[-1]["usage"]["request_tokens"] and c["calibrated"] is True, c
assert c["total_tokens"] == log[-1]["usage"]["request_tokens"], c
c1 = json.load(open(lt + "/ctx1.json"))
assert c1["tokens_used"] == log[0]["usage"]["request_tokens"] and c1["calibrated"] is True, c1
g6 = json.load(open(lt + "/growth600.json"))["agents"][0]
assert g6["context_budget"] == 600 and g6["budget_source"] == "--budget", g6
left = 600 - log[-1]["usage"]["request_tokens"]
assert g6["remaining_budget"] == left, g6
assert g6["alert_level"] == ("critical" if left * 10 < 600 else "warning" if left * 5 < 600 else "none"), g6
assert g6["max_steps"] == 6, g6
# stats: per-syscall counts equal the live trace's; the LLM calls and tokens the mock's
st = json.load(open(lt + "/stats.json"))
n = {}
for e in live:
    if e["type"] == "syscall":
        n[e["syscall"]["syscall"]] = n.get(e["syscall"]["syscall"], 0) + 1
assert {x["syscall"]: x["calls"] for x in st["syscalls"]} == n, "syscall counts differ"
assert st["llm"]["total"]["calls"] == 5, st["llm"]
# the live spans.jsonl and the spans rebuilt from the events: the same spans
spans = [json.loads(l) for l in open(rec + "/spans.jsonl")]
byid = {s["span_id"]: s for s in spans}
def key(s, ids):
    p = ids.get(s["parent_span_id"]) if s["parent_span_id"] else None
    return (s["kind"], s["name"], s["status"], s["syscall_count"], s["tokens_used"], p["name"] if p else None)
rebuilt = [n for n, p in nodes]
rid = {n["span_id"]: n for n in rebuilt}
assert sorted(key(s, byid) for s in spans) == sorted(key(s, rid) for s in rebuilt), \
    (sorted(key(s, byid) for s in spans), sorted(key(s, rid) for s in rebuilt))
# states, live: llm/run/tool for the agent, as the server and the processes say
st = [e["state"] for e in live if e["type"] == "state_change"]
seq = [(s["from_state"], s["to_state"]) for s in st]
assert seq.count(("run", "llm")) + seq.count(("tool", "llm")) == 5, seq
assert seq.count(("run", "tool")) == 3 and seq.count(("tool", "run")) == 3, seq
assert all(e["pid"] == agent["pid"] for e in live if e["type"] == "state_change")
print("ok: %d spans, %d tokens, %d states" % (len(spans), total, len(st)))
PY
	check "$d" $? "$(tail -c 1500 "$LT/check") (in $LT)"
	llm_stop
}

t test_an_node_agents
test_an_node_agents() {
	local d="analyzers on node @openai/agents: the in-process tool's sh child under execute_tool run_shell, tokens = mock log"
	llm_need_node "$d" || return
	llm_start annode || { bad "$d" "mock server did not start"; return; }
	NODE_EXTRA_CA_CERTS="$LLM_CA" an_record live /usr/bin/node tests/llm/clients/node_agents.mjs \
		--base "$LLM_BASE" --ca "$LLM_CA" ||
		{ bad "$d" "no recording: $(tail -c 300 "$LT/live.err")"; llm_stop; return; }
	$AGT tree "$AN_REC" --json >"$LT/tree.json" 2>"$LT/tree.err" &&
		$AGT growth "$AN_REC" --json >"$LT/growth.json" 2>"$LT/growth.err" &&
		$AN_PY - "$LT" <<'PY' >"$LT/check" 2>&1
import glob, json, sys
lt = sys.argv[1]
log = [json.load(open(p)) for p in sorted(glob.glob(lt + "/log/*/meta.json"))]
assert len(log) == 2 and log[0]["tool_calls"], log
tree = json.load(open(lt + "/tree.json"))
def walk(n, out):
    out.append(n)
    for c in n.get("children", []):
        walk(c, out)
    return out
nodes = walk(tree["root"], [])
tools = [n for n in nodes if n["kind"] == "tool"]
assert len(tools) == 1 and tools[0]["name"] == "execute_tool run_shell", tools
assert tools[0]["attributes"]["tool_call_id"] == log[0]["tool_calls"][0]["id"], tools[0]
kids = [c for c in tools[0]["children"] if c["kind"] == "process"]
assert len(kids) == 1 and kids[0]["name"] == "sh -c echo hi" and kids[0]["status"] == "OK", kids
assert tools[0]["attributes"]["result_seq_num"] is not None, tools[0]
llms = [n for n in nodes if n["kind"] == "llm"]
assert [(l["attributes"]["request_tokens"], l["attributes"]["response_tokens"]) for l in llms] == \
    [(m["usage"]["request_tokens"], m["usage"]["response_tokens"]) for m in log], llms
g = json.load(open(lt + "/growth.json"))
assert [x["tokens"] for x in g["agents"][0]["history"]] == [m["usage"]["request_tokens"] for m in log], g
print("ok")
PY
	check "$d" $? "$(tail -c 1200 "$LT/check") $(cat "$LT/tree.err" "$LT/growth.err" | head -c 300)"
	llm_stop
}

t test_an_sigkilled
test_an_sigkilled() {
	local d="analyzers on a SIGKILLed recording: the tree is rebuilt from the events alone; a recording without LLM calls says so"
	local b="$TMP/an-kill" ok=0 why=""
	rm -rf "$b" "$b.err"
	$AGT record --output-dir "$b" -- $AN_PY -c 'import os, subprocess, time
subprocess.run(["true"])
for _ in range(3000):
    os.getppid(); time.sleep(0.001)' >/dev/null 2>"$b.err" &
	local a=$!
	for _ in $(seq 150); do grep -q tracing "$b.err" 2>/dev/null && break; sleep 0.02; done
	sleep 1.8
	kill -KILL $a
	wait $a 2>/dev/null
	local R
	R=$(ls -d "$b"/*/ 2>/dev/null | head -1)
	R=${R%/}
	rec_reap "$(rec_key "$R" pid 2>/dev/null)" "os.getppid"
	$AGT tree "$R" --json >"$b.tree" 2>"$b.treeerr" || { ok=1; why="tree failed"; }
	$AGT growth "$R" >"$b.growth" 2>&1 || { ok=1; why="$why growth failed"; }
	$AGT ctx "$R" >"$b.ctx" 2>&1 || { ok=1; why="$why ctx failed"; }
	$AGT blame "$R" >"$b.blame" 2>&1 || { ok=1; why="$why blame failed"; }
	$AN_PY - "$b" <<'PY' >"$b.check" 2>&1 || { ok=1; why="$why $(tail -3 "$b.check")"; }
import json, sys
b = sys.argv[1]
t = json.load(open(b + ".tree"))
names = []
def walk(n):
    names.append((n["name"], n["status"]))
    for c in n.get("children", []):
        walk(c)
walk(t["root"])
assert names[0][0].startswith("/usr/bin/python3 -c") and names[0][1] == "TIMEOUT", names
assert ("true", "OK") in names, names
assert "incomplete" in open(b + ".treeerr").read()
assert "no LLM calls in this recording" in open(b + ".growth").read()
assert "no LLM calls in this recording" in open(b + ".ctx").read()
assert "no LLM calls in this recording" in open(b + ".blame").read()
PY
	check "$d" $ok "$why"
}
