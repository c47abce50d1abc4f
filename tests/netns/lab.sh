# shellcheck shell=bash
# The two-site (or more) measuring lab on top of lib.sh: a PKI made with l2vpn-ca, site
# namespaces with bridges, LAN hosts on veths, a WAN switch, configs derived from conf-examples/
# and daemons started and stopped with lib.sh's bg/stop. Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"; . "$(dirname "$0")/lab.sh"
#   need_root; lab_need_programs
#   lab_step "PKI" lab_pki
#   lab_step "sites" lab_two_sites 1        (sites a, b; br0, tap0 and host ha0 / hb0)
#   LAB_REMOTE=$(lab_wan_ip a)
#   lab_conf server.conf srv "comp-lzo yes"; lab_conf client.conf cli "comp-lzo yes"
#   lab_start a srv; lab_start b cli; ok "link up" lab_wait_up cli
#   ok "ping" lab_wait_ping ha0 "$(lab_host_ip b 0)" 5; lab_stop_all
#
# lib.sh's ok runs its command in a subshell: functions that record state (lab_site, lab_lan,
# lab_two_sites, lab_within's LAB_ELAPSED) must run in the test's shell, e.g. under lab_step.
#
# Naming. Sites are short names (a, b, c) with a number N (1, 2, 3). Every site namespace joins
# the WAN switch (namespace "wan", bridge "wan") on its wan0 with 10.99.0.N/24. LAN K (0, 1) is
# 192.168.(10+K).0/24: at site N, bridge brK has .N and the LAN host namespace "h<site>K" (on
# the site's ethK) has .(10+N). lab_lan creates tapK in brK the ifupdown way (l2vpn --mktun
# --bridge) unless LAB_MKTUN=0, in which case the daemon's `bridge brK` directive does it.
#
# Every function but lab_step is quiet (no TAP lines) and returns non-zero on failure, so
# tests/demo.sh uses them too.

LAB_CONF_DIR=${LAB_CONF_DIR:-$L2VPN_SOURCE_ROOT/conf-examples}
LAB_PKI=$WORK/pki
LAB_MKTUN=${LAB_MKTUN:-1}
# Sanitizer builds: leak reports at exit go into the daemon's log, where lab_sanitizer_clean
# looks for them.
case ${ASAN_OPTIONS:-} in
*detect_leaks*) ;;
*) export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1 ;;
esac
declare -A _lab_site_n=()
_lab_daemons=()

# lab_step DESC CMD...: run a setup CMD in this shell (not in ok's subshell, so namespaces and
# site numbers it records stay known) and report it as one TAP line; errors go to diagnostics.
lab_step() {
	local desc=$1 err=$WORK/.step.err
	shift
	if "$@" 2>"$err"; then
		pass "$desc"
	else
		fail "$desc" "$(head -n 20 "$err")"
	fi
}

# lab_need_programs: l2vpn and l2vpn-ca are built, or the test is one failure.
lab_need_programs() {
	local p
	for p in "$L2VPN_BIN" "$L2VPN_CA_BIN"; do
		[ -x "$p" ] && continue
		echo "1..1"
		echo "not ok 1 - $p is not built"
		exit 1
	done
}

# lab_ca ARGS...: l2vpn-ca in batch mode on the lab PKI ($LAB_PKI, or LAB_CA_DIR if set);
# output appended to $WORK/pki.log.
lab_ca() {
	"$L2VPN_CA_BIN" --dir "${LAB_CA_DIR:-$LAB_PKI}" --batch "$@" >>"$WORK/pki.log" 2>&1
}

# lab_pki [DIR]: a fresh CA in DIR ($LAB_PKI by default) with the names conf-examples use:
# ca.crt, server vpn.example.com, client vpnc.example.com, dh2048.pem.
lab_pki() {
	local LAB_CA_DIR=${1:-$LAB_PKI}
	lab_ca init && lab_ca build-ca && lab_ca build-key-server vpn.example.com &&
		lab_ca build-key vpnc.example.com && lab_ca build-dh 2048
}

# _lab_quiet_ns NS: the sysctls every lab namespace gets: hosts answer broadcast pings, no
# IPv6 chatter on the LANs (it would blur the byte counters the leak checks read).
_lab_quiet_ns() {
	ns_exec "$1" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0 \
		net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}

