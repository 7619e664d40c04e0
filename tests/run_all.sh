#!/usr/bin/env bash
# `make test`: unit tests (arguments: the binaries) then integration tests; the last line is the
# total, "N passed, N failed" (plus how many could not run, loudly, when not root).
set -u
cd "$(dirname "$0")/.."
./tests/run_unit.sh "$@" | tee /tmp/agtrace-unit.$$
./tests/integration/run.sh | tee /tmp/agtrace-integ.$$
read -r up uf < <(sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' /tmp/agtrace-unit.$$)
read -r ip if nr < <(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) not run.*\)\{0,1\}$/\1 \2 \4/p' /tmp/agtrace-integ.$$)
rm -f /tmp/agtrace-unit.$$ /tmp/agtrace-integ.$$
up=${up:-0}; uf=${uf:-1}; ip=${ip:-0}; if=${if:-1}; nr=${nr:-0}
p=$((up + ip))
f=$((uf + if))
if [ "$nr" != 0 ]; then
	echo "$p passed, $f failed, $nr NOT RUN (integration tests need root)"
	exit 1
fi
echo "$p passed, $f failed"
[ $f = 0 ]
