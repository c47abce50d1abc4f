#!/bin/bash
# The real Debian ifup/ifdown (ifupdown + bridge-utils hooks) on the br0 stanza of
# conf-examples/interfaces.server, inside a namespace, with the freshly built l2vpn on PATH:
# pre-up `l2vpn --mktun` must create tap0 in time for bridge_ports, post-down `--rmtun` must
# remove it. Then the same stanza with `l2vpn server` (and the configuration and pid-file
# directories as stanza options): the installed hooks (ifupdown/if-up.l2vpn, if-down.l2vpn)
# start the server when br0 comes up, directly since no systemd runs here, its pid in
# l2vpn-rundir; ifdown stops it by that pid before post-down removes the tap. Last, the stanza
# with `l2vpn server server2` where /run/systemd/system exists: the hooks run `systemctl
# start`/`stop l2vpn@NAME.service` for each name in order and start nothing themselves, and a
# failing start makes ifup fail after it tried every instance.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
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
# The hooks are bind-mounted the same way over /etc/network/if-up.d and if-down.d (only they
# run), and an empty directory over /run/systemd should the host run systemd. With SYSTEMD set,
# a private /run holds /run/systemd/system instead, so the hooks take their systemd path; the
# systemctl they call is then a stand-in in the same /usr/local/sbin that logs its arguments.
mkdir -p "$WORK/if-up.d" "$WORK/if-down.d" "$WORK/nosystemd"
cp "$L2VPN_SOURCE_ROOT/ifupdown/if-up.l2vpn" "$WORK/if-up.d/l2vpn"
cp "$L2VPN_SOURCE_ROOT/ifupdown/if-down.l2vpn" "$WORK/if-down.d/l2vpn"
ifupdown() {
	# shellcheck disable=SC2016
	ns_exec a sh -c 'mount --bind "$1" /usr/local/sbin &&
		mount --bind "$5/if-up.d" /etc/network/if-up.d &&
		mount --bind "$5/if-down.d" /etc/network/if-down.d &&
		if [ -n "$6" ]; then mount -t tmpfs l2vpn-test /run && mkdir -p /run/systemd/system
		elif [ -d /run/systemd ]; then mount --bind "$5/nosystemd" /run/systemd; fi &&
		exec "$2" -v -i "$3" --state-dir "$4" br0' \
		sh "$WORK/bin" "$1" "${IFACES:-$WORK/interfaces}" "$WORK/state" "$WORK" "${SYSTEMD:-}"
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

# --- `l2vpn server` in the stanza
lab_step "PKI made with l2vpn-ca" lab_pki
ok "server.conf for the hook (logging to a file)" lab_conf server.conf server "log $WORK/server.log"
{
	cat "$WORK/interfaces"
	printf '\tl2vpn server\n\tl2vpn-confdir %s\n\tl2vpn-rundir %s\n' "$LAB_PKI" "$WORK/run"
} >"$WORK/interfaces.l2vpn"
IFACES=$WORK/interfaces.l2vpn
pidfile=$WORK/run/server.pid
alive() { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
listening() { ns_exec a ss -ltn | grep -q ':1194 '; }
expect_exit 0 "l2vpn server: ifup br0" ifupdown ifup
ok "l2vpn server: the hook started the server (pid file, process alive)" wait_for 5 alive
ok "l2vpn server: it listens on port 1194" wait_for 5 listening
ok "l2vpn server: its log says it is up" wait_for 5 grep -q "initialisation sequence completed" \
	"$WORK/server.log"
spid=$(cat "$pidfile")
expect_exit 0 "l2vpn server: ifup again (already running: left as it is)" ifupdown ifup
ok "l2vpn server: still the same process" test "$(cat "$pidfile" 2>/dev/null)" = "$spid"
expect_exit 0 "l2vpn server: ifdown br0" ifupdown ifdown
ok "l2vpn server: the process is gone" _not kill -0 "$spid"
ok "l2vpn server: the pid file is gone" test ! -e "$pidfile"
ok "l2vpn server: it exited cleanly" grep -q "exiting with status 0" "$WORK/server.log"
ok "l2vpn server: tap0 removed after it (post-down)" gone tap0

# --- the same under systemd: the hooks start and stop l2vpn@NAME.service, nothing directly
cat >"$WORK/bin/systemctl" <<SH
#!/bin/sh
echo "\$*" >>"$WORK/systemctl.log"
exit \$(cat "$WORK/systemctl.rc")
SH
chmod +x "$WORK/bin/systemctl"
echo 0 >"$WORK/systemctl.rc"
: >"$WORK/systemctl.log"
{
	cat "$WORK/interfaces"
	printf '\tl2vpn server server2\n\tl2vpn-rundir %s\n' "$WORK/run"
} >"$WORK/interfaces.systemd"
IFACES=$WORK/interfaces.systemd
SYSTEMD=1
expect_exit 0 "systemd: ifup br0" ifupdown ifup
ok "systemd: the hook ran systemctl start for each instance, in order" test \
	"$(cat "$WORK/systemctl.log")" = "start l2vpn@server.service
start l2vpn@server2.service"
ok "systemd: it started nothing itself (no pid file)" test ! -e "$WORK/run/server.pid"
: >"$WORK/systemctl.log"
expect_exit 0 "systemd: ifdown br0" ifupdown ifdown
ok "systemd: the hook ran systemctl stop for each instance" test \
	"$(cat "$WORK/systemctl.log")" = "stop l2vpn@server.service
stop l2vpn@server2.service"
echo 1 >"$WORK/systemctl.rc"
: >"$WORK/systemctl.log"
expect_exit 1 "systemd: ifup br0 fails when systemctl start fails" ifupdown ifup
ok "systemd: ... after trying every instance" test "$(wc -l <"$WORK/systemctl.log")" -eq 2
echo 0 >"$WORK/systemctl.rc"
ifupdown ifdown >/dev/null 2>&1
unset SYSTEMD
done_testing