# lab_site NAME N: site namespace NAME joined to the WAN switch on wan0 as 10.99.0.N/24.
lab_site() {
	local s=$1 n=$2
	if ! [ -e "/run/netns/$(ns wan)" ]; then
		ns_add wan && _lab_quiet_ns wan && bridge_add wan wan || return 1
	fi
	ns_add "$s" && _lab_quiet_ns "$s" || return 1
	_lab_site_n[$s]=$n
	ip -n "$(ns wan)" link add "wan$s" type veth peer name wan0 netns "$(ns "$s")" || return 1
	ip -n "$(ns wan)" link set "wan$s" master wan up &&
		ip -n "$(ns "$s")" link set wan0 up && addr_add "$s" wan0 "10.99.0.$n/24" &&
		link_ready wan "wan$s" && link_ready "$s" wan0
}

# lab_wan_ip SITE: the site's WAN address.
lab_wan_ip() { echo "10.99.0.${_lab_site_n[$1]}"; }
# lab_br_ip SITE K: the address of bridge brK at SITE.
lab_br_ip() { echo "192.168.$((10 + $2)).${_lab_site_n[$1]}"; }
# lab_host_ip SITE K: the address of LAN host h<SITE>K.
lab_host_ip() { echo "192.168.$((10 + $2)).$((10 + ${_lab_site_n[$1]}))"; }
# lab_bcast K: LAN K's broadcast address.
lab_bcast() { echo "192.168.$((10 + $1)).255"; }

# lab_lan SITE K: bridge brK at SITE (with its address), LAN host h<SITE>K on ethK, tapK.
lab_lan() {
	local s=$1 k=$2 h="h$1$2"
	ns_add "$h" && _lab_quiet_ns "$h" || return 1
	veth_pair "$s" "eth$k" "$h" eth0 || return 1
	bridge_add "$s" "br$k" "eth$k" || return 1
	addr_add "$s" "br$k" "$(lab_br_ip "$s" "$k")/24" || return 1
	addr_add "$h" eth0 "$(lab_host_ip "$s" "$k")/24" || return 1
	if [ "$LAB_MKTUN" = 1 ]; then
		ns_exec "$s" "$L2VPN_BIN" --mktun --dev "tap$k" --bridge "br$k" >>"$WORK/mktun.log" 2>&1 ||
			return 1
	fi
}

# lab_conf TEMPLATE NAME [DIRECTIVE-LINE...]: $LAB_PKI/NAME.conf derived from
# $LAB_CONF_DIR/TEMPLATE (so its relative certificate names resolve in the PKI): process
# directives that do not fit a test (daemon, log, log-append, syslog, user, group, writepid,
# cd) are dropped, `status` goes to $WORK/NAME.status every second, a `dh` file becomes the
# dh2048.pem l2vpn-ca made, and with LAB_REMOTE set the host of every `remote` line becomes
# $LAB_REMOTE (its port stays). Each DIRECTIVE-LINE ("remote 10.99.0.1 1194") replaces every line
# of that directive; "-directive" only deletes them. Prints the path.
lab_conf() {
	local tmpl=$LAB_CONF_DIR/$1 out=${LAB_CONF_OUT:-$LAB_PKI}/$2.conf line d sp='[[:space:]]'
	shift 2
	[ -f "$tmpl" ] || {
		echo "lab_conf: $tmpl missing" >&2
		return 1
	}
	sed -E -e "/^$sp*(daemon|log|log-append|syslog|user|group|writepid|cd)($sp|\$)/d" \
		-e "s|^($sp*status)$sp+[^[:space:]]+.*|\\1 $WORK/$(basename "$out" .conf).status 1|" \
		-e "s|^($sp*dh)$sp+([^n[:space:]][^[:space:]]*).*|\\1 dh2048.pem|" \
		-e "${LAB_REMOTE:+s|^($sp*remote)$sp+[^[:space:]]+|\\1 $LAB_REMOTE|}" \
		"$tmpl" >"$out" || return 1
	for line in "$@"; do
		d=${line%% *}
		d=${d#-}
		sed -i -E "/^$sp*$d($sp|\$)/d" "$out"
		case $line in -*) ;; *) printf '%s\n' "$line" >>"$out" ;; esac
	done
	echo "$out"
}

