#!/bin/bash
# The tapbridge library through tb-tool, checked against what iproute2 reports: taps (create,
# persist, owner, offload reset, delete), bridges and ports (idempotent attach, detach), link
# attributes, and a bridge MAC that does not change when a tap comes and goes.
. "$(dirname "$0")/lib.sh"
need_root

TB=${TB_TOOL:-${L2VPN_BUILD_ROOT:-build}/tests/netns/tb-tool}
[ -x "$TB" ] || {
	echo "1..1"
	echo "not ok 1 - tb-tool not built at $TB"
	exit 1
}

ns_add a
ns_add b
tb() { ns_exec a "$TB" "$@"; }
link() { ip -n "$(ns a)" -d link show "$@"; }
mac_of() { ip -n "$(ns a)" link show "$1" | awk '/link\/ether/ { print $2 }'; }
gone() { ! ip -n "$(ns a)" link show "$1" >/dev/null 2>&1; }
have() { ip -n "$(ns a)" link show "$1" >/dev/null 2>&1; }
out_is() { [ "$OUT" = "$1" ]; }
is_tapn() { [[ $1 =~ ^tap[0-9]+$ ]]; }
link_matches() {
	local dev=$1 re=$2
	link "$dev" | grep -Eq -- "$re"
}

# --- taps
expect_exit 0 "exists: no tap0 yet" tb exists tap0
ok "exists prints 0 for a missing device" out_is 0
expect_exit 0 "open tap0 persistent" tb open tap0 persist
ok "open reports the tap as created" out_is "tap0 created"
ok "tap0 is a persistent tap" link_matches tap0 'tun type tap .*persist on'
ok "tap0 has no packet-info header and no vnet header" link_matches tap0 'pi off vnet_hdr off'
expect_exit 0 "exists: tap0" tb exists tap0
ok "exists prints 1 for a tap" out_is 1
expect_exit 0 "re-open tap0" tb open tap0 persist
ok "re-open reports it as existing" out_is "tap0 existed"
want_mac=$(ns_exec a "$TB" mac-for-name tap0)
ok "tap0 carries tb_tap_mac_for_name's MAC ($want_mac)" test "$(mac_of tap0)" = "$want_mac"
ok "that MAC starts with fe:" test "${want_mac:0:3}" = "fe:"

expect_exit 0 "open a kernel-named persistent tap" tb open "" persist
kname=${OUT%% *}
ok "the kernel chose a tapN name ($kname)" is_tapn "$kname"
ok "kernel-named tap $kname exists" have "$kname"
ok "delete $kname" tb delete "$kname"
ok "$kname is gone" gone "$kname"

bg a hold "$TB" hold tap2
ok "a held non-persistent tap appears" wait_for 5 have tap2
ok "it is not persistent" link_matches tap2 'persist off'
stop hold
ok "it disappears when its fd closes" wait_for 5 gone tap2

expect_exit 0 "open tap6 persistent owned by 65534:65534" tb open tap6 persist owner 65534 group 65534
ok "tap6 owner and group are set" link_matches tap6 'user (nobody|65534) group (nogroup|65534)'
ok "delete tap6" tb delete tap6

# Offloads: a persistent tap keeps the last opener's offloads. tb_tap_close resets them (the
# next owner may read no vnet header: OpenVPN after a rollback), and tb_tap_open resets what a
# program that closed it without resetting left.
ok "open tap0 with vnet header, set CSUM|TSO4, tb_tap_close" tb offload tap0 3
expect_exit 0 "read TSO state" tb tso tap0
ok "tb_tap_close left it without offloads (TSO off)" out_is off
ok "again, closed with close(2) alone" tb offload tap0 3 raw
expect_exit 0 "read TSO state" tb tso tap0
ok "that left TSO on" out_is on
ok "re-open tap0 with a vnet header" tb open tap0 persist vnet
expect_exit 0 "read TSO state again" tb tso tap0
ok "re-opening reset the offloads (TSO off)" out_is off

# --- bridges and ports
expect_exit 1 "find a missing bridge fails" tb bridge br0
expect_match 'no such bridge br0 \[ENODEV\]' "... naming it, with ENODEV"
ok "find with create makes br0" tb bridge br0 create
ok "br0 is a bridge" link_matches br0 'bridge forward_delay'
ok "find with create again is fine" tb bridge br0 create
expect_exit 1 "a non-bridge is refused" tb bridge lo
expect_match 'lo exists and is not a bridge \[EMEDIUMTYPE\]' "... with EMEDIUMTYPE"

