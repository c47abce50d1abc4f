// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directives of the switch policy: storm control (broadcast-limit, multicast-limit,
 * unknown-unicast-limit), the per-site MAC cap and age (max-routes-per-client, mac-age), loop
 * protection (flap-action), and the per-site files (client-config-dir, ccd-exclusive, and
 * `disable` inside them), with the reader of those files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_directives.h"

#define STORM_RATE_MAX    10000000u /* frames a second */
#define MAC_AGE_MAX       (7u * 86400)
#define MAC_CAP_MAX       65536u
#define FLAP_HOLD_MAX     86400u
#define FLAP_HOLD_DEFAULT 60u

/* broadcast-limit / multicast-limit / unknown-unicast-limit PPS [BURST]: PPS 0 is off; BURST
 * defaults to PPS (one second's worth). */
int do_storm_limit(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	enum storm_kind kind = !strcmp(d->name, "broadcast-limit")   ? STORM_BROADCAST
	                       : !strcmp(d->name, "multicast-limit") ? STORM_MULTICAST
	                                                             : STORM_UNKNOWN_UNICAST;
	unsigned rate, burst;
	int ret;

	if ((ret = cfg_parse_uint(c, "frames a second", argv[1], 0, STORM_RATE_MAX, &rate)) < 0)
		return ret;
	burst = rate;
	if (argc > 2 && (ret = cfg_parse_uint(c, "burst", argv[2], 1, STORM_RATE_MAX, &burst)) < 0)
		return ret;
	c->cfg->policy.storm[kind] =
	    (struct storm_limit){ .rate = rate, .burst = rate ? burst : 0 };
	return 0;
}

int do_max_routes_per_client(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	return cfg_parse_uint(c, NULL, argv[1], 1, MAC_CAP_MAX, &c->cfg->policy.max_macs);
}

int do_mac_age(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	return cfg_parse_uint(c, NULL, argv[1], 0, MAC_AGE_MAX, &c->cfg->policy.mac_age);
}

/* flap-action log|block [SECONDS] */
int do_flap_action(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const words[] = { "log", "block", NULL };
	int k = cfg_keyword(c, argv[1], words);

	(void)d;
	if (k < 0)
		return k;
	c->cfg->flap_action = k == 1 ? FLAP_BLOCK : FLAP_LOG;
	c->cfg->flap_hold = FLAP_HOLD_DEFAULT;
	if (argc > 2 && k == 0)
		return cfg_fail(c, "a hold time goes with block only");
	if (argc > 2)
		return cfg_parse_uint(c, "hold seconds", argv[2], 1, FLAP_HOLD_MAX,
		                      &c->cfg->flap_hold);
	return 0;
}

int do_client_config_dir(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	return cfg_store_path(c, &c->cfg->client_config_dir, argv[1]);
}

int do_ccd_exclusive(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	(void)argv;
	c->cfg->ccd_exclusive = true;
	return 0;
}

int do_disable(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	(void)argv;
	if (!c->cfg->site_file)
		return cfg_fail(c, "belongs in a site's client-config-dir file");
	c->cfg->policy.disable = true;
	return 0;
}

/* In a client-config-dir file: the per-site directives apply; OpenVPN's other per-client
 * directives are accepted with a warning (routing and pushed options mean nothing on a
 * bridge); anything else is an error. */
int cfg_site_file_filter(struct cfg_ctx *c, const char *name)
{
	static const char *const per_site[] = {
		"disable",
		"broadcast-limit",
		"multicast-limit",
		"unknown-unicast-limit",
		"max-routes-per-client",
		"mac-age",
		NULL,
	};
	static const char *const openvpn_ccd[] = {
		"ifconfig-push",
		"ifconfig-ipv6-push",
		"iroute",
		"iroute-ipv6",
		"push",
		"push-reset",
		"push-remove",
		"vlan-pvid",
		"echo",
		"inactive",
		"explicit-exit-notify",
		NULL,
	};

	for (int i = 0; per_site[i]; i++)
		if (!strcmp(name, per_site[i]))
			return 1;
	for (int i = 0; openvpn_ccd[i]; i++)
		if (!strcmp(name, openvpn_ccd[i]))
			return cfg_warn(c,
			                "ignored: not applicable to a bridged site (no addresses, "
			                "routes or pushed options)");
	return cfg_fail(c, "not allowed in a client-config-dir file (there: disable, "
	                   "broadcast-limit, multicast-limit, unknown-unicast-limit, "
	                   "max-routes-per-client, mac-age)");
}

/* The warnings of CFG as one text, a line each; NULL when none (or out of memory). */
static char *join_warnings(const struct config *cfg)
{
	size_t len = 1;
	char *text;

	if (!cfg->n_warnings)
		return NULL;
	for (size_t i = 0; i < cfg->n_warnings; i++)
		len += strlen(cfg->warnings[i]) + 1;
	if (!(text = malloc(len)))
		return NULL;
	text[0] = '\0';
	for (size_t i = 0; i < cfg->n_warnings; i++) {
		strcat(text, cfg->warnings[i]);
		strcat(text, "\n");
	}
	return text;
}

int config_parse_site_file(const char *path, const struct site_policy *defaults,
                           struct site_policy *out, char **warnings, struct config_error *err)
{
	struct config cfg;
	int ret;

	*warnings = NULL;
	config_init(&cfg);
	cfg.site_file = true;
	cfg.policy = *defaults;
	cfg.policy.disable = false;
	ret = config_parse_file(&cfg, path, err);
	if (ret == 0) {
		*out = cfg.policy;
		*warnings = join_warnings(&cfg);
	}
	config_free(&cfg);
	return ret;
}
