#!/usr/bin/python3
"""go_tests.sh's decoder oracle: gotab's instruction boundaries against GNU objdump's, function
by function, and the probe offsets of tls_go_locate against `go tool objdump`.

    go_decode_cmp.py GOTAB_INSNS OBJDUMP_D GOTAB_FUNCS [GOTAB_LOCATE GO_OBJDUMP_TLS]

(`go tool objdump` needs the symbol table and knows Go's own releases only: GO_OBJDUMP_TLS "gnu"
takes the RET and JBE instructions from OBJDUMP_D instead, for stripped or newer binaries.)

A function where objdump itself prints (bad) holds data among its code (hand-written assembly);
there the linear sweeps legitimately differ, so it is left out and counted (never a TLS one)."""
import re
import sys

insns, objd, funcs = sys.argv[1:4]
locate, goobj = (sys.argv[4:6] + [None, None])[:2]
ours, ours_bad = [], []
for line in open(insns):
    if line.startswith("BAD "):
        ours_bad.append(int(line.split()[1], 16))
    else:
        ours.append(int(line, 16))
theirs, bad_at, mnem = [], [], {}
for line in open(objd):
    m = re.match(r"^\s*([0-9a-f]+):\t", line)
    if not m:
        continue
    if not line[m.end():].strip():  # (with raw bytes shown: a long instruction's second line)
        continue
    a = int(m.group(1), 16)
    theirs.append(a)
    mnem[a] = line[m.end():].split()[0]
    if "(bad)" in line:
        bad_at.append(a)
fns = []
for line in open(funcs, encoding="utf-8"):
    e, x, name = line.rstrip("\n").split(" ", 2)
    fns.append((int(e, 16), int(x, 16), name))
ours_s, theirs_s = sorted(ours), sorted(theirs)
import bisect


def within(lst, lo, hi):
    return lst[bisect.bisect_left(lst, lo):bisect.bisect_left(lst, hi)]


checked = skipped = 0
fail = []
bad_sorted, ours_bad_sorted = sorted(bad_at), sorted(ours_bad)
for lo, hi, name in fns:
    if within(bad_sorted, lo, hi):
        skipped += 1
        if name.startswith("crypto/tls."):
            fail.append("objdump cannot decode %s" % name)
        continue
    a, b = within(ours_s, lo, hi), within(theirs_s, lo, hi)
    if a != b or within(ours_bad_sorted, lo, hi):
        diff = sorted(set(a) ^ set(b))[:3]
        fail.append("%s: %d vs %d instructions, first differences %s" %
                    (name, len(a), len(b), [hex(d) for d in diff]))
    checked += 1
# the probe offsets: Write past the stack check, every RET of Read, as go tool objdump lists them
rets = []
if locate:
    loc = dict(l.rstrip("\n").split(" ", 1) for l in open(locate) if " " in l)
    entry = {n: lo for lo, hi, n in fns}
    delta = entry["crypto/tls.(*Conn).Read"] - int(loc["read"], 16)
    got_rets = [int(x, 16) + delta for x in loc.get("read_ret", "").split()]
    got_write = int(loc["write"], 16) + delta
    fn, rets, after_jbe, prev_jbe = None, [], None, False
    if goobj == "gnu":
        lo, hi = [(l, h) for l, h, n in fns if n == "crypto/tls.(*Conn).Read"][0]
        rets = [a for a in within(theirs_s, lo, hi) if mnem[a] == "ret"]
        lo, hi = [(l, h) for l, h, n in fns if n == "crypto/tls.(*Conn).Write"][0]
        w = within(theirs_s, lo, hi)
        after_jbe = next((w[i + 1] for i in range(min(4, len(w) - 1)) if mnem[w[i]] == "jbe"), None)
    for line in open(goobj) if goobj != "gnu" else ():
        if line.startswith("TEXT "):
            fn, prev_jbe = line.split()[1].split("(SB)")[0], False
            continue
        m = re.match(r"^\s+\S+\t+0x([0-9a-f]+)\t+[0-9a-f]+\t+(\S*)", line)
        if not m:
            continue
        addr, op = int(m.group(1), 16), m.group(2)
        if fn == "crypto/tls.(*Conn).Read" and op.startswith("RET"):
            rets.append(addr)
        if fn == "crypto/tls.(*Conn).Write":
            if prev_jbe and after_jbe is None:
                after_jbe = addr
            prev_jbe = op.startswith("JBE")
    if got_rets != rets or not rets:
        fail.append("Read RETs %s, go tool objdump %s" % ([hex(r) for r in got_rets], [hex(r) for r in rets]))
    if got_write != after_jbe:
        fail.append("Write probe %s, instruction after the stack check's JBE %s" %
                    (hex(got_write), after_jbe and hex(after_jbe)))

if checked < 1000 or skipped > 10:
    fail.append("%d functions compared, %d skipped" % (checked, skipped))
if fail:
    print("; ".join(fail[:5]))
    sys.exit(1)
print("%d functions, %d instructions equal; %d skipped (data in code)%s" %
      (checked, len(ours), skipped, "; Read RETs %d, Write probe equal" % len(rets) if locate else ""))
