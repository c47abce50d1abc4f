#!/bin/bash
# l2vpn-ca interactive mode, driven through a pseudo-terminal (tests/pki/pty_run.py): the
# easy-rsa 2.0 prompts appear with the vars defaults in brackets, typed answers land in the
# certificate subject, an empty answer keeps the default and "." empties a field; passphrases
# are asked twice; sign-req asks before signing; --batch on a terminal asks nothing.
. "$(dirname "$0")/../netns/lib.sh"
need_cmd openssl
need_cmd python3
cd "$WORK" || exit 1
PTY="$L2VPN_SOURCE_ROOT/tests/pki/pty_run.py"
D="$WORK/keys"
export KEY_COUNTRY=US KEY_PROVINCE=CA KEY_CITY=SanFrancisco KEY_ORG="Fort-Funston"
export KEY_EMAIL=me@myhost.mydomain KEY_OU=MyOrgUnit
unset KEY_CN KEY_NAME KEY_ALGO KEY_SIZE
# on_tty TRANSCRIPT ANSWERS CMD...: run CMD on a terminal, one answer per line of ANSWERS.
on_tty() {
	local transcript=$1 answers=$2
	shift 2
	printf '%s' "$answers" | python3 "$PTY" "$WORK/$transcript" "$@"
}
# subject FILE: the certificate's subject, RFC 2253 style, fields in certificate order.
subject() { openssl x509 -in "$1" -noout -subject -nameopt sep_comma_plus_space,sname,utf8; }
has() { grep -qF -- "$2" "$WORK/$1"; }

ok "clean-all (batch)" "$L2VPN_CA_BIN" --batch --dir "$D" clean-all

# build-ca: accept every default but the CN.
ok "build-ca on a terminal" on_tty ca.tty $'\n\n\n\n\nTest Root CA\n\n\n' \
	"$L2VPN_CA_BIN" --dir "$D" build-ca
ok "it asked for the country with the vars default" has ca.tty "Country Name (2 letter code) [US]:"
ok "it asked for the CN with the built-in default" has ca.tty \
	"Common Name (eg, your name or your server's hostname) [Fort-Funston CA]:"
ok "ca.crt has the typed CN and the defaults" test "$(subject "$D/ca.crt")" = \
	"subject=C=US, ST=CA, L=SanFrancisco, O=Fort-Funston, OU=MyOrgUnit, CN=Test Root CA, emailAddress=me@myhost.mydomain"

# build-key: type over some defaults, keep others, empty one with ".".
answers=$'DE\nBerlin\n\nExample Org\n.\n\nAlice Example\nalice@example.com\n'
ok "build-key alice on a terminal" on_tty alice.tty "$answers" "$L2VPN_CA_BIN" --dir "$D" \
	build-key alice
for prompt in "Country Name (2 letter code) [US]:" "State or Province Name (full name) [CA]:" \
	"Locality Name (eg, city) [SanFrancisco]:" "Organization Name (eg, company) [Fort-Funston]:" \
	"Organizational Unit Name (eg, section) [MyOrgUnit]:" \
	"Common Name (eg, your name or your server's hostname) [alice]:" "Name []:" \
	"Email Address [me@myhost.mydomain]:"; do
	ok "prompt: $prompt" has alice.tty "$prompt"
done
ok "alice.crt subject: typed values, kept default city, no OU" test "$(subject "$D/alice.crt")" = \
	"subject=C=DE, ST=Berlin, L=SanFrancisco, O=Example Org, CN=alice, name=Alice Example, emailAddress=alice@example.com"
ok "alice.crt verifies as a client" openssl verify -CAfile "$D/ca.crt" -purpose sslclient \
	"$D/alice.crt"
ok "the index row has the typed subject" grep -qF \
	"/C=DE/ST=Berlin/L=SanFrancisco/O=Example Org/CN=alice/name=Alice Example/emailAddress=alice@example.com" \
	"$D/index.txt"

# A CN typed at the prompt goes through the same checks as one on the command line.
expect_exit 1 "a typed CN with '/' is refused" on_tty badcn.tty $'\n\n\n\n\nbad/cn\n\n\n' \
	"$L2VPN_CA_BIN" --dir "$D" build-key badcn
ok "the refusal names the CN on the terminal" has badcn.tty 'CN "bad/cn"'
fails "no key or certificate for it" test -e "$D/badcn.crt"

# build-key-pass: the passphrase is asked twice, not echoed, and must match.
ok "build-key-pass bob on a terminal" on_tty bob.tty $'\n\n\n\n\nbob\n\n\nbob pass phrase\nbob pass phrase\n' \
	"$L2VPN_CA_BIN" --dir "$D" build-key-pass bob
ok "it asked for a passphrase" has bob.tty "Enter PEM pass phrase"
fails "the passphrase was not echoed" has bob.tty "bob pass phrase"
ok "bob.key opens with the typed passphrase" openssl pkey -in "$D/bob.key" \
	-passin "pass:bob pass phrase" -noout
expect_exit 1 "mismatched passphrases are refused" on_tty carol.tty \
	$'\n\n\n\n\ncarol\n\n\nfirst phrase\nsecond phrase\n' "$L2VPN_CA_BIN" --dir "$D" \
	build-key-pass carol
ok "it says so" has carol.tty "passphrases do not match"
fails "no key for carol" test -e "$D/carol.key"

# sign-req asks before signing and shows the request's subject.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/O=Remote Site/CN=dave" -keyout "$WORK/dave.key" -out "$D/dave.csr" 2>/dev/null
expect_exit 1 "sign-req answered n does not sign" on_tty dave-n.tty $'n\n' "$L2VPN_CA_BIN" --dir "$D" \
	sign-req dave
ok "it showed the subject and the profile" sh -c "grep -qF 'Subject: /O=Remote Site/CN=dave' \
	'$WORK/dave-n.tty' && grep -qF 'Profile: client' '$WORK/dave-n.tty'"
ok "it asked Sign the certificate? [y/n]" has dave-n.tty "Sign the certificate? [y/n]:"
ok "it says not signed" has dave-n.tty "dave.csr: not signed"
fails "no certificate after n" test -e "$D/dave.crt"
ok "sign-req answered y signs" on_tty dave-y.tty $'y\n' "$L2VPN_CA_BIN" --dir "$D" sign-req dave
ok "dave.crt keeps the request's subject" test "$(subject "$D/dave.crt")" = \
	"subject=O=Remote Site, CN=dave"

# --batch on a terminal: no prompt at all (an answer would be left over: exit 0, not 125).
ok "build-key --batch on a terminal" on_tty erin.tty "" "$L2VPN_CA_BIN" --batch --dir "$D" \
	build-key erin
fails "it asked nothing" has erin.tty "Country Name"
ok "erin.crt has the vars defaults" test "$(subject "$D/erin.crt")" = \
	"subject=C=US, ST=CA, L=SanFrancisco, O=Fort-Funston, OU=MyOrgUnit, CN=erin, emailAddress=me@myhost.mydomain"

done_testing
