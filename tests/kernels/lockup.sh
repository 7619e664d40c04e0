#!/usr/bin/env bash
# The soft-lockup hunt (issue 11), run in a guest booted with softlockup_panic=1 (run.sh), so a
# lockup ends the guest at once: what the 6.1 report suggests could hang the tracer's threads,
# hammered for ROUNDS rounds, each with a fresh tracer:
#  - new threads blocking mid-syscall (the sched_switch program creates their task storage,
#    under the runqueue lock) while memory is short (allocations there may wake kswapd);
#  - the per-poll flush (BPF_PROG_TEST_RUN on each CPU) of two tracers at once, each IPI-ing
#    the CPU the other runs on;
#  - TLS probes attached and detached (perf-event uprobes) while python calls SSL_write;
#  - a tracer killed with SIGKILL mid-trace (links and rings torn down by the kernel).
# Prints "lockup: N rounds, no lockup" when it survives.
set -u
cd "$(dirname "$0")/../.."
AGT=${AGT:-./agtrace-bpf}
ROUNDS=${ROUNDS:-20}
TMP=$(mktemp -d /tmp/agtrace-lockup.XXXXXX)
threads_py='
import threading, time, os
def w():
    for _ in range(20):
        time.sleep(0.0005); os.getppid()
end = time.time() + 6
while time.time() < end:
    ts = [threading.Thread(target=w) for _ in range(32)]
    [t.start() for t in ts]; [t.join() for t in ts]
'
hog_py='
import time
def free_mb():
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
end = time.time() + 6
blocks = []
while time.time() < end:
    if free_mb() > 96:  # near the watermarks, where allocations wake kswapd
        blocks.append(b"\x01" * (8 << 20))  # written, so resident
    else:
        del blocks[: len(blocks) // 4]
'
for r in $(seq "$ROUNDS"); do
	python3 -c "$hog_py" &
	hog=$!
	$AGT -q -o /dev/null -- python3 -c "$threads_py" &
	a=$!
	$AGT -q -o /dev/null -- python3 -c "$threads_py" &
	b=$!
	AGTRACE_NO_UPROBE_MULTI=1 $AGT -q -o /dev/null -- python3 -c 'import ssl, time
for _ in range(50):
    ssl.create_default_context(); time.sleep(0.01)' &
	c=$!
	sleep 3
	kill -KILL $b 2>/dev/null
	wait $a $c $hog 2>/dev/null
	wait $b 2>/dev/null
	echo "round $r: $(grep -E 'MemAvailable' /proc/meminfo | tr -s ' ')"
done
rm -rf "$TMP"
echo "lockup: $ROUNDS rounds, no lockup"
