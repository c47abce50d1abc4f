#!/bin/bash
# Storm control. Three sites, the server at a (client-to-client), clients at b and c. The LAN
# host at b floods broadcast frames as fast as frame-gen can (site b, its generator and its
# client, pinned to a CPU of its own, standing in for a machine of its own) while c's host
# measures its unicast path to a's host: ping every 20 ms (p99), then iperf3 (throughput),
# each against the same probe without a storm.
#   - without a limit (the default): the figures are only reported;
#   - with `broadcast-limit 1000 2000` in every config (the server and both clients, as an
#     operator deploys one policy): c's RTT p99 stays under 10 ms, c's iperf3 throughput at
#     90% or more of its baseline, b's client drops the excess at its own tap (so it never
#     crosses the WAN), and the server, which polices each site's port too, lets no more than
#     the limit through from b and counts what it drops (its SIGUSR2 report, the status file).
#   - with the limit on the server alone (a site that lacks it): c's RTT p99 stays under 10 ms
#     and the server counts the broadcasts it dropped on b's port, none on c's; the whole flood
#     still crosses the WAN and the server decrypts it, so c's throughput is only reported.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd iperf3 taskset
lab_need_programs
lab_tool GEN frame-gen
SECS=${L2VPN_STORM_SECONDS:-6}
PINGS=$((SECS * 50))

lab_step "PKI (clients vpnc, vpnc2) and three sites with br0 and a LAN host" lab_three_sites
LAB_REMOTE=$(lab_wan_ip a)
ha0=$(lab_host_ip a 0)
ok "srv-off: server.conf with client-to-client, no limit" lab_conf server.conf srv-off \
	client-to-client "status-version 2"
ok "srv-on: the same with broadcast-limit 1000 2000" lab_conf server.conf srv-on \
	client-to-client "status-version 2" "broadcast-limit 1000 2000"
ok "cli-b: client.conf" lab_conf client.conf cli-b
ok "cli-c: client.conf with vpnc2's certificate" lab_conf client.conf cli-c \
	"cert vpnc2.example.com.crt" "key vpnc2.example.com.key"
ok "cli-b-lim, cli-c-lim: the same with broadcast-limit 1000 2000" eval \
	'lab_conf client.conf cli-b-lim "broadcast-limit 1000 2000" >/dev/null &&
	 lab_conf client.conf cli-c-lim "cert vpnc2.example.com.crt" "key vpnc2.example.com.key" \
	   "broadcast-limit 1000 2000" >/dev/null'
lab_conf server.conf srv-hub client-to-client "status-version 2" "broadcast-limit 1000 2000" \
	>/dev/null
# The storming site stands on hardware of its own in a real network: frame-gen and b's client
# run on the last CPU, the server, c's client and the iperf3 ends on the others (on a
# one-CPU machine, all on the same one).
ncpu=$(nproc)
SITE_B_CPU=$((ncpu - 1))
REST_CPUS=0-$((ncpu > 1 ? ncpu - 2 : 0))
pin() {
	local cpus=$1
	shift
	for pid in "$@"; do taskset -a -p -c "$cpus" "$pid" >/dev/null; done
}
diag "CPUs: site b (frame-gen and its client) on $SITE_B_CPU, everything else on $REST_CPUS"
bg hc0 iperf-server taskset -c "$REST_CPUS" iperf3 -s -B "$(lab_host_ip c 0)" >/dev/null

# p99 FILE: the 99th percentile of ping's reply times; a lost ping counts as infinitely late.
p99() {
	awk -v sent="$PINGS" '/bytes from/ { for (i = 1; i <= NF; i++) if ($i ~ /^time=/) {
			sub(/time=/, "", $i); print $i; n++ } }
		END { for (i = n; i < sent; i++) print 1e9 }' "$1" | sort -g |
		awk -v sent="$PINGS" '{ v[NR] = $1 } END { k = int(sent * 0.99 + 0.999); print v[k] }'
}
probe_ping() {
	ns_exec hc0 taskset -c "$REST_CPUS" ping -n -i 0.02 -c "$PINGS" -W 1 "$ha0" \
		>"$WORK/$1.ping" 2>&1
}
# probe_iperf NAME: a's host sends to c's host for SECS - 2 s; prints Mbit/s.
probe_iperf() {
	ns_exec ha0 taskset -c "$REST_CPUS" iperf3 -c "$(lab_host_ip c 0)" -t $((SECS - 2)) -J \
		>"$WORK/$1.json" 2>&1
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(int(d["end"]["sum_received"]["bits_per_second"] / 1e6) if "end" in d and "sum_received" in d["end"] else 0)' \
		"$WORK/$1.json" 2>/dev/null || echo 0
}
storm() {
	bg hb0 "storm-$1" taskset -c "$SITE_B_CPU" nice -n 19 "$GEN" --dev eth0 --count 10000000 \
		--seconds "$SECS" --dst broadcast
	sleep 0.5
}
storm_end() { wait "$(cat "$WORK/storm-$1.pid")" 2>/dev/null; }

