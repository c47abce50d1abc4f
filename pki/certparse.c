/* certparse: certificates and requests from memory, the request checks, the readable form. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cert.h"
#include "certparse.h"
#include "db.h"

/* An encrypted PEM block never asks for a passphrase here (no terminal prompt). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static bool looks_pem(const uint8_t *buf, size_t len)
{
	static const char begin[] = "-----BEGIN";

	return memmem(buf, len, begin, sizeof(begin) - 1) != NULL;
}

/* C0 controls, DEL and the C1 controls U+0080..U+009F (C2 80..C2 9F in UTF-8). */
static bool has_control(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return true;
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			return true;
	}
	return false;
}

static bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* Strategy: convert each value to UTF-8 once, refuse what the index cannot hold, keep the
 * single CN; then check that the index form of the whole subject gives back that CN. */
int pki_subject_check(const X509_NAME *subject, char *cn, size_t size, const char **why)
{
	int count = X509_NAME_entry_count(subject), cns = 0, ret = -EINVAL;
	unsigned char *utf8 = NULL;
	char *oneline = NULL, indexed[256];
	const char *cn_why;

	if (size < PKI_CN_SIZE) {
		*why = "CN buffer too small";
		return -EINVAL;
	}
	cn[0] = '\0';
	for (int i = 0; i < count; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(subject, i);
		int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));

		if (n < 0) {
			*why = "a subject field is not a character string";
			goto out;
		}
		if (memchr(utf8, '/', (size_t)n) || has_control(utf8, (size_t)n)) {
			*why = "subject fields must not contain '/' or control characters";
			goto out;
		}
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) == NID_commonName) {
			if (++cns > 1) {
				*why = "the subject has more than one CN";
				goto out;
			}
			if (n == 0 || n >= PKI_CN_SIZE) {
				*why = "the CN must be 1 to 64 bytes";
				goto out;
			}
			memcpy(cn, utf8, (size_t)n);
			cn[n] = '\0';
		}
		OPENSSL_free(utf8);
		utf8 = NULL;
	}
	if (cns == 0) {
		*why = "the subject has no CN";
		goto out;
	}
	if (cn_validate(cn, false, &cn_why) < 0) {
		*why = "the CN must be 1 to 64 bytes without '/', ',' or control characters, "
		       "not starting with '.' or '-'";
		goto out;
	}
	if (!printable_ascii(cn)) {
		*why = "the CN must be printable ASCII (index.txt escapes other bytes)";
		goto out;
	}
	oneline = X509_NAME_oneline(subject, NULL, 0);
	if (!oneline) {
		*why = "out of memory";
		ret = -ENOMEM;
		goto out;
	}
	if (!db_subject_cn(oneline, indexed, sizeof(indexed)) || strcmp(indexed, cn) != 0) {
		*why = "the subject cannot be stored in index.txt unambiguously";
		goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		cn[0] = '\0';
	OPENSSL_free(utf8);
	OPENSSL_free(oneline);
	ERR_clear_error();
	return ret;
}

/* Keys OpenSSL 3 peers accept, of a size that keeps verification cheap. */
static int check_key(EVP_PKEY *key, const char **why)
{
	char group[64];
	size_t glen;

	if (EVP_PKEY_is_a(key, "RSA")) {
		int bits = EVP_PKEY_get_bits(key);
		if (bits < 2048 || bits > 8192) {
			*why = "RSA key size outside 2048..8192 bits";
			return -EINVAL;
		}
		return 0;
	}
	if (EVP_PKEY_is_a(key, "EC")) {
		if (!EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) ||
		    (strcmp(group, "prime256v1") != 0 && strcmp(group, "secp384r1") != 0 &&
		     strcmp(group, "secp521r1") != 0)) {
			*why = "EC key not on a named curve P-256, P-384 or P-521";
			return -EINVAL;
		}
		return 0;
	}
	if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
		return 0;
	*why = "unsupported key type (want RSA, EC, Ed25519 or Ed448)";
	return -EINVAL;
}

/* How to read one kind of object (certificate or request) from PEM or DER. */
struct pem_or_der {
	void *(*from_pem)(BIO *bio);
	void *(*from_der)(const unsigned char **p, long len);
	void (*free_obj)(void *obj);
	const char *trailing; /* the reasons given for refusal */
	const char *unreadable;
};

