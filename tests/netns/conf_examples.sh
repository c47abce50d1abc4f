#!/bin/bash
# conf-examples/server.conf, server2.conf, client.conf and client2.conf, unchanged, pass
# `l2vpn --config FILE --test-config` next to the certificate files they name (made by
# l2vpn-ca under those names), both run from that directory and from elsewhere (relative paths
# resolve against the config's directory). Broken twins fail with exit 1 and name the problem:
# a key that does not match its certificate, a missing CA file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
lab_need_programs

confs=(server.conf server2.conf client.conf client2.conf)
lab_step "PKI made with l2vpn-ca" lab_pki
ok "the four examples are there" eval 'for c in "${confs[@]}"; do [ -f "$LAB_CONF_DIR/$c" ] || exit 1; done'

# good/: the PKI's files and the examples as shipped.
mkdir -p "$WORK/good" "$WORK/badkey" "$WORK/noca"
cp -p "$LAB_PKI"/{ca.crt,vpn.example.com.crt,vpn.example.com.key,vpnc.example.com.crt,vpnc.example.com.key,dh2048.pem} \
	"$WORK/good/"
for c in "${confs[@]}"; do cp "$LAB_CONF_DIR/$c" "$WORK/good/"; done
# Every file an example names is one l2vpn-ca made.
named_files_exist() {
	local f
	for f in $(sed -nE 's/^[[:space:]]*(ca|cert|key|dh)[[:space:]]+([^[:space:]]+).*/\2/p' "$WORK/good/$1"); do
		[ "$f" = none ] || [ -f "$WORK/good/$f" ] || { echo "$1 names $f, which is missing"; return 1; }
	done
}
# badkey/: each key swapped with the other role's key; noca/: no ca.crt.
cp -p "$WORK/good"/* "$WORK/badkey/"
cp -p "$WORK/good/vpnc.example.com.key" "$WORK/badkey/vpn.example.com.key"
cp -p "$WORK/good/vpn.example.com.key" "$WORK/badkey/vpnc.example.com.key"
cp -p "$WORK/good"/* "$WORK/noca/"
rm "$WORK/noca/ca.crt"

test_config_in() { (cd "$1" && "$L2VPN_BIN" --config "$2" --test-config); }
for c in "${confs[@]}"; do
	ok "$c: every ca/cert/key/dh it names was made by l2vpn-ca" named_files_exist "$c"
	expect_exit 0 "$c: --test-config in its directory: exit 0" test_config_in "$WORK/good" "$c"
	expect_match '^configuration OK$' "$c: ... prints configuration OK"
	expect_exit 0 "$c: --test-config from / with the full path: exit 0" \
		test_config_in / "$WORK/good/$c"
	expect_match '^configuration OK$' "$c: ... prints configuration OK"

	expect_exit 1 "$c: key not matching its certificate: exit 1" test_config_in "$WORK/badkey" "$c"
	expect_match 'key .*\.key does not match certificate .*\.crt' "$c: ... says the key does not match"
	fails "$c: ... and does not say configuration OK" eval 'printf "%s\n" "$OUT" | grep -q "^configuration OK"'

	expect_exit 1 "$c: ca.crt missing: exit 1" test_config_in "$WORK/noca" "$c"
	expect_match 'ca\.crt' "$c: ... names ca.crt"
done

# tls-groups and remote-cert-eku go to OpenSSL when the TLS context is made: a name it does not
# know stops the configuration there (ecdh-curve is OpenVPN's older way to name a group).
c=${confs[0]}
groups_in() { (cd "$WORK/good" && "$L2VPN_BIN" --config "$c" --test-config "$@"); }
expect_exit 0 "$c with --tls-groups X25519:secp384r1: exit 0" groups_in --tls-groups X25519:secp384r1
expect_match '^configuration OK$' "... prints configuration OK"
expect_exit 0 "$c with --ecdh-curve secp384r1: exit 0" groups_in --ecdh-curve secp384r1
expect_match 'ecdh-curve: deprecated: used as tls-groups secp384r1' "... with a warning"
expect_exit 1 "$c with --tls-groups nosuchgroup: exit 1" groups_in --tls-groups nosuchgroup
expect_match 'tls-groups' "... names tls-groups"
expect_exit 0 "$c with OpenVPN's --tls-cipher TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384: exit 0" \
	groups_in --tls-cipher TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384
expect_exit 1 "$c with --tls-cipher TLS-NO-SUCH-CIPHER: exit 1" groups_in --tls-cipher TLS-NO-SUCH-CIPHER
expect_match 'tls-cipher' "... names tls-cipher"
# dh FILE is read at start and by --test-config: a wrong file is an error naming it; a small
# group (dh1024.pem: 1024-bit parameters from openssl dhparam) only gets a note.
echo "not parameters" >"$WORK/garbage.pem"
expect_exit 1 "$c with --dh garbage.pem: exit 1" groups_in --dh "$WORK/garbage.pem"
expect_match "dh $WORK/garbage.pem: not PEM Diffie-Hellman parameters" "... names the file and says why"
expect_exit 0 "$c with --dh dh1024.pem: exit 0" groups_in --dh "$(dirname "$0")/dh1024.pem"
expect_match 'dh .*dh1024\.pem: a 1024-bit group; l2vpn does not use it' "... with a note"
expect_exit 1 "$c with --remote-cert-eku nosuchusage: exit 1" groups_in --remote-cert-eku nosuchusage
expect_match 'remote-cert-eku nosuchusage: neither an OID nor a name OpenSSL knows' "... says why"
done_testing
