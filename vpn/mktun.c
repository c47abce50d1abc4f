// SPDX-License-Identifier: GPL-2.0-or-later
/* --mktun / --rmtun: persistent taps for ifupdown hooks, through tapbridge. */
#include "mktun.h"

#include "config.h"
#include "tapbridge.h"

#include <errno.h>
#include <stdbool.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parse SPEC as a decimal id that fits in 32 bits (and is not the reserved -1). */
static bool parse_id(const char *spec, unsigned long *id)
{
	char *end;

	if (*spec < '0' || *spec > '9')
		return false;
	errno = 0;
	*id = strtoul(spec, &end, 10);
	return errno == 0 && *end == '\0' && *id < 0xffffffffUL;
}

/* getpwnam_r/getgrnam_r want a caller buffer; this size covers any sane database entry. */
#define LOOKUP_BUF 16384

/* SPEC as a decimal id, or looked up by name in the passwd (USER) or group database. 0 or
 * -ENOENT / -ENOMEM. */
static int lookup_id(const char *spec, bool user, unsigned long *id)
{
	struct passwd pw, *pw_found = NULL;
	struct group gr, *gr_found = NULL;
	char *buf;
	int ret = -ENOENT;

	if (parse_id(spec, id))
		return 0;
	buf = malloc(LOOKUP_BUF);
	if (!buf)
		return -ENOMEM;
	if (user && getpwnam_r(spec, &pw, buf, LOOKUP_BUF, &pw_found) == 0 && pw_found) {
		*id = pw_found->pw_uid;
		ret = 0;
	} else if (!user && getgrnam_r(spec, &gr, buf, LOOKUP_BUF, &gr_found) == 0 && gr_found) {
		*id = gr_found->gr_gid;
		ret = 0;
	}
	free(buf);
	return ret;
}

int mktun_lookup_user(const char *spec, uid_t *uid)
{
	unsigned long id;
	int ret = lookup_id(spec, true, &id);

	if (ret == 0)
		*uid = (uid_t)id;
	return ret;
}

int mktun_lookup_group(const char *spec, gid_t *gid)
{
	unsigned long id;
	int ret = lookup_id(spec, false, &id);

	if (ret == 0)
		*gid = (gid_t)id;
	return ret;
}

/* One error line for a tapbridge failure, with the capability hint when permission failed. */
static void report(const struct tb_err *err, int code)
{
	bool perm = code == -EPERM || code == -EACCES;
	bool hinted = strstr(err->msg, "CAP_NET_ADMIN") != NULL;

	fprintf(stderr, "l2vpn: %s%s\n", err->msg,
	        perm && !hinted ? " (CAP_NET_ADMIN is needed)" : "");
}

/* `dev tap` (no number) asks the kernel to choose the name, as in OpenVPN. */
static bool kernel_chosen(const char *dev)
{
	return strcmp(dev, "tap") == 0;
}

/* Usage checks on --dev shared by both actions: 0, or L2VPN_EXIT_USAGE after a message. */
static int check_dev(const struct config *cfg, const char *action)
{
	struct tb_err err = { { 0 } };

	if (!cfg->dev || !*cfg->dev) {
		fprintf(stderr, "l2vpn: %s needs --dev NAME (e.g. --dev tap0)\n", action);
		return L2VPN_EXIT_USAGE;
	}
	if (tb_name_check(cfg->dev, &err) < 0) {
		fprintf(stderr, "l2vpn: %s: %s\n", action, err.msg);
		return L2VPN_EXIT_USAGE;
	}
	if (!cfg->dev_type_tap && strncmp(cfg->dev, "tap", 3) != 0) {
		fprintf(stderr,
		        "l2vpn: %s: cannot tell the type of device '%s': name it tapN or add "
		        "--dev-type tap\n",
		        action, cfg->dev);
		return L2VPN_EXIT_USAGE;
	}
	return 0;
}

/* Resolve --user/--group into TC; 0 or L2VPN_EXIT_RUNTIME after a message. */
static int resolve_owner(const struct config *cfg, struct tb_tap_config *tc)
{
	if (cfg->user && mktun_lookup_user(cfg->user, &tc->owner) < 0) {
		fprintf(stderr, "l2vpn: --mktun: no such user '%s'\n", cfg->user);
		return L2VPN_EXIT_RUNTIME;
	}
	if (cfg->group && mktun_lookup_group(cfg->group, &tc->group) < 0) {
		fprintf(stderr, "l2vpn: --mktun: no such group '%s'\n", cfg->group);
		return L2VPN_EXIT_RUNTIME;
	}
	return 0;
}

