// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The directive table: name, argument count, handler. Handlers check their values (numbers,
 * ranges, keywords) and store them in struct config; errors and warnings carry the location
 * through struct cfg_ctx. OpenVPN directives keep OpenVPN's meaning; the ones l2vpn cannot
 * honour are refused with the reason, harmless ones are accepted with a warning saying why
 * they change nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_directives.h"

/* ---- generic handlers ------------------------------------------------------------------- */

static int do_ignore(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cfg_warn(c, "ignored: %s", d->note);
}

static int do_refuse(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cfg_fail(c, "not supported: %s", d->note);
}

/* ---- unknown directives and OpenVPN's ways to tolerate them ------------------------------ */

static const struct directive *find_directive(const char *name);

/* NAME was listed by ignore-unknown-option, or FORWARD_COMPATIBLE is on. */
static bool unknown_is_ignored(const struct config *cfg, const char *name)
{
	const char *list = cfg->ignore_unknown;
	size_t len = strlen(name);

	if (cfg->forward_compatible)
		return true;
	for (const char *p = list; p && (p = strstr(p, name)); p += len)
		if (p[-1] == ' ' && p[len] == ' ')
			return true;
	return false;
}

/* ignore-unknown-option NAME...: those directives, when unknown, only warn. */
static int do_ignore_unknown_option(struct cfg_ctx *c, const struct directive *d, int argc,
                                    char **argv)
{
	size_t len = c->cfg->ignore_unknown ? strlen(c->cfg->ignore_unknown) : 1;
	char *list;

	(void)d;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	list = malloc(len + 1);
	if (!list)
		return cfg_fail_code(c, -ENOMEM, "out of memory");
	strcpy(list, c->cfg->ignore_unknown ? c->cfg->ignore_unknown : " ");
	for (int i = 1; i < argc; i++) {
		strcat(list, argv[i]);
		strcat(list, " ");
	}
	free(c->cfg->ignore_unknown);
	c->cfg->ignore_unknown = list;
	return 0;
}

/* setenv NAME VALUE: l2vpn runs no scripts, so the environment reaches nothing, except
 * OpenVPN's two meanings for the parser: `setenv opt DIRECTIVE ARGS...` applies DIRECTIVE and
 * only warns when it is unknown; `setenv FORWARD_COMPATIBLE 1` makes every unknown directive
 * a warning. */
static int do_setenv(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	if (strcmp(argv[1], "opt") == 0) {
		if (argc < 3)
			return cfg_fail(c, "opt: missing the directive it makes optional");
		if (!find_directive(argv[2]))
			return cfg_warn(c, "opt %s: unknown directive, ignored", argv[2]);
		return cfg_apply_directive(c, argc - 2, argv + 2);
	}
	if (argc != 3)
		return cfg_fail(c, "expects NAME VALUE (or opt DIRECTIVE ...), got %d arguments",
		                argc - 1);
	if (strcmp(argv[1], "FORWARD_COMPATIBLE") == 0) {
		c->cfg->forward_compatible = strcmp(argv[2], "1") == 0;
		return 0;
	}
	return cfg_warn(c, "ignored: l2vpn runs no scripts, so %s reaches nothing", argv[1]);
}

/* verify-client-cert require is what l2vpn always does; none and optional it cannot do. */
static int do_verify_client_cert(struct cfg_ctx *c, const struct directive *d, int argc,
                                 char **argv)
{
	(void)d;
	(void)argc;
	if (strcmp(argv[1], "require") == 0)
		return 0;
	if (strcmp(argv[1], "none") == 0 || strcmp(argv[1], "optional") == 0)
		return cfg_fail(
		    c, "%s: not supported: l2vpn requires a certificate of every client", argv[1]);
	return cfg_fail(c, "'%s' is not one of: none, optional, require", argv[1]);
}

#define FLAG_HANDLER(fn, field)                                                                    \
	static int fn(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)         \
	{                                                                                          \
		(void)d;                                                                           \
		(void)argc;                                                                        \
		(void)argv;                                                                        \
		c->cfg->field = true;                                                              \
		return 0;                                                                          \
	}

