#!/bin/bash
# Mixed offloads at a hub: a server with client-to-client, site b with offloads (its tap hands
# out 64 KB GSO super-frames) and site c with `tap-offload no`. The server's tap turns its
# offloads off (one peer lacks them), and the super-frames that b sends to c through the
# server's switch are cut into ordinary segments in userspace: a 16 MB file from b's host to
# c's host and another one back arrive with the same sha256.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd socat sha256sum
lab_need_programs

lab_step "PKI (clients vpnc, vpnc2) and three sites with br0 and a LAN host" lab_three_sites
LAB_REMOTE=$(lab_wan_ip a)
ok "srv: server.conf with client-to-client" lab_conf server.conf srv client-to-client "verb 4"
ok "cli-b: client.conf (offloads on)" lab_conf client.conf cli-b
ok "cli-c: client.conf with tap-offload no" lab_conf client.conf cli-c \
	"cert vpnc2.example.com.crt" "key vpnc2.example.com.key" "tap-offload no"

lab_start a srv
lab_start b cli-b
ok "client b: link up" lab_wait_up cli-b
ok "server turned its tap's offloads on for b" wait_for 5 lab_logged srv "tap0: offloads on"
lab_start c cli-c
ok "client c: link up" lab_wait_up cli-c
ok "server: two links up" lab_wait_up srv 2
ok "client b logs offloads on" lab_logged cli-b ": link up .*offloads on"
ok "client c logs offloads off" lab_logged cli-c ": link up .*offloads off"
ok "server turned its tap's offloads off for c" lab_logged srv "tap0: offloads off"
ok "hb0 reaches hc0 through the hub" lab_within 5 lab_ping hb0 "$(lab_host_ip c 0)"

head -c $((16 * 1024 * 1024)) /dev/urandom >"$WORK/file.bin"
listening() { ns_exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN; }
gone() { ! kill -0 "$(cat "$WORK/$1.pid")" 2>/dev/null; }
# xfer FROM TO TAG: socat the file from host FROM to host TO.
xfer() {
	bg "h${2}0" "rx-$3" socat -u TCP-LISTEN:5002,reuseaddr "CREATE:$WORK/$3.recv"
	wait_for 5 listening "h${2}0" 5002 || return 1
	timeout 60 ip netns exec "$(ns "h${1}0")" socat -u "OPEN:$WORK/file.bin" \
		"TCP:$(lab_host_ip "$2" 0):5002" || return 1
	wait_for 20 gone "rx-$3" &&
		[ "$(sha256sum <"$WORK/file.bin" | cut -d' ' -f1)" = \
			"$(sha256sum <"$WORK/$3.recv" | cut -d' ' -f1)" ]
}
ok "16 MB b -> c (super-frames segmented at the hub) arrive intact" xfer b c b2c
ok "16 MB c -> b arrive intact" xfer c b c2b

lab_stop_all
ok "the hub cut super-frames into segments for c" \
	lab_logged srv "traffic: .* [1-9][0-9]* super-frames segmented"
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
