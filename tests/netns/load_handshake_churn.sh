#!/bin/bash
# Handshake churn: two sites, the server at a and a real client at b whose link stays up. From
# b's namespace, evil_peer.py --cycles connects with valid client certificates and goes
# through a full TLS handshake, the HELLO exchange, one frame from its own MAC (which the
# server learns) and a GOODBYE, then closes: first one client 200 times in a row, then 20
# clients 10 times each in parallel (L2VPN_CHURN_FULL=1: 2,000 and 20 x 100). The server
# counts a "link up" for every cycle. Afterwards its open descriptors are back to the baseline
# taken after a warm-up, its RSS is within 2 MiB of it (plain build; ASan keeps freed memory in
# its quarantine), its MAC table lists no churned MAC, b's link still carries pings, and the
# ASan build's LeakSanitizer finds nothing at exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs
PEER=$L2VPN_SOURCE_ROOT/tests/netns/evil_peer.py
if [ "${L2VPN_CHURN_FULL:-0}" = 1 ]; then
	ONE=2000 PAR=20 EACH=100
else
	ONE=200 PAR=20 EACH=10
fi

make_pki() {
	lab_pki || return 1
	for ((i = 0; i <= PAR; i++)); do lab_ca build-key "churn$i" || return 1; done
}
lab_step "PKI with $((PAR + 1)) churn certificates" make_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
# All churners come from b's one address: the per-source budget must hold them.
ok "srv from server.conf" lab_conf server.conf srv "status-version 2" \
	"preauth-max-per-source $((PAR + 8))"
ok "cli from client.conf" lab_conf client.conf cli
lab_start a srv
lab_start b cli
ok "link up" lab_wait_up srv
ok "LAN hosts reach each other" lab_wait_ping hb0 "$(lab_host_ip a 0)" 5

spid=$(cat "$WORK/srv.pid")
asan=false
lab_asan && asan=true
fds() { lab_fds_settled "$spid"; }
rss_kb() { lab_kb "$spid" VmRSS; }
# $WORK/churn I CYCLES (run in b's namespace): certificate churnI, MAC 02:cc:00:00:00:I.
printf '#!/bin/sh\nexec /usr/bin/python3 %s --host %s --ca %s --wait 10 --cycles "$2" %s\n' \
	"$PEER" "$(lab_wan_ip a)" "$LAB_PKI/ca.crt" \
	"--cert $LAB_PKI/churn\$1.crt --key $LAB_PKI/churn\$1.key --mac 02:cc:00:00:00:\$(printf %02x \$1)" \
	>"$WORK/churn"
chmod +x "$WORK/churn"
churn_ups() { grep -cE 'churn[0-9]+/[0-9.:]+: link up ' "$WORK/srv.log"; }

# Warm-up: OpenSSL's and the allocator's first-use costs are not a leak.
ns_exec b "$WORK/churn" 0 20 >"$WORK/warmup.log" 2>&1
sleep 11 # one malloc_trim period
fd0=$(fds)
rss0=$(rss_kb)
ups0=$(churn_ups)
diag "baseline after 20 warm-up cycles: $fd0 fds, RSS $rss0 KiB"

start=${EPOCHREALTIME/[.,]/}
bg b one "$WORK/churn" 0 "$ONE"
wait "$(cat "$WORK/one.pid")"
diag "one client: $(cat "$WORK/one.log") ($(_lab_secs $((${EPOCHREALTIME/[.,]/} - start))) s)"
ok "one client: $ONE cycles completed" grep -q "completed $ONE failed 0" "$WORK/one.log"
start=${EPOCHREALTIME/[.,]/}
for ((i = 1; i <= PAR; i++)); do
	bg b "par$i" "$WORK/churn" "$i" "$EACH"
done
for ((i = 1; i <= PAR; i++)); do wait "$(cat "$WORK/par$i.pid")"; done
diag "$PAR clients x $EACH in parallel: $(_lab_secs $((${EPOCHREALTIME/[.,]/} - start))) s"
ok "$PAR clients in parallel: $EACH cycles each completed" \
	test "$(cat "$WORK"/par*.log | grep -c "completed $EACH failed 0")" -eq "$PAR"
total=$((ONE + PAR * EACH))
ok "the server brought up a link for every cycle ($total)" \
	test $(($(churn_ups) - ups0)) -eq "$total"
# Site a's bridge learned every churned MAC from the tap: the server took each frame in.
seen() { bridge -n "$(ns a)" fdb show dev tap0 | grep -c '^02:cc:00:00:00:'; }
ok "the server forwarded the frames of all $((PAR + 1)) churned MACs" test "$(seen)" -eq $((PAR + 1))
kill -USR2 "$spid"
wait_for 3 lab_logged srv 'connections: '
diag "server: $(grep 'connections: ' "$WORK/srv.log" | tail -n 1 | cut -d' ' -f3-)"

sleep 11 # one malloc_trim period
fds_back() { fd1=$(fds) && [ "$fd1" -eq "$fd0" ]; }
lab_within 5 fds_back
rss1=$(rss_kb)
diag "server fds $fd0 -> $fd1, RSS $rss0 -> $rss1 KiB"
ok "no file descriptor leaked ($fd0 -> $fd1)" test "$fd1" -eq "$fd0"
if $asan; then
	skip_one "RSS within 2 MiB of the baseline" "ASan build: its quarantine keeps freed memory resident"
else
	ok "RSS within 2 MiB of the baseline ($rss0 -> $rss1 KiB)" test $((rss1 - rss0)) -lt 2048
fi
churned_routes() { grep -cE '^ROUTING_TABLE,02:cc:00:00:00:|,churn[0-9]+,' "$WORK/srv.status"; }
ok "MAC table: no churned MAC left" eval '[ "$(churned_routes)" -eq 0 ]'
ok "status: no churned client listed" eval '! grep -q "^CLIENT_LIST,churn" "$WORK/srv.status"'
ok "b's link still works" lab_wait_ping hb0 "$(lab_host_ip a 0)" 5
ok "b's link was never dropped" test "$(lab_count cli ': link up ')" -eq 1
lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
