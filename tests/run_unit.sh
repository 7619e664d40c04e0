#!/usr/bin/env bash
# Runs the cmocka unit-test binaries given as arguments (built with ASan/UBSan) and prints
# "unit: N passed, N failed". A binary that crashes or reports nothing counts as one failure.
set -u
pass=0
fail=0
for b in "$@"; do
	out=$("$b" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1 # crashed (sanitizer report) before cmocka could summarize
	fi
	if [ "$f" != 0 ]; then
		printf '%s\n' "$out" | grep -E 'FAILED|ERROR|error|Sanitizer|runtime error' | head -20
		echo "not ok - $(basename "$b"): $p passed, $f failed"
	else
		echo "ok - $(basename "$b"): $p passed"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "unit: $pass passed, $fail failed"
[ $fail = 0 ]
