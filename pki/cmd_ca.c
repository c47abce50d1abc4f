/* cmd_ca: verbs that change the CA itself: inherit-inter (root this PKI on an intermediate CA
 * built by a parent PKI) and renew-ca (a new self-signed certificate for the same CA key). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "commands.h"
#include "keys.h"
#include "msg.h"

/* PARENT/NAME.SUFFIX, or PARENT/keys/NAME.SUFFIX when PARENT is an easy-rsa 2.0 tree whose
 * KEY_DIR is its keys/ subdirectory. NULL (reported) when neither exists. */
static char *parent_file(const char *parent, const char *name, const char *suffix)
{
	char *direct = fs_join(parent, name, suffix), *sub = NULL, *keys = NULL;

	if (direct && fs_exists(direct))
		return direct;
	keys = fs_join(parent, "keys", "");
	sub = keys ? fs_join(keys, name, suffix) : NULL;
	free(keys);
	if (sub && fs_exists(sub)) {
		free(direct);
		return sub;
	}
	pki_err("%s: not found (nor under %s/keys)", direct ? direct : name, parent);
	free(direct);
	free(sub);
	return NULL;
}

/* Verify CA against the certificates of the bundle at CHAIN_PATH (the parent's trust
 * anchors). 0, or -EINVAL after naming CHAIN_PATH and OpenSSL's reason. */
static int verify_against(X509 *ca, const char *chain_path)
{
	STACK_OF(X509) *chain = cert_load_bundle(chain_path);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *vctx = X509_STORE_CTX_new();
	int ret = -EINVAL;

	if (!chain)
		goto out;
	if (!store || !vctx) {
		ret = ossl_fail("verifying the intermediate CA");
		goto out;
	}
	for (int i = 0; i < sk_X509_num(chain); i++)
		X509_STORE_add_cert(store, sk_X509_value(chain, i));
	if (!X509_STORE_CTX_init(vctx, store, ca, NULL)) {
		ret = ossl_fail("verifying the intermediate CA");
		goto out;
	}
	if (X509_verify_cert(vctx) == 1)
		ret = 0;
	else
		pki_err("the intermediate CA does not verify against %s: %s", chain_path,
		        X509_verify_cert_error_string(X509_STORE_CTX_get_error(vctx)));
	ERR_clear_error();
out:
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	return ret;
}

/* inherit-inter PARENT_DIR NAME: NAME.crt and NAME.key of the parent PKI (an intermediate CA
 * made there with build-inter) become this PKI's ca.crt and ca.key, and export-ca.crt gets
 * the whole chain: the parent's export-ca.crt (or its ca.crt) followed by the intermediate.
 * Every site trusts export-ca.crt. The key is copied byte for byte (an encrypted key stays
 * encrypted) and nothing is written unless the certificate is a CA, the key matches it and
 * it verifies against the parent's chain. */
