#!/bin/bash
# Reconnect. (a) The server is killed with SIGKILL during a transfer and restarted: traffic
# resumes within 5 s of the restart, and the client's tap (created by the client daemon itself,
# `bridge br0` from client.conf) keeps its ifindex and its bridge. (b) The WAN link is cut for
# longer than the keepalive timeout (keepalive 1 3: client restarts after 3 s of silence, the
# server after 6 s): both ends log the ping-restart, and once the link is back the client is
# through again within 5 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd socat
lab_need_programs

LAB_MKTUN=0
lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each (taps left to the daemons)" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
ok "srv from server.conf (keepalive 1 3)" lab_conf server.conf srv "keepalive 1 3"
ok "cli from client.conf (keepalive 1 3, connect-retry 1 2)" lab_conf client.conf cli \
	"keepalive 1 3" "connect-retry 1 2"

hb0=$(lab_host_ip b 0)
lab_start a srv
lab_start b cli
ok "server link up" lab_wait_up srv
ok "client link up" lab_wait_up cli
ok "ha0 reaches hb0 through the tunnel" lab_wait_ping ha0 "$hb0" 5
ok "the client created tap0 itself (not a persistent one)" lab_logged cli ' created tap tap0$'
tap_before=$(lab_ifindex_master b tap0)
ok "client's tap0 (ifindex $tap_before) is a port of br0" eval '[[ $tap_before == *br0 ]]'

# --- (a) SIGKILL the server during a transfer
file_size() { stat -c %s "$WORK/stream.recv" 2>/dev/null || echo 0; }
grown_past() { [ "$(file_size)" -gt "$1" ]; }
listening() { ns_exec hb0 ss -Hltn "sport = :5002" | grep -q LISTEN; }
bg hb0 stream-rx socat -u TCP-LISTEN:5002,reuseaddr "CREATE:$WORK/stream.recv"
ok "receiver listening in hb0" wait_for 5 listening
bg ha0 stream-tx socat -u /dev/zero "TCP:$hb0:5002"
ok "the transfer is running (1 MB arrived)" wait_for 10 grown_past $((1024 * 1024))

stop srv KILL 2>/dev/null
ok "client notices the server is gone" wait_for 5 lab_logged cli 'connection closed'
fails "no ping across while the server is down" lab_ping ha0 "$hb0"
size_down=$(file_size)
lab_start a srv-restarted srv
if lab_within 5 lab_ping ha0 "$hb0"; then
	pass "ping works again $LAB_ELAPSED s after the server restart (limit 5 s)"
else
	fail "ping does not work within 5 s of the server restart"
fi
ok "restarted server logs link up" lab_wait_up srv-restarted
ok "client logs a second link up" lab_wait_up cli 2
tap_after=$(lab_ifindex_master b tap0)
ok "client's tap0 kept its ifindex and bridge ($tap_before -> $tap_after)" \
	test "$tap_before" = "$tap_after"
ok "the interrupted transfer goes on after the restart" wait_for 30 grown_past $((size_down + 1024 * 1024))
stop stream-tx
stop stream-rx
rm -f "$WORK/stream.recv"

# --- (b) cut the WAN at the client's site for longer than the keepalive timeout
ups=$(lab_count cli ': link up ')
ip -n "$(ns b)" link set wan0 down
fails "no ping across while the WAN is cut" lab_ping ha0 "$hb0"
ok "client detects the silence (ping-restart)" \
	wait_for 10 lab_logged cli 'connection closed: nothing received for 3 s \(ping-restart\)'
ok "server detects the silence (ping-restart after 2 x 3 s)" \
	wait_for 12 lab_logged srv-restarted 'connection closed: nothing received for 6 s \(ping-restart\)'
ip -n "$(ns b)" link set wan0 up
if lab_within 5 lab_ping ha0 "$hb0"; then
	pass "client through again $LAB_ELAPSED s after the link returned (limit 5 s)"
else
	fail "no ping across within 5 s of the link returning"
fi
ok "client logged a new link up" lab_wait_up cli $((ups + 1)) 2
ok "client's tap0 still has the same ifindex and bridge" \
	test "$(lab_ifindex_master b tap0)" = "$tap_before"

lab_stop_all
ok "client: SIGTERM: exit status 0 logged" lab_logged cli 'exiting with status 0'
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
