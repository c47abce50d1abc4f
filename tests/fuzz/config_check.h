/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Invariants of a configuration that config_finish() accepted, shared by the config and
 * command-line fuzz targets: every stored path is absolute, values are inside their documented
 * ranges, the include depth is back at zero. Violations abort. */
#ifndef L2VPN_FUZZ_CONFIG_CHECK_H
#define L2VPN_FUZZ_CONFIG_CHECK_H

#include "config.h"
#include "fuzz.h"

static inline void check_path(const char *path)
{
	CHECK(!path || path[0] == '/');
}

static inline void check_config(const struct config *cfg)
{
	check_path(cfg->ca.path);
	check_path(cfg->cert.path);
	check_path(cfg->key.path);
	check_path(cfg->dh.path);
	check_path(cfg->crl_verify);
	check_path(cfg->status_file);
	check_path(cfg->log_file);
	check_path(cfg->writepid);
	check_path(cfg->cd);
	CHECK(!(cfg->ca.path && cfg->ca.inline_pem));
	CHECK(!(cfg->key.path && cfg->key.inline_pem));
	CHECK(cfg->local_port >= 1 && cfg->local_port <= 65535);
	CHECK(cfg->remote_port >= 1 && cfg->remote_port <= 65535);
	CHECK(cfg->tun_mtu >= 68 && cfg->tun_mtu <= 65535);
	CHECK(cfg->verb >= 0 && cfg->verb <= 11);
	CHECK(cfg->status_version >= 1 && cfg->status_version <= 3);
	CHECK(cfg->connect_retry <= cfg->connect_retry_max_wait);
	CHECK(cfg->include_depth == 0);
	for (size_t i = 0; i < cfg->n_remotes; i++)
		CHECK(cfg->remotes[i].host && cfg->remotes[i].port <= 65535);
	for (size_t i = 0; i < cfg->n_warnings; i++)
		CHECK(cfg->warnings[i] && cfg->warnings[i][0]);
}

#endif
