#!/bin/bash
# Soak: l2vpn joining two bridged sites under steady load for a long time, watched every second.
# See bench/README.md. Debian 12, as root:
#
#   bash bench/soak.sh --minutes M [--vm] [--out PREFIX] [--note TEXT]
#                      [--max-loss PCT] [--max-stall S]
#
# --minutes: how long the load runs (a decimal is fine, e.g. 0.5 while developing).
# --vm:      host B is a QEMU guest (TCG, virtio-net on site B's bridge through a tap), built
#            by bench/vm/build-image.sh from Debian packages, instead of a namespace.
# --out:     write PREFIX.csv (one row per second), PREFIX.png (throughput, RTT, RSS, CPU) and
#            PREFIX.md (the summary); default bench/results/soak-latest.
# --note:    a line for the summary (e.g. "other tests were running").
# --max-loss, --max-stall: pass limits other than ping loss under 0.1 % and no stall over 2 s
#            (a short run has too few probes for 0.1 %: one lost in 600 is 0.17 %).
# Load: iperf3 -P 4 --bidir (4 TCP streams each way) between the LAN hosts through the tunnel,
# and a 5 Hz ping from host A to host B. Exit 0 when every pass criterion holds, 1 otherwise.
# L2VPN_BIN / L2VPN_CA_BIN: use these builds instead of building build-bench/ (release).
# SOAK_VM_DIR: where the VM image is built and cached (/var/tmp/l2vpn-soak-vm).
# SOAK_KEEP=1 keeps the scratch directory (daemon logs, raw samples, ping and iperf3 output).
set -euo pipefail

usage() {
	sed -n '5,17p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

minutes=
vm=0
out=
note=
limits=()
while [ $# -gt 0 ]; do
	case $1 in
	--minutes)
		[ $# -ge 2 ] || usage
		minutes=$2
		shift
		;;
	--vm) vm=1 ;;
	--out)
		[ $# -ge 2 ] || usage
		out=$2
		shift
		;;
	--note)
		[ $# -ge 2 ] || usage
		note=$2
		shift
		;;
	--max-loss)
		[[ ${2:-} =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage
		limits+=("loss_max=$2")
		shift
		;;
	--max-stall)
		[[ ${2:-} =~ ^[0-9]+$ ]] || usage
		limits+=("stall_max=$2")
		shift
		;;
	-h | --help) usage 0 ;;
	*) usage ;;
	esac
	shift
