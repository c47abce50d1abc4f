#!/bin/bash
# A real live migration across l2vpn: a QEMU guest (TCG, virtio-net on a tap in br0; the image
# of bench/vm/build-image.sh) runs at site a, the server's site, and is live-migrated to an
# incoming QEMU at site b, the client's site, while site a's LAN host pings it at 50 Hz. The
# migration stream itself crosses the tunnel (the destination listens on site b's br0 address).
# After QEMU reports "completed":
#  (a) the guest answers a ping from site a's host within 1 s (the first reply, in the 50 Hz
#      ping's -D timestamps, to a request sent after the source paused the guest);
#  (b) the server's status file lists the guest's MAC behind the client's site, and its log
#      says the MAC moved from its tap to the client;
#  (c) site a's bridge has the MAC behind tap0 (the tunnel), site b's behind the VM's tap
#      (the source QEMU is still there, paused, so site a's entry moved by the guest's own
#      announcement, not because its port went away);
#  (d) at most MAX_LOST pings were lost (the figures go out as a diag line).
# The MAX_LOST bound: QEMU's downtime-limit is 300 ms and (a) allows 1 s from "completed" to
# the first answer, so a migration that meets both loses at most ~65 pings at 50 Hz. Measured
# in 16 runs here (2 CPUs shared with other work, up to three runs at once, one beside an ASan
# build): 4–16 pings lost, longest gap 0.14–0.45 s (QEMU's downtime 74–365 ms), first answer
# 42–119 ms after "completed". MAX_LOST=50 (one second of pings) leaves three times the worst
# for a busier machine and still fails a switchover that waits for a bridge or the server to
# age the MAC out, or for a reconnect (seconds: hundreds of pings).
#
# It takes 10-20 s here (the guest boots in 3-15 s under TCG), so it is in the default suite;
# tests/deps.sh installs QEMU and busybox-static. The guest image is built once and cached in
# L2VPN_VM_DIR (/var/tmp/l2vpn-soak-vm; building it fetches the kernel package with apt-get).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd qemu-system-x86_64 busybox /usr/bin/python3
lab_need_programs
. "$L2VPN_SOURCE_ROOT/bench/vm/qemu.sh"
QMP=$L2VPN_SOURCE_ROOT/bench/qmp.py
REPORT=$L2VPN_SOURCE_ROOT/bench/migrate_report.py
VM_DIR=${L2VPN_VM_DIR:-/var/tmp/l2vpn-soak-vm}
GUEST=192.168.10.99
GUEST_MAC=52:54:00:10:00:99
MAX_LOST=50

lab_step "guest image (bench/vm/build-image.sh, cached in $VM_DIR)" \
	bash "$L2VPN_SOURCE_ROOT/bench/vm/build-image.sh" "$VM_DIR"
lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0 and a LAN host" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
ok "srv from server.conf" lab_conf server.conf srv
ok "cli from client.conf" lab_conf client.conf cli
lab_start a srv
lab_start b cli
ok "link up" lab_wait_up cli 1 30
SITE_B=$(lab_br_ip b 0)

# The guest at site a, an incoming QEMU at site b: the same command line but for -incoming.
lab_step "site a: tap vm0 in br0" vm_tap "$(ns a)" vm0 br0 fe:54:00:10:0a:99
lab_step "site b: tap vm0 in br0" vm_tap "$(ns b)" vm0 br0 fe:54:00:10:0b:99
vm_qemu_cmd "$VM_DIR" "$GUEST/24" "$GUEST_MAC" vm0 "$WORK/src-console.log" "$WORK/src.qmp"
bg a src "${VM_CMD[@]}"
vm_qemu_cmd "$VM_DIR" "$GUEST/24" "$GUEST_MAC" vm0 "$WORK/dst-console.log" "$WORK/dst.qmp" \
	"tcp:$SITE_B:4444"
bg b dst "${VM_CMD[@]}"
boot_start=$SECONDS
ok "the guest boots at site a" vm_wait_ready "$WORK/src-console.log" "$(cat "$WORK/src.pid")" 120
diag "guest ready after $((SECONDS - boot_start)) s"
ok "site a's host reaches the guest" lab_wait_ping ha0 "$GUEST" 30
ok "site a's bridge has the guest behind vm0" \
	sh -c "bridge -n '$(ns a)' fdb show br br0 | grep -q '^$GUEST_MAC dev vm0 '"

bg ha0 ping ping -D -n -i 0.02 -W 1 "$GUEST"
sleep 1
ok "QEMU migrates the guest to site b through the tunnel" \
	/usr/bin/python3 "$QMP" migrate "$WORK/src.qmp" "tcp:$SITE_B:4444" "$WORK/migrate.json" \
	--dest "$WORK/dst.qmp" --max-bandwidth 10000000000 --timeout 120
sleep 2
stop ping INT
/usr/bin/python3 "$REPORT" round "$WORK/ping.log" "$WORK/migrate.json" >"$WORK/figures.json" 2>&1
fig() { /usr/bin/python3 -c 'import json, sys; v = json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else (round(v) if isinstance(v, float) else v))' "$WORK/figures.json" "$1"; }
diag "migration: total $(fig total_time_ms) ms, downtime $(fig downtime_ms) ms," \
	"$(fig ram_transferred_mb) MB; pings lost $(fig lost_pings)/$(fig pings_expected)," \
	"longest gap $(fig longest_gap_ms) ms; first answer $(fig answered_after_completed_ms) ms" \
	"after completed ($(fig answered_after_resume_ms) ms after the guest resumed at site b)"

answered=$(fig answered_after_completed_ms)
ok "(a) the guest answered site a's host within 1 s of completed (${answered:-no answer} ms)" \
	test -n "$answered" -a "${answered:-1000000}" -le 1000
ok "(a) a fresh ping from site a's host is answered" lab_ping ha0 "$GUEST"
ok "(b) the server's status lists the guest's MAC behind the client's site" \
	wait_for 3 grep -q "^$GUEST_MAC@0,vpnc.example.com," "$WORK/srv.status"
ok "(b) the server logged the move from its tap to the client" \
	lab_logged srv "MAC $GUEST_MAC moved from tap0 to vpnc.example.com"
ok "(c) site a's bridge has the guest behind tap0" \
	sh -c "bridge -n '$(ns a)' fdb show br br0 | grep -q '^$GUEST_MAC dev tap0 '"
ok "(c) site b's bridge has the guest behind vm0" \
	sh -c "bridge -n '$(ns b)' fdb show br br0 | grep -q '^$GUEST_MAC dev vm0 '"
lost=$(fig lost_pings)
ok "(d) at most $MAX_LOST pings lost at 50 Hz (${lost:-?})" test -n "$lost" -a "${lost:-1000000}" -le "$MAX_LOST"

stop src
stop dst
lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
