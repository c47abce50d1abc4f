#!/bin/bash
# An up link reads its TLS socket in large gulps and loses nothing held inside OpenSSL. hb0
# sends ha0 20 MB of random bytes through the tunnel (socat, one TCP stream) while strace
# records the server daemon's read() calls. With OpenSSL's read-ahead into a 128 KB buffer,
# its reads of the tunnel socket ask for 128 KB and bring in more than 16 KB on average; a
# record is at most 16.4 KB and without read-ahead OpenSSL reads each one's 5-byte header and
# its body separately, so the average is then under 8.4 KB. Records that one read brought in
# beyond the loop's per-event cap sit inside OpenSSL where epoll cannot see them: the daemon
# must hand them out unasked, so the 20 MB arrive byte for byte (same SHA-256) without a
# stall, and a ping crosses at once afterwards. Nor does the socket becoming writable cost an
# empty read: the reads that found nothing number at most the reads that found data.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd strace
need_cmd socat
lab_need_programs

lab_step "PKI made with l2vpn-ca" lab_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
LAB_REMOTE=$(lab_wan_ip a)
ok "srv from server.conf" lab_conf server.conf srv
ok "cli from client.conf" lab_conf client.conf cli
lab_start a srv
lab_start b cli
ok "link up" lab_wait_up cli
ok "hb0 reaches ha0" lab_wait_ping hb0 "$(lab_host_ip a 0)" 5
spid=$(cat "$WORK/srv.pid")

head -c 20000000 /dev/urandom >"$WORK/payload"
want=$(sha256sum <"$WORK/payload" | cut -d' ' -f1)
bg ha0 sink sh -c "socat -u TCP-LISTEN:5201,reuseaddr - | sha256sum"
sleep 0.5
bg - trace strace -qq -e trace=read -e signal=none -p "$spid" -o "$WORK/reads.txt"
sleep 0.5
ok "20 MB sent from hb0 to ha0 through the tunnel" \
	ns_exec hb0 timeout 60 socat -u "OPEN:$WORK/payload" "TCP:$(lab_host_ip a 0):5201"
stop trace INT
# The tunnel's sockets: the daemon's socket descriptors (the listener is never read()).
socks=$(for f in /proc/"$spid"/fd/*; do
	[[ $(readlink "$f") == socket:* ]] && echo "${f##*/}"
done | tr '\n' ' ')
read -r calls got empty bytes biggest < <(/usr/bin/python3 - "$WORK/reads.txt" "$socks" <<'PY'
import re, sys
socks = set(sys.argv[2].split())
calls = got = empty = total = biggest = 0
for line in open(sys.argv[1]):
    m = re.match(r'read\((\d+), .*, (\d+)\)\s+= (-?\d+)', line)
    if not m or m.group(1) not in socks:
        continue
    calls += 1
    biggest = max(biggest, int(m.group(2)))
    n = int(m.group(3))
    if n > 0:
        got += 1
        total += n
    else:
        empty += 1
print(calls, got, empty, total, biggest)
PY
)
avg=$((got ? bytes / got : 0))
diag "server socket reads: $calls ($got with data, $empty empty), $bytes bytes, $avg on average; largest asked: $biggest"
ok "strace saw the server read the tunnel socket (at least 100 reads with data)" test "$got" -ge 100
ok "the reads ask for 128 KB ($biggest bytes)" test "$biggest" -ge 131000
ok "more than 16 KB per read on average ($avg bytes)" test "$avg" -gt 16384
ok "no more empty reads than reads with data ($empty vs $got)" test "$empty" -le "$got"
wait_sink() { ! kill -0 "$(cat "$WORK/sink.pid")" 2>/dev/null; }
ok "the receiver finished" lab_within 30 wait_sink
diag "sha256 sent $want, received $(cut -d' ' -f1 "$WORK/sink.log")"
ok "ha0 received the 20 MB byte for byte" test "$(cut -d' ' -f1 "$WORK/sink.log")" = "$want"
ok "a ping crosses at once afterwards" lab_ping hb0 "$(lab_host_ip a 0)" 3
lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
