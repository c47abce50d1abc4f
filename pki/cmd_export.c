/* cmd_export: export (client bundle with inline PEM blocks) and build-dh. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "commands.h"
#include "keys.h"
#include "msg.h"

/* HOST[:PORT] with a hostname/IPv4 host, or [IPv6]:PORT. Only characters that cannot break
 * the config syntax are accepted. */
static int parse_remote(const char *arg, char *host, size_t hsize, unsigned *port)
{
	const char *colon, *h = arg, *hend;
	char *end;
	size_t n;

	*port = 1194;
	if (*arg == '[') {
		h = arg + 1;
		hend = strchr(h, ']');
		if (!hend)
			return -EINVAL;
		colon = hend[1] == ':' ? hend + 1 : NULL;
		if (hend[1] && !colon)
			return -EINVAL;
	} else {
		colon = strrchr(arg, ':');
		if (colon && strchr(arg, ':') != colon)
			return -EINVAL;
		hend = colon ? colon : arg + strlen(arg);
	}
	n = (size_t)(hend - h);
	if (n == 0 || n >= hsize)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && !strchr(".-_:", h[i]))
			return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	if (colon) {
		long p = strtol(colon + 1, &end, 10);
		if (*end || end == colon + 1 || p < 1 || p > 65535)
			return -EINVAL;
		*port = (unsigned)p;
	}
	return 0;
}

int cmd_export(struct pki_ctx *ctx, int argc, char **argv)
{
	const char *remote = NULL, *out_arg = NULL;
	const struct cmd_opt opts[] = { { "remote", &remote, NULL },
		                        { "out", &out_arg, NULL },
		                        { NULL, NULL, NULL } };
	struct fs_txn txn = { 0 };
	char *pos[1], host[256], *out_path = NULL, *ca_pem = NULL, *crt_path = NULL;
	char *key_path = NULL, *crt_pem = NULL, *key_pem = NULL, *ca_path = NULL, *conf = NULL;
	X509 *cert = NULL;
	unsigned port = 1194;
	int n, ret = EXIT_ERR;

	n = cmd_parse(argc, argv, opts, pos, 1);
	if (n != 1)
		return EXIT_USAGE;
	if (remote && parse_remote(remote, host, sizeof(host), &port) < 0) {
		pki_err("export: --remote %s: want HOST[:PORT]", remote);
		return EXIT_USAGE;
	}
	out_path = out_arg ? strdup(out_arg) : ctx_path(ctx, pos[0], ".conf");
	ca_path = ca_bundle_path(ctx);
	crt_path = ctx_path(ctx, pos[0], ".crt");
	key_path = ctx_path(ctx, pos[0], ".key");
	if (!out_path || !ca_path || !crt_path || !key_path)
		goto out;
	if (!(cert = cert_load(crt_path)))
		goto out;
	if (cert_profile_of(cert) != PROFILE_CLIENT) {
		pki_err("%s: not a client certificate", crt_path);
		goto out;
	}
	if (fs_read_file(ca_path, false, &ca_pem, NULL) < 0 ||
	    fs_read_file(crt_path, false, &crt_pem, NULL) < 0 ||
	    fs_read_file(key_path, false, &key_pem, NULL) < 0)
		goto out;
	if (asprintf(&conf,
	             "# l2vpn client configuration for %s, written by l2vpn-ca export\n"
	             "client\ndev tap\nproto tcp-client\n%s%s %s %u\n"
	             "remote-cert-tls server\npersist-key\npersist-tun\n"
	             "<ca>\n%s</ca>\n<cert>\n%s</cert>\n<key>\n%s</key>\n",
	             pos[0], remote ? "" : "# set the server: ", "remote",
	             remote ? host : "vpn.example.com", port, ca_pem, crt_pem, key_pem) < 0) {
		conf = NULL;
		pki_err("out of memory");
		goto out;
	}
	if (fs_txn_add(&txn, out_path, conf, strlen(conf), 0600, !ctx->force) < 0 ||
	    fs_txn_commit(&txn) < 0)
		goto out;
	printf("%s: client configuration (0600)\n", out_path);
	if (!remote)
		pki_warn("%s: no --remote given: set the server on its remote line before use",
		         out_path);
	if (strstr(key_pem, "ENCRYPTED"))
		pki_warn("%s: the key is passphrase-protected: the daemon asks for it on its "
		         "terminal at start",
		         out_path);
	ret = EXIT_OK;
out:
	fs_txn_abort(&txn);
	if (key_pem)
		OPENSSL_cleanse(key_pem, strlen(key_pem));
	if (conf)
		OPENSSL_cleanse(conf, strlen(conf));
	X509_free(cert);
	free(out_path);
	free(ca_path);
	free(crt_path);
	free(key_path);
	free(ca_pem);
	free(crt_pem);
	free(key_pem);
	free(conf);
	return ret;
}

int cmd_build_dh(struct pki_ctx *ctx, int argc, char **argv)
{
	struct fs_txn txn = { 0 };
	char *pos[1], group[16], name[16], *path = NULL, *pem = NULL, *end;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *params = NULL;
	OSSL_PARAM p[2];
	BIO *bio = NULL;
	long bits = ctx->vars.algo == KEY_ALGO_RSA ? ctx->vars.key_size : 2048;
	size_t len;
	int n = cmd_parse(argc, argv, NULL, pos, 1), ret = EXIT_ERR;

	if (n < 0)
		return EXIT_USAGE;
	if (n == 1) {
		bits = strtol(pos[0], &end, 10);
		if (*end || end == pos[0])
			return EXIT_USAGE;
	}
	if (bits != 2048 && bits != 3072 && bits != 4096 && bits != 6144 && bits != 8192) {
		pki_err("build-dh: %ld bits: RFC 7919 groups exist for 2048, 3072, 4096, 6144 and "
		        "8192",
		        bits);
		return EXIT_ERR;
	}
	snprintf(group, sizeof(group), "ffdhe%ld", bits);
	snprintf(name, sizeof(name), "dh%ld", bits);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	p[1] = OSSL_PARAM_construct_end();
	if (!(path = ctx_path(ctx, name, ".pem")))
		goto out;
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (!pctx || EVP_PKEY_paramgen_init(pctx) <= 0 || EVP_PKEY_CTX_set_params(pctx, p) <= 0 ||
	    EVP_PKEY_generate(pctx, &params) <= 0 || !(bio = BIO_new(BIO_s_mem())) ||
	    !PEM_write_bio_Parameters(bio, params)) {
		ossl_fail("%s: DH parameters %s", path, group);
		goto out;
	}
	if (bio_to_buf(bio, &pem, &len) < 0 || fs_txn_add(&txn, path, pem, len, 0644, false) < 0 ||
	    fs_txn_commit(&txn) < 0)
		goto out;
	printf("%s.pem: DH parameters (RFC 7919 %s)\n", name, group);
	ret = EXIT_OK;
out:
	fs_txn_abort(&txn);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(params);
	BIO_free(bio);
	free(path);
	free(pem);
	return ret;
}
