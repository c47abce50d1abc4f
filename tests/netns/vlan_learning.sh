#!/bin/bash
# VLAN-aware learning. Three sites, the server at a (client-to-client), clients at b and c.
# The LAN hosts at b and c both send 802.1Q-tagged frames from one virtual MAC (as VRRP does) to
# a's host, b in VLAN 10 and c in VLAN 20, taking turns ten times (frame-gen). The server keeps them as
# two entries: its status lists the MAC as MAC@10 on b's site and MAC@20 on c's, and it logs no
# move and no flapping for it (one MAC table for all VLANs would have it flapping). Then a's
# host sends 200 frames to that MAC in VLAN 20: c's host receives them, b's host none; in VLAN
# 30, where the MAC is unknown, they are flooded to both.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs
lab_tool GEN frame-gen
VMAC=00:00:5e:00:01:01

lab_step "PKI (clients vpnc, vpnc2) and three sites with br0 and a LAN host" lab_three_sites
LAB_REMOTE=$(lab_wan_ip a)
ok "srv: server.conf with client-to-client, status every second" lab_conf server.conf srv \
	client-to-client "status-version 2"
ok "cli-b: client.conf" lab_conf client.conf cli-b
ok "cli-c: client.conf with vpnc2's certificate" lab_conf client.conf cli-c \
	"cert vpnc2.example.com.crt" "key vpnc2.example.com.key"
lab_start a srv
lab_start b cli-b
lab_start c cli-c
ok "server: two links up" lab_wait_up srv 2
ok "hb0 and hc0 reach ha0" eval 'lab_wait_ping hb0 "$(lab_host_ip a 0)" 5 &&
	lab_wait_ping hc0 "$(lab_host_ip a 0)" 5'

# send HOST VLAN: frame-gen on HOST's eth0, 5 frames from the virtual MAC to a's host (unicast:
# a broadcast would also reach the other site, whose VLAN-unaware lab bridge would then see the
# MAC behind its tap).
ha0_mac=$(ns_exec ha0 cat /sys/class/net/eth0/address)
send() {
	ns_exec "$1" "$GEN" --dev eth0 --count 5 --src "$VMAC" --dst "$ha0_mac" --vlan "$2" \
		--seconds 5 >>"$WORK/gen.log" 2>&1
}
# a's host makes itself known in both VLANs first (one broadcast each), so the virtual MAC's
# frames to it go to a alone: to the switch, a MAC learned untagged is unknown in VLAN 10.
for vid in 10 20; do
	ns_exec ha0 "$GEN" --dev eth0 --count 1 --vlan "$vid" --seconds 5 >>"$WORK/gen.log" 2>&1
done
for _ in 1 2 3 4 5 6 7 8 9 10; do
	send hb0 10 && send hc0 20 || break
	sleep 0.1
done
# route VID CN: the status file lists the virtual MAC in VLAN VID on CN's site.
route() { grep -q "^ROUTING_TABLE,$VMAC@$1,$2," "$WORK/srv.status"; }
ok "status: $VMAC@10 on vpnc.example.com (site b)" wait_for 5 route 10 vpnc.example.com
ok "status: $VMAC@20 on vpnc2.example.com (site c)" wait_for 5 route 20 vpnc2.example.com
fails "no move logged for $VMAC" lab_logged srv "MAC $VMAC(@[0-9]+)? moved"
fails "no flapping logged for $VMAC" lab_logged srv "MAC $VMAC.* is flapping"

rx() { ns_exec "$1" cat /sys/class/net/eth0/statistics/rx_packets; }
# deliver VID: a's host sends 200 frames to the virtual MAC in VLAN VID; prints how many more
# frames b's and c's hosts received meanwhile, "B C".
# (It waits up to 5 s for the frames to arrive where they should, then half a second more for
# any that should not.)
deliver() {
	local b0 c0 i
	b0=$(rx hb0)
	c0=$(rx hc0)
	ns_exec ha0 "$GEN" --dev eth0 --count 200 --rate 2000 --dst "$VMAC" --vlan "$1" \
		--seconds 5 >>"$WORK/gen.log" 2>&1
	for ((i = 0; i < 50; i++)); do
		[ $(($(rx hc0) - c0)) -ge 200 ] && { [ "$1" = 20 ] || [ $(($(rx hb0) - b0)) -ge 200 ]; } &&
			break
		sleep 0.1
	done
	sleep 0.5
	echo "$(($(rx hb0) - b0)) $(($(rx hc0) - c0))"
}
read -r b c <<<"$(deliver 20)"
diag "VLAN 20: b's host received $b frames, c's host $c"
ok "VLAN 20: c's host received the 200 frames" test "$c" -ge 200
ok "VLAN 20: b's host received none of them (fewer than 5 frames of any kind)" test "$b" -lt 5
read -r b c <<<"$(deliver 30)"
diag "VLAN 30: b's host received $b frames, c's host $c"
ok "VLAN 30 (the MAC unknown there): flooded to both sites" eval \
	'[ "$b" -ge 200 ] && [ "$c" -ge 200 ]'

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