FLAG_HANDLER(do_remote_random, remote_random)
FLAG_HANDLER(do_nobind, nobind)
FLAG_HANDLER(do_client_to_client, client_to_client)
FLAG_HANDLER(do_duplicate_cn, duplicate_cn)
FLAG_HANDLER(do_persist_key, persist_key)
FLAG_HANDLER(do_persist_tun, persist_tun)
FLAG_HANDLER(do_test_config, test_config)
FLAG_HANDLER(do_suppress_timestamps, suppress_timestamps)

/* Fixed-range numbers stored in an unsigned field at OFFSET of struct config. */
struct number_field {
	const char *name;
	size_t offset;
	unsigned lo, hi;
};

static const struct number_field number_fields[] = {
	{ "lport", offsetof(struct config, local_port), 1, 65535 },
	{ "rport", offsetof(struct config, remote_port), 1, 65535 },
	{ "connect-retry-max", offsetof(struct config, connect_retry_max), 1, 1000000 },
	{ "max-clients", offsetof(struct config, max_clients), 1, 65535 },
	{ "preauth-max", offsetof(struct config, preauth_max), 1, 65535 },
	{ "preauth-max-per-source", offsetof(struct config, preauth_per_source), 1, 65535 },
	{ "preauth-timeout", offsetof(struct config, preauth_timeout), 1, 3600 },
	{ "txqueuelen", offsetof(struct config, txqueuelen), 1, 1000000 },
	{ "hand-window", offsetof(struct config, hand_window), 1, 3600 },
	{ "connect-timeout", offsetof(struct config, connect_timeout), 1, 3600 },
	{ "server-poll-timeout", offsetof(struct config, connect_timeout), 1, 3600 },
	{ "mute", offsetof(struct config, mute), 0, 1000000 },
	{ "ping-exit", offsetof(struct config, ping_exit), 0, 86400 },
	{ "management-log-cache", offsetof(struct config, management_log_cache), 1, 100000 },
};

static int do_number(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	for (size_t i = 0; i < sizeof(number_fields) / sizeof(number_fields[0]); i++) {
		const struct number_field *f = &number_fields[i];

		if (strcmp(f->name, d->name) == 0)
			return cfg_parse_uint(c, NULL, argv[1], f->lo, f->hi,
			                      (unsigned *)((char *)c->cfg + f->offset));
	}
	return cfg_fail(c, "internal error: no number field");
}

/* ---- the table -------------------------------------------------------------------------- */

#define NO_SCRIPTS "l2vpn runs no scripts"
#define DATA_IN_TLS                                                                                \
	"frames travel inside the TLS session, whose ciphers come from tls-cipher / "              \
	"tls-ciphersuites"
#define NO_CONTROL_CHANNEL                                                                         \
	"l2vpn speaks standard TLS over TCP with mutual certificate authentication: there "        \
	"is no OpenVPN control channel to authenticate or encrypt (remove it; a firewall "         \
	"rule restricts who may connect)"

