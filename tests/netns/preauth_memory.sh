#!/bin/bash
# A thousand strangers cost little memory: a connection's 640 KB of queues are allocated at its
# hello, not at accept. The server allows 1,000 pending connections (preauth-max and
# preauth-max-per-source 1000); a stranger opens 1,000 idle connections and holds them. The
# server's heap and mappings (VmData) grow by less than 64 MiB and its RSS by less than 48 MiB
# while they are pending (before the fix: 640 MB of VmData), the connected site keeps working,
# and after preauth-timeout (3 s here) every descriptor is released.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs
lab_tool FLOOD conn-flood

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
lab_step "a stranger's namespace on the WAN" lab_site c 3
LAB_REMOTE=$(lab_wan_ip a)
ok "srv: 1,000 pending connections allowed, 3 s each" lab_conf server.conf srv "verb 3" \
	"preauth-max 1000" "preauth-max-per-source 1000" "preauth-timeout 3"
ok "cli from client.conf" lab_conf client.conf cli "verb 3"
lab_start a srv
lab_start b cli
ok "link up" lab_wait_up cli
ok "hb0 reaches ha0" lab_wait_ping hb0 "$(lab_host_ip a 0)" 5

spid=$(cat "$WORK/srv.pid")
kb() { lab_kb "$spid" "$1"; }
fds() { lab_fds "$spid"; }
asan=false
lab_asan && asan=true
data0=$(kb VmData)
rss0=$(kb VmRSS)
fd0=$(fds)
bg c flood "$FLOOD" hold "$(lab_wan_ip a)" 1194 1000 2
sleep 1.5
pending=$(($(fds) - fd0))
data1=$(kb VmData)
rss1=$(kb VmRSS)
diag "with $pending connections pending: VmData $data0 -> $data1 KiB, VmRSS $rss0 -> $rss1 KiB"
ok "1,000 connections pending at once ($pending)" test "$pending" -ge 990
if $asan; then
	skip_one "VmData grew by less than 64 MiB" "ASan build: its allocator reserves its own shadow"
	skip_one "RSS grew by less than 48 MiB" "ASan build: redzones and quarantine"
else
	ok "VmData grew by less than 64 MiB ($((data1 - data0)) KiB)" test $((data1 - data0)) -lt 65536
	ok "RSS grew by less than 48 MiB ($((rss1 - rss0)) KiB)" test $((rss1 - rss0)) -lt 49152
fi
ok "the site still reaches the server's LAN" lab_ping hb0 "$(lab_host_ip a 0)"
wait "$(cat "$WORK/flood.pid")" 2>/dev/null
back() { [ "$(fds)" -le "$fd0" ]; }
ok "every descriptor released after the connections went" lab_within 8 back
ok "site b kept its link" test "$(lab_count srv ': link up ')" -eq 1
lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
