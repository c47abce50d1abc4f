// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The directive table: name, argument count, handler. Handlers check their values (numbers,
 * ranges, keywords) and store them in struct config; errors and warnings carry the location
 * through struct cfg_ctx. OpenVPN directives keep OpenVPN's meaning; the ones l2vpn cannot
 * honour are refused with the reason, harmless ones are accepted with a warning saying why
 * they change nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "config_internal.h"
#include "tapbridge.h"

struct directive;
typedef int (*directive_fn)(struct cfg_ctx *c, const struct directive *d, int argc, char **argv);

struct directive {
	const char *name;
	int min_args, max_args; /* arguments after the name */
	directive_fn handler;
	const char *note; /* reason for the generic ignore/refuse handlers */
};

/* ---- value helpers ---------------------------------------------------------------------- */

/* Decimal number in LO..HI; WHAT names the value in messages. */
static int parse_uint(struct cfg_ctx *c, const char *what, const char *s, unsigned lo, unsigned hi,
                      unsigned *out)
{
	unsigned long v = 0;
	const char *p = s;

	if (*p == '\0')
		return cfg_fail(c, "%s: empty, expected a number", what);
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return cfg_fail(c, "%s: '%s' is not a number", what, s);
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > UINT_MAX)
			break;
	}
	if (v < lo || v > hi)
		return cfg_fail(c, "%s: %s is out of range (%u..%u)", what, s, lo, hi);
	*out = (unsigned)v;
	return 0;
}

static int port_arg(struct cfg_ctx *c, const char *s, unsigned *out)
{
	return parse_uint(c, "port", s, 1, 65535, out);
}

/* Index of S in the NULL-terminated WORDS, or a "must be one of" error. */
static int keyword(struct cfg_ctx *c, const char *s, const char *const *words)
{
	char list[200] = "";

	for (int i = 0; words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	for (int i = 0; words[i]; i++) {
		size_t n = strlen(list);
		snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", words[i]);
	}
	return cfg_fail(c, "'%s' is not one of: %s", s, list);
}

static int store_string(struct cfg_ctx *c, char **dst, const char *s)
{
	if (cfg_set_string(dst, s) < 0)
		return cfg_fail_code(c, -ENOMEM, "out of memory");
	return 0;
}

static int store_path(struct cfg_ctx *c, char **dst, const char *s)
{
	if (s[0] == '\0')
		return cfg_fail(c, "empty file name");
	return cfg_resolve_path(c, s, dst);
}

static int check_ifname(struct cfg_ctx *c, const char *name)
{
	struct tb_err err = { { 0 } };

	if (tb_name_check(name, &err) < 0)
		return cfg_fail(c, "%s", err.msg);
	return 0;
}

static const char *role_name(enum config_role role)
{
	return role == ROLE_SERVER ? "server" : "client";
}

/* Record that the directive being applied makes this end a ROLE; a contrary earlier
 * directive is an error naming both. */
static int set_role(struct cfg_ctx *c, enum config_role role)
{
	char where[CONFIG_ERR_MAX / 2], *origin;

	if (c->cfg->role != ROLE_UNSET && c->cfg->role != role)
		return cfg_fail(c, "makes this end a %s, but %s made it a %s", role_name(role),
		                c->cfg->role_origin, role_name(c->cfg->role));
	if (c->cfg->role == role)
		return 0;
	if (asprintf(&origin, "%s %s", cfg_where(c, where, sizeof(where)), c->directive) < 0)
		return cfg_fail_code(c, -ENOMEM, "out of memory");
	free(c->cfg->role_origin);
	c->cfg->role_origin = origin;
	c->cfg->role = role;
	return 0;
}

/* tcp, tcp4, tcp6, each optionally with -server or -client. */
static int parse_proto(struct cfg_ctx *c, const char *s, int *family, enum config_role *role)
{
	const char *p = s;

	if (strncmp(s, "udp", 3) == 0)
		return cfg_fail(c,
		                "%s: l2vpn carries frames over TCP only (use proto tcp on "
		                "both ends)",
		                s);
	if (strncmp(p, "tcp", 3) != 0)
		goto bad;
	p += 3;
	*family = AF_UNSPEC;
	if (*p == '4' || *p == '6') {
		*family = *p == '4' ? AF_INET : AF_INET6;
		p++;
	}
	*role = ROLE_UNSET;
	if (strcmp(p, "-server") == 0)
		*role = ROLE_SERVER;
	else if (strcmp(p, "-client") == 0)
		*role = ROLE_CLIENT;
	else if (*p)
		goto bad;
	return 0;
bad:
	return cfg_fail(c,
	                "'%s' is not a protocol l2vpn knows (tcp, tcp4, tcp6, with "
	                "-server or -client)",
	                s);
}

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
	{ "txqueuelen", offsetof(struct config, txqueuelen), 1, 1000000 },
	{ "hand-window", offsetof(struct config, hand_window), 1, 3600 },
	{ "mute", offsetof(struct config, mute), 0, 1000000 },
	{ "ping-exit", offsetof(struct config, ping_exit), 0, 86400 },
};

