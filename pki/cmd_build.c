/* cmd_build: build-ca, build-key-server, build-key, build-key-pass, build-key-pkcs12,
 * build-req, sign-req. Everything is computed in memory, staged, and published at once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pkcs12.h>

#include "certparse.h"
#include "commands.h"
#include "keys.h"
#include "msg.h"
#include "pass.h"
#include "prompt.h"

enum build_flags {
	BUILD_ENCRYPT = 1 << 0, /* passphrase-protected key */
	BUILD_PKCS12 = 1 << 1,  /* also NAME.p12 */
	BUILD_NO_SIGN = 1 << 2, /* key + CSR only */
};

static int check_name(const char *name)
{
	const char *why;

	if (cn_validate(name, true, &why) < 0) {
		pki_err("name \"%s\": %s", name, why);
		return -EINVAL;
	}
	return 0;
}

/* Fail early (before slow keygen) when PATH exists: keys are never overwritten. */
static int refuse_existing(const char *path)
{
	if (!fs_exists(path))
		return 0;
	pki_err("%s: exists, refusing to overwrite a key", path);
	return -EEXIST;
}

/* Stage KEY as PATH (0600, exclusive), encrypted with PASS when non-empty. */
static int stage_key(struct fs_txn *txn, const char *path, EVP_PKEY *key, const char *pass)
{
	char *pem = NULL;
	size_t len;
	int ret = key_to_pem(key, pass, &pem, &len);

	if (ret == 0)
		ret = fs_txn_add(txn, path, pem, len, 0600, true);
	if (pem)
		OPENSSL_cleanse(pem, len);
	free(pem);
	return ret;
}

/* NAME.p12: the key, its certificate and the CA chain the sites trust (ca_bundle_path). */
static int stage_pkcs12(const struct pki_ctx *ctx, struct fs_txn *txn, const char *name,
                        EVP_PKEY *key, X509 *cert)
{
	char pass[PASS_MAX], *path = ctx_path(ctx, name, ".p12"), *bundle = ca_bundle_path(ctx);
	STACK_OF(X509) *chain = bundle ? cert_load_bundle(bundle) : NULL;
	PKCS12 *p12 = NULL;
	BIO *bio = NULL;
	char *der = NULL;
	size_t len;
	int ret = -EIO;

	pass[0] = '\0';
	if (!path || !chain)
		goto out;
	if ((ctx->passout || ctx->interactive) &&
	    (ret = pass_read(ctx->passout, ctx->interactive, "Enter export password", true, pass,
	                     sizeof(pass))) < 0)
		goto out;
	/* 3DES + SHA-1 MAC: readable by OpenSSL 3 without the legacy provider and by old
	 * importers that do not know PBES2/AES. */
	if (!(p12 = PKCS12_create(
	          pass, name, key, cert, chain, NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
	          NID_pbe_WithSHA1And3_Key_TripleDES_CBC, PKCS12_DEFAULT_ITER, -1, 0)) ||
	    !PKCS12_set_mac(p12, pass, -1, NULL, 0, PKCS12_DEFAULT_ITER, EVP_sha1()) ||
	    !(bio = BIO_new(BIO_s_mem())) || !i2d_PKCS12_bio(bio, p12)) {
		ret = ossl_fail("%s: building PKCS#12", path);
		goto out;
	}
	if ((ret = bio_to_buf(bio, &der, &len)) < 0)
		goto out;
	ret = fs_txn_add(txn, path, der, len, 0600, true);
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	sk_X509_pop_free(chain, X509_free);
	PKCS12_free(p12);
	BIO_free(bio);
	free(der);
	free(path);
	free(bundle);
	return ret;
}

static int print_issued(const char *name, X509 *cert)
{
	char *hex = cert_serial_hex(cert);
	BIO *out = BIO_new_fp(stdout, BIO_NOCLOSE);

	printf("%s.crt: %s certificate, serial %s, valid until ", name,
	       cert_profile_name(cert_profile_of(cert)), hex ? hex : "?");
	fflush(stdout);
	if (out) {
		ASN1_TIME_print(out, X509_get0_notAfter(cert));
		BIO_puts(out, "\n");
	}
	BIO_free(out);
	OPENSSL_free(hex);
	return 0;
}

