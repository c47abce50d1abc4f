/* cert: profiles, CSRs and signing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "certparse.h"
#include "fsutil.h"
#include "keys.h"
#include "msg.h"

int cn_validate(const char *cn, bool leaf, const char **why)
{
	size_t n = strlen(cn), i;
	static const char *const reserved[] = { "ca", "crl", "index", "serial", "vars" };

	if (n == 0 || n > 64) {
		*why = "must be 1 to 64 bytes";
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)cn[i];
		if (c < 0x20 || c == 0x7f || c == '/' || c == ',') {
			*why = "must not contain '/', ',' or control characters";
			return -EINVAL;
		}
	}
	if (cn[0] == '.' || cn[0] == '-') {
		*why = "must not start with '.' or '-'";
		return -EINVAL;
	}
	if (leaf) {
		for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
			if (strcmp(cn, reserved[i]) == 0) {
				*why = "is a reserved file name in KEY_DIR";
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int add_entry(X509_NAME *name, const char *field, const char *value)
{
	if (!value || !*value)
		return 0;
	if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, (const unsigned char *)value,
	                                -1, -1, 0))
		return ossl_fail("subject field %s=%s", field, value);
	return 0;
}

X509_NAME *subject_from_vars(const struct pki_vars *v, const char *cn)
{
	X509_NAME *name = X509_NAME_new();

	if (!name) {
		ossl_fail("subject");
		return NULL;
	}
	/* easy-rsa 2.0's order: C, ST, L, O, OU, CN, name, emailAddress. */
	if (add_entry(name, "C", v->country) < 0 || add_entry(name, "ST", v->province) < 0 ||
	    add_entry(name, "L", v->city) < 0 || add_entry(name, "O", v->org) < 0 ||
	    add_entry(name, "OU", v->ou) < 0 || add_entry(name, "CN", cn) < 0 ||
	    add_entry(name, "name", v->name) < 0 || add_entry(name, "emailAddress", v->email) < 0) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

X509_REQ *csr_build(EVP_PKEY *key, const X509_NAME *subject)
{
	X509_REQ *req = X509_REQ_new();

	if (!req || !X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_subject_name(req, subject) || !X509_REQ_set_pubkey(req, key) ||
	    X509_REQ_sign(req, key, key_sign_md(key)) <= 0) {
		ossl_fail("building certificate request");
		X509_REQ_free(req);
		return NULL;
	}
	return req;
}

BIGNUM *serial_random(void)
{
	unsigned char b[16];
	BIGNUM *bn;

	if (RAND_bytes(b, sizeof(b)) != 1) {
		ossl_fail("random serial");
		return NULL;
	}
	b[0] &= 0x7f;
	if (b[0] == 0)
		b[0] = 0x01;
	bn = BN_bin2bn(b, sizeof(b), NULL);
	if (!bn)
		ossl_fail("random serial");
	return bn;
}

static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok;

	if (!ext)
		return ossl_fail("extension %s=%s", OBJ_nid2sn(nid), value);
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : ossl_fail("adding extension %s", OBJ_nid2sn(nid));
}

/* subjectAltName built as typed values (no string mini-language, no injection). */
static int add_san(X509 *cert, const char *name)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	GENERAL_NAME *gen = NULL;
	ASN1_OCTET_STRING *ip = a2i_IPADDRESS(name);
	int ret = 0;

	if (!gens)
		return ossl_fail("subjectAltName");
	if (ip) {
		gen = GENERAL_NAME_new();
		if (gen)
			GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
		else
			ASN1_OCTET_STRING_free(ip);
	} else {
		ASN1_IA5STRING *dns = ASN1_IA5STRING_new();
		ERR_clear_error();
		if (dns && ASN1_STRING_set(dns, name, -1)) {
			gen = GENERAL_NAME_new();
			if (gen)
				GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
		}
		if (!gen)
			ASN1_IA5STRING_free(dns);
	}
	if (!gen || !sk_GENERAL_NAME_push(gens, gen)) {
		GENERAL_NAME_free(gen);
		ret = ossl_fail("subjectAltName");
		goto out;
	}
	if (!X509_add1_ext_i2d(cert, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT))
		ret = ossl_fail("subjectAltName");
out:
	GENERAL_NAMES_free(gens);
	return ret;
}

