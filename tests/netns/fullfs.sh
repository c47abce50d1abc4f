#!/bin/bash
# A full disk under the status file and the log does not touch forwarding. A 64 KiB tmpfs is
# mounted in the test's directory; the server writes its status file (every second) and its
# log (log-append) there, the client its status file (its log stays on stdout, where the
# error lines can be counted). Once the link is up a filler file takes every free byte. For
# FULL_SECONDS (20 by default) hb0 pings ha0 five times a second: no ping is lost, the client
# logs its failing status write once (not once a second), both daemons keep running. Then
# the filler goes: both status files are rewritten within one interval (1 s, 3 s allowed), the
# server's log says how many lines it lost, and the client logs that its status works again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd mount umount
lab_need_programs
FULL_SECONDS=${FULL_SECONDS:-20}

full=$WORK/full
mkdir -p "$full"
on_exit "umount -l '$full'"
ok "a 64 KiB tmpfs in the test directory" mount -t tmpfs -o size=64k,mode=0755 tmpfs "$full"
lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
ha0=$(lab_host_ip a 0)
ok "srv: status and log-append on the tmpfs" lab_conf server.conf srv \
	"status $full/srv.status 1" "log-append $full/srv.log"
ok "cli: status on the tmpfs" lab_conf client.conf cli "status $full/cli.status 1"
lab_start a srv
lab_start b cli
ok "link up" lab_wait_up cli 1 40
ok "hb0 pings ha0" lab_wait_ping hb0 "$ha0" 5
ok "both status files written" wait_for 5 test -s "$full/srv.status" -a -s "$full/cli.status"

# The server's log ends on a page boundary (a line of padding), so its next line needs a new
# page of the tmpfs; then every free page goes to the filler (dd stops at ENOSPC; the tail
# end takes what is left).
pad_log() {
	local size need
	size=$(stat -c %s "$1")
	need=$(((4096 - size % 4096) % 4096))
	[ "$need" -lt 2 ] && need=$((need + 4096))
	{ printf '#%*s' $((need - 2)) ''; printf '\n'; } >>"$1"
}
pad_log "$full/srv.log"
dd if=/dev/zero of="$full/filler" bs=4k >/dev/null 2>&1
cat /dev/zero >>"$full/filler" 2>/dev/null
ok "the tmpfs is full" eval "! echo x >'$full/probe' 2>/dev/null || ! dd if=/dev/zero of='$full/probe' bs=4k count=1 2>/dev/null"
rm -f "$full/probe"
full_at=$(date +%s)
srv_m0=$(stat -c %Y "$full/srv.status")
bg hb0 ping-full ping -n -c $((FULL_SECONDS * 5)) -i 0.2 -W 1 "$ha0"
ok "the ping over the full period ran to its end" \
	wait_for $((FULL_SECONDS + 15)) eval "! kill -0 \$(cat $WORK/ping-full.pid)"
sent=$((FULL_SECONDS * 5))
ok "no ping lost while the disk was full ($sent sent)" \
	grep -q " $sent received, 0% packet loss" "$WORK/ping-full.log"
ok "both daemons still run" eval 'lab_running srv && lab_running cli'
n=$(lab_count cli 'cannot write status file')
diag "client: $n status-write error lines in $FULL_SECONDS s of a full disk"
ok "the client logged its failing status write once in $FULL_SECONDS s, not each second ($n)" \
	test "$n" -eq 1
ok "that line names the file and the reason" \
	lab_logged cli "cannot write status file $full/cli.status.*No space left on device"
ok "the server's status file was not rewritten meanwhile (the disk was full)" \
	test "$(stat -c %Y "$full/srv.status")" -le "$((srv_m0 > full_at ? srv_m0 : full_at))"

rm -f "$full/filler"
freed=$(date +%s)
sleep 1.1 # the next write must be after this second for mtimes to tell
if lab_within 3 eval "[ \$(stat -c %Y '$full/srv.status') -gt $freed ] && [ \$(stat -c %Y '$full/cli.status') -gt $freed ]"; then
	pass "both status files current again within one interval of space returning (+1.1 s + $LAB_ELAPSED s)"
else
	fail "both status files current again within one interval of space returning"
fi
ok "the server's status file holds the connected client" grep -q '^vpnc\.example\.com,' "$full/srv.status"
ok "the client logged that its status file works again" \
	wait_for 3 lab_logged cli "status file $full/cli.status written again after [0-9]+ failed attempts"
ok "the server's log says how many lines it lost" \
	wait_for 3 grep -Eq '[0-9]+ log lines lost: No space left on device' "$full/srv.log"
ok "the server's log goes on after the gap" \
	wait_for 3 grep -Eq "status file $full/srv.status written again" "$full/srv.log"
ok "the link stayed up throughout" test "$(lab_count cli ': link up ')" -eq 1
ok "hb0 still pings ha0" lab_ping hb0 "$ha0" 3
cp "$full/srv.log" "$WORK/srv-file.log"

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
