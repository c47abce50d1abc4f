/* ca: CA operations shared by the commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "certparse.h"
#include "crl.h"
#include "keys.h"
#include "msg.h"
#include "pki.h"

char *ctx_path(const struct pki_ctx *ctx, const char *name, const char *suffix)
{
	char *p = fs_join(ctx->dir, name, suffix);

	if (!p)
		pki_err("out of memory");
	return p;
}

char *ca_bundle_path(const struct pki_ctx *ctx)
{
	char *chain = ctx_path(ctx, "export-ca", ".crt");

	if (!chain || fs_exists(chain))
		return chain;
	free(chain);
	return ctx_path(ctx, "ca", ".crt");
}

int ca_require_pki(const struct pki_ctx *ctx)
{
	char *index = ctx_path(ctx, "index.txt", "");
	int ret = 0;

	if (!index)
		return -ENOMEM;
	if (!fs_exists(index)) {
		pki_err("%s: no PKI here (index.txt missing); run clean-all first", ctx->dir);
		ret = -ENOENT;
	}
	free(index);
	return ret;
}

int ca_load(const struct pki_ctx *ctx, X509 **ca, EVP_PKEY **key)
{
	char *crt = ctx_path(ctx, "ca", ".crt"), *kp = ctx_path(ctx, "ca", ".key");
	int ret = -EIO;

	*ca = NULL;
	if (key)
		*key = NULL;
	if (!crt || !kp) {
		ret = -ENOMEM;
		goto out;
	}
	if (!fs_exists(crt)) {
		pki_err("%s: missing CA certificate; run build-ca first", crt);
		goto out;
	}
	*ca = cert_load(crt);
	if (!*ca)
		goto out;
	if (key) {
		*key = key_load(kp, ctx->passin, ctx->interactive);
		if (!*key)
			goto fail;
		if (X509_check_private_key(*ca, *key) != 1) {
			ERR_clear_error();
			pki_err("%s: does not match %s", kp, crt);
			goto fail;
		}
	}
	ret = 0;
	goto out;
fail:
	X509_free(*ca);
	*ca = NULL;
	if (key) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
out:
	free(crt);
	free(kp);
	return ret;
}

int ca_load_db(const struct pki_ctx *ctx, struct db *db)
{
	char *index = ctx_path(ctx, "index.txt", ""), *serial = ctx_path(ctx, "serial", "");
	char *text = NULL;
	int ret = -ENOMEM;

	memset(db, 0, sizeof(*db));
	if (!index || !serial)
		goto out;
	ret = fs_read_file(serial, true, &text, NULL);
	if (ret == 0 && !db_serial_valid(text)) {
		pki_err("%s: corrupt serial file (want hex digits)", serial);
		ret = -EINVAL;
		goto out;
	}
	if (ret < 0 && ret != -ENOENT)
		goto out;
	ret = db_load(index, db);
out:
	free(text);
	free(index);
	free(serial);
	return ret;
}

/* True when DB has a valid, unexpired row whose CN is CN. */
static bool has_valid_cn(const struct db *db, const char *cn)
{
	char buf[256];
	time_t now = time(NULL), exp;

	for (size_t i = 0; i < db->n; i++) {
		const struct db_row *r = &db->rows[i];
		if (r->status != 'V' || !db_subject_cn(r->subject, buf, sizeof(buf)))
			continue;
		if (strcmp(buf, cn) == 0 && db_parse_time(r->expiry, &exp) && exp > now)
			return true;
	}
	return false;
}

int ca_issue(const struct pki_ctx *ctx, struct fs_txn *txn, struct db *db, X509 *ca,
             EVP_PKEY *cakey, const char *name, enum cert_profile profile, EVP_PKEY *pubkey,
             const X509_NAME *subject, X509 **out)
{
	struct issue_params p = {
		.profile = profile,
		.subject = subject,
		.pubkey = pubkey,
		.issuer = ca,
		.issuer_key = cakey,
		.days = ctx->vars.key_expire,
		.backdate_days = ctx->backdate_days,
		.san_name = name,
	};
	char cn[256], expiry[20], *hex = NULL, *oneline = NULL, *pem = NULL, *path = NULL;
	char *serial_path = NULL;
	const char *why;
	BIGNUM *serial = NULL;
	X509 *cert = NULL;
	size_t len;
	int ret = -EINVAL, tries;
	time_t t;

	if (pki_subject_check(subject, cn, sizeof(cn), &why) < 0) {
		pki_err("%s: %s", name, why);
		goto out;
	}
	if (!ctx->force && has_valid_cn(db, cn)) {
		pki_err("%s/index.txt: CN \"%s\" already has a valid certificate (revoke it, "
		        "use renew, or --force)",
		        ctx->dir, cn);
		ret = -EEXIST;
		goto out;
	}
	/* Strategy: 127 random bits make a clash practically impossible; still check. */
	for (tries = 0; tries < 8; tries++) {
		BN_free(serial);
		OPENSSL_free(hex);
		hex = NULL;
		serial = serial_random();
		if (!serial || !(hex = BN_bn2hex(serial))) {
			ret = -EIO;
			goto out;
		}
		if (db_find_serial(db, hex) < 0)
			break;
	}
	p.serial = serial;
	cert = cert_issue(&p);
	if (!cert) {
		ret = -EIO;
		goto out;
	}
	oneline = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);
	if (!oneline || ASN1_TIME_to_tm(X509_get0_notAfter(cert), NULL) != 1) {
		ret = ossl_fail("formatting index row");
		goto out;
	}
	{
		struct tm tm;
		ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm);
		t = timegm(&tm);
	}
	db_format_time(t, expiry, sizeof(expiry));
	if ((ret = db_append(db, 'V', expiry, "", hex, oneline)) < 0) {
		pki_err("out of memory");
		goto out;
	}
	if ((ret = cert_to_pem(cert, &pem, &len)) < 0)
		goto out;
	ret = -ENOMEM;
	if (!(path = ctx_path(ctx, name, ".crt")) || !(serial_path = ctx_path(ctx, hex, ".pem")))
		goto out;
	if ((ret = fs_txn_add(txn, path, pem, len, 0644, false)) < 0 ||
	    (ret = fs_txn_add(txn, serial_path, pem, len, 0644, true)) < 0)
		goto out;
	if (out) {
		*out = cert;
		cert = NULL;
	}
	ret = 0;