static int do_number(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	for (size_t i = 0; i < sizeof(number_fields) / sizeof(number_fields[0]); i++) {
		const struct number_field *f = &number_fields[i];

		if (strcmp(f->name, d->name) == 0)
			return parse_uint(c, "value", argv[1], f->lo, f->hi,
			                  (unsigned *)((char *)c->cfg + f->offset));
	}
	return cfg_fail(c, "internal error: no number field");
}

/* ---- transport and role ----------------------------------------------------------------- */

static int do_port(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned port;
	int ret = port_arg(c, argv[1], &port);

	(void)d;
	(void)argc;
	if (ret == 0)
		c->cfg->local_port = c->cfg->remote_port = port;
	return ret;
}

static int do_local(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty address");
	return store_string(c, &c->cfg->local, argv[1]);
}

static int do_proto(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	enum config_role role;
	char where[CONFIG_ERR_MAX / 2];
	int family, ret;

	(void)d;
	(void)argc;
	ret = parse_proto(c, argv[1], &family, &role);
	if (ret < 0)
		return ret;
	c->cfg->family = family;
	if (role != ROLE_UNSET)
		return set_role(c, role);
	return store_string(c, &c->cfg->proto_origin, cfg_where(c, where, sizeof(where)));
}

static int do_role_server(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	(void)argv;
	return set_role(c, ROLE_SERVER);
}

static int do_role_client(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	(void)argv;
	return set_role(c, ROLE_CLIENT);
}

static int do_mode(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const modes[] = { "server", "p2p", NULL };
	int m = keyword(c, argv[1], modes);

	if (m < 0)
		return m;
	return m == 0 ? do_role_server(c, d, argc, argv) : 0;
}

static bool is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

/* server-bridge | server-bridge nogw | server-bridge GW MASK POOL_START POOL_END */
static int do_server_bridge(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	if (argc == 2 && strcmp(argv[1], "nogw") != 0)
		return cfg_fail(c, "'%s': expected nothing, nogw, or GW MASK POOL_START POOL_END",
		                argv[1]);
	if (argc == 3 || argc == 4)
		return cfg_fail(c,
		                "expected nothing, nogw, or GW MASK POOL_START POOL_END (got "
		                "%d arguments)",
		                argc - 1);
	if (argc == 5) {
		for (int i = 1; i < 5; i++)
			if (!is_ipv4(argv[i]))
				return cfg_fail(c, "'%s' is not an IPv4 address", argv[i]);
		ret = cfg_warn(c, "pool arguments unused: l2vpn pushes no addresses (clients' "
		                  "LAN hosts keep their own)");
		if (ret < 0)
			return ret;
	}
	c->cfg->server_bridge = true;
	return do_role_server(c, d, argc, argv);
}

static int do_remote(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	struct config *cfg = c->cfg;
	struct config_remote r = { .family = AF_UNSPEC };
	struct config_remote *grown;
	enum config_role role = ROLE_UNSET;
	int ret;

	(void)d;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty host name");
	if (argc > 2 && (ret = port_arg(c, argv[2], &r.port)) < 0)
		return ret;
	if (argc > 3 && (ret = parse_proto(c, argv[3], &r.family, &role)) < 0)
		return ret;
	if (role == ROLE_SERVER)
		return cfg_fail(c, "%s: a remote is connected to, it cannot be a server protocol",
		                argv[3]);
	grown = realloc(cfg->remotes, (cfg->n_remotes + 1) * sizeof(*grown));
	if (!grown)
		return cfg_fail_code(c, -ENOMEM, "out of memory");
	cfg->remotes = grown;
	r.host = strdup(argv[1]);
	if (!r.host)
		return cfg_fail_code(c, -ENOMEM, "out of memory");
	cfg->remotes[cfg->n_remotes++] = r;
	return 0;
}

