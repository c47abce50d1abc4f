/* fsutil: whole-file reads, directory lock, staged atomic writes. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "msg.h"

int fs_read_file(const char *path, bool quiet_enoent, char **data, size_t *len)
{
	int fd, ret;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (!(quiet_enoent && ret == -ENOENT))
			pki_err("%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = S_ISREG(st.st_mode) ? -errno : -EINVAL;
		pki_err("%s: %s", path, ret == -EINVAL ? "not a regular file" : strerror(-ret));
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		pki_err("%s: out of memory", path);
		goto out;
	}
	/* Strategy: read until EOF; the file may be shorter than fstat said, never longer. */
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			pki_err("%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	*data = buf;
	buf = NULL;
	if (len)
		*len = got;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

bool fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int fs_mkdir_private(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		int ret = -errno;
		pki_err("%s: cannot create directory: %s", path, strerror(errno));
		return ret;
	}
	if (chmod(path, 0700) < 0) {
		int ret = -errno;
		pki_err("%s: %s", path, strerror(errno));
		return ret;
	}
	return 0;
}

int fs_lock_dir(const char *dir)
{
	char *path = fs_join(dir, ".lock", "");
	int fd, ret;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		pki_err("%s: %s", path, strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		ret = -errno;
		pki_err("%s: cannot lock: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	ret = fd;
out:
	free(path);
	return ret;
}

char *fs_join(const char *dir, const char *name, const char *suffix)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s%s", dir, name, suffix) < 0)
		return NULL;
	return p;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int fs_txn_add(struct fs_txn *txn, const char *path, const void *data, size_t len, mode_t mode,
               bool exclusive)
{
	struct fs_txn_entry *grown, *e;
	char *tmp = NULL, *dst = NULL;
	int fd = -1, ret;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0 || !(dst = strdup(path))) {
		ret = -ENOMEM;
		pki_err("%s: out of memory", path);
		goto fail;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		pki_err("%s: cannot create temporary file: %s", path, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto fail;
	}
	/* Mode first, so a key never exists with wider permissions, not even for a moment. */
	if (fchmod(fd, mode) < 0 || (ret = write_all(fd, data, len)) < 0 || fsync(fd) < 0) {
		ret = -errno;
		pki_err("%s: cannot write: %s", path, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		pki_err("%s: cannot write: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	grown = realloc(txn->entries, (txn->n + 1) * sizeof(*grown));
	if (!grown) {
		ret = -ENOMEM;
		pki_err("%s: out of memory", path);
		goto fail;
	}
	txn->entries = grown;
	e = &txn->entries[txn->n++];
	e->path = dst;
	e->tmp = tmp;
	e->exclusive = exclusive;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(dst);
	return ret;
}

static void fsync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int fs_txn_commit(struct fs_txn *txn)
{
	size_t i, done = 0;
	bool *created = NULL;
	int ret = 0;

	created = calloc(txn->n + 1, sizeof(*created));
	if (!created) {
		pki_err("out of memory");
		fs_txn_abort(txn);
		return -ENOMEM;
	}
	/* Strategy: check every exclusive target first (we hold the directory lock, so the
	 * answer stays true), then publish in order; undo new files if one step fails. */
	for (i = 0; i < txn->n; i++) {
		if (txn->entries[i].exclusive && fs_exists(txn->entries[i].path)) {
			pki_err("%s: exists, refusing to overwrite", txn->entries[i].path);
			ret = -EEXIST;
			goto out;
		}
	}
	for (i = 0; i < txn->n; i++) {
		struct fs_txn_entry *e = &txn->entries[i];
		created[i] = !fs_exists(e->path);
		if (e->exclusive) {
			if (link(e->tmp, e->path) < 0) {
				ret = -errno;
				pki_err("%s: %s", e->path, strerror(errno));
				goto out;
			}
			unlink(e->tmp);
		} else if (rename(e->tmp, e->path) < 0) {
			ret = -errno;
			pki_err("%s: %s", e->path, strerror(errno));
			goto out;
		}
		done = i + 1;
	}
	for (i = 0; i < txn->n; i++)
		fsync_parent(txn->entries[i].path);
out:
	if (ret < 0) {
		for (i = 0; i < done; i++)
			if (created[i])
				unlink(txn->entries[i].path);
	}
	free(created);
	fs_txn_abort(txn);
	return ret;
}

void fs_txn_abort(struct fs_txn *txn)
{
	size_t i;

	for (i = 0; i < txn->n; i++) {
		unlink(txn->entries[i].tmp);
		free(txn->entries[i].tmp);
		free(txn->entries[i].path);
	}
	free(txn->entries);
	txn->entries = NULL;
	txn->n = 0;
}
