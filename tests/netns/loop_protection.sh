#!/bin/bash
# Loop protection, two ways.
#   1. flap-action. Three sites, the server at a (client-to-client), clients at b and then c
#      (c's connection is the newer one). The LAN hosts at b and c both send frames from one
#      MAC to a's host, taking turns (a duplicate MAC, or what a loop looks like to a switch).
#      With the default (flap-action log) the server logs the flapping and blocks nothing.
#      With `flap-action block 10` it blocks the newer site, c, for 10 s, logging both sites,
#      and says so in the status file and in the management interface's status json; meanwhile c's host cannot reach a's and b's still can;
#      then the block is lifted (logged) and c's host reaches a's again.
#   2. BPDUs. Two sites, each bridge with the kernel's STP on, joined by l2vpn and by a second,
#      direct path (a veth between the two bridges). The bridges' BPDUs cross l2vpn unchanged,
#      so STP sees the loop and blocks one port; broadcasts then build no storm: over 5 s of a
#      broadcast ping, the server's tap moves well under a megabyte.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd bridge
lab_need_programs
lab_tool GEN frame-gen
DUP=02:00:00:0d:0b:0e

lab_step "PKI (clients vpnc, vpnc2) and three sites with br0 and a LAN host" lab_three_sites
LAB_REMOTE=$(lab_wan_ip a)
ha0=$(lab_host_ip a 0)
ha0_mac=$(ns_exec ha0 cat /sys/class/net/eth0/address)
ok "srv-log: server.conf with client-to-client (flap-action log, the default)" \
	lab_conf server.conf srv-log client-to-client "status-version 2"
ok "srv-block: the same with flap-action block 10 and a management socket" lab_conf \
	server.conf srv-block client-to-client "status-version 2" "flap-action block 10" \
	"management $WORK/mgmt.sock unix"
ok "cli-b, cli-c: client.conf (vpnc, vpnc2)" eval 'lab_conf client.conf cli-b >/dev/null &&
	lab_conf client.conf cli-c "cert vpnc2.example.com.crt" "key vpnc2.example.com.key" >/dev/null'

# flap: b's and c's hosts send a frame from the duplicate MAC to a's host, four times each.
flap() {
	for _ in 1 2 3 4; do
		for h in hb0 hc0; do
			ns_exec "$h" "$GEN" --dev eth0 --count 1 --src "$DUP" --dst "$ha0_mac" \
				--seconds 2 >>"$WORK/gen.log" 2>&1
			sleep 0.05
		done
	done
}
# start MODE: the server srv-MODE, then b, then c (c is the newer connection).
start() {
	lab_start a "srv-$1"
	lab_start b "cli-b-$1" cli-b
	ok "$1: b's link up" lab_wait_up "cli-b-$1"
	sleep 1.1 # c's connection starts a second later, in another second of the server's clock
	lab_start c "cli-c-$1" cli-c
	ok "$1: server has two links up" lab_wait_up "srv-$1" 2
	ok "$1: hb0 and hc0 reach ha0" eval 'lab_wait_ping hb0 "$ha0" 5 && lab_wait_ping hc0 "$ha0" 5'
}
stat_blocked() {
	awk -F, -v want="$2" '$2 == "Sites blocked by loop protection" && $3 == want { f = 1 }
		END { exit !f }' "$1"
}

start log
flap
ok "log: the server logs the flapping MAC" wait_for 5 lab_logged srv-log \
	"MAC $DUP is flapping between"
fails "log: and blocks nothing" lab_logged srv-log "loop protection: .* blocked"
ok "log: hb0 and hc0 still reach ha0" eval 'lab_ping hb0 "$ha0" 2 && lab_ping hc0 "$ha0" 2'
stop cli-c-log
stop cli-b-log
stop srv-log

start block
flap
blocked="loop protection: vpnc2\\.example\\.com/[^ ]+ blocked for 10 s: MAC $DUP flaps between it and vpnc\\.example\\.com/"
ok "block: the server blocks c, the newer site, naming both" wait_for 5 lab_logged srv-block \
	"$blocked"
