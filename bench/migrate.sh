#!/bin/bash
# Live migration of a real QEMU guest from site A to site B, with the migration stream crossing
# the join between the two sites, over the bare wire, OpenVPN 2.6 (TAP over TCP) and l2vpn in
# one run. See bench/README.md. Debian 12, as root:
#
#   bash bench/migrate.sh [--rounds N] [--quick] [--bulk] [--joins LIST] [--note TEXT]
#
# --rounds: migrations per join (3), interleaved wire, openvpn, l2vpn, wire, ...
# --quick:  one round per join (about 1 min), for development.
# --joins:  a comma-separated subset of wire,openvpn,l2vpn (all three by default).
# --bulk:   an iperf3 TCP flow from site A's LAN host to site B's runs through the join during
#           every migration (a DRBD resync beside the migration).
# --note:   a line for the report (e.g. "other tests were running").
# Prints the table and writes bench/results/migrate-latest.md and .json (migrate-bulk-latest.*
# with --bulk, migrate-JOINS-latest.* with --joins). BENCH_KEEP=1 keeps the raw ping logs, QMP replies and guest consoles.
# L2VPN_VM_DIR: where the guest image is built and cached (/var/tmp/l2vpn-soak-vm, shared with
# bench/soak.sh --vm).
set -euo pipefail

usage() {
	sed -n '6,17p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

rounds=3
bulk=0
variants=(wire openvpn l2vpn)
note=
while [ $# -gt 0 ]; do
	case $1 in
	--rounds)
		[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage
		rounds=$2
		shift
		;;
	--quick) rounds=1 ;;
	--bulk) bulk=1 ;;
	--joins)
		[[ ${2:-} =~ ^(wire|openvpn|l2vpn)(,(wire|openvpn|l2vpn))*$ ]] || usage
		IFS=, read -ra variants <<<"$2"
		shift
		;;
	--note)
		[ $# -ge 2 ] || usage
		note=$2
		shift
		;;
	-h | --help) usage 0 ;;
	*) usage ;;
	esac
	shift
done

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
[ "$(id -u)" = 0 ] || {
	echo "bench/migrate.sh: needs root (network namespaces, tap devices)" >&2
	exit 1
}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash tests/deps.sh vm
if [ -z "${L2VPN_BIN:-}" ] || [ -z "${L2VPN_CA_BIN:-}" ]; then
	build="build-bench"
	if [ -f "$build/build.ninja" ]; then
		meson configure "$build" -Dbuildtype=release >/dev/null
	else
		CC=${CC:-gcc} meson setup "$build" --buildtype=release >/dev/null
	fi
	ninja -C "$build" vpn/l2vpn pki/l2vpn-ca >/dev/null
	L2VPN_BIN=$root/$build/vpn/l2vpn
	L2VPN_CA_BIN=$root/$build/pki/l2vpn-ca
fi
vm_dir=${L2VPN_VM_DIR:-/var/tmp/l2vpn-soak-vm}
bash "$root/bench/vm/build-image.sh" "$vm_dir"

BENCH_WORK=$(mktemp -d /tmp/l2vpn-migrate.XXXXXX)
# shellcheck source=bench/lab.sh
. "$root/bench/lab.sh"
# shellcheck source=bench/vm/qemu.sh
. "$root/bench/vm/qemu.sh"
raw=$BENCH_WORK/raw
mkdir -p "$raw"

