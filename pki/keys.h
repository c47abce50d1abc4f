/* keys: private key generation, PEM encoding (optionally encrypted) and loading. */
#ifndef L2VPN_PKI_KEYS_H
#define L2VPN_PKI_KEYS_H

#include <stddef.h>

#include <openssl/evp.h>

#include "vars.h"

/* Generate a key of ALGO (EC = P-256; RSA of BITS; Ed25519). NULL after reporting. */
EVP_PKEY *key_generate(enum key_algo algo, int bits);

/* Encode KEY as PKCS#8 PEM, encrypted with AES-256-CBC when PASS is non-empty. Returns a
 * malloc'd buffer in *pem / *len, 0 or -errno (reported). */
int key_to_pem(EVP_PKEY *key, const char *pass, char **pem, size_t *len);

/* Load the private key at PATH. When it is encrypted, the passphrase comes from PASS_SPEC
 * (see pass.h), or the terminal when INTERACTIVE. NULL after a one-line report naming PATH
 * (wrong passphrase included). */
EVP_PKEY *key_load(const char *path, const char *pass_spec, bool interactive);

/* The digest to sign with for KEY: SHA-256, or NULL for Ed25519 (which hashes itself). */
const EVP_MD *key_sign_md(EVP_PKEY *key);

/* Copy a memory BIO's contents into a malloc'd NUL-terminated buffer. 0 or -ENOMEM. */
int bio_to_buf(BIO *bio, char **out, size_t *len);

#endif
