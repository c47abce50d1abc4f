#!/bin/bash
# Per-site policy from client-config-dir. Three sites, the server at a (client-to-client), its
# client-config-dir holding a file for each client's CN:
#   - vpnc2.example.com (site c) says `disable`: c's connection is refused with a log line
#     naming the file, and c says the server refused it; b is not affected;
#   - vpnc.example.com (site b) sets max-routes-per-client 3 and carries OpenVPN's `iroute`,
#     which is warned about as not applicable: b's host sends frames from 10 new MACs and the
#     server learns 3 of them (the main config's default is 256) and says the rest were not;
#   - after `disable` is removed from c's file and the server gets SIGHUP, c connects.
# Then a server with ccd-exclusive and a file for b only: c is refused (no file), b is up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs
lab_tool GEN frame-gen

lab_step "PKI (clients vpnc, vpnc2) and three sites with br0 and a LAN host" lab_three_sites
LAB_REMOTE=$(lab_wan_ip a)
ha0=$(lab_host_ip a 0)
CCD=$WORK/ccd
mkdir -p "$CCD"
printf '# site b\nmax-routes-per-client 3\niroute 10.2.0.0 255.255.0.0\n' >"$CCD/vpnc.example.com"
printf 'disable\n' >"$CCD/vpnc2.example.com"
ok "srv: server.conf with client-to-client and client-config-dir" lab_conf server.conf srv \
	client-to-client "status-version 2" "client-config-dir $CCD"
ok "srv-x: the same with ccd-exclusive" lab_conf server.conf srv-x client-to-client \
	"status-version 2" "client-config-dir $CCD" ccd-exclusive
ok "cli-b, cli-c: client.conf (vpnc, vpnc2)" eval 'lab_conf client.conf cli-b >/dev/null &&
	lab_conf client.conf cli-c "cert vpnc2.example.com.crt" "key vpnc2.example.com.key" >/dev/null'

lab_start a srv
lab_start b cli-b
lab_start c cli-c
ok "b's link is up" lab_wait_up cli-b
ok "the server refuses c: disabled in its file" wait_for 10 lab_logged srv \
	"vpnc2\\.example\\.com/[^ ]+: refused: disabled in $CCD/vpnc2\\.example\\.com"
ok "c is told why" wait_for 5 lab_logged cli-c "refused by the server's client-config-dir"
fails "the server never brought c's link up" lab_logged srv "vpnc2\\.example\\.com/[^ ]+: link up "
fails "hc0 does not reach ha0" lab_ping hc0 "$ha0" 2
ok "the iroute line is warned about, with file and line" lab_logged srv \
	"$CCD/vpnc\\.example\\.com:3: iroute: ignored: not applicable to a bridged site"
ok "hb0 reaches ha0" lab_wait_ping hb0 "$ha0" 5
ns_exec hb0 "$GEN" --dev eth0 --count 10 --random-src --dst "$(ns_exec ha0 cat /sys/class/net/eth0/address)" \
	--seconds 5 >>"$WORK/gen.log" 2>&1
# The status file is rewritten every second: wait for the learned MACs to show, then one more
# rewrite, so a fourth one would show too.
b_routes() { lab_status_routes "$WORK/srv.status" vpnc.example.com; }
wait_for 10 eval '[ "$(b_routes)" -ge 3 ]'
sleep 2.2
routes=$(b_routes)
ok "b's MACs: 3 learned, its file's cap ($routes in the status)" test "$routes" -eq 3
ok "the server says the others were not learned" lab_logged srv \
	'on vpnc\.example\.com/[^ ]+ not learned: .*max-routes-per-client, is full'

printf '# site c, enabled again\n' >"$CCD/vpnc2.example.com"
kill -HUP "$(cat "$WORK/srv.pid")"
ok "the server reloaded" wait_for 5 lab_logged srv 'configuration reloaded'
kill -USR1 "$(cat "$WORK/cli-c.pid")"
ok "after SIGHUP the server brings c's link up" wait_for 20 lab_logged srv \
	"vpnc2\\.example\\.com/[^ ]+: link up "
ok "hc0 reaches ha0" lab_wait_ping hc0 "$ha0" 10
stop cli-c
stop cli-b
stop srv

rm "$CCD/vpnc2.example.com"
lab_start a srv-x
lab_start b cli-b-x cli-b
lab_start c cli-c-x cli-c
ok "ccd-exclusive: b (it has a file) is up" lab_wait_up cli-b-x
ok "ccd-exclusive: c (no file) is refused" wait_for 10 lab_logged srv-x \
	"vpnc2\\.example\\.com/[^ ]+: refused: ccd-exclusive and no file $CCD/vpnc2\\.example\\.com"
fails "ccd-exclusive: the server never brought c's link up" lab_logged srv-x \
	"vpnc2\\.example\\.com/[^ ]+: link up "

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
