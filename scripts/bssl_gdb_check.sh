#!/usr/bin/env bash
# bssl_gdb_check.sh BIN -- CMD...: a dynamic oracle for the BoringSSL locator's SSL_new. Runs
# CMD (which runs BIN) under gdb with breakpoints at the located SSL_new, SSL_write and SSL_read
# (from .output/bssl_locate; a non-PIE BIN, as Bun's are since 1.1.30) and prints how many SSL*
# SSL_new returned, how many the other two got, and how many of those SSL_new never returned:
#   new=3 ssl_used=3 used_not_new=0 writes=3 reads=40
# A wrong SSL_new (or SSL_write/SSL_read) shows as used_not_new > 0 or no calls at all.
# Example: BUN_BE_BUN=1 scripts/bssl_gdb_check.sh BIN -- BIN tests/llm/clients/bun_agent.js --base URL --ca CA
set -u
cd "$(dirname "$0")/.."
bin=$1
shift 2
loc=$(AGTRACE_CACHE_DIR=$(mktemp -d) .output/bssl_locate "$bin") || { echo "$loc"; exit 1; }
read -r off va < <(readelf -lW "$bin" | awk '$1 == "LOAD" && / R E / {print $2, $3}')
va_of() { printf '0x%x' $(($(grep -o " $1=0x[0-9a-f]*" <<<"$loc" | cut -d= -f2) + va - off)); }
py=$(mktemp --suffix=.py)
trap 'rm -f "$py"' EXIT
cat >"$py" <<'PY'
import gdb, os
for c in ("set pagination off", "set confirm off", "set detach-on-fork on"):
    gdb.execute(c)
for s in ("SIGPIPE", "SIGUSR1", "SIGUSR2", "SIGPWR", "SIGXCPU", "SIG32", "SIG33", "SIG34"):
    gdb.execute("handle %s nostop noprint pass" % s)
class Ret(gdb.Breakpoint):  # at SSL_new's return address: rax is the new SSL*
    def stop(self):
        print("new %x" % (int(gdb.parse_and_eval("$rax")) & (2**64 - 1)))
        return False
class At(gdb.Breakpoint):
    def __init__(self, addr, kind):
        super().__init__("*" + addr, internal=True)
        self.kind = kind
    def stop(self):
        if self.kind == "new":
            Ret("*0x%x" % int(gdb.parse_and_eval("*(unsigned long *)$rsp")), internal=True, temporary=True)
        else:
            print("%s %x" % (self.kind, int(gdb.parse_and_eval("$rdi")) & (2**64 - 1)))
        return False
for k in ("new", "write", "read"):
    At(os.environ["VA_" + k.upper()], k)
gdb.execute("run")
PY
out=$(VA_NEW=$(va_of new) VA_WRITE=$(va_of write) VA_READ=$(va_of read) \
	timeout 180 gdb -q -batch -x "$py" --args "$@" 2>&1 | grep -E '^(new|write|read) [0-9a-f]+$')
news=$(awk '$1 == "new" {print $2}' <<<"$out" | sort -u)
uses=$(awk '$1 != "new" {print $2}' <<<"$out" | sort -u)
echo "new=$(wc -w <<<"$news") ssl_used=$(wc -w <<<"$uses") used_not_new=$(comm -13 <(echo "$news") <(echo "$uses") | grep -c .) writes=$(grep -c '^write' <<<"$out") reads=$(grep -c '^read' <<<"$out")"
