#!/bin/bash
# Many sites at once: one server (client-to-client, max-clients above N) and N client sites,
# each its own namespace with a WAN address, a bridge br0 and the daemon's tap0 in it, all
# started at the same moment. All N links come up within 30 s; then every site's LAN reaches the
# server's LAN host and 3 random other sites (one ping each, up to 5 tries); and the server's
# MAC table (its status file's routing table) holds exactly one entry per site: that site's
# br0 MAC, under that site's certificate name.
#
# The LAN "host" of a client site is its bridge br0 itself (its address and a MAC the test
# sets), which keeps 250 sites affordable: the frames it sends leave through the same bridge
# and tap as a host's would, and br0's MAC is the only one a site ever sends from (tap0 has no
# address and IPv6 is off), so the server must learn exactly that MAC per site.
#
# The kernel's ARP table is one for all namespaces (its gc_thresh3, 1024 by default, bounds the
# entries younger than 5 s across the whole machine): the WAN neighbours are therefore static
# (the WAN is not under test here), and the pings go out at 40 pairs per second so the LAN's
# own ARP (requests flooded to every site by the server, replies switched back) stays real.
#
# N is 50, or L2VPN_LOAD_SITES=N (or the first argument), e.g. 250 for the published figures.
# Figures (time to all connected, server RSS and CPU) are printed as diagnostics.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs

N=${1:-${L2VPN_LOAD_SITES:-50}}
[ "$N" -ge 4 ] && [ "$N" -le 1000 ] || {
	echo "1..1"
	echo "not ok 1 - N=$N: want 4..1000 sites"
	exit 1
}
SRV_WAN=10.98.0.1
SRV_HOST=10.97.0.11
SRV_WAN_MAC=02:5f:00:00:00:01
# Site I (1..N): WAN 10.98.X.Y/16 (MAC 02:5f:00:00:X:Y) and br0 10.97.X.Y/16 with MAC
# 02:5e:00:00:X:Y.
site_x() { echo $(($1 / 250 + 1)); }
site_y() { echo $(($1 % 250 + 1)); }
site_ip() { echo "10.97.$(site_x "$1").$(site_y "$1")"; }
site_mac() { printf '02:5e:00:00:%02x:%02x' "$(site_x "$1")" "$(site_y "$1")"; }
site_wan_mac() { printf '02:5f:00:00:%02x:%02x' "$(site_x "$1")" "$(site_y "$1")"; }

make_pki() {
	lab_ca init && lab_ca build-ca && lab_ca build-key-server vpn.example.com &&
		lab_ca build-dh 2048 || return 1
	for ((i = 1; i <= N; i++)); do lab_ca build-key "site$i" || return 1; done
}

# The WAN switch, the server site (br0 and LAN host hs on it) and N client sites.
make_sites() {
	local i s
	ns_add wan && _lab_quiet_ns wan && bridge_add wan wan || return 1
	ns_add srv && _lab_quiet_ns srv || return 1
	ip -n "$(ns wan)" link add wsrv type veth peer name wan0 netns "$(ns srv)" &&
		ip -n "$(ns wan)" link set wsrv master wan up &&
		ip -n "$(ns srv)" link set wan0 address "$SRV_WAN_MAC" up &&
		addr_add srv wan0 "$SRV_WAN/16" || return 1
	ns_add hs && _lab_quiet_ns hs && veth_pair srv eth0 hs eth0 &&
		bridge_add srv br0 eth0 && addr_add srv br0 10.97.0.1/16 &&
		addr_add hs eth0 "$SRV_HOST/16" || return 1
	for ((i = 1; i <= N; i++)); do
		s=s$i
		ns_add "$s" && _lab_quiet_ns "$s" || return 1
		ip -n "$(ns wan)" link add "w$i" type veth peer name wan0 netns "$(ns "$s")" &&
			ip -n "$(ns wan)" link set "w$i" master wan up || return 1
		ip -n "$(ns "$s")" -b - <<-EOF || return 1
			link set wan0 address $(site_wan_mac $i) up
			addr add 10.98.$(site_x $i).$(site_y $i)/16 dev wan0
			neigh replace $SRV_WAN lladdr $SRV_WAN_MAC dev wan0 nud permanent
			link add br0 address $(site_mac $i) type bridge forward_delay 0 stp_state 0
			addr add $(site_ip $i)/16 dev br0
			link set br0 up
		EOF
	done
	for ((i = 1; i <= N; i++)); do
		echo "neigh replace 10.98.$(site_x $i).$(site_y $i) lladdr $(site_wan_mac $i) dev wan0 nud permanent"
	done | ip -n "$(ns srv)" -b -
}

make_configs() {
	local i
	lab_conf server.conf srv client-to-client "max-clients $((N + 8))" \
		"preauth-max $((N + 64))" "status-version 2" >/dev/null || return 1
	for ((i = 1; i <= N; i++)); do
		lab_conf client.conf "site$i" "remote $SRV_WAN 1194" "cert site$i.crt" \
			"key site$i.key" "connect-retry 1 5" -status "verb 3" >/dev/null || return 1
	done
}

