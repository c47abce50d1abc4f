#!/bin/sh
# /init of the soak test's LAN host VM (busybox sh, PID 1): load virtio-net, give eth0 the
# address from the kernel command line (l2vpn.ip=A.B.C.D/NN), answer ping (the kernel does) and
# serve iperf3 on port 5201 for as long as the VM runs. Progress goes to the serial console;
# "l2vpn-vm: ready" means eth0 is up and iperf3 listens.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
hostname l2vpn-vm

for m in $(cat /lib/modules/order); do
	insmod "/lib/modules/$m" || echo "l2vpn-vm: insmod $m failed"
done

addr=
for w in $(cat /proc/cmdline); do
	case $w in l2vpn.ip=*) addr=${w#l2vpn.ip=} ;; esac
done
i=0
while ! [ -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
ip link set lo up
ip link set eth0 up
[ -n "$addr" ] && ip addr add "$addr" dev eth0
echo "l2vpn-vm: eth0 $(cat /sys/class/net/eth0/address 2>/dev/null) $addr"

# iperf3 -s serves one test after another; restart it should it ever exit, so a failure shows
# in the host's figures rather than as a VM that stops answering.
iperf3 -s >/dev/null 2>&1 &
sleep 0.3
echo "l2vpn-vm: ready"
while true; do
	wait
	echo "l2vpn-vm: iperf3 server exited, restarting"
	iperf3 -s >/dev/null 2>&1 &
done
