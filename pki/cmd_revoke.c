/* cmd_revoke: revoke-full, gen-crl, renew. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "commands.h"
#include "crl.h"
#include "msg.h"

/* Say plainly what verification now says about CERT (easy-rsa 2.0 printed "error 23"). */
static int confirm_revoked(X509 *ca, X509_CRL *crl, X509 *cert, const char *label)
{
	int v = crl_verify_cert(ca, crl, cert);

	if (v == X509_V_ERR_CERT_REVOKED) {
		printf("%s: revoked; verification against crl.pem now rejects it "
		       "(certificate revoked), as intended\n",
		       label);
		return 0;
	}
	pki_err("%s: verification against the new crl.pem gives \"%s\", expected \"certificate "
	        "revoked\"",
	        label, v < 0 ? "internal error" : X509_verify_cert_error_string(v));
	return -EIO;
}

int cmd_revoke_full(struct pki_ctx *ctx, int argc, char **argv)
{
	struct fs_txn txn = { 0 };
	struct db db = { 0 };
	char *pos[1], label[300];
	X509 *ca = NULL, *cert = NULL;
	EVP_PKEY *cakey = NULL;
	X509_CRL *crl = NULL;
	long row;
	int ret = EXIT_ERR;

	if (cmd_parse(argc, argv, NULL, pos, 1) != 1)
		return EXIT_USAGE;
	if (ca_load(ctx, &ca, &cakey) < 0 || ca_load_db(ctx, &db) < 0)
		goto out;
	if ((row = ca_find_row(ctx, &db, pos[0], 'V')) < 0)
		goto out;
	cert = ca_row_cert(ctx, &db.rows[row], true);
	snprintf(label, sizeof(label), "%s (serial %s)", pos[0], db.rows[row].serial);
	if (ca_revoke_row(&db, (size_t)row, NULL) < 0 || ca_stage_db(ctx, &txn, &db, NULL) < 0 ||
	    ca_stage_crl(ctx, &txn, &db, ca, cakey, &crl) < 0)
		goto out;
	/* Check before publishing: a CRL that does not reject the certificate is a bug. */
	if (cert && confirm_revoked(ca, crl, cert, label) < 0)
		goto out;
	if (fs_txn_commit(&txn) < 0)
		goto out;
	if (!cert)
		printf("%s: revoked and listed in crl.pem (no certificate file to verify)\n",
		       label);
	ret = EXIT_OK;
out:
	fs_txn_abort(&txn);
	db_free(&db);
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(cakey);
	X509_CRL_free(crl);
	return ret;
}

int cmd_gen_crl(struct pki_ctx *ctx, int argc, char **argv)
{
	struct fs_txn txn = { 0 };
	struct db db = { 0 };
	X509 *ca = NULL;
	EVP_PKEY *cakey = NULL;
	int ret = EXIT_ERR;

	if (cmd_parse(argc, argv, NULL, NULL, 0) != 0)
		return EXIT_USAGE;
	if (ca_load(ctx, &ca, &cakey) < 0 || ca_load_db(ctx, &db) < 0 ||
	    ca_stage_crl(ctx, &txn, &db, ca, cakey, NULL) < 0 || fs_txn_commit(&txn) < 0)
		goto out;
	printf("crl.pem: regenerated, valid for %d days\n", ctx->vars.crl_days);
	ret = EXIT_OK;
out:
	fs_txn_abort(&txn);
	db_free(&db);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	return ret;
}

/* renew NAME: a new certificate for the public key and subject of NAME's current valid
 * certificate, same profile, new serial and dates; the old one is revoked as superseded and
 * the CRL regenerated. The private key is not needed and stays as it is. */
int cmd_renew(struct pki_ctx *ctx, int argc, char **argv)
{
	struct fs_txn txn = { 0 };
	struct db db = { 0 };
	char *pos[1], cn[256], label[300];
	X509 *ca = NULL, *old = NULL, *cert = NULL;
	EVP_PKEY *cakey = NULL;
	enum cert_profile profile;
	long row;
	int ret = EXIT_ERR;
	bool force = ctx->force;

	if (cmd_parse(argc, argv, NULL, pos, 1) != 1)
		return EXIT_USAGE;
	if (ca_load(ctx, &ca, &cakey) < 0 || ca_load_db(ctx, &db) < 0)
		goto out;
	if ((row = ca_find_row(ctx, &db, pos[0], 'V')) < 0 ||
	    !(old = ca_row_cert(ctx, &db.rows[row], false)))
		goto out;
	profile = cert_profile_of(old);
	if (profile != PROFILE_SERVER && profile != PROFILE_CLIENT) {
		pki_err("%s: certificate has no server/client profile to renew", pos[0]);
		goto out;
	}
	if (!db_subject_cn(db.rows[row].subject, cn, sizeof(cn)))
		goto out;
	snprintf(label, sizeof(label), "%s (serial %s)", cn, db.rows[row].serial);
	if (ca_revoke_row(&db, (size_t)row, "superseded") < 0)
		goto out;
	ctx->force = true; /* the old one is revoked in this same step */
	if (ca_issue(ctx, &txn, &db, ca, cakey, cn, profile, X509_get0_pubkey(old),
	             X509_get_subject_name(old), &cert) < 0 ||
	    ca_stage_db(ctx, &txn, &db, cert) < 0 ||
	    ca_stage_crl(ctx, &txn, &db, ca, cakey, NULL) < 0 || fs_txn_commit(&txn) < 0)
		goto out;
	{
		char *hex = cert_serial_hex(cert);
		printf("%s.crt: renewed as serial %s; old %s revoked (superseded)\n", cn,
		       hex ? hex : "?", label);
		OPENSSL_free(hex);
	}
	ret = EXIT_OK;
out:
	ctx->force = force;
	fs_txn_abort(&txn);
	db_free(&db);
	X509_free(ca);
	X509_free(old);
	X509_free(cert);
	EVP_PKEY_free(cakey);
	return ret;
}
