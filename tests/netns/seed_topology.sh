#!/bin/bash
# The operators' seed topology: two sites, each with br0 (LAN host + tap0) and br1 (second LAN
# host + tap1); at site a two servers (server.conf: 1194/tap0, server2.conf: 1195/tap1), at
# site b two clients (client.conf, client2.conf), all derived from conf-examples/. `ping -b` on
# each LAN's broadcast address gets replies from the other site's host and bridge, and nothing
# crosses from one LAN to the other.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs

ok "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0 and br1, a LAN host on each" lab_two_sites 2

LAB_REMOTE=$(lab_wan_ip a)
ok "srv0 from server.conf" lab_conf server.conf srv0
ok "srv1 from server2.conf" lab_conf server2.conf srv1
ok "cli0 from client.conf" lab_conf client.conf cli0
ok "cli1 from client2.conf" lab_conf client2.conf cli1
# The templates' own wiring: first LAN on tap0/1194, second on tap1/1195.
has() { grep -Eq -- "$2" "$LAB_PKI/$1.conf"; }
ok "server.conf: dev tap0, port 1194" eval 'has srv0 "^dev tap0" && has srv0 "^(port|lport) 1194"'
ok "server2.conf: dev tap1, port 1195" eval 'has srv1 "^dev tap1" && has srv1 "^(port|lport) 1195"'
ok "client.conf: dev tap0, remote port 1194" eval 'has cli0 "^dev tap0" && has cli0 "^remote [^ ]+ 1194"'
ok "client2.conf: dev tap1, remote port 1195" eval 'has cli1 "^dev tap1" && has cli1 "^remote [^ ]+ 1195"'

lab_start a srv0
lab_start a srv1
lab_start b cli0
lab_start b cli1
for d in srv0 srv1 cli0 cli1; do ok "$d: link up" lab_wait_up "$d"; done

for k in 0 1; do
	lab_bping "ha$k" "$(lab_bcast "$k")"
	diag "ping -b $(lab_bcast "$k") from ha$k:"
	printf '%s\n' "$BPING" | grep 'bytes from' | sed 's/^/#   /'
	ok "LAN $k: ping -b from site a answered by site b's host $(lab_host_ip b "$k")" \
		lab_replied "$(lab_host_ip b "$k")"
	ok "LAN $k: ping -b from site a answered by site b's br$k $(lab_br_ip b "$k")" \
		lab_replied "$(lab_br_ip b "$k")"
	other=$((1 - k))
	fails "LAN $k: no reply from the other LAN's addresses" \
		eval 'printf "%s\n" "$BPING" | grep -q "from 192\.168\.$((10 + other))\."'
	lab_bping "hb$k" "$(lab_bcast "$k")"
	ok "LAN $k: ping -b from site b answered by site a's host and br$k" \
		eval 'lab_replied "$(lab_host_ip a "$k")" && lab_replied "$(lab_br_ip a "$k")"'
	ok "LAN $k: unicast ping ha$k -> hb$k" lab_ping "ha$k" "$(lab_host_ip b "$k")" 3
done

# No leak between the LANs: a burst of 200 large broadcast pings on one LAN reaches the other
# site of that LAN (its host's eth0 counts the bytes) but adds next to nothing to the receive
# counters of the other LAN's hosts at both sites (a leak would add ~290 KB).
burst_bytes=$((200 * 1442))
leak_check() {
	local k=$1 o=$((1 - $1)) before_same before_a before_b grew_same grew_a grew_b
	before_same=$(lab_rx_bytes "hb$k" eth0)
	before_a=$(lab_rx_bytes "ha$o" eth0)
	before_b=$(lab_rx_bytes "hb$o" eth0)
	ns_exec "ha$k" ping -n -q -b -c 200 -i 0.005 -s 1400 "$(lab_bcast "$k")" >/dev/null 2>&1
	grew_same=$(($(lab_rx_bytes "hb$k" eth0) - before_same))
	grew_a=$(($(lab_rx_bytes "ha$o" eth0) - before_a))
	grew_b=$(($(lab_rx_bytes "hb$o" eth0) - before_b))
	diag "burst on LAN $k: hb$k eth0 +$grew_same bytes, ha$o eth0 +$grew_a, hb$o eth0 +$grew_b"
	ok "LAN $k burst crossed the tunnel to hb$k (>= 90% of $burst_bytes bytes)" \
		test "$grew_same" -ge $((burst_bytes * 9 / 10))
	ok "LAN $k burst did not reach LAN $o hosts (< 10% of it at ha$o and hb$o)" \
		test "$grew_a" -lt $((burst_bytes / 10)) -a "$grew_b" -lt $((burst_bytes / 10))
}
leak_check 0
leak_check 1

lab_stop_all
for d in srv0 srv1 cli0 cli1; do
	ok "$d: SIGTERM: exit status 0 logged" lab_logged "$d" 'exiting with status 0'
done
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
