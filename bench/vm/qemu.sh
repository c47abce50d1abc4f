# shellcheck shell=bash
# The QEMU side of a live migration between two sites, for bench/migrate.sh and
# tests/netns/vm_migration.sh. Source it; it starts nothing by itself.
#
#   vm_qemu_cmd IMGDIR ADDR/PREFIX MAC TAP CONSOLE QMP [INCOMING-URI]
#       sets the array VM_CMD to the QEMU command line of the guest that bench/vm/build-image.sh
#       built in IMGDIR: TCG (nested KVM hangs on the lab machines), one vCPU, $VM_MEM MB
#       (128), no display, the serial console into the file CONSOLE, a QMP socket at QMP, and
#       virtio-net with MAC on the existing tap TAP. With INCOMING-URI (tcp:ADDR:PORT) it is the
#       destination of a migration: it listens there and runs nothing until the state arrives.
#       Source and destination get the same command line apart from that, as a migration needs.
#   vm_wait_ready CONSOLE PID SECS
#       until the guest's init wrote "l2vpn-vm: ready" on CONSOLE (eth0 up with its address);
#       fails when process PID exits first or SECS pass.
#   vm_tap NETNS TAP BRIDGE MAC
#       a fresh tap TAP (an old one is deleted first, with the bridge's entries learned on it)
#       with the host-side address MAC, as an up port of BRIDGE in namespace NETNS. Give it a
#       MAC that starts with fe:, as libvirt does for its taps: a Linux bridge whose address
#       was not set takes the lowest of its ports' addresses, so a tap with a random, lower one
#       would change the bridge's own MAC, and the other site, whose ARP cache still holds the
#       old one, could not reach the bridge's address for up to a minute (the ARP entry stays
#       REACHABLE for 15-45 s, then is probed; the TCP SYNs meanwhile back off to 32 s).

VM_MEM=${VM_MEM:-128}
VM_CMD=()

vm_qemu_cmd() {
	local img=$1 addr=$2 mac=$3 tap=$4 console=$5 qmp=$6 incoming=${7:-}
	VM_CMD=(qemu-system-x86_64 -accel tcg -m "$VM_MEM" -smp 1 -nodefaults -no-user-config
		-display none -no-reboot -serial "file:$console"
		-qmp "unix:$qmp,server=on,wait=off"
		-kernel "$img/vmlinuz" -initrd "$img/initramfs.cpio.gz"
		-append "console=ttyS0 loglevel=4 panic=-1 l2vpn.ip=$addr"
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no"
		-device "virtio-net-pci,id=vnet0,netdev=n0,mac=$mac")
	[ -z "$incoming" ] || VM_CMD+=(-incoming "$incoming")
}

vm_wait_ready() {
	local console=$1 pid=$2 i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -q 'l2vpn-vm: ready' "$console" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "vm_wait_ready: the guest did not report ready within $3 s (console: $console)" >&2
	return 1
}

vm_tap() {
	ip -n "$1" link del "$2" 2>/dev/null || true
	ip -n "$1" tuntap add dev "$2" mode tap &&
		ip -n "$1" link set "$2" address "$4" &&
		ip -n "$1" link set "$2" master "$3" &&
		ip -n "$1" link set "$2" up
}
