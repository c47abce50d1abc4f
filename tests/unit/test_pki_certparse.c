/* pki certparse: which certificate requests sign-req accepts (encoding, signature, key,
 * subject and CN rules) and the certificate parser and printer. Requests are built in memory
 * with raw string types, so oversize and hostile values reach the parser unfiltered. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "certparse.h"

struct field {
	int nid;  /* 0 ends the list; -1: the dotted OID 1.2.3.4 */
	int type; /* V_ASN1_UTF8STRING, V_ASN1_BMPSTRING, ... */
	const char *bytes;
	int len; /* -1: strlen */
};

static EVP_PKEY *ec_key(const char *curve)
{
	EVP_PKEY *key = EVP_EC_gen(curve);

	assert_non_null(key);
	return key;
}

/* A request for KEY with FIELDS (raw bytes, no length limits), signed by KEY. */
static X509_REQ *make_req(EVP_PKEY *key, const struct field *fields)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	const EVP_MD *md = EVP_PKEY_is_a(key, "ED25519") ? NULL : EVP_sha256();

	assert_non_null(req);
	assert_non_null(name);
	for (const struct field *f = fields; f->nid; f++) {
		const unsigned char *b = (const unsigned char *)f->bytes;
		int len = f->len < 0 ? (int)strlen(f->bytes) : f->len;
		if (f->nid < 0) {
			ASN1_OBJECT *obj = OBJ_txt2obj("1.2.3.4", 1);
			assert_int_equal(
			    X509_NAME_add_entry_by_OBJ(name, obj, f->type, b, len, -1, 0), 1);
			ASN1_OBJECT_free(obj);
		} else {
			assert_int_equal(
			    X509_NAME_add_entry_by_NID(name, f->nid, f->type, b, len, -1, 0), 1);
		}
	}
	assert_int_equal(X509_REQ_set_subject_name(req, name), 1);
	assert_int_equal(X509_REQ_set_pubkey(req, key), 1);
	assert_true(X509_REQ_sign(req, key, md) > 0);
	X509_NAME_free(name);
	return req;
}

static unsigned char *req_der(X509_REQ *req, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_X509_REQ(req, &der);

	assert_true(n > 0);
	*len = (size_t)n;
	return der;
}

/* Parse DER of REQ; returns the result, *why or the CN in CN. */
static int parse_der(const unsigned char *der, size_t len, char *cn, const char **why)
{
	X509_REQ *out = (X509_REQ *)1;
	int ret = pki_csr_parse(der, len, &out, cn, PKI_CN_SIZE, why);

	assert_int_equal(ERR_peek_error(), 0);
	if (ret == 0)
		assert_non_null(out);
	else
		assert_null(out);
	X509_REQ_free(out);
	return ret;
}

static void expect(EVP_PKEY *key, const struct field *fields, const char *cn_or_why, bool ok)
{
	X509_REQ *req = make_req(key, fields);
	size_t len;
	unsigned char *der = req_der(req, &len);
	char cn[PKI_CN_SIZE];
	const char *why = NULL;
	int ret = parse_der(der, len, cn, &why);

	if (ok) {
		if (ret < 0)
			print_error("refused: %s\n", why);
		assert_int_equal(ret, 0);
		assert_string_equal(cn, cn_or_why);
	} else {
		assert_int_equal(ret, -EINVAL);
		assert_non_null(strstr(why, cn_or_why));
	}
	OPENSSL_free(der);
	X509_REQ_free(req);
}

#define U8 V_ASN1_UTF8STRING
#define CN(s)                                                                                      \
	{                                                                                          \
		NID_commonName, U8, s, -1                                                          \
	}
#define END                                                                                        \
	{                                                                                          \
		0, 0, NULL, 0                                                                      \
	}