# lab_start SITE NAME [CONFNAME]: l2vpn --config CONFNAME.conf (NAME.conf by default, from
# lab_conf) in SITE's namespace, log in $WORK/NAME.log.
lab_start() {
	bg "$1" "$2" "$L2VPN_BIN" --config "${LAB_CONF_OUT:-$LAB_PKI}/${3:-$2}.conf"
	_lab_daemons+=("$2")
}

# lab_log NAME: the daemon's log file.
lab_log() { echo "$WORK/$1.log"; }
# lab_logged NAME REGEX: the daemon's log has a line matching the extended REGEX.
lab_logged() { grep -Eq -- "$2" "$WORK/$1.log"; }
# lab_count NAME REGEX: how many log lines match.
lab_count() { grep -Ec -- "$2" "$WORK/$1.log"; }
# lab_running NAME: the daemon's process is alive.
lab_running() { kill -0 "$(cat "$WORK/$1.pid")" 2>/dev/null; }

# lab_wait_up NAME [N] [SECS]: wait until NAME logged N (1) "link up" lines (max SECS, 15 s).
lab_wait_up() {
	local want=${2:-1}
	wait_for "${3:-15}" _lab_ups_at_least "$1" "$want"
}
_lab_ups_at_least() { [ "$(lab_count "$1" ': link up ')" -ge "$2" ]; }

# lab_within SECS CMD...: retry CMD every 0.1 s until it succeeds or SECS (wall clock) pass;
# LAB_ELAPSED holds the seconds it took (as "1.234").
LAB_ELAPSED=
lab_within() {
	local secs=$1 start now
	shift
	start=${EPOCHREALTIME/[.,]/}
	while :; do
		"$@" >/dev/null 2>&1 && break
		now=${EPOCHREALTIME/[.,]/}
		if [ $((now - start)) -ge $((secs * 1000000)) ]; then
			LAB_ELAPSED=$(_lab_secs $((now - start)))
			return 1
		fi
		sleep 0.1
	done
	LAB_ELAPSED=$(_lab_secs $((${EPOCHREALTIME/[.,]/} - start)))
}
_lab_secs() { printf '%d.%03d' $(($1 / 1000000)) $(($1 % 1000000 / 1000)); }

# lab_ping HOST ADDR [COUNT]: unicast ping from namespace HOST (1 s reply timeout each).
lab_ping() { ns_exec "$1" ping -n -q -c "${3:-1}" -i 0.2 -W 1 "$2" >/dev/null 2>&1; }

# lab_wait_ping HOST ADDR SECS: until one ping from HOST to ADDR is answered (wall clock).
lab_wait_ping() { lab_within "$3" lab_ping "$1" "$2"; }

# lab_bping HOST ADDR [COUNT]: broadcast ping from HOST; its output (every reply, DUPs
# included) in $BPING.
BPING=
lab_bping() {
	BPING=$(ns_exec "$1" ping -n -b -c "${3:-3}" -i 0.3 -w "$((${3:-3} + 2))" "$2" 2>&1)
	return 0
}

# lab_replied ADDR: $BPING has a reply from ADDR.
lab_replied() { printf '%s\n' "$BPING" | grep -Eq "bytes from ${1//./\\.}:"; }

# lab_rx_bytes NS IF: received bytes of interface IF in namespace NS.
lab_rx_bytes() { ns_exec "$1" cat "/sys/class/net/$2/statistics/rx_bytes"; }

# lab_ifindex_master SITE IF: "ifindex master" of IF at SITE (master "-" when none).
lab_ifindex_master() {
	ip -n "$(ns "$1")" -o link show "$2" |
		awk '{ m = "-"; for (i = 1; i <= NF; i++) if ($i == "master") m = $(i + 1); print $1 m }'
}