static int do_resolv_retry(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned v;
	int ret;

	(void)d;
	(void)argc;
	if (strcmp(argv[1], "infinite") == 0) {
		c->cfg->resolv_retry = -1;
		return 0;
	}
	ret = parse_uint(c, "seconds", argv[1], 0, INT_MAX, &v);
	if (ret == 0)
		c->cfg->resolv_retry = (int)v;
	return ret;
}

static int do_connect_retry(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned first, max;
	int ret;

	(void)d;
	ret = parse_uint(c, "seconds", argv[1], 1, 86400, &first);
	if (ret < 0)
		return ret;
	max = first > c->cfg->connect_retry_max_wait ? first : c->cfg->connect_retry_max_wait;
	if (argc > 2) {
		ret = parse_uint(c, "maximum seconds", argv[2], 1, 86400, &max);
		if (ret < 0)
			return ret;
		if (max < first)
			return cfg_fail(c, "maximum %u s is below the first wait %u s", max, first);
	}
	c->cfg->connect_retry = first;
	c->cfg->connect_retry_max_wait = max;
	return 0;
}

/* ---- device ----------------------------------------------------------------------------- */

static int do_dev(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	(void)argc;
	if (strncmp(argv[1], "tun", 3) == 0)
		return cfg_fail(c,
		                "%s: l2vpn is layer 2 only: it needs a tap (e.g. dev tap0), "
		                "not a tun device",
		                argv[1]);
	ret = check_ifname(c, argv[1]);
	if (ret < 0)
		return ret;
	return store_string(c, &c->cfg->dev, argv[1]);
}

static int do_dev_type(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	if (strcmp(argv[1], "tun") == 0)
		return cfg_fail(c, "tun: l2vpn is layer 2 only: use dev-type tap");
	if (strcmp(argv[1], "tap") != 0)
		return cfg_fail(c, "'%s' is not a device type (l2vpn knows only tap)", argv[1]);
	c->cfg->dev_type_tap = true;
	return 0;
}

static int do_bridge(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	(void)argc;
	ret = check_ifname(c, argv[1]);
	if (ret == 0)
		ret = store_string(c, &c->cfg->bridge, argv[1]);
	if (ret == 0)
		ret = store_string(c, &c->cfg->bridge_for_mktun, argv[1]);
	return ret;
}

static int do_tun_mtu(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	ret = parse_uint(c, "MTU", argv[1], 68, 65535, &c->cfg->tun_mtu);
	if (ret == 0 && argc > 2)
		ret = cfg_warn(c, "second argument (occ-mtu) ignored: l2vpn negotiates the "
		                  "maximum frame in its hello");
	return ret;
}

/* ---- actions ---------------------------------------------------------------------------- */

static int set_action(struct cfg_ctx *c, enum config_action action)
{
	enum config_action old = c->cfg->action;

	if (action == ACTION_MKTUN || action == ACTION_RMTUN) {
		if ((old == ACTION_MKTUN || old == ACTION_RMTUN) && old != action)
			return cfg_fail(c, "--mktun and --rmtun exclude each other");
		if (old == ACTION_HELP || old == ACTION_VERSION)
			return 0;
	}
	if (action == ACTION_VERSION && old == ACTION_HELP)
		return 0;
	c->cfg->action = action;
	return 0;
}

static int do_action(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (strcmp(d->name, "mktun") == 0)
		return set_action(c, ACTION_MKTUN);
	if (strcmp(d->name, "rmtun") == 0)
		return set_action(c, ACTION_RMTUN);
	if (strcmp(d->name, "help") == 0)
		return set_action(c, ACTION_HELP);
	return set_action(c, ACTION_VERSION);
}

/* ---- TLS -------------------------------------------------------------------------------- */

static struct config_pem *pem_for(struct config *cfg, const char *name)
{
	if (strcmp(name, "ca") == 0)
		return &cfg->ca;
	if (strcmp(name, "cert") == 0)
		return &cfg->cert;
	if (strcmp(name, "key") == 0)
		return &cfg->key;
	if (strcmp(name, "dh") == 0)
		return &cfg->dh;
	return NULL;
}

