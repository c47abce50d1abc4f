// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tb-tool: a thin command-line door to the tapbridge library for the netns tests, so that
 * shell tests exercise the library's own functions (not iproute2) and check what the kernel
 * then reports. One verb per run; errors print "tb-tool: MESSAGE [ERRNO-NAME]" and exit 1.
 */
#include "tapbridge.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct verb {
	const char *name;
	int nargs; /* minimum number of arguments after the verb */
	const char *usage;
	int (*run)(struct tb_nl *nl, char **args, int nargs, struct tb_err *err);
};

static int parse_mac(const char *text, uint8_t mac[6])
{
	unsigned v[6];

	if (sscanf(text, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static void print_mac(const uint8_t mac[6])
{
	printf("%02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Tap options after the name: persist, vnet, owner UID, group GID. */
static int tap_config_from_args(struct tb_tap_config *cfg, char **args, int nargs)
{
	cfg->name = args[0];
	cfg->owner = (uid_t)-1;
	cfg->group = (gid_t)-1;
	for (int i = 1; i < nargs; i++) {
		if (!strcmp(args[i], "persist"))
			cfg->persist = true;
		else if (!strcmp(args[i], "vnet"))
			cfg->vnet_hdr = true;
		else if (!strcmp(args[i], "owner") && i + 1 < nargs)
			cfg->owner = (uid_t)strtoul(args[++i], NULL, 10);
		else if (!strcmp(args[i], "group") && i + 1 < nargs)
			cfg->group = (gid_t)strtoul(args[++i], NULL, 10);
		else
			return -EINVAL;
	}
	return 0;
}

static int do_open(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	struct tb_tap_config cfg = { 0 };
	struct tb_tap tap;
	int ret;

	(void)nl;
	if (tap_config_from_args(&cfg, args, nargs) < 0)
		return -EINVAL;
	ret = tb_tap_open(&tap, &cfg, err);
	if (ret < 0)
		return ret;
	printf("%s %s\n", tap.name, tap.created ? "created" : "existed");
	tb_tap_close(&tap);
	return 0;
}

/* Keep a tap open until SIGTERM/SIGINT, so a non-persistent tap lives as long as we do. */
static int do_hold(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	struct tb_tap_config cfg = { 0 };
	struct tb_tap tap;
	sigset_t set;
	int sig, ret;

	(void)nl;
	if (tap_config_from_args(&cfg, args, nargs) < 0)
		return -EINVAL;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ret = tb_tap_open(&tap, &cfg, err);
	if (ret < 0)
		return ret;
	printf("%s %s\n", tap.name, tap.created ? "created" : "existed");
	fflush(stdout);
	sigwait(&set, &sig);
	tb_tap_close(&tap);
	return 0;
}

/* offload NAME BITS [raw]: open NAME (vnet, persistent), set offloads to BITS (see enum
 * tb_offload), close it with tb_tap_close(), or with raw: with close(2) alone, as a program
 * that does not reset them would. */
static int do_offload(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	struct tb_tap_config cfg = { .name = args[0], .persist = true, .vnet_hdr = true };
	struct tb_tap tap;
	int ret;

	(void)nl;
	cfg.owner = (uid_t)-1;
	cfg.group = (gid_t)-1;
	ret = tb_tap_open(&tap, &cfg, err);
	if (ret < 0)
		return ret;
	ret = tb_tap_set_offload(&tap, (unsigned)strtoul(args[1], NULL, 0), err);
	if (nargs > 2 && !strcmp(args[2], "raw"))
		close(tap.fd);
	else
		tb_tap_close(&tap);
	return ret;
}

/* tso NAME: print the device's TSO state "on"/"off" as the kernel reports it (ethtool). */
static int do_tso(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	struct ethtool_value val = { .cmd = ETHTOOL_GTSO };
	struct ifreq ifr = { 0 };
	int sock, ret = 0;

	(void)nl;
	(void)nargs;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", args[0]);
	ifr.ifr_data = (char *)&val;
	if (ioctl(sock, SIOCETHTOOL, &ifr) < 0) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "ETHTOOL_GTSO %s: %s", args[0],
		         strerror(errno));
	} else {
		printf("%s\n", val.data ? "on" : "off");
	}
	close(sock);
	return ret;
}

static int do_delete(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	(void)nl;
	(void)nargs;
	return tb_tap_delete(args[0], err);
}

static int do_exists(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	int ret = tb_tap_exists(args[0], err);

	(void)nl;
	(void)nargs;
	if (ret >= 0)
		printf("%d\n", ret);
	return ret < 0 ? ret : 0;
}

static int do_bridge(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	return tb_bridge_find(nl, args[0], nargs > 1 && !strcmp(args[1], "create"), err);
}

static int do_bridge_delete(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	(void)nargs;
	return tb_bridge_delete(nl, args[0], err);
}

static int do_attach(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	(void)nargs;
	return tb_port_attach(nl, args[0], args[1], err);
}

static int do_detach(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	(void)nargs;
	return tb_port_detach(nl, args[0], err);
}

static int do_master(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	char master[TB_NAME_MAX + 1];
	int ret = tb_link_get_master(nl, args[0], master, err);

	(void)nargs;
	if (ret == 0)
		printf("%s\n", master[0] ? master : "-");
	return ret;
}

static int do_up(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	(void)nargs;
	return tb_link_set_up(nl, args[0], strcmp(args[1], "down") != 0, err);
}

static int do_mtu(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	(void)nargs;
	return tb_link_set_mtu(nl, args[0], (unsigned)strtoul(args[1], NULL, 10), err);
}

static int do_txqlen(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	(void)nargs;
	return tb_link_set_txqueuelen(nl, args[0], (unsigned)strtoul(args[1], NULL, 10), err);
}

static int do_set_mac(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	uint8_t mac[6];

	(void)nargs;
	if (parse_mac(args[1], mac) < 0)
		return -EINVAL;
	return tb_link_set_mac(nl, args[0], mac, err);
}

static int do_get_mac(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	uint8_t mac[6];
	int ret = tb_link_get_mac(nl, args[0], mac, err);

	(void)nargs;
	if (ret == 0)
		print_mac(mac);
	return ret;
}

static int do_ifindex(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	int ret = tb_link_get_ifindex(nl, args[0], err);

	(void)nargs;
	if (ret > 0)
		printf("%d\n", ret);
	return ret < 0 ? ret : 0;
}

static int do_mac_for_name(struct tb_nl *nl, char **args, int nargs, struct tb_err *err)
{
	uint8_t mac[6];

	(void)nl;
	(void)nargs;
	(void)err;
	tb_tap_mac_for_name(args[0], mac);
	print_mac(mac);
	return 0;
}

static const struct verb verbs[] = {
	{ "open", 1, "NAME [persist] [vnet] [owner UID] [group GID]", do_open },
	{ "hold", 1, "NAME [vnet]", do_hold },
	{ "offload", 2, "NAME BITS [raw]", do_offload },
	{ "tso", 1, "NAME", do_tso },
	{ "delete", 1, "NAME", do_delete },
	{ "exists", 1, "NAME", do_exists },
	{ "bridge", 1, "NAME [create]", do_bridge },
	{ "bridge-delete", 1, "NAME", do_bridge_delete },
	{ "attach", 2, "BRIDGE PORT", do_attach },
	{ "detach", 1, "PORT", do_detach },
	{ "master", 1, "NAME", do_master },
	{ "link", 2, "NAME up|down", do_up },
	{ "mtu", 2, "NAME MTU", do_mtu },
	{ "txqlen", 2, "NAME QLEN", do_txqlen },
	{ "set-mac", 2, "NAME MAC", do_set_mac },
	{ "get-mac", 1, "NAME", do_get_mac },
	{ "ifindex", 1, "NAME", do_ifindex },
	{ "mac-for-name", 1, "NAME", do_mac_for_name },
};

static int usage(void)
{
	fprintf(stderr, "usage:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(stderr, "  tb-tool %s %s\n", verbs[i].name, verbs[i].usage);
	return 2;
}

int main(int argc, char **argv)
{
	struct tb_err err = { { 0 } };
	const struct verb *verb = NULL;
	struct tb_nl *nl = NULL;
	int ret;

	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			verb = &verbs[i];
	if (!verb || argc - 2 < verb->nargs)
		return usage();
	ret = tb_nl_open(&nl, &err);
	if (ret == 0)
		ret = verb->run(nl, argv + 2, argc - 2, &err);
	tb_nl_close(nl);
	if (ret < 0) {
		fprintf(stderr, "tb-tool: %s [%s]\n", err.msg[0] ? err.msg : strerror(-ret),
		        strerrorname_np(-ret));
		return 1;
	}
	return 0;
}