/* build-key-server / build-key / build-key-pass / build-key-pkcs12 / build-req. */
static int build_leaf(struct pki_ctx *ctx, const char *name, enum cert_profile profile,
                      unsigned flags)
{
	struct fs_txn txn = { 0 };
	struct db db = { 0 };
	char *key_path = NULL, *csr_path = NULL, *cn = NULL, *pem = NULL, pass[PASS_MAX];
	X509 *ca = NULL, *cert = NULL;
	EVP_PKEY *cakey = NULL, *key = NULL;
	X509_NAME *subject = NULL;
	X509_REQ *req = NULL;
	const char *why;
	size_t len;
	int ret = EXIT_ERR;

	pass[0] = '\0';
	if (check_name(name) < 0)
		return EXIT_ERR;
	key_path = ctx_path(ctx, name, ".key");
	csr_path = ctx_path(ctx, name, ".csr");
	if (!key_path || !csr_path || refuse_existing(key_path) < 0)
		goto out;
	if (!(flags & BUILD_NO_SIGN) && (ca_load(ctx, &ca, &cakey) < 0 || ca_load_db(ctx, &db) < 0))
		goto out;
	if (prompt_subject(ctx->interactive, &ctx->vars, *ctx->vars.cn ? ctx->vars.cn : name, &cn) <
	    0)
		goto out;
	/* A CN typed at the prompt or from KEY_CN: refuse it before the slow key generation. */
	if (cn_validate(cn, false, &why) < 0) {
		pki_err("CN \"%s\": %s", cn, why);
		goto out;
	}
	if ((flags & BUILD_ENCRYPT) &&
	    pass_read(ctx->passout, ctx->interactive, "Enter PEM pass phrase", true, pass,
	              sizeof(pass)) < 0)
		goto out;
	if ((flags & BUILD_ENCRYPT) && strlen(pass) < 4) {
		pki_err("%s: passphrase must have at least 4 characters", key_path);
		goto out;
	}
	if (!(key = key_generate(ctx->vars.algo, ctx->vars.key_size)) ||
	    !(subject = subject_from_vars(&ctx->vars, cn)) || !(req = csr_build(key, subject)))
		goto out;
	if (csr_to_pem(req, &pem, &len) < 0 || stage_key(&txn, key_path, key, pass) < 0 ||
	    fs_txn_add(&txn, csr_path, pem, len, 0644, false) < 0)
		goto out;
	if (!(flags & BUILD_NO_SIGN)) {
		if (ca_issue(ctx, &txn, &db, ca, cakey, name, profile, key, subject, &cert) < 0 ||
		    ca_stage_db(ctx, &txn, &db, cert) < 0)
			goto out;
		if ((flags & BUILD_PKCS12) && stage_pkcs12(ctx, &txn, name, key, cert) < 0)
			goto out;
	}
	if (fs_txn_commit(&txn) < 0)
		goto out;
	if (cert)
		print_issued(name, cert);
	else
		printf("%s.csr: request for CN=%s; sign it on the CA with sign-req %s\n", name, cn,
		       name);
	ret = EXIT_OK;
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	fs_txn_abort(&txn);
	db_free(&db);
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	X509_NAME_free(subject);
	X509_REQ_free(req);
	free(key_path);
	free(csr_path);
	free(cn);
	free(pem);
	return ret;
}

/* NAME plus easy-rsa 3's optional trailing "nopass". */
static int leaf_args(int argc, char **argv, const struct cmd_opt *opts, const char **name)
{
	char *pos[2];
	int n = cmd_parse(argc, argv, opts, pos, 2);

	if (n < 1 || (n == 2 && strcmp(pos[1], "nopass") != 0))
		return -1;
	*name = pos[0];
	return 0;
}

int cmd_build_key_server(struct pki_ctx *ctx, int argc, char **argv)
{
	const char *name;

	if (leaf_args(argc, argv, NULL, &name) < 0)
		return EXIT_USAGE;
	return build_leaf(ctx, name, PROFILE_SERVER, 0);
}

