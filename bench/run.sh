#!/bin/bash
# Side-by-side benchmark: the plain wire, OpenVPN 2.6 (TAP over TCP) and l2vpn on the same
# two-site bridged topology, in one run, so the ratios hold even where absolute figures drift.
# See bench/README.md. Debian 12, as root:
#
#   bash bench/run.sh [--quick] [--wan RATE] [--note TEXT]
#
# --quick: 4 s per iperf3 run, once each (under ~2 min) instead of 10 s, three times (~8 min).
# --wan:   shape the link between the sites to RATE (tc tbf, e.g. 100mbit, 10 ms of buffer):
#          an office uplink, where queueing in the tunnel shows as latency under load.
# --note:  a line for the report (e.g. "other tests were running").
# Prints the table and writes bench/results/latest.md and latest.json (wan-RATE-latest.* with
# --wan). BENCH_KEEP=1 keeps the raw iperf3/ping output (its directory is printed at the end).
set -euo pipefail

usage() {
	sed -n '6,13p' "$0" | sed 's/^# \{0,1\}//'
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

bash tests/deps.sh
build="build-bench"
if [ -f "$build/build.ninja" ]; then
	meson configure "$build" -Dbuildtype=release >/dev/null
else
	CC=${CC:-gcc} meson setup "$build" --buildtype=release >/dev/null
fi
ninja -C "$build" vpn/l2vpn pki/l2vpn-ca >/dev/null
L2VPN_BIN=$root/$build/vpn/l2vpn
L2VPN_CA_BIN=$root/$build/pki/l2vpn-ca

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

variants=(wire openvpn l2vpn)

# daemon_ticks V: utime+stime (clock ticks) of both daemons of V; 0 for the wire.
daemon_ticks() {
	local v=$1 total=0 role stat
	[ "$v" = wire ] && {
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

# daemon_alive V: both daemons of V still run (always true for the wire).
daemon_alive() {
	[ "$1" = wire ] && return 0
	kill -0 "$(bench_pid "$1-server")" 2>/dev/null && kill -0 "$(bench_pid "$1-client")" 2>/dev/null
}

# iperf V NAME ARGS...: iperf3 -J from host A to host B of V into $raw/V.NAME.json, with the
# daemons' CPU ticks before and after in $raw/V.NAME.cpu. A failed run (iperf3 writes its error
# into the JSON) or a daemon that died is reported as failed in the table; the other variants
# go on being measured.
iperf() {
	local v=$1 name=$2 t0 t1
	shift 2
	t0=$(daemon_ticks "$v")
	timeout $((duration + 30)) ip netns exec "$(bench_ns "$v-ha")" \
		iperf3 -c "$BENCH_HOST_B" -t "$duration" --connect-timeout 5000 -J "$@" \
		>"$raw/$v.$name.json" 2>"$raw/$v.$name.err" ||
		echo "bench/run.sh: $v $name: iperf3 failed" >&2
	t1=$(daemon_ticks "$v")
	echo "$t0 $t1" >"$raw/$v.$name.cpu"
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

busy_before=$(busy_percent 3)
say "machine busy before the lab: ${busy_before}% (other work)"
say "lab: namespaces $BENCH_PREFIX-*, PKI from $L2VPN_CA_BIN"
bench_pki
for v in "${variants[@]}"; do
	bench_sites "$v"
	"bench_join_$v" "$v"
	[ -z "$wan_rate" ] || bench_shape_wan "$v" "$wan_rate"
done
if [ -n "$wan_rate" ]; then
	note="${note:+$note; }the link between the sites is shaped to $wan_rate (tc tbf, 10 ms buffer)"
fi
for v in "${variants[@]}"; do
	bench_wait_path "$v" 30 || {
		echo "bench/run.sh: $v: host B not reachable from host A after 30 s" >&2
		exit 1
	}
	bench_bg "$v-hb" "$v-iperf3" iperf3 -s -B "$BENCH_HOST_B"
done
sleep 0.5

say "RTT idle (${idle_pings} pings at 10 Hz)"
for v in "${variants[@]}"; do
	bench_in "$v-ha" ping -n -i 0.1 -W 2 -c "$idle_pings" "$BENCH_HOST_B" >"$raw/$v.idle.ping" 2>&1 || true
done

for rep in $(seq "$repeats"); do
	for v in "${variants[@]}"; do
		say "TCP 1 stream + ping, $v, run $rep/$repeats (${duration} s)"
		tcp1_with_ping "$v" "$rep"
	done
done
for rep in $(seq "$repeats"); do
	for v in "${variants[@]}"; do
		say "TCP 4 streams, $v, run $rep/$repeats (${duration} s)"
		iperf "$v" "tcp4-$rep" -C cubic -P 4
	done
done
for rep in $(seq "$repeats"); do
	for v in "${variants[@]}"; do
		say "UDP 64 B frames, $v, run $rep/$repeats (${duration} s)"
		iperf "$v" "udp64-$rep" -u -l 64 -b 0
	done
done

for v in openvpn l2vpn; do
	for role in server client; do
		awk '/^VmRSS:/ { print $2 }' "/proc/$(bench_pid "$v-$role")/status" \
			>"$raw/$v.rss-$role" 2>/dev/null || true
	done
done

openssl_version=$(openssl version)
python3 "$root/bench/report.py" --raw "$raw" --out "$root/bench/results/${wan_rate:+wan-$wan_rate-}latest" \
	--set "mode=$([ "$quick" = 1 ] && echo quick || echo full)" \
	--set "duration_s=$duration" --set "repeats=$repeats" --set "idle_pings=$idle_pings" \
	--set "note=$note" --set "load_at_start=$load_at_start" \
	--set "busy_before_pct=$busy_before" \
	--set "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" \
	--set "kernel=$(uname -r)" \
	--set "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--set "cpus=$(nproc)" --set "clk_tck=$(getconf CLK_TCK)" \
	--set "openvpn=$(openvpn --version | head -n 1)" \
	--set "l2vpn=$("$L2VPN_BIN" --version | head -n 1)" \
	--set "openssl=$openssl_version" \
	--set "iperf3=$(iperf3 --version | head -n 1)" \
	--set "outer_cc=$(bench_in l2vpn-sa sysctl -n net.ipv4.tcp_congestion_control)" \
	--set "commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
