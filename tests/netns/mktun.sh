#!/bin/bash
# `l2vpn --mktun` / `--rmtun`: persistent taps for ifupdown hooks. Every success prints one line;
# every error case has its exit code (1 runtime, 2 usage) and a message naming the object.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd setpriv

[ -x "$L2VPN_BIN" ] || {
	echo "1..1"
	echo "not ok 1 - l2vpn not built at $L2VPN_BIN"
	exit 1
}

ns_add a
ns_add b
l2vpn() { ns_exec a "$L2VPN_BIN" "$@"; }
# An unprivileged l2vpn: user nobody, no capabilities at all.
l2vpn_nobody() {
	ns_exec a setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		--bounding-set=-all "$L2VPN_BIN" "$@"
}
link() { ip -n "$(ns a)" -d link show "$@"; }
link_matches() { link "$1" | grep -Eq -- "$2"; }
have() { ip -n "$(ns a)" link show "$1" >/dev/null 2>&1; }
gone() { ! have "$1"; }
mac_of() { ip -n "$(ns a)" link show "$1" | awk '/link\/ether/ { print $2 }'; }
lines_of_out() { [ "$(printf '%s\n' "$OUT" | wc -l)" -eq "$1" ]; }

veth_pair a eth0 b eth0
ip -n "$(ns a)" link set eth0 address 02:00:5e:20:00:01
bridge_add a br0 eth0
br_mac=$(mac_of br0)

# --- create, re-create, remove
expect_exit 0 "--mktun --dev tap0" l2vpn --mktun --dev tap0
expect_match '^l2vpn: created persistent tap tap0' "... says it created tap0"
ok "... in one line" lines_of_out 1
ok "tap0 is a persistent tap" link_matches tap0 'tun type tap .*persist on'
ok "tap0 has a fe: MAC" link_matches tap0 'link/ether fe:'
ok "tap0 is in no bridge and down" _not link_matches tap0 'master|[<,]UP[,>]'
expect_exit 0 "--mktun on the existing tap0" l2vpn --mktun --dev tap0
expect_match '^l2vpn: updated existing persistent tap tap0' "... says it already existed"
expect_exit 0 "--rmtun --dev tap0" l2vpn --rmtun --dev tap0
expect_match '^l2vpn: removed persistent tap tap0$' "... says it removed tap0"
ok "tap0 is gone" gone tap0
expect_exit 1 "--rmtun of a device that does not exist: exit 1" l2vpn --rmtun --dev tap0
expect_match '^l2vpn: .*tap0.*No such device' "... names tap0: No such device"

# --- with a bridge, owner, MTU
expect_exit 0 "--mktun with --bridge br0" l2vpn --mktun --dev tap1 --bridge br0
expect_match 'created persistent tap tap1 .*bridge br0' "... names the bridge"
ok "tap1 is a port of br0" link_matches tap1 'master br0'
ok "tap1 is up" link_matches tap1 '[<,]UP[,>]'
ok "br0 kept its MAC with tap1 in it" test "$(mac_of br0)" = "$br_mac"
expect_exit 0 "--mktun with --bridge br0 again (attach is idempotent)" \
	l2vpn --mktun --dev tap1 --bridge br0
ok "tap1 still a port of br0" link_matches tap1 'master br0'
expect_exit 0 "--rmtun tap1 out of br0" l2vpn --rmtun --dev tap1
ok "tap1 is gone" gone tap1
ok "br0 kept its MAC after tap1 left" test "$(mac_of br0)" = "$br_mac"
ok "eth0 is still a port of br0" link_matches eth0 'master br0'

expect_exit 0 "--mktun with --user nobody --group nogroup --tun-mtu 1400" \
	l2vpn --mktun --dev tap2 --user nobody --group nogroup --tun-mtu 1400
expect_match 'created persistent tap tap2 \(owner nobody, group nogroup, mtu 1400' \
	"... reports owner, group and MTU"
ok "tap2 is owned by nobody:nogroup" link_matches tap2 'user (nobody|65534) group (nogroup|65534)'
ok "tap2 MTU is 1400" link_matches tap2 'mtu 1400 '
ok "--rmtun tap2" l2vpn --rmtun --dev tap2

expect_exit 0 "--mktun --dev vpn0 --dev-type tap (a name not starting with tap)" \
	l2vpn --mktun --dev vpn0 --dev-type tap
ok "vpn0 is a tap" link_matches vpn0 'tun type tap'
ok "--rmtun vpn0 --dev-type tap" l2vpn --rmtun --dev vpn0 --dev-type tap

expect_exit 0 "--mktun --dev tap lets the kernel choose the name" l2vpn --mktun --dev tap
kname=$(printf '%s' "$OUT" | sed -n 's/^l2vpn: created persistent tap \(tap[0-9]*\) .*/\1/p')
ok "... and prints it (${kname:-none})" test -n "$kname"
ok "$kname exists" have "${kname:-none}"
ok "--rmtun $kname" l2vpn --rmtun --dev "${kname:-none}"

