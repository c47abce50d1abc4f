#!/bin/bash
# Three sites: a server at site a with `client-to-client`, clients at sites b and c (their own
# certificates). Hosts at all three sites reach each other by unicast, and a broadcast ping from
# any site is answered by the hosts of the other two. The twin: without client-to-client the
# server's tap is the only way between clients, and a bridge never sends a frame back out the
# port it came from, so b and c do not reach each other while both still reach a.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs

lab_step "PKI (clients vpnc, vpnc2) and three sites with br0 and a LAN host" lab_three_sites
LAB_REMOTE=$(lab_wan_ip a)
ok "srv-c2c: server.conf with client-to-client" lab_conf server.conf srv-c2c client-to-client
ok "srv-plain: server.conf as shipped (no client-to-client)" lab_conf server.conf srv-plain
ok "cli-b: client.conf" lab_conf client.conf cli-b
ok "cli-c: client.conf with vpnc2's certificate" lab_conf client.conf cli-c \
	"cert vpnc2.example.com.crt" "key vpnc2.example.com.key"

sites=(a b c)
reach() { lab_within 5 lab_ping "h${1}0" "$(lab_host_ip "$2" 0)"; }

lab_start a srv-c2c
lab_start b cli-b
lab_start c cli-c
ok "server: two links up" lab_wait_up srv-c2c 2
ok "client b: link up" lab_wait_up cli-b
ok "client c: link up" lab_wait_up cli-c
for from in "${sites[@]}"; do
	for to in "${sites[@]}"; do
		[ "$from" = "$to" ] && continue
		ok "client-to-client: h${from}0 pings h${to}0" reach "$from" "$to"
	done
done
for from in "${sites[@]}"; do
	lab_bping "h${from}0" "$(lab_bcast 0)"
	diag "ping -b from h${from}0:"
	printf '%s\n' "$BPING" | grep 'bytes from' | sed 's/^/#   /'
	for to in "${sites[@]}"; do
		[ "$from" = "$to" ] && continue
		ok "client-to-client: ping -b from site $from answered by h${to}0 and br0 at $to" \
			eval 'lab_replied "$(lab_host_ip "$to" 0)" && lab_replied "$(lab_br_ip "$to" 0)"'
	done
done
stop srv-c2c

lab_start a srv-plain
ok "plain server: two links up" lab_wait_up srv-plain 2
ok "client b: link up again" lab_wait_up cli-b 2
ok "client c: link up again" lab_wait_up cli-c 2
ok "no client-to-client: hb0 pings ha0" reach b a
ok "no client-to-client: hc0 pings ha0" reach c a
fails "no client-to-client: hb0 does not reach hc0" lab_ping hb0 "$(lab_host_ip c 0)" 2
fails "no client-to-client: hc0 does not reach hb0" lab_ping hc0 "$(lab_host_ip b 0)" 2

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