int cmd_inherit_inter(struct pki_ctx *ctx, int argc, char **argv)
{
	struct fs_txn txn = { 0 };
	char *pos[2], *src_crt = NULL, *src_key = NULL, *chain_path = NULL;
	char *dst_crt = NULL, *dst_key = NULL, *dst_chain = NULL;
	char *crt_pem = NULL, *key_pem = NULL, *chain_pem = NULL, *bundle = NULL;
	size_t crt_len = 0, key_len = 0, chain_len = 0;
	X509 *ca = NULL;
	EVP_PKEY *key = NULL;
	char cn[256] = "?";
	int ret = EXIT_ERR;

	if (cmd_parse(argc, argv, NULL, pos, 2) != 2)
		return EXIT_USAGE;
	dst_crt = ctx_path(ctx, "ca", ".crt");
	dst_key = ctx_path(ctx, "ca", ".key");
	dst_chain = ctx_path(ctx, "export-ca", ".crt");
	if (!dst_crt || !dst_key || !dst_chain)
		goto out;
	for (const char *p = dst_key; p; p = p == dst_key ? dst_crt : NULL)
		if (fs_exists(p)) {
			pki_err(
			    "%s: exists: this PKI already has a CA; inherit-inter needs a fresh "
			    "KEY_DIR (clean-all)",
			    p);
			goto out;
		}
	if (!(src_crt = parent_file(pos[0], pos[1], ".crt")) ||
	    !(src_key = parent_file(pos[0], pos[1], ".key")))
		goto out;
	if (!(chain_path = fs_join(pos[0], "export-ca", ".crt")) || !fs_exists(chain_path)) {
		free(chain_path);
		if (!(chain_path = parent_file(pos[0], "ca", ".crt")))
			goto out;
	}
	if (!(ca = cert_load(src_crt)))
		goto out;
	X509_NAME_get_text_by_NID(X509_get_subject_name(ca), NID_commonName, cn, sizeof(cn));
	if (cert_profile_of(ca) != PROFILE_CA) {
		pki_err("%s: not a CA certificate (make it with build-inter in the parent PKI)",
		        src_crt);
		goto out;
	}
	if (!(key = key_load(src_key, ctx->passin, ctx->interactive)))
		goto out;
	if (X509_check_private_key(ca, key) != 1) {
		ERR_clear_error();
		pki_err("%s: does not match %s", src_key, src_crt);
		goto out;
	}
	if (fs_read_file(src_crt, false, &crt_pem, &crt_len) < 0 ||
	    fs_read_file(src_key, false, &key_pem, &key_len) < 0 ||
	    fs_read_file(chain_path, false, &chain_pem, &chain_len) < 0 ||
	    verify_against(ca, chain_path) < 0)
		goto out;
	if (!(bundle = malloc(chain_len + crt_len + 2))) {
		pki_err("out of memory");
		goto out;
	}
	memcpy(bundle, chain_pem, chain_len);
	if (chain_len && chain_pem[chain_len - 1] != '\n')
		bundle[chain_len++] = '\n';
	memcpy(bundle + chain_len, crt_pem, crt_len);
	if (fs_txn_add(&txn, dst_crt, crt_pem, crt_len, 0644, true) < 0 ||
	    fs_txn_add(&txn, dst_key, key_pem, key_len, 0600, true) < 0 ||
	    fs_txn_add(&txn, dst_chain, bundle, chain_len + crt_len, 0644, false) < 0 ||
	    fs_txn_commit(&txn) < 0)
		goto out;
	printf("ca.crt: intermediate CA \"%s\" from %s; give every site export-ca.crt as its "
	       "ca (it holds the chain to the root)\n",
	       cn, src_crt);
	ret = EXIT_OK;
out:
	fs_txn_abort(&txn);
	if (key_pem)
		OPENSSL_cleanse(key_pem, key_len);
	free(key_pem);
	free(crt_pem);
	free(chain_pem);
	free(bundle);
	free(src_crt);
	free(src_key);
	free(chain_path);
	free(dst_crt);
	free(dst_key);
	free(dst_chain);
	X509_free(ca);
	EVP_PKEY_free(key);
	return ret;
}

/* The CNs of the valid certificates in DB that name their issuer by serial number
 * (authorityKeyIdentifier with issuer and serial, as easy-rsa issued them): a renewed CA has
 * a new serial, so these stop verifying. Prints one warning per certificate; returns the
 * count. */
static int warn_serial_bound(const struct pki_ctx *ctx, const struct db *db)
{
	int n = 0;

	for (size_t i = 0; i < db->n; i++) {
		X509 *cert;

		if (db->rows[i].status != 'V' || !(cert = ca_row_cert(ctx, &db->rows[i], true)))
			continue;
		if (X509_get0_authority_serial(cert)) {
			pki_warn("%s (serial %s) names the CA by its serial number (issued by "
			         "easy-rsa?): it will not verify against the renewed ca.crt; "
			         "reissue it with: l2vpn-ca renew %s",
			         db->rows[i].subject, db->rows[i].serial, db->rows[i].serial);
			n++;
		}
		X509_free(cert);
	}
	return n;
}

