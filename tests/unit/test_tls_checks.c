// SPDX-License-Identifier: GPL-2.0-or-later
/* The peer-certificate checks remote-cert-eku, remote-cert-ku and verify-x509-name's subject
 * form, on certificates made here
 * with the extensions under test (self-signed, P-256): a match passes, a mismatch is refused
 * with a reason that names the directive. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>

#include "tls.h"

static EVP_PKEY *key;

/* A server certificate (extendedKeyUsage serverAuth plus EKU_EXTRA, if any) with keyUsage KU
 * (OpenSSL's config syntax, e.g. "digitalSignature"; NULL: none), subject C=DE, O=Example
 * Sites, CN=vpn. */
static X509 *make_cert(const char *eku_extra, const char *ku)
{
	static const char *const subject[][2] = { { "C", "DE" },
		                                  { "O", "Example Sites" },
		                                  { "CN", "vpn" } };
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	char eku[128];
	X509_EXTENSION *ext;

	snprintf(eku, sizeof(eku), "serverAuth%s%s", eku_extra ? "," : "",
	         eku_extra ? eku_extra : "");
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	for (size_t i = 0; i < 3; i++)
		X509_NAME_add_entry_by_txt(name, subject[i][0], MBSTRING_ASC,
		                           (const unsigned char *)subject[i][1], -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_NAME_free(name);
	X509_set_pubkey(x, key);
	ext = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage, eku);
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (ku) {
		ext = X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, ku);
		assert_non_null(ext);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	return x;
}

static int setup(void **state)
{
	(void)state;
	key = EVP_EC_gen("P-256");
	return key ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key);
	return 0;
}

static int check(X509 *x, const struct tls_peer_checks *c, char *reason)
{
	reason[0] = '\0';
	return tls_check_peer_cert(x, c, reason, 256);
}

/* remote-cert-eku by OID, short name and long name; a usage the certificate lacks is refused. */
static void test_eku(void **state)
{
	X509 *plain = make_cert(NULL, "digitalSignature");
	X509 *signing = make_cert("codeSigning", "digitalSignature");
	struct tls_peer_checks c = { .want = PURPOSE_SERVER };
	char reason[256];
	(void)state;

	c.eku = "TLS Web Server Authentication";
	assert_int_equal(check(plain, &c, reason), 0);
	c.eku = "serverAuth";
	assert_int_equal(check(plain, &c, reason), 0);
	c.eku = "1.3.6.1.5.5.7.3.1";
	assert_int_equal(check(plain, &c, reason), 0);
	c.eku = "codeSigning";
	assert_int_equal(check(signing, &c, reason), 0);
	assert_int_equal(check(plain, &c, reason), -EACCES);
	assert_string_equal(reason, "remote-cert-eku codeSigning: the peer certificate's "
	                            "extendedKeyUsage does not name it");
	c.eku = "1.3.6.1.5.5.7.3.3"; /* codeSigning by OID */
	assert_int_equal(check(plain, &c, reason), -EACCES);
	X509_free(plain);
	X509_free(signing);
}

/* remote-cert-ku: present at all; then all the bits of one of the values. */
static void test_ku(void **state)
{
	X509 *none = make_cert(NULL, NULL);
	X509 *sig = make_cert(NULL, "digitalSignature");                     /* 80 */
	X509 *sig_enc = make_cert(NULL, "digitalSignature,keyEncipherment"); /* a0 */
	static const uint16_t a0[] = { 0xa0 }, a0_88[] = { 0xa0, 0x88 }, a0_80[] = { 0xa0, 0x80 };
	struct tls_peer_checks c = { .want = PURPOSE_SERVER, .ku = true };
	char reason[256];
	(void)state;

	assert_int_equal(check(none, &c, reason), -EACCES);
	assert_string_equal(reason, "remote-cert-ku: the peer certificate has no keyUsage");
	assert_int_equal(check(sig, &c, reason), 0);

	c.ku_values = a0;
	c.n_ku = 1;
	assert_int_equal(check(sig_enc, &c, reason), 0);
	assert_int_equal(check(sig, &c, reason), -EACCES);
	assert_string_equal(reason,
	                    "remote-cert-ku: the peer certificate's keyUsage (80) holds the "
	                    "bits of none of the values given");
	c.ku_values = a0_88;
	c.n_ku = 2;
	assert_int_equal(check(sig, &c, reason), -EACCES);
	c.ku_values = a0_80;
	assert_int_equal(check(sig, &c, reason), 0);

	c.ku = false; /* not asked: no keyUsage is fine */
	assert_int_equal(check(none, &c, reason), 0);
	X509_free(none);
	X509_free(sig);
	X509_free(sig_enc);
}

/* verify-x509-name ... subject compares OpenVPN's form of the subject, whole. */
static void test_subject(void **state)
{
	X509 *x = make_cert(NULL, "digitalSignature");
	struct tls_peer_checks c = { .want = PURPOSE_SERVER, .verify_match = X509_MATCH_SUBJECT };
	char buf[64], reason[256];
	(void)state;

	assert_int_equal(tls_cert_subject(x, buf, sizeof(buf)), 29);
	assert_string_equal(buf, "C=DE, O=Example Sites, CN=vpn");
	assert_int_equal(tls_cert_subject(x, buf, 29), -1); /* no room for the NUL */
	c.verify_name = "C=DE, O=Example Sites, CN=vpn";
	assert_int_equal(check(x, &c, reason), 0);
	c.verify_name = "/C=DE/O=Example Sites/CN=vpn"; /* OpenSSL's one-line form */
	assert_int_equal(check(x, &c, reason), -EACCES);
	c.verify_name = "C=DE, O=Example Sites";
	assert_int_equal(check(x, &c, reason), -EACCES);
	X509_free(x);
}

/* tls-cipher: OpenVPN's IANA-style names become OpenSSL's; the rest stays as written. */
static void test_cipher_names(void **state)
{
	static const char *const cases[][2] = {
		{ "TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384" },
		{ "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256:TLS-DHE-RSA-WITH-AES-256-GCM-SHA384",
		  "ECDHE-ECDSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384" },
		{ "ECDHE-RSA-AES256-GCM-SHA384:!aNULL", "ECDHE-RSA-AES256-GCM-SHA384:!aNULL" },
		{ "!TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256:HIGH",
		  "!ECDHE-RSA-AES128-GCM-SHA256:HIGH" },
		{ "TLS-NO-SUCH-CIPHER", "TLS-NO-SUCH-CIPHER" },
		{ "DEFAULT:@SECLEVEL=3", "DEFAULT:@SECLEVEL=3" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL;

		assert_int_equal(tls_cipher_list_openssl(cases[i][0], &out), 0);
		assert_string_equal(out, cases[i][1]);
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eku),
		cmocka_unit_test(test_ku),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_cipher_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
