#!/bin/bash
# Packet loss on the WAN. The WAN switch namespace drops a random share of the frames it
# forwards between the sites (nftables `numgen random mod 100 < N drop`, both directions, this
# kernel has no netem), first 1%, then 5%, each for L2VPN_FAULT_SECONDS (12 by default; 600 for
# the long runs) while iperf3 runs through the tunnel with 2-second intervals. In each run:
# inner TCP moves data in every interval, the link restarts at most once, and the rule really
# dropped about that share of the frames (counted by nft).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd iperf3 nft ethtool
lab_need_programs
SECS=${L2VPN_FAULT_SECONDS:-12}

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
# Offloads off on the WAN veths: the rule then drops single wire frames, not 64 KiB
# super-frames.
offloads_off_wan() {
	lab_offloads_off a wan0 && lab_offloads_off b wan0 && lab_offloads_off wan wana &&
		lab_offloads_off wan wanb
}
lab_step "offloads off on the WAN veths" offloads_off_wan
LAB_REMOTE=$(lab_wan_ip a)
ok "srv from server.conf (keepalive 2 10)" lab_conf server.conf srv "keepalive 2 10"
ok "cli from client.conf (keepalive 2 10)" lab_conf client.conf cli "keepalive 2 10" \
	"connect-retry 1 2"
ha0=$(lab_host_ip a 0)
lab_start a srv
lab_start b cli
bg ha0 iperf-srv iperf3 -s -i 2 -B "$ha0"
ok "link up" lab_wait_up cli
ok "ha0 reachable through the tunnel" lab_wait_ping hb0 "$ha0" 10

# loss_rule N: replace the WAN switch's rule set: drop N% of the forwarded frames, counting all
# forwarded frames and the dropped ones.
loss_rule() {
	ns_exec wan nft -f - <<EOF
table bridge impair
delete table bridge impair
table bridge impair {
	chain drops {
		type filter hook forward priority 0; policy accept;
		counter
		numgen random mod 100 < $1 counter drop
	}
}
EOF
}
# counters: "SEEN DROPPED" from the rule set.
counters() {
	ns_exec wan nft list table bridge impair | awk '/counter packets/ {
		for (i = 1; i <= NF; i++) if ($i == "packets") v[n++] = $(i + 1) } END { print v[0], v[1] }'
}
ups() { lab_count cli ': link up '; }

# L2VPN_FAULT_LOSS picks the shares (percent), e.g. "5" for one long run.
for pct in ${L2VPN_FAULT_LOSS:-1 5}; do
	up0=$(ups)
	ok "loss $pct%: rule set in the WAN switch" loss_rule "$pct"
	lab_iperf hb0 "$ha0" "$SECS" "$WORK/loss$pct.json"
	sum=$(lab_iperf_summary "$WORK/loss$pct.json")
	ok "loss $pct%: inner TCP moved data in every 2 s interval ($sum Mbit/s)" \
		lab_iperf_summary "$WORK/loss$pct.json"
	read -r seen dropped <<<"$(counters)"
	share=$(awk -v s="$seen" -v d="$dropped" 'BEGIN { printf "%.2f", s ? 100 * d / s : 0 }')
	diag "loss $pct%: nft dropped $dropped of $seen frames ($share%)"
	ok "loss $pct%: the WAN dropped $share% of $seen frames" \
		awk -v s="$share" -v p="$pct" -v n="$seen" 'BEGIN { exit !(n > 1000 && s > p / 2 && s < p * 2) }'
	rec=$(($(ups) - up0))
	ok "loss $pct%: at most one reconnect ($rec)" test "$rec" -le 1
	ok "loss $pct%: no keepalive restart ($(lab_count cli 'ping-restart') client, $(lab_count srv 'ping-restart') server)" \
		test "$(lab_count cli 'ping-restart')" -eq 0 -a "$(lab_count srv 'ping-restart')" -eq 0
done
ns_exec wan nft delete table bridge impair
ok "the link works after the loss runs" lab_wait_ping hb0 "$ha0" 10

lab_stop_all
stop iperf-srv
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
