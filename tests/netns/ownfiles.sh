#!/bin/bash
# The daemon's own files and its privileges. Another user (uid 4242, owner of a 1777 directory)
# plants symlinks at the pid, status and log file paths, each pointing at a root-owned victim:
# the daemon started as root never writes through them. It refuses a symlinked log file (exit
# 1, naming the path and why), replaces the pid file's link with a regular file of its own,
# and refuses to hold the symlinked status file open (a warning), so the victims keep their
# content and mtime. After the privilege drop, /proc/PID/status shows the user's primary group
# for `user nobody` alone (never root's gid 0), no supplementary groups, no capabilities and
# NoNewPrivs, and the same with `group nogroup`. A user that does not exist fails
# --test-config and a `daemon` start in the foreground. An inline <key> in a 0644 config is
# refused like a 0644 key file, with the chmod hint; at 0600 it is accepted.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd getent

ATT=4242 # the other user: a uid only, no passwd entry needed
ca() { "$L2VPN_CA_BIN" --dir "$WORK/keys" --batch "$@" >/dev/null; }
ca clean-all && ca build-ca && ca build-key-server server && ca build-key client ||
	{ fail "make a PKI with l2vpn-ca"; done_testing; }
chmod 755 "$WORK"
K=$WORK/keys
ns_add srv

server_conf() {
	cat <<CONF
port 1194
proto tcp
dev tap0
ca $K/ca.crt
cert $K/server.crt
key $K/server.key
dh none
server-bridge nogw
verb 4
CONF
}

# --- symlinks planted by another user --------------------------------------------------------
P=$WORK/pub
mkdir -m 1777 "$P"
chown "$ATT" "$P"
for v in pid status log; do
	printf 'precious %s\n' "$v" >"$WORK/victim.$v"
	chmod 644 "$WORK/victim.$v"
	touch -d '2020-01-01 00:00:00' "$WORK/victim.$v"
done
plant() { ln -s "$WORK/victim.$1" "$2" && chown -h "$ATT" "$2"; }
untouched() {
	[ "$(cat "$WORK/victim.$1")" = "precious $1" ] &&
		[ "$(stat -c %Y "$WORK/victim.$1")" = "$(date -d '2020-01-01 00:00:00' +%s)" ]
}
plant log "$P/l2vpn.log"
plant pid "$P/server.pid"
plant status "$P/status.log"

server_conf >"$WORK/plain.conf"
for d in log log-append; do
	expect_exit 1 "$d through a planted symlink: the daemon refuses to start (exit 1)" \
		ns_exec srv timeout 10 "$L2VPN_BIN" --config "$WORK/plain.conf" --$d "$P/l2vpn.log"
	expect_match "$d $P/l2vpn.log: is a symlink: refusing to follow it" \
		"$d: the error names the path and says it is a symlink"
	ok "$d: the victim keeps its content and mtime" untouched log
done
ok "the log's link is left as it was" test -L "$P/l2vpn.log"

{
	server_conf
	echo "writepid $P/server.pid"
	echo "status $P/status.log 1"
	echo "user nobody"
	echo "group nogroup"
} >"$WORK/links.conf"
bg srv links "$L2VPN_BIN" --config "$WORK/links.conf"
ok "with symlinks at the pid and status paths, the daemon starts" \
	wait_for 10 grep -q "initialisation sequence completed" "$WORK/links.log"
lpid=$(cat "$WORK/links.pid")
ok "the pid file's link was replaced by a regular file (not followed)" \
	bash -c "[ ! -L '$P/server.pid' ] && [ -f '$P/server.pid' ]"
ok "the new pid file holds the daemon's pid and is root's" \
	bash -c "[ \"\$(cat '$P/server.pid')\" = $lpid ] && [ \"\$(stat -c %u '$P/server.pid')\" = 0 ]"
ok "status: the symlinked file is refused with a warning naming it" \
	grep -q "status $P/status.log: is a symlink: refusing to follow it" "$WORK/links.log"
sleep 2.5 # the status interval is 1 s: two rounds at least
ok "pid: the victim keeps its content and mtime" untouched pid
ok "status: the victim keeps its content and mtime after two status intervals" untouched status
ok "status: the link (another user's, in a sticky directory) is left as it was" \
	test -L "$P/status.log"
stop links

