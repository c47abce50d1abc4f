# shellcheck shell=bash
# The benchmark lab: per variant V, two site namespaces V-sa and V-sb, each with
# a bridge br0 and a LAN host namespace (V-ha, V-hb) on a veth (eth1 in the site, eth0 in the
# host), and a WAN veth (wan0) between the two sites. The variant then joins the two bridges:
#
#   wire     a veth (wire0) straight from br0 to br0: the ceiling;
#   openvpn  OpenVPN 2.6, TAP over TCP, server in V-sa, client in V-sb, across the WAN;
#   l2vpn    l2vpn server and client the same way.
#
# Every namespace is named $BENCH_PREFIX-V-..., unique per run; bench_cleanup (an EXIT trap set
# by run.sh) kills what was started and deletes the namespaces, even after a failure. Traffic
# only goes to the addresses below, which exist only inside these namespaces.
#
# Needs: BENCH_WORK (scratch directory), L2VPN_BIN, L2VPN_CA_BIN.

: "${BENCH_WORK:?bench/lab.sh needs BENCH_WORK}"
BENCH_PREFIX="l2bench$(printf '%x' $$)"
BENCH_HOST_A=192.168.77.11
BENCH_HOST_B=192.168.77.12
BENCH_WAN_A=10.77.0.1
BENCH_WAN_B=10.77.0.2
BENCH_PORT=1194
_bench_namespaces=()
_bench_pids=()

# bench_ns SHORT: the full namespace name ("wire-ha" -> "l2bench1a2b-wire-ha").
bench_ns() { echo "$BENCH_PREFIX-$1"; }

# bench_in SHORT CMD...: run CMD inside namespace SHORT.
bench_in() {
	local n=$1
	shift
	ip netns exec "$(bench_ns "$n")" "$@"
}

