/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ownfile: safe writes to the daemon's own files (pid file, status file, log file).
 *
 * These files often live in a directory other users can write to: a 1777 /tmp, or a run
 * directory owned by the unprivileged user the daemon drops to. Someone there can plant a
 * symlink or a hard link at the file's path before the daemon, still root, starts. The
 * contract of every function here:
 *  - the last path component is never followed when it is a symlink: files are opened with
 *    O_NOFOLLOW, and a replace renames over the link itself, never its target;
 *  - nothing is opened with O_TRUNC; an existing file is truncated or written only once it is
 *    known to be a regular file with a single link, owned by the daemon's effective user or by
 *    the one other uid the caller allows (the user it drops to);
 *  - new files are created with O_EXCL or O_CREAT|O_NOFOLLOW, so a link planted between the
 *    check and the use is refused too.
 * Symlinks in the directories above the file are the administrator's and are followed.
 */
#ifndef L2VPN_OWNFILE_H
#define L2VPN_OWNFILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* ownfile_open() flags. */
enum {
	OWNFILE_APPEND = 1 << 0,   /* every write goes to the end (O_APPEND) */
	OWNFILE_TRUNCATE = 1 << 1, /* empty the file once it passed the checks */
};

/* Why the daemon must not write to the file ST describes, or NULL when it may: the file must be
 * regular, have one link and be owned by SELF or by ALSO ((uid_t)-1: no other uid). Pure. */
const char *ownfile_refusal(const struct stat *st, uid_t self, uid_t also);

/* Open PATH for writing as one of the daemon's own files: created with MODE when missing,
 * otherwise checked with ownfile_refusal(st, geteuid(), ALSO); FLAGS are OWNFILE_*. Returns a
 * file descriptor (O_CLOEXEC) or -errno; then *WHY names the reason in words for a message
 * "PATH: WHY" (e.g. "is a symlink: refusing to follow it"). A refused file is left as it was. */
int ownfile_open(const char *path, unsigned flags, mode_t mode, uid_t also, const char **why);

/* Atomically replace PATH with DATA: a temporary file "PATH.XXXXXX" created with O_EXCL in the
 * same directory, mode MODE, written, fsynced and renamed over PATH. Whatever PATH was (a
 * symlink included) is replaced, never written through. Never leaves a partial PATH; removes
 * the temporary file on failure. Needs write permission on the directory. 0 or -errno. */
int ownfile_replace(const char *path, const char *data, size_t len, mode_t mode);

/* Rewrite FD (from ownfile_open()) in place with DATA: write from offset 0, then truncate.
 * Readers may see a torn file. 0 or -errno. */
int ownfile_rewrite_fd(int fd, const char *data, size_t len);

#endif
