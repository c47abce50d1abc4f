/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `l2vpn --mktun` / `l2vpn --rmtun`: create or remove a persistent tap for ifupdown hooks
 * (`pre-up l2vpn --mktun --dev tap0`, `post-down l2vpn --rmtun --dev tap0`).
 *
 * Both print one line: on success to stdout ("l2vpn: created persistent tap tap0 ..."), on
 * failure to stderr ("l2vpn: ..." naming the device or bridge and the kernel's reason).
 */
#ifndef L2VPN_MKTUN_H
#define L2VPN_MKTUN_H

#include <sys/types.h>

struct config;

/* Process exit codes shared by every l2vpn action. */
enum l2vpn_exit {
	L2VPN_EXIT_OK = 0,
	L2VPN_EXIT_RUNTIME = 1, /* the system refused: no such bridge, not a tap, no permission */
	L2VPN_EXIT_USAGE = 2,   /* the command line is wrong: missing or invalid --dev */
};

/* --mktun: create (or re-open) the persistent tap cfg->dev, owned by cfg->user/cfg->group
 * when given, with MTU cfg->tun_mtu (and txqueuelen when set); with a bridge
 * (cfg->bridge_for_mktun, else cfg->bridge) the tap joins it and is set up. A tap this call
 * created is removed again when a later step fails. Returns an enum l2vpn_exit. */
int mktun_run(const struct config *cfg);

/* --rmtun: delete the persistent tap cfg->dev. Returns an enum l2vpn_exit; a device that does
 * not exist, or is not a tap, is a runtime error. */
int rmtun_run(const struct config *cfg);

/* Resolve SPEC, a user name or a decimal uid, into *UID: 0, or -ENOENT (no such user). */
int mktun_lookup_user(const char *spec, uid_t *uid);

/* Resolve SPEC, a group name or a decimal gid, into *GID: 0, or -ENOENT (no such group). */
int mktun_lookup_group(const char *spec, gid_t *gid);

#endif
