#!/bin/bash
# An intermediate CA chain, end to end. An offline root CA ($WORK/root) builds the
# intermediate "ops-ca" (build-inter); the operators' PKI inherits it (inherit-inter) and
# issues the server and two clients with pkitool. Then, with the daemons:
#   - both ends trust export-ca.crt (root + intermediate): the link comes up, ping crosses
#   - both ends trust the root alone: refused while the cert files hold only the leaf, up
#     once each cert file also carries the intermediate (the daemon sends the chain)
#   - crl-verify with the intermediate's CRL alone refuses everyone, saying the chain's other
#     CRL is missing (as OpenVPN 2.4 and later do); with the root's and the intermediate's
#     CRLs in the file, the revoked client is refused and the other comes up
#   - renew-ca on a flat PKI: a server trusting the renewed ca.crt and a client trusting the
#     old one still accept each other's certificates, all issued before the renewal
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
need_root
need_cmd openssl
lab_need_programs

ROOT=$WORK/root
root_ca() { LAB_CA_DIR=$ROOT lab_ca "$@"; }
chain_pki() {
	root_ca clean-all && root_ca build-ca "Root CA" && root_ca build-inter ops-ca &&
		root_ca gen-crl &&
		lab_ca clean-all && lab_ca inherit-inter "$ROOT" ops-ca &&
		lab_ca pkitool --server vpn.example.com && lab_ca pkitool vpnc.example.com &&
		lab_ca pkitool vpnc2.example.com && lab_ca build-dh 2048 && lab_ca gen-crl
}
lab_step "root CA, intermediate ops-ca, the site PKI inherits it" chain_pki
lab_step "two sites with br0, a LAN host on each" lab_two_sites 1
hb0=$(lab_host_ip b 0)
LAB_REMOTE=$(lab_wan_ip a)

ok "export-ca.crt holds the root and the intermediate" eval \
	'[ "$(grep -c "BEGIN CERTIFICATE" "$LAB_PKI/export-ca.crt")" = 2 ]'
ok "the server certificate is issued by ops-ca" eval \
	'openssl x509 -in "$LAB_PKI/vpn.example.com.crt" -noout -issuer | grep -q "CN *= *ops-ca"'
cp "$ROOT/ca.crt" "$LAB_PKI/root.crt"
for leaf in vpn.example.com vpnc.example.com vpnc2.example.com; do
	cat "$LAB_PKI/$leaf.crt" "$LAB_PKI/ca.crt" >"$LAB_PKI/$leaf-chain.crt"
done

run_pair() {
	lab_start a "srv-$1" "$2"
	lab_start b "cli-$1" "$3"
}
end_pair() {
	stop "cli-$1"
	stop "srv-$1"
}
# accepted TAG SRV CLI: both ends reach link up and ping crosses.
accepted() {
	run_pair "$@"
	ok "$1: server link up" lab_wait_up "srv-$1"
	ok "$1: client link up" lab_wait_up "cli-$1"
	ok "$1: ping crosses" lab_wait_ping ha0 "$hb0" 5
	end_pair "$1"
}
# refused TAG SRV CLI WHO REGEX: WHO (srv or cli) logs REGEX; no link up, no ping.
refused() {
	run_pair "$@"
	ok "$1: $4 logs /$5/" wait_for 10 lab_logged "$4-$1" "$5"
	fails "$1: no ping across" lab_ping ha0 "$hb0" 2
	fails "$1: no link up on either end" eval \
		'lab_logged "srv-$1" ": link up " || lab_logged "cli-$1" ": link up "'
	end_pair "$1"
}

lab_conf server.conf s-bundle "ca export-ca.crt" >/dev/null
lab_conf client.conf c-bundle "ca export-ca.crt" >/dev/null
lab_conf server.conf s-root "ca root.crt" >/dev/null
lab_conf client.conf c-root "ca root.crt" >/dev/null
lab_conf server.conf s-root-chain "ca root.crt" "cert vpn.example.com-chain.crt" >/dev/null
lab_conf client.conf c-root-chain "ca root.crt" "cert vpnc.example.com-chain.crt" >/dev/null
accepted bundle s-bundle c-bundle
refused root-leaf-only s-root c-root cli 'unable to get local issuer certificate'
accepted root-chain s-root-chain c-root-chain

# --- revocation through the intermediate
lab_step "vpnc2 revoked in the site PKI" lab_ca revoke-full vpnc2.example.com
cp "$LAB_PKI/crl.pem" "$LAB_PKI/ops-crl.pem"
cat "$ROOT/crl.pem" "$LAB_PKI/crl.pem" >"$LAB_PKI/chain-crl.pem"
lab_conf server.conf s-ops-crl "ca export-ca.crt" "crl-verify ops-crl.pem" >/dev/null
lab_conf server.conf s-chain-crl "ca export-ca.crt" "crl-verify chain-crl.pem" >/dev/null
lab_conf client.conf c-vpnc2 "ca export-ca.crt" "cert vpnc2.example.com.crt" \
	"key vpnc2.example.com.key" >/dev/null
refused crl-of-one-ca s-ops-crl c-bundle srv \
	'crl-verify holds no CRL of the CA that issued "ops-ca" \(depth 1\); it needs the CRL of every CA in the chain'
accepted crl-of-each-ca s-chain-crl c-bundle
refused crl-revoked s-chain-crl c-vpnc2 srv 'certificate verification failed: certificate revoked'

# --- renew-ca: the CA certificate changes, the certificates issued before keep working
LAB_PKI=$WORK/flat
mkdir -p "$LAB_PKI"
lab_step "a flat PKI (root CA, server, client)" lab_pki
cp "$LAB_PKI/ca.crt" "$LAB_PKI/old-ca.crt"
old_serial=$(openssl x509 -in "$LAB_PKI/ca.crt" -noout -serial | cut -d= -f2)
lab_step "renew-ca" lab_ca renew-ca
ok "ca.crt has a new serial" eval \
	'[ "$(openssl x509 -in "$LAB_PKI/ca.crt" -noout -serial | cut -d= -f2)" != "$old_serial" ]'
ok "the old ca.crt is kept as ca-$old_serial.crt" cmp "$LAB_PKI/old-ca.crt" \
	"$LAB_PKI/ca-$old_serial.crt"
lab_conf server.conf s-renewed >/dev/null
lab_conf client.conf c-old-ca "ca old-ca.crt" >/dev/null
accepted renewed-ca s-renewed c-old-ca

lab_stop_all
ok "no sanitizer report in the daemon logs" lab_sanitizer_clean
done_testing
