#!/bin/bash
# The daemon's operational behaviour between two namespaces: privilege drop, pid file, status
# file (OpenVPN v1 layout, rewritten after the drop), SIGUSR2/SIGUSR1/SIGHUP/SIGTERM, peers that
# send garbage or nothing, a tap the daemon made (removed at exit) versus one from --mktun (kept),
# a client that gives up (connect-retry-max), an unknown tcp-congestion, suppress-timestamps,
# inactive.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd openssl nc

ca() { "$L2VPN_CA_BIN" --dir "$WORK/keys" --batch "$@" >/dev/null; }
ca clean-all && ca build-ca && ca build-key-server server && ca build-key client ||
	{ fail "make a PKI with l2vpn-ca"; done_testing; }
chmod 755 "$WORK"
mkdir -m 755 "$WORK/run"
chown nobody "$WORK/run" # the daemon runs as nobody: its pid file directory is its own
cp "$WORK/keys/crl.pem" "$WORK/run/crl.pem" 2>/dev/null || ca gen-crl
cp "$WORK/keys/crl.pem" "$WORK/run/crl.pem"
chmod 644 "$WORK/run/crl.pem"

ns_add srv
ns_add cli
veth_pair srv wan cli wan
addr_add srv wan 10.69.0.1/24
addr_add cli wan 10.69.0.2/24
for n in srv cli; do
	ip -n "$(ns $n)" link add lan0 type veth peer name lan0peer
	ip -n "$(ns $n)" link set lan0peer up
	ip -n "$(ns $n)" link set lan0 up
	bridge_add $n br0 lan0
done
addr_add srv br0 10.70.0.1/24
addr_add cli br0 10.70.0.2/24

K=$WORK/keys
cat >"$WORK/server.conf" <<CONF
port 1194
proto tcp
dev tap0
bridge br0
ca $K/ca.crt
cert $K/server.crt
key $K/server.key
dh none
server-bridge nogw
keepalive 1 10
hand-window 2
crl-verify $WORK/run/crl.pem
status $WORK/run/status.log 1
writepid $WORK/run/server.pid
user nobody
group nogroup
verb 4
CONF

# The client's tap is pre-created like ifupdown's pre-up does; the daemon must leave it.
ok "--mktun pre-creates the client's tap0" ns_exec cli "$L2VPN_BIN" --mktun --dev tap0 --bridge br0
cli_ifindex=$(ns_exec cli cat /sys/class/net/tap0/ifindex)

client_conf() {
	cat <<CONF
client
proto tcp
dev tap0
bridge br0
remote 10.69.0.1 1194
nobind
ca $K/ca.crt
cert $K/client.crt
key $K/client.key
remote-cert-tls server
connect-retry 1 1
verb 4
CONF
}
client_conf >"$WORK/client.conf"

bg srv server "$L2VPN_BIN" --config "$WORK/server.conf"
ok "server writes its pid file" wait_for 5 test -s "$WORK/run/server.pid"
spid=$(cat "$WORK/run/server.pid" 2>/dev/null)
ok "pid file holds the daemon's pid" test "$spid" = "$(cat "$WORK/server.pid")"
ok "server runs as nobody after setup" wait_for 5 \
	grep -Eq "^Uid:[[:space:]]+$(id -u nobody)[[:space:]]" "/proc/$spid/status"

bg cli client "$L2VPN_BIN" --config "$WORK/client.conf"
ok "link comes up" wait_for 10 grep -q "link up" "$WORK/client.log"
ok "ping across the tunnel" wait_for 10 ns_exec cli ping -c 1 -W 1 10.70.0.1

