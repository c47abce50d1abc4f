#!/bin/bash
# The management interface, OpenVPN's management protocol, driven by a small client that speaks
# it line by line (mgmt_client.py). Two sites from conf-examples: the server at site a serves
# the interface on TCP 127.0.0.1:7505 in its namespace, starts held (management-hold) and writes
# a metrics file every second; the client at site b serves it on a unix socket.
#  - held: the banner is followed by >HOLD, the server's port refuses connections and no link
#    comes up until `hold release`; then the link comes up;
#  - `state on` / `log on` / `bytecount 1` before the link came up: >STATE: ... CONNECTED (and
#    the client's TCP_CONNECT, WAIT, AUTH before it), >LOG: lines, >BYTECOUNT_CLI on the server
#    and >BYTECOUNT on the client;
#  - every command and its reply format; status 1/2/3 exactly the status layouts; `status json`
#    against the live state (the site's CN and address, the remote LAN host's MAC on its
#    port); `metrics` and the metrics file accepted by promtool, the file replaced atomically;
#  - kill by CN and by IP:PORT: the client logs the close and reconnects; signal SIGUSR2: the
#    status in the log; signal SIGHUP: a reload, RECONNECTING then CONNECTED again; a password prompt, right and wrong; the unix socket mode 0600; three
#    clients at once, a ninth refused; garbage (a 10 KB line, NUL bytes, unknown commands)
#    answered with ERROR on a socket that stays usable;
#  - a client that never reads while its output grows is disconnected (and that is logged),
#    while a ping across the tunnel loses nothing and the other clients still answer;
#  - l2vpn --ctl: the status table, the exit codes, the password;
#  - signal SIGTERM on the client: >STATE: EXITING, exit 0, the unix socket removed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd python3
lab_need_programs

MC=(/usr/bin/python3 "$(dirname "$0")/mgmt_client.py")
SRV=127.0.0.1:7505
CLI=$WORK/cli.sock
# mc_srv CHECK ARGS...: the test client against the server (in site a's namespace).
mc_srv() { ns_exec a "${MC[@]}" "$SRV" "$@"; }
mc_cli() { "${MC[@]}" "$CLI" "$@"; }
ctl_srv() { ns_exec a "$L2VPN_BIN" --ctl "$SRV" "$@"; }

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
ok "srv from server.conf: management on $SRV, held, metrics-file" \
	lab_conf server.conf srv "management 127.0.0.1 7505" "management-hold" \
	"metrics-file $WORK/srv.prom 1"
ok "cli from client.conf: management on a unix socket" \
	lab_conf client.conf cli "management $CLI unix" "connect-retry 1 1"

# --test-config reads the password file and resolves the socket's owner, as the start would.
expect_exit 1 "--test-config: a missing management password file: exit 1" \
	"$L2VPN_BIN" --config "$LAB_PKI/srv.conf" --test-config --management 127.0.0.1 7599 \
	"$WORK/missing.pw"
expect_match "management password file $WORK/missing.pw: No such file or directory" \
	"--test-config: ... names the file and why"
expect_exit 1 "--test-config: management-client-user of no one: exit 1" \
	"$L2VPN_BIN" --config "$LAB_PKI/cli.conf" --test-config --management-client-user nosuchuser
expect_match "management-client-user nosuchuser: no such user" "--test-config: ... says so"

# A symlink planted where the metrics file goes is replaced, never written through.
echo keep >"$WORK/victim"
ln -s "$WORK/victim" "$WORK/srv.prom"

lab_start a srv
ok "server: the management interface listens" wait_for 10 lab_logged srv \
	"management interface listening on TCP 127.0.0.1 port 7505"
ok "server: it waits for the hold release" wait_for 5 lab_logged srv "waiting for .hold release."
ok "held: >HOLD:Waiting for hold release:0 after the banner; hold=1" mc_srv held
ok "held: port 1194 is bound but refuses connections (nothing listens)" \
	eval "[ -z \"\$(ns_exec a ss -Htln 'sport = :1194')\" ]"