static const struct directive directives[] = {
	/* Transport and role. */
	{ "port", 1, 1, do_port, NULL },
	{ "lport", 1, 1, do_number, NULL },
	{ "rport", 1, 1, do_number, NULL },
	{ "local", 1, 1, do_local, NULL },
	{ "proto", 1, 1, do_proto, NULL },
	{ "mode", 1, 1, do_mode, NULL },
	{ "server-bridge", 0, 4, do_server_bridge, NULL },
	{ "tls-server", 0, 0, do_role_server, NULL },
	{ "tls-client", 0, 0, do_role_client, NULL },
	{ "client", 0, 0, do_role_client, NULL },
	{ "remote", 1, 3, do_remote, NULL },
	{ "remote-random", 0, 0, do_remote_random, NULL },
	{ "resolv-retry", 1, 1, do_resolv_retry, NULL },
	{ "connect-retry", 1, 2, do_connect_retry, NULL },
	{ "connect-timeout", 1, 1, do_number, NULL },
	{ "server-poll-timeout", 1, 1, do_number, NULL },
	{ "tcp-congestion", 1, 1, do_tcp_congestion, NULL },
	{ "connect-retry-max", 1, 1, do_number, NULL },
	{ "nobind", 0, 0, do_nobind, NULL },
	{ "max-clients", 1, 1, do_number, NULL },
	{ "preauth-max", 1, 1, do_number, NULL },
	{ "preauth-max-per-source", 1, 1, do_number, NULL },
	{ "preauth-timeout", 1, 1, do_number, NULL },
	{ "client-to-client", 0, 0, do_client_to_client, NULL },
	{ "broadcast-limit", 1, 2, do_storm_limit, NULL },
	{ "multicast-limit", 1, 2, do_storm_limit, NULL },
	{ "unknown-unicast-limit", 1, 2, do_storm_limit, NULL },
	{ "max-routes-per-client", 1, 1, do_max_routes_per_client, NULL },
	{ "mac-age", 1, 1, do_mac_age, NULL },
	{ "flap-action", 1, 2, do_flap_action, NULL },
	{ "client-config-dir", 1, 1, do_client_config_dir, NULL },
	{ "ccd-exclusive", 0, 0, do_ccd_exclusive, NULL },
	{ "disable", 0, 0, do_disable, NULL },
	{ "duplicate-cn", 0, 0, do_duplicate_cn, NULL },
	{ "explicit-exit-notify", 0, 1, do_explicit_exit_notify, NULL },
	/* Device. */
	{ "dev", 1, 1, do_dev, NULL },
	{ "dev-type", 1, 1, do_dev_type, NULL },
	{ "bridge", 1, 1, do_bridge, NULL },
	{ "tap-offload", 1, 1, do_tap_offload, NULL },
	{ "tun-mtu", 1, 2, do_tun_mtu, NULL },
	{ "txqueuelen", 1, 1, do_number, NULL },
	/* TLS. */
	{ "ca", 1, 1, do_pem, NULL },
	{ "cert", 1, 1, do_pem, NULL },
	{ "key", 1, 1, do_pem, NULL },
	{ "dh", 1, 1, do_pem, NULL },
	{ "remote-cert-tls", 1, 1, do_remote_cert_tls, NULL },
	{ "remote-cert-eku", 1, 1, do_remote_cert_eku, NULL },
	{ "remote-cert-ku", 0, CONFIG_KU_MAX, do_remote_cert_ku, NULL },
	{ "ns-cert-type", 1, 1, do_ns_cert_type, NULL },
	{ "verify-x509-name", 1, 2, do_verify_x509_name, NULL },
	{ "crl-verify", 1, 2, do_crl_verify, NULL },
	{ "askpass", 0, 1, do_askpass, NULL },
	{ "tls-version-min", 1, 2, do_tls_version_min, NULL },
	{ "tls-version-max", 1, 1, do_tls_version_max, NULL },
	{ "tls-cipher", 1, 1, do_tls_cipher, NULL },
	{ "tls-ciphersuites", 1, 1, do_tls_cipher, NULL },
	{ "tls-groups", 1, 1, do_tls_groups, NULL },
	{ "ecdh-curve", 1, 1, do_tls_groups, NULL },
	{ "tls-cert-profile", 1, 1, do_tls_cert_profile, NULL },
	{ "hand-window", 1, 1, do_number, NULL },
	{ "allow-unmarked-certs", 0, 0, do_allow_unmarked_certs, NULL },
	{ "reneg-sec", 1, 2, do_reneg, NULL },
	{ "reneg-bytes", 1, 1, do_reneg, NULL },
	{ "reneg-pkts", 1, 1, do_reneg, NULL },
	/* Keepalive. */
	{ "keepalive", 2, 2, do_keepalive, NULL },
	{ "ping", 1, 1, do_ping, NULL },
	{ "ping-restart", 1, 1, do_ping, NULL },
	{ "ping-exit", 1, 1, do_number, NULL },
	{ "inactive", 1, 2, do_inactive, NULL },
	/* Compression. */
	{ "comp-lzo", 0, 1, do_comp_lzo, NULL },
	{ "compress", 0, 1, do_compress, NULL },
	{ "allow-compression", 1, 1, do_allow_compression, NULL },
	/* Process. */
	{ "persist-key", 0, 0, do_persist_key, NULL },
	{ "persist-tun", 0, 0, do_persist_tun, NULL },
	{ "status", 1, 2, do_status, NULL },
	{ "status-version", 1, 1, do_status_version, NULL },
	{ "verb", 1, 1, do_verb, NULL },
	{ "mute", 1, 1, do_number, NULL },
	{ "log", 1, 1, do_log, NULL },
	{ "log-append", 1, 1, do_log, NULL },
	{ "suppress-timestamps", 0, 0, do_suppress_timestamps, NULL },
	{ "syslog", 0, 1, do_syslog_daemon, NULL },
	{ "daemon", 0, 1, do_syslog_daemon, NULL },
	{ "writepid", 1, 1, do_writepid, NULL },
	{ "user", 1, 1, do_user_group, NULL },
	{ "group", 1, 1, do_user_group, NULL },
	{ "cd", 1, 1, do_cd, NULL },
	{ "config", 1, 1, do_config, NULL },
	{ "test-config", 0, 0, do_test_config, NULL },
	{ "mktun", 0, 0, do_action, NULL },
	{ "rmtun", 0, 0, do_action, NULL },
	{ "help", 0, 0, do_action, NULL },
	{ "version", 0, 0, do_action, NULL },
	/* Management interface and metrics. */
	{ "management", 2, 3, do_management, NULL },
	{ "management-client-user", 1, 1, do_management_owner, NULL },
	{ "management-client-group", 1, 1, do_management_owner, NULL },
	{ "management-hold", 0, 0, do_management_hold, NULL },
	{ "management-log-cache", 1, 1, do_number, NULL },
	{ "metrics-file", 1, 2, do_metrics_file, NULL },
	/* Harmless OpenVPN directives: accepted, with a warning saying why nothing changes. */
	{ "tcp-nodelay", 0, 0, do_ignore, "l2vpn always sets TCP_NODELAY" },
	{ "script-security", 0, 2, do_ignore, NO_SCRIPTS },
	{ "mssfix", 0, 2, do_ignore, "over TCP the inner packets need no MSS clamping" },
	{ "ping-timer-rem", 0, 0, do_ignore, "l2vpn pings only on established connections" },
	{ "cipher", 1, 1, do_ignore, DATA_IN_TLS },
	{ "data-ciphers", 1, 1, do_ignore, DATA_IN_TLS },
	{ "data-ciphers-fallback", 1, 1, do_ignore, DATA_IN_TLS },
	{ "ncp-ciphers", 1, 1, do_ignore, DATA_IN_TLS },
	{ "auth", 1, 1, do_ignore, DATA_IN_TLS },
	{ "key-direction", 1, 1, do_ignore,
	  "it only qualifies tls-auth, which l2vpn has no use "
	  "for" },
	{ "push", 1, 1, do_ignore,
	  "l2vpn pushes no options: each site keeps its own "
	  "addresses and routes" },
	{ "pull", 0, 0, do_ignore, "l2vpn pushes no options (client already implies the role)" },
	{ "ifconfig-pool-persist", 1, 2, do_ignore, "l2vpn assigns no addresses" },
	{ "topology", 1, 1, do_ignore, "it only concerns tun devices" },
	{ "float", 0, 0, do_ignore, "a TCP connection cannot change its peer address" },
	{ "fast-io", 0, 0, do_ignore, "it only concerns UDP" },
	{ "mute-replay-warnings", 0, 0, do_ignore, "TLS over TCP has no replays to report" },
	{ "sndbuf", 1, 1, do_ignore, "l2vpn sizes its socket buffers itself" },
	{ "rcvbuf", 1, 1, do_ignore, "l2vpn sizes its socket buffers itself" },
	{ "tcp-queue-limit", 1, 1, do_ignore, "l2vpn bounds each peer's queue in bytes itself" },
	{ "auth-nocache", 0, 0, do_ignore, "l2vpn has no password authentication" },
	{ "tls-timeout", 1, 1, do_ignore,
	  "it times OpenVPN's retransmissions of TLS packets over UDP; TCP retransmits itself" },
	{ "bcast-buffers", 1, 1, do_ignore, "l2vpn bounds each peer's queue in bytes itself" },
	{ "persist-local-ip", 0, 0, do_ignore, "a client binds no local address to keep" },
	{ "persist-remote-ip", 0, 0, do_ignore,
	  "l2vpn resolves the remote's name again at each attempt" },
	{ "machine-readable-output", 0, 0, do_ignore, "l2vpn has one log format" },
	{ "management-query-passwords", 0, 0, do_ignore,
	  "l2vpn reads a key's passphrase from askpass FILE, never from the management "
	  "interface" },
	{ "management-forget-disconnect", 0, 0, do_ignore, "l2vpn keeps no passwords to forget" },
	{ "management-up-down", 0, 0, do_ignore,
	  "l2vpn runs no up/down scripts, so there are no such events to report" },
	{ "management-query-remote", 0, 0, do_ignore,
	  "a client tries its remotes in order by itself" },
	{ "management-query-proxy", 0, 0, do_ignore, "l2vpn connects directly, through no proxy" },
	/* OpenVPN directives l2vpn cannot honour: refused with the reason. */
	{ "tls-auth", 1, 2, do_refuse, NO_CONTROL_CHANNEL },
	{ "tls-crypt", 1, 1, do_refuse, NO_CONTROL_CHANNEL },
	{ "tls-crypt-v2", 1, 2, do_refuse, NO_CONTROL_CHANNEL },
	{ "up", 1, 1, do_refuse,
	  NO_SCRIPTS "; to put the tap into a bridge write `bridge NAME` "
	             "(l2vpn attaches it and brings it up)" },
	{ "down", 1, 1, do_refuse,
	  NO_SCRIPTS "; with `bridge NAME` the tap leaves the bridge "
	             "when it is deleted" },
	{ "down-pre", 0, 0, do_refuse, NO_SCRIPTS },
	{ "up-restart", 0, 0, do_refuse, NO_SCRIPTS },
	{ "route-up", 1, 1, do_refuse, NO_SCRIPTS },
	{ "learn-address", 1, 1, do_refuse, NO_SCRIPTS },
	{ "client-connect", 1, 1, do_refuse, NO_SCRIPTS },
	{ "client-disconnect", 1, 1, do_refuse, NO_SCRIPTS },
	{ "tls-verify", 1, 1, do_refuse, NO_SCRIPTS "; use verify-x509-name" },
	{ "auth-user-pass", 0, 1, do_refuse, "l2vpn authenticates with certificates only" },
	{ "auth-user-pass-verify", 2, 2, do_refuse, "l2vpn authenticates with certificates only" },
	{ "fragment", 1, 2, do_refuse, "it is UDP only (OpenVPN refuses it with TCP too)" },
	{ "server", 2, 3, do_refuse,
	  "that is OpenVPN's routed (tun) server; a bridging server "
	  "says server-bridge" },
	{ "ifconfig", 2, 2, do_refuse, "l2vpn puts no address on the tap: give it to the bridge" },
	{ "route", 1, 4, do_refuse,
	  "l2vpn adds no routes: the bridged LAN needs none; add any "
	  "other route to the system" },
	{ "chroot", 1, 1, do_refuse, "l2vpn drops privileges with user/group instead" },
	{ "management-signal", 0, 0, do_refuse,
	  "l2vpn's links do not depend on a management client: it does not restart them when "
	  "one disconnects" },
	{ "management-client-auth", 0, 0, do_refuse,
	  "sites are admitted by their certificates alone (verify-x509-name, crl-verify); l2vpn "
	  "leaves that decision to no management client" },
	{ "management-client-pf", 0, 0, do_refuse, "l2vpn has no packet filter" },
	{ "management-external-key", 0, 8, do_refuse,
	  "l2vpn reads its private key from a file (key)" },
	{ "management-external-cert", 1, 1, do_refuse,
	  "l2vpn reads its certificate from a file (cert)" },
	{ "management-client", 0, 0, do_refuse,
	  "l2vpn listens for management clients; it does not connect out to one" },
	{ "http-proxy", 2, 4, do_refuse, "l2vpn connects directly" },
	{ "socks-proxy", 1, 3, do_refuse, "l2vpn connects directly" },
	{ "lladdr", 1, 1, do_refuse,
	  "a tap l2vpn creates gets a stable fe:... MAC that never "
	  "becomes the bridge's own" },
	{ "verify-client-cert", 1, 1, do_verify_client_cert, NULL },
	/* Parser directives of OpenVPN's. */
	{ "setenv", 1, 64, do_setenv, NULL },
	{ "ignore-unknown-option", 1, 64, do_ignore_unknown_option, NULL },
	{ "port-share", 2, 3, do_refuse,
	  "l2vpn shares its port with no other server: give that one a port of its own" },
	{ "plugin", 1, 32, do_refuse,
	  "l2vpn loads no plugins: sites authenticate by certificate (verify-x509-name, CRL)" },
};

