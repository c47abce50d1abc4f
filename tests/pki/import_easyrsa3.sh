#!/bin/bash
# l2vpn-ca import-easyrsa3: a PKI made by Debian's easy-rsa 3 package becomes an easy-rsa
# 2.0 style KEY_DIR without changing any certificate, and l2vpn-ca keeps working on it.
. "$(dirname "$0")/../netns/lib.sh"
need_cmd openssl
EASYRSA=/usr/share/easy-rsa/easyrsa
if [ ! -x "$EASYRSA" ]; then
	[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - easy-rsa not installed"; exit 1; }
	skip_all "easy-rsa not installed ($EASYRSA)"
fi
cd "$WORK" || exit 1
mkdir er3 && cd er3 || exit 1
# easy-rsa 3 needs its own directory of helpers next to the script.
cp -r /usr/share/easy-rsa/. .
export EASYRSA_BATCH=1 EASYRSA_ALGO=ec EASYRSA_CURVE=prime256v1
ok "easy-rsa 3: init-pki" ./easyrsa init-pki
ok "easy-rsa 3: build-ca nopass" ./easyrsa build-ca nopass
ok "easy-rsa 3: build-server-full srv nopass" ./easyrsa build-server-full srv nopass
ok "easy-rsa 3: build-client-full cli nopass" ./easyrsa build-client-full cli nopass
ok "easy-rsa 3: build-client-full gone nopass" ./easyrsa build-client-full gone nopass
ok "easy-rsa 3: revoke gone" ./easyrsa revoke gone
ok "easy-rsa 3: gen-crl" ./easyrsa gen-crl
cd "$WORK" || exit 1
D="$WORK/keys"
CA() { "$L2VPN_CA_BIN" --batch --dir "$D" "$@"; }
P="$WORK/er3/pki"

expect_exit 0 "import-easyrsa3" CA import-easyrsa3 "$P"
expect_match "imported" "import reports what it did"
ok "KEY_DIR is 0700" test "$(stat -c %a "$D")" = 700
ok "ca.crt unchanged" cmp "$P/ca.crt" "$D/ca.crt"
ok "ca.key copied, 0600" sh -c "cmp '$P/private/ca.key' '$D/ca.key' && \
	test \"\$(stat -c %a '$D/ca.key')\" = 600"
ok "srv.crt/key from issued/ and private/" sh -c "cmp '$P/issued/srv.crt' '$D/srv.crt' && \
	cmp '$P/private/srv.key' '$D/srv.key' && test \"\$(stat -c %a '$D/srv.key')\" = 600"
ok "cli.csr from reqs/cli.req" cmp "$P/reqs/cli.req" "$D/cli.csr"
ok "index.txt unchanged" cmp "$P/index.txt" "$D/index.txt"
ok "serial and crl.pem copied" sh -c "cmp '$P/serial' '$D/serial' && \
	cmp '$P/crl.pem' '$D/crl.pem'"
ok "certs_by_serial copies are SERIAL.pem" sh -c "for f in '$P'/certs_by_serial/*.pem; do \
	cmp \"\$f\" '$D/'\"\$(basename \"\$f\")\" || exit 1; done"
ok "imported server cert verifies" openssl verify -CAfile "$D/ca.crt" -purpose sslserver \
	"$D/srv.crt"
expect_exit 0 "list works on the import" CA list
expect_match "srv +[0-9A-F]+ +server +valid" "list: srv is a valid server"
expect_match "gone +[0-9A-F]+ +client +revoked" "list: gone is revoked"
ok "sign with the imported CA" CA build-key newcli
ok "the new cert verifies against the imported CA" openssl verify -CAfile "$D/ca.crt" \
	-purpose sslclient "$D/newcli.crt"
ok "revoke an imported certificate" CA revoke-full cli
cat "$D/ca.crt" "$D/crl.pem" >"$WORK/chain.pem"
fails "the CRL rejects it" openssl verify -crl_check -CAfile "$WORK/chain.pem" "$D/cli.crt"
fails "the CRL still rejects the one easy-rsa revoked" openssl verify -crl_check -CAfile \
	"$WORK/chain.pem" "$P/revoked/certs_by_serial/"*.crt
expect_exit 1 "import into an existing PKI is refused" CA import-easyrsa3 "$P"
expect_exit 1 "import of a non-PKI is refused" "$L2VPN_CA_BIN" --batch --dir "$WORK/k2" \
	import-easyrsa3 "$WORK"
expect_match "ca.crt missing" "the reason names what is missing"

done_testing
