# shellcheck shell=bash
# Helpers shared by the pki tests (after tests/netns/lib.sh).

# openssl_ca_cnf KEY_DIR OUT: a minimal `openssl ca` configuration over KEY_DIR's database,
# to show that OpenSSL itself reads what l2vpn-ca writes.
openssl_ca_cnf() {
	cat >"$2" <<CNF
[ ca ]
default_ca = l2
[ l2 ]
dir = $1
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
default_md = sha256
policy = any
[ any ]
commonName = supplied
CNF
}
