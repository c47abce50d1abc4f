/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the configuration parser tests: parse a text as the file /etc/l2vpn/t.conf and
 * read any field of struct config back as a string, so tables can say
 * { "status s.log 30", "status_file", "/etc/l2vpn/s.log" }.
 */
#ifndef L2VPN_CONFIG_TEST_UTIL_H
#define L2VPN_CONFIG_TEST_UTIL_H

#include <stdio.h>
#include <string.h>

#include "config.h"

#define T_CONF "/etc/l2vpn/t.conf"

static inline int parse_text(struct config *cfg, const char *text, struct config_error *err)
{
	return config_parse_buffer(cfg, T_CONF, text, strlen(text), err);
}

static inline const char *str_or_null(const char *s)
{
	return s ? s : "(null)";
}

/* FIELD of CFG as text in BUF; "?" for a name the helper does not know (a test bug). */
static inline const char *field_text(const struct config *cfg, const char *field, char *buf,
                                     size_t size)
{
#define U(name)                                                                                    \
	if (strcmp(field, #name) == 0) {                                                           \
		snprintf(buf, size, "%lld", (long long)cfg->name);                                 \
		return buf;                                                                        \
	}
#define S(name)                                                                                    \
	if (strcmp(field, #name) == 0) {                                                           \
		snprintf(buf, size, "%s", str_or_null(cfg->name));                                 \
		return buf;                                                                        \
	}
	U(action);
	U(test_config);
	U(role);
	U(server_bridge);
	U(family);
	S(local);
	U(local_port);
	U(remote_port);
	U(n_remotes);
	U(remote_random);
	U(resolv_retry);
	U(connect_retry);
	U(connect_retry_max_wait);
	U(connect_retry_max);
	U(nobind);
	U(max_clients);
	U(preauth_max);
	U(preauth_per_source);
	U(preauth_timeout);
	U(client_to_client);
	U(duplicate_cn);
	S(dev);
	U(dev_type_tap);
	S(bridge);
	U(tun_mtu);
	U(txqueuelen);
	U(no_tap_offload);
	S(ca.path);
	S(cert.path);
	S(key.path);
	S(dh.path);
	U(dh_none);
	S(ca.inline_pem);
	U(remote_cert_tls);
	U(ns_cert_type);
	S(verify_x509_name);
	U(verify_x509_match);
	S(crl_verify);
	S(askpass);
	U(tls_version_min);
	U(tls_version_min_or_highest);
	U(tls_version_max);
	U(allow_unmarked_certs);
	U(reneg_sec);
	U(reneg_bytes);
	U(reneg_pkts);
	S(tls_cipher);
	S(tls_ciphersuites);
	S(tls_groups);
	S(remote_cert_eku);
	U(remote_cert_ku);
	U(n_remote_cert_ku);
	U(remote_cert_ku_values[1]);
	U(inactive);
	U(inactive_bytes);
	U(hand_window);
	U(connect_timeout);
	S(tcp_congestion);
	U(keepalive_interval);
	U(keepalive_timeout);
	U(ping);
	U(ping_restart);
	U(ping_exit);
	U(comp);
	U(allow_compression_set);
	U(allow_compression);
	U(persist_key);
	U(persist_tun);
	S(status_file);
	U(status_interval);
	U(status_version);
	U(verb);
	U(mute);
	S(log_file);
	U(log_append);
	U(suppress_timestamps);
	U(syslog);
	S(syslog_ident);
	U(daemon);
	S(writepid);
	S(user);
	S(group);
	S(cd);
	U(explicit_exit_notify);
	S(bridge_for_mktun);
	U(n_warnings);
#undef U
#undef S
	if (strcmp(field, "remote0") == 0 && cfg->n_remotes > 0) {
		snprintf(buf, size, "%s:%u/%d", cfg->remotes[0].host, cfg->remotes[0].port,
		         cfg->remotes[0].family);
		return buf;
	}
	return "?";
}

#endif
