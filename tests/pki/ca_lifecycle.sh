#!/bin/bash
# l2vpn-ca on the CA itself, checked with the openssl command line.
#   inherit-inter: a PKI rooted on an intermediate CA of a parent PKI (its key copied byte for
#   byte, encrypted or not); export-ca.crt holds the chain, the leaves verify against it,
#   revoke-full works with the intermediate as ca.crt, export inlines the chain. Refused, with
#   nothing written: a PKI that has a CA, a leaf in place of a CA, a wrong passphrase, and an
#   intermediate of another root.
#   renew-ca: same key and subject, new serial and dates; certificates issued before verify
#   against the new ca.crt and new ones against the old; the old ca.crt is kept; a leaf that
#   names the CA by serial (easy-rsa's authorityKeyIdentifier issuer:always) is named in a
#   warning; an intermediate is refused; a wrong passphrase writes nothing.
. "$(dirname "$0")/../netns/lib.sh"
. "$(dirname "$0")/lib.sh"
need_cmd openssl
cd "$WORK" || exit 1
export KEY_ORG="Fort-Funston" KEY_COUNTRY=US
unset KEY_CN KEY_ALGO KEY_SIZE
export TEST_PASS="s3cret pass"
CA() {
	local d=$1
	shift
	"$L2VPN_CA_BIN" --batch --dir "$WORK/$d" "$@"
}
listing() { ls -la --time-style=+%s "$WORK/$1"; }
certs_in() { grep -c "BEGIN CERTIFICATE" "$1"; }

# --- inherit-inter
ok "root: clean-all, build-ca, build-inter sub and sub2" eval \
	'CA root clean-all && CA root build-ca "Root CA" && CA root build-inter sub && CA root build-inter sub2'
ok "root: build-inter locked (encrypted key)" CA root --passout env:TEST_PASS build-inter locked
ok "other: a second root with its own intermediate" eval \
	'CA other clean-all && CA other build-ca "Other CA" && CA other build-inter stranger'
ok "site: clean-all" CA site clean-all
ok "site: inherit-inter root sub" CA site inherit-inter "$WORK/root" sub
ok "... ca.crt is sub.crt, byte for byte" cmp "$WORK/root/sub.crt" "$WORK/site/ca.crt"
ok "... ca.key is sub.key, byte for byte, mode 0600" eval \
	'cmp "$WORK/root/sub.key" "$WORK/site/ca.key" && [ "$(stat -c %a "$WORK/site/ca.key")" = 600 ]'
ok "... export-ca.crt: the root then the intermediate" eval \
	'[ "$(certs_in "$WORK/site/export-ca.crt")" = 2 ] &&
	 cat "$WORK/root/ca.crt" "$WORK/root/sub.crt" | cmp - "$WORK/site/export-ca.crt"'
ok "site: build-key-server vpn.example.com and build-key vpnc" eval \
	'CA site build-key-server vpn.example.com && CA site build-key vpnc'
ok "... the server certificate verifies against export-ca.crt" openssl verify -CAfile \
	"$WORK/site/export-ca.crt" -purpose sslserver "$WORK/site/vpn.example.com.crt"
fails "... and not against the root alone" openssl verify -CAfile "$WORK/root/ca.crt" \
	"$WORK/site/vpn.example.com.crt"
ok "... the client one against the root given the intermediate" openssl verify -CAfile \
	"$WORK/root/ca.crt" -untrusted "$WORK/site/ca.crt" -purpose sslclient "$WORK/site/vpnc.crt"
expect_exit 0 "site: revoke-full vpnc" CA site revoke-full vpnc
expect_match "verification against crl.pem now rejects it" \
	"... confirmed with the intermediate as the trust anchor"
ok "... the site CRL is signed by the intermediate and lists vpnc" eval \
	'openssl crl -in "$WORK/site/crl.pem" -noout -CAfile "$WORK/site/export-ca.crt" 2>&1 | grep -q "verify OK" &&
	 openssl crl -in "$WORK/site/crl.pem" -noout -text | grep -qi "$(openssl x509 -in "$WORK/site/vpnc.crt" -noout -serial | cut -d= -f2)"'
ok "... openssl refuses vpnc with the root's and the site's CRLs" eval \
	'CA root gen-crl &&
	 cat "$WORK/root/crl.pem" "$WORK/site/crl.pem" > crls.pem &&
	 openssl verify -crl_check_all -CAfile "$WORK/site/export-ca.crt" -CRLfile crls.pem "$WORK/site/vpnc.crt" 2>&1 | grep -q "certificate revoked"'
ok "site: export of a client inlines the chain as <ca>" eval \
	'CA site build-key vpnc2 && CA site export vpnc2 --out "$WORK/vpnc2.conf" &&
	 sed -n "/<ca>/,/<\/ca>/p" "$WORK/vpnc2.conf" | grep -c "BEGIN CERTIFICATE" | grep -qx 2'

ok "site2: clean-all" CA site2 clean-all
ok "site2: inherit-inter of the encrypted locked, passphrase given" CA site2 \
	--passin env:TEST_PASS inherit-inter "$WORK/root" locked
ok "... ca.key stays encrypted" grep -q "ENCRYPTED PRIVATE KEY" "$WORK/site2/ca.key"
ok "... and site2 issues with it" CA site2 --passin env:TEST_PASS build-key c1

