#!/bin/bash
# l2vpn-ca check/list/renew/gen-crl/export: check fires on a CRL about to expire and on an
# expired certificate (made with the test-only --backdate DAYS option and KEY_EXPIRE=1, see
# l2vpn-ca(8)); every other command warns about the CRL; renew revokes the old certificate.
. "$(dirname "$0")/../netns/lib.sh"
need_cmd openssl
cd "$WORK" || exit 1
D="$WORK/keys"
CA() { "$L2VPN_CA_BIN" --batch --dir "$D" "$@"; }

ok "setup: clean-all, build-ca, server, client" sh -c "'$L2VPN_CA_BIN' --batch --dir '$D' \
	clean-all && '$L2VPN_CA_BIN' --batch --dir '$D' build-ca && \
	'$L2VPN_CA_BIN' --batch --dir '$D' build-key-server srv && \
	'$L2VPN_CA_BIN' --batch --dir '$D' build-key cli"
expect_exit 0 "check passes on a fresh PKI" CA check
ok "gen-crl" CA gen-crl
expect_exit 0 "check passes with a fresh CRL" CA check

# A CRL about to expire.
CRL_DAYS=5 ok "gen-crl with CRL_DAYS=5" CA gen-crl
expect_exit 1 "check fires on a CRL expiring within 30 days" CA check
expect_match "EXPIRING: CRL .*crl.pem expires in" "check names the CRL"
expect_exit 0 "check --days 2 does not fire for it" CA check --days 2
expect_exit 0 "other commands still work" CA list
expect_match "warning: .*crl.pem expires in" "and warn about the CRL in one line"
chmod 0640 "$D/crl.pem"
ok "gen-crl renews it" CA gen-crl
ok "gen-crl keeps the file's mode" test "$(stat -c %a "$D/crl.pem")" = 640
expect_exit 0 "check passes again" CA check

# An expired CRL (issued 10 days ago, valid 1 day).
CRL_DAYS=1 ok "gen-crl backdated 10 days" "$L2VPN_CA_BIN" --batch --dir "$D" --backdate 10 \
	gen-crl
expect_exit 1 "check fires on an expired CRL" CA check
expect_match "EXPIRED: CRL" "check says the CRL expired"
ok "gen-crl" CA gen-crl

# An expired certificate: valid 1 day, issued 3 days ago.
KEY_EXPIRE=1 ok "issue a certificate backdated into the past" "$L2VPN_CA_BIN" --batch \
	--dir "$D" --backdate 3 build-key old
fails "openssl agrees it has expired" openssl verify -CAfile "$D/ca.crt" "$D/old.crt"
expect_exit 1 "check fires on the expired certificate" CA check
expect_match "EXPIRED: certificate old" "check names it"
expect_exit 0 "list" CA list
expect_match "old +[0-9A-F]+ +client +expired" "list shows it expired"
KEY_EXPIRE=10 ok "a certificate expiring in 10 days" CA build-key soon
expect_exit 1 "check fires on it" CA check
expect_match "EXPIRING: certificate soon" "check names it"
ok "revoke the two" sh -c "'$L2VPN_CA_BIN' --batch --dir '$D' revoke-full old && \
	'$L2VPN_CA_BIN' --batch --dir '$D' revoke-full soon"
expect_exit 0 "revoked certificates are not reported" CA check

# renew: new certificate for the same key and CN, the old one revoked.
old_serial=$(openssl x509 -in "$D/cli.crt" -noout -serial | cut -d= -f2)
key_sum=$(sha256sum <"$D/cli.key")
ok "renew cli" CA renew cli
new_serial=$(openssl x509 -in "$D/cli.crt" -noout -serial | cut -d= -f2)
ok "renew gives a new serial" test "$old_serial" != "$new_serial"
ok "renew keeps the key" test "$(sha256sum <"$D/cli.key")" = "$key_sum"
ok "renewed cert matches the key" sh -c "test \"\$(openssl x509 -in '$D/cli.crt' -noout \
	-pubkey)\" = \"\$(openssl pkey -in '$D/cli.key' -pubout)\""
ok "renewed cert keeps the client profile" openssl verify -CAfile "$D/ca.crt" -purpose \
	sslclient "$D/cli.crt"
ok "the old serial is revoked (superseded) in the index" grep -qP \
	"^R\t.*,superseded\t$old_serial\t" "$D/index.txt"
cat "$D/ca.crt" "$D/crl.pem" >"$WORK/chain.pem"
fails "the old certificate is rejected with the CRL" openssl verify -crl_check -CAfile \
	"$WORK/chain.pem" "$D/$old_serial.pem"
ok "the new one is accepted with the CRL" openssl verify -crl_check -CAfile \
	"$WORK/chain.pem" "$D/cli.crt"
expect_exit 0 "show prints hex and decimal serial" CA show cli
expect_match "Serial: $new_serial \(hex\), [0-9]+ \(decimal\)" "show: both serial forms"

# export: a client config with inline blocks, 0600.
umask 022
ok "export cli --remote vpn.example.com:1195" CA export cli --remote vpn.example.com:1195
ok "export is 0600" test "$(stat -c %a "$D/cli.conf")" = 600
ok "export has remote, remote-cert-tls and inline PEM" sh -c "grep -qx 'remote \
vpn.example.com 1195' '$D/cli.conf' && grep -qx 'remote-cert-tls server' '$D/cli.conf' && \
	grep -qx '<ca>' '$D/cli.conf' && grep -qx '</cert>' '$D/cli.conf' && \
	grep -q 'PRIVATE KEY' '$D/cli.conf'"
ok "the inline cert is the client's" sh -c "sed -n '/<cert>/,/<\/cert>/p' '$D/cli.conf' | \
	sed '1d;\$d' | cmp - '$D/cli.crt'"
expect_exit 2 "export refuses a remote with config syntax in it" CA export cli \
	--remote "vpn.example.com 1194 extra"
expect_exit 1 "export of a server certificate is refused" CA export srv
expect_exit 1 "export does not overwrite without --force" CA export cli

done_testing
