#!/bin/bash
# Certificate role and strength, each refusal next to its accepted twin. Certificates are made
# with `openssl` directly, signed by the lab CA: one that names no role at all (no
# extendedKeyUsage, keyUsage or nsCertType), extendedKeyUsage serverAuth only, nsCertType server
# only, extendedKeyUsage clientAuth only, and client certificates with 1024- and 2048-bit RSA
# keys. The client configs have no remote-cert-tls, so the default role check is what decides.
#   - a server accepts only certificates marked for a client, a client only ones marked for a
#     server (by extendedKeyUsage or nsCertType); one that names no role is refused both ways
#     unless that end has `allow-unmarked-certs`, which never admits one marked for the other
#     role
#   - remote-cert-eku and remote-cert-ku (OpenVPN's) pass a certificate that has the named
#     extendedKeyUsage / keyUsage bits and refuse one that lacks them, saying which
#   - TLS security level 2 whatever the OpenSSL configuration says (the daemons run with one
#     that sets level 1): a daemon with a 1024-bit RSA certificate refuses to start, and a peer
#     presenting one is refused; 2048-bit twins pass
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd openssl
lab_need_programs

# mkcert NAME BITS [EXTENSION-LINE...]: $LAB_PKI/NAME.{key,crt}, CN=NAME, signed by the lab CA
# with exactly the given extensions.
serial=100
mkcert() {
	local name=$1 bits=$2 ext=$WORK/$1.ext
	shift 2
	serial=$((serial + 1))
	printf '%s\n' "[ x ]" "$@" >"$ext"
	openssl req -new -newkey "rsa:$bits" -nodes -subj "/CN=$name" -keyout "$LAB_PKI/$name.key" \
		-out "$WORK/$name.csr" 2>>"$WORK/pki.log" &&
		openssl x509 -req -in "$WORK/$name.csr" -CA "$LAB_PKI/ca.crt" -CAkey "$LAB_PKI/ca.key" \
			-set_serial "$serial" -days 30 -sha256 -extfile "$ext" -extensions x \
			-out "$LAB_PKI/$name.crt" 2>>"$WORK/pki.log" && chmod 600 "$LAB_PKI/$name.key"
}
has_ext() { openssl x509 -in "$LAB_PKI/$1.crt" -noout -text | grep -q "$2"; }
certs() {
	lab_pki &&
		mkcert unmarked 2048 "basicConstraints = CA:FALSE" &&
		mkcert eku-server 2048 "extendedKeyUsage = serverAuth" &&
		mkcert ns-server 2048 "nsCertType = server" &&
		mkcert eku-client 2048 "extendedKeyUsage = clientAuth" &&
		mkcert rsa1024 1024 "extendedKeyUsage = clientAuth" "keyUsage = digitalSignature" &&
		mkcert rsa2048 2048 "extendedKeyUsage = clientAuth" "keyUsage = digitalSignature"
}
lab_step "PKI with l2vpn-ca, test certificates with openssl" certs
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
hb0=$(lab_host_ip b 0)
LAB_REMOTE=$(lab_wan_ip a)
ok "unmarked: no extendedKeyUsage, keyUsage or nsCertType" _not eval \
	'has_ext unmarked "Key Usage" || has_ext unmarked "Netscape Cert Type"'
ok "eku-server: extendedKeyUsage serverAuth, nothing else" eval \
	'has_ext eku-server "TLS Web Server Authentication" && ! has_ext eku-server "Netscape" && ! has_ext eku-server "X509v3 Key Usage"'
ok "ns-server: nsCertType server, nothing else" eval \
	'has_ext ns-server "SSL Server" && ! has_ext ns-server "Key Usage"'
ok "eku-client: extendedKeyUsage clientAuth, nothing else" eval \
	'has_ext eku-client "TLS Web Client Authentication" && ! has_ext eku-client "Netscape" && ! has_ext eku-client "X509v3 Key Usage"'
