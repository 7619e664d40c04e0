#!/bin/sh
# Install every build, test and benchmark dependency with apt-get. Idempotent: packages that are
# already present are not touched, so a second run costs one dpkg query.
set -eu

PKGS="make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev libcjson-dev libcmocka-dev
bpftool strace linux-perf bpftrace python3 procps
libnghttp2-dev libbrotli-dev curl openssl ca-certificates python3-httpx python3-h2"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run as root or install them)" >&2
	exit 1
fi

echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
