#!/bin/sh
# initramfs.sh KDIR - builds KDIR/initramfs.gz for the kernel unpacked in KDIR by fetch.sh: a
# static busybox, guest-init.sh as /init, and the modules that reach the host over 9p (Debian
# builds virtio_pci, 9pnet_virtio and 9p as modules), with everything they depend on, loaded in
# dependency order. Modules are stored uncompressed: busybox's insmod cannot read .ko.xz.
set -eu
kdir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out=$kdir/initramfs.gz
[ -f "$out" ] && [ "$out" -nt "$here/guest-init.sh" ] && exit 0
ver=$(ls "$kdir/lib/modules")
mods=$kdir/lib/modules/$ver
[ -f "$mods/modules.dep" ] || depmod -b "$kdir" "$ver"
bb=$(command -v busybox) || { echo "initramfs.sh: busybox missing (apt-get install busybox-static)" >&2; exit 1; }

root=$kdir/initramfs.d
rm -rf "$root"
mkdir -p "$root/bin" "$root/mod"
cp "$bb" "$root/bin/busybox"
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"

# dependency closure, dependencies first; a module not in modules.dep is built in
order=$root/mod/order
: >"$order"
add() {
	local line path dep d
	line=$(grep -E "(^|/)$1\.ko(\.xz|\.zst)?:" "$mods/modules.dep" || true)
	[ -n "$line" ] || return 0
	path=${line%%:*}
	grep -qx "$path" "$order" && return 0
	for dep in ${line#*:}; do
		d=$(basename "$dep")
		add "${d%%.ko*}"
	done
	echo "$path" >>"$order"
}
for m in virtio_pci 9pnet_virtio 9p; do add "$m"; done
n=0
while read -r path; do
	n=$((n + 1))
	f=$root/mod/$(printf '%02d' $n)-$(basename "${path%%.ko*}").ko
	case $path in
	*.xz) xz -dc "$mods/$path" >"$f" ;;
	*.zst) zstd -qdc "$mods/$path" >"$f" ;;
	*) cp "$mods/$path" "$f" ;;
	esac
done <"$order"
rm "$order"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$root"
