// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directives about the transport, the role, the tap device and the one-shot actions
 * (--mktun, --rmtun, --help, --version).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config_directives.h"

/* ---- transport and role ----------------------------------------------------------------- */

int do_port(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned port;
	int ret = cfg_parse_port(c, NULL, argv[1], &port);

	(void)d;
	(void)argc;
	if (ret == 0)
		c->cfg->local_port = c->cfg->remote_port = port;
	return ret;
}

int do_local(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty address");
	return cfg_store_string(c, &c->cfg->local, argv[1]);
}

int do_proto(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	enum config_role role;
	char where[CONFIG_ERR_MAX / 2];
	int family, ret;

	(void)d;
	(void)argc;
	ret = cfg_parse_proto(c, argv[1], &family, &role);
	if (ret < 0)
		return ret;
	c->cfg->family = family;
	if (role != ROLE_UNSET)
		return cfg_set_role(c, role);
	return cfg_store_string(c, &c->cfg->proto_origin, cfg_where(c, where, sizeof(where)));
}

int do_role_server(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	(void)argv;
	return cfg_set_role(c, ROLE_SERVER);
}

int do_role_client(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	(void)argv;
	return cfg_set_role(c, ROLE_CLIENT);
}

int do_mode(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const modes[] = { "server", "p2p", NULL };
	int m = cfg_keyword(c, argv[1], modes);

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
int do_server_bridge(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
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

int do_remote(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	struct config *cfg = c->cfg;
	struct config_remote r = { .family = AF_UNSPEC };
	struct config_remote *grown;
	enum config_role role = ROLE_UNSET;
	int ret;

	(void)d;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty host name");
	if (argc > 2 && (ret = cfg_parse_port(c, "port", argv[2], &r.port)) < 0)
		return ret;
	if (argc > 3 && (ret = cfg_parse_proto(c, argv[3], &r.family, &role)) < 0)
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

int do_resolv_retry(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned v;
	int ret;

	(void)d;
	(void)argc;
	if (strcmp(argv[1], "infinite") == 0) {
		c->cfg->resolv_retry = -1;
		return 0;
	}
	ret = cfg_parse_uint(c, NULL, argv[1], 0, INT_MAX, &v);
	if (ret == 0)
		c->cfg->resolv_retry = (int)v;
	return ret;
}

int do_connect_retry(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned first, max;
	int ret;

	(void)d;
	ret = cfg_parse_uint(c, "first wait", argv[1], 1, 86400, &first);
	if (ret < 0)
		return ret;
	max = first > c->cfg->connect_retry_max_wait ? first : c->cfg->connect_retry_max_wait;
	if (argc > 2) {
		ret = cfg_parse_uint(c, "maximum wait", argv[2], 1, 86400, &max);
		if (ret < 0)
			return ret;
		if (max < first)
			return cfg_fail(c, "maximum %u s is below the first wait %u s", max, first);
	}
	c->cfg->connect_retry = first;
	c->cfg->connect_retry_max_wait = max;
	return 0;
}

/* tcp-congestion NAME: a kernel congestion control module's name (TCP_CA_NAME_MAX is 16 with
 * the NUL); whether this kernel has it is checked at start (daemon.c). */
int do_tcp_congestion(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	size_t len = strlen(argv[1]);

	(void)d;
	(void)argc;
	if (len == 0 || len > 15 ||
	    strspn(argv[1], "abcdefghijklmnopqrstuvwxyz0123456789_-") != len)
		return cfg_fail(c, "%s: not a congestion control name (e.g. cubic, bbr, reno)",
		                argv[1]);
	return cfg_store_string(c, &c->cfg->tcp_congestion, argv[1]);
}

/* ---- device ----------------------------------------------------------------------------- */

int do_dev(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	(void)argc;
	if (strncmp(argv[1], "tun", 3) == 0)
		return cfg_fail(c,
		                "%s: l2vpn is layer 2 only: it needs a tap (e.g. dev tap0), "
		                "not a tun device",
		                argv[1]);
	ret = cfg_check_ifname(c, argv[1]);
	if (ret < 0)
		return ret;
	return cfg_store_string(c, &c->cfg->dev, argv[1]);
}

int do_dev_type(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
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

int do_bridge(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	(void)argc;
	ret = cfg_check_ifname(c, argv[1]);
	if (ret == 0)
		ret = cfg_store_string(c, &c->cfg->bridge, argv[1]);
	if (ret == 0)
		ret = cfg_store_string(c, &c->cfg->bridge_for_mktun, argv[1]);
	return ret;
}

int do_tun_mtu(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	ret = cfg_parse_uint(c, NULL, argv[1], 68, 65535, &c->cfg->tun_mtu);
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

int do_action(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
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

/* tap-offload yes|no (l2vpn's own): carry GSO super-frames with their vnet header when the peer
 * agrees (default), or plain frames only. */
int do_tap_offload(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const words[] = { "yes", "no", NULL };
	int w;

	(void)d;
	(void)argc;
	if ((w = cfg_keyword(c, argv[1], words)) < 0)
		return w;
	c->cfg->no_tap_offload = w == 1;
	return 0;
}
