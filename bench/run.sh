#!/bin/bash
# Side-by-side benchmark: the plain wire, OpenVPN 2.6 (TAP over TCP), l2vpn and tinc 1.0 (switch
# mode, over TCP and over UDP) on the same two-site bridged topology, in one run, so the ratios
# hold even where absolute figures drift. See bench/README.md. Debian 12, as root:
#
#   bash bench/run.sh [--quick] [--wan RATE] [--note TEXT]
#
# --quick: 4 s per iperf3 run, once each (under 3 min) instead of 10 s, three times (~14 min).
# --wan:   shape the link between the sites to RATE (tc tbf, e.g. 100mbit, 10 ms of buffer):
#          an office uplink, where queueing in the tunnel shows as latency under load.
# --note:  a line for the report (e.g. "other tests were running").
# Prints the table and writes bench/results/latest.md, latest.json and the chart latest.png
# (wan-RATE-latest.* with --wan). BENCH_KEEP=1 keeps the raw iperf3/ping output (its directory is
# printed at the end); BENCH_IDLE_SITES=N changes the 50 idle sites of the memory row.
set -euo pipefail

usage() {
	sed -n '6,14p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

quick=0
note=
wan_rate=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--note)
		[ $# -ge 2 ] || usage
		note=$2
		shift
		;;
	--wan)
		[ $# -ge 2 ] || usage
		wan_rate=$2
		shift
		;;
	-h | --help) usage 0 ;;
	*) usage ;;
	esac
	shift
done
if [ "$quick" = 1 ]; then
	duration=4 repeats=1 idle_pings=20
else
	duration=10 repeats=3 idle_pings=50
fi

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
[ "$(id -u)" = 0 ] || {
	echo "bench/run.sh: needs root (network namespaces, tap devices)" >&2
	exit 1
}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

started=$(date +%s)
bash bench/deps.sh
build="build-bench"
if [ -f "$build/build.ninja" ]; then
	meson configure "$build" -Dbuildtype=release >/dev/null
else
	CC=${CC:-gcc} meson setup "$build" --buildtype=release >/dev/null
fi
ninja -C "$build" vpn/l2vpn pki/l2vpn-ca >/dev/null
L2VPN_BIN=$root/$build/vpn/l2vpn
L2VPN_CA_BIN=$root/$build/pki/l2vpn-ca
idle_sites=${BENCH_IDLE_SITES:-50}
[[ $idle_sites =~ ^[1-9][0-9]{0,2}$ ]] || {
	echo "bench/run.sh: BENCH_IDLE_SITES: 1..999" >&2
	exit 2
}

BENCH_WORK=$(mktemp -d /tmp/l2vpn-bench.XXXXXX)
# shellcheck source=bench/lab.sh
. "$root/bench/lab.sh"
raw=$BENCH_WORK/raw
mkdir -p "$raw"

