#!/bin/bash
# Corruption on the WAN, through the test-only relay (wan-relay: AF_PACKET between two veths in
# a middle namespace, offloads and TX checksumming off on every veth end, so each frame carries
# a real checksum). LAN host hb0 sends a 4 MiB random file to ha0 through the tunnel, again and
# again, and each copy is checked with sha256.
#  1. Corrupt 0.1% (one bit anywhere in the frame, checksums left alone): the receiving kernels
#     drop those frames (TCP checksum errors counted), the link never restarts, every copy
#     arrives with the right sha256.
#  2. Corruption that slips past TCP (a payload bit flipped and the TCP checksum made valid, one
#     every 3 s at most): the TLS record check catches each one and that link reconnects; still
#     every copy arrives with the right sha256: no wrong byte reaches a LAN host.
# Each phase runs L2VPN_FAULT_SECONDS (12 by default; 600 for the long runs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd ethtool socat sha256sum
lab_need_programs
lab_tool RELAY wan-relay
SECS=${L2VPN_FAULT_SECONDS:-12}

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
lab_step "a second WAN path through the relay namespace (offloads off)" lab_relay_path a b
ok "srv from server.conf (keepalive 2 10)" lab_conf server.conf srv "keepalive 2 10"
LAB_REMOTE=$(lab_relay_ip a)
ok "cli: the client through the relay" lab_conf client.conf cli "keepalive 2 10" "connect-retry 1 2"

ha0=$(lab_host_ip a 0)
lab_start a srv

# relay_start NAME ARGS...: the relay with the given impairment, for this phase and a margin,
# in place of the one running (if any) at once: a gap would leave the tunnel's TCP in
# retransmission backoff when the next phase begins.
RELAY_NOW=
relay_start() {
	local name=$1
	shift
	[ -n "$RELAY_NOW" ] && stop "$RELAY_NOW"
	bg relay "$name" "$RELAY" ra rb --seconds $((SECS + 120)) "$@"
	RELAY_NOW=$name
}
ups() { lab_count cli ': link up '; }
restarts() { lab_count "$1" 'ping-restart'; }

relay_start relay0
lab_start b cli
ok "link up through the relay" lab_wait_up cli
ok "ha0 reachable through the relay" lab_wait_ping hb0 "$ha0" 10

# --- transfers with a checksum: a 4 MiB random file from hb0 to ha0, again and again
head -c $((4 * 1024 * 1024)) /dev/urandom >"$WORK/file"
want=$(sha256sum <"$WORK/file" | cut -d' ' -f1)
# transfer N: send the file once; 0 when it arrived whole with the right sha256.
transfer() {
	local got
	rm -f "$WORK/recv"
	bg ha0 "rx$1" socat -u TCP-LISTEN:5003,reuseaddr,bind="$ha0" "CREATE:$WORK/recv"
	wait_for 5 bash -c "ip netns exec $(ns ha0) ss -Hltn 'sport = :5003' | grep -q LISTEN" ||
		return 1
	ns_exec hb0 timeout 120 socat -u "FILE:$WORK/file" "TCP:$ha0:5003" 2>>"$WORK/tx.log" ||
		return 1
	wait_for 30 bash -c "! kill -0 $(cat "$WORK/rx$1.pid") 2>/dev/null"
	stop "rx$1"
	got=$(sha256sum <"$WORK/recv" | cut -d' ' -f1)
	[ "$got" = "$want" ] || echo "transfer $1: sha256 $got, want $want" >>"$WORK/tx.log"
	[ "$got" = "$want" ]
}
# phase_files NAME: transfers for SECS seconds; sets SENT and GOOD.
phase_files() {
	local until=$((SECONDS + SECS)) i=0
	SENT=0 GOOD=0
	while [ $SECONDS -lt $until ]; do
		i=$((i + 1))
		SENT=$((SENT + 1))
		transfer "$1-$i" && GOOD=$((GOOD + 1))
	done
}
csum_errors() { ns_exec "$1" awk '/^Tcp:/ { if (n++) print $NF }' /proc/net/snmp; }

# --- 3. corrupt 0.1%: the kernels' checksums catch it
up0=$(ups)
ce0=$(($(csum_errors a) + $(csum_errors b)))
relay_start corrupt --corrupt 0.1
phase_files corrupt
relay_start corrupt-end # unimpaired; and the phase's relay writes its counts
diag "corrupt relay: $(tr '\n' ' ' <"$WORK/corrupt.log")"
ce=$(($(csum_errors a) + $(csum_errors b) - ce0))
hits=$(awk '{ s += $15 } END { print s + 0 }' "$WORK/corrupt.log")
ok "corrupt 0.1%: the relay flipped bits in $hits frames" test "$hits" -gt 0
ok "corrupt 0.1%: TCP checksum errors at the sites: $ce" test "$ce" -gt 0
ok "corrupt 0.1%: $GOOD of $SENT files arrived with the right sha256" test "$SENT" -gt 0 -a "$GOOD" -eq "$SENT"
ok "corrupt 0.1%: no reconnect ($(($(ups) - up0)))" test "$(ups)" -eq "$up0"

# --- 4. corruption past TCP: TLS catches it, the link reconnects, no wrong byte gets through
up0=$(ups)
relay_start payload --corrupt-payload 0.1 --payload-gap 3000
phase_files payload
relay_start payload-end
diag "payload relay: $(tr '\n' ' ' <"$WORK/payload.log")"
hits=$(awk '{ s += $17 } END { print s + 0 }' "$WORK/payload.log")
rec=$(($(ups) - up0))
tlserr=$(($(lab_count cli 'connection closed: .*(TLS|record|decrypt|mac)') + $(lab_count srv 'connection closed: .*(TLS|record|decrypt|mac)')))
diag "payload bits flipped past TCP: $hits; reconnects $rec; TLS errors logged $tlserr"
ok "corrupted records: the relay slipped $hits past TCP" test "$hits" -gt 0
ok "each link that read a corrupted record closed with a TLS error ($tlserr)" test "$tlserr" -gt 0
ok "and reconnected ($rec reconnects for $hits corrupted segments)" test "$rec" -gt 0 -a "$rec" -le "$hits"
ok "corrupt past TCP: $GOOD of $SENT files arrived with the right sha256" test "$SENT" -gt 0 -a "$GOOD" -eq "$SENT"
relay_start relay-end
ok "LAN hosts reach each other at the end" lab_wait_ping hb0 "$ha0" 15

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
