#!/bin/bash
# l2vpn-ca safety: permissions under umask 022, no key overwrite, usage errors (exit 2) and
# corrupt inputs (exit 1, one line naming the file) leave KEY_DIR untouched, a hostile CSR
# gets only the client profile, duplicate CNs, clean-all refusing/moving aside.
. "$(dirname "$0")/../netns/lib.sh"
need_cmd openssl
cd "$WORK" || exit 1
umask 022
D="$WORK/keys"
CA() { "$L2VPN_CA_BIN" --batch --dir "$D" "$@"; }
# snap: every file of KEY_DIR with its mode and checksum (the lock file aside).
snap() { (cd "$D" && find . -type f ! -name .lock -printf '%p %m ' -exec sha256sum {} \; | sort); }
mode() { stat -c %a "$1"; }

ok "clean-all" CA clean-all
ok "KEY_DIR is 0700 under umask 022" test "$(mode "$D")" = 700
ok "build-ca" CA build-ca
ok "build-key-server srv" CA build-key-server srv
ok "build-key cli" CA build-key cli
ok "build-key-pkcs12 p12user (export password from env)" env P12PASS=exportpw \
	"$L2VPN_CA_BIN" --batch --dir "$D" --passout env:P12PASS build-key-pkcs12 p12user
for f in ca.key srv.key cli.key p12user.key p12user.p12; do
	ok "$f is 0600 under umask 022" test "$(mode "$D/$f")" = 600
done
for f in ca.crt srv.crt cli.crt index.txt serial; do
	ok "$f is 0644" test "$(mode "$D/$f")" = 644
done
ok "p12 opens with the export password (current OpenSSL, no legacy provider)" \
	openssl pkcs12 -in "$D/p12user.p12" -passin pass:exportpw -noout
ok "p12 uses 3DES (readable by older importers)" sh -c "openssl pkcs12 -info -in \
	'$D/p12user.p12' -passin pass:exportpw -noout 2>&1 | grep -q 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC'"
fails "p12 refuses a wrong password" openssl pkcs12 -in "$D/p12user.p12" -passin pass:nope \
	-noout

# No overwrite of an existing key, nothing written.
before=$(snap)
key_before=$(sha256sum "$D/cli.key")
expect_exit 1 "build-key of an existing name fails" CA build-key cli
expect_match "cli.key: exists" "the reason names the key file"
ok "existing key unchanged" test "$(sha256sum "$D/cli.key")" = "$key_before"
expect_exit 1 "build-req of an existing name fails" CA build-req srv
expect_exit 1 "build-ca again fails (CA key exists)" CA build-ca
ok "nothing written by the refused commands" test "$(snap)" = "$before"

# Usage errors: exit 2, nothing written.
expect_exit 2 "build-key without NAME is a usage error" CA build-key
expect_match "usage: l2vpn-ca" "usage is printed"
expect_exit 2 "build-key with two names is a usage error" CA build-key a b
expect_exit 2 "unknown option is a usage error" CA build-key --bogus x
expect_exit 2 "unknown command is a usage error" CA frobnicate
expect_exit 2 "sign-req with a bad profile word" CA sign-req wizard x
ok "nothing written by usage errors" test "$(snap)" = "$before"
ok "help lists the verbs" sh -c "'$L2VPN_CA_BIN' help | grep -q revoke-full"
ok "help COMMAND names aliases" sh -c "'$L2VPN_CA_BIN' help build-key-server | \
	grep -q build-server-full"

# Bad names.
expect_exit 1 "a CN with '/' is refused" CA build-key "a/b"
expect_exit 1 "a CN with ',' is refused" CA build-key "a,b"
expect_exit 1 "a CN of 65 bytes is refused" CA build-key "$(printf 'a%.0s' $(seq 65))"
expect_exit 1 "a CN with a control character is refused" CA build-key "$(printf 'a\tb')"
ok "nothing written for bad names" test "$(snap)" = "$before"

# Corrupt index / serial / CSR / missing CA: exit 1, one line naming the file.
cp "$D/index.txt" "$WORK/index.good"
printf 'garbage line\n' >>"$D/index.txt"
before=$(snap)
expect_exit 1 "corrupt index.txt: sign fails" CA build-key newcli
expect_match "index.txt:[0-9]+: corrupt" "the reason names index.txt and the line"
ok "one line of error" test "$(printf '%s\n' "$OUT" | wc -l)" = 1
ok "nothing written with a corrupt index" test "$(snap)" = "$before"
cp "$WORK/index.good" "$D/index.txt"
cp "$D/serial" "$WORK/serial.good"
echo "not-hex" >"$D/serial"
before=$(snap)
expect_exit 1 "corrupt serial: sign fails" CA build-key newcli
expect_match "serial: corrupt" "the reason names the serial file"
ok "nothing written with a corrupt serial" test "$(snap)" = "$before"
cp "$WORK/serial.good" "$D/serial"
echo "-----BEGIN CERTIFICATE REQUEST-----" >"$D/broken.csr"
before=$(snap)
expect_exit 1 "corrupt CSR: sign-req fails" CA sign-req broken
expect_match "broken.csr" "the reason names the CSR"
ok "nothing written with a corrupt CSR" test "$(snap)" = "$before"
expect_exit 1 "sign-req of a missing CSR fails" CA sign-req nobody
expect_match "nobody.csr" "the reason names the missing CSR"
mkdir -p "$WORK/noca"
"$L2VPN_CA_BIN" --batch --dir "$WORK/noca/k" clean-all >/dev/null
expect_exit 1 "build-key without a CA fails" "$L2VPN_CA_BIN" --batch --dir "$WORK/noca/k" \
	build-key x
