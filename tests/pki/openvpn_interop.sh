#!/bin/bash
# l2vpn-ca certificates work with OpenVPN 2.6: an OpenVPN TAP tunnel over TCP between two
# namespaces (tls-server / tls-client, `remote-cert-tls server` on the client) carries
# pings. Negative twin: a server presenting a client certificate is refused by the client.
. "$(dirname "$0")/../netns/lib.sh"
need_root
need_cmd openvpn openssl
D="$WORK/keys"
CA() { "$L2VPN_CA_BIN" --batch --dir "$D" "$@"; }

ok "PKI: clean-all, build-ca, server, client" sh -c "'$L2VPN_CA_BIN' --batch --dir '$D' \
	clean-all && '$L2VPN_CA_BIN' --batch --dir '$D' build-ca && \
	'$L2VPN_CA_BIN' --batch --dir '$D' build-key-server vpn.example.com && \
	'$L2VPN_CA_BIN' --batch --dir '$D' build-key vpnc && \
	'$L2VPN_CA_BIN' --batch --dir '$D' build-dh && \
	'$L2VPN_CA_BIN' --batch --dir '$D' gen-crl"

ns_add a
ns_add b
veth_pair a wan b wan
addr_add a wan 10.231.0.1/24
addr_add b wan 10.231.0.2/24

# server CERT NAME PORT NET: OpenVPN TLS server on TAP over TCP in namespace a, tunnel
# address 10.NET.0.1.
server() {
	bg a "$2" openvpn --dev "$2" --dev-type tap --proto tcp-server --local 10.231.0.1 \
		--lport "$3" --tls-server --ca "$D/ca.crt" --cert "$D/$1.crt" --key "$D/$1.key" \
		--dh "$D/dh2048.pem" --crl-verify "$D/crl.pem" --remote-cert-tls client \
		--ifconfig "10.$4.0.1" 255.255.255.0 --verb 3
}
# client NAME PORT NET: OpenVPN TLS client in namespace b that insists on a server
# certificate (remote-cert-tls server), tunnel address 10.NET.0.2.
client() {
	bg b "$1" openvpn --dev "$1" --dev-type tap --proto tcp-client --remote 10.231.0.1 "$2" \
		--tls-client --ca "$D/ca.crt" --cert "$D/vpnc.crt" --key "$D/vpnc.key" \
		--remote-cert-tls server --ifconfig "10.$3.0.2" 255.255.255.0 --connect-retry 1 \
		--connect-retry-max 3 --verb 3
}
listening() { ns_exec a ss -ltn | grep -q "10.231.0.1:$1 "; }

server vpn.example.com tapS 1194 232
wait_for 10 listening 1194
client tapC 1194 232
ok "handshake completes on the client" wait_for 30 grep -q "Initialization Sequence Completed" \
	"$WORK/tapC.log"
ok "handshake completes on the server" wait_for 10 grep -q \
	"Initialization Sequence Completed" "$WORK/tapS.log"
ok "client checked the server's EKU (remote-cert-tls server)" grep -q \
	"TLS Web Server Authentication" "$WORK/tapC.log"
ok "the taps are TAP devices" sh -c "ip netns exec '$(ns b)' ip -d link show tapC | \
	grep -q 'tun type tap'"
ok "ping across the OpenVPN TAP tunnel" ns_exec b ping -c 3 -W 2 -i 0.2 10.232.0.1
ok "ARP resolved over the tunnel (layer 2)" sh -c "ip -n '$(ns b)' neigh show dev tapC | \
	grep -q '10.232.0.1 lladdr'"
stop tapC
stop tapS

# Negative twin: a server presenting a client certificate must be refused by the client.
server vpnc tapX 1195 233
wait_for 10 listening 1195
client tapY 1195 233
ok "the client refuses a server with a client certificate" wait_for 20 grep -Eq \
	"VERIFY (EKU )?ERROR.*(unsuitable certificate purpose|CN=vpnc)" \
	"$WORK/tapY.log"
fails "no tunnel with the wrong certificate" grep -q "Initialization Sequence Completed" \
	"$WORK/tapY.log"

done_testing
