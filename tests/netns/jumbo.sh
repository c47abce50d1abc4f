#!/bin/bash
# Jumbo frames and unequal `tun-mtu`. Sites a (server) and b run their LANs, bridges and taps at
# MTU 9000 (`tun-mtu 9000`), site c stays at 1500. Between a and b, with offloads on (the
# default) and off (`tap-offload no` at both ends), a 9000-byte IP packet crosses unfragmented
# (`ping -M do -s 8972`) and a 64 MB file arrives with the same sha256. With offloads on, a TCP
# whose peer advertised an MSS of 60 still delivers 4 MB intact: its super-frames have a
# gso_size below the floor a receiver accepts, so the sending daemon segments them itself
# (counted) and the link stays up. Between a at 9000 and c at 1500 (a link whose max frame is
# 1518), a 4000-byte unfragmentable ping from a gets no reply but the link stays up: neither end
# logs "connection closed", each logs one "link up", the server counts the frames it could not
# send (SIGUSR2 counters) and logs that once, and a 1400-byte ping still works. Last, the hub at
# 9000 with client-to-client serves b (9000) and c (1500): a 4000-byte broadcast ping from b
# reaches the hub's LAN host, the hub counts the copies it could not send to c, and c stays
# connected.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd socat sha256sum
lab_need_programs

MB=$((1024 * 1024))
lab_step "PKI (clients vpnc, vpnc2) and three sites with br0 and a LAN host" lab_three_sites

# lan_mtu SITE MTU: the LAN veth (both ends) and the bridge of SITE at MTU.
lan_mtu() {
	ip -n "$(ns "$1")" link set eth0 mtu "$2" &&
		ip -n "$(ns "h${1}0")" link set eth0 mtu "$2" &&
		ip -n "$(ns "$1")" link set br0 mtu "$2"
}
lab_step "LANs of sites a and b at MTU 9000, c at 1500" eval 'lan_mtu a 9000 && lan_mtu b 9000'

head -c $((64 * MB)) /dev/urandom >"$WORK/random.bin"
listening() { ns_exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN; }
gone() { ! kill -0 "$(cat "$WORK/$1.pid")" 2>/dev/null; }
# send FROM_HOST TO_SITE TAG [FILE]: socat FILE (the random file) from FROM_HOST to h<TO_SITE>0.
send() {
	bg "h${2}0" "rx-$3" socat -u TCP-LISTEN:5001,reuseaddr "CREATE:$WORK/$3.recv"
	wait_for 5 listening "h${2}0" 5001 || return 1
	timeout 60 ip netns exec "$(ns "$1")" socat -u "OPEN:${4:-$WORK/random.bin}" \
		"TCP:$(lab_host_ip "$2" 0):5001" || return 1
	wait_for 20 gone "rx-$3"
}
same_sha() { [ "$(sha256sum <"$1" | cut -d' ' -f1)" = "$(sha256sum <"$2" | cut -d' ' -f1)" ]; }
# ping_df HOST SITE SIZE: one unfragmentable ping of SIZE payload bytes is answered.
ping_df() { ns_exec "$1" ping -n -q -c 1 -W 1 -M 'do' -s "$3" "$(lab_host_ip "$2" 0)" >/dev/null 2>&1; }
# counter NAME WHAT: the last value of "N WHAT" in NAME's counters line (0 if none).
counter() {
	local v
	v=$(grep -Eo "[0-9]+ $2" "$WORK/$1.log" | tail -n 1 | cut -d' ' -f1)
	echo "${v:-0}"
}
# kept NAME: NAME logged one "link up" and no "connection closed" after it.
kept() {
	[ "$(lab_count "$1" ': link up ')" = 1 ] &&
		! sed -n '/: link up /,$p' "$WORK/$1.log" | grep -q 'connection closed'
}
# usr2 NAME: ask daemon NAME for its counters and wait until a new counters line is logged.
usr2() {
	local before
	before=$(lab_count "$1" 'traffic: ')
	kill -USR2 "$(cat "$WORK/$1.pid")"
	wait_for 3 eval "[ \$(lab_count $1 'traffic: ') -gt $before ]"
}