lab_step "PKI: a server and $N client certificates" make_pki
lab_step "WAN switch, server site with LAN host hs, $N client sites with br0" make_sites
lab_step "configs: server with client-to-client, max-clients $((N + 8)); $N clients" make_configs

lab_start srv srv
ok "server listening" wait_for 10 lab_logged srv 'listening on TCP'
spid=$(cat "$WORK/srv.pid")
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { lab_kb "$1" VmRSS; }
cpu0=$(cpu_ticks "$spid")
rss0=$(rss_kb "$spid")
hz=$(getconf CLK_TCK)

start=${EPOCHREALTIME/[.,]/}
for ((i = 1; i <= N; i++)); do lab_start "s$i" "site$i"; done
ups() { [ "$(lab_count srv ': link up ')" -ge "$N" ]; }
ok "all $N sites connected within 30 s" lab_within 30 ups
up_secs=$(_lab_secs $((${EPOCHREALTIME/[.,]/} - start)))
cpu1=$(cpu_ticks "$spid")
rss1=$(rss_kb "$spid")
diag "$N sites connected in $up_secs s (started at once; server log: $(lab_count srv ': link up ') link up lines)"
diag "server during the connects: CPU $(((cpu1 - cpu0) * 1000 / hz)) ms, RSS $rss0 -> $rss1 KiB"

# Every site pings the server's LAN host and 3 random other sites (10 sites a second, see
# above); failures are listed.
pairs=$WORK/pairs
for ((i = 1; i <= N; i++)); do
	echo "$i s$i $SRV_HOST"
	shuf -i 1-"$N" -n 4 | grep -vx "$i" | head -n 3 | while read -r j; do
		echo "$i s$i $(site_ip "$j")"
	done
done >"$pairs"
# A try that fails at once (ENOBUFS: the machine-wide ARP table is full, maybe with other
# tests' entries) waits a second for the kernel to reclaim entries older than 5 s.
ping_pair() {
	for _ in 1 2 3 4 5; do
		ip netns exec "${T}$1" ping -n -q -c 1 -W 2 "$2" >/dev/null 2>&1 && return 0
		sleep 1
	done
	echo "$1 -> $2"
}
export -f ping_pair
export T
start=${EPOCHREALTIME/[.,]/}
for ((b = 1; b <= N; b += 10)); do
	t0=${EPOCHREALTIME/[.,]/}
	awk -v lo=$b -v hi=$((b + 9)) '$1 >= lo && $1 <= hi { print $2, $3 }' "$pairs" |
		xargs -P 16 -L 1 bash -c 'ping_pair "$@"' _ >>"$WORK/unreached"
	# this batch's sites are done: their ARP entries go, to leave room in the shared table
	for ((i = b; i <= N && i < b + 10; i++)); do ip -n "$(ns "s$i")" neigh flush dev br0; done
	left=$((1000000 - (${EPOCHREALTIME/[.,]/} - t0)))
	[ "$left" -gt 0 ] && sleep "$(_lab_secs "$left")"
done
ping_secs=$(_lab_secs $((${EPOCHREALTIME/[.,]/} - start)))
ok "every site reaches the server's LAN host and 3 other sites ($(wc -l <"$pairs") pairs, $ping_secs s)" \
	test ! -s "$WORK/unreached"
head -n 5 "$WORK/unreached" | sed 's/^/# unreached: /'

# The status file is rewritten every second: wait for one written after the pings.
routes() { awk -F, '$1 == "ROUTING_TABLE" { sub(/@0$/, "", $2); print $2 "," $3 }' "$WORK/srv.status" | sort; }
clients() { awk -F, '$1 == "CLIENT_LIST" { print $2 }' "$WORK/srv.status" | sort; }
for ((i = 1; i <= N; i++)); do echo "$(site_mac "$i"),site$i"; done | sort >"$WORK/routes.want"
for ((i = 1; i <= N; i++)); do echo "site$i"; done | sort >"$WORK/clients.want"
table_as_expected() { routes | diff "$WORK/routes.want" - >"$WORK/routes.diff"; }
wait_for 5 table_as_expected
ok "status: exactly the $N sites are connected" eval 'clients | diff "$WORK/clients.want" -'
ok "MAC table: exactly one entry per site, its br0 MAC under its name ($N entries)" \
	eval 'table_as_expected || head -n 20 "$WORK/routes.diff"'
ok "no site reconnected" test "$(lab_count srv ': link up ')" -eq "$N"
cpu2=$(cpu_ticks "$spid")
rss2=$(rss_kb "$spid")
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$spid/status")
diag "server after the pings: CPU total $(((cpu2 - cpu0) * 1000 / hz)) ms, RSS $rss2 KiB (peak $hwm KiB)"
crss=0
for ((i = 1; i <= N; i++)); do crss=$((crss + $(rss_kb "$(cat "$WORK/site$i.pid")"))); done
diag "clients: RSS $((crss / N)) KiB each on average"

# Stop every client at once (one by one would take minutes), then the server.
for ((i = 1; i <= N; i++)); do kill -TERM "$(cat "$WORK/site$i.pid")" 2>/dev/null; done
for ((i = 1; i <= N; i++)); do stop "site$i"; done
stop srv
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
