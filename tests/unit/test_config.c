// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration directives: every directive lands in the right field with the right value, and
 * every bad use is refused with "FILE:LINE: directive: reason" exactly.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "config_test_util.h"

struct good_case {
	const char *text;
	const char *field;
	const char *expect;
	size_t warnings;
};

/* Parsed as /etc/l2vpn/t.conf: relative paths land in /etc/l2vpn. */
static const struct good_case good[] = {
	{ "port 1195", "local_port", "1195", 0 },
	{ "port 1195", "remote_port", "1195", 0 },
	{ "lport 2000", "local_port", "2000", 0 },
	{ "lport 2000", "remote_port", "1194", 0 },
	{ "rport 2001", "remote_port", "2001", 0 },
	{ "local 192.0.2.1", "local", "192.0.2.1", 0 },
	{ "proto tcp", "family", "0", 0 },
	{ "proto tcp4", "family", "2", 0 },
	{ "proto tcp6", "family", "10", 0 },
	{ "proto tcp-server", "role", "1", 0 },
	{ "proto tcp4-server", "role", "1", 0 },
	{ "proto tcp6-client", "role", "2", 0 },
	{ "proto tcp6-client", "family", "10", 0 },
	{ "proto tcp-client", "role", "2", 0 },
	{ "mode server", "role", "1", 0 },
	{ "mode p2p", "role", "0", 0 },
	{ "server-bridge", "server_bridge", "1", 0 },
	{ "server-bridge", "role", "1", 0 },
	{ "server-bridge nogw", "server_bridge", "1", 0 },
	{ "server-bridge 192.168.10.1 255.255.255.0 192.168.10.200 192.168.10.250", "role", "1",
	  1 },
	{ "tls-server", "role", "1", 0 },
	{ "tls-client", "role", "2", 0 },
	{ "client", "role", "2", 0 },
	{ "client\ntls-client\nproto tcp-client", "role", "2", 0 },
	{ "remote vpn.example.com", "remote0", "vpn.example.com:0/0", 0 },
	{ "remote vpn.example.com 1195", "remote0", "vpn.example.com:1195/0", 0 },
	{ "remote 192.0.2.7 443 tcp4", "remote0", "192.0.2.7:443/2", 0 },
	{ "remote h 443 tcp-client", "remote0", "h:443/0", 0 },
	{ "remote a\nremote b 1\nremote c", "n_remotes", "3", 0 },
	{ "remote-random", "remote_random", "1", 0 },
	{ "resolv-retry infinite", "resolv_retry", "-1", 0 },
	{ "resolv-retry 30", "resolv_retry", "30", 0 },
	{ "connect-retry 5", "connect_retry", "5", 0 },
	{ "connect-retry 5", "connect_retry_max_wait", "60", 0 },
	{ "connect-retry 120", "connect_retry_max_wait", "120", 0 },
	{ "connect-retry 5 300", "connect_retry_max_wait", "300", 0 },
	{ "connect-retry-max 3", "connect_retry_max", "3", 0 },
	{ "nobind", "nobind", "1", 0 },
	{ "max-clients 10", "max_clients", "10", 0 },
	{ "preauth-max 500", "preauth_max", "500", 0 },
	{ "preauth-max-per-source 2", "preauth_per_source", "2", 0 },
	{ "preauth-timeout 5", "preauth_timeout", "5", 0 },
	{ "client-to-client", "client_to_client", "1", 0 },
	{ "duplicate-cn", "duplicate_cn", "1", 0 },
	{ "explicit-exit-notify", "explicit_exit_notify", "1", 1 },
	{ "explicit-exit-notify 2", "explicit_exit_notify", "1", 1 },
	{ "dev tap0", "dev", "tap0", 0 },
	{ "dev tap", "dev", "tap", 0 },
	{ "dev site-b", "dev", "site-b", 0 },
	{ "dev-type tap", "dev_type_tap", "1", 0 },
	{ "bridge br0", "bridge", "br0", 0 },
	{ "bridge br0", "bridge_for_mktun", "br0", 0 },
	{ "tun-mtu 9000", "tun_mtu", "9000", 0 },
	{ "tun-mtu 68", "tun_mtu", "68", 0 },
	{ "tun-mtu 65535", "tun_mtu", "65535", 0 },
	{ "tun-mtu 1500 1500", "tun_mtu", "1500", 1 },
	{ "txqueuelen 100", "txqueuelen", "100", 0 },
	{ "tap-offload no", "no_tap_offload", "1", 0 },
	{ "askpass pass.txt", "askpass", "/etc/l2vpn/pass.txt", 0 },
	{ "askpass", "askpass", "(null)", 0 },
	{ "tap-offload yes", "no_tap_offload", "0", 0 },
	{ "ca ca.crt", "ca.path", "/etc/l2vpn/ca.crt", 0 },
	{ "ca /srv/pki/ca.crt", "ca.path", "/srv/pki/ca.crt", 0 },
	{ "cert keys/vpn.example.com.crt", "cert.path", "/etc/l2vpn/keys/vpn.example.com.crt", 0 },
	{ "key vpn.example.com.key", "key.path", "/etc/l2vpn/vpn.example.com.key", 0 },
	{ "dh dh2048.pem", "dh.path", "/etc/l2vpn/dh2048.pem", 0 },
	{ "dh dh2048.pem", "dh_none", "0", 0 },
	{ "dh dh2048.pem\ndh none", "dh_none", "1", 0 },
	{ "dh dh2048.pem\ndh none", "dh.path", "(null)", 0 },
	{ "remote-cert-tls server", "remote_cert_tls", "1", 0 },
	{ "remote-cert-tls client", "remote_cert_tls", "2", 0 },
	{ "ns-cert-type server", "ns_cert_type", "1", 1 },
	{ "ns-cert-type client", "ns_cert_type", "2", 1 },
	{ "verify-x509-name vpn.example.com", "verify_x509_name", "vpn.example.com", 0 },
	{ "verify-x509-name vpn.example.com", "verify_x509_match", "1", 0 },
	{ "verify-x509-name 'C=DE, CN=vpn' subject", "verify_x509_name", "C=DE, CN=vpn", 0 },
	{ "verify-x509-name 'C=DE, CN=vpn' subject", "verify_x509_match", "0", 0 },
	{ "verify-x509-name vpn name", "verify_x509_match", "1", 0 },
	{ "verify-x509-name site- name-prefix", "verify_x509_match", "2", 0 },
	{ "crl-verify keys/crl.pem", "crl_verify", "/etc/l2vpn/keys/crl.pem", 0 },
	{ "tls-version-min 1.2", "tls_version_min", "771", 0 },
	{ "tls-version-min 1.3", "tls_version_min", "772", 0 },
	{ "tls-version-min 1.3 or-highest", "tls_version_min_or_highest", "1", 0 },
	{ "tls-version-min 1.0", "tls_version_min", "771", 1 },
	{ "tls-cipher ECDHE-RSA-AES256-GCM-SHA384", "tls_cipher", "ECDHE-RSA-AES256-GCM-SHA384",
	  0 },
	{ "tls-ciphersuites TLS_AES_256_GCM_SHA384", "tls_ciphersuites", "TLS_AES_256_GCM_SHA384",
	  0 },
	{ "hand-window 30", "hand_window", "30", 0 },
	{ "suppress-timestamps", "suppress_timestamps", "1", 0 },
	{ "tls-groups X25519:secp384r1", "tls_groups", "X25519:secp384r1", 0 },
	{ "remote-cert-eku \"TLS Web Server Authentication\"", "remote_cert_eku",
	  "TLS Web Server Authentication", 0 },
	{ "remote-cert-ku", "remote_cert_ku", "1", 0 },
	{ "inactive 600", "inactive", "600", 0 },
	{ "inactive 600 1000000", "inactive_bytes", "1000000", 0 },
	{ "remote-cert-ku", "n_remote_cert_ku", "0", 0 },
	{ "remote-cert-ku a0 88", "n_remote_cert_ku", "2", 0 },
	{ "remote-cert-ku a0 88", "remote_cert_ku_values[1]", "136", 0 },
	{ "ecdh-curve secp384r1", "tls_groups", "secp384r1", 1 },
	{ "tls-groups X25519\necdh-curve secp384r1", "tls_groups", "X25519", 1 },
	{ "setenv opt verb 4", "verb", "4", 0 },
	{ "setenv opt no-such-thing 1\nverb 5", "verb", "5", 1 },
	{ "setenv UV_SITE office", "verb", "1", 1 },
	{ "setenv FORWARD_COMPATIBLE 1\nno-such-thing", "verb", "1", 1 },
	{ "ignore-unknown-option a-thing b-thing\nb-thing 3\nverb 2", "verb", "2", 1 },
	{ "verify-client-cert require", "verb", "1", 0 },
	{ "connect-timeout 5", "connect_timeout", "5", 0 },
	{ "server-poll-timeout 7", "connect_timeout", "7", 0 },
	{ "tcp-congestion cubic", "tcp_congestion", "cubic", 0 },
	{ "tls-version-max 1.2", "tls_version_max", "771", 0 },
	{ "tls-version-max 1.3", "tls_version_max", "772", 0 },
	{ "allow-unmarked-certs", "allow_unmarked_certs", "1", 0 },
	{ "reneg-sec 600", "reneg_sec", "600", 0 },
	{ "reneg-sec 0", "reneg_sec", "0", 0 },
	{ "reneg-sec 3600 2700", "reneg_sec", "3600", 1 },
	{ "reneg-bytes 64000000", "reneg_bytes", "64000000", 0 },
	{ "reneg-bytes 1000", "reneg_bytes", "1048576", 1 },
	{ "reneg-bytes 0", "reneg_bytes", "0", 1 },
	{ "reneg-bytes 18446744073709551615", "reneg_bytes", "-1", 0 },
	{ "reneg-pkts 100000", "reneg_pkts", "100000", 0 },
	{ "keepalive 10 120", "keepalive_interval", "10", 0 },
	{ "keepalive 10 120", "keepalive_timeout", "120", 0 },
	{ "keepalive 10 20", "keepalive_timeout", "20", 0 },
	{ "ping 5", "ping", "5", 0 },
	{ "ping-restart 30", "ping_restart", "30", 0 },
	{ "ping-exit 60", "ping_exit", "60", 0 },
	{ "comp-lzo", "comp", "3", 0 },
	{ "comp-lzo adaptive", "comp", "3", 0 },
	{ "comp-lzo yes", "comp", "2", 0 },
	{ "comp-lzo no", "comp", "1", 0 },
	{ "compress lzo", "comp", "2", 0 },
	{ "compress", "comp", "1", 1 },
	{ "compress stub", "comp", "1", 1 },
	{ "compress stub-v2", "comp", "1", 1 },
	{ "allow-compression yes", "allow_compression", "1", 0 },
	{ "allow-compression asym", "allow_compression", "1", 1 },
	{ "allow-compression no", "allow_compression", "0", 0 },
	{ "allow-compression no", "allow_compression_set", "1", 0 },
	{ "persist-key", "persist_key", "1", 0 },
	{ "persist-tun", "persist_tun", "1", 0 },
	{ "status openvpn-status.log", "status_file", "/etc/l2vpn/openvpn-status.log", 0 },
	{ "status openvpn-status.log", "status_interval", "60", 0 },
	{ "status /run/s.log 30", "status_interval", "30", 0 },
	{ "status-version 2", "status_version", "2", 0 },
	{ "status-version 3", "status_version", "3", 0 },
	{ "verb 0", "verb", "0", 0 },
	{ "verb 11", "verb", "11", 0 },
	{ "mute 20", "mute", "20", 0 },
	{ "log /var/log/l2vpn.log", "log_file", "/var/log/l2vpn.log", 0 },
	{ "log /var/log/l2vpn.log", "log_append", "0", 0 },
	{ "log-append l2vpn.log", "log_file", "/etc/l2vpn/l2vpn.log", 0 },
	{ "log-append l2vpn.log", "log_append", "1", 0 },
	{ "syslog", "syslog", "1", 0 },
	{ "syslog site-a", "syslog_ident", "site-a", 0 },
	{ "daemon", "daemon", "1", 0 },
	{ "daemon vpn1", "syslog_ident", "vpn1", 0 },
	{ "writepid run/l2vpn.pid", "writepid", "/etc/l2vpn/run/l2vpn.pid", 0 },
	{ "user nobody", "user", "nobody", 0 },
	{ "group nogroup", "group", "nogroup", 0 },
	{ "cd /srv/vpn", "cd", "/srv/vpn", 0 },
	{ "cd keys", "cd", "/etc/l2vpn/keys", 0 },
	{ "cd /srv/vpn\nca ca.crt", "ca.path", "/srv/vpn/ca.crt", 0 },
	{ "cd keys\nkey site.key", "key.path", "/etc/l2vpn/keys/site.key", 0 },
	{ "test-config", "test_config", "1", 0 },
	{ "mktun", "action", "1", 0 },
	{ "rmtun", "action", "2", 0 },
	{ "help", "action", "3", 0 },
	{ "version", "action", "4", 0 },
	{ "help\nmktun", "action", "3", 0 },
	{ "port 1\nport 2", "local_port", "2", 0 },
	{ "dev tap0\ndev tap1", "dev", "tap1", 0 },
};