on_exit() {
	local rc=$?
	bench_cleanup
	if [ "$rc" -ne 0 ]; then
		echo "bench/migrate.sh: failed (exit $rc); last lines of the logs:" >&2
		for f in "$BENCH_WORK"/*-server.log "$BENCH_WORK"/*-client.log; do
			[ -f "$f" ] || continue
			echo "--- $(basename "$f")" >&2
			tail -n 15 "$f" >&2
		done
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench/migrate.sh: raw results kept in $BENCH_WORK" >&2
	else
		rm -rf "$BENCH_WORK"
	fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

say() { printf '==> %s\n' "$*" >&2; }

# The LAN of bench/lab.sh (hosts .11 and .12) gets the sites' own addresses on br0 (the
# migration stream runs between them) and the guest.
SITE_A_LAN=192.168.77.1
SITE_B_LAN=192.168.77.2
GUEST=192.168.77.20
GUEST_MAC=52:54:00:77:00:20
MIGRATE_PORT=4444
# QEMU's own default (32 MiB/s) would make every join look alike: the migration may use all
# the link gives it, as a management layer that wants the move over quickly lets it.
MAX_BANDWIDTH=10000000000
MIGRATE_TIMEOUT=120

# running PID: PID is a live process (not a zombie waiting to be reaped).
running() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# stop_job NAME [SIGNAL]: signal background job NAME (TERM), KILL it after 10 s, reap it and
# forget its pid (so the cleanup never signals a pid the system has given to someone else).
stop_job() {
	local pid i p keep=()
	pid=$(bench_pid "$1")
	kill -"${2:-TERM}" "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		running "$pid" || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for p in "${_bench_pids[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	_bench_pids=(${keep[@]+"${keep[@]}"})
}

# rx_bytes V SHORT: bytes received by eth0 of variant V's namespace SHORT.
rx_bytes() { bench_in "$1-$2" cat /sys/class/net/eth0/statistics/rx_bytes; }

# wait_guest V SECS: until site A's LAN host gets an answer from the guest.
wait_guest() {
	local i
	for ((i = 0; i < $2 * 2; i++)); do
		bench_in "$1-ha" ping -n -q -c 1 -W 0.5 "$GUEST" >/dev/null 2>&1 && return 0
	done
	return 1
}

# migrate_round V R: boot the guest at site A (tap vm0 in br0) and an incoming QEMU at site B,
# ping the guest at 50 Hz from site A's LAN host (with --bulk, start the bulk flow too), migrate,
# go on pinging 3 s, stop everything. Raw output: $raw/V.R.{ping,migrate.json,bulk,*console}.
# A round that fails leaves a migrate.json whose status says why.
migrate_round() {
	local v=$1 r=$2 w=$raw/$1.$2 status=completed b0 b1 t0 t1
	vm_tap "$(bench_ns "$v-sa")" vm0 br0 fe:54:00:77:0a:20 &&
		vm_tap "$(bench_ns "$v-sb")" vm0 br0 fe:54:00:77:0b:20 || return 1
	rm -f "$BENCH_WORK/$v-src.qmp" "$BENCH_WORK/$v-dst.qmp"
	vm_qemu_cmd "$vm_dir" "$GUEST/24" "$GUEST_MAC" vm0 "$w.src-console" "$BENCH_WORK/$v-src.qmp"
	bench_bg "$v-sa" "$v-src" "${VM_CMD[@]}"
	vm_qemu_cmd "$vm_dir" "$GUEST/24" "$GUEST_MAC" vm0 "$w.dst-console" "$BENCH_WORK/$v-dst.qmp" \
		"tcp:$SITE_B_LAN:$MIGRATE_PORT"
	bench_bg "$v-sb" "$v-dst" "${VM_CMD[@]}"
	if ! vm_wait_ready "$w.src-console" "$(bench_pid "$v-src")" 120; then
		status="the guest did not boot"
	elif ! wait_guest "$v" 30; then
		status="site A's host got no answer from the guest"
	fi
	if [ "$status" = completed ]; then
		if [ "$bulk" = 1 ]; then
			bench_bg "$v-ha" "$v-bulk" iperf3 -c "$BENCH_HOST_B" -t 600 -C cubic -i 0 \
				--connect-timeout 5000
			sleep 2
		fi
		bench_bg "$v-ha" "$v-ping" ping -D -n -i 0.02 -W 1 "$GUEST"
		sleep 1
		b0=$(rx_bytes "$v" hb)
		t0=$EPOCHREALTIME
		/usr/bin/python3 "$root/bench/qmp.py" migrate "$BENCH_WORK/$v-src.qmp" \
			"tcp:$SITE_B_LAN:$MIGRATE_PORT" "$w.migrate.json" --dest "$BENCH_WORK/$v-dst.qmp" \
			--max-bandwidth "$MAX_BANDWIDTH" --timeout "$MIGRATE_TIMEOUT" 2>>"$BENCH_WORK/qmp.log" ||
			status="migration did not complete"
		t1=$EPOCHREALTIME
		b1=$(rx_bytes "$v" hb)
		[ "$bulk" = 0 ] || echo "$((b1 - b0)) $(echo "$t0 $t1" | awk '{ print $2 - $1 }')" >"$w.bulk"
		sleep 3
		stop_job "$v-ping" INT
		cp "$BENCH_WORK/$v-ping.log" "$w.ping"
		[ "$bulk" = 0 ] || stop_job "$v-bulk" INT
	fi
	stop_job "$v-src"
	stop_job "$v-dst"
	if [ "$status" != completed ]; then
		echo "bench/migrate.sh: $v round $r: $status" >&2
		[ -s "$w.migrate.json" ] || printf '{"status": "%s"}\n' "$status" >"$w.migrate.json"
		: >>"$w.ping"
	fi
}

# busy_percent SECS: how busy the whole machine is over SECS (100 = every CPU busy).
busy_percent() {
	local a b
	a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	sleep "$1"
	b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	echo "$a $b" | awk '{ busy = $3 - $1; idle = $4 - $2; printf "%.0f\n", 100 * busy / (busy + idle) }'
}

busy_before=$(busy_percent 3)
say "machine busy before the lab: ${busy_before}% (other work)"
say "lab: namespaces $BENCH_PREFIX-*, guest image $vm_dir"
bench_pki
for v in "${variants[@]}"; do
	bench_sites "$v"
	"bench_join_$v" "$v"
	ip -n "$(bench_ns "$v-sa")" addr add "$SITE_A_LAN/24" dev br0
	ip -n "$(bench_ns "$v-sb")" addr add "$SITE_B_LAN/24" dev br0
done
for v in "${variants[@]}"; do
	bench_wait_path "$v" 30 || {
		echo "bench/migrate.sh: $v: host B not reachable from host A after 30 s" >&2
		exit 1
	}
	[ "$bulk" = 0 ] || bench_bg "$v-hb" "$v-iperf3" iperf3 -s -B "$BENCH_HOST_B"
done

started=$SECONDS
for r in $(seq "$rounds"); do
	for v in "${variants[@]}"; do
		say "migration $r/$rounds over $v$([ "$bulk" = 1 ] && echo ", bulk flow beside it")"
		migrate_round "$v" "$r"
		tail -n 1 "$BENCH_WORK/qmp.log" 2>/dev/null | sed 's/^/    /' >&2 || true
	done
done
say "$((rounds * ${#variants[@]})) migrations in $((SECONDS - started)) s"

# Results of a subset of the joins do not replace those of all three.
out_name=migrate-
[ "$bulk" = 0 ] || out_name+=bulk-
[ "${variants[*]}" = "wire openvpn l2vpn" ] || out_name+="$(IFS=-; echo "${variants[*]}")-"
out_name+=latest
load=$'ping -D -i 0.02 (50 Hz) from site A\'s LAN host to the guest, from 1 s before the migrate command to 3 s after it ended'
[ "$bulk" = 0 ] || load="$load; iperf3 -C cubic from site A's LAN host to site B's through the join, from 2 s before"
/usr/bin/python3 "$root/bench/migrate_report.py" report --raw "$raw" \
	--out "$root/bench/results/$out_name" \
	--set "mode=$([ "$rounds" = 1 ] && echo quick || echo full)" --set "rounds=$rounds" \
	--set "bulk=$bulk" --set "note=$note" \
	--set "guest=Debian kernel $(cat "$vm_dir/kernel-package" 2>/dev/null) + busybox initramfs, ${VM_MEM} MB, 1 vCPU, QEMU TCG, virtio-net on a tap in the site's br0" \
	--set "migration=QMP migrate from site A to tcp:$SITE_B_LAN:$MIGRATE_PORT (the destination QEMU at site B listens on its br0 address, so the stream crosses the join), max-bandwidth $MAX_BANDWIDTH B/s, other parameters QEMU's defaults (downtime-limit 300 ms)" \
	--set "load=$load" \
	--set "load_at_start=$load_at_start" --set "busy_before_pct=$busy_before" \
	--set "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" \
	--set "kernel=$(uname -r)" \
	--set "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--set "cpus=$(nproc)" \
	--set "openvpn=$(openvpn --version | head -n 1)" \
	--set "l2vpn=$("$L2VPN_BIN" --version | head -n 1)" \
	--set "qemu=$(qemu-system-x86_64 --version | head -n 1)" \
	--set "commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
