#!/bin/bash
# TLS key lifetime. With small limits (server `reneg-bytes 4000000`, client `reneg-bytes
# 6000000` and `reneg-sec 2`; each end counts what it sent and received and asks for its own
# updates), a 64 MB file crosses a TLS 1.3 link with its sha256 intact while both ends log
# several in-place key updates (verb 4) and the link never goes down. A client capped at TLS
# 1.2 (`tls-version-max 1.2`) cannot update keys in place: when its limit is reached it says
# goodbye and reconnects at once, and traffic flows again on the new session.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd socat sha256sum
lab_need_programs

MB=$((1024 * 1024))
lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
head -c $((64 * MB)) /dev/urandom >"$WORK/file.bin"
hb0=$(lab_host_ip b 0)
LAB_REMOTE=$(lab_wan_ip a)

listening() { ns_exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN; }
gone() { ! kill -0 "$(cat "$WORK/$1.pid")" 2>/dev/null; }
# send FILE BYTES TAG: the first BYTES of FILE from ha0 to hb0 (socat over TCP) into TAG.recv.
send() {
	bg hb0 "rx-$3" socat -u TCP-LISTEN:5001,reuseaddr "CREATE:$WORK/$3.recv"
	wait_for 5 listening hb0 5001 || return 1
	head -c "$2" "$1" | timeout 90 ip netns exec "$(ns ha0)" socat -u - "TCP:$hb0:5001" ||
		return 1
	wait_for 20 gone "rx-$3"
}
same_sha() { [ "$(head -c "$3" "$1" | sha256sum)" = "$(sha256sum <"$2")" ]; }
at_least() { [ "$(lab_count "$1" "$2")" -ge "$3" ]; }

ok "srv: server.conf, verb 4, reneg-bytes 4000000" lab_conf server.conf srv -comp-lzo \
	"verb 4" "reneg-bytes 4000000"
ok "cli: client.conf, verb 4, reneg-bytes 6000000, reneg-sec 2" lab_conf client.conf cli \
	-comp-lzo "verb 4" "reneg-bytes 6000000" "reneg-sec 2"
lab_start a srv
lab_start b cli
ok "server link up" lab_wait_up srv
ok "client link up" lab_wait_up cli
ok "the link runs TLS 1.3" lab_logged cli ': link up \(TLSv1\.3,'
ok "ping crosses" lab_wait_ping ha0 "$hb0" 5
start=$SECONDS
lab_step "64 MB file sent a -> b" send "$WORK/file.bin" $((64 * MB)) big
diag "64 MB took $((SECONDS - start)) s"
ok "it arrived with the same sha256" same_sha "$WORK/file.bin" "$WORK/big.recv" $((64 * MB))
diag "key updates: server $(lab_count srv 'TLS key update'), client $(lab_count cli 'TLS key update')"
ok "server logged at least 8 key updates for reneg-bytes" at_least srv \
	'TLS key update [0-9]+ \(reneg-bytes: [0-9]+ bytes, [0-9]+ frames' 8
ok "client logged at least 5 key updates for reneg-bytes" at_least cli \
	'TLS key update [0-9]+ \(reneg-bytes: [0-9]+ bytes, [0-9]+ frames' 5
ok "client also updates keys every 2 s (reneg-sec) on an idle link" \
	wait_for 5 at_least cli 'TLS key update [0-9]+ \(reneg-sec: ' 2
ok "ping still crosses after the updates" lab_wait_ping ha0 "$hb0" 5
ok "the link never went down: one link up on the server" test "$(lab_count srv ': link up ')" -eq 1
ok "... and one on the client" test "$(lab_count cli ': link up ')" -eq 1
# (A refused first connect, while the server was still starting, is not a link going down.)
fails "no connection closed on either end" eval \
	'grep -h "connection closed" "$WORK/srv.log" "$WORK/cli.log" | grep -v "Connection refused"'
stop cli

# TLS 1.2: no in-place update; a planned reconnect at the limit.
ok "cli12: client.conf with tls-version-max 1.2, reneg-bytes 4000000" lab_conf client.conf \
	cli12 -comp-lzo "verb 4" "tls-version-max 1.2" "reneg-bytes 4000000" "reneg-sec 0"
lab_start b cli12
ok "cli12: link up with TLS 1.2" wait_for 15 lab_logged cli12 ': link up \(TLSv1\.2,'
ok "cli12: ping crosses" lab_wait_ping ha0 "$hb0" 5
lab_step "cli12: 8 MB sent a -> b across the reconnects" send "$WORK/file.bin" $((8 * MB)) small
ok "cli12: it arrived with the same sha256" same_sha "$WORK/file.bin" "$WORK/small.recv" $((8 * MB))
# Whichever end reaches its limit first says goodbye; the client logs it either way.
ok "cli12: the client logs the planned reconnect and why" lab_logged cli12 \
	'(saying goodbye|peer said goodbye) \(reneg-bytes reached on a TLSv1\.2 link, which cannot update its keys: reconnecting\)'
ok "cli12: the link came back up" lab_wait_up cli12 2
ok "cli12: ping crosses after the reconnect" lab_wait_ping ha0 "$hb0" 5
fails "cli12: no in-place key update was tried" lab_logged cli12 'TLS key update'

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
