#!/bin/bash
# conf-examples/l2vpn@.service parses cleanly with `systemd-analyze verify` (no warning at
# all: verify exits 0 even for an unknown key, so its output is checked too), and a copy with
# a misspelt key or a bad value does not. The unit runs the daemon as l2vpn(8) says
# (Type=notify, a watchdog); sysctl.d/60-l2vpn.conf holds only well-formed settings of keys the kernel knows.
# Needs no root; systemd-analyze verify loads the unit offline, it starts nothing.
. "$(dirname "$0")/lib.sh"
need_cmd systemd-analyze

UNIT="$L2VPN_SOURCE_ROOT/conf-examples/l2vpn@.service"
SYSCTL="$L2VPN_SOURCE_ROOT/conf-examples/sysctl.d/60-l2vpn.conf"

# verify_clean FILE: systemd-analyze verify says nothing about FILE and exits 0. The man page
# named in Documentation= may not be installed here, hence --man=no.
verify_clean() {
	local out
	out=$(systemd-analyze verify --man=no "$1" 2>&1) || { printf '%s\n' "$out"; return 1; }
	[ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}

# The unit as shipped, instantiated, with ExecStart pointing at the built daemon (verify wants
# an executable there; /usr/sbin/l2vpn exists only once installed).
bin=$(realpath "$L2VPN_BIN")
instance="$WORK/l2vpn@server.service"
sed "s|^ExecStart=/usr/sbin/l2vpn |ExecStart=$bin |" "$UNIT" >"$instance"
ok "the instance unit names the built daemon" grep -q "^ExecStart=$bin --config /etc/l2vpn/%i.conf\$" "$instance"
ok "l2vpn@server.service: systemd-analyze verify without a warning" verify_clean "$instance"

# Negative twins: the check above can fail.
sed 's/^NoNewPrivileges=/NoNewPrivilegez=/' "$instance" >"$WORK/l2vpn@typo.service"
fails "a misspelt key is reported" verify_clean "$WORK/l2vpn@typo.service"
sed 's/^RestartSec=.*/RestartSec=soon/' "$instance" >"$WORK/l2vpn@badvalue.service"
fails "a bad value is reported" verify_clean "$WORK/l2vpn@badvalue.service"

# What the unit promises.
has() { grep -qx "$1" "$UNIT"; }
ok "ExecStart runs /etc/l2vpn/INSTANCE.conf" has 'ExecStart=/usr/sbin/l2vpn --config /etc/l2vpn/%i.conf'
ok "Type=notify (the daemon says when it is ready)" has 'Type=notify'
ok "NotifyAccess=main" has 'NotifyAccess=main'
ok "WatchdogSec=30s" has 'WatchdogSec=30s'
ok "Restart=on-failure" has 'Restart=on-failure'
ok "capabilities: NET_ADMIN, SETUID, SETGID, NET_BIND_SERVICE only" \
	has 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_SETUID CAP_SETGID CAP_NET_BIND_SERVICE'
ok "/dev/net/tun stays reachable" has 'DeviceAllow=/dev/net/tun rw'
ok "netlink sockets stay allowed" grep -qE '^RestrictAddressFamilies=.*\bAF_NETLINK\b' "$UNIT"
ok "reload sends SIGHUP" has 'ExecReload=/bin/kill -HUP $MAINPID'

# sysctl.d: every setting is "key = integer", and keys outside net.bridge (which exist only
# with br_netfilter loaded) exist in this kernel.
sysctl_well_formed() {
	local line key n=0
	while IFS= read -r line; do
		case "$line" in '' | '#'*) continue ;; esac
		[[ "$line" =~ ^([a-z0-9_.-]+)\ =\ -?[0-9]+$ ]] || { echo "malformed: $line"; return 1; }
		key=${BASH_REMATCH[1]}
		n=$((n + 1))
		case "$key" in net.bridge.*) continue ;; esac
		[ -e "/proc/sys/${key//.//}" ] || { echo "unknown key: $key"; return 1; }
	done <"$SYSCTL"
	[ "$n" -gt 0 ]
}
ok "sysctl.d/60-l2vpn.conf: well-formed settings of known keys" sysctl_well_formed
ok "it lets hosts answer ping -b" grep -qx 'net.ipv4.icmp_echo_ignore_broadcasts = 0' "$SYSCTL"
ok "it keeps bridged frames out of iptables" grep -qx 'net.bridge.bridge-nf-call-iptables = 0' "$SYSCTL"

done_testing