static void test_directives_set_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };
		char value[256];
		int ret;

		config_init(&cfg);
		ret = parse_text(&cfg, good[i].text, &err);
		if (ret != 0)
			fail_msg("'%s': %s", good[i].text, err.msg);
		field_text(&cfg, good[i].field, value, sizeof(value));
		if (strcmp(value, good[i].expect) != 0)
			fail_msg("'%s': %s is '%s', expected '%s'", good[i].text, good[i].field,
			         value, good[i].expect);
		if (cfg.n_warnings != good[i].warnings)
			fail_msg("'%s': %zu warnings, expected %zu", good[i].text, cfg.n_warnings,
			         good[i].warnings);
		config_free(&cfg);
	}
}

struct bad_case {
	const char *text;
	const char *message; /* exact, after "/etc/l2vpn/t.conf:" */
};

#define NO_CONTROL_CHANNEL                                                                         \
	"not supported: l2vpn speaks standard TLS over TCP with mutual certificate "               \
	"authentication: there is no OpenVPN control channel to authenticate or encrypt "          \
	"(remove it; a firewall rule restricts who may connect)"

static const struct bad_case bad[] = {
	{ "foo", "1: foo: unknown directive" },
	{ "\n# comment\n\n  ; another\nverb 3\nbogus 1 2", "6: bogus: unknown directive" },
	{ "port", "1: port: missing argument (expects 1, got 0)" },
	{ "port 1 2", "1: port: too many arguments (expects at most 1, got 2)" },
	{ "port 0", "1: port: 0 is out of range (1..65535)" },
	{ "port 65536", "1: port: 65536 is out of range (1..65535)" },
	{ "port 99999999999999999999", "1: port: 99999999999999999999 is out of range (1..65535)" },
	{ "port abc", "1: port: 'abc' is not a number" },
	{ "port -1", "1: port: '-1' is not a number" },
	{ "port ''", "1: port: empty, expected a number" },
	{ "lport 0", "1: lport: 0 is out of range (1..65535)" },
	{ "rport 1x", "1: rport: '1x' is not a number" },
	{ "local ''", "1: local: empty address" },
	{ "proto udp", "1: proto: udp: l2vpn carries frames over TCP only (use proto tcp on both "
	               "ends)" },
	{ "proto udp6", "1: proto: udp6: l2vpn carries frames over TCP only (use proto tcp on "
	                "both ends)" },
	{ "proto sctp", "1: proto: 'sctp' is not a protocol l2vpn knows (tcp, tcp4, tcp6, with "
	                "-server or -client)" },
	{ "proto tcp5", "1: proto: 'tcp5' is not a protocol l2vpn knows (tcp, tcp4, tcp6, with "
	                "-server or -client)" },
	{ "mode p3", "1: mode: 'p3' is not one of: server, p2p" },
	{ "client\nserver-bridge",
	  "2: server-bridge: makes this end a server, but /etc/l2vpn/t.conf:1 client made it a "
	  "client" },
	{ "mode server\nproto tcp-client",
	  "2: proto: makes this end a client, but /etc/l2vpn/t.conf:1 mode made it a server" },
	{ "tls-server\ntls-client",
	  "2: tls-client: makes this end a client, but /etc/l2vpn/t.conf:1 tls-server made it a "
	  "server" },
	{ "server-bridge 192.168.10.1",
	  "1: server-bridge: '192.168.10.1': expected nothing, nogw, or GW MASK POOL_START "
	  "POOL_END" },
	{ "server-bridge a b",
	  "1: server-bridge: expected nothing, nogw, or GW MASK POOL_START POOL_END (got 2 "
	  "arguments)" },
	{ "server-bridge 1.2.3.4 255.255.255.0 x 1.2.3.5",
	  "1: server-bridge: 'x' is not an IPv4 address" },
	{ "server-bridge 1 2 3 4 5", "1: server-bridge: too many arguments (expects at most 4, got "
	                             "5)" },
	{ "remote", "1: remote: missing argument (expects at least 1, got 0)" },
	{ "remote ''", "1: remote: empty host name" },
	{ "remote h 0", "1: remote: port: 0 is out of range (1..65535)" },
	{ "remote h 1194 udp", "1: remote: udp: l2vpn carries frames over TCP only (use proto tcp "
	                       "on both ends)" },
	{ "remote h 1194 tcp-server",
	  "1: remote: tcp-server: a remote is connected to, it cannot be a server protocol" },
	{ "resolv-retry forever", "1: resolv-retry: 'forever' is not a number" },
	{ "connect-retry 0", "1: connect-retry: first wait: 0 is out of range (1..86400)" },
	{ "connect-retry 10 5", "1: connect-retry: maximum 5 s is below the first wait 10 s" },
	{ "connect-retry 1 x", "1: connect-retry: maximum wait: 'x' is not a number" },
	{ "connect-retry-max 0", "1: connect-retry-max: 0 is out of range (1..1000000)" },
	{ "max-clients 0", "1: max-clients: 0 is out of range (1..65535)" },
	{ "preauth-max 0", "1: preauth-max: 0 is out of range (1..65535)" },
	{ "preauth-max-per-source 0", "1: preauth-max-per-source: 0 is out of range (1..65535)" },
	{ "preauth-timeout 0", "1: preauth-timeout: 0 is out of range (1..3600)" },
	{ "nobind 1", "1: nobind: too many arguments (expects at most 0, got 1)" },
	{ "explicit-exit-notify x", "1: explicit-exit-notify: 'x' is not a number" },
	{ "dev tun", "1: dev: tun: l2vpn is layer 2 only: it needs a tap (e.g. dev tap0), not a "
	             "tun device" },
	{ "dev tun0", "1: dev: tun0: l2vpn is layer 2 only: it needs a tap (e.g. dev tap0), not "
	              "a tun device" },
	{ "dev-type tun", "1: dev-type: tun: l2vpn is layer 2 only: use dev-type tap" },
	{ "dev-type null", "1: dev-type: 'null' is not a device type (l2vpn knows only tap)" },
	{ "tun-mtu 67", "1: tun-mtu: 67 is out of range (68..65535)" },
	{ "tun-mtu 65536", "1: tun-mtu: 65536 is out of range (68..65535)" },
	{ "txqueuelen 0", "1: txqueuelen: 0 is out of range (1..1000000)" },
	{ "tap-offload maybe", "1: tap-offload: 'maybe' is not one of: yes, no" },
	{ "tap-offload", "1: tap-offload: missing argument (expects 1, got 0)" },
	{ "ca", "1: ca: missing argument (expects 1, got 0)" },
	{ "ca ''", "1: ca: empty file name" },
	{ "cert a b", "1: cert: too many arguments (expects at most 1, got 2)" },
	{ "remote-cert-tls peer", "1: remote-cert-tls: 'peer' is not one of: server, client" },
	{ "ns-cert-type both", "1: ns-cert-type: 'both' is not one of: server, client" },
	{ "verify-x509-name cn prefix",
	  "1: verify-x509-name: 'prefix' is not one of: subject, name, name-prefix" },
	{ "verify-x509-name ''", "1: verify-x509-name: empty name" },
	{ "crl-verify crls dir", "1: crl-verify: the 'dir' form is not supported: give one PEM "
	                         "CRL file (easy-rsa's crl.pem)" },
	{ "crl-verify crls x", "1: crl-verify: 'x': the only second argument OpenVPN knows is "
	                       "'dir', and l2vpn does not support it" },
	{ "tls-version-min 1.4", "1: tls-version-min: '1.4' is not one of: 1.0, 1.1, 1.2, 1.3" },
	{ "tls-version-min 1.2 or-lowest", "1: tls-version-min: 'or-lowest': expected or-highest" },
	{ "tls-cipher ''", "1: tls-cipher: empty cipher list" },
	{ "hand-window 0", "1: hand-window: 0 is out of range (1..3600)" },
	{ "connect-timeout 0", "1: connect-timeout: 0 is out of range (1..3600)" },
	{ "verify-client-cert none",
	  "1: verify-client-cert: none: not supported: l2vpn requires a certificate of every "
	  "client" },
	{ "tls-groups ''", "1: tls-groups: empty group list" },
	{ "remote-cert-eku ''", "1: remote-cert-eku: empty extendedKeyUsage" },
	{ "remote-cert-ku a0 xyz", "1: remote-cert-ku: 'xyz' is not a key usage in hex (e.g. a0)" },
	{ "remote-cert-ku 10000",
	  "1: remote-cert-ku: '10000' is not a key usage in hex (e.g. a0)" },
	{ "remote-cert-ku 0", "1: remote-cert-ku: '0': a key usage of no bits matches any "
	                      "certificate" },
	{ "verify-client-cert maybe",
	  "1: verify-client-cert: 'maybe' is not one of: none, optional, require" },
	{ "ignore-unknown-option a-thing\nb-thing 3", "2: b-thing: unknown directive" },
	{ "ignore-unknown-option thing\nthing-two", "2: thing-two: unknown directive" },
	{ "setenv FORWARD_COMPATIBLE 0\nno-such-thing", "2: no-such-thing: unknown directive" },
	{ "setenv opt", "1: setenv: opt: missing the directive it makes optional" },
	{ "setenv A", "1: setenv: expects NAME VALUE (or opt DIRECTIVE ...), got 1 arguments" },
	{ "setenv opt verb x", "1: verb: 'x' is not a number" },
	{ "tcp-congestion Cubic!", "1: tcp-congestion: Cubic!: not a congestion control name "
	                           "(e.g. cubic, bbr, reno)" },
	{ "tcp-congestion averyveryverylongname",
	  "1: tcp-congestion: averyveryverylongname: not a congestion control name (e.g. cubic, "
	  "bbr, reno)" },
	{ "tls-version-max 1.1", "1: tls-version-max: '1.1' is not one of: 1.2, 1.3" },
	{ "reneg-sec x", "1: reneg-sec: 'x' is not a number" },
	{ "reneg-sec 4294967296", "1: reneg-sec: 4294967296 is out of range (0..4294967295)" },
	{ "reneg-bytes 1e9", "1: reneg-bytes: '1e9' is not a number" },
	{ "reneg-bytes 18446744073709551616",
	  "1: reneg-bytes: 18446744073709551616 is out of range" },
	{ "reneg-pkts -1", "1: reneg-pkts: '-1' is not a number" },
	{ "allow-unmarked-certs yes",
	  "1: allow-unmarked-certs: too many arguments (expects at most 0, got 1)" },
	{ "keepalive 10", "1: keepalive: missing argument (expects 2, got 1)" },
	{ "keepalive 10 15",
	  "1: keepalive: timeout 15 s must be at least twice the interval 10 s" },
	{ "keepalive 0 120", "1: keepalive: interval: 0 is out of range (1..86400)" },
	{ "keepalive 10 x", "1: keepalive: timeout: 'x' is not a number" },
	{ "ping 86401", "1: ping: 86401 is out of range (0..86400)" },
	{ "ping-restart x", "1: ping-restart: 'x' is not a number" },
	{ "comp-lzo maybe", "1: comp-lzo: 'maybe' is not one of: yes, no, adaptive" },
	{ "compress lz4", "1: compress: lz4: l2vpn compresses with LZO only (write compress lzo or "
	                  "comp-lzo on both ends, or drop compression)" },
	{ "compress lz4-v2", "1: compress: lz4-v2: l2vpn compresses with LZO only (write compress "
	                     "lzo or comp-lzo on both ends, or drop compression)" },
	{ "compress migrate", "1: compress: migrate: not supported: l2vpn negotiates compression "
	                      "in its hello, there is nothing to migrate" },
	{ "compress zstd", "1: compress: 'zstd' is not one of: lzo, stub, stub-v2, lz4, lz4-v2, "
	                   "migrate" },
	{ "allow-compression maybe", "1: allow-compression: 'maybe' is not one of: no, asym, yes" },
	{ "status", "1: status: missing argument (expects at least 1, got 0)" },
	{ "status s.log 0", "1: status: interval: 0 is out of range (1..86400)" },
	{ "status-version 4", "1: status-version: 4 is out of range (1..3)" },
	{ "verb 12", "1: verb: 12 is out of range (0..11)" },
	{ "verb", "1: verb: missing argument (expects 1, got 0)" },
	{ "mute x", "1: mute: 'x' is not a number" },
	{ "log", "1: log: missing argument (expects 1, got 0)" },
	{ "user ''", "1: user: empty name" },
	{ "group a b", "1: group: too many arguments (expects at most 1, got 2)" },
	{ "syslog a b", "1: syslog: too many arguments (expects at most 1, got 2)" },
	{ "mktun\nrmtun", "2: rmtun: --mktun and --rmtun exclude each other" },
	{ "tls-auth ta.key 0", "1: tls-auth: " NO_CONTROL_CHANNEL },
	{ "tls-crypt tc.key", "1: tls-crypt: " NO_CONTROL_CHANNEL },
	{ "up /etc/openvpn/up.sh", "1: up: not supported: l2vpn runs no scripts; to put the tap "
	                           "into a bridge write `bridge NAME` (l2vpn attaches it and "
	                           "brings it up)" },
	{ "down /etc/openvpn/down.sh",
	  "1: down: not supported: l2vpn runs no scripts; with "
	  "`bridge NAME` the tap leaves the bridge when it is deleted" },
	{ "fragment 1300", "1: fragment: not supported: it is UDP only (OpenVPN refuses it with "
	                   "TCP too)" },
	{ "server 10.8.0.0 255.255.255.0", "1: server: not supported: that is OpenVPN's routed "
	                                   "(tun) server; a bridging server says server-bridge" },
	/* Syntax. */
	{ "verify-x509-name \"CN=a", "1: unterminated double quote" },
	{ "verify-x509-name 'CN=a", "1: unterminated single quote" },
	{ "dev tap0\\", "1: backslash at the end of the line" },
	{ "a b c d e f g h i j k l m n o p q", "1: too many arguments (at most 15)" },
	{ "verb 3\n<ca>\n-----BEGIN CERTIFICATE-----\nAAAA\n",
	  "2: ca: unterminated inline block (no </ca> before the end of the file)" },
	{ "<key>\n-----BEGIN PRIVATE KEY-----\n</cert>\n",
	  "1: key: unterminated inline block (no </key> before the end of the file)" },
	{ "<ca>\nnot pem\n</ca>", "1: ca: inline block holds no PEM data (no -----BEGIN line)" },
	{ "<ca>\n</ca>", "1: ca: inline block holds no PEM data (no -----BEGIN line)" },
	{ "<ca> x\n-----BEGIN X-----\n</ca>",
	  "1: ca: text after <ca> (the block starts on the next line)" },
	{ "<tls-auth>\n-----BEGIN OpenVPN Static key V1-----\n</tls-auth>",
	  "1: tls-auth: " NO_CONTROL_CHANNEL },
	{ "<connection>\nremote a\n</connection>",
	  "1: connection: inline block not supported (only <ca>, <cert>, <key>, <dh>)" },
	{ "<ca>\n-----BEGIN CERTIFICATE-----\n</ca>\nverb x", "4: verb: 'x' is not a number" },
	{ "config ''", "1: config: empty file name" },
};

