#!/bin/bash
# Connection churn does not leak: after a first link, the server's open file descriptors and
# resident memory are measured; then the client restarts its connection 30 times (SIGUSR1) and
# 30 connections that fail their handshake come and go. Afterwards the server holds the same
# number of descriptors and its RSS grew by less than 2 MiB; the link still works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd nc
lab_need_programs

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
ok "srv from server.conf" lab_conf server.conf srv "verb 3"
ok "cli from client.conf" lab_conf client.conf cli "connect-retry 1 1" "verb 3"
lab_start a srv
lab_start b cli
ok "link up" lab_wait_up srv
ok "LAN hosts reach each other" lab_wait_ping hb0 "$(lab_host_ip a 0)" 5

spid=$(cat "$WORK/srv.pid")
# Under ASan, freed memory sits in its quarantine: the RSS check only runs on a plain build.
asan=false
lab_asan && asan=true
fds() { lab_fds_settled "$spid"; }
rss_kb() { lab_kb "$spid" VmRSS; }
fd0=$(fds)
rss0=$(rss_kb)

links=1
for i in $(seq 30); do
	kill -USR1 "$(cat "$WORK/cli.pid")"
	links=$((links + 1))
	wait_for 5 bash -c "[ \$(grep -c ': link up' '$WORK/srv.log') -ge $links ]" || break
	# a connection that never completes TLS
	printf 'not tls\n' | ns_exec b timeout 2 nc -q 0 "$(lab_wan_ip a)" 1194 >/dev/null 2>&1
done
ok "30 client restarts, each back up" test "$(grep -c ': link up' "$WORK/srv.log")" -ge 31
kill -USR2 "$spid"
counted() { grep -Eq 'connections: .* ([3-9][0-9]|[1-9][0-9][0-9]+) failed the TLS handshake' "$WORK/srv.log"; }
ok "30 failed handshakes counted (SIGUSR2)" lab_within 3 counted
ok "failed handshakes logged with their reason, lines bounded" \
	test "$(grep -c 'TLS handshake failed' "$WORK/srv.log")" -ge 10
ok "the link works after the churn" lab_wait_ping hb0 "$(lab_host_ip a 0)" 5
sleep 1
# The last refused connection may still be closing on a loaded machine: a leak stays for good.
fds_back() { fd1=$(fds) && [ "$fd1" -le "$fd0" ]; }
lab_within 5 fds_back
rss1=$(rss_kb)
diag "server fds $fd0 -> $fd1, RSS $rss0 -> $rss1 KiB"
ok "no file descriptor leaked ($fd0 -> $fd1)" test "$fd1" -le "$fd0"
if $asan; then
	skip_one "RSS grew by less than 2 MiB" "ASan build: its quarantine keeps freed memory resident"
else
	ok "RSS grew by less than 2 MiB ($rss0 -> $rss1 KiB)" test $((rss1 - rss0)) -lt 2048
fi

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
