/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The directive table's entry type, the handlers (config_dir_*.c) and the value helpers they
 * share (config_values.c). Internal to the configuration parser.
 */
#ifndef L2VPN_CONFIG_DIRECTIVES_H
#define L2VPN_CONFIG_DIRECTIVES_H

#include "config_internal.h"

struct directive;
typedef int (*directive_fn)(struct cfg_ctx *c, const struct directive *d, int argc, char **argv);

/* One row of the table: ARGV[0] is the name, ARGC counts it; the dispatcher has checked
 * MIN_ARGS <= ARGC - 1 <= MAX_ARGS before the handler runs. */
struct directive {
	const char *name;
	int min_args, max_args; /* arguments after the name */
	directive_fn handler;
	const char *note; /* reason for the generic ignore/refuse handlers */
};

/* Value helpers: each returns 0 or -EINVAL/-ENOMEM with C->err filled. WHAT names the
 * argument in messages (NULL for a directive's only argument). */
int cfg_parse_uint(struct cfg_ctx *c, const char *what, const char *s, unsigned lo, unsigned hi,
                   unsigned *out);
int cfg_parse_port(struct cfg_ctx *c, const char *what, const char *s, unsigned *out);
/* Index of S in the NULL-terminated WORDS, or -EINVAL with a "one of" message. */
int cfg_keyword(struct cfg_ctx *c, const char *s, const char *const *words);
int cfg_store_string(struct cfg_ctx *c, char **dst, const char *s);
/* Store S as an absolute path (see cfg_resolve_path); an empty S is an error. */
int cfg_store_path(struct cfg_ctx *c, char **dst, const char *s);
/* An interface name tapbridge accepts (length, characters). */
int cfg_check_ifname(struct cfg_ctx *c, const char *name);
/* Record that the directive makes this end a ROLE; a contrary earlier one is an error
 * naming both places. */
int cfg_set_role(struct cfg_ctx *c, enum config_role role);
/* tcp, tcp4, tcp6, optionally -server/-client; udp* is refused with the reason. */
int cfg_parse_proto(struct cfg_ctx *c, const char *s, int *family, enum config_role *role);
/* The PEM slot of directive NAME (ca, cert, key, dh), NULL for others. */
struct config_pem *cfg_pem_for(struct config *cfg, const char *name);
/* Forget PEM's inline block and where it came from. */
void cfg_pem_clear_inline(struct config_pem *pem);

#define DIRECTIVE_HANDLER(fn)                                                                      \
	int fn(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)

/* config_dir_link.c: transport, role, device, actions */
DIRECTIVE_HANDLER(do_port);
DIRECTIVE_HANDLER(do_local);
DIRECTIVE_HANDLER(do_proto);
DIRECTIVE_HANDLER(do_role_server);
DIRECTIVE_HANDLER(do_role_client);
DIRECTIVE_HANDLER(do_mode);
DIRECTIVE_HANDLER(do_server_bridge);
DIRECTIVE_HANDLER(do_remote);
DIRECTIVE_HANDLER(do_resolv_retry);
DIRECTIVE_HANDLER(do_connect_retry);
DIRECTIVE_HANDLER(do_dev);
DIRECTIVE_HANDLER(do_tcp_congestion);
DIRECTIVE_HANDLER(do_tls_groups);
DIRECTIVE_HANDLER(do_tls_cert_profile);

/* config_dir_switch.c: storm control, MAC cap and age, loop protection, per-site files */
DIRECTIVE_HANDLER(do_storm_limit);
DIRECTIVE_HANDLER(do_max_routes_per_client);
DIRECTIVE_HANDLER(do_mac_age);
DIRECTIVE_HANDLER(do_flap_action);
DIRECTIVE_HANDLER(do_client_config_dir);
DIRECTIVE_HANDLER(do_ccd_exclusive);
DIRECTIVE_HANDLER(do_disable);
/* Parsing a client-config-dir file: 1 when directive NAME may be applied there, 0 when it was
 * turned into a warning, or -EINVAL (C->err says why). */
int cfg_site_file_filter(struct cfg_ctx *c, const char *name);
DIRECTIVE_HANDLER(do_remote_cert_eku);
DIRECTIVE_HANDLER(do_remote_cert_ku);
DIRECTIVE_HANDLER(do_inactive);
DIRECTIVE_HANDLER(do_dev_type);
DIRECTIVE_HANDLER(do_bridge);
DIRECTIVE_HANDLER(do_askpass);
DIRECTIVE_HANDLER(do_tap_offload);
DIRECTIVE_HANDLER(do_tun_mtu);
DIRECTIVE_HANDLER(do_action);

/* config_dir_tls.c: TLS, keepalive, compression */
DIRECTIVE_HANDLER(do_pem);
DIRECTIVE_HANDLER(do_remote_cert_tls);
DIRECTIVE_HANDLER(do_ns_cert_type);
DIRECTIVE_HANDLER(do_verify_x509_name);
DIRECTIVE_HANDLER(do_crl_verify);
DIRECTIVE_HANDLER(do_tls_version_min);
DIRECTIVE_HANDLER(do_tls_cipher);
DIRECTIVE_HANDLER(do_tls_version_max);
DIRECTIVE_HANDLER(do_allow_unmarked_certs);
DIRECTIVE_HANDLER(do_reneg);
DIRECTIVE_HANDLER(do_keepalive);
DIRECTIVE_HANDLER(do_ping);
DIRECTIVE_HANDLER(do_explicit_exit_notify);
DIRECTIVE_HANDLER(do_comp_lzo);
DIRECTIVE_HANDLER(do_compress);
DIRECTIVE_HANDLER(do_allow_compression);

/* config_dir_process.c: logging, status, privileges, files */
DIRECTIVE_HANDLER(do_status);
DIRECTIVE_HANDLER(do_status_version);
DIRECTIVE_HANDLER(do_verb);
DIRECTIVE_HANDLER(do_log);
DIRECTIVE_HANDLER(do_syslog_daemon);
DIRECTIVE_HANDLER(do_writepid);
DIRECTIVE_HANDLER(do_user_group);
DIRECTIVE_HANDLER(do_cd);
DIRECTIVE_HANDLER(do_config);

/* config_dir_mgmt.c: management interface, metrics file */
DIRECTIVE_HANDLER(do_management);
DIRECTIVE_HANDLER(do_management_owner);
DIRECTIVE_HANDLER(do_management_hold);
DIRECTIVE_HANDLER(do_metrics_file);

#endif
