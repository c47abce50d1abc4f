/* fsutil: file helpers for the CA directory: whole-file reads, a directory lock, and a small
 * transaction that stages files as fsync'ed temporaries and publishes them all at the end, so
 * an error leaves nothing written. Every function reports its own failure naming the file. */
#ifndef L2VPN_PKI_FSUTIL_H
#define L2VPN_PKI_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read PATH whole into a NUL-terminated malloc'd buffer. Returns 0, -ENOENT silently when
 * missing and quiet, or -errno after reporting. */
int fs_read_file(const char *path, bool quiet_enoent, char **data, size_t *len);

/* True when PATH exists (any type). */
bool fs_exists(const char *path);

/* Create directory PATH with mode 0700 (also when it exists: chmod 0700). 0 or -errno. */
int fs_mkdir_private(const char *path);

/* Take an exclusive flock on DIR/.lock, waiting for other l2vpn-ca runs. Returns the lock fd
 * (>= 0) or -errno. Close it to release. */
int fs_lock_dir(const char *dir);

/* Join DIR, NAME and SUFFIX into a malloc'd path (NULL on out of memory). */
char *fs_join(const char *dir, const char *name, const char *suffix);

struct fs_txn_entry {
	char *path;
	char *tmp;
	bool exclusive;
};

struct fs_txn {
	struct fs_txn_entry *entries;
	size_t n;
};

/* Stage DATA for PATH with MODE (applied regardless of umask). EXCLUSIVE: publishing fails
 * if PATH exists (never overwrites, e.g. keys); otherwise PATH is replaced atomically.
 * 0 or -errno (reported). */
int fs_txn_add(struct fs_txn *txn, const char *path, const void *data, size_t len, mode_t mode,
               bool exclusive);

/* Publish every staged file (link for exclusive ones, rename otherwise), then fsync the
 * directories. On failure, files published by this call that did not exist before are
 * removed again. 0 or -errno (reported). The transaction is empty afterwards. */
int fs_txn_commit(struct fs_txn *txn);

/* Drop every staged temporary. Safe on an empty or committed transaction. */
void fs_txn_abort(struct fs_txn *txn);

#endif