# Status file: OpenVPN version-1 layout, written by the unprivileged daemon.
has_status() {
	grep -q "^OpenVPN CLIENT LIST$" "$WORK/run/status.log" &&
		grep -q "^Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since$" \
			"$WORK/run/status.log" &&
		grep -Eq "^client,10\.69\.0\.2:[0-9]+,[0-9]+,[0-9]+,[0-9]{4}-[0-9]{2}-[0-9]{2} " \
			"$WORK/run/status.log" &&
		grep -Eq "^([0-9a-f]{2}:){5}[0-9a-f]{2}@0,client,10\.69\.0\.2:[0-9]+," \
			"$WORK/run/status.log" &&
		grep -q "^END$" "$WORK/run/status.log"
}
ok "status file lists the client and a MAC learned behind it" wait_for 5 has_status
first=$(grep ^Updated "$WORK/run/status.log")
ok "status file is rewritten every second" wait_for 4 \
	bash -c "[ \"\$(grep ^Updated '$WORK/run/status.log')\" != '$first' ]"

kill -USR2 "$spid"
ok "SIGUSR2 writes the status to the log" wait_for 3 grep -q "OpenVPN CLIENT LIST" "$WORK/server.log"

# Garbage inside TLS from an authenticated peer: that connection closes, nothing else.
( printf 'garbage that is no HELLO at all'; sleep 2 ) |
	ns_exec cli timeout 5 openssl s_client -quiet -connect 10.69.0.1:1194 -cert "$K/client.crt" \
		-key "$K/client.key" -CAfile "$K/ca.crt" >/dev/null 2>&1
ok "garbage after TLS is a protocol error for that connection" \
	grep -q "protocol error" "$WORK/server.log"
# Garbage instead of TLS.
head -c 4096 /dev/urandom | ns_exec cli timeout 3 nc -q 1 10.69.0.1 1194 >/dev/null 2>&1
ok "non-TLS bytes fail the handshake of that connection" \
	grep -q "TLS handshake failed" "$WORK/server.log"
# Silence: the hand-window (2 s) closes the connection.
ns_exec cli timeout 8 nc 10.69.0.1 1194 </dev/null >/dev/null 2>&1 &
ok "a silent connection is closed after hand-window" wait_for 8 grep -q "hand-window" "$WORK/server.log"
ok "the daemon survived all of it" kill -0 "$spid"
ok "and the real client still gets across" ns_exec cli ping -c 1 -W 2 10.70.0.1
ok "the garbage peer (same CN) never replaced the real client's link" \
	_not grep -q "replaced by a new connection" "$WORK/server.log"

# SIGUSR1 on the client: the connection restarts, the tap (and its bridge port) stays.
kill -USR1 "$(cat "$WORK/client.pid")"
ok "SIGUSR1: the client reconnects" wait_for 10 bash -c "[ \$(grep -c 'link up' '$WORK/client.log') -ge 2 ]"
ok "SIGUSR1: tap0 kept its ifindex" test "$(ns_exec cli cat /sys/class/net/tap0/ifindex)" = "$cli_ifindex"
ok "SIGUSR1: tap0 is still a port of br0" test "$(ns_exec cli readlink /sys/class/net/tap0/master | sed 's|.*/||')" = br0
ok "ping after SIGUSR1" wait_for 10 ns_exec cli ping -c 1 -W 1 10.70.0.1

# SIGHUP with a configuration that no longer loads (the keys are root's, the daemon is nobody):
# the daemon keeps running with what it had.
kill -HUP "$spid"
ok "SIGHUP with unreadable keys: reload refused, running config kept" \
	wait_for 5 grep -q "reload failed, keeping the running configuration" "$WORK/server.log"
ok "SIGHUP with unreadable keys: the daemon is still there" kill -0 "$spid"
ok "SIGHUP with unreadable keys: the client is back" wait_for 10 bash -c "[ \$(grep -c 'link up' '$WORK/client.log') -ge 3 ]"

# SIGHUP once the daemon's user may read its keys: the new configuration (verb 5) is taken.
chmod 711 "$K"
chown nobody "$K/server.key" "$K/server.crt"
sed -i 's/^verb 4$/verb 5/' "$WORK/server.conf"
kill -HUP "$spid"
ok "SIGHUP: the server reloads its configuration" wait_for 5 grep -q "configuration reloaded" "$WORK/server.log"
ok "SIGHUP: the client is back" wait_for 10 bash -c "[ \$(grep -c 'link up' '$WORK/client.log') -ge 4 ]"
ok "ping after SIGHUP" wait_for 10 ns_exec cli ping -c 1 -W 1 10.70.0.1

