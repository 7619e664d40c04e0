# shellcheck shell=bash disable=SC2034 # VERSION, STACK_PREFIX, ... are read by the sourcing script
# Shared by tests/agents/run.sh (make test-agents) and scripts/bench_agent.sh (make bench-agent):
# installing the pinned CLIs, the mock server, and how to run each CLI against it.
# Expects ROOT, PY, DIR, NM, KEY; agent_setup also CA, BASE (the mock's https://127.0.0.1:PORT).

die() {
	echo "test-agents: $*" >&2
	exit 1
}

# npm install from package-lock.json (the versions it pins; not `npm ci`, which rejects this
# lock: npm leaves other platforms' nested optional packages out of it) unless node_modules
# already holds exactly that lock (a stamp: the lock's sha256), so a second run costs nothing.  The CLIs' postinstall scripts put the
# native binaries (Claude Code >= 2.1.113, opencode) in place: checked, not assumed.
agents_install() {
	local want stamp=$NM/.agtrace-lock.sha256
	want=$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)
	if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
		echo "test-agents: npm install in tests/agents (the CLIs from package-lock.json, ~2 GB)" >&2
		npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error >/dev/null ||
			{ echo "test-agents: npm install in tests/agents failed" >&2 && return 1; }
		echo "$want" >"$stamp"
	fi
	local b
	for b in "$NM/@anthropic-ai/claude-code/bin/claude.exe" "$NM/opencode-ai/bin/opencode.exe"; do
		if [ "$(head -c 4 "$b" 2>/dev/null)" != $'\x7fELF' ]; then
			echo "test-agents: $b is not the native binary (postinstall did not run)" >&2
			return 1
		fi
	done
}

# mock_start DIR [mock options...]: a fresh mock (log in DIR/log) in scenario mode; sets BASE, SRV.
# The certificate directory $CERT is shared (generated once).
mock_start() {
	local d=$1 _
	shift
	rm -rf "$d/log" "$d/port"
	$PY "$ROOT/tests/llm/mock_server.py" --port 0 --cert "$CERT" --log "$d/log" --ready "$d/port" \
		"$@" 2>"$d/server.err" &
	SRV=$!
	for _ in $(seq 200); do
		[ -s "$d/port" ] && break
		sleep 0.05
	done
	[ -s "$d/port" ] || { echo "test-agents: mock server did not start: $(cat "$d/server.err")" >&2 && return 1; }
	BASE="https://127.0.0.1:$(cat "$d/port")"
}

mock_stop() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	SRV=""
}

# stack_of FILE: the binary kind and TLS stack of FILE, read from the file itself: node (the
# machine's, OpenSSL statically inside), a Bun executable (a .bun section; BoringSSL named in it),
# Rust (rustc in .comment; rustls / aws-lc / an OpenSSL 3 version named in it; static when
# nothing is NEEDED).  Plus
# "no SSL_* symbols" when SSL_write is not exported: nothing to attach to by name.
stack_of() {
	local f=$1 k tls=""
	if [ "$f" = "$(readlink -f "$(command -v node)")" ]; then
		echo "node $(node -v) + OpenSSL $(node -p process.versions.openssl)"
		return
	fi
	[ -f "$f" ] || { echo "? ($f missing)" && return; }
	grep -aqm1 BoringSSL "$f" && tls="BoringSSL"
	grep -aqm1 rustls "$f" && tls="rustls"
	grep -aqm1 'aws-lc' "$f" && tls="${tls:+$tls/}aws-lc"
	k=$(grep -aom1 'OpenSSL 3\.[0-9]*\.[0-9]*' "$f" | head -1)
	[ -n "$k" ] && tls="${tls:+$tls + }$k"
	if readelf -SW "$f" 2>/dev/null | grep -q ' \.bun '; then
		k="Bun"
	elif readelf -p .comment "$f" 2>/dev/null | grep -q rustc; then
		k="Rust"
		case $f in *.node) k="Rust node addon" ;; esac
		readelf -d "$f" 2>/dev/null | grep -q NEEDED || k="$k (static)"
	else
		k="ELF"
	fi
	readelf -W --dyn-syms "$f" 2>/dev/null | grep -q ' SSL_write$' || tls="${tls:-?} (no SSL_* symbols)"
	echo "$k + ${tls:-?}"
}

