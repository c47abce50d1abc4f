// SPDX-License-Identifier: GPL-2.0-or-later
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "mktun.h"

#define PASSWD_BUF 16384 /* getpw*_r buffer: covers any sane passwd entry */

/* The primary group of user SPEC, which resolved to UID: from its passwd entry by name, else by
 * uid (SPEC given as a number). 0, -ENOENT (no passwd entry) or -ENOMEM. */
static int primary_gid(const char *spec, uid_t uid, gid_t *gid)
{
	struct passwd pw, *found = NULL;
	char *buf = malloc(PASSWD_BUF);
	int ret = -ENOENT;

	if (!buf)
		return -ENOMEM;
	if ((getpwnam_r(spec, &pw, buf, PASSWD_BUF, &found) == 0 && found &&
	     found->pw_uid == uid) ||
	    (getpwuid_r(uid, &pw, buf, PASSWD_BUF, &found) == 0 && found)) {
		*gid = found->pw_gid;
		ret = 0;
	}
	free(buf);
	return ret;
}

int privs_resolve(const char *user, const char *group, struct privs *p)
{
	int ret;

	*p = (struct privs){ .uid = (uid_t)-1, .gid = (gid_t)-1, .user = user, .group = group };
	p->drop = user || group;
	if (group && (ret = mktun_lookup_group(group, &p->gid)) < 0) {
		log_errorx("group %s: %s", group,
		           ret == -ENOENT ? "no such group" : strerror(-ret));
		return ret;
	}
	if (user && (ret = mktun_lookup_user(user, &p->uid)) < 0) {
		log_errorx("user %s: %s", user, ret == -ENOENT ? "no such user" : strerror(-ret));
		return ret;
	}
	if (user && !group && (ret = primary_gid(user, p->uid, &p->gid)) < 0) {
		if (ret == -ENOENT)
			log_errorx("user %s has no passwd entry, so no primary group: give `group` "
			           "too",
			           user);
		else
			log_error(ret, "user %s", user);
		return ret;
	}
	return 0;
}

int privs_resolve_config(const struct config *cfg, struct privs *p)
{
	return privs_resolve(cfg->user, cfg->group, p);
}

/* Already running as exactly P (started as the user itself): nothing to change, and an
 * unprivileged process could not call setgroups() anyway. */
static bool already(const struct privs *p)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return false;
	if (p->uid != (uid_t)-1 && (ru != p->uid || eu != p->uid || su != p->uid))
		return false;
	return rg == p->gid && eg == p->gid && sg == p->gid && eu != 0;
}

int privs_drop(const struct privs *p)
{
	if (!p->drop)
		return 0;
	if (!already(p)) {
		/* Supplementary groups: none. The group the daemon runs as is its gid, which grants
		 * the same access as OpenVPN's one-entry list (setgroups(1, &gid)); initgroups()
		 * would add every group the user has in /etc/group, access the daemon does not
		 * need, and keeping the list would keep root's groups (gid 0 among them). */
		if (setgroups(0, NULL) < 0) {
			log_error(errno, "cannot clear the supplementary groups");
			return -errno;
		}
		if (setresgid(p->gid, p->gid, p->gid) < 0) {
			log_error(errno, "cannot change to group %s",
			          p->group ? p->group : p->user);
			return -errno;
		}
		if (p->uid != (uid_t)-1 && setresuid(p->uid, p->uid, p->uid) < 0) {
			log_error(errno, "cannot change to user %s", p->user);
			return -errno;
		}
	}
	/* The daemon never executes anything; no setuid program may give privileges back. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_error(errno, "prctl(PR_SET_NO_NEW_PRIVS)");
		return -errno;
	}
	if (p->uid != (uid_t)-1 && p->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		log_errorx("root privileges could be regained after changing to user %s: refusing "
		           "to run",
		           p->user);
		return -EPERM;
	}
	log_notice("privileges dropped to user %s group %s (uid %d gid %u, no supplementary "
	           "groups)",
	           p->user ? p->user : "-", p->group ? p->group : "(primary)", (int)p->uid,
	           (unsigned)p->gid);
	return 0;
}
