/* certparse: certificates and certificate requests read from memory, the checks a request
 * passes before it is signed, and the readable form of a certificate. The parsers are pure
 * (no I/O, no messages, the OpenSSL error queue left empty) so a fuzzer can drive them. */
#ifndef L2VPN_PKI_CERTPARSE_H
#define L2VPN_PKI_CERTPARSE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

/* Largest certificate or request accepted, in bytes. */
#define PKI_PARSE_MAX (64 * 1024)

/* Room for a checked CN: 64 bytes and the NUL. */
#define PKI_CN_SIZE 65

/* Check SUBJECT for signing: every value converts to UTF-8 without NUL, '/' or control
 * characters (C0, DEL, C1); there is exactly one CN; it passes cn_validate() and is printable
 * ASCII; and the subject's index.txt form (X509_NAME_oneline) yields that same CN again, so
 * lookups and the duplicate-CN check see what the certificate says. On success copies the CN
 * into CN (SIZE >= PKI_CN_SIZE) and returns 0; else -EINVAL (-ENOMEM) with *WHY a static
 * reason. */
int pki_subject_check(const X509_NAME *subject, char *cn, size_t size, const char **why);

/* Parse a certificate request from BUF: PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE
 * REQUEST") when it holds a "-----BEGIN" line, else DER with no trailing bytes. Then apply
 * every check sign-req makes: the self-signature verifies, the key is RSA 2048..8192 bits,
 * EC on P-256/P-384/P-521, Ed25519 or Ed448, and the subject passes pki_subject_check().
 * 0 with *REQ (caller frees) and the CN in CN (SIZE >= PKI_CN_SIZE), or -EINVAL/-ENOMEM with
 * *REQ NULL and *WHY a static reason. */
int pki_csr_parse(const uint8_t *buf, size_t len, X509_REQ **req, char *cn, size_t size,
                  const char **why);

/* Parse a certificate from BUF (PEM, first certificate; else DER with no trailing bytes).
 * Only the encoding is checked. 0 with *CERT (caller frees), or -EINVAL/-ENOMEM with *WHY. */
int pki_cert_parse(const uint8_t *buf, size_t len, X509 **cert, const char **why);

/* Print CERT readably on OUT: serial in hex and decimal (OpenVPN logs decimal, index.txt
 * holds hex), profile type, then OpenSSL's text form. 0 or -EIO (the queue is drained by
 * the caller's ossl_fail). */
int pki_cert_print(BIO *out, X509 *cert);

#endif