int cmd_build_key(struct pki_ctx *ctx, int argc, char **argv)
{
	const char *name;

	if (leaf_args(argc, argv, NULL, &name) < 0)
		return EXIT_USAGE;
	return build_leaf(ctx, name, PROFILE_CLIENT, 0);
}

int cmd_build_key_pass(struct pki_ctx *ctx, int argc, char **argv)
{
	char *pos[1];

	if (cmd_parse(argc, argv, NULL, pos, 1) != 1)
		return EXIT_USAGE;
	return build_leaf(ctx, pos[0], PROFILE_CLIENT, BUILD_ENCRYPT);
}

int cmd_build_key_pkcs12(struct pki_ctx *ctx, int argc, char **argv)
{
	char *pos[1];

	if (cmd_parse(argc, argv, NULL, pos, 1) != 1)
		return EXIT_USAGE;
	return build_leaf(ctx, pos[0], PROFILE_CLIENT, BUILD_PKCS12);
}

int cmd_build_req(struct pki_ctx *ctx, int argc, char **argv)
{
	bool pass = false;
	const struct cmd_opt opts[] = { { "pass", NULL, &pass }, { NULL, NULL, NULL } };
	const char *name;

	if (leaf_args(argc, argv, opts, &name) < 0)
		return EXIT_USAGE;
	return build_leaf(ctx, name, PROFILE_CLIENT, BUILD_NO_SIGN | (pass ? BUILD_ENCRYPT : 0));
}

/* build-inter [--pass] NAME: an intermediate CA (the CA profile: CA:TRUE, keyCertSign and
 * cRLSign) signed by this CA, as easy-rsa 2.0's build-inter. Its key is encrypted with --pass
 * or --passout, as build-ca's. */
int cmd_build_inter(struct pki_ctx *ctx, int argc, char **argv)
{
	bool pass = false;
	const struct cmd_opt opts[] = { { "pass", NULL, &pass }, { NULL, NULL, NULL } };
	const char *name;

	if (leaf_args(argc, argv, opts, &name) < 0)
		return EXIT_USAGE;
	return build_leaf(ctx, name, PROFILE_CA, pass || ctx->passout ? BUILD_ENCRYPT : 0);
}

/* build-req-pass NAME: easy-rsa 2.0's name for build-req --pass. */
int cmd_build_req_pass(struct pki_ctx *ctx, int argc, char **argv)
{
	char *pos[1];

	if (cmd_parse(argc, argv, NULL, pos, 1) != 1)
		return EXIT_USAGE;
	return build_leaf(ctx, pos[0], PROFILE_CLIENT, BUILD_NO_SIGN | BUILD_ENCRYPT);
}

