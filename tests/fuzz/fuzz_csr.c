// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: what l2vpn-ca reads from files it did not write. Each input is parsed as a
 * certificate request with pki_csr_parse() (the sign-req path: encoding, self-signature,
 * key, subject and CN checks) and as a certificate with pki_cert_parse() (the cert_load path
 * of list/show/export/import), and a parsed certificate is printed as `show` prints it.
 * Invariants (abort on violation): a failure leaves no object, a reason and an empty OpenSSL
 * error queue; an accepted request has a CN of 1..64 printable ASCII bytes without '/' or ',',
 * re-encodes to a request that is accepted again with the same CN, and its subject goes
 * through index.txt (format, parse, CN lookup) unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "fuzz.h"
#include "cert.h"
#include "certparse.h"
#include "db.h"

static void check_cn(const char *cn)
{
	const char *why;
	size_t n = strlen(cn);

	CHECK(n >= 1 && n <= 64);
	CHECK(!strchr(cn, '/') && !strchr(cn, ','));
	for (size_t i = 0; i < n; i++)
		CHECK(cn[i] >= 0x20 && cn[i] <= 0x7e);
	CHECK(cn_validate(cn, false, &why) == 0);
}

/* The subject as sign-req stores it: one index row, formatted, parsed back, CN looked up. */
static void check_index_round_trip(const X509_NAME *subject, const char *cn)
{
	struct db db = { 0 }, back = { 0 };
	char *oneline = X509_NAME_oneline(subject, NULL, 0), *text = NULL, found[256];
	unsigned bad_line = 0;

	if (!oneline || db_append(&db, 'V', "300101000000Z", "", "0123ABCD", oneline) < 0)
		goto out;
	text = db_format(&db);
	if (!text)
		goto out;
	CHECK(db_parse(text, &back, &bad_line) == 0);
	CHECK(back.n == 1 && strcmp(back.rows[0].subject, oneline) == 0);
	CHECK(db_subject_cn(back.rows[0].subject, found, sizeof(found)));
	CHECK(strcmp(found, cn) == 0);
out:
	OPENSSL_free(oneline);
	free(text);
	db_free(&db);
	db_free(&back);
}

/* Mutated requests rarely keep a valid signature: run the subject checks on any DER request
 * that decodes, so the fuzzer reaches them too. */
static void check_unsigned_subject(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);
	const char *why = NULL;
	char cn[PKI_CN_SIZE];

	if (req && pki_subject_check(X509_REQ_get_subject_name(req), cn, sizeof(cn), &why) == 0) {
		check_cn(cn);
		check_index_round_trip(X509_REQ_get_subject_name(req), cn);
	} else if (req) {
		CHECK(cn[0] == '\0' && why && *why);
	}
	ERR_clear_error();
	X509_REQ_free(req);
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	X509_REQ *req = (X509_REQ *)1, *again = NULL;
	char cn[PKI_CN_SIZE], cn2[PKI_CN_SIZE], *pem = NULL;
	const char *why = NULL;
	size_t len;

	if (pki_csr_parse(data, size, &req, cn, sizeof(cn), &why) < 0) {
		CHECK(req == NULL && why && *why);
		CHECK(ERR_peek_error() == 0);
		check_unsigned_subject(data, size);
		return;
	}
	CHECK(req != NULL);
	check_cn(cn);
	check_index_round_trip(X509_REQ_get_subject_name(req), cn);
	if (csr_to_pem(req, &pem, &len) == 0) {
		CHECK(pki_csr_parse((const uint8_t *)pem, len, &again, cn2, sizeof(cn2), &why) ==
		      0);
		CHECK(strcmp(cn, cn2) == 0);
	}
	ERR_clear_error();
	X509_REQ_free(again);
	X509_REQ_free(req);
	free(pem);
}

static void fuzz_certificate(const uint8_t *data, size_t size)
{
	X509 *cert = (X509 *)1;
	const char *why = NULL;
	char cn[PKI_CN_SIZE], *hex;
	BIO *out;

	if (pki_cert_parse(data, size, &cert, &why) < 0) {
		CHECK(cert == NULL && why && *why);
		CHECK(ERR_peek_error() == 0);
		return;
	}
	CHECK(cert != NULL);
	CHECK(cert_profile_name(cert_profile_of(cert)) != NULL);
	hex = cert_serial_hex(cert);
	OPENSSL_free(hex);
	out = BIO_new(BIO_s_null());
	if (out)
		(void)pki_cert_print(out, cert);
	BIO_free(out);
	if (pki_subject_check(X509_get_subject_name(cert), cn, sizeof(cn), &why) == 0) {
		check_cn(cn);
		check_index_round_trip(X509_get_subject_name(cert), cn);
	} else {
		CHECK(cn[0] == '\0' && why && *why);
	}
	ERR_clear_error();
	X509_free(cert);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_request(data, size);
	fuzz_certificate(data, size);
	return 0;
}
