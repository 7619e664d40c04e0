#!/usr/bin/env bash
# `make test-kernels`: the smoke set (tests/kernels/smoke.sh) on the host's kernel and in a guest
# per Debian kernel image (KERNELS="5.10 6.1 6.12" by default), one guest at a time under qemu
# (run.sh). KERNELS_FULL=1 runs the whole integration suite in each guest instead, with its
# timing limits scaled for emulation (AGT_TIME_SCALE). Kernel images are cached in
# KERNELS_CACHE (default .output/kernels). Last line: "kernels: N passed, N failed".
set -u

# All in a function, so bash has read the whole script before it runs (an edit while a long
# run goes on must not change what it does).
main() {
	cd "$(dirname "$0")/../.."
	cache=${KERNELS_CACHE:-.output/kernels}
	kernels=${KERNELS:-5.10 6.1 6.12}
	full=${KERNELS_FULL:-0}
	runs=$cache/run
	mkdir -p "$runs"
	pass=0
	fail=0
	summary=()

	if [ "$full" = 1 ]; then
		suite="tests/integration/run.sh"
		pattern='^integration: \([0-9]*\) passed, \([0-9]*\) failed.*'
		limit=2400
	else
		suite="tests/kernels/smoke.sh"
		pattern='^smoke [^:]*: \([0-9]*\) passed, \([0-9]*\) failed$'
		limit=600
	fi

	# tally NAME LOG STATUS: adds the suite's counts (a guest that never finished is one failure)
	tally() {
		local p f
		read -r p f < <(tr -d "\r" <"$2" | sed -n "s/$pattern/\1 \2/p" | tail -1)
		if [ -z "${p:-}" ]; then
			p=0
			f=1
			echo "not ok - $1: the suite did not finish (exit $3; log $2)"
		fi
		pass=$((pass + p))
		fail=$((fail + f))
		summary+=("$1: $p passed, $f failed ($4 s)")
	}

	# the host's kernel too (the full suite there is `make test`'s)
	if [ "$full" != 1 ]; then
		start=$SECONDS
		bash "$suite" 2>&1 | tee "$runs/host.log"
		tally "host $(uname -r)" "$runs/host.log" "${PIPESTATUS[0]}" $((SECONDS - start))
	fi

	for k in $kernels; do
		if ! ./scripts/kernels/fetch.sh "$k" "$cache" || ! ./scripts/kernels/initramfs.sh "$cache/$k"; then
			echo "not ok - kernel $k: cannot fetch or prepare its image"
			fail=$((fail + 1))
			summary+=("$k: image unavailable")
			continue
		fi
		script=$runs/guest-$k.sh
		# the guests run a copy of the tracer: a rebuild during the (long) run cannot change it
		cp agtrace-bpf "$runs/agtrace-bpf"
		# the guest gets the host's PATH (its root is the host's) and slower timing limits
		cat >"$script" <<-EOS
			export PATH='$PATH'
			export AGT_TIME_SCALE=${AGT_TIME_SCALE:-10}
			export AGT=$runs/agtrace-bpf
			exec bash $suite
		EOS
		start=$SECONDS
		echo "=== kernel $k ($(cat "$cache/$k/package"))"
		./scripts/kernels/run.sh "$cache/$k" "$script" "$limit" 2>&1 | tee "$runs/$k.log"
		tally "$k" "$runs/$k.log" "${PIPESTATUS[0]}" $((SECONDS - start))
	done
	printf '%s\n' "${summary[@]}"
	echo "kernels: $pass passed, $fail failed"
	[ $fail = 0 ]
}

main "$@"
exit
