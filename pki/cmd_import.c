/* cmd_import: import-easyrsa3 PKI_DIR, converting an easy-rsa 3 pki/ tree (ca.crt,
 * private/, issued/, reqs/, certs_by_serial/, index.txt, serial, crl.pem, dh.pem) into the
 * flat easy-rsa 2.0 layout of KEY_DIR. Files are copied byte for byte; nothing is re-signed. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "commands.h"
#include "keys.h"
#include "msg.h"

struct import {
	struct pki_ctx *ctx;
	struct fs_txn txn;
	const char *src;
	unsigned certs, keys, warnings;
};

/* Warn about what OpenSSL 3 peers refuse: MD5/SHA-1 signatures, RSA below 2048 bits. */
static void check_strength(struct import *im, const char *path, X509 *cert)
{
	int md = NID_undef, pk = NID_undef;
	EVP_PKEY *key = X509_get0_pubkey(cert);

	X509_get_signature_info(cert, &md, &pk, NULL, NULL);
	if (md == NID_md5 || md == NID_sha1) {
		pki_warn("%s: signed with %s; OpenSSL 3 peers reject it (ca md too weak)", path,
		         OBJ_nid2sn(md));
		im->warnings++;
	}
	if (key && EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) < 2048) {
		pki_warn("%s: RSA key of %d bits; OpenSSL 3 peers reject it", path,
		         EVP_PKEY_get_bits(key));
		im->warnings++;
	}
}

/* Copy SRC/REL to KEY_DIR/DST (MODE; EXCL for keys). MISSING_OK: absent source is fine.
 * KIND: 'c' certificate (parsed and checked), 'k' key (not decrypted), other: as is. */
static int copy_one(struct import *im, const char *rel, const char *dst, mode_t mode, bool excl,
                    bool missing_ok, char kind)
{
	char *src = fs_join(im->src, rel, ""), *out = ctx_path(im->ctx, dst, ""), *data = NULL;
	size_t len = 0;
	int ret = -ENOMEM;

	if (!src || !out)
		goto out;
	ret = fs_read_file(src, missing_ok, &data, &len);
	if (ret == -ENOENT && missing_ok) {
		ret = 0;
		goto out;
	}
	if (ret < 0)
		goto out;
	if (kind == 'c') {
		X509 *cert = cert_load(src);
		if (!cert) {
			ret = -EINVAL;
			goto out;
		}
		check_strength(im, src, cert);
		X509_free(cert);
		im->certs++;
	} else if (kind == 'k') {
		if (!strstr(data, "PRIVATE KEY-----")) {
			pki_err("%s: not a PEM private key", src);
			ret = -EINVAL;
			goto out;
		}
		im->keys++;
	}
	ret = fs_txn_add(&im->txn, out, data, len, mode, excl);
out:
	if (data && kind == 'k')
		OPENSSL_cleanse(data, len);
	free(data);
	free(src);
	free(out);
	return ret;
}

/* Copy every SUBDIR/BASE.EXT as BASE.NEWEXT. */
static int copy_dir(struct import *im, const char *subdir, const char *ext, const char *newext,
                    mode_t mode, bool excl, char kind)
{
	char *dirpath = fs_join(im->src, subdir, "");
	DIR *d = dirpath ? opendir(dirpath) : NULL;
	struct dirent *e;
	int ret = 0;

	if (!d) {
		free(dirpath);
		return 0; /* an empty PKI may lack the directory */
	}
	/* Strategy: names whose base is no valid CN (or "ca") are skipped with a warning, so
	 * one odd file does not block the import of the rest. */
	while (ret == 0 && (e = readdir(d))) {
		size_t n = strlen(e->d_name), el = strlen(ext);
		char base[256], rel[600], dst[300];
		const char *why;

		if (n <= el || strcmp(e->d_name + n - el, ext) != 0 || n - el >= sizeof(base))
			continue;
		memcpy(base, e->d_name, n - el);
		base[n - el] = '\0';
		if (strcmp(base, "ca") == 0 && kind != 's')
			continue;
		if (kind != 's' && cn_validate(base, true, &why) < 0) {
			pki_warn("%s/%s: skipped: name %s", dirpath, e->d_name, why);
			im->warnings++;
			continue;
		}
		snprintf(rel, sizeof(rel), "%s/%s", subdir, e->d_name);
		snprintf(dst, sizeof(dst), "%s%s", base, newext);
		ret = copy_one(im, rel, dst, mode, excl, false, kind == 's' ? 'c' : kind);
	}
	closedir(d);
	free(dirpath);
	return ret;
}

