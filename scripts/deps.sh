#!/bin/sh
# Install every build, test and benchmark dependency with apt-get (qemu, busybox, cpio, kmod,
# xz/zstd: `make test-kernels`, which boots Debian's kernels in guests). Idempotent: packages that are
# already present are not touched, so a second run costs one dpkg query.
set -eu

PKGS="make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev libcjson-dev libcmocka-dev
bpftool strace linux-perf bpftrace python3 procps
libnghttp2-dev libbrotli-dev curl wget openssl ca-certificates python3-httpx python3-h2
libzstd-dev zstd python3-zstandard
qemu-system-x86 busybox-static cpio kmod xz-utils
golang-go"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages:$missing (run as root or install them)" >&2
		exit 1
	fi

	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || apt-get update
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# npm: the node LLM clients of the TLS capture tests (tests/llm/node: openai, @openai/agents), from
# package-lock.json. Idempotent: nothing runs while node_modules is at least as new as the lock.
# The machine's node (v20, with its npm) is used; Debian's nodejs/npm only where node is missing.
if ! command -v node >/dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: node is missing (run as root or install nodejs and npm)" >&2
		exit 1
	fi
	echo "deps: installing nodejs npm" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || apt-get update
	apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
NODE_DIR="$(cd "$(dirname "$0")/.." && pwd)/tests/llm/node"
if [ ! -f "$NODE_DIR/node_modules/.package-lock.json" ] ||
	[ "$NODE_DIR/package-lock.json" -nt "$NODE_DIR/node_modules/.package-lock.json" ]; then
	echo "deps: npm ci in tests/llm/node" >&2
	npm ci --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error >/dev/null
fi

# npm: a current Go release's binary (esbuild, Go 1.26) for the Go locator's oracle tests
# (tests/integration/go_tests.sh); same rule.
GO_FIX_DIR="$(cd "$(dirname "$0")/.." && pwd)/tests/go"
if [ ! -f "$GO_FIX_DIR/node_modules/.package-lock.json" ] ||
	[ "$GO_FIX_DIR/package-lock.json" -nt "$GO_FIX_DIR/node_modules/.package-lock.json" ]; then
	echo "deps: npm ci in tests/go" >&2
	npm ci --prefix "$GO_FIX_DIR" --no-audit --no-fund --loglevel=error >/dev/null
fi

# npm: Bun releases for the BoringSSL locator's tests (tests/bun: @oven/bun-linux-x64, one per
# release line, pinned by package-lock.json; ~100 MB each, x86-64 only). Same idempotence.
BUN_DIR="$(cd "$(dirname "$0")/.." && pwd)/tests/bun"
if [ "$(uname -m)" = x86_64 ] && { [ ! -f "$BUN_DIR/node_modules/.package-lock.json" ] ||
	[ "$BUN_DIR/package-lock.json" -nt "$BUN_DIR/node_modules/.package-lock.json" ]; }; then
	echo "deps: npm ci in tests/bun" >&2
	npm ci --prefix "$BUN_DIR" --no-audit --no-fund --loglevel=error >/dev/null
fi