int cmd_build_ca(struct pki_ctx *ctx, int argc, char **argv)
{
	bool encrypt = false;
	const struct cmd_opt opts[] = { { "pass", NULL, &encrypt }, { NULL, NULL, NULL } };
	struct fs_txn txn = { 0 };
	char *pos[2], *key_path = NULL, *crt_path = NULL, *cn = NULL, *pem = NULL;
	char pass[PASS_MAX], def_cn[128];
	EVP_PKEY *key = NULL;
	X509_NAME *subject = NULL;
	X509 *cert = NULL;
	BIGNUM *serial = NULL;
	size_t len;
	int n = cmd_parse(argc, argv, opts, pos, 2), ret = EXIT_ERR;
	const char *why;

	pass[0] = '\0';
	if (n < 0 || (n == 2 && strcmp(pos[1], "nopass") != 0))
		return EXIT_USAGE;
	if (n >= 1)
		snprintf(def_cn, sizeof(def_cn), "%s", pos[0]);
	else if (*ctx->vars.cn)
		snprintf(def_cn, sizeof(def_cn), "%s", ctx->vars.cn);
	else
		snprintf(def_cn, sizeof(def_cn), "%s CA", *ctx->vars.org ? ctx->vars.org : "l2vpn");
	key_path = ctx_path(ctx, "ca", ".key");
	crt_path = ctx_path(ctx, "ca", ".crt");
	if (!key_path || !crt_path || refuse_existing(key_path) < 0)
		goto out;
	if (prompt_subject(ctx->interactive, &ctx->vars, def_cn, &cn) < 0)
		goto out;
	if (cn_validate(cn, false, &why) < 0) {
		pki_err("CN \"%s\": %s", cn, why);
		goto out;
	}
	if ((encrypt || ctx->passout) &&
	    pass_read(ctx->passout, ctx->interactive, "Enter CA key pass phrase", true, pass,
	              sizeof(pass)) < 0)
		goto out;
	if ((encrypt || ctx->passout) && strlen(pass) < 4) {
		pki_err("%s: passphrase must have at least 4 characters", key_path);
		goto out;
	}
	if (!(key = key_generate(ctx->vars.algo, ctx->vars.key_size)) ||
	    !(subject = subject_from_vars(&ctx->vars, cn)) || !(serial = serial_random()))
		goto out;
	{
		struct issue_params p = {
			.profile = PROFILE_CA,
			.subject = subject,
			.pubkey = key,
			.issuer_key = key,
			.serial = serial,
			.days = ctx->vars.ca_expire,
			.backdate_days = ctx->backdate_days,
		};
		if (!(cert = cert_issue(&p)))
			goto out;
	}
	if (stage_key(&txn, key_path, key, pass) < 0 || cert_to_pem(cert, &pem, &len) < 0 ||
	    fs_txn_add(&txn, crt_path, pem, len, 0644, true) < 0 || fs_txn_commit(&txn) < 0)
		goto out;
	printf("ca.crt: CA \"%s\" (%s%s)\n", cn, vars_algo_name(ctx->vars.algo),
	       *pass ? ", key encrypted" : ", key not encrypted");
	ret = EXIT_OK;
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	fs_txn_abort(&txn);
	EVP_PKEY_free(key);
	X509_NAME_free(subject);
	X509_free(cert);
	BN_free(serial);
	free(key_path);
	free(crt_path);
	free(cn);
	free(pem);
	return ret;
}

int cmd_sign_req(struct pki_ctx *ctx, int argc, char **argv)
{
	bool server = false;
	const struct cmd_opt opts[] = { { "server", NULL, &server }, { NULL, NULL, NULL } };
	struct fs_txn txn = { 0 };
	struct db db = { 0 };
	char *pos[2], *csr_path = NULL, *name, cn[PKI_CN_SIZE];
	X509_REQ *req = NULL;
	X509 *ca = NULL, *cert = NULL;
	EVP_PKEY *cakey = NULL;
	int n = cmd_parse(argc, argv, opts, pos, 2), ret = EXIT_ERR;

	if (n == 2 && strcmp(pos[0], "server") == 0)
		server = true;
	else if (n == 2 && strcmp(pos[0], "client") != 0)
		return EXIT_USAGE;
	if (n < 1)
		return EXIT_USAGE;
	name = pos[n - 1];
	if (check_name(name) < 0)
		return EXIT_ERR;
	/* The request's signature, key and subject are checked before anything else. */
	if (!(csr_path = ctx_path(ctx, name, ".csr")) ||
	    !(req = csr_load(csr_path, cn, sizeof(cn))))
		goto out;
	if (ca_load(ctx, &ca, &cakey) < 0 || ca_load_db(ctx, &db) < 0)
		goto out;
	if (ctx->interactive) {
		char *subj = X509_NAME_oneline(X509_REQ_get_subject_name(req), NULL, 0);
		fprintf(stderr,
		        "Subject: %s\nProfile: %s (extensions of the request are ignored)\n",
		        subj ? subj : "?", server ? "server" : "client");
		OPENSSL_free(subj);
		if (!prompt_yes(true, "Sign the certificate?")) {
			pki_err("%s: not signed", csr_path);
			goto out;
		}
	}
	if (ca_issue(ctx, &txn, &db, ca, cakey, name, server ? PROFILE_SERVER : PROFILE_CLIENT,
	             X509_REQ_get0_pubkey(req), X509_REQ_get_subject_name(req), &cert) < 0 ||
	    ca_stage_db(ctx, &txn, &db, cert) < 0 || fs_txn_commit(&txn) < 0)
		goto out;
	print_issued(name, cert);
	ret = EXIT_OK;
out:
	fs_txn_abort(&txn);
	db_free(&db);
	X509_REQ_free(req);
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(cakey);
	free(csr_path);
	return ret;
}