ok "rsa1024 is a 1024-bit key, rsa2048 a 2048-bit one" eval \
	'openssl x509 -in "$LAB_PKI/rsa1024.crt" -noout -text | grep -q "(1024 bit)" &&
	 openssl x509 -in "$LAB_PKI/rsa2048.crt" -noout -text | grep -q "(2048 bit)"'

# srvconf NAME CERT [LINE...] / cliconf NAME CERT [LINE...]: configs using certificate CERT.
srvconf() { lab_conf server.conf "$1" "cert $2.crt" "key $2.key" "${@:3}" >/dev/null; }
cliconf() { lab_conf client.conf "$1" -remote-cert-tls "cert $2.crt" "key $2.key" "${@:3}" >/dev/null; }
srvconf s-std vpn.example.com
srvconf s-unmarked unmarked
srvconf s-unmarked-allow unmarked allow-unmarked-certs
srvconf s-allow vpn.example.com allow-unmarked-certs
srvconf s-eku eku-server
srvconf s-ns ns-server
srvconf s-eku-client eku-client
cliconf c-std vpnc.example.com
cliconf c-allow vpnc.example.com allow-unmarked-certs
cliconf c-unmarked unmarked
cliconf c-eku-client eku-client
cliconf c-eku-server eku-server
cliconf c-ns-server ns-server
cliconf c-rsa1024 rsa1024
cliconf c-rsa2048 rsa2048
cliconf c-eku-named vpnc.example.com 'remote-cert-eku "TLS Web Server Authentication"'
cliconf c-eku-code vpnc.example.com "remote-cert-eku codeSigning"
cliconf c-ku-any vpnc.example.com "remote-cert-ku"
cliconf c-ku-80 vpnc.example.com "remote-cert-ku a0 80"
cliconf c-ku-a0 vpnc.example.com "remote-cert-ku a0"

run_pair() {
	bg a "srv-$1" env OPENSSL_CONF="$WORK/seclevel1.cnf" "$L2VPN_BIN" --config "$LAB_PKI/$2.conf"
	bg b "cli-$1" env OPENSSL_CONF="$WORK/seclevel1.cnf" "$L2VPN_BIN" --config "$LAB_PKI/$3.conf"
	_lab_daemons+=("srv-$1" "cli-$1")
}
end_pair() {
	stop "cli-$1"
	stop "srv-$1"
}
# An OpenSSL configuration that lowers every TLS context to security level 1 (1024-bit RSA
# passes there): the daemons run with it, so only their own floor can refuse weak keys.
cat >"$WORK/seclevel1.cnf" <<'CNF'
openssl_conf = init
[init]
ssl_conf = ssl
[ssl]
system_default = sys
[sys]
CipherString = DEFAULT:@SECLEVEL=1
CNF
# accepted TAG SRV CLI: both ends reach link up and ping crosses.
accepted() {
	run_pair "$@"
	ok "$1: accepted: server link up" lab_wait_up "srv-$1"
	ok "$1: accepted: client link up" lab_wait_up "cli-$1"
	ok "$1: accepted: ping crosses" lab_wait_ping ha0 "$hb0" 5
	end_pair "$1"
}
# refused TAG SRV CLI WHO REGEX: WHO (srv or cli) logs REGEX; no link up, no ping.
refused() {
	run_pair "$@"
	ok "$1: refused: $4 logs /$5/" wait_for 10 lab_logged "$4-$1" "$5"
	fails "$1: refused: no ping across" lab_ping ha0 "$hb0" 2
	fails "$1: refused: no link up on either end" eval \
		'lab_logged "srv-$1" ": link up " || lab_logged "cli-$1" ": link up "'
	end_pair "$1"
}
NOROLE='names no TLS role \(no extendedKeyUsage, no nsCertType\) and a TLS %s certificate is required'
printf -v NOROLE_CLIENT "$NOROLE" client
printf -v NOROLE_SERVER "$NOROLE" server

