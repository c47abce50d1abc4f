# shellcheck shell=bash
# The benchmark lab: per variant V, two site namespaces V-sa and V-sb, each with
# a bridge br0 and a LAN host namespace (V-ha, V-hb) on a veth (eth1 in the site, eth0 in the
# host), and a WAN veth (wan0) between the two sites. The variant then joins the two bridges:
#
#   wire     a veth (wire0) straight from br0 to br0: the ceiling;
#   openvpn  OpenVPN 2.6, TAP over TCP, server in V-sa, client in V-sb, across the WAN;
#   l2vpn    l2vpn server and client the same way;
#   tinc     tinc 1.0 in switch mode, over TCP (TCPOnly) or UDP, V-sb connecting to V-sa.
#
# The join functions take option words after V: mtu=N (jumbo: the tap's MTU, tun-mtu for the
# VPNs; give bench_sites the same N) and lzo (comp-lzo at both ends; tinc: Compression = 10).
#
# Every namespace is named $BENCH_PREFIX-V-..., unique per run; bench_cleanup (an EXIT trap set
# by run.sh) kills what was started and deletes the namespaces, even after a failure. Traffic
# only goes to the addresses below, which exist only inside these namespaces.
#
# Needs: BENCH_WORK (scratch directory), L2VPN_BIN, L2VPN_CA_BIN (and tincd for tinc).

: "${BENCH_WORK:?bench/lab.sh needs BENCH_WORK}"
BENCH_PREFIX="l2bench$(printf '%x' $$)"
BENCH_HOST_A=192.168.77.11
BENCH_HOST_B=192.168.77.12
BENCH_WAN_A=10.77.0.1
BENCH_WAN_B=10.77.0.2
BENCH_PORT=1194
BENCH_TINC_PORT=655
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

# bench_sites V [MTU]: the namespaces, bridges, LAN hosts and WAN veth of variant V; with MTU,
# the LAN veths (both ends) and the bridges run at that MTU (the WAN stays at 1500).
bench_sites() {
	local v=$1 mtu=${2:-} side
	for side in a b; do
		_bench_ns_add "$v-s$side" && _bench_ns_add "$v-h$side" || return 1
		_bench_veth "$v-s$side" eth1 "$v-h$side" eth0 || return 1
		ip -n "$(bench_ns "$v-s$side")" link add br0 type bridge forward_delay 0 stp_state 0 &&
			ip -n "$(bench_ns "$v-s$side")" link set eth1 master br0 &&
			ip -n "$(bench_ns "$v-s$side")" link set br0 up || return 1
		if [ -n "$mtu" ]; then
			ip -n "$(bench_ns "$v-h$side")" link set eth0 mtu "$mtu" &&
				ip -n "$(bench_ns "$v-s$side")" link set eth1 mtu "$mtu" &&
				ip -n "$(bench_ns "$v-s$side")" link set br0 mtu "$mtu" || return 1
		fi
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

# bench_stop NAME...: stop the background jobs NAME by their pid (SIGTERM, SIGKILL after 5 s),
# reap them and forget them, so that bench_cleanup never signals a pid that has been reused.
bench_stop() {
	local name pid i keep=() stopped=()
	for name in "$@"; do
		pid=$(bench_pid "$name") || continue
		stopped+=("$pid")
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in ${stopped[@]+"${stopped[@]}"}; do
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for pid in ${_bench_pids[@]+"${_bench_pids[@]}"}; do
		[[ " ${stopped[*]} " == *" $pid "* ]] || keep+=("$pid")
	done
	_bench_pids=(${keep[@]+"${keep[@]}"})
}

# bench_pki: CA, server and client certificates and DH parameters made with l2vpn-ca, in
# $BENCH_WORK/pki (shared by OpenVPN and l2vpn).
bench_pki() {
	local d=$BENCH_WORK/pki c
	for c in clean-all build-ca "build-key-server server" "build-key client" "build-dh 2048"; do
		# shellcheck disable=SC2086 # the command and its argument are two words
		"$L2VPN_CA_BIN" --dir "$d" --batch $c >>"$BENCH_WORK/pki.log" 2>&1 || return 1
	done
}

# _bench_opt NAME WORD...: the value of NAME=VALUE among the option WORDs ("yes" for a bare
# NAME), or nothing.
_bench_opt() {
	local name=$1 w
	shift
	for w in "$@"; do
		case $w in
		"$name") echo yes ;;
		"$name="*) echo "${w#*=}" ;;
		esac
	done
}

