#!/bin/bash
# l2vpn-ca pkitool: easy-rsa 2.0's pkitool forms, each checked by what it writes. Batch by
# default (no prompt even on a terminal), --interact prompts; --initca, --server, a plain
# client, --pass, --csr (with and without --pass), --sign (client and --server), --inter,
# --pkcs12, --keysize; NAME from KEY_CN when none is given; refusals: conflicting forms,
# PKCS#11, a missing NAME, an existing key. A refusal writes nothing.
. "$(dirname "$0")/../netns/lib.sh"
need_cmd openssl
need_cmd python3
cd "$WORK" || exit 1
PTY="$L2VPN_SOURCE_ROOT/tests/pki/pty_run.py"
D="$WORK/keys"
export KEY_ORG="Fort-Funston" KEY_COUNTRY=US KEY_ALGO=rsa KEY_SIZE=2048
unset KEY_CN
P() { "$L2VPN_CA_BIN" --dir "$D" pkitool "$@"; }
# on_tty TRANSCRIPT ANSWERS CMD...: run CMD on a terminal, one answer per line of ANSWERS.
on_tty() {
	local transcript=$1 answers=$2
	shift 2
	printf '%s' "$answers" | python3 "$PTY" "$WORK/$transcript" "$@"
}
purpose() { openssl verify -CAfile "$D/ca.crt" -purpose "$1" "$D/$2.crt"; }
listing() { ls -la --time-style=+%s "$D"; }

ok "clean-all" "$L2VPN_CA_BIN" --dir "$D" clean-all
ok "pkitool --initca 'Test Root'" on_tty initca.tty "" "$L2VPN_CA_BIN" --dir "$D" pkitool \
	--initca "Test Root"
fails "... asked nothing on a terminal (batch by default)" grep -q "Country Name" \
	"$WORK/initca.tty"
ok "... ca.crt is the CA 'Test Root'" eval \
	'openssl x509 -in "$D/ca.crt" -noout -subject | grep -q "CN *= *Test Root"'
ok "pkitool --server vpn.example.com" P --server vpn.example.com
ok "... a server certificate" purpose sslserver vpn.example.com
fails "... not a client one" purpose sslclient vpn.example.com
ok "pkitool alice (a client)" P alice
ok "... a client certificate" purpose sslclient alice
fails "... not a server one" purpose sslserver alice
export TEST_PASS="s3cret pass"
ok "pkitool --pass bob (passphrase from --passout)" "$L2VPN_CA_BIN" --dir "$D" \
	--passout env:TEST_PASS pkitool --pass bob
ok "... bob.key is encrypted with it" openssl pkey -in "$D/bob.key" -passin env:TEST_PASS -noout
fails "... and not readable without" openssl pkey -in "$D/bob.key" -passin pass:wrong -noout
ok "pkitool --csr carol" P --csr carol
ok "... a request, no certificate" eval \
	'openssl req -in "$D/carol.csr" -noout -verify 2>/dev/null && ! test -e "$D/carol.crt"'
ok "pkitool --sign carol" P --sign carol
ok "... carol.crt is a client certificate" purpose sslclient carol
ok "pkitool --csr --pass dave" "$L2VPN_CA_BIN" --dir "$D" --passout env:TEST_PASS pkitool \
	--csr --pass dave
ok "... dave.key is encrypted" grep -q "ENCRYPTED PRIVATE KEY" "$D/dave.key"
ok "pkitool --sign --server dave" P --sign --server dave
ok "... dave.crt is a server certificate" purpose sslserver dave
ok "pkitool --inter sub" P --inter sub
ok "... sub.crt is a CA (critical CA:TRUE)" eval \
	'openssl x509 -in "$D/sub.crt" -noout -text | grep -A1 "Basic Constraints" | grep -q "CA:TRUE"'
ok "pkitool --pkcs12 erin (export password from --passout)" "$L2VPN_CA_BIN" --dir "$D" \
	--passout env:TEST_PASS pkitool --pkcs12 erin
ok "... erin.p12 opens with it and holds key, certificate and CA" eval \
	'[ "$(openssl pkcs12 -in "$D/erin.p12" -passin env:TEST_PASS -nodes 2>/dev/null |
	      grep -c "BEGIN")" = 3 ]'
ok "pkitool --keysize 3072 frank" P --keysize 3072 frank
ok "... frank.key is a 3072-bit RSA key" eval \
	'openssl pkey -in "$D/frank.key" -noout -text | grep -q "3072 bit"'
ok "pkitool with no NAME takes KEY_CN" env KEY_CN=grace "$L2VPN_CA_BIN" --dir "$D" pkitool
ok "... grace.crt has CN grace" eval \
	'openssl x509 -in "$D/grace.crt" -noout -subject | grep -q "CN *= *grace"'

# --interact: the easy-rsa prompts, answered on a terminal.
ok "pkitool --interact heidi on a terminal" on_tty heidi.tty $'\n\n\n\n\n\n\n\n' \
	"$L2VPN_CA_BIN" --dir "$D" pkitool --interact heidi
ok "... it prompted for the subject" grep -q "Common Name (eg, your name or your server's hostname) \[heidi\]:" \
	"$WORK/heidi.tty"
ok "... heidi.crt is a client certificate" purpose sslclient heidi

ok "pkitool --version" P --version
ok "pkitool --help lists the forms" eval 'P --help | grep -q -- "--initca"'

# Refusals: usage errors exit 2, nothing is written.
before=$(listing)
expect_exit 2 "--csr and --sign together: usage error" P --csr --sign ivan
expect_match "exclude each other" "... saying why"
expect_exit 2 "--server with --inter: usage error" P --server --inter ivan
expect_exit 2 "--pass with --sign: usage error" P --pass --sign ivan
expect_exit 1 "--pkcs11 lib slot id label: refused" P --pkcs11 /usr/lib/p11.so 0 1 ivan
expect_match "PKCS#11 tokens are not supported" "... saying why"
expect_exit 2 "no NAME and no KEY_CN: usage error" P --server
expect_match "no NAME given and KEY_CN is not set" "... saying why"
expect_exit 2 "--keysize 1024: usage error" P --keysize 1024 ivan
expect_exit 1 "alice again: refused (the key exists)" P alice
expect_match "refusing to overwrite a key" "... saying why"
ok "the refusals wrote nothing" test "$before" = "$(listing)"
done_testing