static void *req_from_pem(BIO *bio)
{
	return PEM_read_bio_X509_REQ(bio, NULL, no_passphrase, NULL);
}

static void *req_from_der(const unsigned char **p, long len)
{
	return d2i_X509_REQ(NULL, p, len);
}

static void req_free(void *obj)
{
	X509_REQ_free(obj);
}

static void *cert_from_pem(BIO *bio)
{
	return PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
}

static void *cert_from_der(const unsigned char **p, long len)
{
	return d2i_X509(NULL, p, len);
}

static void cert_free(void *obj)
{
	X509_free(obj);
}

static const struct pem_or_der request_kind = {
	req_from_pem,
	req_from_der,
	req_free,
	"trailing bytes after the DER certificate request",
	"not a certificate request (PEM or DER)",
};

static const struct pem_or_der certificate_kind = {
	cert_from_pem,
	cert_from_der,
	cert_free,
	"trailing bytes after the DER certificate",
	"not a certificate (PEM or DER)",
};

/* Read one object of KIND from BUF (PEM or DER, nothing after it). 0 with *OBJ, or -errno with
 * *WHY. */
static int parse_pem_or_der(const uint8_t *buf, size_t len, const struct pem_or_der *kind,
                            void **obj, const char **why)
{
	const unsigned char *p = buf;
	BIO *bio = NULL;
	void *o = NULL;
	int ret = -EINVAL;

	*obj = NULL;
	if (len == 0 || len > PKI_PARSE_MAX) {
		*why = "empty or larger than 64 KiB";
		goto out;
	}
	if (looks_pem(buf, len)) {
		bio = BIO_new_mem_buf(buf, (int)len);
		if (!bio) {
			*why = "out of memory";
			ret = -ENOMEM;
			goto out;
		}
		o = kind->from_pem(bio);
	} else {
		o = kind->from_der(&p, (long)len);
		if (o && p != buf + len) {
			*why = kind->trailing;
			goto out;
		}
	}
	if (!o) {
		*why = kind->unreadable;
		goto out;
	}
	ret = 0;
out:
	ERR_clear_error();
	BIO_free(bio);
	if (ret < 0 && o)
		kind->free_obj(o);
	else if (ret == 0)
		*obj = o;
	return ret;
}

int pki_csr_parse(const uint8_t *buf, size_t len, X509_REQ **req, char *cn, size_t size,
                  const char **why)
{
	void *obj;
	X509_REQ *r;
	EVP_PKEY *pub;
	int ret;

	*req = NULL;
	if ((ret = parse_pem_or_der(buf, len, &request_kind, &obj, why)) < 0)
		return ret;
	r = obj;
	ret = -EINVAL;
	pub = X509_REQ_get0_pubkey(r);
	if (!pub) {
		*why = "unreadable public key";
		goto out;
	}
	if ((ret = check_key(pub, why)) < 0)
		goto out;
	if (X509_REQ_verify(r, pub) <= 0) {
		*why = "bad request signature";
		ret = -EINVAL;
		goto out;
	}
	ret = pki_subject_check(X509_REQ_get_subject_name(r), cn, size, why);
out:
	ERR_clear_error();
	if (ret < 0)
		X509_REQ_free(r);
	else
		*req = r;
	return ret;
}

int pki_cert_parse(const uint8_t *buf, size_t len, X509 **cert, const char **why)
{
	void *obj;
	int ret = parse_pem_or_der(buf, len, &certificate_kind, &obj, why);

	*cert = ret < 0 ? NULL : obj;
	return ret;
}

int pki_cert_print(BIO *out, X509 *cert)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *dec = NULL, *hex = NULL;
	int ret = -EIO;

	if (!bn || !(dec = BN_bn2dec(bn)) || !(hex = BN_bn2hex(bn)))
		goto out;
	if (BIO_printf(out, "Serial: %s (hex), %s (decimal)\nType: %s\n", hex, dec,
	               cert_profile_name(cert_profile_of(cert))) < 0 ||
	    !X509_print_ex(out, cert, XN_FLAG_ONELINE, 0))
		goto out;
	ret = 0;
out:
	OPENSSL_free(dec);
	OPENSSL_free(hex);
	BN_free(bn);
	return ret;
}