expect_match "ca.crt: missing CA" "the reason names ca.crt"
fails "no key left behind without a CA" test -e "$WORK/noca/k/x.key"

# A hostile CSR asking for CA:TRUE, serverAuth and keyCertSign, signed as a client.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=evil \
	-keyout "$WORK/evil.key" -out "$D/evil.csr" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
	-addext "extendedKeyUsage=serverAuth,clientAuth" \
	-addext "subjectAltName=DNS:vpn.example.com" 2>/dev/null
ok "hostile CSR signed as a client" CA sign-req evil
text=$(openssl x509 -in "$D/evil.crt" -noout -text | tr -s ' \n' ' ')
ok "hostile: CA:FALSE" grep -q "Basic Constraints: CA:FALSE" <<<"$text"
fails "hostile: no CA:TRUE" grep -q "CA:TRUE" <<<"$text"
fails "hostile: no keyCertSign" grep -q "Certificate Sign" <<<"$text"
ok "hostile: EKU clientAuth only" grep -q \
	"Extended Key Usage: TLS Web Client Authentication Netscape" <<<"$text"
fails "hostile: no serverAuth" grep -q "Server Authentication" <<<"$text"
fails "hostile: no SAN from the CSR" grep -q "Alternative Name" <<<"$text"
fails "hostile: rejected as sslserver" openssl verify -CAfile "$D/ca.crt" -purpose sslserver \
	"$D/evil.crt"
fails "hostile: cannot act as a CA" openssl verify -CAfile "$D/ca.crt" -purpose any \
	-x509_strict -partial_chain -CAfile "$D/evil.crt" "$D/srv.crt"

# A subject index.txt cannot hold unambiguously ("/O=x/CN=srv/CN=sneaky" reads as CN=srv).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/O=x\/CN=srv/CN=sneaky' \
	-keyout "$WORK/sneaky.key" -out "$D/sneaky.csr" 2>/dev/null
before=$(snap)
expect_exit 1 "a CSR with '/' in a subject field is refused" CA sign-req sneaky
expect_match "sneaky.csr: subject fields must not contain '/'" "the reason names the CSR"
ok "nothing written for the refused CSR" test "$(snap)" = "$before"
openssl req -new -newkey rsa:1024 -nodes -subj /CN=weak -keyout "$WORK/weak.key" \
	-out "$D/weak.csr" 2>/dev/null
expect_exit 1 "a CSR with a 1024-bit RSA key is refused" CA sign-req weak
expect_match "weak.csr: RSA key size" "the reason names the CSR and the key size"
openssl req -new -key "$WORK/evil.key" -subj /CN=evilder -outform DER -out "$D/evilder.csr"
ok "a DER CSR is signed too" CA sign-req evilder

# Duplicate CN.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=cli \
	-keyout "$WORK/cli2.key" -out "$D/cli2.csr" 2>/dev/null
expect_exit 1 "a second valid certificate for a CN is refused" CA sign-req cli2
expect_match "already has a valid certificate" "the reason says so"
ok "--force allows it" "$L2VPN_CA_BIN" --batch --force --dir "$D" sign-req cli2
expect_exit 1 "revoke by ambiguous CN is refused" CA revoke-full cli
expect_match "by serial" "and asks for a serial"
serial=$(openssl x509 -in "$D/cli2.crt" -noout -serial | cut -d= -f2)
ok "revoke by serial works" CA revoke-full "$serial"

# Encrypted CA key: passphrase from --passin; a wrong one is a one-line error.
E="$WORK/enc"
export CAPASS="ca pass phrase"
ok "build-ca with an encrypted key" sh -c "'$L2VPN_CA_BIN' --batch --dir '$E' clean-all && \
	'$L2VPN_CA_BIN' --batch --dir '$E' --passout env:CAPASS build-ca"
ok "ca.key is encrypted" grep -q "ENCRYPTED PRIVATE KEY" "$E/ca.key"
ok "signing with --passin env:" "$L2VPN_CA_BIN" --batch --dir "$E" --passin env:CAPASS \
	build-key-server s1
expect_exit 1 "a wrong CA passphrase fails" env WRONG=nope "$L2VPN_CA_BIN" --batch \
	--dir "$E" --passin env:WRONG build-key s2
expect_match "ca.key: cannot decrypt" "the reason names ca.key"
fails "no key left behind after a wrong passphrase" test -e "$E/s2.key"
expect_exit 1 "no passphrase source in batch mode fails" "$L2VPN_CA_BIN" --batch --dir "$E" \
	build-key s3

# clean-all refuses an existing PKI; --force moves it aside, deleting nothing.
expect_exit 1 "clean-all refuses an existing PKI" CA clean-all
ok "the CA is still there" test -f "$D/ca.key"
ok "clean-all --force" "$L2VPN_CA_BIN" --batch --force --dir "$D" clean-all
ok "the old PKI was moved aside intact" sh -c "ls -d '$D'.old-* >/dev/null && \
	test -f \"\$(ls -d '$D'.old-* | head -1)/ca.key\""
ok "the new KEY_DIR is empty and initialised" sh -c "test -f '$D/index.txt' && \
	! test -e '$D/ca.key' && test \"\$(cat '$D/serial')\" = 01"

done_testing