# _bench_ns_add SHORT: a namespace with lo up, no IPv6 (no chatter on the measured links).
_bench_ns_add() {
	ip netns add "$(bench_ns "$1")" || return 1
	_bench_namespaces+=("$(bench_ns "$1")")
	ip -n "$(bench_ns "$1")" link set lo up &&
		bench_in "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}

# _bench_veth NS1 IF1 NS2 IF2: a veth between two namespaces, both ends up.
_bench_veth() {
	ip -n "$(bench_ns "$1")" link add "$2" type veth peer name "$4" netns "$(bench_ns "$3")" &&
		ip -n "$(bench_ns "$1")" link set "$2" up &&
		ip -n "$(bench_ns "$3")" link set "$4" up
}

# bench_sites V: the namespaces, bridges, LAN hosts and WAN veth of variant V.
bench_sites() {
	local v=$1 side
	for side in a b; do
		_bench_ns_add "$v-s$side" && _bench_ns_add "$v-h$side" || return 1
		_bench_veth "$v-s$side" eth1 "$v-h$side" eth0 || return 1
		ip -n "$(bench_ns "$v-s$side")" link add br0 type bridge forward_delay 0 stp_state 0 &&
			ip -n "$(bench_ns "$v-s$side")" link set eth1 master br0 &&
			ip -n "$(bench_ns "$v-s$side")" link set br0 up || return 1
	done
	ip -n "$(bench_ns "$v-ha")" addr add "$BENCH_HOST_A/24" dev eth0 &&
		ip -n "$(bench_ns "$v-hb")" addr add "$BENCH_HOST_B/24" dev eth0 || return 1
	_bench_veth "$v-sa" wan0 "$v-sb" wan0 &&
		ip -n "$(bench_ns "$v-sa")" addr add "$BENCH_WAN_A/30" dev wan0 &&
		ip -n "$(bench_ns "$v-sb")" addr add "$BENCH_WAN_B/30" dev wan0
}

# bench_bg NS NAME CMD...: start CMD in namespace NS in the background; output goes to
# $BENCH_WORK/NAME.log, the pid to $BENCH_WORK/NAME.pid (ip netns exec execs CMD, so it is the
# pid of CMD itself).
bench_bg() {
	local n=$1 name=$2
	shift 2
	ip netns exec "$(bench_ns "$n")" "$@" >"$BENCH_WORK/$name.log" 2>&1 &
	echo $! >"$BENCH_WORK/$name.pid"
	_bench_pids+=($!)
}

# bench_pid NAME: the pid of background job NAME.
bench_pid() { cat "$BENCH_WORK/$1.pid"; }

# bench_pki: CA, server and client certificates and DH parameters made with l2vpn-ca, in
# $BENCH_WORK/pki (shared by OpenVPN and l2vpn).
bench_pki() {
	local d=$BENCH_WORK/pki c
	for c in clean-all build-ca "build-key-server server" "build-key client" "build-dh 2048"; do
		# shellcheck disable=SC2086 # the command and its argument are two words
		"$L2VPN_CA_BIN" --dir "$d" --batch $c >>"$BENCH_WORK/pki.log" 2>&1 || return 1
	done
}

# bench_join_wire V: the wire variant: br0 to br0 through one veth.
bench_join_wire() {
	_bench_veth "$1-sa" wire0 "$1-sb" wire0 &&
		ip -n "$(bench_ns "$1-sa")" link set wire0 master br0 &&
		ip -n "$(bench_ns "$1-sb")" link set wire0 master br0
}

# bench_shape_wan V RATE: limit the link between V's sites to RATE in both directions (tbf with
# a 10 ms buffer, like a modest WAN router): the wire's own veth, the VPNs' WAN veth.
bench_shape_wan() {
	local dev=wan0 side
	[ "$1" = wire ] && dev=wire0
	for side in a b; do
		ip netns exec "$(bench_ns "$1-s$side")" tc qdisc add dev "$dev" root tbf rate "$2" \
			burst 64kb latency 10ms || return 1
	done
}

# _bench_conf FILE LINE...: write the config FILE, one directive per LINE.
_bench_conf() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

# bench_join_openvpn V: OpenVPN 2.6 TAP over TCP (server-bridge nogw / client), AES-256-GCM,
# no compression, default verb; tap0 made persistent with --mktun and put into br0, the way a
# bridged OpenVPN site is usually set up.
bench_join_openvpn() {
	local v=$1 p=$BENCH_WORK/pki side
	for side in a b; do
		bench_in "$v-s$side" openvpn --mktun --dev tap0 --dev-type tap >>"$BENCH_WORK/mktun.log" 2>&1 &&
			ip -n "$(bench_ns "$v-s$side")" link set tap0 master br0 &&
			ip -n "$(bench_ns "$v-s$side")" link set tap0 up || return 1
	done
	_bench_conf "$BENCH_WORK/openvpn-server.conf" "dev tap0" "dev-type tap" \
		"proto tcp-server" "local $BENCH_WAN_A" "port $BENCH_PORT" "server-bridge nogw" \
		"ca $p/ca.crt" "cert $p/server.crt" "key $p/server.key" "dh $p/dh2048.pem" \
		"data-ciphers AES-256-GCM" "keepalive 10 120" "persist-key" "persist-tun" || return 1
	_bench_conf "$BENCH_WORK/openvpn-client.conf" "client" "dev tap0" "dev-type tap" \
		"proto tcp-client" "remote $BENCH_WAN_A $BENCH_PORT" "nobind" \
		"ca $p/ca.crt" "cert $p/client.crt" "key $p/client.key" "remote-cert-tls server" \
		"data-ciphers AES-256-GCM" "keepalive 10 120" "persist-key" "persist-tun" || return 1
	bench_bg "$v-sa" "$v-server" openvpn --config "$BENCH_WORK/openvpn-server.conf" &&
		bench_bg "$v-sb" "$v-client" openvpn --config "$BENCH_WORK/openvpn-client.conf"
}

# bench_join_l2vpn V: l2vpn server and client, configured like conf-examples/server.conf and
# client.conf (bridge br0, dev tap0, no comp-lzo).
bench_join_l2vpn() {
	local v=$1 p=$BENCH_WORK/pki
	_bench_conf "$BENCH_WORK/l2vpn-server.conf" "port $BENCH_PORT" "local $BENCH_WAN_A" \
		"proto tcp" "dev tap0" "bridge br0" "server-bridge" \
		"ca $p/ca.crt" "cert $p/server.crt" "key $p/server.key" "dh $p/dh2048.pem" \
		"keepalive 10 120" "persist-key" "persist-tun" "verb 1" || return 1
	_bench_conf "$BENCH_WORK/l2vpn-client.conf" "client" "dev tap0" "bridge br0" "proto tcp" \
		"remote $BENCH_WAN_A $BENCH_PORT" "nobind" \
		"ca $p/ca.crt" "cert $p/client.crt" "key $p/client.key" "remote-cert-tls server" \
		"keepalive 10 120" "persist-key" "persist-tun" "verb 1" || return 1
	bench_bg "$v-sa" "$v-server" "$L2VPN_BIN" --config "$BENCH_WORK/l2vpn-server.conf" &&
		bench_bg "$v-sb" "$v-client" "$L2VPN_BIN" --config "$BENCH_WORK/l2vpn-client.conf"
}

# bench_wait_path V SECS: until host A pings host B through variant V (at most SECS seconds).
bench_wait_path() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		bench_in "$1-ha" ping -n -q -c 1 -W 1 "$BENCH_HOST_B" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# bench_cleanup: kill everything started (the jobs, then whatever still runs in our
# namespaces) and delete the namespaces. Safe to call twice.
bench_cleanup() {
	local pid n
	for pid in "${_bench_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	sleep 0.3
	for n in "${_bench_namespaces[@]}"; do
		for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
	done
	for pid in "${_bench_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for n in "${_bench_namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	_bench_pids=()
	_bench_namespaces=()
}
