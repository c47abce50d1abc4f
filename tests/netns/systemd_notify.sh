#!/bin/bash
# systemd's Type=notify protocol, against a stand-in for its socket (notify_sink.py), with
# WATCHDOG_USEC=1000000 as WatchdogSec=1 sets it. The client starts first:
#  - it reports READY=1 once started, and STATUS= "connecting (attempt N)" while no server
#    answers, then "connected to vpn.example.com/..." once the server is up;
#  - the server reports READY=1 with "0 sites connected", then "1 site connected";
#  - both send WATCHDOG=1 every half second (at least 8 in 5 s); a server stopped with
#    SIGSTOP for 3 s sends none in that time, and sends again after SIGCONT;
#  - SIGHUP: RELOADING=1, then READY=1; SIGTERM: STOPPING=1 before the exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd python3
lab_need_programs

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
ok "srv from server.conf" lab_conf server.conf srv
ok "cli from client.conf (connect-retry 1 1)" lab_conf client.conf cli "connect-retry 1 1"

SINK=$(dirname "$0")/notify_sink.py
# notified NAME: start the sink for NAME, then daemon NAME in SITE with systemd's variables.
notified() {
	local site=$1 name=$2
	bg - "sink-$name" /usr/bin/python3 "$SINK" "$WORK/$name.sock" "$WORK/$name.notify"
	wait_for 5 test -S "$WORK/$name.sock" || return 1
	bg "$site" "$name" env NOTIFY_SOCKET="$WORK/$name.sock" WATCHDOG_USEC=1000000 \
		"$L2VPN_BIN" --config "$LAB_PKI/$name.conf"
	_lab_daemons+=("$name")
}
# got NAME REGEX: NAME's notifications include a message matching REGEX.
got() { grep -Eq -- "^[0-9.]+ .*$2" "$WORK/$1.notify"; }
# count NAME REGEX [FROM [TO]]: messages matching REGEX (sent between FROM and TO, unix time).
count() {
	awk -v re="$2" -v from="${3:-0}" -v to="${4:-1e12}" \
		'$1 >= from && $1 <= to && $2 ~ re { n++ } END { print n + 0 }' "$WORK/$1.notify"
}
now() { date +%s.%N; }

ok "client started with NOTIFY_SOCKET" notified b cli
ok "client: READY=1" wait_for 5 got cli 'READY=1'
ok "client: STATUS=connecting (attempt N) while no server answers" \
	wait_for 5 got cli 'STATUS=connecting \(attempt [0-9]+\)'
ok "server started with NOTIFY_SOCKET" notified a srv
ok "server: READY=1 with STATUS=0 sites connected" wait_for 5 got srv 'READY=1\|STATUS=0 sites connected'
ok "server: READY=1 came after its initialisation" lab_logged srv 'initialisation sequence completed'
ok "server: STATUS=1 site connected" wait_for 10 got srv 'STATUS=1 site connected'
ok "client: STATUS=connected to vpn.example.com/..." wait_for 10 got cli 'STATUS=connected to vpn\.example\.com/'

t0=$(now)
sleep 5
for d in srv cli; do
	n=$(count "$d" '^WATCHDOG=1$' "$t0")
	ok "$d: WATCHDOG=1 every half second ($n in 5 s)" test "$n" -ge 8
done
spid=$(cat "$WORK/srv.pid")
kill -STOP "$spid"
t1=$(now)
sleep 3
t2=$(now)
kill -CONT "$spid"
n=$(count srv '^WATCHDOG=1$' "$(awk -v t="$t1" 'BEGIN { printf "%.3f", t + 0.2 }')" "$t2")
ok "server stopped (SIGSTOP) for 3 s: no WATCHDOG=1 then ($n)" test "$n" -eq 0
sleep 2
n=$(count srv '^WATCHDOG=1$' "$t2")
ok "after SIGCONT it sends WATCHDOG=1 again ($n in 2 s)" test "$n" -ge 2

t3=$(now)
kill -HUP "$spid"
ok "SIGHUP: RELOADING=1" wait_for 5 eval '[ "$(count srv "^RELOADING=1" "$t3")" -ge 1 ]'
ok "SIGHUP: READY=1 after it" wait_for 5 eval '[ "$(count srv "^READY=1" "$t3")" -ge 1 ]'
ok "SIGHUP: READY=1 came after RELOADING=1" eval \
	"awk -v t='$t3' '\$1 >= t && /RELOADING=1/ { r = 1 } \$1 >= t && r && /READY=1/ { ok = 1 } END { exit !ok }' '$WORK/srv.notify'"
stop srv
ok "SIGTERM: STOPPING=1" wait_for 5 got srv 'STOPPING=1'
lab_stop_all
stop sink-srv
stop sink-cli
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