out:
	X509_free(cert);
	BN_free(serial);
	OPENSSL_free(hex);
	OPENSSL_free(oneline);
	free(pem);
	free(path);
	free(serial_path);
	return ret;
}

int ca_stage_db(const struct pki_ctx *ctx, struct fs_txn *txn, const struct db *db,
                X509 *last_issued)
{
	char *text = db_format(db), *index = ctx_path(ctx, "index.txt", "");
	char *serial_path = ctx_path(ctx, "serial", ""), *hex = NULL, *line = NULL;
	BIGNUM *next = NULL;
	int ret = -ENOMEM;

	if (!text || !index || !serial_path)
		goto out;
	if ((ret = fs_txn_add(txn, index, text, strlen(text), 0644, false)) < 0)
		goto out;
	if (last_issued) {
		/* `openssl ca` keeps the next serial there; stay compatible with it. */
		next = ASN1_INTEGER_to_BN(X509_get0_serialNumber(last_issued), NULL);
		if (!next || !BN_add_word(next, 1) || !(hex = BN_bn2hex(next)) ||
		    asprintf(&line, "%s\n", hex) < 0) {
			line = NULL;
			ret = ossl_fail("next serial");
			goto out;
		}
		ret = fs_txn_add(txn, serial_path, line, strlen(line), 0644, false);
	}
out:
	if (ret == -ENOMEM)
		pki_err("out of memory");
	BN_free(next);
	OPENSSL_free(hex);
	free(line);
	free(text);
	free(index);
	free(serial_path);
	return ret;
}

/* The CRL number to use next from KEY_DIR/crlnumber (hex), 1 when absent. */
static int next_crl_number(const char *path, long *number)
{
	char *text = NULL, *end;
	int ret = fs_read_file(path, true, &text, NULL);

	if (ret == -ENOENT) {
		*number = 1;
		return 0;
	}
	if (ret < 0)
		return ret;
	errno = 0;
	*number = strtol(text, &end, 16);
	if (errno || end == text || (*end && *end != '\n') || *number < 0 ||
	    *number >= 0x7fffffffL) {
		pki_err("%s: corrupt CRL number", path);
		ret = -EINVAL;
	}
	free(text);
	return ret;
}

int ca_stage_crl(const struct pki_ctx *ctx, struct fs_txn *txn, const struct db *db, X509 *ca,
                 EVP_PKEY *cakey, X509_CRL **out)
{
	char *path = ctx_path(ctx, "crl", ".pem"), *num_path = ctx_path(ctx, "crlnumber", "");
	char *pem = NULL, line[32];
	X509_CRL *crl = NULL;
	BIO *bio = NULL;
	struct stat st;
	mode_t mode = 0644;
	long number;
	size_t len;
	int ret = -ENOMEM;

	if (!path || !num_path)
		goto out;
	if ((ret = next_crl_number(num_path, &number)) < 0)
		goto out;
	crl = crl_build(db, ca, cakey, number, ctx->vars.crl_days, ctx->backdate_days);
	ret = -EIO;
	if (!crl)
		goto out;
	bio = BIO_new(BIO_s_mem());
	if (!bio || !PEM_write_bio_X509_CRL(bio, crl)) {
		ret = ossl_fail("encoding CRL");
		goto out;
	}
	if ((ret = bio_to_buf(bio, &pem, &len)) < 0)
		goto out;
	/* Keep the mode an operator gave crl.pem (e.g. readable by the daemon's user). */
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	snprintf(line, sizeof(line), "%02lX\n", number + 1);
	if ((ret = fs_txn_add(txn, path, pem, len, mode, false)) < 0 ||
	    (ret = fs_txn_add(txn, num_path, line, strlen(line), 0644, false)) < 0)
		goto out;
	if (out) {
		*out = crl;
		crl = NULL;
	}
out:
	X509_CRL_free(crl);
	BIO_free(bio);
	free(pem);
	free(path);
	free(num_path);
	return ret;
}

void ca_warn_crl(const struct pki_ctx *ctx, int days)
{
	char *path = ctx_path(ctx, "crl", ".pem");
	X509_CRL *crl = NULL;
	long long left;

	if (!path || !fs_exists(path))
		goto out;
	crl = crl_load(path, true);
	if (!crl)
		goto out;
	left = crl_seconds_until(X509_CRL_get0_nextUpdate(crl));
	if (left <= 0)
		pki_warn("%s has expired: peers reject every certificate; run gen-crl", path);
	else if (left < (long long)days * 86400)
		pki_warn("%s expires in %lld days; run gen-crl", path, left / 86400);
out:
	X509_CRL_free(crl);
	free(path);
}

int ca_revoke_row(struct db *db, size_t index, const char *reason)
{
	char date[20], *field = NULL;

	db_format_time(time(NULL), date, sizeof(date));
	if (asprintf(&field, "%s%s%s", date, reason ? "," : "", reason ? reason : "") < 0)
		return -ENOMEM;
	free(db->rows[index].revoked);
	db->rows[index].revoked = field;
	db->rows[index].status = 'R';
	return 0;
}
