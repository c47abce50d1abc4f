#!/bin/bash
# A closing connection does not busy-loop. The client runs with a small receive buffer and a
# slow WAN uplink (tbf, 400 kbit/s): its LAN host floods the server's LAN, so the client's
# kernel holds a backlog of several seconds of data for the server. The client process is
# then stopped (SIGSTOP): its kernel keeps sending that backlog, but nothing reads what the
# server sends, so the server's send queue fills from a burst of its own LAN host. The server
# reloads (SIGHUP): its goodbye is stuck behind the full queue, so the connection stays
# closing until the goodbye deadline (1 to 2 s) while the client's data keeps arriving and the
# server's LAN host keeps pinging. The server must spend under 0.3 s of CPU in that window: a
# loop woken again and again by input it never reads (the peer's data, or frames on the tap)
# burns a core for all of it (0.7 to 2 s measured, depending on the load of the machine); a
# closing connection that reads and drops its input, with the tap left alone, needs ~10 ms.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
# The client's sockets get a small receive buffer: stopped, it soon stops the server's sends.
ns_exec b sysctl -qw net.ipv4.tcp_rmem="4096 16384 16384"
LAB_REMOTE=$(lab_wan_ip a)
ok "srv from server.conf" lab_conf server.conf srv "comp-lzo no" "verb 3"
ok "cli from client.conf" lab_conf client.conf cli "comp-lzo no" "connect-retry 1 1" "verb 3"
lab_start a srv
lab_start b cli
ok "link up" lab_wait_up srv 1 30
ok "LAN hosts reach each other" lab_wait_ping ha0 "$(lab_host_ip b 0)" 5
lab_ping hb0 "$(lab_host_ip a 0)"

spid=$(cat "$WORK/srv.pid")
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$spid/stat"; }
hz=$(getconf CLK_TCK)

ok "slow client uplink" ns_exec b tc qdisc add dev wan0 root tbf rate 400kbit burst 4kb limit 1mb
# The client's LAN host floods the server's LAN (about 1 MB): the client's socket and qdisc fill.
ns_exec hb0 ping -n -q -i 0.002 -s 1400 -c 700 -w 3 "$(lab_host_ip a 0)" >/dev/null 2>&1
kill -STOP "$(cat "$WORK/cli.pid")"
on_exit "kill -CONT $(cat "$WORK/cli.pid")"
# The server's LAN host sends a burst the stopped client never reads.
ns_exec ha0 ping -n -q -i 0 -c 600 -s 1400 -w 2 "$(lab_host_ip b 0)" >/dev/null 2>&1
sleep 0.3

# The server's LAN keeps talking during the goodbye: its frames must not wake the server in
# vain either.
bg ha0 lanping ping -n -q -i 0.1 -c 40 "$(lab_host_ip b 0)"
cpu0=$(cpu_ticks)
kill -HUP "$spid"
ok "the server's goodbye waits for the 2 s deadline" \
	wait_for 6 lab_logged srv 'goodbye not acknowledged in time'
cpu1=$(cpu_ticks)
ms=$(((cpu1 - cpu0) * 1000 / hz))
diag "server CPU from the reload to the goodbye deadline: $ms ms"
ok "the server used under 300 ms of CPU while closing ($ms ms)" test "$ms" -lt 300
ok "the server is still running" lab_running srv

kill -CONT "$(cat "$WORK/cli.pid")"
ns_exec b tc qdisc del dev wan0 root
ok "the link comes back after the reload" lab_wait_up srv 2 20
lab_stop_all
ok "no sanitizer reports" lab_sanitizer_clean
done_testing