/* index.txt and serial must be well-formed before they become ours. */
static int check_db(struct import *im)
{
	char *path = fs_join(im->src, "index.txt", ""), *text = NULL;
	struct db db = { 0 };
	unsigned bad = 0;
	int ret = -ENOMEM;

	if (!path)
		goto out;
	if ((ret = fs_read_file(path, false, &text, NULL)) < 0)
		goto out;
	ret = db_parse(text, &db, &bad);
	if (ret == -EINVAL)
		pki_err("%s:%u: corrupt index line", path, bad);
	free(text);
	text = NULL;
	free(path);
	if (ret < 0 || !(path = fs_join(im->src, "serial", "")))
		goto out;
	ret = fs_read_file(path, true, &text, NULL);
	if (ret == 0 && !db_serial_valid(text)) {
		pki_err("%s: corrupt serial file", path);
		ret = -EINVAL;
	} else if (ret == -ENOENT) {
		ret = 0;
	}
out:
	db_free(&db);
	free(text);
	free(path);
	return ret;
}

/* dh.pem becomes dhBITS.pem. */
static int copy_dh(struct import *im)
{
	char *path = fs_join(im->src, "dh", ".pem"), name[32];
	BIO *bio = NULL;
	EVP_PKEY *params = NULL;
	int ret = 0;

	if (!path || !fs_exists(path))
		goto out;
	bio = BIO_new_file(path, "r");
	params = bio ? PEM_read_bio_Parameters(bio, NULL) : NULL;
	if (!params) {
		ret = ossl_fail("%s: not DH parameters", path);
		goto out;
	}
	snprintf(name, sizeof(name), "dh%d.pem", EVP_PKEY_get_bits(params));
	ret = copy_one(im, "dh.pem", name, 0644, false, false, 0);
out:
	EVP_PKEY_free(params);
	BIO_free(bio);
	free(path);
	return ret;
}

int cmd_import_easyrsa3(struct pki_ctx *ctx, int argc, char **argv)
{
	struct import im = { .ctx = ctx };
	char *pos[1], *marker = NULL;
	int lock = -1, ret = EXIT_ERR;

	if (cmd_parse(argc, argv, NULL, pos, 1) != 1)
		return EXIT_USAGE;
	im.src = pos[0];
	marker = fs_join(im.src, "ca", ".crt");
	if (!marker || !fs_exists(marker)) {
		pki_err("%s: no easy-rsa 3 PKI here (ca.crt missing)", im.src);
		goto out;
	}
	free(marker);
	marker = ctx_path(ctx, "index.txt", "");
	if (!marker)
		goto out;
	if (fs_mkdir_private(ctx->dir) < 0 || (lock = fs_lock_dir(ctx->dir)) < 0)
		goto out;
	if (fs_exists(marker)) {
		pki_err("%s: already holds a PKI; import into a new KEY_DIR", ctx->dir);
		goto out;
	}
	if (check_db(&im) < 0 || copy_one(&im, "ca.crt", "ca.crt", 0644, true, false, 'c') < 0 ||
	    copy_one(&im, "private/ca.key", "ca.key", 0600, true, true, 'k') < 0 ||
	    copy_one(&im, "index.txt", "index.txt", 0644, true, false, 0) < 0 ||
	    copy_one(&im, "index.txt.attr", "index.txt.attr", 0644, false, true, 0) < 0 ||
	    copy_one(&im, "serial", "serial", 0644, false, true, 0) < 0 ||
	    copy_one(&im, "crl.pem", "crl.pem", 0644, false, true, 0) < 0 ||
	    copy_one(&im, "crlnumber", "crlnumber", 0644, false, true, 0) < 0 || copy_dh(&im) < 0 ||
	    copy_dir(&im, "issued", ".crt", ".crt", 0644, false, 'c') < 0 ||
	    copy_dir(&im, "private", ".key", ".key", 0600, true, 'k') < 0 ||
	    copy_dir(&im, "reqs", ".req", ".csr", 0644, false, 0) < 0 ||
	    copy_dir(&im, "certs_by_serial", ".pem", ".pem", 0644, false, 's') < 0 ||
	    copy_dir(&im, "revoked/certs_by_serial", ".crt", ".pem", 0644, false, 's') < 0 ||
	    fs_txn_commit(&im.txn) < 0)
		goto out;
	printf("imported %s into %s: %u certificates, %u keys, %u warnings\n", im.src, ctx->dir,
	       im.certs, im.keys, im.warnings);
	ret = EXIT_OK;
out:
	fs_txn_abort(&im.txn);
	free(marker);
	if (lock >= 0)
		close(lock);
	return ret;
}