# --- a certificate that names no role
refused unmarked-client s-std c-unmarked srv "$NOROLE_CLIENT"
accepted unmarked-client-allowed s-allow c-unmarked
refused unmarked-server s-unmarked c-std cli "$NOROLE_SERVER"
accepted unmarked-server-allowed s-unmarked c-allow

# --- extendedKeyUsage serverAuth only: a server, never a client
accepted eku-server-as-server s-eku c-std
refused eku-server-as-client s-std c-eku-server srv 'not valid for a TLS client|unsuitable certificate purpose'
refused eku-server-as-client-allow s-allow c-eku-server srv 'not valid for a TLS client|unsuitable certificate purpose'

# --- nsCertType server only: a server, never a client
accepted ns-server-as-server s-ns c-std
refused ns-server-as-client s-std c-ns-server srv 'not valid for a TLS client|unsuitable certificate purpose'

# --- extendedKeyUsage clientAuth only: a client, never a server
accepted eku-client-as-client s-std c-eku-client
refused eku-client-as-server s-eku-client c-std cli 'not valid for a TLS server|unsuitable certificate purpose'

# --- remote-cert-eku and remote-cert-ku (l2vpn-ca's server certificate: extendedKeyUsage
# serverAuth, keyUsage digitalSignature = 80 for its EC key; eku-server has no keyUsage)
accepted eku-named s-std c-eku-named
refused eku-not-named s-std c-eku-code cli \
	"remote-cert-eku codeSigning: the peer certificate's extendedKeyUsage does not name it"
accepted ku-present s-std c-ku-any
refused ku-absent s-eku c-ku-any cli 'remote-cert-ku: the peer certificate has no keyUsage'
accepted ku-one-value-matches s-std c-ku-80
refused ku-bits-missing s-std c-ku-a0 cli 'remote-cert-ku: .*keyUsage \(80\) holds the bits of none'

# --- security level 2
expect_exit 1 "rsa1024: a client with a 1024-bit certificate refuses to start (exit 1)" \
	timeout 10 ip netns exec "$(ns b)" env OPENSSL_CONF="$WORK/seclevel1.cnf" "$L2VPN_BIN" \
	--config "$LAB_PKI/c-rsa1024.conf"
expect_match 'rsa1024\.crt: .*(ee key too small|key too small)' \
	"rsa1024: the message names the certificate and says the key is too small"
accepted rsa2048 s-std c-rsa2048
bg a srv-weak env OPENSSL_CONF="$WORK/seclevel1.cnf" "$L2VPN_BIN" --config "$LAB_PKI/s-std.conf"
_lab_daemons+=(srv-weak)
ok "weak peer: server listening" wait_for 10 lab_logged srv-weak 'listening on TCP'
# A TLS client that itself allows weak keys (security level 0) presents the certificate. The
# server closes the connection (s_client exits 1); a kept connection ends at the timeout (124).
s_client() {
	timeout 5 ip netns exec "$(ns b)" env OPENSSL_CONF="$WORK/seclevel1.cnf" openssl s_client \
		-ign_eof -connect "$LAB_REMOTE:1194" -CAfile "$LAB_PKI/ca.crt" \
		-cipher 'DEFAULT:@SECLEVEL=0' -cert "$LAB_PKI/$1.crt" -key "$LAB_PKI/$1.key" \
		</dev/null 2>&1 | tr -d '\000'
	return "${PIPESTATUS[0]}"
}
expect_exit 1 "weak peer: a TLS client with the 1024-bit certificate is refused (exit 1)" \
	s_client rsa1024
ok "weak peer: the server logs why" wait_for 5 lab_logged srv-weak \
	'TLS handshake failed: .*(key too weak|key too small)'
expect_exit 124 "weak peer: one with the 2048-bit certificate is kept until the timeout (124)" \
	s_client rsa2048
stop srv-weak

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