LAB_REMOTE=$(lab_wan_ip a)
for mode in on off; do
	extra=()
	[ $mode = off ] && extra=("tap-offload no")
	ok "offloads $mode: srv-$mode from server.conf (tun-mtu 9000 ${extra[*]})" \
		lab_conf server.conf "srv-$mode" "tun-mtu 9000" "${extra[@]}"
	ok "offloads $mode: cli-$mode from client.conf (tun-mtu 9000 ${extra[*]})" \
		lab_conf client.conf "cli-$mode" "tun-mtu 9000" "${extra[@]}"
	lab_start a "srv-$mode"
	lab_start b "cli-$mode"
	ok "offloads $mode: 9000/9000 link up with max frame 9018 and offloads $mode" \
		eval "lab_wait_up srv-$mode && lab_wait_up cli-$mode &&
			lab_logged srv-$mode ': link up .*offloads $mode, max frame 9018' &&
			lab_logged cli-$mode ': link up .*offloads $mode, max frame 9018'"
	ok "offloads $mode: both taps at MTU 9000" \
		eval '[ "$(ns_exec a cat /sys/class/net/tap0/mtu)" = 9000 ] &&
			[ "$(ns_exec b cat /sys/class/net/tap0/mtu)" = 9000 ]'
	ok "offloads $mode: a 9000-byte packet crosses unfragmented (ping -M do -s 8972)" \
		lab_within 5 ping_df ha0 b 8972
	start=$SECONDS
	lab_step "offloads $mode: 64 MB file sent a -> b at MTU 9000" send ha0 b "jumbo-$mode"
	diag "offloads $mode: 64 MB took $((SECONDS - start)) s"
	ok "offloads $mode: it arrived with the same sha256" \
		same_sha "$WORK/random.bin" "$WORK/jumbo-$mode.recv"
	rm -f "$WORK/jumbo-$mode.recv"
	if [ $mode = on ]; then
		# hb0 advertises an MSS of 60, so ha0's TCP puts 48-byte segments in its
		# super-frames: below the gso_size floor, the server cuts them itself.
		ns_exec hb0 ip route change 192.168.10.0/24 dev eth0 advmss 60 # LAN 0
		head -c $((4 * MB)) "$WORK/random.bin" >"$WORK/small.bin"
		lab_step "offloads on: 4 MB sent a -> b with an MSS of 60" send ha0 b tiny "$WORK/small.bin"
		ok "offloads on: it arrived with the same sha256" same_sha "$WORK/small.bin" "$WORK/tiny.recv"
		lab_step "offloads on: SIGUSR2 logs the server's counters" usr2 "srv-$mode"
		ok "offloads on: the server cut super-frames below the floor itself" \
			test "$(counter "srv-$mode" 'super-frames segmented')" -ge 1
		ns_exec hb0 ip route change 192.168.10.0/24 dev eth0
	fi
	ok "offloads $mode: the link stayed up" eval "kept srv-$mode && kept cli-$mode"
	stop "cli-$mode"
	stop "srv-$mode"
done

# 9000 at a, 1500 at c: the link's max frame is 1518.
ok "srv-mix: server.conf with tun-mtu 9000" lab_conf server.conf srv-mix "tun-mtu 9000"
ok "cli-mix: client.conf (vpnc2) with tun-mtu 1500" lab_conf client.conf cli-mix "tun-mtu 1500" \
	"cert vpnc2.example.com.crt" "key vpnc2.example.com.key"
lab_start a srv-mix
lab_start c cli-mix
ok "9000/1500: link up with max frame 1518" \
	eval "lab_wait_up srv-mix && lab_wait_up cli-mix && lab_logged srv-mix 'max frame 1518' &&
		lab_logged cli-mix 'max frame 1518'"
ok "9000/1500: a 1400-byte ping crosses" lab_within 5 ping_df ha0 c 1400
fails "9000/1500: a 4000-byte unfragmentable ping from the 9000 side gets no reply" \
	ping_df ha0 c 4000
ns_exec ha0 ping -n -q -c 3 -i 0.2 -W 1 -M 'do' -s 4000 "$(lab_host_ip c 0)" >/dev/null 2>&1
sleep 1
ok "9000/1500: a 1400-byte ping still crosses afterwards" lab_within 5 ping_df ha0 c 1400
ok "9000/1500: one link up at each end, neither closed since" eval 'kept srv-mix && kept cli-mix'
lab_step "9000/1500: SIGUSR2 logs the server's counters" usr2 srv-mix
drops=$(counter srv-mix 'frames too large for their peer')
diag "9000/1500: server counters: $(grep 'traffic: ' "$WORK/srv-mix.log" | tail -n 1)"
ok "9000/1500: the server counted the 4000-byte frames it could not send ($drops)" \
	test "$drops" -ge 4
ok "9000/1500: the server logged the drop once for the link" \
	test "$(lab_count srv-mix 'larger than the peer accepts')" = 1
stop cli-mix
stop srv-mix

# A hub at 9000 with client-to-client, clients at 9000 (b) and 1500 (c).
ok "hub: server.conf with tun-mtu 9000 and client-to-client" \
	lab_conf server.conf hub "tun-mtu 9000" client-to-client
ok "hub-b: client.conf with tun-mtu 9000" lab_conf client.conf hub-b "tun-mtu 9000"
ok "hub-c: client.conf (vpnc2) with tun-mtu 1500" lab_conf client.conf hub-c "tun-mtu 1500" \
	"cert vpnc2.example.com.crt" "key vpnc2.example.com.key"
lab_start a hub
lab_start b hub-b
lab_start c hub-c
ok "hub: two links up" eval 'lab_wait_up hub 2 && lab_wait_up hub-b && lab_wait_up hub-c'
ok "hub: hb0 reaches hc0 through the hub" lab_within 5 ping_df hb0 c 1400
BPING=$(ns_exec hb0 ping -n -b -c 3 -i 0.3 -w 4 -s 4000 "$(lab_bcast 0)" 2>&1)
ok "hub: a 4000-byte broadcast ping from b is answered by the hub's LAN host" \
	lab_replied "$(lab_host_ip a 0)"
sleep 1
ok "hub: site c (1500) stays connected, so does b" eval 'kept hub-c && kept hub-b'
ok "hub: no link closed at the hub" eval "! sed -n '/: link up /,\$p' '$WORK/hub.log' | grep -q 'connection closed'"
lab_step "hub: SIGUSR2 logs the hub's counters" usr2 hub
ok "hub: the hub counted the broadcasts it could not send to c" \
	test "$(counter hub 'frames too large for their peer')" -ge 1
ok "hub: hb0 still reaches hc0" lab_within 5 ping_df hb0 c 1400

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
