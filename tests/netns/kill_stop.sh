#!/bin/bash
# A crashed server and a frozen client, with two client sites. Every daemon creates its own tap
# (`bridge br0`); keepalive 2 10 (client restarts after 10 s of silence, the server after 20 s).
# (a) The server gets SIGKILL while both sites stream data to its LAN, and is restarted: every
#     client is through again within 15 s of the restart; the clients' taps keep their ifindex
#     and their bridge, the server's new tap is in br0 again, and no site's br0 changes its MAC.
# (b) Client c gets SIGSTOP for longer than the server's timeout: the server frees its session
#     and its MACs (status file: none listed, none left in the table) within 20 + 5 s while site b goes on working; after SIGCONT,
#     client c is through again within 10 s.
# (tests/netns/reconnect.sh covers the single-site restart and a cut WAN link.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd socat
lab_need_programs

LAB_MKTUN=0
lab_step "PKI (clients vpnc, vpnc2) and three sites with br0 and a LAN host" lab_three_sites
LAB_REMOTE=$(lab_wan_ip a)
ok "srv: server.conf (keepalive 2 10)" lab_conf server.conf srv "keepalive 2 10"
ok "cli-b: client.conf (keepalive 2 10, connect-retry 1 2)" lab_conf client.conf cli-b \
	"keepalive 2 10" "connect-retry 1 2"
ok "cli-c: the same with vpnc2's certificate" lab_conf client.conf cli-c \
	"keepalive 2 10" "connect-retry 1 2" "cert vpnc2.example.com.crt" "key vpnc2.example.com.key"
ha0=$(lab_host_ip a 0)
lab_start a srv
lab_start b cli-b
lab_start c cli-c
ok "server: two links up" lab_wait_up srv 2
for s in b c; do
	ok "h${s}0 reaches ha0" lab_wait_ping "h${s}0" "$ha0" 10
done

brmac() { ip -n "$(ns "$1")" -o link show br0 | grep -o 'link/ether [0-9a-f:]*'; }
declare -A tap0 mac0
for s in a b c; do
	tap0[$s]=$(lab_ifindex_master "$s" tap0)
	mac0[$s]=$(brmac "$s")
done
ok "every site's tap0 is a port of br0 (${tap0[a]} ${tap0[b]} ${tap0[c]})" \
	eval '[[ ${tap0[a]} == *br0 && ${tap0[b]} == *br0 && ${tap0[c]} == *br0 ]]'

# --- (a) SIGKILL the server during transfers from both sites, restart it
now_us() { echo "${EPOCHREALTIME/[.,]/}"; }
received() { stat -c %s "$WORK/recv-$1" 2>/dev/null || echo 0; }
grown_past() { [ "$(received "$1")" -gt "$2" ]; }
listening() { ns_exec ha0 ss -Hltn "sport = :$1" | grep -q LISTEN; }
declare -A PORT=([b]=5011 [c]=5012)
for s in b c; do
	port=${PORT[$s]}
	bg ha0 "rx-$s" socat -u "TCP-LISTEN:$port,bind=$ha0,reuseaddr" "CREATE:$WORK/recv-$s"
	wait_for 5 listening "$port"
	bg "h${s}0" "tx-$s" socat -u /dev/zero "TCP:$ha0:$port"
	ok "site $s streams to ha0 (1 MB arrived)" wait_for 10 grown_past "$s" $((1024 * 1024))
done
ups_b=$(lab_count cli-b ': link up ')
ups_c=$(lab_count cli-c ': link up ')
stop srv KILL
fails "server killed with SIGKILL" lab_running srv
sleep 1
size_b=$(received b)
size_c=$(received c)
lab_start a srv2 srv
t0=$(now_us)
# back SITE UPS: the client logged a new link up and its LAN host pings ha0.
back() { _lab_ups_at_least "cli-$1" $(($2 + 1)) && lab_ping "h${1}0" "$ha0"; }
for s in b c; do
	ups=$([ $s = b ] && echo "$ups_b" || echo "$ups_c")
	if lab_within 17 back "$s" "$ups"; then
		el=$(_lab_secs $(($(now_us) - t0)))
		if awk -v e="$el" 'BEGIN { exit !(e <= 15) }'; then
			pass "client $s through again $el s after the restart (limit 15 s)"
		else
			fail "client $s through again only $el s after the restart (limit 15 s)"
		fi
	else
		fail "client $s not through within 15 s of the restart"
	fi
