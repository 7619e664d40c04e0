#!/usr/bin/env bash
# Integration tests: the real BPF programs against real workloads, checked against an
# independent oracle (the workload's own counts, strace -f, /proc). Needs root, as CI has.
# Prints one line per test and, last, "integration: N passed, N failed[, N not run]".
set -u
cd "$(dirname "$0")/../.."
AGT=${AGT:-./agtrace-bpf} # test-kernels: a copy, so a rebuild cannot change it mid-run
WL=./.output/workloads/workload
TMP=$(mktemp -d /tmp/agtrace-it.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
notrun=0
only=${1:-}
# Timing limits are multiplied by this (`make test-kernels` sets it for emulated guests, where
# everything, the tracer's start-up included, runs ~10x slower).
TS=${AGT_TIME_SCALE:-1}

ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1: $2"; fail=$((fail + 1)); }
check() { # name, condition-result, detail
	if [ "$2" = 0 ]; then ok "$1"; else bad "$1" "$3"; fi
}
count() { grep -c -- "$1" "$2" || true; }

tests=()
t() { tests+=("$1"); }

t test_getppid_exact_count
test_getppid_exact_count() {
	local n=20000
	$AGT -q --json -o "$TMP/g.jsonl" -- $WL getppid $n >"$TMP/g.out" 2>"$TMP/g.err"
	local got lost
	got=$(count '"syscall":"getppid"' "$TMP/g.jsonl")
	lost=$(count '"type":"lost"' "$TMP/g.jsonl")
	[ "$got" = "$n" ] && [ "$lost" = 0 ] && ! grep -q lost "$TMP/g.err" &&
		! grep -q malformed "$TMP/g.err"
	check "getppid: $n issued, $got captured, 0 lost" $? "got $got, lost events $lost, stderr: $(cat "$TMP/g.err")"
}

t test_getppid_raw_tp
test_getppid_raw_tp() {
	local n=5000
	$AGT -q --raw-tp -e trace=getppid -- $WL getppid $n >"$TMP/r.txt" 2>"$TMP/r.err"
	local got
	got=$(count '^\[pid [0-9]*\] +[0-9.]* getppid() = [0-9]* <' "$TMP/r.txt")
	[ "$got" = "$n" ]
	check "raw_tp fallback: $n getppid captured" $? "got $got"
}

# Records travel in per-CPU batches: each thread's must still come out complete and in order
# while the threads hop between CPUs.
t test_threads_order
test_threads_order() {
	local k=4 n=5000
	$AGT -q --json -e trace=getppid -o "$TMP/th.jsonl" -- $WL threads $k $n >/dev/null 2>"$TMP/th.err"
	python3 - "$TMP/th.jsonl" $k $n <<'PY'
import json, sys
k, n = int(sys.argv[2]), int(sys.argv[3])
last, count = {}, {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["type"] != "syscall":
        continue
    tid, ts = e["tid"], e["timestamp"]
    assert ts >= last.get(tid, 0), ("out of order", tid, ts, last[tid])
    last[tid] = ts
    count[tid] = count.get(tid, 0) + 1
assert sorted(count.values()) == [n] * k, count
PY
	check "$k threads x $n getppid hopping CPUs: all captured, in order per thread" $? "$(cat "$TMP/th.err")"
}

# Issue 13: calls a decoder easily gets wrong (NULL and unreadable pointers, failed calls with
# input buffers, an output longer than its buffer, per-syscall AT_* flags, garbage in the upper
# half of 32-bit arguments, unshare/setns, signedness), compared with strace -f value by value.
# Only the structures strace decodes (stat, statx, socketpair's fds) may differ.
t test_decode_cases_match_strace
test_decode_cases_match_strace() {
	local dc=./.output/workloads/decode_cases
	strace -f -o "$TMP/dc.st" $dc >/dev/null 2>&1
	$AGT -q -o "$TMP/dc.ag" -- $dc >/dev/null 2>"$TMP/dc.err"
	python3 scripts/strace_compare.py "$TMP/dc.st" "$TMP/dc.ag" --from chdir --strict \
		--allow "structure not decoded" --show 20 >"$TMP/dc.cmp"
	check "decode cases: every value as strace -f prints it ($(head -1 "$TMP/dc.cmp" | cut -d' ' -f1-5))" $? \
		"$(cat "$TMP/dc.cmp" "$TMP/dc.err")"
}

t test_failed_openat_enoent
test_failed_openat_enoent() {
	$AGT -q -- $WL seq >"$TMP/o.txt" 2>&1
	grep -q 'openat(AT_FDCWD, "/nonexistent/agtrace-seq", O_RDONLY) = -1 ENOENT (No such file or directory) <' "$TMP/o.txt"
	check "failing openat shows -1 ENOENT" $? "$(grep nonexistent "$TMP/o.txt")"
}

t test_follow_fork_exec
test_follow_fork_exec() {
	local k=321
	$AGT -q -- $WL forkexec $k >"$TMP/f.txt" 2>&1
	local child
	child=$(sed -n 's/^child \([0-9]*\) status 7$/\1/p' "$TMP/f.txt")
	local got
	got=$(count "^\[pid $child\] +[0-9.]* getppid() = " "$TMP/f.txt")
	[ -n "$child" ] && [ "$got" = "$k" ] &&
		grep -q "^\[pid $child\] +[0-9.]* --- fork (parent " "$TMP/f.txt" &&
		grep -q "^\[pid $child\] +[0-9.]* +++ exited with 7 +++" "$TMP/f.txt" &&
		grep -q -- '--- exec "/bin/true" \["true", "from-workload"\] ---' "$TMP/f.txt" &&
		grep -q 'execve("/bin/true", \["true", "from-workload"\], 0x[0-9a-f]*) = 0' "$TMP/f.txt"
	check "fork child ($k getppid, exit 7) and exec of /bin/true followed" $? "child=$child got=$got"
}

# The command exits at once; its child lives on. The trace must follow it to its end, even when
# the reader of our output is slow (the consumer then blocks in write, and used to miss it).
t test_child_outlives_command
test_child_outlives_command() {
	$AGT -q -e trace=getppid,write,exit_group -- $WL orphan > >(sleep 1; cat >"$TMP/or.txt") 2>&1
	sleep 1.5
	local child
	# The child's own line shares the pipe with our (blocked, then large) writes: it can land
	# in the middle of one of our lines, so it is matched at the end of a line, not the start.
	child=$(sed -n 's/.*orphan child \([0-9]*\) done$/\1/p' "$TMP/or.txt")
	[ -n "$child" ] && grep -q "^\[pid $child\] +[0-9.]* write(1, \"orphan child $child done\\\\n\", " "$TMP/or.txt" &&
		grep -q "^\[pid $child\] +[0-9.]* +++ exited with 0 +++" "$TMP/or.txt"
	check "a child outliving the command is traced to its exit" $? "$(cat "$TMP/or.txt")"
}

t test_no_follow
test_no_follow() {
	$AGT -q --no-follow -- $WL forkexec 50 >"$TMP/nf.txt" 2>&1
	local child
	child=$(sed -n 's/^child \([0-9]*\) status 7$/\1/p' "$TMP/nf.txt")
	[ -n "$child" ] && ! grep -q "^\[pid $child\]" "$TMP/nf.txt" &&
		grep -q 'execve("/bin/true"' "$TMP/nf.txt"
	check "--no-follow: child not traced, parent's own exec still is" $? "child=$child lines=$(count "pid $child" "$TMP/nf.txt")"
}

t test_attach_pid
test_attach_pid() {
	local n=4321
	rm -f "$TMP/go"
	$WL wait "$TMP/go" $n >"$TMP/w.out" &
	local wpid=$!
	for _ in $(seq $((100 * TS))); do grep -q ready "$TMP/w.out" 2>/dev/null && break; sleep 0.05; done
	$AGT -e trace=getppid,clock_nanosleep -o "$TMP/p.txt" -p $wpid 2>"$TMP/p.err" &
	local apid=$!
	for _ in $(seq $((100 * TS))); do grep -q attached "$TMP/p.err" 2>/dev/null && break; sleep 0.05; done
	touch "$TMP/go"
	wait $wpid
	wait $apid
	local rc=$?
	local got
	got=$(count "^\[pid $wpid\] +[0-9.]* getppid() = " "$TMP/p.txt")
	# the nanosleep in flight when we attached is reported, without a duration
	[ "$got" = "$n" ] && [ $rc = 0 ] && grep -q "Process $wpid detached" "$TMP/p.err" &&
		grep -q "^\[pid $wpid\] +[0-9.]* clock_nanosleep(.*) = 0 <?>$" "$TMP/p.txt"
	check "-p attach to a running process: $n getppid" $? "got $got rc $rc $(cat "$TMP/p.err")"
}

# Names and results of the workload's syscalls, from strace -f and from us, must agree.
t test_agrees_with_strace
test_agrees_with_strace() {
	strace -f -qq -o "$TMP/s.strace" $WL seq >/dev/null 2>&1
	$AGT -q -o "$TMP/s.agt" -- $WL seq >/dev/null 2>&1
	norm() { # name result, addresses as ADDR
		sed -n -E 's/^(\[pid +[0-9]+\] +\+[0-9.]+ |[0-9]+ +)?([a-z_0-9]+)\(.*\) += (-?[0-9a-fx?]+).*$/\2 \3/p' "$1" |
			sed -E 's/ 0x[0-9a-f]+$/ ADDR/; s/^(getpid|getppid|gettid|set_tid_address) [0-9]+$/\1 PID/'
	}
	norm "$TMP/s.strace" >"$TMP/s1"
	norm "$TMP/s.agt" >"$TMP/s2"
	local n
	n=$(wc -l <"$TMP/s1")
	[ "$n" -gt 30 ] && diff -u "$TMP/s1" "$TMP/s2" >"$TMP/s.diff"
	check "syscall sequence agrees with strace -f ($n syscalls)" $? "$(head -20 "$TMP/s.diff")"
}

t test_sockaddr_connect
test_sockaddr_connect() {
	$AGT -q -e trace=%network -- $WL net >"$TMP/n.txt" 2>&1
	local port
	port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$TMP/n.txt")
	[ -n "$port" ] && grep -q "connect([0-9]*, {AF_INET, 127.0.0.1:$port}, 16) = 0" "$TMP/n.txt" &&
		grep -q "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = " "$TMP/n.txt" && ! grep -q 'write(' "$TMP/n.txt"
	check "-e trace=%network: connect shows {AF_INET, 127.0.0.1:$port}" $? "$(cat "$TMP/n.txt")"
}

t test_filter_exclude
test_filter_exclude() {
	$AGT -q -e 'trace=!getppid' -- $WL forkexec 100 >"$TMP/x.txt" 2>&1
	! grep -q 'getppid(' "$TMP/x.txt" && grep -q 'exit_group(7) = ?' "$TMP/x.txt"
	check "-e trace=!getppid excludes only getppid" $? "$(count getppid "$TMP/x.txt")"
}

t test_filter_kernel_fast_path
test_filter_kernel_fast_path() {
	# Excluded syscalls leave in the kernel before any state is touched (rt_sigreturn's exit
	# carries orig_ax = -1): the kept ones still pair entry with exit, each exactly once.
	local n=200
	$AGT -q -e trace=rt_sigreturn,kill -- $WL signals $n >"$TMP/sg.txt" 2>&1
	local k r
	k=$(count ' kill(' "$TMP/sg.txt")
	r=$(grep -c ' rt_sigreturn() = 0 <' "$TMP/sg.txt" || true)
	grep -q "^signals $n caught $n" "$TMP/sg.txt" && [ "$k" = $n ] && [ "$r" = $n ] &&
		! grep -q -e ' getpid(' -e ' rt_sigaction(' -e ' write(' "$TMP/sg.txt"
	check "-e trace=rt_sigreturn,kill: $n kill, $n rt_sigreturn with results, nothing else" $? \
		"kill=$k rt_sigreturn=$r $(head -c 600 "$TMP/sg.txt")"
}

t test_failed_only
test_failed_only() {
	$AGT -q -Z -- $WL seq >"$TMP/z.txt" 2>&1
	local total errs
	total=$(grep -c '^\[pid .*) = ' "$TMP/z.txt")
	errs=$(grep -c '^\[pid .*) = -1 E' "$TMP/z.txt")
	[ "$total" -ge 4 ] && [ "$total" = "$errs" ] && grep -q 'close(12345) = -1 EBADF' "$TMP/z.txt"
	check "-Z: only the $errs failed syscalls" $? "total=$total errors=$errs"
}

t test_summary_counts
test_summary_counts() {
	local n=12345
	$AGT -q -c -o "$TMP/c.txt" -- $WL getppid $n >/dev/null 2>&1
	local calls
	calls=$(awk '$NF == "getppid" { print $(NF-1) }' "$TMP/c.txt")
	[ "$calls" = "$n" ] && grep -q ' total$' "$TMP/c.txt"
	check "-c summary: getppid calls = $n" $? "calls=$calls $(cat "$TMP/c.txt")"
}

t test_json_valid
test_json_valid() {
	$AGT -q --json -o "$TMP/j.jsonl" -- $WL seq >/dev/null 2>&1
	python3 - "$TMP/j.jsonl" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    for k in ("seq_num", "timestamp", "pid", "tid", "comm", "type"):
        assert k in e, (k, line)
    assert e["seq_num"] == n, (n, line)
    n += 1
    if e["type"] == "syscall":
        s = e["syscall"]
        if s["syscall"] == "openat" and s["args"]["pathname"] == "/nonexistent/agtrace-seq":
            assert s["result"] == -1 and s["err"] == "ENOENT", s
            assert s["args"]["dirfd"] == "AT_FDCWD" and s["args"]["flags"] == "O_RDONLY", s
            ok = True
assert n > 30 and ok
PY
	check "--json: every line valid, seq_num dense, openat ENOENT fields" $? "see $TMP/j.jsonl"
}

t test_exit_status
test_exit_status() {
	$AGT -q -- sh -c 'exit 5' >/dev/null 2>&1
	local rc=$?
	$AGT -q -- sh -c 'kill -TERM $$' >/dev/null 2>&1
	local rc2=$?
	[ $rc = 5 ] && [ $rc2 = 143 ]
	check "exit status of COMMAND is the tracer's (5, and 128+SIGTERM)" $? "rc=$rc rc2=$rc2"
}

t test_killed_by_signal
test_killed_by_signal() {
	$AGT -q -e trace=none -- sh -c 'kill -KILL $$' >"$TMP/k.txt" 2>&1
	grep -q '+++ killed by SIGKILL +++' "$TMP/k.txt"
	check "a process killed by a signal shows +++ killed by SIGKILL +++" $? "$(cat "$TMP/k.txt")"
}

t test_errors_one_line
test_errors_one_line() {
	local e1 e2 e3 e4 e5 r1 r2 r3 r4 r5
	e1=$($AGT -p 999999 2>&1); r1=$?
	e2=$($AGT --bogus -- true 2>&1); r2=$?
	e3=$(AGTRACE_BTF_PATH=/nonexistent $AGT -- true 2>&1); r3=$?
	e4=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all $AGT -- true 2>&1); r4=$?
	e5=$(unshare --pid --fork --mount-proc $AGT -- true 2>&1); r5=$?
	[ $r5 = 1 ] && [ "$(echo "$e5" | wc -l)" = 1 ] && echo "$e5" | grep -q "PID namespace" &&
	[ $r1 = 1 ] && [ "$e1" = "agtrace-bpf: no such process: 999999" ] &&
		[ $r2 = 1 ] && [ "$e2" = "agtrace-bpf: unrecognized option '--bogus'" ] &&
		[ $r3 = 1 ] && [ "$(echo "$e3" | wc -l)" = 1 ] && echo "$e3" | grep -q "BTF" &&
		[ $r4 = 1 ] && [ "$(echo "$e4" | wc -l)" = 1 ] && echo "$e4" | grep -q "permission denied"
	check "errors are one line, exit 1: no pid, bad option, no BTF, not root, PID namespace" $? "[$e1] [$e2] [$e3] [$e4] [$e5]"
}

t test_loss_is_counted
test_loss_is_counted() {
	# A 4 KiB ring under a getppid storm must drop; if the consumer kept up anyway (it can),
	# the storm grows, since a run without loss checks nothing.
	local n rc=1
	for n in 200000 1000000 3000000; do
		$AGT -q --json --buffer-size 4K -e trace=getppid -o "$TMP/l.jsonl" -- $WL getppid $n >/dev/null 2>"$TMP/l.err"
		python3 - "$TMP/l.jsonl" "$TMP/l.err" $n >"$TMP/l.py" 2>&1 <<'PY'
import json, re, sys
got = lost = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["type"] == "syscall" and e["syscall"]["syscall"] == "getppid":
        got += 1
    elif e["type"] == "lost":
        lost += e["lost"]["count"]
err = open(sys.argv[2]).read()
m = re.search(r"(\d+) records lost", err)
if lost == 0 and not m:
    sys.exit(3)  # no loss happened: nothing to check at this size
assert lost > 0 and m and int(m.group(1)) == lost, (lost, err)
assert got + lost >= int(sys.argv[3]) >= got, (got, lost)
print("captured %d + lost %d" % (got, lost))
PY
		rc=$?
		[ $rc = 3 ] || break
	done
	cat "$TMP/l.py"
	[ $rc = 0 ]
	check "4K buffer under a storm: every drop counted in lost events and on stderr" $? "rc=$rc $(cat "$TMP/l.err")"
}

t test_duration_and_sigint
test_duration_and_sigint() {
	local t0 t1 rc
	t0=$(date +%s%N)
	$AGT -q -d 0.5 -- $WL sleep 3 >/dev/null 2>&1
	t1=$(date +%s%N)
	local ms=$(((t1 - t0) / 1000000))
	$AGT -c -o "$TMP/i.txt" -- $WL sleep 3 >/dev/null 2>"$TMP/i.err" &
	local apid=$!
	# once it runs: before, SIGINT is ignored (a background job of a script), not handled
	for _ in $(seq $((100 * TS))); do grep -q tracing "$TMP/i.err" 2>/dev/null && break; sleep 0.05; done
	kill -INT $apid
	wait $apid
	rc=$?
	[ $ms -lt $((2500 * TS)) ] && grep -q ' total$' "$TMP/i.txt" && [ $rc = 130 ]
	check "-d 0.5 stops early (${ms} ms); SIGINT detaches and prints the summary" $? "ms=$ms rc=$rc"
}

t test_live_latency
test_live_latency() {
	$AGT -q -e trace=getpid -o "$TMP/lat.txt" -- $WL latency "$TMP/lat.txt" >"$TMP/lat.out" 2>&1
	local ms
	ms=$(sed -n 's/^latency_ms \([0-9.]*\)$/\1/p' "$TMP/lat.out")
	[ -n "$ms" ] && awk -v m="$ms" -v ts="$TS" 'BEGIN { exit !(m < 500 * ts) }'
	check "a line is written within $((500 * TS)) ms of the syscall (${ms} ms)" $? "$(cat "$TMP/lat.out")"
}

# A syscall that blocks (the task leaves the CPU mid-syscall) keeps its entry time.
t test_blocking_duration
test_blocking_duration() {
	$AGT -q -e trace=clock_nanosleep,wait4 -- sh -c 'sleep 0.3' >"$TMP/b.txt" 2>&1
	local d
	d=$(sed -n 's/^.* clock_nanosleep(.*) = 0 <\([0-9.]*\)>$/\1/p' "$TMP/b.txt")
	[ -n "$d" ] && awk -v d="$d" -v ts="$TS" 'BEGIN { exit !(d >= 0.299 && d < 0.3 + 0.3 * ts) }'
	check "a blocking nanosleep(0.3 s) lasts $d s" $? "$(cat "$TMP/b.txt")"
}

# i386 syscalls (int 0x80) use other numbers: counted and skipped, never misdecoded.
t test_compat_syscalls_skipped
test_compat_syscalls_skipped() {
	$AGT -q -- $WL int80 7 >"$TMP/c32.txt" 2>"$TMP/c32.err"
	grep -q "^int80 7$" "$TMP/c32.txt" && ! grep -q "writev(" "$TMP/c32.txt" &&
		grep -q "7 32-bit (int 0x80) syscalls skipped" "$TMP/c32.err"
	check "7 int 0x80 syscalls: reported as skipped, not decoded as x86_64 writev" $? "$(cat "$TMP/c32.err")"
}

t test_output_file_mode
test_output_file_mode() {
	rm -f "$TMP/mode.txt"
	$AGT -q -o "$TMP/mode.txt" -- true >/dev/null 2>&1
	[ "$(stat -c %a "$TMP/mode.txt")" = 600 ]
	check "-o FILE is created 0600" $? "$(stat -c %a "$TMP/mode.txt")"
}

# LLM capture: HTTPS clients against tests/llm/mock_server.py
# shellcheck source=tests/integration/llm_tests.sh
. tests/integration/llm_tests.sh
# Go's crypto/tls: the locator against go tool nm/objdump, a Go agent against the mock
# shellcheck source=tests/integration/go_tests.sh
. tests/integration/go_tests.sh
# TLS coverage: blind spots named on stderr and as `coverage` events
# shellcheck source=tests/integration/coverage_tests.sh
. tests/integration/coverage_tests.sh
# shellcheck source=tests/integration/bun_tests.sh
. tests/integration/bun_tests.sh
# Recordings: record, records, replay, diff, fork, SIGKILL, bad input
# shellcheck source=tests/integration/rec_tests.sh
. tests/integration/rec_tests.sh
# Analyzers: tree, blame, growth, ctx, stats on recorded agents
# shellcheck source=tests/integration/analyze_tests.sh
. tests/integration/analyze_tests.sh
# The mock as the real agent CLIs need it (probes, scenario mode, latency); the CLIs: make test-agents
# shellcheck source=tests/integration/agents_tests.sh
. tests/integration/agents_tests.sh
# shellcheck source=tests/integration/rustls_tests.sh
[ -n "${AGT_RUSTLS:-}" ] && . tests/integration/rustls_tests.sh # make test-rustls: Codex is 450 MB

if [ "$(id -u)" != 0 ]; then
	notrun=${#tests[@]}
	echo "!!! NOT RUN: $notrun integration tests need root to load BPF programs !!!"
	echo "integration: 0 passed, 0 failed, $notrun not run (need root)"
	exit 0
fi
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

for fn in "${tests[@]}"; do
	if [ -n "$only" ] && [ "$fn" != "$only" ]; then continue; fi
	"$fn"
done
echo "integration: $pass passed, $fail failed"
[ $fail = 0 ]
