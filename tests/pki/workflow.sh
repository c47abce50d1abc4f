#!/bin/bash
# l2vpn-ca: the easy-rsa 2.0 workflow end to end in batch mode, for KEY_ALGO ec, rsa and
# ed25519, with and without passphrases, checked with the openssl command line.
. "$(dirname "$0")/../netns/lib.sh"
. "$(dirname "$0")/lib.sh"
need_cmd openssl
cd "$WORK" || exit 1

# has_ext CERT REGEX: `openssl x509 -text` of CERT matches REGEX (extended, multi-line
# flattened to one line so "Key Usage: critical Digital Signature" style matches work).
has_ext() { openssl x509 -in "$1" -noout -text | tr -s ' \n' ' ' | grep -Eq -- "$2"; }

run_algo() {
	local algo=$1 D="$WORK/$1/keys"
	mkdir -p "$WORK/$algo"
	CA() { "$L2VPN_CA_BIN" --batch --dir "$D" "$@"; }
	export KEY_ALGO=$algo KEY_SIZE=2048 KEY_ORG="Fort-Funston" KEY_COUNTRY=US
	ok "$algo: clean-all" CA clean-all
	ok "$algo: build-ca" CA build-ca
	ok "$algo: build-key-server vpn.example.com" CA build-key-server vpn.example.com
	ok "$algo: build-dh" CA build-dh
	ok "$algo: dh2048.pem is the ffdhe2048 group" \
		sh -c "openssl pkeyparam -in '$D/dh2048.pem' -text -noout | grep -q ffdhe2048"
	ok "$algo: build-req vpnc.example.com (client side)" CA build-req vpnc.example.com
	fails "$algo: no certificate before sign-req" test -e "$D/vpnc.example.com.crt"
	ok "$algo: sign-req vpnc.example.com" CA sign-req vpnc.example.com
	export TEST_PASS="s3cret pass"
	ok "$algo: build-key-pass with --passout env:" CA --passout env:TEST_PASS \
		build-key-pass locked
	ok "$algo: passphrase-protected key is encrypted" grep -q "ENCRYPTED PRIVATE KEY" \
		"$D/locked.key"
	ok "$algo: key decrypts with the passphrase" openssl pkey -in "$D/locked.key" \
		-passin env:TEST_PASS -noout
	fails "$algo: key does not decrypt with another" openssl pkey -in "$D/locked.key" \
		-passin pass:wrong -noout
	fails "$algo: plain key is not encrypted" grep -q ENCRYPTED "$D/vpnc.example.com.key"
	ok "$algo: build-inter sub" CA build-inter sub
	ok "$algo: the intermediate is a CA: critical CA:TRUE" has_ext "$D/sub.crt" \
		"Basic Constraints: critical CA:TRUE"
	ok "$algo: ... with keyCertSign and cRLSign" has_ext "$D/sub.crt" \
		"Key Usage: critical Certificate Sign, CRL Sign"
	ok "$algo: ... signed by the root" openssl verify -CAfile "$D/ca.crt" "$D/sub.crt"
	ok "$algo: build-req-pass with --passout env:" CA --passout env:TEST_PASS \
		build-req-pass lockedreq
	ok "$algo: build-req-pass: the key is encrypted" grep -q "ENCRYPTED PRIVATE KEY" \
		"$D/lockedreq.key"
	ok "$algo: build-req-pass: a request, no certificate" eval \
		"openssl req -in '$D/lockedreq.csr' -noout -verify 2>/dev/null && ! test -e '$D/lockedreq.crt'"

	ok "$algo: server cert verifies as sslserver" openssl verify -CAfile "$D/ca.crt" \
		-purpose sslserver "$D/vpn.example.com.crt"
	fails "$algo: server cert is rejected as sslclient" openssl verify -CAfile "$D/ca.crt" \
		-purpose sslclient "$D/vpn.example.com.crt"
	ok "$algo: client cert verifies as sslclient" openssl verify -CAfile "$D/ca.crt" \
		-purpose sslclient "$D/vpnc.example.com.crt"
	fails "$algo: client cert is rejected as sslserver" openssl verify -CAfile "$D/ca.crt" \
		-purpose sslserver "$D/vpnc.example.com.crt"

	ok "$algo: CA has critical CA:TRUE" has_ext "$D/ca.crt" \
		"Basic Constraints: critical CA:TRUE"
	ok "$algo: CA key usage critical keyCertSign,cRLSign" has_ext "$D/ca.crt" \
		"Key Usage: critical Certificate Sign, CRL Sign"
	ok "$algo: CA has SKI" has_ext "$D/ca.crt" "Subject Key Identifier"
	ok "$algo: server EKU serverAuth" has_ext "$D/vpn.example.com.crt" \
		"Extended Key Usage: TLS Web Server Authentication Netscape"
	ok "$algo: server nsCertType server" has_ext "$D/vpn.example.com.crt" \
		"Netscape Cert Type: SSL Server X509v3"
	ok "$algo: server SAN DNS:name" has_ext "$D/vpn.example.com.crt" \
		"Alternative Name: DNS:vpn.example.com"
	ok "$algo: server CA:FALSE" has_ext "$D/vpn.example.com.crt" \
		"Basic Constraints: CA:FALSE"
	ok "$algo: AKI is keyid only" sh -c "openssl x509 -in '$D/vpn.example.com.crt' \
		-noout -text | grep -A1 'Authority Key Identifier' | tail -1 | \
		grep -Eqv 'DirName|serial'"
	ok "$algo: client EKU clientAuth" has_ext "$D/vpnc.example.com.crt" \
		"Extended Key Usage: TLS Web Client Authentication Netscape"
	ok "$algo: client nsCertType client" has_ext "$D/vpnc.example.com.crt" \
		"Netscape Cert Type: SSL Client X509v3"
	if [ "$algo" = rsa ]; then
		ok "rsa: KU digitalSignature + keyEncipherment" has_ext "$D/vpnc.example.com.crt" \
			"Key Usage: critical Digital Signature, Key Encipherment"
		ok "rsa: RSA 2048 key" has_ext "$D/vpnc.example.com.crt" "Public-Key: \(2048 bit\)"
		ok "rsa: sha256WithRSAEncryption" has_ext "$D/ca.crt" "sha256WithRSAEncryption"
	else
		ok "$algo: KU digitalSignature only" has_ext "$D/vpnc.example.com.crt" \
			"Key Usage: critical Digital Signature X509v3"
	fi
	[ "$algo" = ec ] && ok "ec: P-256 with SHA-256" has_ext "$D/ca.crt" \
		"ecdsa-with-SHA256.*(prime256v1|P-256)"
	[ "$algo" = ed25519 ] && ok "ed25519: ED25519 keys" has_ext "$D/ca.crt" "ED25519"
	ok "$algo: serial is positive and >= 64 bits" sh -c "s=\$(openssl x509 -in \
		'$D/vpnc.example.com.crt' -noout -serial | cut -d= -f2); [ \${#s} -ge 16 ] && \
		case \$s in [0-7]*) true;; *) false;; esac"

	expect_exit 0 "$algo: revoke-full vpnc.example.com" CA revoke-full vpnc.example.com
	expect_match "revoked.*rejects it" "$algo: revoke-full says plainly it worked"
	local revserial
	revserial=$(openssl x509 -in "$D/vpnc.example.com.crt" -noout -serial | cut -d= -f2)
	expect_exit 0 "$algo: list-crl" CA list-crl
	expect_match "Serial Number: $revserial" "$algo: list-crl shows the revoked serial"
	expect_match "Next Update:" "$algo: list-crl shows the CRL's dates"
	cat "$D/ca.crt" "$D/crl.pem" >"$WORK/$algo/chain.pem"
	fails "$algo: openssl verify -crl_check rejects the revoked cert" openssl verify \
		-crl_check -CAfile "$WORK/$algo/chain.pem" "$D/vpnc.example.com.crt"
	ok "$algo: openssl verify -crl_check accepts the server cert" openssl verify \
		-crl_check -CAfile "$WORK/$algo/chain.pem" "$D/vpn.example.com.crt"
	ok "$algo: CRL is v2 with a CRL number" sh -c "openssl crl -in '$D/crl.pem' -noout \
		-text | grep -q 'Version 2' && openssl crl -in '$D/crl.pem' -noout -text | \
		grep -q 'CRL Number'"

	openssl_ca_cnf "$D" "$WORK/$algo/ca.cnf"
	local srv rev
	srv=$(awk -F'\t' '$6 ~ /CN=vpn.example.com/ {print $4}' "$D/index.txt")
	rev=$(awk -F'\t' '$6 ~ /CN=vpnc.example.com/ {print $4}' "$D/index.txt")
	# (openssl ca -status exits 1 even on success: judge by its output.)
	OUT=$(openssl ca -config "$WORK/$algo/ca.cnf" -status "$srv" 2>&1)
	expect_match "^$srv=Valid" "$algo: openssl ca -status reads the index: server Valid"
	OUT=$(openssl ca -config "$WORK/$algo/ca.cnf" -status "$rev" 2>&1)
	expect_match "^$rev=Revoked" "$algo: openssl ca -status reads the index: client Revoked"
	ok "$algo: openssl ca -updatedb accepts the index" \
		openssl ca -config "$WORK/$algo/ca.cnf" -updatedb
	unset -f CA
}