# bench_join_wire V [mtu=N]: the wire variant: br0 to br0 through one veth.
bench_join_wire() {
	local v=$1 mtu side
	shift
	mtu=$(_bench_opt mtu "$@")
	_bench_veth "$v-sa" wire0 "$v-sb" wire0 || return 1
	for side in a b; do
		[ -z "$mtu" ] || ip -n "$(bench_ns "$v-s$side")" link set wire0 mtu "$mtu" || return 1
		ip -n "$(bench_ns "$v-s$side")" link set wire0 master br0 || return 1
	done
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

# bench_join_openvpn V [mtu=N] [lzo]: OpenVPN 2.6 TAP over TCP (server-bridge nogw / client),
# AES-256-GCM, no compression, default verb; tap0 made persistent with --mktun and put into br0,
# the way a bridged OpenVPN site is usually set up. mtu=N: tun-mtu N at both ends and tap0 at
# MTU N (OpenVPN sets no MTU on a tap it does not configure). lzo: comp-lzo yes at both ends,
# with allow-compression yes, without which OpenVPN 2.6 never compresses what it sends. (Not
# the bare comp-lzo: adaptive compression stops trying for 60 s after incompressible traffic,
# so a compressible run right after a random one would go uncompressed.)
bench_join_openvpn() {
	local v=$1 p=$BENCH_WORK/pki side mtu lzo extra=()
	shift
	mtu=$(_bench_opt mtu "$@")
	lzo=$(_bench_opt lzo "$@")
	[ -z "$mtu" ] || extra+=("tun-mtu $mtu")
	[ -z "$lzo" ] || extra+=("comp-lzo yes" "allow-compression yes")
	for side in a b; do
		bench_in "$v-s$side" openvpn --mktun --dev tap0 --dev-type tap >>"$BENCH_WORK/mktun.log" 2>&1 || return 1
		[ -z "$mtu" ] || ip -n "$(bench_ns "$v-s$side")" link set tap0 mtu "$mtu" || return 1
		ip -n "$(bench_ns "$v-s$side")" link set tap0 master br0 &&
			ip -n "$(bench_ns "$v-s$side")" link set tap0 up || return 1
	done
	_bench_conf "$BENCH_WORK/$v-server.conf" "dev tap0" "dev-type tap" \
		"proto tcp-server" "local $BENCH_WAN_A" "port $BENCH_PORT" "server-bridge nogw" \
		"ca $p/ca.crt" "cert $p/server.crt" "key $p/server.key" "dh $p/dh2048.pem" \
		"data-ciphers AES-256-GCM" "keepalive 10 120" "persist-key" "persist-tun" \
		${extra[@]+"${extra[@]}"} || return 1
	_bench_conf "$BENCH_WORK/$v-client.conf" "client" "dev tap0" "dev-type tap" \
		"proto tcp-client" "remote $BENCH_WAN_A $BENCH_PORT" "nobind" \
		"ca $p/ca.crt" "cert $p/client.crt" "key $p/client.key" "remote-cert-tls server" \
		"data-ciphers AES-256-GCM" "keepalive 10 120" "persist-key" "persist-tun" \
		${extra[@]+"${extra[@]}"} || return 1
	bench_bg "$v-sa" "$v-server" openvpn --config "$BENCH_WORK/$v-server.conf" &&
		bench_bg "$v-sb" "$v-client" openvpn --config "$BENCH_WORK/$v-client.conf"
}

# bench_join_l2vpn V [mtu=N] [lzo]: l2vpn server and client, configured like
# conf-examples/server.conf and client.conf (bridge br0, dev tap0, no comp-lzo). mtu=N: tun-mtu
# N at both ends; lzo: comp-lzo yes at both ends (not adaptive, as for OpenVPN).
bench_join_l2vpn() {
	local v=$1 p=$BENCH_WORK/pki mtu lzo extra=()
	shift
	mtu=$(_bench_opt mtu "$@")
	lzo=$(_bench_opt lzo "$@")
	[ -z "$mtu" ] || extra+=("tun-mtu $mtu")
	[ -z "$lzo" ] || extra+=("comp-lzo yes")
	_bench_conf "$BENCH_WORK/$v-server.conf" "port $BENCH_PORT" "local $BENCH_WAN_A" \
		"proto tcp" "dev tap0" "bridge br0" "server-bridge" \
		"ca $p/ca.crt" "cert $p/server.crt" "key $p/server.key" "dh $p/dh2048.pem" \
		"keepalive 10 120" "persist-key" "persist-tun" "verb 1" ${extra[@]+"${extra[@]}"} || return 1
	_bench_conf "$BENCH_WORK/$v-client.conf" "client" "dev tap0" "bridge br0" "proto tcp" \
		"remote $BENCH_WAN_A $BENCH_PORT" "nobind" \
		"ca $p/ca.crt" "cert $p/client.crt" "key $p/client.key" "remote-cert-tls server" \
		"keepalive 10 120" "persist-key" "persist-tun" "verb 1" ${extra[@]+"${extra[@]}"} || return 1
	bench_bg "$v-sa" "$v-server" "$L2VPN_BIN" --config "$BENCH_WORK/$v-server.conf" &&
		bench_bg "$v-sb" "$v-client" "$L2VPN_BIN" --config "$BENCH_WORK/$v-client.conf"
}

# bench_tinc_keys: an RSA key pair (2048 bits) for each of the two tinc nodes, sitea and siteb,
# made with `tincd -K` without a terminal (stdin from /dev/null: tincd then asks nothing and
# writes rsa_key.priv and the public key into hosts/NAME) in $BENCH_WORK/tinc-keys/NAME.
bench_tinc_keys() {
	local n d
	for n in sitea siteb; do
		d=$BENCH_WORK/tinc-keys/$n
		mkdir -p "$d/hosts" && printf 'Name = %s\n' "$n" >"$d/tinc.conf" || return 1
		tincd -c "$d" -K2048 </dev/null >>"$BENCH_WORK/tinc-keys.log" 2>&1 || return 1
		grep -q 'BEGIN RSA PUBLIC KEY' "$d/hosts/$n" && [ -s "$d/rsa_key.priv" ] || return 1
	done
}

# bench_join_tinc V tcp|udp [mtu=N] [lzo]: tinc 1.0 in switch mode between the two sites:
# node sitea in V-sa listens on the WAN address, node siteb in V-sb has ConnectTo = sitea.
# Packets use Cipher = aes-256-cbc and Digest = sha256 (MACLength 4, the default); tcp sets
# TCPOnly = yes (every frame on the meta TCP connection), udp leaves tinc's default (UDP, with
# its path MTU discovery). tincd creates its own tap (Interface = tinc0, DeviceType = tap);
# tinc-up puts it in br0 and brings it up (at MTU N with mtu=N). lzo: Compression = 10 (LZO,
# which tinc applies to UDP packets only). Keys from bench_tinc_keys; config in
# $BENCH_WORK/tinc/V/NAME; tincd runs in the foreground (-D) so bench_bg has its pid.
bench_join_tinc() {
	local v=$1 transport=$2 mtu lzo n d hostopts=()
	shift 2
	mtu=$(_bench_opt mtu "$@")
	lzo=$(_bench_opt lzo "$@")
	hostopts=("Cipher = aes-256-cbc" "Digest = sha256" "Port = $BENCH_TINC_PORT")
	case $transport in
	tcp) hostopts+=("TCPOnly = yes") ;;
	udp) ;;
	*) return 1 ;;
	esac
	[ -z "$lzo" ] || hostopts+=("Compression = 10")
	for n in sitea siteb; do
		d=$BENCH_WORK/tinc/$v/$n
		mkdir -p "$d/hosts" || return 1
		_bench_conf "$d/tinc.conf" "Name = $n" "Mode = switch" "Interface = tinc0" \
			"DeviceType = tap" "AddressFamily = ipv4" || return 1
		[ "$n" = siteb ] && echo "ConnectTo = sitea" >>"$d/tinc.conf"
		cp "$BENCH_WORK/tinc-keys/$n/rsa_key.priv" "$d/" || return 1
		# shellcheck disable=SC2016 # $INTERFACE is tinc-up's, expanded when tincd runs it
		_bench_conf "$d/tinc-up" '#!/bin/sh' \
			${mtu:+"ip link set \"\$INTERFACE\" mtu $mtu"} \
			'ip link set "$INTERFACE" master br0 && ip link set "$INTERFACE" up' &&
			chmod 755 "$d/tinc-up" || return 1
	done
	for n in sitea siteb; do
		for d in "$BENCH_WORK/tinc/$v/sitea" "$BENCH_WORK/tinc/$v/siteb"; do
			{
				[ "$n" = sitea ] && echo "Address = $BENCH_WAN_A"
				printf '%s\n' "${hostopts[@]}"
				sed -n '/BEGIN RSA PUBLIC KEY/,/END RSA PUBLIC KEY/p' "$BENCH_WORK/tinc-keys/$n/hosts/$n"
			} >"$d/hosts/$n" || return 1
		done
	done
	d=$BENCH_WORK/tinc/$v
	bench_bg "$v-sa" "$v-server" tincd -c "$d/sitea" -D -d1 --pidfile="$d/sitea/tinc.pid" &&
		bench_bg "$v-sb" "$v-client" tincd -c "$d/siteb" -D -d1 --pidfile="$d/siteb/tinc.pid"
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
