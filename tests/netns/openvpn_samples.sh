#!/bin/bash
# The configuration files Debian's openvpn package ships as examples, edited as their own
# comments say for an Ethernet bridge over TCP (proto tcp, dev tap, server-bridge instead of
# server), go through `l2vpn --test-config`: no line of them is an unknown directive. l2vpn
# stops at the first error, so each line it refuses (with its reason: tls-auth, ...) is
# commented out, a refused inline block whole, and the file is tried again until l2vpn gets
# past the last line (it may then miss the certificate files the samples name: that is not
# what is asked here).
. "$(dirname "$0")/lib.sh"
SAMPLES=/usr/share/doc/openvpn/examples/sample-config-files
[ -d "$SAMPLES" ] || need_cmd openvpn-sample-configs-missing

# bridge_over_tcp FILE: the sample with the edits its comments describe.
bridge_over_tcp() {
	sed -E -e 's/^proto udp/proto tcp/' -e 's/^dev tun/dev tap0/' \
		-e 's/^server 10\.8\.0\.0 /;&/' -e 's/^;(server-bridge 10\.8\.0\.4 )/\1/' "$1"
}

# try FILE: runs --test-config on FILE until it gets past the last line, commenting out each
# refused line (or inline block); prints the unknown directives it met, one a line.
try() {
	local f=$1 out line n tag
	for n in $(seq 100); do
		out=$("$L2VPN_BIN" --config "$f" --test-config 2>&1 | grep -m 1 '^l2vpn: ')
		line=$(sed -nE "s|^l2vpn: $f:([0-9]+): .*|\\1|p" <<<"$out")
		[ -n "$line" ] || return 0
		if grep -q ': unknown directive' <<<"$out"; then
			echo "$out"
		else
			sed -nE "s|^l2vpn: $f:[0-9]+: ([^:]+): .*|\\1|p" <<<"$out" >>"$f.refused"
		fi
		tag=$(sed -n "${line}s/^[[:space:]]*<\\([a-z-]*\\)>.*/\\1/p" "$f")
		if [ -n "$tag" ]; then
			sed -i "${line},/<\\/$tag>/s/^/#refused# /" "$f"
		else
			sed -i "${line}s/^/#refused# /" "$f"
		fi
	done
	echo "more than 100 refused lines in $f"
}

n=0
for sample in "$SAMPLES"/*; do
	case $(basename "$sample") in
	*.sh | README) continue ;;
	esac
	n=$((n + 1))
	name=$(basename "$sample")
	bridge_over_tcp "$sample" >"$WORK/$name"
	unknown=$(try "$WORK/$name")
	ok "$name: no unknown directive${unknown:+: $unknown}" test -z "$unknown"
	diag "$name: refused with a reason, then commented out: $(tr '\n' ' ' <"$WORK/$name.refused" 2>/dev/null)"
done
ok "the samples were found ($n)" test "$n" -ge 2
done_testing