# run MODE SERVER CLIENT-SUFFIX: the server config SERVER, the clients cli-b/cli-c with
# CLIENT-SUFFIX; quiet and storm probes. Sets QP99 SP99 QBW SBW.
run() {
	lab_start a "srv-$1" "$2"
	lab_start b "cli-b-$1" "cli-b$3"
	lab_start c "cli-c-$1" "cli-c$3"
	pin "$SITE_B_CPU" "$(cat "$WORK/cli-b-$1.pid")"
	pin "$REST_CPUS" "$(cat "$WORK/srv-$1.pid")" "$(cat "$WORK/cli-c-$1.pid")"
	ok "$1: server has two links up" lab_wait_up "srv-$1" 2
	ok "$1: hc0 reaches ha0" lab_wait_ping hc0 "$ha0" 5
	ns_exec ha0 iperf3 -c "$(lab_host_ip c 0)" -t 1 >/dev/null 2>&1 # warm-up
	probe_ping "$1-quiet"
	QP99=$(p99 "$WORK/$1-quiet.ping")
	QBW=$(probe_iperf "$1-quiet")
	storm "$1-ping"
	probe_ping "$1-storm"
	storm_end "$1-ping"
	SP99=$(p99 "$WORK/$1-storm.ping")
	storm "$1-iperf"
	SBW=$(probe_iperf "$1-storm")
	storm_end "$1-iperf"
	diag "$1: $(cat "$WORK/storm-$1-ping.log")"
	diag "$1: c->a RTT p99 quiet $QP99 ms, in the storm $SP99 ms (1e9: over 1% lost)"
	diag "$1: a->c iperf3 quiet $QBW Mbit/s, in the storm $SBW Mbit/s"
}

run off srv-off ""
OFF="RTT p99 $QP99 -> $SP99 ms, iperf3 $QBW -> $SBW Mbit/s"
ok "off: frame-gen ran the storm" grep -q 'frame-gen: sent [1-9]' "$WORK/storm-off-ping.log"
stop cli-c-off
stop cli-b-off
stop srv-off

run on srv-on -lim
ok "on: frame-gen ran the storm" grep -q 'frame-gen: sent [1-9]' "$WORK/storm-on-ping.log"
ok "on: c's RTT p99 in the storm under 10 ms ($SP99 ms; quiet $QP99 ms)" \
	awk -v p="$SP99" 'BEGIN { exit !(p < 10) }'
ok "on: c's iperf3 in the storm at 90% of quiet or more ($SBW of $QBW Mbit/s)" \
	awk -v s="$SBW" -v q="$QBW" 'BEGIN { exit !(q > 0 && s >= 0.9 * q) }'
kill -USR2 "$(cat "$WORK/cli-b-on.pid")"
ok "on: b's client drops the excess at its tap" wait_for 5 lab_logged cli-b-on \
	'storm control: tap0: [1-9][0-9]* broadcast'
ON="RTT p99 $QP99 -> $SP99 ms, iperf3 $QBW -> $SBW Mbit/s"
stop cli-c-on
stop cli-b-on
stop srv-on

run hub srv-hub ""
ok "hub: c's RTT p99 in the storm under 10 ms ($SP99 ms; quiet $QP99 ms)" \
	awk -v p="$SP99" 'BEGIN { exit !(p < 10) }'
kill -USR2 "$(cat "$WORK/srv-hub.pid")"
ok "hub: the server counts broadcasts dropped on b's port" wait_for 5 lab_logged srv-hub \
	'storm control: vpnc\.example\.com/[^:]+:[0-9]+: [1-9][0-9]* broadcast'
fails "hub: ... and none on c's" lab_logged srv-hub 'storm control: vpnc2\.example\.com'
# storm_dropped STATUS: the status file's count of frames storm control dropped is above 0.
storm_dropped() {
	awk -F, '$2 == "Frames dropped by storm control" && $3 > 0 { f = 1 } END { exit !f }' "$1"
}
ok "hub: the status file counts them" wait_for 3 storm_dropped "$WORK/srv-hub.status"
diag "without a limit: $OFF"
diag "broadcast-limit 1000 2000 everywhere: $ON"
diag "broadcast-limit 1000 2000 on the server only: RTT p99 $QP99 -> $SP99 ms, iperf3 $QBW -> $SBW Mbit/s"
lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