lab_start b cli
ok "client: the management unix socket exists" wait_for 10 test -S "$CLI"
ok "client: the socket is mode 0600, root's" eval "[ \"\$(stat -c '%a %U' '$CLI')\" = '600 root' ]"
# Recorders: state, log and byte counts from before the link comes up, to the end.
bg - rec_cli "${MC[@]}" "$CLI" record "$WORK/cli.rec" "state on" "log on" "bytecount 1"
bg a rec_srv "${MC[@]}" "$SRV" record "$WORK/srv.rec" "state on" "log on" "bytecount 1"
ok "both recorders are connected" wait_for 10 eval "[ -e '$WORK/cli.rec.ready' ] && [ -e '$WORK/srv.rec.ready' ]"
sleep 3
ok "held: the client's attempts are refused" lab_logged cli "Connection refused"
fails "held: no link came up in 3 s" lab_logged cli ": link up "
expect_exit 0 "hold release: exit 0" ctl_srv hold release
expect_match '^SUCCESS: hold release succeeded$' "hold release: SUCCESS: hold release succeeded"
expect_exit 0 "hold off" ctl_srv hold off
ok "the link comes up after the release" lab_wait_up cli 1 20
ok "ping across the tunnel" lab_wait_ping ha0 "$(lab_host_ip b 0)" 10
ok "and back (both sites learned each other's host)" lab_ping hb0 "$(lab_host_ip a 0)" 3

# Real-time notifications.
st='>STATE:[0-9]+'
ok "server: >STATE: CONNECTED once it listens" \
	grep -Eq "^$st,CONNECTED,SUCCESS,,,,[0-9a-f.:]+,1194$" "$WORK/srv.rec"
ok "client: >STATE: TCP_CONNECT, WAIT, AUTH" eval \
	"grep -Eq '^$st,TCP_CONNECT,' '$WORK/cli.rec' && grep -Eq '^$st,WAIT,' '$WORK/cli.rec' && grep -Eq '^$st,AUTH,' '$WORK/cli.rec'"
ok "client: >STATE: CONNECTED with the server's and its own address" \
	grep -Eq "^$st,CONNECTED,SUCCESS,,10\.99\.0\.1,1194,10\.99\.0\.2,[0-9]+$" "$WORK/cli.rec"
ok "client: >STATE: RECONNECTING with the reason while held" \
	grep -Eq "^$st,RECONNECTING,Connection refused,,,,,$" "$WORK/cli.rec"
ok "client: >LOG: lines, e.g. the link up" \
	grep -Eq '^>LOG:[0-9]+,I,vpn\.example\.com/10\.99\.0\.1:1194: link up ' "$WORK/cli.rec"
ok "server: >LOG: the hold release" grep -Eq '^>LOG:[0-9]+,I,hold released' "$WORK/srv.rec"
ok "server: >BYTECOUNT_CLI:1,IN,OUT every second" \
	wait_for 5 grep -Eq '^>BYTECOUNT_CLI:1,[1-9][0-9]*,[1-9][0-9]*$' "$WORK/srv.rec"
ok "client: >BYTECOUNT:IN,OUT every second" \
	wait_for 5 grep -Eq '^>BYTECOUNT:[1-9][0-9]*,[1-9][0-9]*$' "$WORK/cli.rec"

# Commands and replies.
ok "server: the banner" mc_srv banner
ok "client: the banner" mc_cli banner
ok "server: help, version, pid, load-stats, nclients, verb, mute, hold, quit, ..." \
	mc_srv basics "$(cat "$WORK/srv.pid")"
ok "client: the same" mc_cli basics "$(cat "$WORK/cli.pid")"
ok "server: echo, log, state (on/off/all/N)" mc_srv history
ok "server: status 1, 2, 3 are the status file's layouts" mc_srv status-layouts server
ok "client: status is the client's statistics" mc_cli status-layouts client
ok "server: load-stats counts the site" eval "mc_srv cmd load-stats | grep -q '^SUCCESS: nclients=1,'"
hb_mac=$(ns_exec hb0 cat /sys/class/net/eth0/address)
ok "status json: the site, its address and the remote host's MAC on its port" \
	mc_srv json vpnc.example.com 10.99.0.2 "$hb_mac"

# Prometheus: the metrics command and the file.
ns_exec a "${MC[@]}" "$SRV" cmd metrics | sed '$d' >"$WORK/metrics.txt"
ok "metrics: l2vpn_sites 1, the site's counters labelled with its CN" eval \
	"grep -qx 'l2vpn_sites 1' '$WORK/metrics.txt' && grep -q '^l2vpn_site_received_bytes_total{cn=\"vpnc.example.com\",address=\"10.99.0.2:' '$WORK/metrics.txt'"
promtool_ok() {
	if command -v promtool >/dev/null; then
		ok "$1: promtool check metrics accepts it" eval "promtool check metrics <'$2'"
	elif [ "${CI:-}" = true ]; then
		fail "$1: promtool is not installed (CI=true: a missing tool is a failure)"
	else
		skip_one "$1: promtool check metrics" "promtool not installed (Debian: prometheus)"
	fi
}
promtool_ok "metrics" "$WORK/metrics.txt"
ok "metrics-file: written" wait_for 5 grep -qx 'l2vpn_sites 1' "$WORK/srv.prom"
ok "metrics-file: the planted symlink was replaced, its target untouched" eval \
	"[ ! -L '$WORK/srv.prom' ] && [ \"\$(cat '$WORK/victim')\" = keep ]"