pkg_version() { # package dir under node_modules
	node -p "require('$NM/$1/package.json').version" 2>/dev/null || echo "?"
}

# agent_setup NAME HOME: for one CLI, writes its config under HOME (a fresh temp home) and sets
#   VERSION, STACK_PREFIX (what stack_of TLS_BIN does not show),
#   TLS_BIN (the file whose TLS functions must be probed to see its model calls),
#   ENVS (the whole environment: env -i), CMD (argv).
# Every CLI gets the CA through NODE_EXTRA_CA_CERTS / SSL_CERT_FILE (or its own variable), the
# fake key from tests/llm/secret, the mock as base URL, and telemetry/update checks off.
agent_setup() {
	local name=$1 h=$2 node
	node=$(readlink -f "$(command -v node)")
	mkdir -p "$h"
	STACK_PREFIX=""
	ENVS=(PATH=/usr/local/bin:/usr/bin:/bin HOME="$h" TERM=dumb NO_COLOR=1 LANG=C.UTF-8
		NODE_EXTRA_CA_CERTS="$CA" SSL_CERT_FILE="$CA" CI=1)
	case $name in
	claude-node | claude-bun)
		# Claude Code: ANTHROPIC_BASE_URL; Bash allowed for -p (no prompt to answer)
		ENVS+=(ANTHROPIC_BASE_URL="$BASE" ANTHROPIC_API_KEY="$KEY" DISABLE_TELEMETRY=1
			DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1
			CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1)
		if [ "$name" = claude-node ]; then
			VERSION=$(pkg_version claude-code-node)
			TLS_BIN=$node
			CMD=(node "$NM/claude-code-node/cli.js")
		else
			VERSION=$(pkg_version @anthropic-ai/claude-code)
			TLS_BIN=$NM/@anthropic-ai/claude-code/bin/claude.exe
			CMD=("$TLS_BIN")
		fi
		CMD+=(-p "$PROMPT" --model claude-mock-1 --allowedTools Bash)
		;;
	codex)
		# Codex: a model provider in config.toml, Responses API, CA via CODEX_CA_CERTIFICATE
		mkdir -p "$h/.codex"
		cat >"$h/.codex/config.toml" <<-EOF
			model = "gpt-mock-1"
			model_provider = "mock"
			[analytics]
			enabled = false
			[model_providers.mock]
			name = "mock"
			base_url = "$BASE/v1"
			env_key = "MOCK_API_KEY"
			wire_api = "responses"
		EOF
		ENVS+=(CODEX_HOME="$h/.codex" CODEX_CA_CERTIFICATE="$CA" MOCK_API_KEY="$KEY")
		VERSION=$(pkg_version @openai/codex)
		TLS_BIN=$NM/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex
		CMD=(node "$NM/@openai/codex/bin/codex.js" exec --skip-git-repo-check "$PROMPT")
		;;
	gemini)
		# Gemini CLI: GOOGLE_GEMINI_BASE_URL, API-key auth chosen in settings, --yolo for the shell
		mkdir -p "$h/.gemini"
		printf '%s\n' '{"security":{"auth":{"selectedType":"gemini-api-key"}},"privacy":{"usageStatisticsEnabled":false},"telemetry":{"enabled":false},"general":{"disableAutoUpdate":true}}' \
			>"$h/.gemini/settings.json"
		ENVS+=(GEMINI_API_KEY="$KEY" GOOGLE_GEMINI_BASE_URL="$BASE" GEMINI_TELEMETRY_ENABLED=false
			GEMINI_CLI_TRUST_WORKSPACE=true)
		VERSION=$(pkg_version @google/gemini-cli)
		TLS_BIN=$node
		CMD=(node "$NM/@google/gemini-cli/bundle/gemini.js" -p "$PROMPT" -m gemini-mock-1 --yolo)
		;;
	copilot)
		# Copilot CLI: BYOK provider (chat completions), offline mode (no GitHub login)
		ENVS+=(COPILOT_OFFLINE=true COPILOT_PROVIDER_BASE_URL="$BASE/v1"
			COPILOT_PROVIDER_API_KEY="$KEY" COPILOT_MODEL=gpt-mock-1 COPILOT_AUTO_UPDATE=false)
		VERSION=$(pkg_version @github/copilot)
		STACK_PREFIX="node SEA; model calls: "
		# the model calls leave through the Rust addon the executable extracts into HOME
		TLS_BIN=$h/.cache/copilot/pkg/linux-x64/$VERSION/prebuilds/linux-x64/runtime.node
		CMD=("$NM/@github/copilot-linux-x64/copilot" -p "$PROMPT" --allow-all-tools)
		;;
	opencode)
		# opencode: an openai-compatible provider in opencode.json, bash allowed
		mkdir -p "$h/.config/opencode"
		cat >"$h/.config/opencode/opencode.json" <<-EOF
			{"\$schema": "https://opencode.ai/config.json", "autoupdate": false, "share": "disabled",
			 "permission": {"bash": "allow"}, "model": "mock/gpt-mock-1",
			 "provider": {"mock": {"npm": "@ai-sdk/openai-compatible", "name": "mock",
			   "options": {"baseURL": "$BASE/v1", "apiKey": "{env:MOCK_API_KEY}"},
			   "models": {"gpt-mock-1": {"name": "gpt-mock-1"}}}}}
		EOF
		ENVS+=(MOCK_API_KEY="$KEY" OPENCODE_DISABLE_MODELS_FETCH=1 OPENCODE_DISABLE_AUTOUPDATE=1
			OPENCODE_DISABLE_DEFAULT_PLUGINS=1 OPENCODE_DISABLE_LSP_DOWNLOAD=1 OPENCODE_DISABLE_SHARE=1)
		VERSION=$(pkg_version opencode-ai)
		TLS_BIN=$NM/opencode-ai/bin/opencode.exe
		CMD=("$TLS_BIN" run "$PROMPT" --model mock/gpt-mock-1)
		;;
	qwen)
		# Qwen Code: OpenAI-compatible auth from the environment, --yolo for the shell; its
		# settings are gemini-cli's (it is a fork): usage statistics and update checks off
		mkdir -p "$h/.qwen"
		printf '%s\n' '{"privacy":{"usageStatisticsEnabled":false},"telemetry":{"enabled":false},"general":{"disableAutoUpdate":true,"disableUpdateNag":true}}' \
			>"$h/.qwen/settings.json"
		ENVS+=(OPENAI_BASE_URL="$BASE/v1" OPENAI_API_KEY="$KEY" OPENAI_MODEL=gpt-mock-1)
		VERSION=$(pkg_version @qwen-code/qwen-code)
		TLS_BIN=$node
		CMD=(node "$NM/@qwen-code/qwen-code/cli-entry.js" -p "$PROMPT" --auth-type openai --yolo)
		;;
	pi)
		# pi: a custom provider in ~/.pi/agent/models.json, offline (no version check)
		mkdir -p "$h/.pi/agent"
		printf '{"providers":{"mock":{"baseUrl":"%s/v1","api":"openai-completions","apiKey":"MOCK_API_KEY","models":[{"id":"gpt-mock-1"}]}}}\n' \
			"$BASE" >"$h/.pi/agent/models.json"
		ENVS+=(MOCK_API_KEY="$KEY" PI_OFFLINE=1 PI_TELEMETRY=0)
		VERSION=$(pkg_version @mariozechner/pi-coding-agent)
		TLS_BIN=$node
		CMD=(node "$NM/@mariozechner/pi-coding-agent/dist/cli.js" -p "$PROMPT" --provider mock
			--model gpt-mock-1)
		;;
	*)
		echo "test-agents: unknown agent $name" >&2
		return 1
		;;
	esac
}