static int do_pem(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	struct config_pem *pem = pem_for(c->cfg, d->name);
	int ret;

	(void)argc;
	if (strcmp(d->name, "dh") == 0) {
		c->cfg->dh_none = strcmp(argv[1], "none") == 0;
		if (c->cfg->dh_none) {
			free(pem->path);
			free(pem->inline_pem);
			pem->path = pem->inline_pem = NULL;
			return 0;
		}
	}
	ret = store_path(c, &pem->path, argv[1]);
	if (ret == 0) {
		free(pem->inline_pem);
		pem->inline_pem = NULL;
	}
	return ret;
}

static int cert_purpose(struct cfg_ctx *c, const char *s, enum config_cert_purpose *out)
{
	static const char *const purposes[] = { "server", "client", NULL };
	int p = keyword(c, s, purposes);

	if (p < 0)
		return p;
	*out = p == 0 ? PURPOSE_SERVER : PURPOSE_CLIENT;
	return 0;
}

static int do_remote_cert_tls(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	return cert_purpose(c, argv[1], &c->cfg->remote_cert_tls);
}

static int do_ns_cert_type(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	(void)argc;
	ret = cert_purpose(c, argv[1], &c->cfg->ns_cert_type);
	if (ret == 0)
		ret = cfg_warn(c,
		               "deprecated: checked as the certificate purpose (TLS web %s), "
		               "like remote-cert-tls %s; prefer remote-cert-tls",
		               argv[1], argv[1]);
	return ret;
}

static int do_verify_x509_name(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const kinds[] = { "subject", "name", "name-prefix", NULL };
	static const enum config_x509_match match[] = { X509_MATCH_SUBJECT, X509_MATCH_NAME,
		                                        X509_MATCH_PREFIX };
	int k = 1;

	(void)d;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty name");
	if (argc > 2 && (k = keyword(c, argv[2], kinds)) < 0)
		return k;
	c->cfg->verify_x509_match = match[k];
	return store_string(c, &c->cfg->verify_x509_name, argv[1]);
}

static int do_crl_verify(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	if (argc > 2) {
		if (strcmp(argv[2], "dir") == 0)
			return cfg_fail(c, "the 'dir' form is not supported: give one PEM CRL "
			                   "file (easy-rsa's crl.pem)");
		return cfg_fail(c,
		                "'%s': the only second argument OpenVPN knows is 'dir', and "
		                "l2vpn does not support it",
		                argv[2]);
	}
	return store_path(c, &c->cfg->crl_verify, argv[1]);
}

static int do_tls_version_min(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const versions[] = { "1.0", "1.1", "1.2", "1.3", NULL };
	int v = keyword(c, argv[1], versions), ret = 0;

	(void)d;
	if (v < 0)
		return v;
	if (argc > 2 && strcmp(argv[2], "or-highest") != 0)
		return cfg_fail(c, "'%s': expected or-highest", argv[2]);
	if (v < 2)
		ret = cfg_warn(c, "%s raised to 1.2, the oldest TLS version l2vpn speaks", argv[1]);
	c->cfg->tls_version_min = v == 3 ? 0x0304 : 0x0303;
	c->cfg->tls_version_min_or_highest = argc > 2;
	return ret;
}

static int do_tls_cipher(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty cipher list");
	return store_string(
	    c, strcmp(d->name, "tls-cipher") == 0 ? &c->cfg->tls_cipher : &c->cfg->tls_ciphersuites,
	    argv[1]);
}

/* ---- keepalive -------------------------------------------------------------------------- */

static int do_keepalive(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned interval, timeout;
	int ret;

	(void)d;
	(void)argc;
	ret = parse_uint(c, "interval", argv[1], 1, 86400, &interval);
	if (ret == 0)
		ret = parse_uint(c, "timeout", argv[2], 1, 86400, &timeout);
	if (ret < 0)
		return ret;
	if (timeout < 2 * interval)
		return cfg_fail(c, "timeout %u s must be at least twice the interval %u s", timeout,
		                interval);
	c->cfg->keepalive_interval = interval;
	c->cfg->keepalive_timeout = timeout;
	return 0;
}

static int do_ping(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	bool restart = strcmp(d->name, "ping-restart") == 0;
	int ret;

	(void)argc;
	ret = parse_uint(c, "seconds", argv[1], 0, 86400,
	                 restart ? &c->cfg->ping_restart : &c->cfg->ping);
	if (ret == 0 && restart)
		c->cfg->ping_restart_set = true;
	else if (ret == 0)
		c->cfg->ping_set = true;
	return ret;
}