# CRL re-read when the file changes, by the unprivileged daemon: revoke the client.
ca revoke-full client || true
cp "$K/crl.pem" "$WORK/run/crl.pem.new" && mv "$WORK/run/crl.pem.new" "$WORK/run/crl.pem"
chmod 644 "$WORK/run/crl.pem"
kill -USR1 "$(cat "$WORK/client.pid")"
ok "revoked client is refused after the CRL changed (no restart)" \
	wait_for 10 grep -q "certificate revoked" "$WORK/server.log"

# SIGTERM: exit 0 within 5 s, pid file removed, the tap the server created is gone.
kill -TERM "$spid"
ok "SIGTERM: server exits within 5 s" wait_for 5 bash -c "! kill -0 $spid 2>/dev/null"
wait "$(cat "$WORK/server.pid")" 2>/dev/null
rc=$?
ok "SIGTERM: exit status 0" test "$rc" -eq 0
ok "SIGTERM: pid file removed" test ! -e "$WORK/run/server.pid"
ok "SIGTERM: the tap the server created is gone" _not ns_exec srv ip link show tap0
stop client TERM
ok "the --mktun tap outlives the client" ns_exec cli ip link show tap0
ok "--rmtun removes it" ns_exec cli "$L2VPN_BIN" --rmtun --dev tap0

# The tap deleted under a running daemon: it says so and exits 1 instead of spinning.
bg srv gone "$L2VPN_BIN" --config "$WORK/server.conf" --writepid "$WORK/run/gone.pid" --verb 3
ok "a new server is up" wait_for 5 grep -q "initialisation sequence completed" "$WORK/gone.log"
ns_exec srv ip link del tap0
gpid=$(cat "$WORK/gone.pid")
ok "tap deleted: the daemon exits" wait_for 5 bash -c "! kill -0 $gpid 2>/dev/null"
wait "$gpid" 2>/dev/null
rc=$?
ok "tap deleted: exit status 1" test "$rc" -eq 1
ok "tap deleted: the log says the tap is gone" grep -q "tap0 is gone" "$WORK/gone.log"

# A client that may not retry for ever gives up with status 1 (nothing listens on port 1999).
client_conf | sed 's/^remote .*/remote 10.69.0.1 1999/' >"$WORK/giveup.conf"
echo "connect-retry-max 2" >>"$WORK/giveup.conf"
t0=$(date +%s%N)
bg cli giveup "$L2VPN_BIN" --config "$WORK/giveup.conf"
upid=$(cat "$WORK/giveup.pid")
ok "connect-retry-max: the client starts" wait_for 5 grep -q "initialisation sequence" "$WORK/giveup.log"
ok "connect-retry-max 2: the client gives up" wait_for 10 bash -c "! kill -0 $upid 2>/dev/null"
wait "$upid" 2>/dev/null
rc=$?
waited_ms=$((($(date +%s%N) - t0) / 1000000))
ok "connect-retry-max: exit status 1" test "$rc" -eq 1
ok "connect-retry-max: the log says why" grep -q "connect-retry-max" "$WORK/giveup.log"
ok "connect-retry-max: it waited the full 1 s between its two attempts (${waited_ms} ms)" \
	test "$waited_ms" -ge 1000

# tcp-congestion names an algorithm the kernel does not have: the daemon stops at start with
# the kernel's word for it.
client_conf >"$WORK/cc.conf"
echo "tcp-congestion nosuchalgo" >>"$WORK/cc.conf"
ns_exec cli "$L2VPN_BIN" --config "$WORK/cc.conf" >"$WORK/cc.log" 2>&1
rc=$?
ok "tcp-congestion nosuchalgo: exit status 1 at start" test "$rc" -eq 1
ok "tcp-congestion nosuchalgo: the log names it and the kernel's reason" \
	grep -q "tcp-congestion nosuchalgo.*No such file or directory" "$WORK/cc.log"