veth_pair a eth0 b eth0
ip -n "$(ns a)" link set eth0 address 02:00:5e:10:00:01
ok "attach eth0 to br0" tb attach br0 eth0
ip -n "$(ns a)" link set br0 up
br_mac=$(mac_of br0)
ok "br0 took eth0's MAC" test "$br_mac" = 02:00:5e:10:00:01
expect_exit 0 "get-mac br0" tb get-mac br0
ok "get-mac matches iproute2 ($br_mac)" out_is "$br_mac"

ok "attach tap0 to br0" tb attach br0 tap0
ok "attach tap0 to br0 again (idempotent)" tb attach br0 tap0
ok "tap0 is a port of br0" link_matches tap0 'master br0'
expect_exit 0 "master of tap0" tb master tap0
ok "master reports br0" out_is br0
ok "br0 MAC unchanged after tap0 joined" test "$(mac_of br0)" = "$br_mac"
ok "detach tap0" tb detach tap0
expect_exit 0 "master of tap0 after detach" tb master tap0
ok "tap0 is in no bridge" out_is -
ok "detach again (not in a bridge) is fine" tb detach tap0
ok "re-attach tap0" tb attach br0 tap0

# --- link attributes
ok "set tap0 MTU 1400" tb mtu tap0 1400
ok "tap0 MTU is 1400" link_matches tap0 'mtu 1400 '
ok "set tap0 txqueuelen 50" tb txqlen tap0 50
ok "tap0 qlen is 50" link_matches tap0 'qlen 50'
ok "set tap0 up" tb link tap0 up
ok "tap0 is UP" link_matches tap0 '<[^>]*,UP[,>]'
ok "set tap0 down" tb link tap0 down
fails "tap0 is no longer UP" link_matches tap0 '<[^>]*,UP[,>]'
ok "set the MAC of eth0 via netlink" tb set-mac eth0 02:00:5e:10:00:02
ok "eth0 MAC is the new one" test "$(mac_of eth0)" = 02:00:5e:10:00:02
ok "set it back" tb set-mac eth0 02:00:5e:10:00:01
expect_exit 0 "ifindex of tap0" tb ifindex tap0
ok "ifindex matches iproute2" test "$OUT" = "$(ip -n "$(ns a)" -o link show tap0 | cut -d: -f1)"

# --- the tap goes; the bridge MAC stays
ok "delete tap0 while in br0" tb delete tap0
ok "tap0 is gone" gone tap0
ok "br0 MAC unchanged after tap0 left" test "$(mac_of br0)" = "$br_mac"
ok "a new tap0 joins br0" tb open tap0 persist
ok "attach the new tap0" tb attach br0 tap0
ok "br0 MAC still unchanged" test "$(mac_of br0)" = "$br_mac"

# --- errors
expect_exit 1 "delete a missing tap" tb delete tap9
expect_match 'tap9: No such device \[ENODEV\]' "... ENODEV naming tap9"
ns_exec a ip tuntap add tun5 mode tun
expect_exit 1 "exists on a tun (not tap) device" tb exists tun5
expect_match 'tun5 exists and is not a tap device .*\[EMEDIUMTYPE\]' "... EMEDIUMTYPE"
expect_exit 1 "open a tun device as a tap" tb open tun5 persist
expect_match 'tun5 exists and is not a tap device' "... refused"
expect_exit 1 "delete a non-tap (eth0)" tb delete eth0
expect_match 'eth0 exists and is not a tap device' "... refused, eth0 still there"
ok "eth0 survived" have eth0
expect_exit 1 "a 16-byte name" tb open abcdefghijklmnop
expect_match 'longer than 15 bytes \[ENAMETOOLONG\]' "... ENAMETOOLONG"
expect_exit 1 "attach to a missing bridge" tb attach br7 tap0
expect_match 'no such bridge br7' "... names the bridge"
expect_exit 1 "attach a missing port" tb attach br0 tap8
expect_match 'no such device tap8' "... names the port"

ok "delete bridge br0" tb bridge-delete br0
ok "br0 is gone" gone br0
ok "tap0 survives its bridge" have tap0
ok "delete tap0" tb delete tap0
done_testing