static void test_errors_name_file_line_directive(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };
		char expect[CONFIG_ERR_MAX];
		int ret;

		config_init(&cfg);
		ret = parse_text(&cfg, bad[i].text, &err);
		snprintf(expect, sizeof(expect), T_CONF ":%s", bad[i].message);
		if (ret != -EINVAL)
			fail_msg("'%s': returned %d, expected -EINVAL", bad[i].text, ret);
		if (strcmp(err.msg, expect) != 0)
			fail_msg("'%s':\n got      '%s'\n expected '%s'", bad[i].text, err.msg,
			         expect);
		config_free(&cfg);
	}
}

static void test_bad_interface_names(void **state)
{
	static const char *const texts[] = { "dev 1234567890123456", "dev 'tap 0'", "bridge br/0",
		                             "bridge ''" };
	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };
		char prefix[64];

		snprintf(prefix, sizeof(prefix), T_CONF ":1: %.*s: ", (int)strcspn(texts[i], " "),
		         texts[i]);
		config_init(&cfg);
		assert_int_equal(parse_text(&cfg, texts[i], &err), -EINVAL);
		assert_true(strncmp(err.msg, prefix, strlen(prefix)) == 0);
		assert_true(strlen(err.msg) > strlen(prefix));
		assert_null(cfg.dev);
		assert_null(cfg.bridge);
		config_free(&cfg);
	}
}

