#!/bin/bash
# The one-command demo (Debian 12, as root): install what is missing, build l2vpn and l2vpn-ca,
# make certificates with l2vpn-ca, build two sites in network namespaces (each a bridge br0 with
# a LAN host and a tap), start a server at site A and a client at site B from configs derived
# from conf-examples/server.conf and client.conf, and `ping -b` the LAN's broadcast address
# from site A's host: replies must come from both sites. Everything is torn down at exit.
#
#   bash tests/demo.sh            (DEMO_BUILD=DIR picks the build directory, build-demo/)
#
# Exit 0 when site B's host and bridge answered the broadcast, non-zero otherwise.
set -u
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)

say() { printf '==> %s\n' "$*"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run me as root (network namespaces, tap devices): sudo bash tests/demo.sh"

say "installing missing Debian packages (tests/deps.sh)"
bash tests/deps.sh || die "tests/deps.sh failed"

build=${DEMO_BUILD:-build-demo}
case $build in /*) ;; *) build=$root/$build ;; esac
say "building into ${build#"$root"/}/ (meson + ninja)"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >"/tmp/l2vpn-demo-setup.log" 2>&1 ||
		{ tail -n 30 /tmp/l2vpn-demo-setup.log; die "meson setup failed (log: /tmp/l2vpn-demo-setup.log)"; }
fi
ninja -C "$build" vpn/l2vpn pki/l2vpn-ca >"/tmp/l2vpn-demo-build.log" 2>&1 ||
	{ tail -n 30 /tmp/l2vpn-demo-build.log; die "build failed (log: /tmp/l2vpn-demo-build.log)"; }

export L2VPN_BUILD_ROOT=$build L2VPN_SOURCE_ROOT=$root
unset L2VPN_BIN L2VPN_CA_BIN
# shellcheck source=netns/lib.sh
. tests/netns/lib.sh
# shellcheck source=netns/lab.sh
. tests/netns/lab.sh
ip netns add "${T}probe" 2>/dev/null || die "network namespaces are not available here"
ip netns del "${T}probe"

say "certificates with l2vpn-ca: CA, server vpn.example.com, client vpnc.example.com"
lab_pki || { cat "$WORK/pki.log"; die "l2vpn-ca failed"; }
sed 's/^/    /' "$WORK/pki.log"

say "two sites in network namespaces, joined by a WAN switch (10.99.0.0/24)"
lab_two_sites 1 || die "could not build the namespaces"
for s in a b; do
	printf '    site %s: WAN %s, br0 %s, LAN host %s (namespace %s), tap0 in br0\n' \
		"${s^^}" "$(lab_wan_ip "$s")" "$(lab_br_ip "$s" 0)" "$(lab_host_ip "$s" 0)" "$(ns "h${s}0")"
done

LAB_REMOTE=$(lab_wan_ip a)
say "configs from conf-examples/ (lines changed for the lab)"
for pair in server.conf:server client.conf:client; do
	lab_conf "${pair%%:*}" "${pair##*:}" >/dev/null || die "cannot derive ${pair%%:*}"
	printf '    %s -> %s.conf:\n' "conf-examples/${pair%%:*}" "${pair##*:}"
	diff "$LAB_CONF_DIR/${pair%%:*}" "$LAB_PKI/${pair##*:}.conf" | grep '^[<>]' | sed 's/^/      /'
done

say "starting l2vpn: server at site A, client at site B"
lab_start a server
lab_start b client
if ! lab_wait_up server || ! lab_wait_up client; then
	die "the tunnel did not come up (daemon logs follow)"
fi
grep -h ': link up ' "$(lab_log server)" "$(lab_log client)" | sed 's/^/    /'

bcast=$(lab_bcast 0)
say "ping -b -c 3 $bcast from site A's LAN host $(lab_host_ip a 0)"
lab_bping ha0 "$bcast" 3
printf '%s\n' "$BPING" | sed 's/^/    /'

missing=
for who in "$(lab_host_ip a 0):site A host" "$(lab_br_ip a 0):site A br0" \
	"$(lab_host_ip b 0):site B host" "$(lab_br_ip b 0):site B br0"; do
	if lab_replied "${who%%:*}"; then
		printf '    reply from %-15s (%s)\n' "${who%%:*}" "${who#*:}"
	else
		printf '    NO reply from %-12s (%s)\n' "${who%%:*}" "${who#*:}"
		case $who in *"site B"*) missing="$missing ${who%%:*}" ;; esac
	fi
done

lab_stop_all
say "tearing down (namespaces, daemons, certificates)"
if [ -n "$missing" ]; then
	printf 'demo: FAILED: no reply from site B (%s )\n' "$missing"
	exit 1
fi
say "OK: the broadcast was answered from both sites: one LAN across the tunnel"
exit 0
