#!/bin/sh
# fetch.sh NAME CACHE - Debian's kernel image NAME (5.10, 6.1 or 6.12) unpacked under
# CACHE/NAME/ (vmlinuz, lib/modules/VERSION). Nothing is installed on the host: the .deb is
# fetched with `apt-get download` and unpacked with dpkg-deb -x. bookworm's kernels come from the
# host's own lists; bullseye's 5.10 from a private list directory under CACHE/apt-bullseye, so the
# host's apt state is never touched. Idempotent: an unpacked kernel is reused as it is.
set -eu
name=$1
cache=$(mkdir -p "$2" && cd "$2" && pwd) # apt resolves relative Dir:: paths from /
dir=$cache/$name
[ -f "$dir/vmlinuz" ] && exit 0


apt_opts="-o APT::Sandbox::User=root"
case $name in
5.10)
	# bullseye's lists in our own directory; the host keeps only its bookworm sources
	b=$cache/apt-bullseye
	mkdir -p "$b/lists/partial" "$b/cache/archives/partial"
	printf '%s\n' "deb http://deb.debian.org/debian bullseye main" \
		"deb http://deb.debian.org/debian-security bullseye-security main" >"$b/sources.list"
	apt_opts="$apt_opts -o Dir::Etc::SourceList=$b/sources.list -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists=$b/lists -o Dir::Cache=$b/cache -o Dir::State::status=/dev/null"
	[ -f "$b/updated" ] || { apt-get $apt_opts update -qq >/dev/null && touch "$b/updated"; }
	meta=linux-image-amd64
	;;
6.1) meta=linux-image-amd64 ;;
6.12) meta=linux-image-6.12-amd64 ;;
*)
	echo "fetch.sh: unknown kernel $name (5.10, 6.1, 6.12)" >&2
	exit 1
	;;
esac
# shellcheck disable=SC2086
pkg=$(apt-cache $apt_opts depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
if [ -z "$pkg" ]; then
	# the host's lists may be stale or missing (a fresh CI machine)
	# shellcheck disable=SC2086
	apt-get $apt_opts update -qq >/dev/null
	# shellcheck disable=SC2086
	pkg=$(apt-cache $apt_opts depends "$meta" | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
fi
[ -n "$pkg" ] || { echo "fetch.sh: no package behind $meta" >&2; exit 1; }

tmp=$cache/tmp-$name
rm -rf "$tmp"
mkdir -p "$tmp"
echo "  FETCH    $pkg" >&2
# shellcheck disable=SC2086
(cd "$tmp" && apt-get $apt_opts download -qq "$pkg" >/dev/null)
dpkg-deb -x "$tmp"/*.deb "$tmp/x"
rm -rf "$dir"
mkdir -p "$dir/lib"
mv "$tmp"/x/boot/vmlinuz-* "$dir/vmlinuz"
# only what the initramfs takes (initramfs.sh): ~40 MB instead of ~400 MB a kernel
m=$(ls "$tmp/x/lib/modules")
mkdir -p "$dir/lib/modules/$m/kernel/fs" "$dir/lib/modules/$m/kernel/net" "$dir/lib/modules/$m/kernel/drivers"
cp "$tmp/x/lib/modules/$m"/modules.* "$dir/lib/modules/$m/"
for sub in fs/9p fs/netfs fs/fscache net/9p drivers/virtio; do
	[ -d "$tmp/x/lib/modules/$m/kernel/$sub" ] &&
		cp -r "$tmp/x/lib/modules/$m/kernel/$sub" "$dir/lib/modules/$m/kernel/$sub"
done
echo "$pkg" >"$dir/package"
rm -rf "$tmp"