static int add_profile(X509 *cert, X509 *issuer, const struct issue_params *p)
{
	X509V3_CTX ctx;
	bool rsa = EVP_PKEY_is_a(p->pubkey, "RSA");
	const char *ku =
	    rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature";
	int ret;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509V3_set_ctx_nodb(&ctx);
	if (p->profile == PROFILE_CA) {
		if ((ret = add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:TRUE")) < 0 ||
		    (ret = add_ext(cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign")) < 0)
			return ret;
	} else {
		if ((ret = add_ext(cert, &ctx, NID_basic_constraints, "CA:FALSE")) < 0 ||
		    (ret = add_ext(cert, &ctx, NID_key_usage, ku)) < 0)
			return ret;
		if (p->profile == PROFILE_SERVER) {
			if ((ret = add_ext(cert, &ctx, NID_ext_key_usage, "serverAuth")) < 0 ||
			    (ret = add_ext(cert, &ctx, NID_netscape_cert_type, "server")) < 0 ||
			    (ret = add_san(cert, p->san_name)) < 0)
				return ret;
		} else {
			if ((ret = add_ext(cert, &ctx, NID_ext_key_usage, "clientAuth")) < 0 ||
			    (ret = add_ext(cert, &ctx, NID_netscape_cert_type, "client")) < 0)
				return ret;
		}
	}
	/* SKI before AKI: for the self-signed CA the AKI is computed from its own SKI. */
	if ((ret = add_ext(cert, &ctx, NID_subject_key_identifier, "hash")) < 0)
		return ret;
	return add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always");
}

X509 *cert_issue(const struct issue_params *p)
{
	X509 *cert = X509_new();
	X509 *issuer;
	ASN1_INTEGER *serial = NULL;
	long back = (long)p->backdate_days * 86400;

	if (!cert)
		goto fail_ossl;
	issuer = p->issuer ? p->issuer : cert;
	serial = BN_to_ASN1_INTEGER(p->serial, NULL);
	if (!serial || !X509_set_version(cert, X509_VERSION_3) ||
	    !X509_set_serialNumber(cert, serial) || !X509_set_subject_name(cert, p->subject) ||
	    !X509_set_issuer_name(cert,
	                          p->issuer ? X509_get_subject_name(p->issuer) : p->subject) ||
	    !X509_set_pubkey(cert, p->pubkey) ||
	    !X509_gmtime_adj(X509_getm_notBefore(cert), -back) ||
	    !X509_time_adj_ex(X509_getm_notAfter(cert), p->days, -back, NULL))
		goto fail_ossl;
	if (p->issuer &&
	    ASN1_TIME_compare(X509_get0_notAfter(cert), X509_get0_notAfter(p->issuer)) > 0) {
		int days = 0, secs = 0;

		/* Said only when it costs a day or more (an intermediate CA made with the same
		 * KEY_EXPIRE as its leaves ends seconds before them). */
		if (ASN1_TIME_diff(&days, &secs, X509_get0_notAfter(p->issuer),
		                   X509_get0_notAfter(cert)) &&
		    days > 0)
			pki_warn("validity capped at the CA's expiry date (%d days less)", days);
		if (!X509_set1_notAfter(cert, X509_get0_notAfter(p->issuer)))
			goto fail_ossl;
	}
	if (add_profile(cert, issuer, p) < 0)
		goto fail;
	if (X509_sign(cert, p->issuer_key, key_sign_md(p->issuer_key)) <= 0)
		goto fail_ossl;
	ASN1_INTEGER_free(serial);
	return cert;
fail_ossl:
	ossl_fail("signing certificate");
fail:
	ASN1_INTEGER_free(serial);
	X509_free(cert);
	return NULL;
}

enum cert_profile cert_profile_of(X509 *cert)
{
	uint32_t xku;

	if (X509_check_ca(cert) > 0 && (X509_get_extension_flags(cert) & EXFLAG_CA))
		return PROFILE_CA;
	xku = X509_get_extended_key_usage(cert);
	if (!(X509_get_extension_flags(cert) & EXFLAG_XKUSAGE))
		return PROFILE_UNKNOWN;
	if (xku & XKU_SSL_SERVER)
		return PROFILE_SERVER;
	if (xku & XKU_SSL_CLIENT)
		return PROFILE_CLIENT;
	return PROFILE_UNKNOWN;
}

const char *cert_profile_name(enum cert_profile p)
{
	switch (p) {
	case PROFILE_CA:
		return "ca";
	case PROFILE_SERVER:
		return "server";
	case PROFILE_CLIENT:
		return "client";
	default:
		return "unknown";
	}
}

char *cert_serial_hex(X509 *cert)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	BN_free(bn);
	return hex;
}

X509 *cert_load(const char *path)
{
	char *text = NULL;
	const char *why;
	X509 *cert = NULL;
	size_t len;

	if (fs_read_file(path, false, &text, &len) < 0)
		return NULL;
	if (pki_cert_parse((const uint8_t *)text, len, &cert, &why) < 0)
		pki_err("%s: %s", path, why);
	free(text);
	return cert;
}

STACK_OF(X509) * cert_load_bundle(const char *path)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	char *text = NULL;
	BIO *bio = NULL;

	if (!certs || fs_read_file(path, false, &text, NULL) < 0)
		goto fail;
	if (!(bio = BIO_new_mem_buf(text, -1))) {
		ossl_fail("%s", path);
		goto fail;
	}
	for (X509 *x; (x = PEM_read_bio_X509(bio, NULL, NULL, NULL));)
		if (!sk_X509_push(certs, x)) {
			X509_free(x);
			ossl_fail("%s", path);
			goto fail;
		}
	ERR_clear_error();
	if (sk_X509_num(certs) == 0) {
		pki_err("%s: no PEM certificate in it", path);
		goto fail;
	}
	BIO_free(bio);
	free(text);
	return certs;
fail:
	BIO_free(bio);
	free(text);
	sk_X509_pop_free(certs, X509_free);
	return NULL;
}

X509_REQ *csr_load(const char *path, char *cn, size_t size)
{
	char *text = NULL;
	const char *why;
	X509_REQ *req = NULL;
	size_t len;

	if (fs_read_file(path, false, &text, &len) < 0)
		return NULL;
	if (pki_csr_parse((const uint8_t *)text, len, &req, cn, size, &why) < 0)
		pki_err("%s: %s", path, why);
	free(text);
	return req;
}

int cert_to_pem(X509 *cert, char **pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int ret;

	if (!bio || !PEM_write_bio_X509(bio, cert))
		ret = ossl_fail("encoding certificate");
	else
		ret = bio_to_buf(bio, pem, len);
	BIO_free(bio);
	return ret;
}

int csr_to_pem(X509_REQ *req, char **pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int ret;

	if (!bio || !PEM_write_bio_X509_REQ(bio, req))
		ret = ossl_fail("encoding certificate request");
	else
		ret = bio_to_buf(bio, pem, len);
	BIO_free(bio);
	return ret;
}