ok "block: the status file says one site is blocked" wait_for 3 stat_blocked \
	"$WORK/srv-block.status" 1
# site_json CN EXPR: status json's entry for site CN makes the python EXPR (on `s`) true.
site_json() {
	"$L2VPN_BIN" --ctl "$WORK/mgmt.sock" status json |
		python3 -c 'import json, sys
s = [x for x in json.load(sys.stdin)["sites"] if x["common_name"] == sys.argv[1]][0]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
ok "block: status json says c is blocked (blocks 1), b is not" eval \
	'site_json vpnc2.example.com "s[\"blocked\"] and s[\"blocks\"] == 1" &&
	 site_json vpnc.example.com "not s[\"blocked\"] and s[\"blocks\"] == 0"'
fails "block: hc0 cannot reach ha0 meanwhile" lab_ping hc0 "$ha0" 2
ok "block: hb0 still reaches ha0" lab_ping hb0 "$ha0" 2
ok "block: the block is lifted after 10 s" wait_for 20 eval \
	'lab_ping hc0 "$ha0" 1 && lab_logged srv-block "vpnc2\\.example\\.com/[^ ]+: loop protection lifted"'
ok "block: hc0 reaches ha0 again" lab_ping hc0 "$ha0" 2
ok "block: status json says c is no longer blocked" site_json vpnc2.example.com \
	'not s["blocked"] and s["blocks"] == 1'
ok "block: the status file says none is blocked now" wait_for 3 stat_blocked \
	"$WORK/srv-block.status" 0
ok "block: ... and counts one block" awk -F, \
	'$2 == "Loop protection blocks" && $3 == 1 { f = 1 } END { exit !f }' "$WORK/srv-block.status"
stop cli-c-block
stop cli-b-block
stop srv-block

# --- 2. STP across l2vpn and a second path between sites a and b
stp() {
	ip -n "$(ns "$1")" link set br0 type bridge forward_delay 200 hello_time 100 max_age 600 \
		stp_state 1
}
loop_path() {
	ip link add lpa netns "$(ns a)" type veth peer name lpb netns "$(ns b)" &&
		ip -n "$(ns a)" link set lpa master br0 up && ip -n "$(ns b)" link set lpb master br0 up
}
lab_step "STP on in both bridges" eval 'stp a && stp b'
lab_start a srv-stp srv-log
lab_start b cli-b-stp cli-b
ok "stp: the link is up" lab_wait_up cli-b-stp
lab_step "a second path: a veth between the two bridges" loop_path
# blocking_ports: ports of both bridges STP holds in blocking state.
blocking_ports() {
	{
		bridge -n "$(ns a)" link show
		bridge -n "$(ns b)" link show
	} | grep -c "state blocking"
}
ok "stp: STP blocks one port of the loop (within 20 s)" wait_for 20 eval '[ "$(blocking_ports)" -ge 1 ]'
# port_states SITE: "PORT STATE" of the site bridge's ports.
port_states() {
	bridge -n "$(ns "$1")" link show |
		awk -v s="$1" '{ for (i = 1; i < NF; i++) if ($i == "state") printf "%s:%s %s  ", s, $2, $(i + 1) }'
}
diag "stp: $(port_states a)$(port_states b)"
before=$(ns_exec a cat /sys/class/net/tap0/statistics/rx_bytes)
ns_exec ha0 ping -b -n -c 25 -i 0.2 -W 1 "$(lab_bcast 0)" >"$WORK/bping.log" 2>&1
after=$(ns_exec a cat /sys/class/net/tap0/statistics/rx_bytes)
diag "stp: the server's tap received $((after - before)) bytes during 5 s of broadcast pings"
ok "stp: no storm: under 1 MB through the server's tap in those 5 s" \
	test $((after - before)) -lt 1000000
ok "stp: hb0 still reaches ha0 (across whichever path STP left open)" lab_wait_ping hb0 "$ha0" 10

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