static void test_subject_rules(void **state)
{
	EVP_PKEY *key = ec_key("P-256");
	char a64[65], a65[66];

	(void)state;
	memset(a64, 'a', 64);
	a64[64] = '\0';
	memset(a65, 'a', 65);
	a65[65] = '\0';
	{
		const struct field f[] = { { NID_countryName, V_ASN1_PRINTABLESTRING, "DE", -1 },
			                   { NID_organizationName, U8, "Example, Inc.", -1 },
			                   CN("vpn.example.com"),
			                   { NID_pkcs9_emailAddress, V_ASN1_IA5STRING, "a@b.c",
			                     -1 },
			                   END };
		expect(key, f, "vpn.example.com", true);
	}
	{
		const struct field f[] = { CN(a64), END };
		expect(key, f, a64, true);
	}
	{
		const struct field f[] = { CN(a65), END };
		expect(key, f, "1 to 64", false);
	}
	{
		const struct field f[] = { CN("a/b"), END };
		expect(key, f, "'/'", false);
	}
	{
		const struct field f[] = { CN("a,b"), END };
		expect(key, f, "','", false);
	}
	{
		const struct field f[] = { CN("a\tb"), END };
		expect(key, f, "control characters", false);
	}
	{
		const struct field f[] = { { NID_commonName, U8, "ok\0/evil", 8 }, END };
		expect(key, f, "control characters", false);
	}
	{
		const struct field f[] = { CN("a\xc2\x85z"), END };
		expect(key, f, "control characters", false);
	}
	{
		const struct field f[] = { CN("caf\xc3\xa9"), END };
		expect(key, f, "printable ASCII", false);
	}
	{
		const struct field f[] = { CN(".hidden"), END };
		expect(key, f, "'.'", false);
	}
	{
		const struct field f[] = { { NID_commonName, U8, "", 0 }, END };
		expect(key, f, "1 to 64", false);
	}
	{
		const struct field f[] = { CN("one"), CN("two"), END };
		expect(key, f, "more than one CN", false);
	}
	{
		const struct field f[] = { { NID_organizationName, U8, "NoCN", -1 }, END };
		expect(key, f, "no CN", false);
	}
	{
		/* Would read as CN=srv in index.txt's "/O=x/CN=srv/CN=evil". */
		const struct field f[] = { { NID_organizationName, U8, "x/CN=srv", -1 },
			                   CN("evil"),
			                   END };
		expect(key, f, "'/'", false);
	}
	{
		/* "/CN=host/1.2.3.4=x": the index CN reader would not stop at the OID. */
		const struct field f[] = { CN("host"), { -1, U8, "x", -1 }, END };
		expect(key, f, "unambiguously", false);
	}
	{
		/* index.txt would hold "/CN=\x00b\x00m..." (X509_NAME_oneline escapes UCS-2). */
		const struct field f[] = {
			{ NID_commonName, V_ASN1_BMPSTRING, "\0b\0m\0p\0u\0s\0e\0r", 14 }, END
		};
		expect(key, f, "unambiguously", false);
	}
	{
		const struct field f[] = {
			{ NID_commonName, V_ASN1_PRINTABLESTRING, "printable", -1 }, END
		};
		expect(key, f, "printable", true);
	}
	{
		const struct field f[] = { { NID_commonName, V_ASN1_BMPSTRING, "\0a\0/\0b", 6 },
			                   END };
		expect(key, f, "'/'", false);
	}
	EVP_PKEY_free(key);
}

static void test_key_rules(void **state)
{
	const struct field f[] = { CN("keyuser"), END };
	EVP_PKEY *key;

	(void)state;
	key = ec_key("P-384");
	expect(key, f, "keyuser", true);
	EVP_PKEY_free(key);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(key);
	expect(key, f, "keyuser", true);
	EVP_PKEY_free(key);
	key = ec_key("secp256k1");
	expect(key, f, "named curve", false);
	EVP_PKEY_free(key);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(key);
	expect(key, f, "RSA key size", false);
	EVP_PKEY_free(key);
}

