/* crl: CRL generation and verification. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crl.h"
#include "fsutil.h"
#include "keys.h"
#include "msg.h"

static const struct {
	const char *name;
	int code;
} reasons[] = {
	{ "unspecified", CRL_REASON_UNSPECIFIED },
	{ "keyCompromise", CRL_REASON_KEY_COMPROMISE },
	{ "CACompromise", CRL_REASON_CA_COMPROMISE },
	{ "affiliationChanged", CRL_REASON_AFFILIATION_CHANGED },
	{ "superseded", CRL_REASON_SUPERSEDED },
	{ "cessationOfOperation", CRL_REASON_CESSATION_OF_OPERATION },
	{ "certificateHold", CRL_REASON_CERTIFICATE_HOLD },
};

/* Add one R row to CRL. */
static int add_revoked(X509_CRL *crl, const struct db_row *row)
{
	X509_REVOKED *rev = X509_REVOKED_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *when = NULL;
	ASN1_ENUMERATED *reason = NULL;
	char date[16];
	const char *comma = strchr(row->revoked, ',');
	size_t n = comma ? (size_t)(comma - row->revoked) : strlen(row->revoked);
	time_t t;
	int ret = -EIO;

	if (n >= sizeof(date))
		n = sizeof(date) - 1;
	memcpy(date, row->revoked, n);
	date[n] = '\0';
	if (!rev || !BN_hex2bn(&bn, row->serial) || !(serial = BN_to_ASN1_INTEGER(bn, NULL)) ||
	    !db_parse_time(date, &t) || !(when = ASN1_TIME_set(NULL, t)) ||
	    !X509_REVOKED_set_serialNumber(rev, serial) ||
	    !X509_REVOKED_set_revocationDate(rev, when))
		goto out;
	if (comma) {
		for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
			if (strcmp(comma + 1, reasons[i].name) != 0)
				continue;
			reason = ASN1_ENUMERATED_new();
			if (!reason || !ASN1_ENUMERATED_set(reason, reasons[i].code) ||
			    !X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0, 0))
				goto out;
		}
	}
	if (!X509_CRL_add0_revoked(crl, rev))
		goto out;
	rev = NULL;
	ret = 0;
out:
	X509_REVOKED_free(rev);
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(when);
	ASN1_ENUMERATED_free(reason);
	return ret;
}

X509_CRL *crl_build(const struct db *db, X509 *ca, EVP_PKEY *cakey, long number, int days,
                    int backdate_days)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *last = NULL, *next = NULL;
	ASN1_INTEGER *num = NULL;
	X509_EXTENSION *aki = NULL;
	X509V3_CTX ctx;
	long back = (long)backdate_days * 86400;
	size_t i;

	if (!crl || !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) ||
	    !(last = X509_gmtime_adj(NULL, -back)) ||
	    !(next = X509_time_adj_ex(NULL, days, -back, NULL)) ||
	    !X509_CRL_set1_lastUpdate(crl, last) || !X509_CRL_set1_nextUpdate(crl, next))
		goto fail;
	for (i = 0; i < db->n; i++)
		if (db->rows[i].status == 'R' && add_revoked(crl, &db->rows[i]) < 0)
			goto fail;
	X509_CRL_sort(crl);
	X509V3_set_ctx(&ctx, ca, NULL, NULL, crl, 0);
	X509V3_set_ctx_nodb(&ctx);
	aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
	num = ASN1_INTEGER_new();
	if (!aki || !X509_CRL_add_ext(crl, aki, -1) || !num || !ASN1_INTEGER_set(num, number) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0))
		goto fail;
	if (X509_CRL_sign(crl, cakey, key_sign_md(cakey)) <= 0)
		goto fail;
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	ASN1_INTEGER_free(num);
	X509_EXTENSION_free(aki);
	return crl;
fail:
	ossl_fail("building CRL");
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	ASN1_INTEGER_free(num);
	X509_EXTENSION_free(aki);
	X509_CRL_free(crl);
	return NULL;
}

int crl_verify_cert(X509 *ca, X509_CRL *crl, X509 *cert)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ret = -1;

	if (!store || !ctx || !X509_STORE_add_cert(store, ca) || !X509_STORE_add_crl(store, crl) ||
	    !X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_PARTIAL_CHAIN) ||
	    !X509_STORE_CTX_init(ctx, store, cert, NULL)) {
		ossl_fail("verifying certificate");
		goto out;
	}
	ret = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	ERR_clear_error();
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ret;
}

X509_CRL *crl_load(const char *path, bool quiet_enoent)
{
	char *text = NULL;
	BIO *bio;
	X509_CRL *crl = NULL;

	if (fs_read_file(path, quiet_enoent, &text, NULL) < 0)
		return NULL;
	bio = BIO_new_mem_buf(text, -1);
	if (bio)
		crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
	if (!crl)
		ossl_fail("%s: not a PEM CRL", path);
	BIO_free(bio);
	free(text);
	return crl;
}

long long crl_seconds_until(const ASN1_TIME *t)
{
	int days = 0, secs = 0;

	if (!t || !ASN1_TIME_diff(&days, &secs, NULL, t))
		return 0;
	return (long long)days * 86400 + secs;
}
