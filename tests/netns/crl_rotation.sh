#!/bin/bash
# A CRL replaced at runtime, 200 times, while handshakes run. The server has crl-verify on a
# file of its own and site b's client (vpnc) stays connected throughout. crl_rotate.py
# replaces the file CRL_REPLACEMENTS times (200 by default) in a rotation of a valid CRL,
# garbage, a CRL revoking vpnc2, a truncated copy, an expired CRL and no file at all, and after
# each replacement makes one TLS handshake as vpnc and one as vpnc2: every outcome matches the
# last CRL that loaded (garbage and truncated files keep it; expired and missing refuse every
# new connection), so a revocation holds from the next handshake on. The server does not
# crash, logs the broken file by name (rate-limited), its RSS stays flat (plain build), and
# vpnc's link never drops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd openssl /usr/bin/python3
lab_need_programs
N=${CRL_REPLACEMENTS:-200}

crls=$WORK/crls
make_crls() {
	lab_three_sites && mkdir -p "$crls" "$WORK/live" &&
		lab_ca gen-crl && cp "$LAB_PKI/crl.pem" "$crls/good.pem" &&
		lab_ca revoke-full vpnc2.example.com && cp "$LAB_PKI/crl.pem" "$crls/revoked.pem" &&
		CRL_DAYS=1 lab_ca --backdate 10 gen-crl && cp "$LAB_PKI/crl.pem" "$crls/expired.pem" &&
		head -c $(($(stat -c %s "$crls/revoked.pem") / 2)) "$crls/revoked.pem" >"$crls/truncated.pem" &&
		head -c 1500 /dev/urandom >"$crls/garbage.pem" &&
		cp "$crls/good.pem" "$WORK/live/crl.pem"
}
lab_step "PKI (clients vpnc, vpnc2), three sites; CRLs: good, revoking vpnc2, expired, truncated, garbage" make_crls
ok "the expired CRL's nextUpdate is in the past" eval \
	"! openssl crl -in '$crls/expired.pem' -noout -nextupdate | cut -d= -f2 | xargs -I{} date -d {} +%s | awk -v now=\$(date +%s) '{ exit !(\$1 > now) }'"
LAB_REMOTE=$(lab_wan_ip a)
ha0=$(lab_host_ip a 0)
ok "srv: server.conf with crl-verify on its own copy" lab_conf server.conf srv "crl-verify $WORK/live/crl.pem"
ok "cli-b: client.conf (vpnc)" lab_conf client.conf cli-b
lab_start a srv
lab_start b cli-b
ok "link up" lab_wait_up cli-b 1 40
ok "hb0 pings ha0" lab_wait_ping hb0 "$ha0" 5

spid=$(cat "$WORK/srv.pid")
asan=false
lab_asan && asan=true
# fds: open descriptors, the least of 10 looks 0.1 s apart (a status file being written holds
# one more for an instant).
fds() {
	local n min=
	for _ in $(seq 10); do
		n=$(lab_fds "$spid")
		[ -z "$min" ] || [ "$n" -lt "$min" ] && min=$n
		sleep 0.1
	done
	echo "$min"
}
fd0=$(fds)
t0=$(date +%s)
ns_exec b /usr/bin/python3 "$(dirname "$0")/crl_rotate.py" "$LAB_REMOTE" 1194 "$LAB_PKI/ca.crt" \
	"$WORK/live/crl.pem" "$crls" "$LAB_PKI/vpnc.example.com.crt" "$LAB_PKI/vpnc.example.com.key" \
	"$LAB_PKI/vpnc2.example.com.crt" "$LAB_PKI/vpnc2.example.com.key" "$spid" "$N" 40 \
	>"$WORK/rotate.log" 2>&1
rc=$?
secs=$(($(date +%s) - t0 + 1))
diag "$(grep -v '^mismatch' "$WORK/rotate.log" | tr '\n' ' ')"
ok "every handshake after each of the $N replacements matched the CRL in force" \
	eval "[ $rc -eq 0 ] && grep -q 'mismatches 0' '$WORK/rotate.log'"
ok "the server is still running" lab_running srv
ok "garbage is logged as an error naming the file, the last good CRL kept" \
	lab_logged srv "crl-verify $WORK/live/crl.pem: the file holds no valid CRL \(garbage or cut short\): keeping the CRL loaded before"
ok "an expired CRL is logged as refusing new connections" \
	lab_logged srv "crl-verify $WORK/live/crl.pem: the CRL expired \(nextUpdate passed\): every new connection is refused"
ok "refusals name the reason: revoked, CRL expired, no CRL" eval \
	"lab_logged srv 'certificate revoked' && lab_logged srv 'CRL has expired' && lab_logged srv 'unable to get certificate CRL'"
# 3 at once, then one per 10 s: the whole run may log this many.
nerr=$(lab_count srv 'crl-verify .*(holds no valid CRL|cannot read the CRL|CRL expired)')
max=$((3 + secs / 10 + 1))
diag "CRL error lines: $nerr in $secs s ($N replacements)"
ok "CRL errors are rate-limited ($nerr lines in $secs s, at most $max)" test "$nerr" -le "$max"
# 10 s after the rotation the bucket has a token again: a deleted CRL is logged. Lines held
# back are counted on the next line that passes (during the rotation if it took over 10 s, or
# this one).
sleep 11
rm -f "$WORK/live/crl.pem"
ok "a deleted CRL is logged as refusing new connections" \
	wait_for 5 lab_logged srv "crl-verify $WORK/live/crl.pem: cannot read the CRL: No such file or directory: every new connection is refused until it is back"
ok "the lines held back are counted" lab_logged srv '\([0-9]+ more CRL messages not logged\)'
cp "$crls/good.pem" "$WORK/live/crl.pem"
ok "the good CRL at the end is back in force: vpnc2 connects" eval \
	"ns_exec b /usr/bin/python3 -c 'import ssl,socket
c=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.check_hostname=False
c.load_verify_locations(\"$LAB_PKI/ca.crt\"); c.load_cert_chain(\"$LAB_PKI/vpnc2.example.com.crt\",\"$LAB_PKI/vpnc2.example.com.key\")
c.maximum_version=ssl.TLSVersion.TLSv1_2
c.wrap_socket(socket.create_connection((\"$LAB_REMOTE\",1194),timeout=10)).do_handshake()'"
ok "vpnc's link never dropped" test "$(lab_count cli-b ': link up ')" -eq 1
ok "hb0 still pings ha0" lab_ping hb0 "$ha0" 3
sleep 1
fd1=$(fds)
ok "server descriptors back to where they were ($fd0 -> $fd1)" test "$fd1" -eq "$fd0"
read -r _ rss_w _ rss_e < <(grep '^rss_warm_kb' "$WORK/rotate.log")
if $asan; then
	skip_one "RSS flat over the rotation" "ASan build: its quarantine keeps freed memory resident"
else
	ok "RSS flat: grew less than 1 MiB after the first 40 replacements ($rss_w -> $rss_e KiB)" \
		test $((rss_e - rss_w)) -lt 1024
fi

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
