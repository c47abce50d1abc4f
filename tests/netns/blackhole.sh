#!/bin/bash
# Blackhole: the WAN switch drops every frame between the sites (nftables, the links stay up,
# no link event reaches either daemon). With keepalive 2 10 (ping every 2 s; ping-restart after
# 10 s on the client, 2 x 10 s on the server):
#  - the client detects the silence within its timeout + interval (12 s), the server within
#    its timeout + interval (22 s);
#  - the server forgets the site's MAC addresses within its timeout + 5 s (25 s): the status
#    file's routing table lists none, and its MAC table holds no entry without a session;
#  - once the blackhole lifts, the client is through again (link up, LAN hosts ping) within
#    10 s.
# Then the client restarts its connection into a second blackhole of 35 s: its TCP connects
# give up after connect-timeout (10 s by default) and start afresh, so once the path is back
# it is through within 10 s. (The kernel's own SYN retries alone would next try 63 s after the
# start, and hand-window would end the attempt at 60 s: a gap of over 20 s.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd nft
lab_need_programs

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
ok "srv from server.conf (keepalive 2 10)" lab_conf server.conf srv "keepalive 2 10"
ok "cli from client.conf (keepalive 2 10, connect-retry 1 2)" lab_conf client.conf cli \
	"keepalive 2 10" "connect-retry 1 2"
ha0=$(lab_host_ip a 0)
lab_start a srv
lab_start b cli
ok "link up" lab_wait_up cli
ok "hb0 reaches ha0 through the tunnel" lab_wait_ping hb0 "$ha0" 10
CN=vpnc.example.com
routes() { lab_status_routes "$WORK/srv.status" "$CN"; }
has_routes() { [ "$(routes)" -gt 0 ]; }
no_routes() { [ "$(routes)" -eq 0 ]; }
ok "the server's status lists MACs learnt from the client site" wait_for 5 has_routes
diag "routes of $CN before: $(routes); MAC table entries: $(lab_status_macs "$WORK/srv.status")"

# since T0: seconds (3 decimals) from T0 (an EPOCHREALTIME without the dot) to now.
now_us() { echo "${EPOCHREALTIME/[.,]/}"; }
since() { _lab_secs $(($(now_us) - $1)); }
# within_since T0 SECS CMD...: wait for CMD until SECS after T0; ELAPSED is the time from T0.
ELAPSED=
within_since() {
	local t0=$1 secs=$2
	shift 2
	lab_within "$((secs + 2))" "$@"
	local rc=$?
	ELAPSED=$(since "$t0")
	[ "$rc" -eq 0 ] && awk -v e="$ELAPSED" -v s="$secs" 'BEGIN { exit !(e <= s) }'
}

blackhole_on() {
	ns_exec wan nft -f - <<'EOF'
table bridge blackhole {
	chain drops {
		type filter hook forward priority 0; policy drop;
	}
}
EOF
}
blackhole_on
t0=$(now_us)
ups0=$(lab_count cli ': link up ')
fails "blackhole on: no ping across" lab_ping hb0 "$ha0"
if within_since "$t0" 12 lab_logged cli 'nothing received for 10 s \(ping-restart\)'; then
	pass "client detected the blackhole after $ELAPSED s (limit 10 + 2)"
else
	fail "client did not detect the blackhole within 12 s ($ELAPSED s)"
fi
if within_since "$t0" 22 lab_logged srv 'nothing received for 20 s \(ping-restart\)'; then
	pass "server detected the blackhole after $ELAPSED s (limit 20 + 2)"
else
	fail "server did not detect the blackhole within 22 s ($ELAPSED s)"
fi
if within_since "$t0" 25 no_routes; then
	pass "server forgot the site's MACs after $ELAPSED s (limit 20 + 5)"
else
	fail "server still lists $(routes) MACs of the site after $ELAPSED s (limit 25 s)"
fi
ok "the server's status lists no session of the site" \
	test "$(lab_status_clients "$WORK/srv.status" "$CN")" -eq 0
ok "the server's MAC table holds no entry without a session ($(lab_status_orphans "$WORK/srv.status"))" \
	test "$(lab_status_orphans "$WORK/srv.status")" -eq 0

ns_exec wan nft delete table bridge blackhole
t1=$(now_us)
back() { _lab_ups_at_least cli $((ups0 + 1)) && lab_ping hb0 "$ha0"; }
if within_since "$t1" 10 back; then
	pass "client through again $ELAPSED s after the blackhole lifted (limit 10 s)"
else
	fail "client not through within 10 s of the blackhole lifting ($ELAPSED s)"
fi
ok "server relearns the site's MACs" wait_for 5 has_routes

# --- a connection attempt into a blackhole
blackhole_on
ups1=$(lab_count cli ': link up ')
kill -USR1 "$(cat "$WORK/cli.pid")"
ok "client restarted its connection into the blackhole" \
	lab_within 5 lab_logged cli 'SIGUSR1 received'
sleep 35
ok "client gave up a TCP connect after 10 s (connect-timeout) and tried again" \
	lab_logged cli 'TCP connect timed out after 10 s \(connect-timeout\)'
ns_exec wan nft delete table bridge blackhole
t2=$(now_us)
back2() { _lab_ups_at_least cli $((ups1 + 1)) && lab_ping hb0 "$ha0"; }
if within_since "$t2" 10 back2; then
	pass "client through again $ELAPSED s after a 35 s blackhole at connect time (limit 10 s)"
else
	fail "client not through within 10 s of a 35 s blackhole at connect time ($ELAPSED s)"
fi
diag "client log from the blackhole on: $(sed -n '/ping-restart/,$p' "$WORK/cli.log" | cut -c12- | tr '\n' '|')"

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