ok "metrics-file: read in a loop while it is rewritten, every read is whole" \
	"${MC[@]}" watch-file "$WORK/srv.prom" 4
promtool_ok "metrics-file" "$WORK/srv.prom"

# Several clients; garbage.
ok "three clients at once, each answering" mc_srv concurrent 3
ok "a ninth client is told there are too many and closed" mc_srv limit
ok "too many clients is logged" lab_logged srv "management: a client was refused"
ok "garbage: a 10 KB line, NUL bytes, unknown commands: ERROR each, socket usable" mc_srv garbage
ok "the daemon is still there" lab_running srv

# A client that stops reading while it makes output: dropped, nothing else suffers.
bg hb0 pinger ping -n -c 60 -i 0.1 "$(lab_host_ip a 0)"
ok "a client that never reads is disconnected" mc_srv stuck
ok "... and the server logs why" wait_for 5 lab_logged srv "does not read its output .*: disconnected"
ok "the other clients still answer" eval "mc_srv cmd pid | grep -q '^SUCCESS: pid='"
ok "the server's recorder still gets its byte counts" eval \
	"n=\$(grep -c '^>BYTECOUNT_CLI:' '$WORK/srv.rec'); sleep 3; [ \$(grep -c '^>BYTECOUNT_CLI:' '$WORK/srv.rec') -gt \$n ]"
ok "the ping across the tunnel meanwhile lost nothing" eval \
	"wait_for 20 grep -q ' 0% packet loss' '$WORK/pinger.log'"

# Signals.
n_lists=$(lab_count srv '^[0-9-]+ [0-9:]+ OpenVPN CLIENT LIST$')
expect_exit 0 "signal SIGUSR2: exit 0" ctl_srv signal SIGUSR2
expect_match '^SUCCESS: signal SIGUSR2 thrown$' "signal SIGUSR2: SUCCESS: signal SIGUSR2 thrown"
ok "signal SIGUSR2: the status goes to the log" wait_for 5 eval \
	"[ \$(lab_count srv 'OpenVPN CLIENT LIST\$') -gt $n_lists ]"
ok "signal SIGUSR2: ... and to >LOG:" wait_for 5 grep -Eq '^>LOG:[0-9]+,I,OpenVPN CLIENT LIST$' "$WORK/srv.rec"

# kill.
expect_exit 0 "kill vpnc.example.com: exit 0" ctl_srv kill vpnc.example.com
expect_match "^SUCCESS: common name 'vpnc.example.com' found, 1 client\(s\) killed$" \
	"kill CN: SUCCESS: common name '...' found, 1 client(s) killed"
ok "kill CN: the client logs the close" wait_for 5 lab_logged cli \
	"peer said goodbye \(closed by the management interface\)"
ok "kill CN: the client's >STATE: RECONNECTING says why" wait_for 5 grep -Eq \
	"^$st,RECONNECTING,peer said goodbye \(closed by the management interface\)" "$WORK/cli.rec"
ok "kill CN: the client reconnects" lab_wait_up cli 2 20
expect_exit 1 "kill of an unknown CN: exit 1" ctl_srv kill nosuch
expect_match "^ERROR: common name 'nosuch' not found$" "kill CN: ERROR: common name '...' not found"
ok "kill IP:PORT closes that site" mc_srv kill-by-address
ok "kill IP:PORT: the client reconnects" lab_wait_up cli 3 20
expect_exit 1 "kill on a client: exit 1" "$L2VPN_BIN" --ctl "$CLI" kill vpn.example.com
expect_match "^ERROR: The 'kill' command is not supported by the current daemon mode$" \
	"kill on a client: not supported by the current daemon mode"

# SIGHUP through the interface: RECONNECTING,SIGHUP, then CONNECTED again; a changed
# management directive is only noted (the interface stays).
sed -i '/^management-hold$/d' "$LAB_PKI/srv.conf"
expect_exit 0 "signal SIGHUP: exit 0" ctl_srv signal SIGHUP
ok "signal SIGHUP: the server reloads" wait_for 10 lab_logged srv "configuration reloaded"
ok "signal SIGHUP: >STATE: RECONNECTING,SIGHUP then CONNECTED" wait_for 5 eval \
	"grep -A3 -E '^$st,RECONNECTING,SIGHUP,' '$WORK/srv.rec' | grep -Eq '^$st,CONNECTED,SUCCESS,'"
