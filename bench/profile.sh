#!/bin/bash
# Where an l2vpn daemon's time goes: one l2vpn lab (bench/lab.sh), iperf3 from host A to host B
# through it, and per daemon (the server reads its tap and sends TLS, the client receives TLS
# and writes its tap) the system calls it makes, counted by the kernel's syscall tracepoints
# (perf stat: no ptrace, so the daemon runs at its own speed), its CPU time, and with --record
# a perf profile (cpu-clock samples with call graphs, kernel and user). Debian 12, as root:
#
#   bash bench/profile.sh [--seconds N] [--udp64] [--record] [--build DIR]
#
# --seconds: length of the measured run (default 8).
# --udp64:   64-byte UDP datagrams (iperf3 -u -l 64 -b 0) instead of one TCP stream.
# --record:  also write perf profiles; their top symbols are printed, the data kept in the
#            directory printed at the end.
# --build:   the build directory whose vpn/l2vpn is measured (default build-bench, configured
#            as bench/run.sh does: --buildtype=release).
# Prints the load's rate, the RTT of a 20 Hz ping meanwhile, how busy the whole machine was,
# and per daemon its system calls per MiB carried (and per frame with --udp64), by name, and
# its CPU seconds per GiB.
set -euo pipefail

usage() {
	sed -n '7,15p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

seconds=8 udp64=0 record=0 build=build-bench
while [ $# -gt 0 ]; do
	case $1 in
	--seconds)
		[[ ${2:-} =~ ^[1-9][0-9]?$ ]] || usage
		seconds=$2
		shift
		;;
	--udp64) udp64=1 ;;
	--record) record=1 ;;
	--build)
		[ $# -ge 2 ] || usage
		build=$2
		shift
		;;
	-h | --help) usage 0 ;;
	*) usage ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || {
	echo "bench/profile.sh: needs root (network namespaces, tap devices, perf)" >&2
	exit 1
}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case $build in /*) ;; *) build=$root/$build ;; esac
command -v perf >/dev/null || apt-get install -y -q linux-perf >/dev/null
command -v iperf3 >/dev/null || bash bench/deps.sh
if [ ! -f "$build/build.ninja" ]; then
	CC=${CC:-gcc} meson setup "$build" --buildtype=release >/dev/null
fi
ninja -C "$build" vpn/l2vpn pki/l2vpn-ca >/dev/null
L2VPN_BIN=$build/vpn/l2vpn
L2VPN_CA_BIN=$build/pki/l2vpn-ca

BENCH_WORK=$(mktemp -d /tmp/l2vpn-profile.XXXXXX)
# shellcheck source=bench/lab.sh
. "$root/bench/lab.sh"
keep_data=$record
on_exit() {
	bench_cleanup
	if [ "$keep_data" = 1 ]; then
		echo "bench/profile.sh: perf data in $BENCH_WORK" >&2
	else
		rm -rf "$BENCH_WORK"
	fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

bench_pki
bench_sites l2vpn
bench_join_l2vpn l2vpn
bench_wait_path l2vpn 20 || {
	echo "bench/profile.sh: the tunnel did not come up" >&2
	exit 1
}
bench_bg l2vpn-hb iperf-server iperf3 -s -1
sleep 0.5

calls=raw_syscalls:sys_enter
for c in read write writev readv sendto recvfrom sendmsg recvmsg epoll_wait epoll_ctl \
	io_uring_enter; do
	[ -d "/sys/kernel/tracing/events/syscalls/sys_enter_$c" ] ||
		[ -d "/sys/kernel/debug/tracing/events/syscalls/sys_enter_$c" ] || continue
	calls+=",syscalls:sys_enter_$c"
done
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
declare -A pid
for role in server client; do pid[$role]=$(bench_pid "l2vpn-$role"); done

if [ "$udp64" = 1 ]; then
	load=(-u -l 64 -b 0)
else
	load=()
fi
# The load starts first; perf attaches after a second, when the queues have filled, and
# detaches a second before the end.
bench_bg l2vpn-ha iperf-client iperf3 -c "$BENCH_HOST_B" -t $((seconds + 2)) -J ${load[@]+"${load[@]}"}
sleep 1
bench_bg l2vpn-ha ping ping -n -i 0.05 -W 2 -c $((seconds * 20)) "$BENCH_HOST_B"
awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat >"$BENCH_WORK/machine0"
bench_in l2vpn-hb cat /proc/net/snmp >"$BENCH_WORK/snmp0"
for role in server client; do
	ticks "${pid[$role]}" >"$BENCH_WORK/$role.ticks0"
	bench_bg l2vpn-sa "stat-$role" perf stat -x, -e "$calls" -p "${pid[$role]}" -- sleep "$seconds"
	if [ "$record" = 1 ]; then
		bench_bg l2vpn-sa "record-$role" perf record -q -e cpu-clock -g -p "${pid[$role]}" \
			-o "$BENCH_WORK/$role.perf.data" -- sleep "$seconds"
	fi
done
for role in server client; do
	wait "$(bench_pid "stat-$role")" || true
	ticks "${pid[$role]}" >"$BENCH_WORK/$role.ticks1"
	[ "$record" = 0 ] || wait "$(bench_pid "record-$role")" || true
done
awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat >"$BENCH_WORK/machine1"
bench_in l2vpn-hb cat /proc/net/snmp >"$BENCH_WORK/snmp1"
wait "$(bench_pid iperf-client)" || true
wait "$(bench_pid ping)" || true

python3 - "$BENCH_WORK" "$seconds" "$udp64" "$(getconf CLK_TCK)" <<'PY'
import json, os, sys
work, seconds, udp64, hz = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[4])
res = json.load(open(f"{work}/iperf-client.log"))
end = res["end"]
if udp64:
    s = end["sum"]
    rate = s["bytes"] / s["seconds"]
    frames = s["packets"] * (1 - s["lost_percent"] / 100) / s["seconds"]
    print(f"load: 64-byte UDP, {frames / 1000:.0f} kpps delivered, {rate * 8 / 1e6:.0f} Mbit/s")
    def udp(k):
        rows = [l.split() for l in open(f"{work}/snmp{k}") if l.startswith("Udp:")]
        return dict(zip(rows[0][1:], map(int, rows[1][1:])))
    u0, u1 = udp(0), udp(1)
    got = u1["InDatagrams"] - u0["InDatagrams"]
    full = u1["RcvbufErrors"] - u0["RcvbufErrors"]
    print(f"host B's UDP stack meanwhile: {(got + full) / seconds / 1000:.0f} kpps arrived, "
          f"{full / seconds / 1000:.0f} kpps of them dropped on a full socket buffer "
          f"(iperf3 did not read them in time)")
else:
    rate = end["sum_received"]["bytes"] / end["sum_received"]["seconds"]
    frames = None
    print(f"load: one TCP stream, {rate * 8 / 1e9:.2f} Gbit/s")
rtts = sorted(float(l.split("time=")[1].split()[0]) for l in open(f"{work}/ping.log") if "time=" in l)
if rtts:
    pick = lambda q: rtts[min(len(rtts) - 1, int(q * len(rtts)))]
    print(f"ping host A to host B at 20 Hz meanwhile: {len(rtts)} answered, "
          f"p50 {pick(0.5):.2f} ms, p99 {pick(0.99):.2f} ms, max {rtts[-1]:.2f} ms")
(b0, i0), (b1, i1) = ([int(x) for x in open(f"{work}/machine{k}").read().split()] for k in (0, 1))
busy = 100 * (b1 - b0) / (b1 - b0 + i1 - i0)
print(f"machine: {busy:.0f}% of all {os.cpu_count()} CPUs busy (daemons, iperf3, the kernel's network work)")
mib = rate * seconds / 2**20
for role, what in (("server", "reads the tap, sends TLS"), ("client", "receives TLS, writes the tap")):
    counts = {}
    for line in open(f"{work}/stat-{role}.log"):
        f = line.strip().split(",")
        if len(f) > 2 and f[0].isdigit():
            counts[f[2].split(":")[-1].replace("sys_enter_", "")] = int(f[0])
    t0 = int(open(f"{work}/{role}.ticks0").read())
    t1 = int(open(f"{work}/{role}.ticks1").read())
    cpu = (t1 - t0) / hz
    total = counts.pop("sys_enter", 0)
    per = f"{total / mib:.1f} per MiB"
    if frames:
        per += f", {total / (frames * seconds):.2f} per frame"
    print(f"{role} ({what}): {total} system calls in {seconds} s, {per}; "
          f"CPU {cpu / seconds * 100:.0f}% of a core, {cpu / (mib / 1024):.2f} s per GiB")
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        if n:
            print(f"    {name:<14} {n:>9}  {n / mib:8.2f} per MiB")
PY

if [ "$record" = 1 ]; then
	for role in server client; do
		echo "--- $role: top symbols (self time, cpu-clock samples)"
		perf report -i "$BENCH_WORK/$role.perf.data" --no-children --sort sym --stdio \
			-g none --percent-limit 1.5 2>/dev/null | grep -E '^ +[0-9]' | head -n 25
	done
fi