/* Accepted OpenVPN directives that change nothing in l2vpn: one warning each, naming the
 * place and the directive, and the configuration still parses. */
static void test_harmless_directives_warn(void **state)
{
	static const char *const texts[] = {
		"tcp-nodelay",
		"script-security 2",
		"mssfix 1400",
		"mssfix",
		"ping-timer-rem",
		"cipher AES-256-CBC",
		"data-ciphers AES-256-GCM",
		"auth SHA256",
		"key-direction 1",
		"push \"route-gateway dhcp\"",
		"pull",
		"ifconfig-pool-persist ipp.txt",
		"topology subnet",
		"float",
		"fast-io",
		"mute-replay-warnings",
		"sndbuf 0",
		"rcvbuf 0",
		"tcp-queue-limit 64",
		"auth-nocache",
		"tls-timeout 2",
		"bcast-buffers 256",
		"persist-local-ip",
		"persist-remote-ip",
		"machine-readable-output",
		"tls-cert-profile preferred",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };
		char prefix[64];

		config_init(&cfg);
		if (parse_text(&cfg, texts[i], &err) != 0)
			fail_msg("'%s': %s", texts[i], err.msg);
		assert_int_equal(cfg.n_warnings, 1);
		snprintf(prefix, sizeof(prefix),
		         T_CONF ":1: %.*s: ignored: ", (int)strcspn(texts[i], " "), texts[i]);
		if (strncmp(cfg.warnings[0], prefix, strlen(prefix)) != 0)
			fail_msg("'%s': warning '%s'", texts[i], cfg.warnings[0]);
		config_free(&cfg);
	}
}

