#!/bin/bash
# Data integrity through the tunnel: 64 MB files cross from a LAN host at one site to a LAN
# host at the other (socat over TCP) and arrive with the same sha256, with `comp-lzo` off and
# with `comp-lzo yes`, and with the client's `tap-offload no` (plain frames: the server's tap
# must turn its offloads off and frames cross one by one). With LZO the compressible file must
# really be compressed: the link-up lines say "compression LZO", the client's status file
# counts fewer bytes after compression than before, and the WAN carries far fewer bytes than
# the file holds. Without `tap-offload no` both ends run with offloads on. When only one end
# asks for LZO, both log the mismatch and the link runs uncompressed, never broken.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd socat sha256sum
lab_need_programs

MB=$((1024 * 1024))
lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1

# A 64 MB random file, and a 64 MB compressible one: 3/4 repeated text, 1/4 random, mixed.
head -c $((64 * MB)) /dev/urandom >"$WORK/random.bin"
for i in $(seq 64); do
	yes "l2vpn integrity block $i: the quick brown fox jumps over the lazy dog" |
		head -c $((768 * 1024))
	head -c $((256 * 1024)) /dev/urandom
done >"$WORK/mixed.bin"
ok "test files are 64 MB each" test "$(stat -c %s "$WORK/random.bin")" -eq $((64 * MB)) \
	-a "$(stat -c %s "$WORK/mixed.bin")" -eq $((64 * MB))

wan_tx() { ns_exec "$1" cat /sys/class/net/wan0/statistics/tx_bytes; }
listening() { ns_exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN; }
gone() { ! kill -0 "$(cat "$WORK/$1.pid")" 2>/dev/null; }

# send FILE FROM_HOST TO_SITE TAG: socat FILE from FROM_HOST to h<TO_SITE>0; the copy lands in
# $WORK/TAG.recv. Sets WAN_BYTES to what the sender's site put on its WAN meanwhile.
WAN_BYTES=0
send() {
	local file=$1 from=$2 to=$3 tag=$4 before
	bg "h${to}0" "rx-$tag" socat -u TCP-LISTEN:5001,reuseaddr "CREATE:$WORK/$tag.recv"
	wait_for 5 listening "h${to}0" 5001 || return 1
	before=$(wan_tx "${from:1:1}")
	timeout 120 ip netns exec "$(ns "$from")" socat -u "OPEN:$file" \
		"TCP:$(lab_host_ip "$to" 0):5001" || return 1
	wait_for 20 gone "rx-$tag" || return 1
	WAN_BYTES=$(($(wan_tx "${from:1:1}") - before))
}
same_sha() { [ "$(sha256sum <"$1" | cut -d' ' -f1)" = "$(sha256sum <"$2" | cut -d' ' -f1)" ]; }

LAB_REMOTE=$(lab_wan_ip a)
# status_value NAME FIELD: a field of the client's (version 1, p2p) status file.
status_value() { sed -n "s/^$2,//p" "$WORK/$1.status"; }

for mode in off lzo plain mismatch; do
	case $mode in
	off) srv=(-comp-lzo) cli=(-comp-lzo) ;;
	lzo) srv=("comp-lzo yes") cli=("comp-lzo yes") ;;
	plain) srv=(-comp-lzo) cli=(-comp-lzo "tap-offload no") ;;
	mismatch) srv=("comp-lzo yes") cli=(-comp-lzo) ;;
	esac
	ok "$mode: srv0 from server.conf (${srv[*]})" lab_conf server.conf "srv-$mode" "${srv[@]}"
	ok "$mode: cli0 from client.conf (${cli[*]})" lab_conf client.conf "cli-$mode" "${cli[@]}"
	lab_start a "srv-$mode"
	lab_start b "cli-$mode"
	ok "$mode: server link up" lab_wait_up "srv-$mode"
	ok "$mode: client link up" lab_wait_up "cli-$mode"
	want=$([ $mode = lzo ] && echo LZO || echo off)
	ok "$mode: server logs compression $want" lab_logged "srv-$mode" ": link up .*compression $want"
	ok "$mode: client logs compression $want" lab_logged "cli-$mode" ": link up .*compression $want"
	offl=$([ $mode = plain ] && echo off || echo on)
	ok "$mode: server logs offloads $offl" lab_logged "srv-$mode" ": link up .*offloads $offl"
	ok "$mode: client logs offloads $offl" lab_logged "cli-$mode" ": link up .*offloads $offl"
	ok "$mode: LAN hosts reach each other" lab_wait_ping ha0 "$(lab_host_ip b 0)" 5
	if [ $mode = mismatch ]; then
		# Only the server asks for LZO: both ends say so and the link runs uncompressed.
		ok "mismatch: server logs the compression mismatch" \
			lab_logged "srv-$mode" "compression mismatch \(here LZO, peer off\)"
		ok "mismatch: client logs the compression mismatch" \
			lab_logged "cli-$mode" "compression mismatch \(here off, peer LZO\)"
		lab_step "mismatch: 64 MB compressible file sent b -> a" send "$WORK/mixed.bin" hb0 a mm
		ok "mismatch: it arrived with the same sha256" same_sha "$WORK/mixed.bin" "$WORK/mm.recv"
		ok "mismatch: uncompressed, the WAN carried at least the 64 MB" \
			test "$WAN_BYTES" -ge $((64 * MB))
		stop "cli-$mode"
		stop "srv-$mode"
		continue
	fi

	start=$SECONDS
	lab_step "$mode: 64 MB random file sent a -> b" send "$WORK/random.bin" ha0 b "random-$mode"
	diag "$mode: random file took $((SECONDS - start)) s, WAN bytes $WAN_BYTES"
	ok "$mode: random file arrived with the same sha256" same_sha "$WORK/random.bin" "$WORK/random-$mode.recv"
	ok "$mode: the WAN carried at least the 64 MB (random data does not shrink)" \
		test "$WAN_BYTES" -ge $((64 * MB))
	rm -f "$WORK/random-$mode.recv"

	start=$SECONDS
	lab_step "$mode: 64 MB compressible file sent b -> a" send "$WORK/mixed.bin" hb0 a "mixed-$mode"
	diag "$mode: compressible file took $((SECONDS - start)) s, WAN bytes $WAN_BYTES"
	ok "$mode: compressible file arrived with the same sha256" same_sha "$WORK/mixed.bin" "$WORK/mixed-$mode.recv"
	rm -f "$WORK/mixed-$mode.recv"
	if [ $mode != lzo ]; then
		ok "$mode: uncompressed, the WAN carried at least the 64 MB" test "$WAN_BYTES" -ge $((64 * MB))
	else
		ok "lzo: compressed, the WAN carried less than 60% of the 64 MB" \
			test "$WAN_BYTES" -lt $((64 * MB * 6 / 10))
		# The status file is rewritten every second: wait for one written after the transfer.
		wait_for 3 sh -c "[ \"\$(sed -n 's/^pre-compress bytes,//p' '$WORK/cli-lzo.status')\" -gt $((64 * MB)) ]"
		pre=$(status_value cli-lzo 'pre-compress bytes')
		post=$(status_value cli-lzo 'post-compress bytes')
		diag "lzo: client status: pre-compress $pre, post-compress $post bytes"
		ok "lzo: client status counts >= 64 MB before compression" test "${pre:-0}" -ge $((64 * MB))
		ok "lzo: client status counts < 60% of that after compression" \
			test "${post:-0}" -gt 0 -a "${post:-0}" -lt $((${pre:-0} * 6 / 10))
	fi
	stop "cli-$mode"
	stop "srv-$mode"
done

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
