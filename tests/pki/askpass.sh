#!/bin/bash
# A passphrase-protected key (l2vpn-ca build-key-pass) used by the daemon without a terminal:
# `askpass FILE` gives the passphrase; a wrong one or none is a clear error, never a hang.
. "$(dirname "$0")/../netns/lib.sh"
cd "$WORK" || exit 1
D="$WORK/keys"
CA() { "$L2VPN_CA_BIN" --batch --dir "$D" "$@"; }

ok "setup: clean-all, build-ca" sh -c "'$L2VPN_CA_BIN' --batch --dir '$D' clean-all && \
	'$L2VPN_CA_BIN' --batch --dir '$D' build-ca"
ok "build-key-pass site (passphrase from --passout)" CA --passout pass:s3cret build-key-pass site
ok "the key file is encrypted" grep -q "ENCRYPTED" "$D/site.key"

conf() {
	cat <<CONF
client
dev tap0
remote vpn.example.com 1194
ca $D/ca.crt
cert $D/site.crt
key $D/site.key
CONF
	[ $# -gt 0 ] && echo "askpass $1"
}
printf 's3cret\n' >"$WORK/pass.txt"
printf 'wrong\n' >"$WORK/wrong.txt"
chmod 600 "$WORK/pass.txt" "$WORK/wrong.txt"
conf pass.txt >"$WORK/good.conf"
conf wrong.txt >"$WORK/wrong.conf"
conf >"$WORK/none.conf"

expect_exit 0 "askpass with the right passphrase: configuration OK" \
	"$L2VPN_BIN" --config "$WORK/good.conf" --test-config
expect_match "configuration OK" "it says configuration OK"
expect_exit 1 "askpass with a wrong passphrase: refused" \
	timeout 10 "$L2VPN_BIN" --config "$WORK/wrong.conf" --test-config
expect_match "askpass .*wrong.txt" "the error names the askpass file"
expect_exit 1 "no askpass and no terminal: refused, no hang" \
	timeout 10 setsid "$L2VPN_BIN" --config "$WORK/none.conf" --test-config </dev/null
expect_exit 1 "askpass naming a missing file: refused" \
	"$L2VPN_BIN" --config "$WORK/good.conf" --askpass "$WORK/missing.txt" --test-config
expect_match "missing.txt" "the error names the missing file"

done_testing
