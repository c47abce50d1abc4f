#!/bin/bash
# The real Debian ifup/ifdown (ifupdown + bridge-utils hooks) on the br0 stanza of
# conf-examples/interfaces.server, inside a namespace, with the freshly built l2vpn on PATH:
# pre-up `l2vpn --mktun` must create tap0 in time for bridge_ports, post-down `--rmtun` must
# remove it.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd ifup ifdown brctl

[ -x "$L2VPN_BIN" ] || {
	echo "1..1"
	echo "not ok 1 - l2vpn not built at $L2VPN_BIN"
	exit 1
}

ns_add a
ns_add b
veth_pair a eth0 b eth0
ip -n "$(ns a)" link set eth0 down
ip -n "$(ns a)" link set eth0 address 02:00:5e:30:00:01

# The br0 stanza exactly as shipped (its `auto` line through the next blank line).
awk '/^auto br0$/ { on = 1 } on && /^$/ { exit } on' \
	"$L2VPN_SOURCE_ROOT/conf-examples/interfaces.server" >"$WORK/interfaces"
has_line() { grep -Eq -- "$1" "$WORK/interfaces"; }
ok "the stanza has bridge_ports eth0 tap0" has_line '^\s+bridge_ports eth0 tap0$'
ok "the stanza has pre-up l2vpn --mktun --dev tap0" has_line '^\s+pre-up l2vpn --mktun --dev tap0$'
ok "the stanza has post-down l2vpn --rmtun --dev tap0" \
	has_line '^\s+post-down l2vpn --rmtun --dev tap0$'
ok "the stanza has bridge_maxwait 0" has_line '^\s+bridge_maxwait 0$'
diag "stanza:"
sed 's/^/#   /' "$WORK/interfaces"

# `l2vpn` on PATH is the build under test. ifup resets PATH to a fixed list that starts with
# /usr/local/sbin (where a local install puts l2vpn), so a directory with an l2vpn symlink is
# bind-mounted there. `ip netns exec` runs in a private mount namespace of its own (it remounts
# /sys), so the bind mount is seen by this ifup/ifdown run only, never by the host.
mkdir -p "$WORK/bin" "$WORK/state"
ln -s "$(readlink -f "$L2VPN_BIN")" "$WORK/bin/l2vpn"
ifupdown() {
	# shellcheck disable=SC2016
	ns_exec a sh -c 'mount --bind "$1" /usr/local/sbin && exec "$2" -v -i "$3" --state-dir "$4" br0' \
		sh "$WORK/bin" "$1" "$WORK/interfaces" "$WORK/state"
}
link() { ip -n "$(ns a)" -d link show "$@"; }
link_matches() { link "$1" | grep -Eq -- "$2"; }
have() { ip -n "$(ns a)" link show "$1" >/dev/null 2>&1; }
gone() { ! have "$1"; }
mac_of() { ip -n "$(ns a)" link show "$1" | awk '/link\/ether/ { print $2 }'; }
ports_of_br0() { ip -n "$(ns a)" -o link show master br0 | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort | tr '\n' ' '; }

for round in 1 2; do
	expect_exit 0 "round $round: ifup br0" ifupdown ifup
	expect_match 'l2vpn: created persistent tap tap0' "round $round: ifup ran l2vpn --mktun"
	ok "round $round: tap0 exists and is a persistent tap" link_matches tap0 'tun type tap .*persist on'
	ok "round $round: tap0 is up" link_matches tap0 '[<,]UP[,>]'
	ok "round $round: br0 is up" link_matches br0 '[<,]UP[,>]'
	ok "round $round: br0 ports are eth0 and tap0" test "$(ports_of_br0)" = "eth0 tap0 "
	ok "round $round: br0 has the stanza's address" \
		sh -c "ip -n '$(ns a)' addr show br0 | grep -q 'inet 192.168.10.1/24'"
	ok "round $round: br0 took eth0's MAC, not the tap's" test "$(mac_of br0)" = 02:00:5e:30:00:01

	expect_exit 0 "round $round: ifdown br0" ifupdown ifdown
	expect_match 'l2vpn: removed persistent tap tap0' "round $round: ifdown ran l2vpn --rmtun"
	ok "round $round: tap0 is gone" gone tap0
	ok "round $round: eth0 is still there, in no bridge" _not link_matches eth0 'master'
done
done_testing