ok "signal SIGHUP: the changed management-hold is noted, not applied" \
	lab_logged srv "the changed management directives take effect at the next start"
ok "signal SIGHUP: the client is back" lab_wait_up cli 4 20

# l2vpn --ctl.
ok "the link is up again" lab_wait_ping ha0 "$(lab_host_ip b 0)" 10
expect_exit 0 "--ctl status: exit 0" ctl_srv status
expect_match '^l2vpn [0-9.]+, updated ' "--ctl status: says what and when"
expect_match '^  SITE \(CN\) +REAL ADDRESS +BYTES IN +BYTES OUT +CONNECTED SINCE +ID$' \
	"--ctl status: a table of sites"
expect_match '^  vpnc\.example\.com +10\.99\.0\.2:[0-9]+ +[0-9]+ +[0-9]+ +[0-9-]+ [0-9:]+ +[0-9]+$' \
	"--ctl status: the site's row"
expect_match "^  $hb_mac@0 +vpnc\.example\.com " "--ctl status: the remote host's MAC"
expect_exit 0 "--ctl status on the client: exit 0" "$L2VPN_BIN" --ctl "$CLI" status
expect_match '^  TCP/UDP read bytes +[0-9]+$' "--ctl status on the client: its counters"
expect_exit 0 "--ctl status 3: exit 0" ctl_srv status 3
expect_match $'^END$' "--ctl status 3: the layout, END included"
expect_exit 0 "--ctl pid: exit 0" ctl_srv pid
expect_match "^SUCCESS: pid=$(cat "$WORK/srv.pid")$" "--ctl pid: the reply"
expect_exit 1 "--ctl with an unknown command: exit 1" ctl_srv bogus
expect_match "^ERROR: unknown command" "--ctl bogus: the ERROR line"
expect_exit 0 "--ctl log all: exit 0" ctl_srv log all
fails "--ctl log all: no END line" eval "printf '%s\n' \"\$OUT\" | grep -qx END"
expect_exit 1 "--ctl to a socket nobody serves: exit 1" "$L2VPN_BIN" --ctl "$WORK/nobody.sock" pid
expect_exit 2 "--ctl without a command: exit 2" "$L2VPN_BIN" --ctl "$CLI"

# A password: a second server instance (its own tap and port) with a password file.
printf 'sesame\n' >"$WORK/mgmt.pw"
chmod 600 "$WORK/mgmt.pw"
ok "pw from server.conf: management with a password file" lab_conf server.conf pw \
	"port 1196" "dev tap9" "-bridge" "management 127.0.0.1 7506 $WORK/mgmt.pw"
lab_start a pw
ok "pw: listening" wait_for 10 lab_logged pw "management interface listening on TCP 127.0.0.1 port 7506"
ok "password: the prompt, the right one, the banner" \
	ns_exec a "${MC[@]}" 127.0.0.1:7506 password-right "$WORK/mgmt.pw"
ok "password: a wrong one: ERROR: bad password, closed" \
	ns_exec a "${MC[@]}" 127.0.0.1:7506 password-wrong
ok "password: the wrong one is logged" lab_logged pw "gave a wrong password: disconnected"
expect_exit 0 "--ctl --ctl-password: exit 0" ns_exec a "$L2VPN_BIN" --ctl 127.0.0.1:7506 \
	--ctl-password "$WORK/mgmt.pw" pid
expect_exit 1 "--ctl without the password: exit 1" ns_exec a "$L2VPN_BIN" --ctl 127.0.0.1:7506 pid
expect_match "asks for a password: give --ctl-password FILE" "--ctl without the password: says why"
printf 'wrong\n' >"$WORK/wrong.pw"
expect_exit 1 "--ctl with a wrong password: exit 1" ns_exec a "$L2VPN_BIN" --ctl 127.0.0.1:7506 \
	--ctl-password "$WORK/wrong.pw" pid
expect_match "ERROR: bad password" "--ctl with a wrong password: says so"
stop pw

# signal SIGTERM through the client's interface: EXITING, exit 0, socket gone.
cpid=$(cat "$WORK/cli.pid")
expect_exit 0 "client: signal SIGTERM" "$L2VPN_BIN" --ctl "$CLI" signal SIGTERM
ok "client: it exits" wait_for 10 eval "! kill -0 $cpid 2>/dev/null"
wait "$cpid" 2>/dev/null
rc=$?
ok "client: exit status 0" test "$rc" -eq 0
ok "client: >STATE: EXITING,SIGTERM" grep -Eq "^$st,EXITING,SIGTERM,,,,,$" "$WORK/cli.rec"
ok "client: the unix socket is removed" test ! -e "$CLI"

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
