// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directives of the management interface (OpenVPN's management protocol on a TCP port or a
 * unix socket) and of the metrics file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config_directives.h"

/* HOST names this machine only: a loopback address or "localhost". */
static bool is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

/* management IP PORT [PWFILE] | management PATH unix [PWFILE] */
int do_management(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	struct config *cfg = c->cfg;
	struct sockaddr_un sun;
	char *path = NULL;
	int ret;

	(void)d;
	if (argc > 3) {
		if (strcmp(argv[3], "stdin") == 0)
			return cfg_fail(c, "stdin: l2vpn reads the management password from a file "
			                   "only (its first line)");
		if ((ret = cfg_store_path(c, &cfg->management_pwfile, argv[3])) < 0)
			return ret;
	}
	if (strcmp(argv[2], "unix") == 0) {
		if ((ret = cfg_store_path(c, &path, argv[1])) < 0)
			return ret;
		if (strlen(path) >= sizeof(sun.sun_path)) {
			ret = cfg_fail(c, "%s: a unix socket path must be shorter than %zu bytes",
			               path, sizeof(sun.sun_path));
			free(path);
			return ret;
		}
		free(cfg->management);
		cfg->management = path;
		cfg->management_unix = true;
		cfg->management_port = 0;
		return 0;
	}
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty address");
	if ((ret = cfg_parse_port(c, "port", argv[2], &cfg->management_port)) < 0)
		return ret;
	if ((ret = cfg_store_string(c, &cfg->management, argv[1])) < 0)
		return ret;
	cfg->management_unix = false;
	if (is_loopback(argv[1]))
		return 0;
	if (cfg->management_pwfile)
		return cfg_warn(
		    c,
		    "%s is not a loopback address: other hosts may reach the management "
		    "interface, and its protocol is clear text, password included "
		    "(prefer 127.0.0.1 or a unix socket)",
		    argv[1]);
	return cfg_warn(c,
	                "%s is not a loopback address: any host that reaches it controls the "
	                "daemon, without a password (prefer 127.0.0.1 or a unix socket)",
	                argv[1]);
}

/* management-client-user USER / management-client-group GROUP */
int do_management_owner(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty name");
	return cfg_store_string(c,
	                        strcmp(d->name, "management-client-user") == 0
	                            ? &c->cfg->management_user
	                            : &c->cfg->management_group,
	                        argv[1]);
}

int do_management_hold(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	(void)argv;
	c->cfg->management_hold = true;
	return 0;
}

/* metrics-file PATH [N] */
int do_metrics_file(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	if (argc > 2) {
		ret = cfg_parse_uint(c, "interval", argv[2], 1, 86400, &c->cfg->metrics_interval);
		if (ret < 0)
			return ret;
	}
	return cfg_store_path(c, &c->cfg->metrics_file, argv[1]);
}