done
ok "restarted server: two links up" lab_wait_up srv2 2 5
ok "the streams go on after the restart" wait_for 30 bash -c \
	"[ \$(stat -c %s '$WORK/recv-b') -gt $((size_b + 1048576)) ] && [ \$(stat -c %s '$WORK/recv-c') -gt $((size_c + 1048576)) ]"
for s in b c; do
	ok "client $s: tap0 kept its ifindex and bridge (${tap0[$s]} -> $(lab_ifindex_master "$s" tap0))" \
		test "$(lab_ifindex_master "$s" tap0)" = "${tap0[$s]}"
done
tap_a=$(lab_ifindex_master a tap0)
ok "server: the new tap0 is a port of br0 again (${tap0[a]} -> $tap_a)" eval '[[ $tap_a == *br0 ]]'
for s in a b c; do
	ok "site $s: br0 kept its MAC (${mac0[$s]#link/ether })" test "$(brmac "$s")" = "${mac0[$s]}"
done
for s in b c; do
	stop "tx-$s"
	stop "rx-$s"
done

# --- (b) SIGSTOP client c beyond the server's timeout, then SIGCONT
CN=vpnc2.example.com
ST=$WORK/srv.status
routes() { lab_status_routes "$ST" "$CN"; }
has_routes() { [ "$(routes)" -gt 0 ]; }
sessions() { lab_status_clients "$ST" "$CN"; }
listed() { [ "$(routes)" -gt 0 ] && [ "$(sessions)" -eq 1 ]; }
freed() { [ "$(routes)" -eq 0 ] && [ "$(sessions)" -eq 0 ]; }
lab_ping hc0 "$ha0"
ok "the server's status lists site c's session and MACs" wait_for 5 listed
diag "site c before SIGSTOP: $(sessions) session, $(routes) MACs; MAC table entries $(lab_status_macs "$ST")"
ups_c=$(lab_count cli-c ': link up ')
kill -STOP "$(cat "$WORK/cli-c.pid")"
t0=$(now_us)
if lab_within 27 freed; then
	el=$(_lab_secs $(($(now_us) - t0)))
	if awk -v e="$el" 'BEGIN { exit !(e <= 25) }'; then
		pass "server freed c's session and MACs $el s after SIGSTOP (limit 20 + 5 s)"
	else
		fail "server freed c's session and MACs only $el s after SIGSTOP (limit 25 s)"
	fi
else
	fail "server still lists c's session or MACs 25 s after SIGSTOP ($(routes) MACs)"
fi
ok "no entry of c hides in the MAC table (entries without a session: $(lab_status_orphans "$ST"))" \
	test "$(lab_status_orphans "$ST")" -eq 0
ok "server logged the ping-restart for c" lab_logged srv2 "$CN.*nothing received for 20 s \\(ping-restart\\)"
ok "site b still reaches ha0 while c is frozen" lab_wait_ping hb0 "$ha0" 5
kill -CONT "$(cat "$WORK/cli-c.pid")"
t0=$(now_us)
if lab_within 12 back c "$ups_c"; then
	el=$(_lab_secs $(($(now_us) - t0)))
	if awk -v e="$el" 'BEGIN { exit !(e <= 10) }'; then
		pass "client c through again $el s after SIGCONT (limit 10 s)"
	else
		fail "client c through again only $el s after SIGCONT (limit 10 s)"
	fi
else
	fail "client c not through within 10 s of SIGCONT"
fi
ok "site c's MACs are back in the server's table" wait_for 5 has_routes

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
