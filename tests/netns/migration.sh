#!/bin/bash
# Live migration across sites: a "VM" (its own namespace, fixed MAC and address) runs at site b
# and is reached from site a's host; it moves to site c (its port vanishes at b, appears at c)
# and announces itself with one gratuitous ARP, as hypervisors do. The server's switch (hub at
# site a, client-to-client) follows the MAC at once: the next ping from a reaches the VM at c,
# the server logs the move, and nothing goes to b any more.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd python3
lab_need_programs

VM_MAC=02:00:00:00:be:ef
VM_IP=192.168.10.99
lab_step "PKI (clients vpnc, vpnc2) and three sites with br0 and a LAN host" lab_three_sites
LAB_REMOTE=$(lab_wan_ip a)
ok "srv: server.conf with client-to-client" lab_conf server.conf srv client-to-client "verb 3"
ok "cli-b: client.conf" lab_conf client.conf cli-b
ok "cli-c: client.conf with vpnc2's certificate" lab_conf client.conf cli-c \
	"cert vpnc2.example.com.crt" "key vpnc2.example.com.key"

# plug_vm SITE: the VM's eth0 on a new veth in SITE's br0, same MAC and address every time.
plug_vm() {
	ip -n "$(ns "$1")" link add vmport type veth peer name eth0 netns "$(ns vm)" &&
		ip -n "$(ns vm)" link set eth0 address "$VM_MAC" &&
		ip -n "$(ns vm)" addr add "$VM_IP/24" dev eth0 &&
		ip -n "$(ns vm)" link set eth0 up &&
		ip -n "$(ns "$1")" link set vmport master br0 &&
		ip -n "$(ns "$1")" link set vmport up
}
ns_add vm
ok "the VM runs at site b" plug_vm b

lab_start a srv
lab_start b cli-b
lab_start c cli-c
ok "server: two links up" lab_wait_up srv 2
ok "site a's host reaches the VM at site b" lab_wait_ping ha0 "$VM_IP" 5
ok "the server learned the VM's MAC behind site b" \
	wait_for 3 grep -q "^$VM_MAC@0,vpnc.example.com," "$WORK/srv.status"

# Migrate: the port disappears at b and appears at c; the VM announces itself once.
ip -n "$(ns b)" link del vmport
ok "the VM moved to site c" plug_vm c
ok "the VM sends a gratuitous ARP" ns_exec vm python3 "$L2VPN_SOURCE_ROOT/tests/netns/garp.py" eth0 "$VM_IP"
ok "the next ping from site a reaches the VM at site c (one try, 1 s)" \
	ns_exec ha0 ping -n -c 1 -W 1 "$VM_IP"
ok "the server logged the MAC move from b to c" \
	lab_logged srv "MAC $VM_MAC moved from vpnc.example.com/.* to vpnc2.example.com/"
ok "the server's status now lists the VM behind site c" \
	wait_for 3 grep -q "^$VM_MAC@0,vpnc2.example.com," "$WORK/srv.status"

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
