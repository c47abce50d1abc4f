// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directives about the process: logging, status file, pid file, privileges, working directory
 * and `config` includes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_directives.h"

/* ---- process ---------------------------------------------------------------------------- */

int do_status(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	if (argc > 2) {
		ret = cfg_parse_uint(c, "interval", argv[2], 1, 86400, &c->cfg->status_interval);
		if (ret < 0)
			return ret;
	}
	return cfg_store_path(c, &c->cfg->status_file, argv[1]);
}

int do_status_version(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned v;
	int ret = cfg_parse_uint(c, NULL, argv[1], 1, 3, &v);

	(void)d;
	(void)argc;
	if (ret == 0)
		c->cfg->status_version = (int)v;
	return ret;
}

int do_verb(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned v;
	int ret = cfg_parse_uint(c, NULL, argv[1], 0, 11, &v);

	(void)d;
	(void)argc;
	if (ret == 0)
		c->cfg->verb = (int)v;
	return ret;
}

int do_log(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	c->cfg->log_append = strcmp(d->name, "log-append") == 0;
	return cfg_store_path(c, &c->cfg->log_file, argv[1]);
}

int do_syslog_daemon(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	if (strcmp(d->name, "daemon") == 0)
		c->cfg->daemon = true;
	else
		c->cfg->syslog = true;
	if (argc > 1)
		return cfg_store_string(c, &c->cfg->syslog_ident, argv[1]);
	return 0;
}

int do_writepid(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	return cfg_store_path(c, &c->cfg->writepid, argv[1]);
}

int do_user_group(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty name");
	return cfg_store_string(c, strcmp(d->name, "user") == 0 ? &c->cfg->user : &c->cfg->group,
	                        argv[1]);
}

int do_cd(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	char *dir = NULL;
	int ret;

	(void)d;
	(void)argc;
	ret = cfg_store_path(c, &dir, argv[1]);
	if (ret < 0)
		return ret;
	free(c->cfg->cd);
	c->cfg->cd = dir;
	return 0;
}

int do_config(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	char *path = NULL;
	int ret;

	(void)d;
	(void)argc;
	ret = cfg_store_path(c, &path, argv[1]);
	if (ret == 0)
		ret = cfg_include_file(c, path);
	free(path);
	return ret;
}
