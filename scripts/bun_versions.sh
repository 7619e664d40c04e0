#!/usr/bin/env bash
# bun_versions.sh [-k] SPEC... : the BoringSSL locator across many releases, each checked by what
# the tracer then captures (no Bun release ships its symbols, so the oracle is behaviour: a wrong
# SSL_write/SSL_read offset cannot give back every body the mock server logged, byte for byte).
#
# SPEC: bun@VERSION (@oven/bun-linux-x64), opencode@VERSION (opencode-linux-x64, run as Bun with
# BUN_BE_BUN=1), claude@VERSION (@anthropic-ai/claude-code-linux-x64, run as itself: `claude -p`
# against the mock as ANTHROPIC_BASE_URL). Each is fetched with `npm pack` into a scratch dir and
# deleted after (-k keeps them). Needs root, ./agtrace-bpf and .output/bssl_locate (make).
# Prints one line per SPEC: offsets, locate time cold and cached, then the capture verdict:
#   bun@1.3.14 write=0x3a02b50 read=0x3a027c0 new=0 cold=121ms cached=0.1ms capture=3/3 ok
set -u
cd "$(dirname "$0")/.."
keep=0
[ "${1:-}" = -k ] && keep=1 && shift
W=$(mktemp -d /tmp/agtrace-bunv.XXXXXX)
SECRET=$(cat tests/llm/secret)
python3 tests/llm/mock_server.py --port 0 --cert "$W/cert" --log "$W/log" --ready "$W/port" \
	2>"$W/server.err" &
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null; [ $keep = 1 ] || rm -rf "$W"' EXIT
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
BASE="https://127.0.0.1:$(cat "$W/port")"
CA="$W/cert/cert.pem"
fails=0

for spec in "$@"; do
	kind=${spec%@*} v=${spec#*@}
	case $kind in
	bun) pkg=@oven/bun-linux-x64 rel=bin/bun ;;
	opencode) pkg=opencode-linux-x64 rel=bin/opencode ;;
	claude) pkg=@anthropic-ai/claude-code-linux-x64 rel=claude ;;
	*) echo "$spec: unknown kind" && fails=$((fails + 1)) && continue ;;
	esac
	d="$W/$kind-$v"
	mkdir -p "$d"
	if ! (cd "$d" && npm pack -q "$pkg@$v" >/dev/null 2>&1 && tar xzf ./*.tgz && rm -f ./*.tgz); then
		echo "$spec: npm pack failed" && fails=$((fails + 1)) && continue
	fi
	bin="$d/package/$rel"
	export AGTRACE_CACHE_DIR="$d/cache"
	cold=$(.output/bssl_locate "$bin")
	cached=$(.output/bssl_locate "$bin")
	line="$spec $(sed 's/^[^:]*: //; s/ sites=.* ms=/ cold=/; s/$/ms/' <<<"$cold") cached=${cached##*ms=}"
	line=${line% cached}ms
	if ! grep -q ' write=' <<<"$cold"; then
		echo "$line capture=not-attached"
		fails=$((fails + 1))
		[ $keep = 1 ] || rm -rf "$d"
		continue
	fi
	before=$(find "$W/log" -mindepth 1 -maxdepth 1 -type d | wc -l)
	case $kind in
	claude)
		HOME="$d/home" ANTHROPIC_BASE_URL="$BASE" ANTHROPIC_API_KEY="$SECRET" NODE_EXTRA_CA_CERTS="$CA" \
			CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 timeout 120 \
			./agtrace-bpf -q --json --http -o "$d/t.jsonl" -- "$bin" -p "say hi" >"$d/out" 2>&1
		;;
	*)
		BUN_BE_BUN=1 timeout 120 ./agtrace-bpf -q --json --http -o "$d/t.jsonl" -- "$bin" \
			tests/llm/clients/bun_agent.js --base "$BASE" --ca "$CA" >"$d/out" 2>&1
		;;
	esac
	after=$(find "$W/log" -mindepth 1 -maxdepth 1 -type d | wc -l)
	n=$((after - before))
	# Claude Code also sends HEAD /api/hello: the mock logs the body it would send, HEAD gets none
	seqs=$(for m in "$W"/log/*/meta.json; do
		python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["seq"] if m["method"] != "HEAD" and m["seq"] > int(sys.argv[2]) else "")' "$m" "$before"
	done | xargs)
	n=$(wc -w <<<"$seqs")
	if [ $n -gt 0 ] && python3 tests/llm/check.py "$d/t.jsonl" "$W/log" --only-seq $seqs \
		--allow-extra --secret "$SECRET" >"$d/check" 2>&1; then
		echo "$line capture=$n/$n ok"
	else
		echo "$line capture=FAIL ($n requests; $(tail -c 200 "$d/check" | tr '\n' ' '))"
		fails=$((fails + 1))
	fi
	[ $keep = 1 ] || rm -rf "$d"
done
echo "bun_versions: $(($# - fails)) passed, $fails failed"
[ $fails = 0 ]
