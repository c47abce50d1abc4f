// SPDX-License-Identifier: GPL-2.0-or-later
#include "ownfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REFUSE_SYMLINK "is a symlink: refusing to follow it"

const char *ownfile_refusal(const struct stat *st, uid_t self, uid_t also)
{
	if (!S_ISREG(st->st_mode))
		return "is not a regular file: refusing to write to it";
	if (st->st_nlink != 1)
		return "has more than one hard link: refusing to write to it";
	if (st->st_uid != self && (also == (uid_t)-1 || st->st_uid != also))
		return "is owned by another user: refusing to write to it";
	return NULL;
}

/* The words for an open() failure on PATH: ELOOP from O_NOFOLLOW means the last component is a
 * symlink (checked with lstat, since a loop further up gives ELOOP too). */
static const char *open_error(const char *path, int err)
{
	struct stat st;

	if (err == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return REFUSE_SYMLINK;
	return strerror(err);
}

int ownfile_open(const char *path, unsigned flags, mode_t mode, uid_t also, const char **why)
{
	/* O_NONBLOCK: a FIFO planted at PATH must not block the open; cleared below. */
	int oflags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	             (flags & OWNFILE_APPEND ? O_APPEND : 0);
	const char *refusal, *dummy;
	struct stat st;
	int fd, ret;

	if (!why)
		why = &dummy;
	fd = open(path, oflags, mode);
	if (fd < 0) {
		ret = -errno;
		*why = open_error(path, errno);
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		*why = strerror(errno);
		goto fail;
	}
	refusal = ownfile_refusal(&st, geteuid(), also);
	if (refusal) {
		ret = -EPERM;
		*why = refusal;
		goto fail;
	}
	if (fcntl(fd, F_SETFL, oflags & O_APPEND) < 0 ||
	    (flags & OWNFILE_TRUNCATE && ftruncate(fd, 0) < 0)) {
		ret = -errno;
		*why = strerror(errno);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int ownfile_replace(const char *path, const char *data, size_t len, mode_t mode)
{
	bool created = false;
	char *tmp = NULL;
	int fd = -1, ret;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC); /* O_EXCL: never an existing file or link */
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	created = true;
	if (fchmod(fd, mode) < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_all(fd, data, len);
	if (ret < 0)
		goto out;
	if (fsync(fd) < 0) {
		ret = -errno;
		goto out;
	}
	ret = close(fd);
	fd = -1;
	if (ret < 0 || rename(tmp, path) < 0) {
		ret = -errno;
		goto out;
	}
	created = false;
out:
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(tmp);
	free(tmp);
	return ret;
}

int ownfile_rewrite_fd(int fd, const char *data, size_t len)
{
	int ret;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	ret = write_all(fd, data, len);
	if (ret < 0)
		return ret;
	if (ftruncate(fd, (off_t)len) < 0)
		return -errno;
	return 0;
}