static int do_explicit_exit_notify(struct cfg_ctx *c, const struct directive *d, int argc,
                                   char **argv)
{
	unsigned n;
	int ret;

	(void)d;
	if (argc > 1 && (ret = parse_uint(c, "count", argv[1], 0, 100, &n)) < 0)
		return ret;
	c->cfg->explicit_exit_notify = true;
	return cfg_warn(c, "meaningless over TCP (OpenVPN ignores it there too): l2vpn always "
	                   "says goodbye to its peers on exit");
}

/* ---- compression ------------------------------------------------------------------------ */

static int do_comp_lzo(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const modes[] = { "yes", "no", "adaptive", NULL };
	static const enum config_comp comp[] = { COMP_YES, COMP_NO, COMP_ADAPTIVE };
	int m = 2;

	(void)d;
	if (argc > 1 && (m = keyword(c, argv[1], modes)) < 0)
		return m;
	c->cfg->comp = comp[m];
	return 0;
}

static int do_compress(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const algs[] = { "lzo",    "stub",    "stub-v2", "lz4",
		                            "lz4-v2", "migrate", NULL };
	int a;

	(void)d;
	if (argc == 1) {
		c->cfg->comp = COMP_NO;
		return cfg_warn(c, "no algorithm: no compression (l2vpn has no framing-only mode)");
	}
	a = keyword(c, argv[1], algs);
	if (a < 0)
		return a;
	if (a == 0) {
		c->cfg->comp = COMP_YES;
		return 0;
	}
	if (a <= 2) {
		c->cfg->comp = COMP_NO;
		return cfg_warn(c, "%s: no compression (l2vpn has no framing-only mode)", argv[1]);
	}
	if (a <= 4)
		return cfg_fail(c,
		                "%s: l2vpn compresses with LZO only (write compress lzo or "
		                "comp-lzo on both ends, or drop compression)",
		                argv[1]);
	return cfg_fail(c, "migrate: not supported: l2vpn negotiates compression in its hello, "
	                   "there is nothing to migrate");
}

static int do_allow_compression(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const modes[] = { "no", "asym", "yes", NULL };
	int m = keyword(c, argv[1], modes);

	(void)d;
	(void)argc;
	if (m < 0)
		return m;
	c->cfg->allow_compression_set = true;
	c->cfg->allow_compression = m > 0;
	if (m == 1)
		return cfg_warn(c, "asym: treated as yes: l2vpn compresses only when both ends "
		                   "agree in the hello");
	return 0;
}

/* ---- process ---------------------------------------------------------------------------- */

static int do_status(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	if (argc > 2) {
		ret = parse_uint(c, "seconds", argv[2], 1, 86400, &c->cfg->status_interval);
		if (ret < 0)
			return ret;
	}
	return store_path(c, &c->cfg->status_file, argv[1]);
}

static int do_status_version(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned v;
	int ret = parse_uint(c, "version", argv[1], 1, 3, &v);

	(void)d;
	(void)argc;
	if (ret == 0)
		c->cfg->status_version = (int)v;
	return ret;
}

static int do_verb(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned v;
	int ret = parse_uint(c, "level", argv[1], 0, 11, &v);

	(void)d;
	(void)argc;
	if (ret == 0)
		c->cfg->verb = (int)v;
	return ret;
}

static int do_log(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	c->cfg->log_append = strcmp(d->name, "log-append") == 0;
	return store_path(c, &c->cfg->log_file, argv[1]);
}

static int do_syslog_daemon(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	if (strcmp(d->name, "daemon") == 0)
		c->cfg->daemon = true;
	else
		c->cfg->syslog = true;
	if (argc > 1)
		return store_string(c, &c->cfg->syslog_ident, argv[1]);
	return 0;
}

static int do_writepid(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	return store_path(c, &c->cfg->writepid, argv[1]);
}

static int do_user_group(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty name");
	return store_string(c, strcmp(d->name, "user") == 0 ? &c->cfg->user : &c->cfg->group,
	                    argv[1]);
}

static int do_cd(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	char *dir = NULL;
	int ret;

	(void)d;
	(void)argc;
	ret = store_path(c, &dir, argv[1]);
	if (ret < 0)
		return ret;
	free(c->cfg->cd);
	c->cfg->cd = dir;
	return 0;
}

