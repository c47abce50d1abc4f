/* cmd_init: clean-all / init / init-pki. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "msg.h"

static bool holds_pki(const struct pki_ctx *ctx)
{
	static const char *const markers[] = { "index.txt", "ca.crt", "ca.key", "serial" };
	bool found = false;

	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]) && !found; i++) {
		char *p = fs_join(ctx->dir, markers[i], "");
		found = p && fs_exists(p);
		free(p);
	}
	return found;
}

/* Rename KEY_DIR to KEY_DIR.old-TIMESTAMP[-N]; never deletes anything. */
static int move_aside(const struct pki_ctx *ctx)
{
	char stamp[32], *dst = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int i, ret = -EEXIST;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	for (i = 0; i < 100; i++) {
		free(dst);
		if (asprintf(&dst, i ? "%s.old-%s-%d" : "%s.old-%s", ctx->dir, stamp, i) < 0)
			return -ENOMEM;
		if (fs_exists(dst))
			continue;
		if (rename(ctx->dir, dst) < 0) {
			ret = -errno;
			pki_err("%s: cannot move aside to %s: %s", ctx->dir, dst, strerror(errno));
		} else {
			printf("moved the old PKI to %s\n", dst);
			ret = 0;
		}
		break;
	}
	free(dst);
	return ret;
}

int cmd_clean_all(struct pki_ctx *ctx, int argc, char **argv)
{
	struct fs_txn txn = { 0 };
	char *index = NULL, *serial = NULL, *attr = NULL;
	int lock = -1, ret = EXIT_ERR;

	if (cmd_parse(argc, argv, NULL, NULL, 0) < 0)
		return EXIT_USAGE;
	if (holds_pki(ctx)) {
		if (!ctx->force) {
			pki_err("%s: already holds a PKI; refusing (use --force to move it aside)",
			        ctx->dir);
			return EXIT_ERR;
		}
		if (move_aside(ctx) < 0)
			return EXIT_ERR;
	}
	if (fs_mkdir_private(ctx->dir) < 0)
		return EXIT_ERR;
	lock = fs_lock_dir(ctx->dir);
	if (lock < 0)
		return EXIT_ERR;
	index = ctx_path(ctx, "index.txt", "");
	serial = ctx_path(ctx, "serial", "");
	attr = ctx_path(ctx, "index.txt.attr", "");
	if (!index || !serial || !attr)
		goto out;
	/* Exclusive: a PKI created concurrently is never clobbered. */
	if (fs_txn_add(&txn, index, "", 0, 0644, true) < 0 ||
	    fs_txn_add(&txn, serial, "01\n", 3, 0644, true) < 0 ||
	    fs_txn_add(&txn, attr, "unique_subject = no\n", 20, 0644, false) < 0 ||
	    fs_txn_commit(&txn) < 0)
		goto out;
	printf("initialised %s\n", ctx->dir);
	ret = EXIT_OK;
out:
	fs_txn_abort(&txn);
	free(index);
	free(serial);
	free(attr);
	close(lock);
	return ret;
}