# lab_tool VAR NAME: the path of the test tool NAME that meson builds in tests/netns
# (conn-flood, frame-gen, wan-relay) into VAR, or the test ends as one failure.
lab_tool() {
	local path=${L2VPN_BUILD_ROOT:-build}/tests/netns/$2
	if [ ! -x "$path" ]; then
		echo "1..1"
		echo "not ok 1 - $path is not built"
		exit 1
	fi
	printf -v "$1" '%s' "$path"
}

# lab_asan: the daemon is an ASan build (its quarantine keeps freed memory resident, so RSS
# says nothing about leaks there; LeakSanitizer checks at exit instead).
lab_asan() { grep -q __asan_init "$L2VPN_BIN"; }
# lab_fds PID: how many descriptors process PID has open.
lab_fds() { ls "/proc/$1/fd" | wc -l; }
# lab_fds_settled PID: the least of 10 lab_fds looks 0.1 s apart. A status file being written
# or a refused connection being closed holds one more for an instant; a leak holds it for good.
lab_fds_settled() {
	local n min=
	for _ in $(seq 10); do
		n=$(lab_fds "$1")
		{ [ -z "$min" ] || [ "$n" -lt "$min" ]; } && min=$n
		sleep 0.1
	done
	echo "$min"
}
# lab_kb PID FIELD: a /proc/PID/status figure in KiB (VmRSS, VmData, ...).
lab_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# lab_stop_all: SIGTERM every daemon lab_start started (so sanitizer leak reports get written).
lab_stop_all() {
	local d
	for d in "${_lab_daemons[@]}"; do stop "$d"; done
}

# lab_sanitizer_clean: no daemon log holds an ASan/UBSan/LSan report.
lab_sanitizer_clean() {
	! grep -El 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' \
		"$WORK"/*.log
}

# lab_two_sites [LANS]: sites a (1) and b (2), each with LANs 0..LANS-1 (1 by default).
lab_two_sites() {
	local k s
	for s in a b; do
		lab_site "$s" "$([ $s = a ] && echo 1 || echo 2)" || return 1
		for ((k = 0; k < ${1:-1}; k++)); do lab_lan "$s" "$k" || return 1; done
	done
}

# lab_three_sites: the hub-and-two-spokes lab: a PKI whose second client certificate is
# vpnc2.example.com, and sites a, b, c, each with br0 and one LAN host.
lab_three_sites() {
	lab_pki && lab_ca build-key vpnc2.example.com || return 1
	lab_site a 1 && lab_site b 2 && lab_site c 3 &&
		lab_lan a 0 && lab_lan b 0 && lab_lan c 0
}

# lab_offloads_off NS IF: no TSO/GSO/GRO and no TX checksum offload on IF, so every frame that
# leaves it is a real wire frame with a complete checksum (what a relay over AF_PACKET needs).
lab_offloads_off() {
	ns_exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1
}

# lab_relay_path A B: a second WAN path between sites A and B through namespace "relay": A's
# wr0 <-veth-> relay's ra, relay's rb <-veth-> B's wr0, with 10.98.0.N/24 on the wr0 ends and
# offloads off on all four ends. Nothing crosses the relay namespace until a program moves
# frames between ra and rb (tests/netns/wan-relay, started with bg relay NAME ...).
lab_relay_path() {
	local s side
	ns_add relay && _lab_quiet_ns relay || return 1
	for s in "$1" "$2"; do
		side=ra
		[ "$s" = "$2" ] && side=rb
		ip -n "$(ns relay)" link add "$side" type veth peer name wr0 netns "$(ns "$s")" ||
			return 1
		ip -n "$(ns relay)" link set "$side" up && ip -n "$(ns "$s")" link set wr0 up &&
			addr_add "$s" wr0 "$(lab_relay_ip "$s")/24" || return 1
		lab_offloads_off relay "$side" && lab_offloads_off "$s" wr0 || return 1
	done
}

# lab_relay_ip SITE: the site's address on the relay path.
lab_relay_ip() { echo "10.98.0.${_lab_site_n[$1]}"; }

