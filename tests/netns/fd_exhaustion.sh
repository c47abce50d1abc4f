#!/bin/bash
# Out of file descriptors, the server neither spins nor floods its log, and the site that is
# up keeps working. The server runs with `ulimit -n 24` (it warns that this is below what its
# caps need); site b is connected and pings the server's LAN at 5 Hz. A stranger with four
# addresses then holds 30 idle connections for 10 s, reconnecting 20 ms after each is closed,
# so accept() meets EMFILE again and again. Over those 10 s the server uses under 10% of a core
# and writes fewer than 100 log lines; b loses no ping and keeps its link; once the flood is
# gone the server is back to its descriptors of before and a new connection is accepted.
# Before the fix the level-triggered listener returned EMFILE forever: a full core and a
# million log lines in seconds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs
lab_tool FLOOD conn-flood

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
lab_step "a stranger's namespace on the WAN" lab_site c 3
for i in 31 32 33 34; do addr_add c wan0 "10.99.0.$i/24"; done
LAB_REMOTE=$(lab_wan_ip a)
ok "srv from server.conf" lab_conf server.conf srv "verb 3"
ok "cli from client.conf" lab_conf client.conf cli "verb 3"
bg a srv bash -c "ulimit -n 24 && exec '$L2VPN_BIN' --config '$LAB_PKI/srv.conf'"
lab_start b cli
ok "link up" lab_wait_up cli
ok "hb0 reaches ha0" lab_wait_ping hb0 "$(lab_host_ip a 0)" 5
ok "the server warns that its descriptor limit is below its caps" \
	lab_logged srv 'open file limit 24 is below'

spid=$(cat "$WORK/srv.pid")
fds() { lab_fds "$spid"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$spid/stat"; }
fd0=$(fds)
lines0=$(wc -l <"$WORK/srv.log")
diag "server descriptors before the flood: $fd0 of 24"

# -c with -w: ping waits for every reply until the deadline, so a reply slowed by a loaded
# machine is not counted lost the way the last one before a bare -w deadline would be.
bg hb0 ping ping -n -i 0.2 -c 60 -w 20 "$(lab_host_ip a 0)"
bg c flood "$FLOOD" hold "$(lab_wan_ip a)" 1194 30 10 10.99.0.31 10.99.0.32 10.99.0.33 10.99.0.34
sleep 0.5
t0=$(cpu_ticks)
sleep 10
t1=$(cpu_ticks)
lines1=$(wc -l <"$WORK/srv.log")
wait "$(cat "$WORK/flood.pid")" 2>/dev/null
wait "$(cat "$WORK/ping.pid")" 2>/dev/null
diag "flood: $(cat "$WORK/flood.log")"
diag "server CPU during 10 s of flood: $((t1 - t0)) ticks of $(getconf CLK_TCK)/s; log lines: $((lines1 - lines0))"
ok "the flood met EMFILE (descriptors shed or evicted, logged)" \
	lab_logged srv 'out of file descriptors|Too many open files'
ok "server CPU under 10% of a core during the flood ($((t1 - t0)) ticks in 10 s)" \
	test $((t1 - t0)) -lt $(($(getconf CLK_TCK) * 10 / 10))
ok "fewer than 100 log lines in 10 s of flood ($((lines1 - lines0)))" test $((lines1 - lines0)) -lt 100
diag "ping: $(tail -n 2 "$WORK/ping.log" | head -n 1)"
ok "site b lost no ping during the flood" grep -q ' 0% packet loss' "$WORK/ping.log"
ok "site b kept its link" test "$(lab_count srv ': link up ')" -eq 1
back() { [ "$(fds)" -le "$fd0" ]; }
ok "descriptors back to the baseline after the flood" lab_within 15 back
diag "server descriptors after the flood: $(fds)"
# One new idle connection: the server's counters (SIGUSR2) show it pending.
bg c one "$FLOOD" hold "$(lab_wan_ip a)" 1194 1 3
sleep 1
kill -USR2 "$spid"
ok "a new connection is accepted after the flood" \
	lab_within 3 lab_logged srv 'connections: 1 pending'
ok "the link still works" lab_wait_ping hb0 "$(lab_host_ip a 0)" 5
stop srv
_lab_daemons+=(srv)
lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