static const struct directive *find_directive(const char *name)
{
	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (strcmp(directives[i].name, name) == 0)
			return &directives[i];
	return NULL;
}

int cfg_apply_directive(struct cfg_ctx *c, int argc, char **argv)
{
	const struct directive *d = find_directive(argv[0]);
	int given = argc - 1;

	c->directive = argv[0];
	if (c->cfg->site_file) {
		int allowed = cfg_site_file_filter(c, argv[0]);

		if (allowed <= 0)
			return allowed;
	}
	if (!d && unknown_is_ignored(c->cfg, argv[0]))
		return cfg_warn(c, "unknown directive, ignored (ignore-unknown-option or "
		                   "setenv FORWARD_COMPATIBLE 1)");
	if (!d)
		return cfg_fail(c, "unknown directive");
	if (given < d->min_args)
		return cfg_fail(c,
		                d->min_args == d->max_args
		                    ? "missing argument (expects %d, got %d)"
		                    : "missing argument (expects at least %d, got %d)",
		                d->min_args, given);
	if (given > d->max_args)
		return cfg_fail(c, "too many arguments (expects at most %d, got %d)", d->max_args,
		                given);
	return d->handler(c, d, argc, argv);
}

/* The absolute path of the file being read (as given when its directory is unknown), in *OUT,
 * so that a check after `cd` still finds it. 0 or -ENOMEM. */
