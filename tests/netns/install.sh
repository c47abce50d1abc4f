#!/bin/bash
# `meson install --destdir` of this build: the binaries in sbindir, both man pages in section
# 8, the systemd unit in a unit directory under the prefix with ExecStart naming the installed
# binary and the configuration directory (no path hard-coded to /usr or /etc), the sysctl
# settings in lib/sysctl.d, the examples under share/doc/l2vpn/examples, and an empty
# configuration directory of mode 0750. The installed binaries run.
. "$(dirname "$0")/lib.sh"
need_cmd meson
DEST=$WORK/root
ok "meson install --destdir" meson install -C "$L2VPN_BUILD_ROOT" --destdir "$DEST" --no-rebuild \
	--quiet
# opt NAME: the build's value of option NAME.
opt() {
	meson introspect --buildoptions "$L2VPN_BUILD_ROOT" |
		/usr/bin/python3 -c 'import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]))' "$1"
}
prefix=$(opt prefix)
abs() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
sbin=$(abs "$(opt sbindir)")
etc=$(abs "$(opt sysconfdir)")/l2vpn
man8=$(abs "$(opt mandir)")/man8
examples=$(abs "$(opt datadir)")/doc/l2vpn/examples
diag "prefix $prefix: sbin $sbin, config $etc"

for b in l2vpn l2vpn-ca; do
	ok "$sbin/$b installed, executable" test -x "$DEST$sbin/$b"
	ok "$sbin/$b --version runs" "$DEST$sbin/$b" --version
done
for m in l2vpn.8 l2vpn-ca.8; do
	ok "$man8/$m installed" test -s "$DEST$man8/$m"
done
unit=$(find "$DEST" -name 'l2vpn@.service' -path '*/systemd/system/*')
ok "the unit is in a systemd/system directory under the prefix (${unit#"$DEST"})" \
	eval "[ -n '$unit' ] && case '${unit#"$DEST"}' in '$prefix'/*|/lib/*) true ;; *) false ;; esac"
ok "ExecStart runs the installed binary with a config from $etc" \
	grep -qx "ExecStart=$sbin/l2vpn --config $etc/%i.conf" "$unit"
if [ "$prefix" != /usr ]; then
	fails "no path in the unit points at /usr/sbin or /etc/l2vpn" \
		grep -Eq '/usr/sbin/|(^|[[:space:]=`])/etc/l2vpn' "$unit"
fi
for d in if-up.d if-down.d; do
	ok "ifupdown hook $etc/../network/$d/l2vpn, executable" \
		test -x "$DEST$(dirname "$etc")/network/$d/l2vpn"
done
ok "sysctl settings in lib/sysctl.d" test -s "$DEST$prefix/lib/sysctl.d/60-l2vpn.conf"
for f in server.conf server2.conf client.conf client2.conf interfaces.server interfaces.client \
	l2vpn@.service sysctl.d/60-l2vpn.conf; do
	ok "example $f" cmp -s "$L2VPN_SOURCE_ROOT/conf-examples/$f" "$DEST$examples/$f"
done
ok "$etc exists, empty, mode 750" eval "[ -d '$DEST$etc' ] && [ -z \"\$(ls -A '$DEST$etc')\" ] &&
	[ \"\$(stat -c %a '$DEST$etc')\" = 750 ]"
done_testing
