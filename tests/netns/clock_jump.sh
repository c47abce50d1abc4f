#!/bin/bash
# A wall-clock jump of an hour forward and back causes no disconnect. Time namespaces do not
# virtualise CLOCK_REALTIME and setting the machine's clock is not the test's to do, so both
# daemons run under libfaketime with an offset the test rewrites mid-run (FAKETIME_TIMESTAMP_FILE,
# re-read on every call; CLOCK_MONOTONIC is left alone). With keepalive 1 5 on both ends the
# clock jumps +1 h, back, -1 h and back, each time followed by JUMP_QUIET seconds (8) with no
# traffic at all (longer than the 5 s keepalive timeout, so the link only survives if each
# side keeps sending its keepalives) and a 5 Hz ping: the daemons see the jumps (the server's
# status file says so), yet the link never drops, no keepalive timeout is logged and every
# ping comes back. A second check reads the source: wall-clock reads (time(),
# gettimeofday, CLOCK_REALTIME) appear only where a date is shown, never in timer logic.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs
QUIET=${JUMP_QUIET:-8}

# The source check first: it needs nothing but the tree.
wallclock_uses() {
	grep -nE '\b(time|gettimeofday|ftime)[[:space:]]*\(|CLOCK_REALTIME|CLOCK_TAI|clock\(\)' \
		"$L2VPN_SOURCE_ROOT"/vpn/*.c | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)'
}
# Each allowed line shows a date or seeds a shuffle: log stamps, the status file's Updated and
# connected-since columns, the order remotes are tried in.
allowed='(time_t now = time\(NULL\); /\* wall clock: only the text of the stamp|connected_since = time\(NULL\)|\.now = time\(NULL\)|seed = \(unsigned\)time\(NULL\))'
ok "vpn/*.c reads the wall clock only to show dates (log, status) or seed a shuffle" \
	eval "! wallclock_uses | grep -vE '$allowed'"
ok "the daemon's timers read CLOCK_MONOTONIC (vpn_now_ms)" \
	grep -q 'clock_gettime(CLOCK_MONOTONIC' "$L2VPN_SOURCE_ROOT/vpn/daemon.c"

FT_LIB=
for f in /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 /usr/lib/*/faketime/libfaketime.so.1; do
	[ -e "$f" ] && FT_LIB=$f && break
done
if [ -z "$FT_LIB" ]; then
	if [ "${CI:-}" = true ]; then
		fail "libfaketime installed (tests/deps.sh)"
		done_testing
	fi
	skip_one "the wall-clock jump" "libfaketime not installed (Debian libfaketime; tests/deps.sh)"
	done_testing
fi

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
ha0=$(lab_host_ip a 0)
ok "srv: keepalive 1 5" lab_conf server.conf srv "keepalive 1 5"
ok "cli: keepalive 1 5" lab_conf client.conf cli "keepalive 1 5"
offset=$WORK/faketime
printf '+0' >"$offset"
# start_faked NS NAME: the daemon under libfaketime (ASan tolerates being preloaded second).
start_faked() {
	bg "$1" "$2" env LD_PRELOAD="$FT_LIB" FAKETIME_TIMESTAMP_FILE="$offset" FAKETIME_NO_CACHE=1 \
		FAKETIME_DONT_FAKE_MONOTONIC=1 \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$L2VPN_BIN" --config "$LAB_PKI/$2.conf"
	_lab_daemons+=("$2")
}
start_faked a srv
start_faked b cli
ok "link up" lab_wait_up cli 1 40
ok "hb0 pings ha0" lab_wait_ping hb0 "$ha0" 5

# status_skew: the server status file's Updated time minus the real time, in seconds.
status_skew() {
	local u
	u=$(sed -n 's/^Updated,//p' "$WORK/srv.status")
	[ -n "$u" ] && echo $(($(date -d "$u" +%s) - $(date +%s)))
}
near() { local s; s=$(status_skew) && [ "$s" -ge $(($1 - 5)) ] && [ "$s" -le $(($1 + 5)) ]; }

jump() {
	local to=$1 label=$2
	printf '%s' "$to" >"$offset"
	if wait_for 5 near "$to"; then
		pass "clock $label: the server sees it (status file $(status_skew) s off the real time)"
	else
		fail "clock $label: the server sees it" "skew $(status_skew), want $to"
	fi
	sleep "$QUIET"
	ok "clock $label, then $QUIET s without traffic: hb0 pings ha0 at 5 Hz, none lost" \
		eval "ns_exec hb0 ping -n -q -c 10 -i 0.2 -W 1 '$ha0' | grep -q ' 10 received'"
}
jump +3600 "+1 h"
jump +0 "back from +1 h"
jump -3600 "-1 h"
jump +0 "back from -1 h"

ok "both daemons still run" eval 'lab_running srv && lab_running cli'
ok "the link never dropped (one link up each side)" \
	eval '[ "$(lab_count cli ": link up ")" -eq 1 ] && [ "$(lab_count srv ": link up ")" -eq 1 ]'
# (A refused first connect, while the server was still starting, is not a link going down.)
fails "no connection closed, no keepalive timeout (ping-restart) on either side" eval \
	"grep -Eh 'connection closed|nothing received for' '$WORK/srv.log' '$WORK/cli.log' | grep -v 'Connection refused'"

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