static int source_path(const struct cfg_ctx *c, char **out)
{
	const char *slash = strrchr(c->source, '/');

	if (c->source[0] == '/' || !c->base_dir)
		*out = strdup(c->source);
	else if (asprintf(out, "%s/%s", c->base_dir, slash ? slash + 1 : c->source) < 0)
		*out = NULL;
	return *out ? 0 : -ENOMEM;
}

int cfg_apply_inline(struct cfg_ctx *c, const char *name, const char *text)
{
	const struct directive *d = find_directive(name);
	struct config_pem *pem = cfg_pem_for(c->cfg, name);
	char *copy, *source = NULL;

	c->directive = name;
	if (!pem) {
		if (d && d->handler == do_refuse)
			return cfg_fail(c, "not supported: %s", d->note);
		return cfg_fail(c, "inline block not supported (only <ca>, <cert>, <key>, <dh>)");
	}
	if (!strstr(text, "-----BEGIN "))
		return cfg_fail(c, "inline block holds no PEM data (no -----BEGIN line)");
	copy = strdup(text);
	if (!copy || (c->source && source_path(c, &source) < 0)) {
		free(copy);
		return cfg_fail_code(c, -ENOMEM, "out of memory");
	}
	free(pem->path);
	pem->path = NULL;
	cfg_pem_clear_inline(pem);
	pem->inline_pem = copy;
	pem->inline_source = source;
	if (pem == &c->cfg->dh)
		c->cfg->dh_none = false;
	return 0;
}
