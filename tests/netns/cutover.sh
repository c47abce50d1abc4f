#!/bin/bash
# From OpenVPN to l2vpn and back without losing a TCP session. Two sites as the README's
# cutover describes them: persistent taps in br0 (ifupdown's `l2vpn --mktun`), OpenVPN 2.6
# running the seed's server and client configs (conf-examples/ without l2vpn's `bridge` line),
# a TCP stream from hb0 to ha0 for the whole test and a 20 Hz ping. The cutover: stop the
# OpenVPN client and server, start l2vpn with the same two files at the server site, then
# at the client site. The rollback: the same in reverse. Asserted: the TCP stream arrives
# whole (sha256 and length as sent), and the ping's longest gap at each switch is at most 2 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd openvpn python3
lab_need_programs
STREAM=$(dirname "$0")/stream.py

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a persistent tap0 and a LAN host" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
ok "server.conf for both (without l2vpn's bridge line)" lab_conf server.conf srv -bridge
ok "client.conf for both (connect-retry 1)" lab_conf client.conf cli -bridge "connect-retry 1"
ha0=$(lab_host_ip a 0)

# openvpn_up / openvpn_down, l2vpn_up / l2vpn_down: each end in its namespace, started in the
# PKI directory so the configs' relative file names resolve.
openvpn_up() {
	bg a ovpn-srv-$1 openvpn --cd "$LAB_PKI" --config "$LAB_PKI/srv.conf"
	bg b ovpn-cli-$1 openvpn --cd "$LAB_PKI" --config "$LAB_PKI/cli.conf"
}
openvpn_down() { stop "ovpn-cli-$1"; stop "ovpn-srv-$1"; }
l2vpn_up() { lab_start a "l2-srv-$1" srv && lab_start b "l2-cli-$1" cli; }
l2vpn_down() { stop "l2-cli-$1"; stop "l2-srv-$1"; }
# through: hb0 reaches ha0.
through() { lab_ping hb0 "$ha0"; }
now() { date +%s.%N; }
# max_gap FROM TO: the longest time between two ping replies (ping -D stamps) in [FROM, TO].
max_gap() {
	awk -v from="$1" -v to="$2" -F'[][]' '/bytes from/ { t = $2 + 0; if (t < from || t > to) next;
		if (last) { g = t - last; if (g > max) max = g } last = t }
		END { printf "%.2f", max + 0 }' "$WORK/ping.log"
}

openvpn_up 1
ok "OpenVPN carries the LAN: hb0 reaches ha0" wait_for 20 through
bg ha0 stream-recv /usr/bin/python3 "$STREAM" recv "$ha0" 5001 "$WORK/recv.sum"
sleep 0.5
bg hb0 stream-send /usr/bin/python3 "$STREAM" send "$ha0" 5001 40 "$WORK/send.sum"
bg hb0 ping ping -D -n -i 0.05 "$ha0"
sleep 5

t0=$(now)
openvpn_down 1
l2vpn_up 1
ok "cutover: l2vpn's link is up" lab_wait_up l2-cli-1
ok "cutover: hb0 reaches ha0 through l2vpn" wait_for 10 through
sleep 8
t1=$(now)
g=$(max_gap "$t0" "$t1")
ok "cutover: the longest ping gap is ${g} s (at most 2 s)" awk -v g="$g" 'BEGIN { exit !(g <= 2) }'

l2vpn_down 1
openvpn_up 2
ok "rollback: hb0 reaches ha0 through OpenVPN again" wait_for 20 through
sleep 8
t2=$(now)
g=$(max_gap "$t1" "$t2")
ok "rollback: the longest ping gap is ${g} s (at most 2 s)" awk -v g="$g" 'BEGIN { exit !(g <= 2) }'

ok "the TCP stream ended" wait_for 60 test -s "$WORK/send.sum"
ok "... and was received" wait_for 10 test -s "$WORK/recv.sum"
diag "sent $(cat "$WORK/send.sum"), received $(cat "$WORK/recv.sum")"
ok "the TCP session survived both switches: every byte arrived, in order (sha256, length)" \
	cmp -s "$WORK/send.sum" "$WORK/recv.sum"
stop ping
openvpn_down 2
lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
