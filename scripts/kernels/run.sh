#!/bin/sh
# run.sh KDIR SCRIPT [TIMEOUT] - boots the kernel unpacked in KDIR (fetch.sh, initramfs.sh) under
# qemu and runs SCRIPT (a file inside the project directory, run with /bin/sh from the project
# directory) in the guest, whose root is the host's, read-only, over 9p. Prints the guest's
# console; exits with SCRIPT's exit status, 124 on TIMEOUT (seconds, default 1200), 125 when the
# guest never ran it (boot failure, kernel panic: the console says which).
#
# TCG by default: this machine's nested /dev/kvm stops stock kernels in their decompressor with
# "KVM internal error ... emulation failure" (a BMI2 instruction), so KVM is opt-in (AGT_KVM=1).
# softlockup_panic=1 and panic=-1 turn a soft lockup into an immediate exit instead of a hang
# until the timeout, with every CPU's backtrace on the console.
set -eu
kdir=$(cd "$1" && pwd)
script=$(realpath "$2")
timeout=${3:-1200}
proj=$(cd "$(dirname "$0")/../.." && pwd)
case $script in "$proj"/*) ;; *) echo "run.sh: $script is not under $proj" >&2; exit 2 ;; esac
rm -f "$script.status"

# thread=single: with one host thread per vCPU (multi), a CPU kept executing the int3 of the
# kernel's live patching of a tracepoint site after the patch was done (6.12: "Oops: int3" in
# __schedule; 5.10: both CPUs spinning at the sys_enter site, a soft lockup) - cross-modified
# code the emulator did not see in time. Attaching and detaching BPF programs patches those
# sites on every run; one thread for both vCPUs keeps the guest coherent.
accel="-accel tcg,thread=single -cpu max"
if [ "${AGT_KVM:-0}" = 1 ]; then
	accel="-accel kvm -cpu host"
fi
# shellcheck disable=SC2086
timeout --foreground -k 10 "$timeout" nice -n 10 qemu-system-x86_64 $accel -smp 2 -m "${AGT_GUEST_MEM:-3G}" \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$kdir/vmlinuz" -initrd "$kdir/initramfs.gz" \
	-append "console=ttyS0 quiet loglevel=4 panic=-1 softlockup_panic=1 softlockup_all_cpu_backtrace=1 nokaslr agt_cmd=$script agt_proj=$proj" \
	-fsdev local,id=hostroot,path=/,security_model=passthrough,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=project,path="$proj",security_model=passthrough,multidevs=remap \
	-device virtio-9p-pci,fsdev=project,mount_tag=project </dev/null
rc=$?
if [ $rc = 124 ]; then
	echo "run.sh: guest timed out after $timeout s" >&2
	exit 124
fi
if [ ! -f "$script.status" ]; then
	echo "run.sh: the guest did not run $script (qemu exit $rc; see the console above)" >&2
	exit 125
fi
exit "$(cat "$script.status")"