static void test_encodings(void **state)
{
	const struct field f[] = { CN("enc"), END };
	EVP_PKEY *key = ec_key("P-256");
	X509_REQ *req = make_req(key, f);
	size_t len, pem_len;
	unsigned char *der = req_der(req, &len), *buf;
	char cn[PKI_CN_SIZE], *pem = NULL;
	const char *why;

	(void)state;
	assert_int_equal(parse_der(der, len, cn, &why), 0);
	assert_int_equal(csr_to_pem(req, &pem, &pem_len), 0);
	assert_int_equal(parse_der((unsigned char *)pem, pem_len, cn, &why), 0);
	assert_string_equal(cn, "enc");
	/* Truncated PEM and DER, trailing bytes, empty input, a flipped signature bit. */
	assert_int_equal(parse_der((unsigned char *)pem, pem_len / 2, cn, &why), -EINVAL);
	assert_non_null(strstr(why, "not a certificate request"));
	assert_int_equal(parse_der(der, len - 1, cn, &why), -EINVAL);
	assert_non_null(strstr(why, "not a certificate request"));
	assert_int_equal(parse_der(der, 0, cn, &why), -EINVAL);
	buf = malloc(len + 1);
	assert_non_null(buf);
	memcpy(buf, der, len);
	buf[len] = 0;
	assert_int_equal(parse_der(buf, len + 1, cn, &why), -EINVAL);
	assert_non_null(strstr(why, "trailing"));
	buf[len - 3] ^= 0x01;
	assert_int_equal(parse_der(buf, len, cn, &why), -EINVAL);
	assert_non_null(strstr(why, "signature"));
	free(buf);
	free(pem);
	OPENSSL_free(der);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
}

/* A request for CA:TRUE parses (extensions never reach a certificate: see tests/pki). */
static void test_extensions_ignored_by_parser(void **state)
{
	const struct field f[] = { CN("evil"), END };
	EVP_PKEY *key = ec_key("P-256");
	X509_REQ *req = make_req(key, f);
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *bc =
	    X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
	size_t len;
	unsigned char *der;
	char cn[PKI_CN_SIZE];
	const char *why;

	(void)state;
	assert_non_null(bc);
	assert_true(sk_X509_EXTENSION_push(exts, bc) > 0);
	assert_int_equal(X509_REQ_add_extensions(req, exts), 1);
	assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	der = req_der(req, &len);
	assert_int_equal(parse_der(der, len, cn, &why), 0);
	assert_string_equal(cn, "evil");
	OPENSSL_free(der);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
}

static void test_certificate(void **state)
{
	EVP_PKEY *key = ec_key("P-256");
	X509_NAME *subject = X509_NAME_new();
	BIGNUM *serial = BN_new();
	X509 *cert, *back = (X509 *)1;
	unsigned char *der = NULL;
	const char *why;
	char *pem = NULL, text[8192];
	size_t pem_len;
	BIO *out = BIO_new(BIO_s_mem());
	int n, len;

	(void)state;
	assert_non_null(subject);
	assert_non_null(out);
	assert_int_equal(X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
	                                            (const unsigned char *)"Test CA", -1, -1, 0),
	                 1);
	assert_int_equal(BN_set_word(serial, 0x1234), 1);
	{
		struct issue_params p = {
			.profile = PROFILE_CA,
			.subject = subject,
			.pubkey = key,
			.issuer_key = key,
			.serial = serial,
			.days = 10,
		};
		cert = cert_issue(&p);
	}
	assert_non_null(cert);
	len = i2d_X509(cert, &der);
	assert_true(len > 0);
	assert_int_equal(pki_cert_parse(der, (size_t)len, &back, &why), 0);
	assert_int_equal(X509_cmp(cert, back), 0);
	X509_free(back);
	assert_int_equal(pki_cert_parse(der, (size_t)len - 1, &back, &why), -EINVAL);
	assert_null(back);
	assert_int_equal(ERR_peek_error(), 0);
	assert_int_equal(cert_to_pem(cert, &pem, &pem_len), 0);
	assert_int_equal(pki_cert_parse((unsigned char *)pem, pem_len, &back, &why), 0);
	assert_int_equal(X509_cmp(cert, back), 0);
	assert_int_equal(pki_cert_print(out, back), 0);
	n = BIO_read(out, text, sizeof(text) - 1);
	assert_true(n > 0);
	text[n] = '\0';
	assert_non_null(strstr(text, "Serial: 1234 (hex), 4660 (decimal)\nType: ca\n"));
	assert_non_null(strstr(text, "CN = Test CA"));
	X509_free(back);
	free(pem);
	OPENSSL_free(der);
	BIO_free(out);
	X509_free(cert);
	BN_free(serial);
	X509_NAME_free(subject);
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject_rules),
		cmocka_unit_test(test_key_rules),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_extensions_ignored_by_parser),
		cmocka_unit_test(test_certificate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