/* Link settings after the tap is open: MTU, queue length, bridge port and up. */
static int configure_link(struct tb_nl *nl, const struct config *cfg, const char *tap,
                          const char *bridge, struct tb_err *err)
{
	int ret = 0;

	if (cfg->tun_mtu)
		ret = tb_link_set_mtu(nl, tap, cfg->tun_mtu, err);
	if (ret == 0 && cfg->txqueuelen)
		ret = tb_link_set_txqueuelen(nl, tap, cfg->txqueuelen, err);
	if (ret == 0 && bridge)
		ret = tb_port_attach(nl, bridge, tap, err);
	if (ret == 0 && bridge)
		ret = tb_link_set_up(nl, tap, true, err);
	return ret;
}

static void print_created(const struct config *cfg, const struct tb_tap *tap, const char *bridge)
{
	char extra[160] = "";
	size_t n = 0;

	if (cfg->user)
		n += (size_t)snprintf(extra + n, sizeof(extra) - n, ", owner %.32s", cfg->user);
	if (cfg->group && n < sizeof(extra))
		n += (size_t)snprintf(extra + n, sizeof(extra) - n, ", group %.32s", cfg->group);
	if (cfg->tun_mtu && n < sizeof(extra))
		n += (size_t)snprintf(extra + n, sizeof(extra) - n, ", mtu %u", cfg->tun_mtu);
	if (bridge && n < sizeof(extra))
		snprintf(extra + n, sizeof(extra) - n, ", bridge %s", bridge);
	printf("l2vpn: %s persistent tap %s (%s)\n", tap->created ? "created" : "updated existing",
	       tap->name, extra[0] ? extra + 2 : "no owner, no bridge");
	fflush(stdout);
}

int mktun_run(const struct config *cfg)
{
	const char *bridge = cfg->bridge_for_mktun ? cfg->bridge_for_mktun : cfg->bridge;
	struct tb_tap_config tc = { .persist = true, .owner = (uid_t)-1, .group = (gid_t)-1 };
	struct tb_tap tap = { .fd = -1 };
	struct tb_err err = { { 0 } };
	struct tb_nl *nl = NULL;
	int rc = check_dev(cfg, "--mktun");
	int ret = 0;

	if (rc == 0 && bridge && tb_name_check(bridge, &err) < 0) {
		fprintf(stderr, "l2vpn: --bridge: %s\n", err.msg);
		rc = L2VPN_EXIT_USAGE;
	}
	if (rc == 0)
		rc = resolve_owner(cfg, &tc);
	if (rc != 0)
		goto out;
	tc.name = kernel_chosen(cfg->dev) ? NULL : cfg->dev;

	/* Check the bridge before touching the tap, so a typo leaves nothing behind. */
	ret = tb_nl_open(&nl, &err);
	if (ret == 0 && bridge)
		ret = tb_bridge_find(nl, bridge, false, &err);
	if (ret == 0)
		ret = tb_tap_open(&tap, &tc, &err);
	if (ret == 0)
		ret = configure_link(nl, cfg, tap.name, bridge, &err);
	if (ret < 0) {
		report(&err, ret);
		rc = L2VPN_EXIT_RUNTIME;
		if (tap.fd >= 0 && tap.created) {
			tb_tap_close(&tap);
			(void)tb_tap_delete(tap.name, NULL);
		}
		goto out;
	}
	print_created(cfg, &tap, bridge);
out:
	tb_tap_close(&tap);
	tb_nl_close(nl);
	return rc;
}

int rmtun_run(const struct config *cfg)
{
	struct tb_err err = { { 0 } };
	int rc = check_dev(cfg, "--rmtun");
	int ret;

	if (rc != 0)
		return rc;
	if (kernel_chosen(cfg->dev)) {
		fprintf(stderr, "l2vpn: --rmtun needs the tap's full name (e.g. --dev tap0)\n");
		return L2VPN_EXIT_USAGE;
	}
	ret = tb_tap_delete(cfg->dev, &err);
	if (ret < 0) {
		report(&err, ret);
		return L2VPN_EXIT_RUNTIME;
	}
	printf("l2vpn: removed persistent tap %s\n", cfg->dev);
	fflush(stdout);
	return L2VPN_EXIT_OK;
}