static void test_unhonourable_directives_refused(void **state)
{
	static const char *const texts[] = {
		"tls-crypt-v2 k",
		"down-pre",
		"up-restart",
		"route-up x",
		"learn-address x",
		"client-connect x",
		"client-disconnect x",
		"tls-verify x",
		"auth-user-pass",
		"auth-user-pass-verify x via-env",
		"ifconfig 10.0.0.1 255.0.0.0",
		"route 10.0.0.0 255.0.0.0",
		"chroot /var/empty",
		"http-proxy p 3128",
		"socks-proxy p",
		"lladdr fe:00:00:00:00:01",
		"tls-cert-profile legacy",
		"port-share 127.0.0.1 443",
		"plugin /usr/lib/openvpn/openvpn-plugin-auth-pam.so login",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };
		char prefix[64];

		config_init(&cfg);
		assert_int_equal(parse_text(&cfg, texts[i], &err), -EINVAL);
		snprintf(prefix, sizeof(prefix),
		         T_CONF ":1: %.*s: not supported: ", (int)strcspn(texts[i], " "), texts[i]);
		if (strncmp(err.msg, prefix, strlen(prefix)) != 0 ||
		    strlen(err.msg) < strlen(prefix) + 10)
			fail_msg("'%s': error '%s'", texts[i], err.msg);
		config_free(&cfg);
	}
}

