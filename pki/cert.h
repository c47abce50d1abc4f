/* cert: names, the three certificate profiles (ca, server, client), CSR creation and
 * signing. Extensions come only from the profile, never from a CSR. */
#ifndef L2VPN_PKI_CERT_H
#define L2VPN_PKI_CERT_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/bn.h>
#include <openssl/x509.h>

#include "vars.h"

enum cert_profile {
	PROFILE_CA,
	PROFILE_SERVER,
	PROFILE_CLIENT,
	PROFILE_UNKNOWN,
};

/* 0 when CN is acceptable as a certificate CN and file name base: 1..64 bytes, no '/', ',',
 * control characters, not starting with '.' and not "ca"/"crl"/"index" style reserved names
 * when LEAF. Otherwise -EINVAL with *why set to a static reason. Pure. */
int cn_validate(const char *cn, bool leaf, const char **why);

/* A subject from the vars defaults (only non-empty fields) with CN. NULL when reported. */
X509_NAME *subject_from_vars(const struct pki_vars *vars, const char *cn);

/* A signed CSR for KEY and SUBJECT. NULL after reporting. */
X509_REQ *csr_build(EVP_PKEY *key, const X509_NAME *subject);

/* A fresh random serial: 16 CSPRNG bytes, top bit clear, first byte non-zero. NULL when
 * reported. */
BIGNUM *serial_random(void);

struct issue_params {
	enum cert_profile profile;
	const X509_NAME *subject;
	EVP_PKEY *pubkey;     /* the subject's key */
	X509 *issuer;         /* NULL: self-signed (CA) */
	EVP_PKEY *issuer_key; /* signs */
	const BIGNUM *serial;
	int days;             /* validity from now */
	int backdate_days;    /* test-only: shift the whole validity into the past */
	const char *san_name; /* server: DNS or IP subjectAltName */
};

/* Build and sign a certificate per P; the validity is capped at the issuer's notAfter
 * (with a warning). NULL after reporting. */
X509 *cert_issue(const struct issue_params *p);

/* The profile a certificate carries (CA:TRUE -> ca; EKU serverAuth -> server; clientAuth ->
 * client), PROFILE_UNKNOWN otherwise. */
enum cert_profile cert_profile_of(X509 *cert);

/* "ca", "server", "client" or "unknown". */
const char *cert_profile_name(enum cert_profile p);

/* Serial of CERT in upper-case hex (malloc'd; OPENSSL_free it). NULL on error. */
char *cert_serial_hex(X509 *cert);

/* Load a certificate (PEM or DER); NULL after reporting the file. */
X509 *cert_load(const char *path);

/* Every certificate of the PEM bundle at PATH (a CA file with its chain), in file order.
 * NULL after reporting the file (unreadable, or no certificate in it). */
STACK_OF(X509) *cert_load_bundle(const char *path);

/* Load a certificate request and apply pki_csr_parse()'s checks (signature, key, subject);
 * its CN goes to CN (SIZE >= PKI_CN_SIZE). NULL after a one-line report naming the file. */
X509_REQ *csr_load(const char *path, char *cn, size_t size);

/* PEM of a certificate / CSR into a malloc'd buffer. 0 or -errno. */
int cert_to_pem(X509 *cert, char **pem, size_t *len);
int csr_to_pem(X509_REQ *req, char **pem, size_t *len);

#endif
