#!/bin/bash
# A site revoked while connected is cut off. The server (crl-verify on a CRL file of its own)
# has two clients up, vpnc (site b) and vpnc2 (site c). The operator revokes vpnc2 with
# `l2vpn-ca revoke-full` and copies the new crl.pem into place, nothing else (a stray TCP
# connection right after makes the server load it for a handshake first): within 5 s the
# server closes vpnc2's link, logging its CN and serial, refuses its reconnect attempts, and
# site c is out; vpnc's link never drops and its pings all come back meanwhile.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd openssl
lab_need_programs

lab_step "PKI (clients vpnc, vpnc2), a first CRL, three sites with br0 and a LAN host" \
	eval 'lab_three_sites && lab_ca gen-crl && mkdir "$WORK/live" && cp "$LAB_PKI/crl.pem" "$WORK/live/crl.pem"'
LAB_REMOTE=$(lab_wan_ip a)
ha0=$(lab_host_ip a 0)
ok "srv: server.conf with crl-verify on its own copy of the CRL" \
	lab_conf server.conf srv "crl-verify $WORK/live/crl.pem"
ok "cli-b: client.conf (vpnc)" lab_conf client.conf cli-b
ok "cli-c: client.conf with vpnc2's certificate" lab_conf client.conf cli-c \
	"cert vpnc2.example.com.crt" "key vpnc2.example.com.key"
lab_start a srv
lab_start b cli-b
lab_start c cli-c
ok "server: two links up" lab_wait_up srv 2
ok "client b: link up" lab_wait_up cli-b
ok "client c: link up" lab_wait_up cli-c
ok "hb0 pings ha0" lab_wait_ping hb0 "$ha0" 5
ok "hc0 pings ha0" lab_wait_ping hc0 "$ha0" 5

serial=$(openssl x509 -in "$LAB_PKI/vpnc2.example.com.crt" -noout -serial | cut -d= -f2)
# hb0 pings ha0 five times a second through everything that follows.
bg hb0 ping-b ping -n -c 60 -i 0.2 -W 1 "$ha0"
sleep 1
lab_step "vpnc2 revoked with l2vpn-ca revoke-full" lab_ca revoke-full vpnc2.example.com
ok "the new CRL lists vpnc2's serial $serial" eval \
	'openssl crl -in "$LAB_PKI/crl.pem" -noout -text | grep -qi "Serial Number: $serial"'
cp "$LAB_PKI/crl.pem" "$WORK/live/crl.pem"
# A new TCP connection right away makes the server load the new CRL for that handshake before
# its once-a-second check: connected peers must be re-checked all the same.
ns_exec b bash -c "exec 3<>/dev/tcp/$LAB_REMOTE/1194" 2>/dev/null
closed="vpnc2\\.example\\.com/[0-9.:]+: connection closed: certificate revoked \\(serial $serial\\)"
if lab_within 5 lab_logged srv "$closed"; then
	pass "server closes vpnc2's link within 5 s, naming CN and serial ($LAB_ELAPSED s)"
else
	fail "server closes vpnc2's link within 5 s, naming CN and serial" "$(tail -n 5 "$WORK/srv.log")"
fi
ok "client c saw its connection end" wait_for 5 lab_logged cli-c 'connection closed'
ok "client c's reconnect attempts are refused (certificate revoked)" wait_for 10 \
	lab_logged srv 'TLS handshake failed: certificate verification failed: certificate revoked'
fails "hc0 no longer reaches ha0" lab_ping hc0 "$ha0" 3
ok "client c never came up again" test "$(lab_count cli-c ': link up ')" -eq 1
ok "client b never went down" test "$(lab_count cli-b ': link up ')" -eq 1
# (A refused first connect, while the server was still starting, is not a link going down.)
fails "client b's connection was never closed" eval \
	'grep "connection closed" "$WORK/cli-b.log" | grep -v "Connection refused"'
ok "the server logged one revocation close" test "$(lab_count srv 'certificate revoked \(serial')" -eq 1
ok "hb0's 60 pings during all this all came back" eval \
	'wait_for 15 eval "! kill -0 \$(cat $WORK/ping-b.pid)"; grep -q " 60 received, 0% packet loss" "$WORK/ping-b.log"'

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