struct warning_case {
	const char *text;
	const char *warning; /* exact, after "/etc/l2vpn/t.conf:" */
};

static const struct warning_case warnings[] = {
	{ "server-bridge 192.168.10.1 255.255.255.0 192.168.10.200 192.168.10.250",
	  "1: server-bridge: pool arguments unused: l2vpn pushes no addresses (clients' LAN hosts "
	  "keep their own)" },
	{ "verb 3\nns-cert-type server",
	  "2: ns-cert-type: deprecated: checked as the certificate purpose (TLS web server), like "
	  "remote-cert-tls server; prefer remote-cert-tls" },
	{ "explicit-exit-notify 1",
	  "1: explicit-exit-notify: meaningless over TCP (OpenVPN ignores it there too): l2vpn "
	  "always says goodbye to its peers on exit" },
	{ "tcp-nodelay", "1: tcp-nodelay: ignored: l2vpn always sets TCP_NODELAY" },
	{ "setenv opt block-outside-dns", "1: setenv: opt block-outside-dns: unknown directive, "
	                                  "ignored" },
	{ "setenv UV_SITE office",
	  "1: setenv: ignored: l2vpn runs no scripts, so UV_SITE reaches nothing" },
	{ "ecdh-curve secp384r1", "1: ecdh-curve: deprecated: used as tls-groups secp384r1" },
	{ "ignore-unknown-option block-outside-dns\nblock-outside-dns",
	  "2: block-outside-dns: unknown directive, ignored (ignore-unknown-option or setenv "
	  "FORWARD_COMPATIBLE 1)" },
	{ "tls-version-min 1.1",
	  "1: tls-version-min: 1.1 raised to 1.2, the oldest TLS version l2vpn speaks" },
};