on_exit() {
	local rc=$?
	bench_cleanup
	if [ "$rc" -ne 0 ]; then
		echo "bench/run.sh: failed (exit $rc); last lines of the daemon logs:" >&2
		for f in "$BENCH_WORK"/*-server.log "$BENCH_WORK"/*-client.log; do
			[ -f "$f" ] || continue
			echo "--- $(basename "$f")" >&2
			tail -n 15 "$f" >&2
		done
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench/run.sh: raw results kept in $BENCH_WORK" >&2
	else
		rm -rf "$BENCH_WORK"
	fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

say() { printf '==> %s\n' "$*" >&2; }

# The labs, all built at once and measured interleaved. The main columns; the same joins with
# comp-lzo (tinc: Compression = 10, UDP only, so tinc over TCP has no such lab); the same joins
# with 9000-byte MTUs on the LANs, bridges and taps.
main_variants=(wire openvpn l2vpn tinctcp tincudp)
lzo_variants=(openvpn-lzo l2vpn-lzo tincudp-lzo)
jumbo_variants=(wire-j9k openvpn-j9k l2vpn-j9k tinctcp-j9k tincudp-j9k)
all_variants=("${main_variants[@]}" "${lzo_variants[@]}" "${jumbo_variants[@]}")

# variant_spec V: the join function's suffix and its arguments for V ("tinc udp lzo").
variant_spec() {
	case $1 in
	*-lzo) echo "$(variant_spec "${1%-lzo}") lzo" ;;
	*-j9k) echo "$(variant_spec "${1%-j9k}") mtu=9000" ;;
	tinctcp) echo "tinc tcp" ;;
	tincudp) echo "tinc udp" ;;
	wire | openvpn | l2vpn) echo "$1" ;;
	*) return 1 ;;
	esac
}

# build_variant V: V's sites and its join.
build_variant() {
	local spec
	read -ra spec <<<"$(variant_spec "$1")"
	bench_sites "$1" "$(_bench_opt mtu "${spec[@]:1}")" &&
		"bench_join_${spec[0]}" "$1" "${spec[@]:1}"
}

# daemon_ticks V: utime+stime (clock ticks) of both daemons of V; 0 for the wire.
daemon_ticks() {
	local v=$1 total=0 role stat
	[ "${v%-*}" = wire ] && {
		echo 0
		return
	}
	for role in server client; do
		stat=$(cat "/proc/$(bench_pid "$v-$role")/stat" 2>/dev/null) || {
			echo "?"
			return
		}
		stat=${stat##*) }
		# After "comm) ": state is field 3, so utime (14) and stime (15) are words 12 and 13.
		total=$((total + $(echo "$stat" | awk '{ print $12 + $13 }')))
	done
	echo "$total"
}

# wan_tx V: bytes sent so far on site A's WAN veth of V (the tunnel's outer traffic towards
# site B); nothing for the wire, whose traffic never crosses wan0.
wan_tx() {
	[ "${1%-*}" = wire ] || bench_in "$1-sa" cat /sys/class/net/wan0/statistics/tx_bytes 2>/dev/null || true
}

# daemon_alive V: both daemons of V still run (always true for the wire).
daemon_alive() {
	[ "${1%-*}" = wire ] && return 0
	kill -0 "$(bench_pid "$1-server")" 2>/dev/null && kill -0 "$(bench_pid "$1-client")" 2>/dev/null
}

# udp_counters V: host B's UDP counters ("Udp:" names and values from /proc/net/snmp).
udp_counters() { bench_in "$1-hb" grep '^Udp:' /proc/net/snmp 2>/dev/null || true; }

# iperf V NAME ARGS...: iperf3 -J from host A to host B of V into $raw/V.NAME.json, with the
# daemons' CPU ticks before and after in $raw/V.NAME.cpu, site A's wan0 byte counter in
# $raw/V.NAME.wan and host B's UDP counters before and after in $raw/V.NAME.udp. A test that
# never started (its control connection failed: iperf3's server briefly rebuilds its listener
# between tests) is tried once more a second later, and its first error kept in
# $raw/V.NAME.retried. A failed run (iperf3 writes its error into the JSON) or a daemon that
# died is reported as failed in the table; the other variants go on being measured.
iperf() {
	local v=$1 name=$2 t0 t1 w0 try
	shift 2
	for try in 1 2; do
		t0=$(daemon_ticks "$v")
		w0=$(wan_tx "$v")
		udp_counters "$v" >"$raw/$v.$name.udp"
		timeout $((duration + 30)) ip netns exec "$(bench_ns "$v-ha")" \
			iperf3 -c "$BENCH_HOST_B" -t "$duration" --connect-timeout 5000 -J "$@" \
			>"$raw/$v.$name.json" 2>"$raw/$v.$name.err" && break
		grep -q '"bits_per_second"' "$raw/$v.$name.json" || [ "$try" = 2 ] || {
			echo "bench/run.sh: $v $name: iperf3 did not start ($(grep -o '"error":.*' \
				"$raw/$v.$name.json" | head -n 1)), once more" >&2
			grep -o '"error":.*' "$raw/$v.$name.json" >"$raw/$v.$name.retried" || true
			sleep 1
			continue
		}
		echo "bench/run.sh: $v $name: iperf3 failed" >&2
		break
	done
	t1=$(daemon_ticks "$v")
	echo "$t0 $t1" >"$raw/$v.$name.cpu"
	echo "$w0 $(wan_tx "$v")" >"$raw/$v.$name.wan"
	udp_counters "$v" >>"$raw/$v.$name.udp"
	daemon_alive "$v" || echo "bench/run.sh: a $v daemon is not running after $name" >&2
}

# tcp1_with_ping V REP: one CUBIC stream, pinging host B at 10 Hz from host A meanwhile (from
# 1 s after the start, when the queues have filled, to 1 s before the end).
tcp1_with_ping() {
	local v=$1 rep=$2 ping_pid
	(
		sleep 1
		exec ip netns exec "$(bench_ns "$v-ha")" ping -n -i 0.1 -W 2 \
			-c $(((duration - 2) * 10)) "$BENCH_HOST_B" >"$raw/$v.load$rep.ping" 2>&1
	) &
	ping_pid=$!
	iperf "$v" "tcp1-$rep" -C cubic
	wait "$ping_pid" || true
}

# busy_percent SECS: how busy the whole machine is over SECS (100 = every CPU busy), from
# /proc/stat. Taken before the lab starts, it shows how much other work is running.
busy_percent() {
	local a b
	a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	sleep "$1"
	b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	echo "$a $b" | awk '{ busy = $3 - $1; idle = $4 - $2; printf "%.0f\n", 100 * busy / (busy + idle) }'
}

# rss_kib PID: VmRSS of PID in KiB (nothing when it is gone).
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# idle_l2vpn V N: N idle sites on V's l2vpn server (bench/idle_sites.py from site B: TLS with
# their own certificates, HELLO, PING/PONG, then idle); the line "idle_sites: up U of N" in
# $raw/V.idle-up. The sites stay until bench_stop V-idle.
idle_l2vpn() {
	local v=$1 n=$2 i
	bench_bg "$v-sb" "$v-idle" /usr/bin/python3 "$root/bench/idle_sites.py" --host "$BENCH_WAN_A" \
		--port "$BENCH_PORT" --ca "$BENCH_WORK/pki/ca.crt" --cert-dir "$BENCH_WORK/pki" \
		--prefix idle -n "$n" --ready "$raw/$v.idle-up"
	for ((i = 0; i < 600; i++)); do
		[ -s "$raw/$v.idle-up" ] && return 0
		kill -0 "$(bench_pid "$v-idle")" 2>/dev/null || break
		sleep 0.1
	done
	echo "idle_sites: did not finish" >"$raw/$v.idle-up"
}

# idle_openvpn V N: N openvpn clients with their own certificates and `dev null` (no tap; the
# server cannot tell) connect to V's server from site B; "up U of N" (the clients that logged
# "Initialization Sequence Completed" within 60 s) goes to $raw/V.idle-up.
idle_openvpn() {
	local v=$1 n=$2 i p=$BENCH_WORK/pki up=0
	for ((i = 1; i <= n; i++)); do
		_bench_conf "$BENCH_WORK/$v-idle$i.conf" "client" "dev null" "proto tcp-client" \
			"remote $BENCH_WAN_A $BENCH_PORT" "nobind" "ca $p/ca.crt" "cert $p/idle$i.crt" \
			"key $p/idle$i.key" "remote-cert-tls server" "data-ciphers AES-256-GCM" \
			"keepalive 10 120" || return 1
		bench_bg "$v-sb" "$v-idle$i" openvpn --config "$BENCH_WORK/$v-idle$i.conf"
	done
	for ((i = 0; i < 600; i++)); do
		up=$(cat "$BENCH_WORK/$v-idle"*.log 2>/dev/null | grep -c 'Initialization Sequence Completed' || true)
		[ "$up" -ge "$n" ] && break
		sleep 0.1
	done
	echo "openvpn clients: up $up of $n" >"$raw/$v.idle-up"
}

busy_before=$(busy_percent 3)
say "machine busy before the lab: ${busy_before}% (other work)"
say "lab: namespaces $BENCH_PREFIX-*, PKI from $L2VPN_CA_BIN, tinc keys from tincd -K"
bench_pki
for ((i = 1; i <= idle_sites; i++)); do
	"$L2VPN_CA_BIN" --dir "$BENCH_WORK/pki" --batch build-key "idle$i" >>"$BENCH_WORK/pki.log" 2>&1
done
bench_tinc_keys
for v in "${all_variants[@]}"; do
	build_variant "$v"
	[ -z "$wan_rate" ] || bench_shape_wan "$v" "$wan_rate"
done
if [ -n "$wan_rate" ]; then
	note="${note:+$note; }the link between the sites is shaped to $wan_rate (tc tbf, 10 ms buffer)"
fi
for v in "${all_variants[@]}"; do
	bench_wait_path "$v" 30 || {
		echo "bench/run.sh: $v: host B not reachable from host A after 30 s" >&2
		exit 1
	}
	bench_bg "$v-hb" "$v-iperf3" iperf3 -s -B "$BENCH_HOST_B"
done
sleep 0.5
say "lab up after $(($(date +%s) - started)) s"

say "RTT idle (${idle_pings} pings at 10 Hz)"
for v in "${main_variants[@]}"; do
	bench_in "$v-ha" ping -n -i 0.1 -W 2 -c "$idle_pings" "$BENCH_HOST_B" >"$raw/$v.idle.ping" 2>&1 || true
done

for rep in $(seq "$repeats"); do
	for v in "${main_variants[@]}"; do
		say "TCP 1 stream + ping, $v, run $rep/$repeats (${duration} s)"
		tcp1_with_ping "$v" "$rep"
	done
done
for rep in $(seq "$repeats"); do
	for v in "${main_variants[@]}"; do
		say "TCP 4 streams, $v, run $rep/$repeats (${duration} s)"
		iperf "$v" "tcp4-$rep" -C cubic -P 4
	done
done
for rep in $(seq "$repeats"); do
	for v in "${main_variants[@]}"; do
		say "UDP 64 B frames, $v, run $rep/$repeats (${duration} s)"
		iperf "$v" "udp64-$rep" -u -l 64 -b 0
	done
done
# iperf3's default payload is random (incompressible), --repeating-payload repeats a short
# pattern (compresses to a small fraction).
for rep in $(seq "$repeats"); do
	for v in "${lzo_variants[@]}"; do
		say "TCP 1 stream, comp-lzo, random payload, $v, run $rep/$repeats (${duration} s)"
		iperf "$v" "lzorand-$rep" -C cubic
	done
	for v in "${lzo_variants[@]}"; do
		say "TCP 1 stream, comp-lzo, repeating payload, $v, run $rep/$repeats (${duration} s)"
		iperf "$v" "lzorep-$rep" -C cubic --repeating-payload
	done
done
for rep in $(seq "$repeats"); do
	for v in "${jumbo_variants[@]}"; do
		say "TCP 1 stream, MTU 9000, $v, run $rep/$repeats (${duration} s)"
		iperf "$v" "j9k-$rep" -C cubic
	done
done
# What a 9000-byte IP packet that must not be fragmented meets on each jumbo join, and the
# path MTU host A has learnt for host B by then (an ICMP "fragmentation needed" leaves one).
for v in "${jumbo_variants[@]}"; do
	bench_in "$v-ha" ping -n -M 'do' -s 8972 -c 3 -i 0.3 -W 1 "$BENCH_HOST_B" >"$raw/$v.jping" 2>&1 || true
	bench_in "$v-ha" ip route get "$BENCH_HOST_B" >"$raw/$v.jroute" 2>&1 || true
done

for v in openvpn l2vpn tinctcp tincudp; do
	for role in server client; do
		rss_kib "$(bench_pid "$v-$role")" >"$raw/$v.rss-$role"
	done
done

say "$idle_sites idle sites on the l2vpn and OpenVPN servers"
idle_l2vpn l2vpn "$idle_sites"
idle_openvpn openvpn "$idle_sites"
sleep 1
for v in openvpn l2vpn; do
	rss_kib "$(bench_pid "$v-server")" >"$raw/$v.rss-server-idle"
	say "$v: $(cat "$raw/$v.idle-up"), server VmRSS $(cat "$raw/$v.rss-server-idle") KiB"
done
idle_jobs=(l2vpn-idle)
for ((i = 1; i <= idle_sites; i++)); do idle_jobs+=("openvpn-idle$i"); done
bench_stop "${idle_jobs[@]}"
cp "$BENCH_WORK/l2vpn-idle.log" "$raw/l2vpn.idle.log" 2>/dev/null || true

elapsed=$(($(date +%s) - started))
openssl_version=$(openssl version)
/usr/bin/python3 "$root/bench/report.py" --raw "$raw" --out "$root/bench/results/${wan_rate:+wan-$wan_rate-}latest" \
	--migrate "$root/bench/results/migrate-latest.json" \
	--set "mode=$([ "$quick" = 1 ] && echo quick || echo full)" \
	--set "duration_s=$duration" --set "repeats=$repeats" --set "idle_pings=$idle_pings" \
	--set "idle_sites=$idle_sites" --set "elapsed_s=$elapsed" \
	--set "note=$note" --set "load_at_start=$load_at_start" \
	--set "busy_before_pct=$busy_before" \
	--set "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" \
	--set "kernel=$(uname -r)" \
	--set "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--set "cpus=$(nproc)" --set "clk_tck=$(getconf CLK_TCK)" \
	--set "openvpn=$(openvpn --version | head -n 1)" \
	--set "l2vpn=$("$L2VPN_BIN" --version | head -n 1)" \
	--set "tinc=$(tincd --version | head -n 1)" \
	--set "openssl=$openssl_version" \
	--set "iperf3=$(iperf3 --version | head -n 1)" \
	--set "outer_cc=$(bench_in l2vpn-sa sysctl -n net.ipv4.tcp_congestion_control)" \
	--set "commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
say "done in $(($(date +%s) - started)) s"