/* renew-ca [--days N]: a new self-signed ca.crt for the same key and subject, with a new
 * serial and CA_EXPIRE (or N) days of validity. The old certificate is kept as
 * ca-OLDSERIAL.crt. Certificates issued before keep verifying against the new ca.crt (and
 * new ones against the old), because they name the CA by subject and key identifier. */
int cmd_renew_ca(struct pki_ctx *ctx, int argc, char **argv)
{
	const char *days_arg = NULL;
	const struct cmd_opt opts[] = { { "days", &days_arg, NULL }, { NULL, NULL, NULL } };
	struct fs_txn txn = { 0 };
	struct db db = { 0 };
	char *crt_path = NULL, *old_path = NULL, *old_pem = NULL, *pem = NULL;
	char *old_hex = NULL, *new_hex = NULL;
	size_t old_len, len;
	X509 *ca = NULL, *cert = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *serial = NULL;
	BIO *out = NULL;
	int days = ctx->vars.ca_expire, ret = EXIT_ERR;

	if (cmd_parse(argc, argv, opts, NULL, 0) != 0)
		return EXIT_USAGE;
	if (days_arg) {
		char *end;
		long d = strtol(days_arg, &end, 10);

		if (*end || d < 1 || d > 36500) {
			pki_err("renew-ca: --days %s: want 1..36500", days_arg);
			return EXIT_USAGE;
		}
		days = (int)d;
	}
	if (ca_load(ctx, &ca, &key) < 0 || ca_load_db(ctx, &db) < 0)
		goto out;
	if (X509_check_issued(ca, ca) != X509_V_OK) {
		pki_err("ca.crt is an intermediate CA (issued by another CA): renew it in the "
		        "parent PKI and run inherit-inter again");
		goto out;
	}
	if (!(crt_path = ctx_path(ctx, "ca", ".crt")) || !(old_hex = cert_serial_hex(ca)) ||
	    asprintf(&old_path, "%s/ca-%s.crt", ctx->dir, old_hex) < 0) {
		old_path = NULL;
		pki_err("out of memory");
		goto out;
	}
	if (fs_read_file(crt_path, false, &old_pem, &old_len) < 0 || !(serial = serial_random()))
		goto out;
	{
		struct issue_params p = {
			.profile = PROFILE_CA,
			.subject = X509_get_subject_name(ca),
			.pubkey = key,
			.issuer_key = key,
			.serial = serial,
			.days = days,
			.backdate_days = ctx->backdate_days,
		};
		if (!(cert = cert_issue(&p)))
			goto out;
	}
	/* The old certificate is kept (exclusive: never replaced), then ca.crt is swapped. */
	if (cert_to_pem(cert, &pem, &len) < 0 ||
	    fs_txn_add(&txn, old_path, old_pem, old_len, 0644, true) < 0 ||
	    fs_txn_add(&txn, crt_path, pem, len, 0644, false) < 0 || fs_txn_commit(&txn) < 0)
		goto out;
	new_hex = cert_serial_hex(cert);
	printf("ca.crt: renewed, serial %s, valid until ", new_hex ? new_hex : "?");
	fflush(stdout);
	if ((out = BIO_new_fp(stdout, BIO_NOCLOSE))) {
		ASN1_TIME_print(out, X509_get0_notAfter(cert));
		BIO_puts(out, "\n");
	}
	printf("the old certificate (serial %s) is kept as %s; certificates issued before keep "
	       "working: give every site the new ca.crt before the old one expires\n",
	       old_hex, old_path);
	warn_serial_bound(ctx, &db);
	ret = EXIT_OK;
out:
	fs_txn_abort(&txn);
	db_free(&db);
	BIO_free(out);
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(key);
	BN_free(serial);
	OPENSSL_free(old_hex);
	OPENSSL_free(new_hex);
	free(crt_path);
	free(old_path);
	free(old_pem);
	free(pem);
	return ret;
}