static void test_warnings_exact(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(warnings) / sizeof(warnings[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };
		char expect[CONFIG_ERR_MAX];

		config_init(&cfg);
		assert_int_equal(parse_text(&cfg, warnings[i].text, &err), 0);
		assert_int_equal(cfg.n_warnings, 1);
		snprintf(expect, sizeof(expect), T_CONF ":%s", warnings[i].warning);
		assert_string_equal(cfg.warnings[0], expect);
		config_free(&cfg);
	}
}

static void test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(cfg.action, ACTION_RUN);
	assert_int_equal(cfg.local_port, 1194);
	assert_int_equal(cfg.remote_port, 1194);
	assert_int_equal(cfg.verb, 1);
	assert_int_equal(cfg.hand_window, 60);
	assert_int_equal(cfg.connect_timeout, 10);
	assert_null(cfg.tcp_congestion);
	assert_int_equal(cfg.connect_retry, 1);
	assert_int_equal(cfg.connect_retry_max_wait, 60);
	assert_int_equal(cfg.connect_retry_max, 0);
	assert_int_equal(cfg.status_interval, 60);
	assert_int_equal(cfg.status_version, 1);
	assert_int_equal(cfg.max_clients, 64);
	assert_int_equal(cfg.preauth_max, 128);
	assert_int_equal(cfg.preauth_per_source, 8);
	assert_int_equal(cfg.preauth_timeout, 10);
	assert_int_equal(cfg.tun_mtu, 1500);
	assert_int_equal(cfg.resolv_retry, -1);
	assert_int_equal(cfg.tls_version_min, 0x0303);
	assert_int_equal(cfg.tls_version_max, 0);
	assert_int_equal(cfg.reneg_sec, 3600);
	assert_true(cfg.reneg_bytes == 16ULL << 30);
	assert_true(cfg.reneg_pkts == 0);
	assert_false(cfg.allow_unmarked_certs);
	assert_int_equal(cfg.comp, COMP_UNSET);
	assert_int_equal(cfg.role, ROLE_UNSET);
	config_free(&cfg);
	/* config_free resets to the defaults, so a freed config is reusable. */
	assert_int_equal(cfg.local_port, 1194);
	assert_null(cfg.dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_directives_set_fields),
		cmocka_unit_test(test_errors_name_file_line_directive),
		cmocka_unit_test(test_bad_interface_names),
		cmocka_unit_test(test_harmless_directives_warn),
		cmocka_unit_test(test_unhonourable_directives_refused),
		cmocka_unit_test(test_warnings_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