ok "log lines start with the date and time" grep -qE '^20[0-9]{2}-[0-9]{2}-[0-9]{2} ' "$WORK/cc.log"
ns_exec cli "$L2VPN_BIN" --suppress-timestamps --config "$WORK/cc.conf" >"$WORK/cc2.log" 2>&1
ok "suppress-timestamps: the same lines without them" \
	eval "grep -q '^l2vpn .*starting' '$WORK/cc2.log' && ! grep -qE '^20[0-9]{2}-' '$WORK/cc2.log'"

# daemon: in the background it still obeys SIGTERM (its signalfd is watched anew after the
# fork; before, the child never saw a signal).
client_conf | sed 's/^remote .*/remote 10.69.0.1 1999/' >"$WORK/bg.conf"
printf 'daemon\nwritepid %s\nlog %s\n' "$WORK/bg.pid" "$WORK/bg.log" >>"$WORK/bg.conf"
expect_exit 0 "daemon: the starting process exits 0" ns_exec cli "$L2VPN_BIN" --config "$WORK/bg.conf"
ok "daemon: the pid file names a running process" \
	wait_for 5 bash -c "[ -s '$WORK/bg.pid' ] && kill -0 \$(cat '$WORK/bg.pid')"
bgpid=$(cat "$WORK/bg.pid")
kill -TERM "$bgpid"
ok "daemon: SIGTERM stops it within 5 s" wait_for 5 bash -c "! kill -0 $bgpid 2>/dev/null"
ok "daemon: it logged the signal and exited 0" eval \
	"grep -q 'Terminated received, exiting' '$WORK/bg.log' && grep -q 'exiting with status 0' '$WORK/bg.log'"
kill -KILL "$bgpid" 2>/dev/null

# inactive N [BYTES] (no server listens: only the tap can keep the client alive). With
# `inactive 3`, ARP requests for an absent host on br0 reach the tap every second and keep it
# running; once ping stops (the kernel still retries ARP for up to 3 s) it says it is exiting
# within 3 + 3 s, plus its 1-s tick and 2 s for a loaded machine. With `inactive 2 1000000` the same trickle
# is too little: it exits after 2 s.
client_conf | sed 's/^remote .*/remote 10.69.0.1 1999/' >"$WORK/idle.conf"
echo "inactive 3" >>"$WORK/idle.conf"
bg cli arp ping -n -i 0.2 10.70.0.99
bg cli idle "$L2VPN_BIN" --config "$WORK/idle.conf"
ipid=$(cat "$WORK/idle.pid")
sleep 7
ok "inactive 3: traffic through the tap keeps the daemon running (7 s)" kill -0 "$ipid"
stop arp
t0=$(date +%s%N)
said() { grep -q "nothing through tap0 for 3 s (inactive): exiting" "$WORK/idle.log"; }
ok "inactive 3: once the traffic stops it says it is exiting, and why" wait_for 10 said
waited_ms=$((($(date +%s%N) - t0) / 1000000))
ok "inactive 3: it said so $waited_ms ms after ping stopped (at most 9 s)" \
	test "$waited_ms" -le 9000
# (The exit itself may take longer under ASan: LeakSanitizer scans the heap at exit.)
ok "inactive 3: it exits" wait_for 15 bash -c "! kill -0 $ipid 2>/dev/null"
wait "$ipid" 2>/dev/null
rc=$?
ok "inactive 3: exit status 0" test "$rc" -eq 0
client_conf | sed 's/^remote .*/remote 10.69.0.1 1999/' >"$WORK/idle2.conf"
echo "inactive 2 1000000" >>"$WORK/idle2.conf"
bg cli arp2 ping -n -i 0.2 10.70.0.99
t0=$(date +%s%N)
bg cli idle2 "$L2VPN_BIN" --config "$WORK/idle2.conf"
ipid=$(cat "$WORK/idle2.pid")
ok "inactive 2 1000000: a trickle is not enough, it exits" \
	wait_for 8 bash -c "! kill -0 $ipid 2>/dev/null"
stop arp2
ok "inactive 2 1000000: the log says how little went through" \
	grep -qE "[0-9]+ bytes through tap0 in 2 s, under 1000000 \(inactive\): exiting" \
	"$WORK/idle2.log"

done_testing
