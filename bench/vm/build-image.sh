#!/bin/bash
# Build the soak test's virtual LAN host from Debian packages: a Debian kernel (vmlinuz) and a
# busybox initramfs holding the virtio-net modules, iperf3 with its libraries and an init that
# brings eth0 up with the address given on the kernel command line and serves iperf3. Debian 12,
# as root (apt-get download runs as root):
#
#   bash bench/vm/build-image.sh OUTDIR
#
# Writes OUTDIR/vmlinuz and OUTDIR/initramfs.cpio.gz (about 8 MB + 5 MB) and does nothing when
# both exist and are newer than this script and init.sh. Needs busybox-static and iperf3
# installed (tests/deps.sh vm); the kernel package (linux-image-amd64's current dependency) is
# fetched with `apt-get download` and only unpacked, never installed on the host.
#
# Boot it with QEMU (TCG works; see bench/soak.sh):
#   qemu-system-x86_64 -accel tcg -m 256 -kernel OUTDIR/vmlinuz -initrd OUTDIR/initramfs.cpio.gz \
#     -append "console=ttyS0 l2vpn.ip=192.168.77.12/24" -netdev tap,... -device virtio-net-pci,...
set -euo pipefail

[ $# -eq 1 ] || {
	sed -n '6,7p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ "$out/vmlinuz" -nt "$0" ] && [ "$out/initramfs.cpio.gz" -nt "$0" ] &&
	[ "$out/initramfs.cpio.gz" -nt "$here/init.sh" ]; then
	exit 0
fi

for p in busybox iperf3; do
	command -v "$p" >/dev/null || {
		echo "build-image.sh: $p missing (bash tests/deps.sh vm)" >&2
		exit 1
	}
done

work=$(mktemp -d /tmp/l2vpn-vmimg.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The kernel package linux-image-amd64 currently points to, e.g. linux-image-6.1.0-57-amd64.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || {
	echo "build-image.sh: cannot resolve linux-image-amd64 (apt-get update?)" >&2
	exit 1
}
(cd "$work" && apt-get download -q "$kpkg" >/dev/null 2>&1) || {
	echo "build-image.sh: apt-get download $kpkg failed" >&2
	exit 1
}
dpkg-deb -x "$work"/"$kpkg"_*.deb "$work/k"
kver=$(basename "$(ls -d "$work"/k/lib/modules/*)")
kmods=$work/k/lib/modules/$kver

root=$work/root
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,lib/modules,lib64,lib/x86_64-linux-gnu}
cp "$(command -v busybox)" "$root/bin/busybox"
# busybox-static is one static binary: every applet the init uses is a link to it.
for a in sh mount mkdir ip insmod sleep cat echo ln ifconfig hostname poweroff uname grep \
	sed seq dmesg ps free top kill; do
	ln -s busybox "$root/bin/$a"
done

# iperf3 is dynamically linked: it and every library ldd names, at the same paths.
cp /usr/bin/iperf3 "$root/bin/iperf3"
ldd /usr/bin/iperf3 | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

# virtio-net over PCI, in load order (none is built into Debian's kernel).
for m in drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko \
	drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci_legacy_dev.ko \
	drivers/virtio/virtio_pci.ko net/core/failover.ko drivers/net/net_failover.ko \
	drivers/net/virtio_net.ko; do
	f=$kmods/kernel/$m
	[ -f "$f" ] || [ -f "$f.xz" ] || {
		echo "build-image.sh: $m not in $kpkg" >&2
		exit 1
	}
	if [ -f "$f.xz" ]; then
		xz -dc "$f.xz" >"$root/lib/modules/$(basename "$m")"
	else
		cp "$f" "$root/lib/modules/"
	fi
	basename "$m" >>"$root/lib/modules/order"
done

install -m 0755 "$here/init.sh" "$root/init"
# Temporary names of this build's own, renamed into place: two builds at once (tests running
# in parallel) never leave a half-written image.
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$out/initramfs.cpio.gz.$$"
cp "$work"/k/boot/vmlinuz-* "$out/vmlinuz.$$"
mv "$out/vmlinuz.$$" "$out/vmlinuz"
mv "$out/initramfs.cpio.gz.$$" "$out/initramfs.cpio.gz"
echo "$kpkg" >"$out/kernel-package"
echo "build-image.sh: $out/vmlinuz ($kpkg) and $out/initramfs.cpio.gz" >&2