ok "fresh: clean-all" CA fresh clean-all
before=$(listing fresh)
expect_exit 1 "inherit-inter of a leaf (vpn.example.com of site): refused" \
	CA fresh inherit-inter "$WORK/site" vpn.example.com
expect_match "not a CA certificate" "... saying why"
expect_exit 1 "inherit-inter of locked with a wrong passphrase: refused" \
	CA fresh --passin pass:wrong inherit-inter "$WORK/root" locked
expect_exit 1 "inherit-inter of another root's intermediate named under root: refused" \
	eval 'cp "$WORK/other/stranger.crt" "$WORK/other/stranger.key" "$WORK/root/" &&
	      CA fresh inherit-inter "$WORK/root" stranger'
expect_match "does not verify against .*root/ca.crt" "... saying it does not verify"
expect_exit 1 "inherit-inter of a name the parent does not have: refused" \
	CA fresh inherit-inter "$WORK/root" nobody
ok "the refusals wrote nothing" test "$before" = "$(listing fresh)"
before=$(listing site)
expect_exit 1 "inherit-inter into site, which has a CA: refused" \
	CA site inherit-inter "$WORK/root" sub2
expect_match "already has a CA" "... saying why"
ok "... site untouched" test "$before" = "$(listing site)"

# --- renew-ca
ok "flat: clean-all, build-ca --pass, a client" eval \
	'CA flat clean-all && CA flat --passout env:TEST_PASS build-ca "Flat CA" &&
	 CA flat --passin env:TEST_PASS build-key before'
openssl_ca_cnf "$WORK/flat" "$WORK/openssl-ca.cnf"
printf '%s\n' "[ legacy ]" "basicConstraints = CA:FALSE" "extendedKeyUsage = clientAuth" \
	"authorityKeyIdentifier = keyid,issuer:always" >"$WORK/legacy.ext"
ok "flat: a leaf signed by openssl ca with authorityKeyIdentifier issuer:always" eval \
	'openssl req -new -newkey rsa:2048 -nodes -subj "/CN=legacy" -keyout legacy.key -out legacy.csr 2>/dev/null &&
	 openssl ca -batch -config "$WORK/openssl-ca.cnf" -passin env:TEST_PASS -days 30 \
	   -extfile "$WORK/legacy.ext" -extensions legacy -in legacy.csr -out legacy.crt 2>/dev/null'
cp "$WORK/flat/ca.crt" "$WORK/flat-old-ca.crt"
old_serial=$(openssl x509 -in "$WORK/flat/ca.crt" -noout -serial | cut -d= -f2)
before=$(listing flat)
expect_exit 1 "renew-ca with a wrong passphrase: refused" CA flat --passin pass:wrong renew-ca
ok "... nothing written" test "$before" = "$(listing flat)"
expect_exit 0 "renew-ca --days 3650" CA flat --passin env:TEST_PASS renew-ca --days 3650
expect_match "CN=legacy.*names the CA by its serial number" \
	"... warns about the leaf that names the CA by serial"
ok "... the old ca.crt is kept as ca-$old_serial.crt" cmp "$WORK/flat-old-ca.crt" \
	"$WORK/flat/ca-$old_serial.crt"
ok "... same subject and same public key" eval \
	'[ "$(openssl x509 -in "$WORK/flat/ca.crt" -noout -subject -pubkey)" = \
	   "$(openssl x509 -in "$WORK/flat-old-ca.crt" -noout -subject -pubkey)" ]'
ok "... a new serial" eval \
	'[ "$(openssl x509 -in "$WORK/flat/ca.crt" -noout -serial | cut -d= -f2)" != "$old_serial" ]'
ok "... valid for 3650 days from now" eval \
	'openssl x509 -in "$WORK/flat/ca.crt" -noout -checkend $((3649 * 86400)) >/dev/null &&
	 ! openssl x509 -in "$WORK/flat/ca.crt" -noout -checkend $((3651 * 86400)) >/dev/null'
ok "the leaf issued before verifies against the renewed ca.crt" openssl verify -CAfile \
	"$WORK/flat/ca.crt" "$WORK/flat/before.crt"
fails "the issuer:always leaf does not (as warned)" openssl verify -CAfile "$WORK/flat/ca.crt" \
	"$WORK/legacy.crt"
ok "a leaf issued after verifies against the old ca.crt" eval \
	'CA flat --passin env:TEST_PASS build-key after &&
	 openssl verify -CAfile "$WORK/flat-old-ca.crt" "$WORK/flat/after.crt"'
ok "renew-ca again keeps the second old certificate too" eval \
	'second=$(openssl x509 -in "$WORK/flat/ca.crt" -noout -serial | cut -d= -f2) &&
	 CA flat --passin env:TEST_PASS renew-ca && test -f "$WORK/flat/ca-$second.crt" &&
	 test -f "$WORK/flat/ca-$old_serial.crt"'
before=$(listing site)
expect_exit 1 "renew-ca of an intermediate (site): refused" CA site renew-ca
expect_match "intermediate CA" "... saying why"
ok "... site untouched" test "$before" = "$(listing site)"
expect_exit 2 "renew-ca --days 0: usage error" CA flat renew-ca --days 0
done_testing