done
[[ $minutes =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage
seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 + 0.5 }')
[ "$seconds" -ge 10 ] || {
	echo "bench/soak.sh: --minutes must be at least 10 s worth" >&2
	exit 2
}
[ "$(id -u)" = 0 ] || {
	echo "bench/soak.sh: needs root (network namespaces, tap devices)" >&2
	exit 1
}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${out:-$root/bench/results/soak-latest}
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
cd "$root"

if [ "$vm" = 1 ]; then bash tests/deps.sh vm; else bash tests/deps.sh; fi
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
vm_dir=${SOAK_VM_DIR:-/var/tmp/l2vpn-soak-vm}
[ "$vm" = 0 ] || bash "$root/bench/vm/build-image.sh" "$vm_dir"

BENCH_WORK=$(mktemp -d /tmp/l2vpn-soak.XXXXXX)
# shellcheck source=bench/lab.sh
. "$root/bench/lab.sh"
W=$BENCH_WORK

on_exit() {
	local rc=$?
	bench_cleanup
	if [ "$rc" -ne 0 ]; then
		echo "bench/soak.sh: failed (exit $rc); last lines of the logs:" >&2
		for f in "$W"/soak-server.log "$W"/soak-client.log "$W"/vm-console.log "$W"/vm-state.txt \
			"$W"/iperf3.log; do
			[ -f "$f" ] || continue
			echo "--- $(basename "$f")" >&2
			tail -n 15 "$f" >&2
		done
	fi
	if [ "${SOAK_KEEP:-0}" = 1 ]; then
		echo "bench/soak.sh: scratch files kept in $W" >&2
	else
		rm -rf "$W"
	fi
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

say() { printf '==> %s\n' "$*" >&2; }
die() {
	echo "bench/soak.sh: $*" >&2
	exit 2
}

# running PID: PID is a live process (not a zombie waiting to be reaped).
running() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# join: l2vpn server at site A, client at site B, as in bench/lab.sh but at the default
# verbosity, so every (re)connection logs its "link up" line.
join() {
	local p=$W/pki
	_bench_conf "$W/server.conf" "port $BENCH_PORT" "local $BENCH_WAN_A" "proto tcp" "dev tap0" \
		"bridge br0" "server-bridge" "ca $p/ca.crt" "cert $p/server.crt" "key $p/server.key" \
		"dh $p/dh2048.pem" "keepalive 10 120" "persist-key" "persist-tun" "verb 3" &&
		_bench_conf "$W/client.conf" "client" "dev tap0" "bridge br0" "proto tcp" \
			"remote $BENCH_WAN_A $BENCH_PORT" "nobind" "ca $p/ca.crt" "cert $p/client.crt" \
			"key $p/client.key" "remote-cert-tls server" "keepalive 10 120" "persist-key" \
			"persist-tun" "verb 3" &&
		bench_bg soak-sa soak-server "$L2VPN_BIN" --config "$W/server.conf" &&
		bench_bg soak-sb soak-client "$L2VPN_BIN" --config "$W/client.conf"
}

# start_vm: host B as a QEMU guest: its namespace's veth leaves site B's bridge and a tap
# (vm0) takes its place, with the guest's virtio-net behind it. Waits for the guest's init to
# report eth0 up and iperf3 listening.
start_vm() {
	local sb i
	sb=$(bench_ns soak-sb)
	ip -n "$sb" link del eth1 &&
		ip -n "$sb" tuntap add dev vm0 mode tap &&
		ip -n "$sb" link set vm0 master br0 &&
		ip -n "$sb" link set vm0 up || return 1
	bench_bg soak-sb vm qemu-system-x86_64 -accel tcg -m 256 -smp 1 -nodefaults -no-user-config \
		-display none -no-reboot -serial "file:$W/vm-console.log" \
		-monitor "unix:$W/vm-monitor.sock,server=on,wait=off" \
		-kernel "$vm_dir/vmlinuz" -initrd "$vm_dir/initramfs.cpio.gz" \
		-append "console=ttyS0 loglevel=4 panic=-1 l2vpn.ip=$BENCH_HOST_B/24" \
		-netdev tap,id=n0,ifname=vm0,script=no,downscript=no \
		-device virtio-net-pci,id=vnet0,netdev=n0,mac=52:54:00:77:00:12
	for ((i = 0; i < 600; i++)); do
		grep -q 'l2vpn-vm: ready' "$W/vm-console.log" 2>/dev/null && return 0
		kill -0 "$(bench_pid vm)" 2>/dev/null || break
		sleep 0.2
	done
	echo "the VM did not come up" >&2
	return 1
}

say "soak: ${minutes} min ($seconds s)$([ "$vm" = 1 ] && echo ", host B is a QEMU guest"), results in $out.{csv,png,md}"
bench_pki || die "PKI failed (see $W/pki.log)"
bench_sites soak || die "lab setup failed"
if [ "$vm" = 1 ]; then
	say "booting the VM (TCG)"
	start_vm || die "VM did not boot"
	say "VM up: $(grep -m1 'l2vpn-vm: eth0' "$W/vm-console.log")"
fi
join || die "daemons did not start"
bench_wait_path soak 90 || die "host B not reachable from host A through the tunnel after 90 s"
[ "$vm" = 1 ] || bench_bg soak-hb iperf3-server iperf3 -s -B "$BENCH_HOST_B"
# Idle processes whose /proc/PID/net/dev is each namespace's interface counters.
for n in ha sa sb; do bench_bg "soak-$n" "anchor-$n" sleep 1000000; done
sleep 0.5

dmesg_before=$(dmesg 2>/dev/null | wc -l)
procs=("server=$(bench_pid soak-server)" "client=$(bench_pid soak-client)")
[ "$vm" = 0 ] || procs+=("vm=$(bench_pid vm)")
say "load: iperf3 -P 4 --bidir and ping at 5 Hz for $seconds s, sampling every second"
/usr/bin/python3 "$root/bench/soak.py" sample "$W/samples.csv" "$seconds" "${procs[@]}" \
	"ns:ha=$(bench_pid anchor-ha)" "ns:sa=$(bench_pid anchor-sa)" "ns:sb=$(bench_pid anchor-sb)" \
	"log:server=$W/soak-server.log" "log:client=$W/soak-client.log" &
sampler=$!
_bench_pids+=("$sampler")
bench_bg soak-ha ping ping -D -n -i 0.2 -W 2 -c $((seconds * 5)) "$BENCH_HOST_B"
# iperf3 for the whole run; should it fail (or hang past its end: a stalled stream never ends
# by itself), it is started again for the time left and the summary counts the failed runs.
echo 0 >"$W/iperf3.failed"
(
	end=$((SECONDS + seconds))
	runs=0 failed=0
	while left=$((end - SECONDS)) && [ "$left" -gt 2 ]; do
		runs=$((runs + 1))
		echo "=== run $runs: $left s ($(date -u +%T))" >>"$W/iperf3.log"
		if ! timeout -s KILL $((left + 15)) ip netns exec "$(bench_ns soak-ha)" iperf3 \
			-c "$BENCH_HOST_B" -t "$left" -P 4 --bidir -i 0 --connect-timeout 5000 \
			>>"$W/iperf3.log" 2>&1; then
			failed=$((failed + 1))
			echo "$failed" >"$W/iperf3.failed"
			echo "=== run $runs failed ($(date -u +%T))" >>"$W/iperf3.log"
			sleep 1
		fi
	done
) &
iperf_loop=$!
_bench_pids+=("$iperf_loop")

wait "$sampler" || die "the sampler failed"
wait "$iperf_loop" || true
for ((i = 0; i < 50; i++)); do
	running "$(bench_pid ping)" || break
	sleep 0.1
done
kill -INT "$(bench_pid ping)" 2>/dev/null || true
wait "$(bench_pid ping)" 2>/dev/null || true
cp "$W/ping.log" "$W/ping.final"
if [ "$vm" = 1 ]; then
	# The state of the guest's virtqueues (0 receive, 1 transmit) and of its tap: tells a guest
	# that stopped sending from a host that stopped delivering.
	{
		ip -n "$(bench_ns soak-sb)" -s link show vm0
		for q in 0 1; do
			echo "info virtio-queue-status /machine/peripheral/vnet0/virtio-backend $q"
			sleep 0.5
		done | timeout 5 socat - "UNIX-CONNECT:$W/vm-monitor.sock" | tr -d '\r' | grep -v '^(qemu)'
	} >"$W/vm-state.txt" 2>&1 || true
fi
# Stop the daemons now, so a sanitizer build's leak report is in their logs for the summary.
for r in server client; do kill -TERM "$(bench_pid "soak-$r")" 2>/dev/null || true; done
for ((i = 0; i < 100; i++)); do
	running "$(bench_pid soak-server)" || running "$(bench_pid soak-client)" || break
	sleep 0.1
done
dmesg 2>/dev/null | tail -n +$((dmesg_before + 1)) >"$W/dmesg.new" || true
[ -s "$W/dmesg.new" ] && say "kernel log during the run: $(wc -l <"$W/dmesg.new") line(s)"

title="l2vpn soak, ${minutes} min, $([ "$vm" = 1 ] && echo "host B a QEMU/TCG guest" || echo "namespaces")"
rargs=("iperf_failed=$(cat "$W/iperf3.failed")" "title=$title" "dmesg=$W/dmesg.new"
	"logs=$W/soak-server.log,$W/soak-client.log")
[ "$vm" = 0 ] || rargs+=("console=$W/vm-console.log")
# ASan's quarantine holds freed memory (up to 256 MB), so RSS grows by design there.
! grep -q __asan_init "$L2VPN_BIN" || rargs+=("asan=1")
note="${note:+$note; }$(date -u '+%F %H:%M UTC'), $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg); l2vpn $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
rargs+=("note=$note" ${limits[@]+"${limits[@]}"})
rc=0
/usr/bin/python3 "$root/bench/soak.py" report "$W/samples.csv" "$W/ping.final" "$out" "${rargs[@]}" || rc=$?
exit "$rc"
