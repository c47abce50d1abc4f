#!/bin/bash
# Switch ports are recycled: a site's port is assigned when it completes its HELLO and freed
# when it goes, so strangers' connections never use them up. Site b is connected; then a
# stranger makes 70,000 TCP connect/close cycles to the server (conn-flood, bounded in time);
# then site c connects. The server still learns c's LAN host's MAC (it is in the status file
# behind c's certificate) and unicast from the server's LAN to that host goes to c only: site b's
# LAN host does not receive a flooded copy. Before the fix every accepted connection took a new
# port number and the MAC table ignores numbers beyond 65535, so c's MACs were never learned
# and its unicast was flooded to every site.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs
lab_tool FLOOD conn-flood

lab_step "PKI (clients vpnc, vpnc2) and three sites with br0 and a LAN host" lab_three_sites
LAB_REMOTE=$(lab_wan_ip a)
# The stranger's connections all get a pending slot (no per-source refusal at accept), so each
# one is a connection the server set up and tore down.
ok "srv: server.conf" lab_conf server.conf srv "verb 3" "preauth-max-per-source 128"
ok "cli-b: client.conf" lab_conf client.conf cli-b "verb 3"
ok "cli-c: client.conf with vpnc2's certificate" lab_conf client.conf cli-c \
	"cert vpnc2.example.com.crt" "key vpnc2.example.com.key" "verb 3"
lab_start a srv
lab_start b cli-b
ok "site b up" lab_wait_up cli-b
ok "hb0 reaches ha0" lab_wait_ping hb0 "$(lab_host_ip a 0)" 5

cycles=${PORT_RECYCLING_CYCLES:-70000}
out=$(ns_exec c "$FLOOD" cycle "$(lab_wan_ip a)" 1194 "$cycles" 120 2>&1)
diag "conn-flood: $out"
ok "$cycles stranger connect/close cycles completed" grep -q "done $cycles\$" <<<"$out"
ok "the server is still running" lab_running srv
ok "site b never lost its link" test "$(lab_count cli-b ': link up ')" -eq 1

lab_start c cli-c
ok "site c up after the flood" lab_wait_up cli-c 1 20
ok "hc0 reaches ha0" lab_wait_ping hc0 "$(lab_host_ip a 0)" 5
mac_c=$(ns_exec hc0 cat /sys/class/net/eth0/address)
learned() { grep -Eqi "^$mac_c(@0)?,vpnc2.example.com," "$WORK/srv.status"; }
ok "the server learned hc0's MAC $mac_c behind site c (status file)" lab_within 5 learned

# 300 pings of 1000 bytes from the server's LAN to hc0: with c's MAC learned they go to c only.
rx0=$(lab_rx_bytes hb0 eth0)
ns_exec ha0 ping -n -q -c 300 -i 0.01 -s 1000 -W 1 "$(lab_host_ip c 0)" >"$WORK/ping.out" 2>&1
ok "hc0 answered the unicast pings" grep -Eq ' 0% packet loss|[ ,]([0-9]|[0-9][0-9])% packet loss' \
	"$WORK/ping.out"
rx1=$(lab_rx_bytes hb0 eth0)
diag "hb0 received $((rx1 - rx0)) bytes during 300 kB of unicast to hc0"
ok "unicast to site c is not flooded to site b (hb0 got $((rx1 - rx0)) bytes < 60000)" \
	test $((rx1 - rx0)) -lt 60000

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