static int do_config(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	char *path = NULL;
	int ret;

	(void)d;
	(void)argc;
	ret = store_path(c, &path, argv[1]);
	if (ret == 0)
		ret = cfg_include_file(c, path);
	free(path);
	return ret;
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
	{ "connect-retry-max", 1, 1, do_number, NULL },
	{ "nobind", 0, 0, do_nobind, NULL },
	{ "max-clients", 1, 1, do_number, NULL },
	{ "client-to-client", 0, 0, do_client_to_client, NULL },
	{ "duplicate-cn", 0, 0, do_duplicate_cn, NULL },
	{ "explicit-exit-notify", 0, 1, do_explicit_exit_notify, NULL },
	/* Device. */
	{ "dev", 1, 1, do_dev, NULL },
	{ "dev-type", 1, 1, do_dev_type, NULL },
	{ "bridge", 1, 1, do_bridge, NULL },
	{ "tun-mtu", 1, 2, do_tun_mtu, NULL },
	{ "txqueuelen", 1, 1, do_number, NULL },
	/* TLS. */
	{ "ca", 1, 1, do_pem, NULL },
	{ "cert", 1, 1, do_pem, NULL },
	{ "key", 1, 1, do_pem, NULL },
	{ "dh", 1, 1, do_pem, NULL },
	{ "remote-cert-tls", 1, 1, do_remote_cert_tls, NULL },
	{ "ns-cert-type", 1, 1, do_ns_cert_type, NULL },
	{ "verify-x509-name", 1, 2, do_verify_x509_name, NULL },
	{ "crl-verify", 1, 2, do_crl_verify, NULL },
	{ "tls-version-min", 1, 2, do_tls_version_min, NULL },
	{ "tls-cipher", 1, 1, do_tls_cipher, NULL },
	{ "tls-ciphersuites", 1, 1, do_tls_cipher, NULL },
	{ "hand-window", 1, 1, do_number, NULL },
	/* Keepalive. */
	{ "keepalive", 2, 2, do_keepalive, NULL },
	{ "ping", 1, 1, do_ping, NULL },
	{ "ping-restart", 1, 1, do_ping, NULL },
	{ "ping-exit", 1, 1, do_number, NULL },
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
	{ "reneg-sec", 1, 1, do_ignore, "l2vpn never renegotiates a TLS session" },
	{ "sndbuf", 1, 1, do_ignore, "l2vpn sizes its socket buffers itself" },
	{ "rcvbuf", 1, 1, do_ignore, "l2vpn sizes its socket buffers itself" },
	{ "tcp-queue-limit", 1, 1, do_ignore, "l2vpn bounds each peer's queue in bytes itself" },
	{ "auth-nocache", 0, 0, do_ignore, "l2vpn has no password authentication" },
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
	{ "management", 2, 3, do_refuse,
	  "l2vpn has no management interface: use status FILE "
	  "and SIGUSR2" },
	{ "client-config-dir", 1, 1, do_refuse, "l2vpn has no per-client options" },
	{ "http-proxy", 2, 4, do_refuse, "l2vpn connects directly" },
	{ "socks-proxy", 1, 3, do_refuse, "l2vpn connects directly" },
	{ "lladdr", 1, 1, do_refuse,
	  "a tap l2vpn creates gets a stable fe:... MAC that never "
	  "becomes the bridge's own" },
	{ "tls-cert-profile", 1, 1, do_refuse, "l2vpn uses OpenSSL's default security level" },
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

int cfg_apply_inline(struct cfg_ctx *c, const char *name, const char *text)
{
	const struct directive *d = find_directive(name);
	struct config_pem *pem = pem_for(c->cfg, name);
	char *copy;

	c->directive = name;
	if (!pem) {
		if (d && d->handler == do_refuse)
			return cfg_fail(c, "not supported: %s", d->note);
		return cfg_fail(c, "inline block not supported (only <ca>, <cert>, <key>, <dh>)");
	}
	if (!strstr(text, "-----BEGIN "))
		return cfg_fail(c, "inline block holds no PEM data (no -----BEGIN line)");
	copy = strdup(text);
	if (!copy)
		return cfg_fail_code(c, -ENOMEM, "out of memory");
	free(pem->path);
	free(pem->inline_pem);
	pem->path = NULL;
	pem->inline_pem = copy;
	if (pem == &c->cfg->dh)
		c->cfg->dh_none = false;
	return 0;
}
