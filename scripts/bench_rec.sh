#!/usr/bin/env bash
# make bench, part 3: recordings. Not a test: nothing here asserts.
# - Storm: `record -- workload getppid 1000000` with the default settings (zstd): events, lost
#   (the goal is 0), wall time of the tracer run, bytes on disk; then the same with
#   AGTRACE_REC_CODEC=gzip, the format before zstd, for comparison.
# - Writer: the storm's own JSON lines pushed through the recorder alone (.output/bench_rec_io):
#   events/s open to close, events per CPU-second of the writer thread, bytes per event.
# - Reader: decompression alone (evfile_read) of those files; then a synthetic recording
#   (scripts/gen_recording.py: 1M events, 100k with QUICK=1), `replay --goto N/2 --list 1` wall
#   time and peak RSS (load + index + goto).
# - Analyzers: `stats`, `blame`, `tree` (one streaming pass each) on the storm recording and on
#   the synthetic one: wall time, CPU time and peak RSS (issue 10's goal: < 2 s, < 200 MB).
set -eu
cd "$(dirname "$0")/.."
N=1000000
EV=$([ "${QUICK:-}" = 1 ] && echo 100000 || echo 1000000)
IO=./.output/bench_rec_io
TMP=$(mktemp -d /tmp/agtrace-bench-rec.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
[ -x "$IO" ] || make --no-print-directory "$IO" >/dev/null

for codec in zstd gzip; do
	t0=$(date +%s%N)
	AGTRACE_REC_CODEC=$codec ./agtrace-bpf record -q --output-dir "$TMP/w-$codec" -- \
		./.output/workloads/workload getppid "$N" >/dev/null 2>"$TMP/err"
	t1=$(date +%s%N)
	python3 - "$(ls -d "$TMP/w-$codec"/*)" "$t0" "$t1" "$codec" <<'PY'
import glob, json, os, sys
rec, t0, t1, codec = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
m = json.load(open(os.path.join(rec, "metadata.json")))
ev = glob.glob(os.path.join(rec, "events.jsonl.*"))[0]
size = os.path.getsize(ev)
print("recording storm (%s%s): getppid x 1M: %d events, lost %d, %.2f s of tracing, %.1f MB on disk "
      "(%.1f bytes/event), status %s" % (codec, ", default" if codec == "zstd" else "",
      m["event_count"], m["lost_events"], (t1 - t0) / 1e9, size / 1e6,
      size / max(m["event_count"], 1), m["status"]))
PY
done

# an analyzer's cost on a recording: wall, CPU, peak RSS
analyzers() { # label rec
	local v secs cpu kb
	for v in stats blame tree; do
		/usr/bin/time -f "%e %U %S %M" -o "$TMP/time" ./agtrace-bpf "$v" "$2" >/dev/null 2>&1 || true
		read -r secs u s kb <"$TMP/time"
		cpu=$(python3 -c "print('%.2f' % ($u + $s))")
		echo "analyzer $v on $1: $secs s wall, $cpu s CPU, peak RSS $((kb / 1024)) MB"
	done
}
analyzers "the storm recording ($(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['event_count'])" "$(ls -d "$TMP"/w-zstd/*)/metadata.json") events)" "$(ls -d "$TMP"/w-zstd/*)"

zstd -dcq "$TMP"/w-zstd/*/events.jsonl.zst >"$TMP/storm.jsonl"
for codec in zstd gzip; do
	AGTRACE_REC_CODEC=$codec $IO write "$TMP/storm.jsonl" "$TMP/io-$codec" | sed "s/^/recording writer /"
done
for codec in zstd gzip; do
	$IO read "$(ls -d "$TMP/io-$codec"/*)" | sed 's/^/recording reader /'
done
rm -f "$TMP/storm.jsonl"

python3 scripts/gen_recording.py --out "$TMP/r" --events "$EV" --members 50 >/dev/null
REC=$(ls -d "$TMP"/r/*)
/usr/bin/time -f "%e %M" -o "$TMP/time" ./agtrace-bpf replay "$REC" --goto $((EV / 2)) --list 1 \
	>/dev/null 2>"$TMP/err" || true
read -r secs kb <"$TMP/time"
echo "recording read: $EV events, replay --goto $((EV / 2)) --list 1: $secs s, peak RSS $((kb / 1024)) MB" \
	"($(du -m "$REC/events.jsonl.zst" | cut -f1) MB zstd)"
$IO read "$REC" | sed 's/^/recording reader (synthetic) /'
analyzers "the synthetic recording ($EV events, $(du -m "$REC/events.jsonl.zst" | cut -f1) MB zstd, $((EV / 500)) LLM steps)" "$REC"