# --- runtime errors: exit 1, nothing left behind
expect_exit 1 "--bridge of a bridge that does not exist: exit 1" \
	l2vpn --mktun --dev tap3 --bridge br9
expect_match '^l2vpn: no such bridge br9' "... names br9"
ok "no tap3 left behind" gone tap3
expect_exit 1 "--bridge naming a device that is not a bridge: exit 1" \
	l2vpn --mktun --dev tap3 --bridge eth0
expect_match 'eth0 exists and is not a bridge' "... says eth0 is not a bridge"
ok "no tap3 left behind" gone tap3

ip -n "$(ns a)" link add tap4 type bridge
expect_exit 1 "--mktun on a device that exists and is not a tap: exit 1" \
	l2vpn --mktun --dev tap4
expect_match '^l2vpn: tap4 exists and is not a tap device' "... says tap4 is not a tap"
expect_exit 1 "--rmtun on a device that is not a tap: exit 1" l2vpn --rmtun --dev tap4
expect_match 'tap4 exists and is not a tap device' "... says so"
ok "the bridge tap4 survived" link_matches tap4 'bridge forward_delay'
ns_exec a ip tuntap add tap5 mode tun
expect_exit 1 "--mktun on a tun (layer 3) device named tap5: exit 1" l2vpn --mktun --dev tap5
expect_match 'tap5 exists and is not a tap device' "... says tap5 is not a tap"
ok "tap5 is still a tun device" link_matches tap5 'tun type tun'


expect_exit 1 "--user that does not exist: exit 1" l2vpn --mktun --dev tap3 --user nosuchuser9
expect_match "no such user 'nosuchuser9'" "... names the user"
ok "no tap3 left behind" gone tap3

# --- no permission: nobody without capabilities
expect_exit 1 "--mktun as nobody without capabilities: exit 1" l2vpn_nobody --mktun --dev tap6
expect_match '^l2vpn: .*tap6.*CAP_NET_ADMIN is needed|^l2vpn: .*/dev/net/tun.*CAP_NET_ADMIN is needed' \
	"... says CAP_NET_ADMIN is needed"
ok "... in one line" lines_of_out 1
ok "no tap6 created" gone tap6
ok "root makes tap7" l2vpn --mktun --dev tap7
expect_exit 1 "--rmtun as nobody without capabilities: exit 1" l2vpn_nobody --rmtun --dev tap7
expect_match 'CAP_NET_ADMIN is needed' "... says CAP_NET_ADMIN is needed"
ok "tap7 still exists" have tap7
ok "root removes tap7" l2vpn --rmtun --dev tap7

# --- a tap held open by a running process (the daemon) cannot be removed under it
TB=${L2VPN_BUILD_ROOT:-build}/tests/netns/tb-tool
ok "root makes tap8" l2vpn --mktun --dev tap8
bg a holder "$TB" hold tap8
ok "a process holds tap8 open" wait_for 5 grep -q existed "$WORK/holder.log"
expect_exit 1 "--rmtun of a tap in use: exit 1" l2vpn --rmtun --dev tap8
expect_match '^l2vpn: .*tap8.*busy.*in use by another process' "... says tap8 is in use"
ok "tap8 still exists" have tap8
stop holder
ok "--rmtun tap8 once released" l2vpn --rmtun --dev tap8
ok "tap8 is gone" gone tap8

# --- usage errors: exit 2
expect_exit 2 "--dev name longer than 15 bytes: exit 2" l2vpn --mktun --dev tap0123456789abc
expect_match '^l2vpn: .*(longer than 15|too long)' "... says the name is too long"
ok "nothing created" gone tap0123456789ab
expect_exit 2 "--rmtun with a name longer than 15 bytes: exit 2" \
	l2vpn --rmtun --dev tap0123456789abc
expect_exit 2 "--mktun without --dev: exit 2" l2vpn --mktun
expect_match '^l2vpn: .*--dev' "... asks for --dev"
expect_exit 2 "--rmtun --dev tap (no name): exit 2" l2vpn --rmtun --dev tap
expect_match '^l2vpn: ' "... with an l2vpn: message"
expect_exit 2 "an unknown option: exit 2" l2vpn --mktun --dev tap0 --no-such-option
expect_match '^l2vpn: .*no-such-option' "... names the option"
ok "nothing created" gone tap0

expect_exit 0 "--version" l2vpn --version
expect_match '^l2vpn [0-9]+\.[0-9]+' "... prints l2vpn VERSION"
expect_exit 0 "--help" l2vpn --help
expect_match '--mktun' "... mentions --mktun"
done_testing
