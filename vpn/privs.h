/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privs: the unprivileged identity the daemon drops to once its tap and sockets are open
 * (`user`, `group`). Resolved first thing, before `daemon` forks and in --test-config, so a
 * name that does not exist is an error in the foreground, never a daemon that exits later.
 */
#ifndef L2VPN_PRIVS_H
#define L2VPN_PRIVS_H

#include <stdbool.h>
#include <sys/types.h>

struct config;

struct privs {
	bool drop;         /* `user` or `group` is given */
	uid_t uid;         /* the user; (uid_t)-1: keep the uid (`group` alone) */
	gid_t gid;         /* `group`, else the user's primary group from the passwd database */
	const char *user;  /* as configured (for messages), or NULL */
	const char *group; /* as configured, or NULL */
};

/* Resolve USER and GROUP (names or decimal ids; NULL: not given) into *P. Without GROUP the gid
 * is USER's primary group; a numeric USER without a passwd entry then needs GROUP. Logs what is
 * wrong, naming it ("user X: no such user"). 0, -ENOENT or -ENOMEM. */
int privs_resolve(const char *user, const char *group, struct privs *p);

/* privs_resolve() for CFG's `user` and `group`. */
int privs_resolve_config(const struct config *cfg, struct privs *p);

/* Become P for good, when P->drop: no supplementary groups, gid then uid set (real, effective
 * and saved), then PR_SET_NO_NEW_PRIVS; finally check that root cannot be regained. Logs what
 * fails. 0 or -errno. */
int privs_drop(const struct privs *p);

#endif