# lab_iperf HOST ADDR SECS OUT [ARGS...]: iperf3 client in namespace HOST against the iperf3
# server at ADDR for SECS seconds with 2-second intervals, JSON report (with the receiving
# server's own report inside) in OUT.
lab_iperf() {
	local h=$1 a=$2 t=$3 out=$4 try
	shift 4
	# A server still closing the previous test (at a 200 ms round trip that takes seconds)
	# refuses the next one: try again, for up to 20 s. (With --json, iperf3 3.12 exits with
	# 0 on such errors and writes them into the report.)
	for try in $(seq 10); do
		ns_exec "$h" timeout $((t + 30)) iperf3 -c "$a" -t "$t" -i 2 --json \
			--get-server-output "$@" >"$out" 2>&1 && ! grep -q '"error":' "$out" && return 0
		grep -q '"intervals":[[:space:]]*\[[[:space:]]*{' "$out" && return 1
		sleep 2
	done
	return 1
}

# lab_iperf_summary OUT [WINDOW]: "intervals N min M mean A" (Mbit/s, 2 decimals) from
# lab_iperf's report, as the receiver counted the bytes that arrived; fails when the report
# holds no interval or an interval in which no byte arrived. With WINDOW (seconds, a multiple
# of 2), consecutive intervals are judged in windows of that length instead ("window W min X"
# is added; a short tail joins the last window).
lab_iperf_summary() {
	/usr/bin/python3 - "$1" "${2:-2}" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    # The receiver's view (what reached the LAN host) when the server sent its report.
    r = r.get("server_output_json") or r
    iv = [i["sum"] for i in r["intervals"]]
except Exception as e:
    print("no iperf3 report: %s" % e)
    sys.exit(1)
# The closing interval can be a sliver (iperf3 stops mid-interval): judge whole ones only.
whole = [s for s in iv if s["seconds"] >= 1.0] or iv
mbps = [s["bits_per_second"] / 1e6 for s in whole]
out = "intervals %d min %.2f mean %.2f" % (len(whole), min(mbps) if mbps else 0,
                                          sum(mbps) / len(mbps) if mbps else 0)
per = max(1, int(sys.argv[2]) // 2)
groups = [whole[i:i + per] for i in range(0, len(whole), per)]
if len(groups) > 1 and len(groups[-1]) < per:
    groups[-2] += groups.pop()
judged = [sum(s["bytes"] for s in g) for g in groups]
if per > 1:
    secs = [sum(s["seconds"] for s in g) for g in groups]
    out += " window %s min %.2f" % (sys.argv[2], min(8 * b / t / 1e6 for b, t in zip(judged, secs))
                                    if judged else 0)
print(out)
print("each: " + " ".join("%.1f" % v for v in mbps), file=sys.stderr)
sys.exit(0 if judged and all(b > 0 for b in judged) else 1)
PY
}

# lab_status_routes STATUS CN: how many MAC entries the server's status file (layout 1, 2 or 3)
# lists for common name CN.
lab_status_routes() {
	awk -F'[,\t]' -v cn="$2" '
		/^ROUTING TABLE/ { r = 1; next }
		/^GLOBAL STATS/ { r = 0 }
		r && $2 == cn { n++ }
		$1 == "ROUTING_TABLE" && $3 == cn { n++ }
		END { print n + 0 }' "$1"
}

# lab_status_macs STATUS: how many entries the server's whole MAC table holds (its GLOBAL STATS
# row), those of sites without a session included.
lab_status_macs() {
	awk -F'[,\t]' '$1 == "MAC table entries" { print $2 }
		$1 == "GLOBAL_STATS" && $2 == "MAC table entries" { print $3 }' "$1"
}

# lab_status_orphans STATUS: MAC table entries on a site's port with no session (a departed
# site's MACs the server failed to forget), from its GLOBAL STATS row.
lab_status_orphans() {
	awk -F'[,\t]' '$1 == "MAC table entries without a session" { print $2 }
		$1 == "GLOBAL_STATS" && $2 == "MAC table entries without a session" { print $3 }' "$1"
}

# lab_status_clients STATUS CN: how many sessions of common name CN the status file lists.
lab_status_clients() {
	awk -F'[,\t]' -v cn="$2" '
		/^Common Name,/ { c = 1; next }
		/^ROUTING TABLE/ { c = 0 }
		c && $1 == cn { n++ }
		$1 == "CLIENT_LIST" && $2 == cn { n++ }
		END { print n + 0 }' "$1"
}