# --- privileges after the drop, and the status file rewritten in place ------------------------
# The status directory is root's: the daemon's user may not replace the file there, so the
# file opened before the drop is rewritten in place (it passed the checks: regular, root's).
mkdir -m 755 "$WORK/rootdir"
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)
nogroup_gid=$(getent group nogroup | cut -d: -f3)
# proc_ok PID GID: the identity and capabilities after the drop, from /proc/PID/status.
proc_ok() {
	local s=/proc/$1/status
	grep -Eq "^Uid:[[:space:]]+$nobody_uid[[:space:]]+$nobody_uid[[:space:]]+$nobody_uid[[:space:]]+$nobody_uid\$" "$s" &&
		grep -Eq "^Gid:[[:space:]]+$2[[:space:]]+$2[[:space:]]+$2[[:space:]]+$2\$" "$s" &&
		grep -Eq "^Groups:[[:space:]]*($2[[:space:]]*)?\$" "$s" &&
		grep -Eq "^CapEff:[[:space:]]+0+\$" "$s" &&
		grep -Eq "^CapPrm:[[:space:]]+0+\$" "$s" &&
		grep -Eq "^NoNewPrivs:[[:space:]]+1\$" "$s" ||
		{ grep -E "^(Uid|Gid|Groups|CapEff|CapPrm|NoNewPrivs):" "$s"; return 1; }
}
for variant in alone group; do
	{
		server_conf
		echo "user nobody"
		[ $variant = group ] && echo "group nogroup"
		echo "status $WORK/rootdir/status-$variant.log 1"
	} >"$WORK/$variant.conf"
	want_gid=$nobody_gid
	[ $variant = group ] && want_gid=$nogroup_gid
	bg srv "$variant" "$L2VPN_BIN" --config "$WORK/$variant.conf"
	ok "user nobody ($variant): the daemon starts" \
		wait_for 10 grep -q "initialisation sequence completed" "$WORK/$variant.log"
	ok "user nobody ($variant): Uid $nobody_uid, Gid $want_gid, Groups empty or $want_gid, CapEff/CapPrm 0, NoNewPrivs 1" \
		proc_ok "$(cat "$WORK/$variant.pid")" "$want_gid"
	ok "user nobody ($variant): the status file in root's directory is written in place" \
		wait_for 5 grep -q "^OpenVPN CLIENT LIST$" "$WORK/rootdir/status-$variant.log"
	stop "$variant"
done

# --- users and groups that do not exist -------------------------------------------------------
expect_exit 1 "--test-config with user nosuchuser: exit 1" \
	"$L2VPN_BIN" --config "$WORK/plain.conf" --user nosuchuser --test-config
expect_match "user nosuchuser: no such user" "... naming the user"
expect_exit 1 "--test-config with group nosuchgroup: exit 1" \
	"$L2VPN_BIN" --config "$WORK/plain.conf" --user nobody --group nosuchgroup --test-config
expect_match "group nosuchgroup: no such group" "... naming the group"
expect_exit 0 "--test-config with user nobody, group nogroup: configuration OK" \
	"$L2VPN_BIN" --config "$WORK/plain.conf" --user nobody --group nogroup --test-config
expect_exit 1 "daemon with user nosuchuser: exit 1 in the foreground, before forking" \
	ns_exec srv timeout 10 "$L2VPN_BIN" --config "$WORK/plain.conf" --user nosuchuser --daemon \
	--writepid "$WORK/bad.pid"
expect_match "user nosuchuser: no such user" "... naming the user on the terminal"
ok "... and no daemon was left behind (no pid file, no tap)" \
	bash -c "[ ! -e '$WORK/bad.pid' ] && ! ip -n '$(ns srv)' link show tap0 >/dev/null 2>&1"

# --- an inline <key> in a config readable by others -------------------------------------------
ca export client --remote 10.69.0.1 --out "$WORK/inline.conf"
ok "the exported config holds an inline <key>" grep -qx "<key>" "$WORK/inline.conf"
chmod 644 "$WORK/inline.conf"
expect_exit 1 "inline <key> in a 0644 config: refused" \
	"$L2VPN_BIN" --config "$WORK/inline.conf" --test-config
expect_match "config $WORK/inline.conf holds a private key .* readable by group or others \(mode 0644\).*fix with: chmod 600 $WORK/inline.conf" \
	"... naming the config file, with the chmod hint"
chmod 600 "$WORK/inline.conf"
expect_exit 0 "inline <key> in a 0600 config: accepted" \
	"$L2VPN_BIN" --config "$WORK/inline.conf" --test-config
printf 'config %s\n' "$WORK/inline.conf" >"$WORK/outer.conf"
chmod 600 "$WORK/outer.conf"
chmod 640 "$WORK/inline.conf"
expect_exit 1 "an included 0640 file holding the <key>: refused, though the outer file is 0600" \
	"$L2VPN_BIN" --config "$WORK/outer.conf" --test-config
expect_match "chmod 600 $WORK/inline.conf" "... naming the included file"

ok "no sanitizer report in any daemon log" \
	_not grep -El 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' \
	"$WORK"/*.log

done_testing
