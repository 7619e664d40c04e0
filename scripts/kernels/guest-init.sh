#!/bin/busybox sh
# /init of the test guests (initramfs.sh): mounts the host's root read-only over 9p, the project
# directory read-write at its own path, fresh proc/sys/dev/tmp, runs the command that
# run.sh put in the kernel command line (agt_cmd=FILE: a script in the project directory), and
# powers off. Its exit status goes to the console as AGT-GUEST-EXIT=N and to FILE.status.
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /newroot
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in /mod/*.ko; do insmod "$m" || echo "guest-init: insmod $m failed"; done

cmd= proj=
for arg in $(cat /proc/cmdline); do
	case $arg in
	agt_cmd=*) cmd=${arg#agt_cmd=} ;;
	agt_proj=*) proj=${arg#agt_proj=} ;;
	esac
done

fail() {
	echo "guest-init: $*"
	echo "AGT-GUEST-EXIT=125"
	echo o >/proc/sysrq-trigger
	sleep 10
}

# multidevs=remap: the host's root spans several filesystems; without it inode numbers collide
# (the guest's /proc, mounted over the host's, would be hidden behind a stale dentry)
mount -t 9p -o trans=virtio,version=9p2000.L,ro,multidevs=remap,msize=262144,cache=loose \
	hostroot /newroot || fail "cannot mount the host root over 9p"
mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=262144,cache=mmap project "/newroot$proj" ||
	fail "cannot mount $proj over 9p"
r=/newroot
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts devpts $r/dev/pts
mount -t tmpfs tmpfs $r/dev/shm
# bash's process substitution and /dev/stdin need these; devtmpfs does not make them
ln -sf /proc/self/fd $r/dev/fd
ln -sf /proc/self/fd/0 $r/dev/stdin
ln -sf /proc/self/fd/1 $r/dev/stdout
ln -sf /proc/self/fd/2 $r/dev/stderr
for d in tmp run var/tmp; do mount -t tmpfs tmpfs "$r/$d"; done
chmod 1777 $r/tmp $r/var/tmp
mount -t debugfs debugfs $r/sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs $r/sys/kernel/tracing 2>/dev/null
mount -t bpf bpf $r/sys/fs/bpf 2>/dev/null
export HOME=/tmp
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
hostname agtrace-guest

echo # the console has the firmware's escape codes on the current line
chroot $r /bin/sh -c "cd '$proj' && exec /bin/sh '$cmd'" </dev/console >/dev/console 2>&1
status=$?
echo "$status" >"$r$cmd.status"
sync
echo "AGT-GUEST-EXIT=$status"
echo o >/proc/sysrq-trigger
sleep 10
