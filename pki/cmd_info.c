/* cmd_info: list, show, check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/x509.h>

#include "certparse.h"
#include "commands.h"
#include "crl.h"
#include "msg.h"

static void print_date(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d", &tm);
}

static time_t cert_not_after(X509 *cert)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1)
		return 0;
	return timegm(&tm);
}

int cmd_list(struct pki_ctx *ctx, int argc, char **argv)
{
	struct db db = { 0 };
	X509 *ca = NULL;
	char cn[256], date[32], *hex = NULL;
	time_t now = time(NULL), exp;
	int ret = EXIT_ERR;

	if (cmd_parse(argc, argv, NULL, NULL, 0) != 0)
		return EXIT_USAGE;
	if (ca_load(ctx, &ca, NULL) < 0 || ca_load_db(ctx, &db) < 0)
		goto out;
	printf("%-32s %-34s %-7s %-8s %s\n", "CN", "SERIAL", "TYPE", "STATUS", "EXPIRES");
	hex = cert_serial_hex(ca);
	exp = cert_not_after(ca);
	print_date(exp, date, sizeof(date));
	X509_NAME_get_text_by_NID(X509_get_subject_name(ca), NID_commonName, cn, sizeof(cn));
	printf("%-32s %-34s %-7s %-8s %s\n", cn, hex ? hex : "?", "ca",
	       exp > now ? "valid" : "expired", date);
	for (size_t i = 0; i < db.n; i++) {
		const struct db_row *r = &db.rows[i];
		X509 *cert = ca_row_cert(ctx, r, true);
		const char *type = cert ? cert_profile_name(cert_profile_of(cert)) : "unknown";
		const char *status = r->status == 'R' ? "revoked" : "valid";

		if (!db_subject_cn(r->subject, cn, sizeof(cn)))
			snprintf(cn, sizeof(cn), "%s", r->subject);
		if (!db_parse_time(r->expiry, &exp))
			exp = 0;
		if (r->status != 'R' && exp <= now)
			status = "expired";
		print_date(exp, date, sizeof(date));
		printf("%-32s %-34s %-7s %-8s %s\n", cn, r->serial, type, status, date);
		X509_free(cert);
	}
	ret = EXIT_OK;
out:
	OPENSSL_free(hex);
	db_free(&db);
	X509_free(ca);
	return ret;
}

/* list-crl: crl.pem as `openssl crl -text` shows it (easy-rsa 2.0's verb). */
int cmd_list_crl(struct pki_ctx *ctx, int argc, char **argv)
{
	char *path = NULL;
	X509_CRL *crl = NULL;
	BIO *out = NULL;
	int ret = EXIT_ERR;

	if (cmd_parse(argc, argv, NULL, NULL, 0) != 0)
		return EXIT_USAGE;
	if (!(path = ctx_path(ctx, "crl", ".pem")) || !(crl = crl_load(path, false)))
		goto out;
	if (!(out = BIO_new_fp(stdout, BIO_NOCLOSE)) || X509_CRL_print(out, crl) != 1) {
		ossl_fail("list-crl");
		goto out;
	}
	ret = EXIT_OK;
out:
	BIO_free(out);
	X509_CRL_free(crl);
	free(path);
	return ret;
}

int cmd_show(struct pki_ctx *ctx, int argc, char **argv)
{
	struct db db = { 0 };
	char *pos[1], *path = NULL;
	X509 *cert = NULL;
	BIO *out = NULL;
	long row;
	int ret = EXIT_ERR;

	if (cmd_parse(argc, argv, NULL, pos, 1) != 1)
		return EXIT_USAGE;
	if (strcmp(pos[0], "ca") == 0) {
		path = ctx_path(ctx, "ca", ".crt");
		if (!path || !(cert = cert_load(path)))
			goto out;
	} else {
		if (ca_load_db(ctx, &db) < 0 || (row = ca_find_row(ctx, &db, pos[0], 0)) < 0 ||
		    !(cert = ca_row_cert(ctx, &db.rows[row], false)))
			goto out;
	}
	if (!(out = BIO_new_fp(stdout, BIO_NOCLOSE)) || pki_cert_print(out, cert) < 0) {
		ossl_fail("show");
		goto out;
	}
	ret = EXIT_OK;
out:
	BIO_free(out);
	X509_free(cert);
	db_free(&db);
	free(path);
	return ret;
}

/* One problem line when T (seconds left) is within the window. Returns 1 if reported. */
static int report(const char *what, long long left, int days)
{
	if (left <= 0) {
		printf("EXPIRED: %s expired %lld days ago\n", what, -left / 86400);
		return 1;
	}
	if (left < (long long)days * 86400) {
		printf("EXPIRING: %s expires in %lld days\n", what, left / 86400);
		return 1;
	}
	return 0;
}

int cmd_check(struct pki_ctx *ctx, int argc, char **argv)
{
	const char *days_arg = NULL;
	const struct cmd_opt opts[] = { { "days", &days_arg, NULL }, { NULL, NULL, NULL } };
	struct db db = { 0 };
	X509 *ca = NULL;
	X509_CRL *crl = NULL;
	char *crl_path = NULL, cn[256], what[400], *end;
	time_t now = time(NULL), exp;
	long days = 30;
	int problems = 0, ret = EXIT_ERR;

	if (cmd_parse(argc, argv, opts, NULL, 0) != 0)
		return EXIT_USAGE;
	if (days_arg) {
		days = strtol(days_arg, &end, 10);
		if (*end || end == days_arg || days < 0 || days > 36500) {
			pki_err("check: --days %s: want 0..36500", days_arg);
			return EXIT_USAGE;
		}
	}
	if (ca_load(ctx, &ca, NULL) < 0 || ca_load_db(ctx, &db) < 0)
		goto out;
	problems +=
	    report("CA certificate ca.crt", crl_seconds_until(X509_get0_notAfter(ca)), (int)days);
	for (size_t i = 0; i < db.n; i++) {
		const struct db_row *r = &db.rows[i];
		if (r->status != 'V')
			continue;
		if (!db_subject_cn(r->subject, cn, sizeof(cn)))
			snprintf(cn, sizeof(cn), "?");
		if (!db_parse_time(r->expiry, &exp))
			exp = 0;
		snprintf(what, sizeof(what), "certificate %s (serial %s)", cn, r->serial);
		problems += report(what, (long long)(exp - now), (int)days);
	}
	crl_path = ctx_path(ctx, "crl", ".pem");
	if (!crl_path)
		goto out;
	if (fs_exists(crl_path)) {
		crl = crl_load(crl_path, false);
		if (!crl) {
			problems++;
		} else {
			snprintf(what, sizeof(what), "CRL %s", crl_path);
			problems += report(what, crl_seconds_until(X509_CRL_get0_nextUpdate(crl)),
			                   (int)days);
		}
	}
	ret = problems ? EXIT_ERR : EXIT_OK;
	if (!problems)
		printf("ok: nothing expires within %ld days\n", days);
out:
	db_free(&db);
	X509_free(ca);
	X509_CRL_free(crl);
	free(crl_path);
	return ret;
}
