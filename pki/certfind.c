/* certfind: index rows by CN or serial, and the certificate file of a row. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "msg.h"
#include "pki.h"

long ca_find_row(const struct pki_ctx *ctx, const struct db *db, const char *arg, char want)
{
	char cn[256];
	long found = -1;
	size_t i, matches = 0;
	const char *hex = arg;

	for (i = 0; i < db->n; i++) {
		const struct db_row *r = &db->rows[i];
		if (want && r->status != want)
			continue;
		if (db_subject_cn(r->subject, cn, sizeof(cn)) && strcmp(cn, arg) == 0) {
			found = (long)i;
			matches++;
		}
	}
	if (matches > 1 && want) {
		pki_err("%s/index.txt: %zu certificates for CN \"%s\"; name one by serial",
		        ctx->dir, matches, arg);
		return -1;
	}
	if (found >= 0)
		return found;
	if (strncmp(hex, "0x", 2) == 0 || strncmp(hex, "0X", 2) == 0)
		hex += 2;
	found = db_find_serial(db, hex);
	if (found >= 0 && (!want || db->rows[found].status == want))
		return found;
	pki_err("%s/index.txt: no %scertificate \"%s\" (by CN or serial)", ctx->dir,
	        want == 'V' ? "valid " : "", arg);
	return -1;
}

static bool serial_matches(X509 *cert, const char *serial)
{
	char *hex = cert_serial_hex(cert);
	const char *a = hex, *b = serial;
	bool same;

	if (!hex)
		return false;
	while (*a == '0' && a[1])
		a++;
	while (*b == '0' && b[1])
		b++;
	same = strcasecmp(a, b) == 0;
	OPENSSL_free(hex);
	return same;
}

X509 *ca_row_cert(const struct pki_ctx *ctx, const struct db_row *row, bool quiet)
{
	char *path = fs_join(ctx->dir, row->serial, ".pem"), cn[256];
	X509 *cert = NULL;

	if (path && fs_exists(path))
		cert = cert_load(path);
	free(path);
	path = NULL;
	if (!cert && db_subject_cn(row->subject, cn, sizeof(cn))) {
		path = fs_join(ctx->dir, cn, ".crt");
		if (path && fs_exists(path)) {
			cert = cert_load(path);
			if (cert && !serial_matches(cert, row->serial)) {
				X509_free(cert);
				cert = NULL;
			}
		}
	}
	if (!cert && !quiet)
		pki_err("%s: no certificate file for serial %s (%s.pem)", ctx->dir, row->serial,
		        row->serial);
	free(path);
	return cert;
}
