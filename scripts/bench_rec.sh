#!/usr/bin/env bash
# make bench, part 3: recordings. Write side: a getppid storm recorded with `record`, events/s
# the recorder wrote and bytes per event on disk. Read side: a synthetic 1M-event recording
# (scripts/gen_recording.py), `replay --goto 500000 --list 1` wall time and peak RSS (load +
# index + goto). QUICK=1: 100k events. Not a test: nothing here asserts.
set -eu
cd "$(dirname "$0")/.."
N=$([ "${QUICK:-}" = 1 ] && echo 100000 || echo 300000)
EV=$([ "${QUICK:-}" = 1 ] && echo 100000 || echo 1000000)
TMP=$(mktemp -d /tmp/agtrace-bench-rec.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

t0=$(date +%s%N)
./agtrace-bpf record -q --output-dir "$TMP/w" -- ./.output/workloads/workload getppid "$N" >/dev/null
t1=$(date +%s%N)
REC=$(ls -d "$TMP"/w/*)
python3 - "$REC" "$t0" "$t1" <<'PY'
import json, os, sys
rec, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
m = json.load(open(os.path.join(rec, "metadata.json")))
size = os.path.getsize(os.path.join(rec, "events.jsonl.gz"))
secs = (t1 - t0) / 1e9
print("recording write: %d events in %.2f s of tracing (%.0f events/s), %.1f bytes/event gzip,"
      " lost %d, status %s" % (m["event_count"], secs, m["event_count"] / secs,
                              size / max(m["event_count"], 1), m["lost_events"], m["status"]))
PY

python3 scripts/gen_recording.py --out "$TMP/r" --events "$EV" --members 50 >/dev/null
REC=$(ls -d "$TMP"/r/*)
/usr/bin/time -f "%e %M" -o "$TMP/time" ./agtrace-bpf replay "$REC" --goto $((EV / 2)) --list 1 \
	>/dev/null 2>"$TMP/err" || true
read -r secs kb <"$TMP/time"
echo "recording read: $EV events, replay --goto $((EV / 2)) --list 1: $secs s, peak RSS $((kb / 1024)) MB" \
	"($(du -m "$REC/events.jsonl.gz" | cut -f1) MB gzip)"
