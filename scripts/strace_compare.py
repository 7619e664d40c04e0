#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Compare agtrace-bpf's text trace with strace -f's, value by value.

    strace_compare.py STRACE_OUT AGTRACE_OUT [--from NAME] [--strict] [--show N]

Both traces are split into calls (name, arguments, result) per process; processes are paired
in order of appearance and their calls aligned by name (difflib), so a call one tracer shows
and the other does not (strace's own startup, a restart) costs alignment, not every later
value. Each argument and result is then compared as text after a few normalisations that
do not hide decoding differences: run-specific addresses (0x7ff...) match any address, and
strace's `/* N vars */` after envp is dropped. Values strace decodes as a structure or array
and agtrace-bpf prints as an address are counted apart ("structure not decoded").

Prints the agreement percentage of the values compared and the differences by kind, with
examples. --from NAME starts each process's comparison at its first call NAME (skipping the
dynamic loader's calls); --strict exits 1 on any difference.
"""

import argparse
import collections
import difflib
import re
import sys

PID = re.compile(r"^(?:\[pid\s+(\d+)\]\s+(?:\+[0-9.]+\s+)?|(\d+)\s+)?(.*)$")
ADDR = re.compile(r"^0x[0-9a-f]{5,}$")


def split_args(s):
    """Top-level comma split of an argument list, honouring quotes, brackets and comments."""
    out, depth, cur, i, q = [], 0, "", 0, False
    while i < len(s):
        c = s[i]
        if q:
            cur += c
            if c == "\\" and i + 1 < len(s):
                cur += s[i + 1]
                i += 1
            elif c == '"':
                q = False
        elif c == '"':
            q = True
            cur += c
        elif s.startswith("/*", i):
            j = s.find("*/", i)
            j = len(s) if j < 0 else j + 2
            cur += s[i:j]
            i = j
            continue
        elif c in "([{":
            depth += 1
            cur += c
        elif c in ")]}":
            depth -= 1
            cur += c
        elif c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out


def close_paren(s, start):
    """Index of the ')' closing the '(' at start."""
    depth, q, i = 0, False, start
    while i < len(s):
        c = s[i]
        if q:
            if c == "\\":
                i += 1
            elif c == '"':
                q = False
        elif c == '"':
            q = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


CALL = re.compile(r"^([a-z_0-9]+)\(")


def parse(path, agtrace):
    """{pid: [(name, [args], result)]} in order of first appearance of each pid."""
    procs = collections.OrderedDict()
    pending = {}
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        m = PID.match(line)
        pid = m.group(1) or m.group(2) or "0"
        body = m.group(3)
        if body.startswith(("---", "+++")) or "LLM " in body[:4]:
            continue
        if agtrace:
            body = re.sub(r" <(?:[0-9.]+|\?)>$", "", body)
        if body.endswith("<unfinished ...>"):
            pending[pid] = body[: -len("<unfinished ...>")].rstrip()
            continue
        r = re.match(r"^<\.\.\. ([a-z_0-9]+) resumed>\s?(.*)$", body)
        if r:
            head = pending.pop(pid, None)
            if head is None:
                continue
            rest = r.group(2)
            head = head.rstrip()
            sep = "" if head.endswith(("(", ",")) or rest.startswith(")") else ", "
            body = head + (" " if head.endswith(",") and not rest.startswith(")") else sep) + rest
        c = CALL.match(body)
        if not c:
            continue
        end = close_paren(body, c.end() - 1)
        if end < 0:
            continue
        args = split_args(body[c.end():end])
        res = body[end + 1:].strip()
        res = re.sub(r"^=\s*", "", res)
        procs.setdefault(pid, []).append((c.group(1), args, res))
    return procs


# strace prints clone's arguments by name and leaves out unused ones; agtrace-bpf by position.
CLONE_POS = {"flags": 0, "child_stack": 1, "stack": 1, "parent_tid": 2, "parent_tidptr": 2,
             "child_tidptr": 3, "child_tid": 3, "tls": 4}


def clone_args(sargs, aargs):
    """strace's named clone arguments as positional pairs with agtrace-bpf's."""
    pairs = []
    for v in sargs:
        k, _, val = v.partition("=")
        if k in CLONE_POS and CLONE_POS[k] < len(aargs):
            pairs.append((CLONE_POS[k], val, aargs[CLONE_POS[k]]))
    return pairs


SA_IN = re.compile(r'^\{sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([0-9.]+)"\)\}$')
SA_UN = re.compile(r'^\{sa_family=AF_UNIX, sun_path=(".*")\}$')


def short_sockaddr(v):
    """strace's sockaddr in agtrace-bpf's short form ({AF_INET, 1.2.3.4:80}), else None."""
    m = SA_IN.match(v)
    if m:
        return "{AF_INET, %s:%s}" % (m.group(2), m.group(1))
    m = SA_UN.match(v)
    if m:
        return "{AF_UNIX, %s}" % m.group(1)
    return None


def norm(v):
    v = re.sub(r"\s*/\* \d+ (vars?|entries) \*/$", "", v)
    if v.startswith(("{", "[")):
        # code and stack addresses inside a structure (sa_handler=0x55...) move with ASLR
        v = re.sub(r"0x[0-9a-f]{8,}", "ADDR", v)
    if ADDR.match(v):
        return "ADDR"
    return v


def is_struct(v):
    return v.startswith(("{", "[", "~["))


def kind_of(name, i, s, a):
    """Why strace's value s and ours a differ: a short category name."""
    if ADDR.match(a) or a == "NULL":
        if is_struct(s) or "=" in s:
            return "structure not decoded"
        if s.startswith('"'):
            return "string not captured"
    if s.startswith('"') and a.startswith('"'):
        return "string differs"
    return "value differs"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("strace")
    ap.add_argument("agtrace")
    ap.add_argument("--from", dest="start", default=None)
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("--show", type=int, default=3)
    ap.add_argument("--label", default="")
    ap.add_argument("--allow", action="append", default=[],
                    help="a kind of difference --strict tolerates (e.g. 'structure not decoded')")
    o = ap.parse_args()
    st, ag = parse(o.strace, False), parse(o.agtrace, True)
    equal = total = unmatched = 0
    diffs = collections.defaultdict(list)
    omitted = sockaddrs = runspecific = 0
    # Processes are paired in order of appearance; their ids map one to the other.
    pidmap = {sp: ap_ for sp, ap_ in zip(st, ag)}
    for (sp, scalls), (ap_, acalls) in zip(st.items(), ag.items()):
        if o.start:
            def cut(calls):
                for k, c in enumerate(calls):
                    if c[0] == o.start:
                        return calls[k:]
                return []
            scalls, acalls = cut(scalls), cut(acalls)
        sm = difflib.SequenceMatcher(a=[c[0] for c in scalls], b=[c[0] for c in acalls],
                                     autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag != "equal":
                unmatched += max(i2 - i1, j2 - j1)
                continue
            for sc, acall in zip(scalls[i1:i2], acalls[j1:j2]):
                name = sc[0]
                if name in ("clone", "clone3") and any("=" in v for v in sc[1]):
                    pairs = clone_args(sc[1], acall[1])
                    omitted += len(acall[1]) - len(pairs)
                else:
                    n = min(len(sc[1]), len(acall[1]))
                    omitted += abs(len(sc[1]) - len(acall[1]))
                    pairs = [(i, sc[1][i], acall[1][i]) for i in range(n)]
                pairs.append(("result", sc[2], acall[2]))
                for i, s, a in pairs:
                    total += 1
                    if i == "result":
                        # strace aligns results with spaces; agtrace adds nothing else
                        s, a = " ".join(s.split()), " ".join(a.split())
                    if norm(s) == norm(a):
                        equal += 1
                        continue
                    # process ids differ between the two runs: the paired processes' ids match
                    if pidmap.get(s.split(" ")[0]) == a.split(" ")[0] and s.isdigit():
                        equal += 1
                        continue
                    if short_sockaddr(s) == a:
                        equal += 1
                        sockaddrs += 1
                        continue
                    # random bytes, and the id of the tracer's parent: different in every run
                    if (name == "getrandom" and i == 0 and s.startswith('"')) or \
                            (name == "getppid" and i == "result"):
                        runspecific += 1  # random bytes: different in every run
                        total -= 1
                        continue
                    k = kind_of(name, i, s, a)
                    diffs[(k, name, i)].append((s, a))
    pct = 100.0 * equal / total if total else 0.0
    label = f"{o.label}: " if o.label else ""
    print(f"{label}{equal}/{total} values equal ({pct:.2f}%), {unmatched} calls not aligned, "
          f"{omitted} arguments only one tracer prints, {runspecific} random buffers not "
          f"compared; {sockaddrs} sockaddrs equal in agtrace-bpf's short form")
    bykind = collections.Counter()
    for (k, name, i), lst in diffs.items():
        bykind[k] += len(lst)
    # for scripts/strace_agreement.sh: equal, total, and the two kinds that are limits
    print(f"totals: {equal} {total} {bykind['structure not decoded']} "
          f"{bykind['string not captured']}")
    for k, cnt in bykind.most_common():
        print(f"  {k}: {cnt}")
        rows = sorted(((len(l), name, str(i), l) for (kk, name, i), l in diffs.items()
                       if kk == k), key=lambda r: (-r[0], r[1], r[2]))
        for cnt2, name, i, lst in rows[: o.show * 3]:
            s, a = lst[0]
            print(f"    {cnt2:5d} {name} arg {i}: strace {s[:70]!s} | agtrace {a[:70]!s}")
    if o.strict and (unmatched or any(k not in o.allow for k in bykind)):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