run_algo ec
run_algo rsa
run_algo ed25519

# An easy-rsa 2.0 vars file: parsed (never executed), KEY_SIZE and no KEY_ALGO -> RSA.
unset KEY_ALGO KEY_SIZE KEY_ORG KEY_COUNTRY
mkdir -p "$WORK/er2" && cd "$WORK/er2" || exit 1
cat >vars <<'VARS'
export EASY_RSA="`pwd`"
export OPENSSL="openssl"
export KEY_CONFIG=`$EASY_RSA/whichopensslcnf $EASY_RSA`
export KEY_DIR="$EASY_RSA/keys"
echo NOTE: If you run ./clean-all, I will be doing a rm -rf on $KEY_DIR
touch "$EASY_RSA/EXECUTED"
export KEY_SIZE=2048
export CA_EXPIRE=3650
export KEY_EXPIRE=3650
export KEY_COUNTRY="US"
export KEY_PROVINCE="CA"
export KEY_CITY="SanFrancisco"
export KEY_ORG="Fort-Funston"
export KEY_EMAIL="me@myhost.mydomain"
export KEY_OU="MyOrganizationalUnit"
export KEY_NAME="EasyRSA"
VARS
ok "easy-rsa 2.0 vars: clean-all uses KEY_DIR from vars" "$L2VPN_CA_BIN" --batch clean-all
ok "easy-rsa 2.0 vars: KEY_DIR is \$EASY_RSA/keys" test -f "$WORK/er2/keys/index.txt"
ok "easy-rsa 2.0 vars: build-ca" "$L2VPN_CA_BIN" --batch build-ca
fails "the vars file was not executed" test -e "$WORK/er2/EXECUTED"
ok "easy-rsa 2.0 vars: KEY_SIZE without KEY_ALGO gives RSA" has_ext keys/ca.crt \
	"rsaEncryption.*2048 bit"
ok "easy-rsa 2.0 vars: full DN from vars" sh -c "openssl x509 -in keys/ca.crt -noout \
	-subject | grep -q 'C = US, ST = CA, L = SanFrancisco, O = Fort-Funston, OU = \
MyOrganizationalUnit, CN = Fort-Funston CA, name = EasyRSA'"
KEY_ORG=Env ok "environment overrides vars" "$L2VPN_CA_BIN" --batch build-key-server envsrv
ok "environment value is in the subject" sh -c \
	"openssl x509 -in keys/envsrv.crt -noout -subject | grep -q 'O = Env'"
mkdir -p "$WORK/novars" && cd "$WORK/novars" || exit 1
ok "no vars: defaults to ./keys" sh -c "'$L2VPN_CA_BIN' --batch clean-all && \
	'$L2VPN_CA_BIN' --batch build-ca && test -f keys/ca.crt"
ok "no vars: EC P-256, CN-only subject" sh -c "openssl x509 -in keys/ca.crt -noout -text \
	| grep -q 'prime256v1' && openssl x509 -in keys/ca.crt -noout -subject | \
	grep -qx 'subject=CN = l2vpn CA'"

done_testing
