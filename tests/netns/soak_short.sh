#!/bin/bash
# A short soak: bench/soak.sh joins two bridged sites with the l2vpn under test and loads them for
# SOAK_MINUTES (2 by default) with iperf3 -P 4 --bidir and a 5 Hz ping, sampling both daemons
# every second. It passes when neither side reconnects, RSS does not creep, descriptors stay
# constant, the kernel logs nothing alarming, no direction stalls and few pings are lost (its own
# summary lists each criterion). The test asserts that verdict and that the per-second CSV (one
# row a second, both directions carrying data), the PNG and the markdown summary were written.
# Two limits are wider than the long run's (0.1 % loss, 2 s): 2 minutes make only 600 probes,
# so 0.1 % would allow none, while under eight saturating streams the daemons' bounded queues
# drop frames (the inner TCPs' congestion signal) and a probe can be one of them (1 % was
# measured here with a debug build on a machine loaded far beyond its 2 CPUs); and CI runs other
# tests beside this one. So here: loss under 5 %, no stall over 5 s. A link that stops carrying
# traffic still fails both by far.
# With an AddressSanitizer build RSS is shown, not judged (the quarantine keeps freed memory);
# LeakSanitizer checks the daemons at exit. SOAK_VM=1 makes host B a QEMU guest (--vm).
. "$(dirname "$0")/lib.sh"
need_root
need_cmd iperf3 /usr/bin/python3
minutes=${SOAK_MINUTES:-2}
vmopt=()
[ "${SOAK_VM:-0}" = 1 ] && vmopt=(--vm)
out=$WORK/soak
export L2VPN_BIN L2VPN_CA_BIN

ok "bench/soak.sh --minutes $minutes${vmopt[*]:+ ${vmopt[*]}} passes" \
	bash "$L2VPN_SOURCE_ROOT/bench/soak.sh" --minutes "$minutes" ${vmopt[@]+"${vmopt[@]}"} \
	--max-loss 5 --max-stall 5 --out "$out"
[ -f "$out.md" ] && sed 's/^/# /' "$out.md" | grep -E '^# (\||- )' | head -30
ok "summary: PASS" grep -q '^# l2vpn soak.*: PASS$' "$out.md"
rows_expected=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 * 0.95 }')
# shellcheck disable=SC2016 # awk program
ok "CSV: one row a second ($rows_expected or more), each direction above 1 Mbit/s in most" \
	awk -F, -v want="$rows_expected" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["a_to_b_mbit"] > 1 && $c["b_to_a_mbit"] > 1 { busy++ }
		END { print NR - 1 " rows, " busy " with data both ways"; exit !(NR - 1 >= want && busy >= want - 5) }' \
	"$out.csv"
ok "PNG written" sh -c "head -c 8 '$out.png' | od -An -c | grep -q 'P   N   G'"
done_testing
