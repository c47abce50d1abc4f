/* keys: keygen and key files. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "fsutil.h"
#include "keys.h"
#include "msg.h"
#include "pass.h"

EVP_PKEY *key_generate(enum key_algo algo, int bits)
{
	EVP_PKEY *key = NULL;

	switch (algo) {
	case KEY_ALGO_RSA:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		break;
	case KEY_ALGO_ED25519:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case KEY_ALGO_EC:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	}
	if (!key)
		ossl_fail("generating %s key", vars_algo_name(algo));
	return key;
}

int bio_to_buf(BIO *bio, char **out, size_t *len)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);
	char *copy;

	if (n < 0)
		n = 0;
	copy = malloc((size_t)n + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	*out = copy;
	if (len)
		*len = (size_t)n;
	return 0;
}

int key_to_pem(EVP_PKEY *key, const char *pass, char **pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int ret, ok;
	bool enc = pass && *pass;

	if (!bio)
		return ossl_fail("encoding key");
	ok = PEM_write_bio_PKCS8PrivateKey(bio, key, enc ? EVP_aes_256_cbc() : NULL,
	                                   enc ? pass : NULL, enc ? (int)strlen(pass) : 0, NULL,
	                                   NULL);
	if (!ok) {
		ret = ossl_fail("encoding key");
		goto out;
	}
	ret = bio_to_buf(bio, pem, len);
out:
	BIO_free(bio);
	return ret;
}

struct pass_cb_data {
	const char *spec;
	const char *path;
	bool interactive;
	bool asked;
	int failed;
};

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pass_cb_data *d = u;
	char prompt[512];
	int n;

	(void)rwflag;
	if (d->asked)
		return -1;
	d->asked = true;
	snprintf(prompt, sizeof(prompt), "Enter passphrase for %s: ", d->path);
	n = pass_read(d->spec, d->interactive, prompt, false, buf, (size_t)size);
	if (n < 0) {
		d->failed = n;
		return -1;
	}
	return n;
}

EVP_PKEY *key_load(const char *path, const char *pass_spec, bool interactive)
{
	struct pass_cb_data d = { .spec = pass_spec, .path = path, .interactive = interactive };
	char *text = NULL;
	BIO *bio = NULL;
	EVP_PKEY *key = NULL;

	if (fs_read_file(path, false, &text, NULL) < 0)
		return NULL;
	bio = BIO_new_mem_buf(text, -1);
	if (!bio) {
		ossl_fail("%s: reading key", path);
		goto out;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, &d);
	if (!key && !d.failed) {
		if (d.asked) {
			ERR_clear_error();
			pki_err("%s: cannot decrypt key (wrong passphrase?)", path);
		} else {
			ossl_fail("%s: not a PEM private key", path);
		}
	}
	ERR_clear_error();
out:
	BIO_free(bio);
	if (text)
		OPENSSL_cleanse(text, strlen(text));
	free(text);
	return key;
}

const EVP_MD *key_sign_md(EVP_PKEY *key)
{
	if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
		return NULL;
	return EVP_sha256();
}
