/* cmd_pkitool: easy-rsa 2.0's pkitool, the program its scripts call, mapped onto the verbs.
 * As there, it runs in batch mode (no prompts) unless --interact is given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config-build.h"
#include "msg.h"

static const char pkitool_usage[] =
    "usage: l2vpn-ca [options] pkitool [--interact] [--keysize N] [--pass]\n"
    "           [--initca | --inter | --server | --csr | --sign | --pkcs12] [NAME]\n"
    "  (none)     client key + certificate (build-key)\n"
    "  --initca   the root CA (build-ca; NAME is its CN)\n"
    "  --inter    an intermediate CA (build-inter)\n"
    "  --server   server key + certificate (build-key-server); with --sign: sign as server\n"
    "  --csr      key + request only (build-req)\n"
    "  --sign     sign NAME.csr (sign-req)\n"
    "  --pkcs12   client key + certificate + NAME.p12 (build-key-pkcs12)\n"
    "  --pass     encrypt the new key (build-key-pass, build-req, build-inter, build-ca)\n"
    "  --keysize  RSA key size (KEY_SIZE)\n"
    "  --interact prompt for the subject and passphrases (default: batch)\n"
    "NAME defaults to KEY_CN.\n";

/* The verb's function and argument vector for the chosen pkitool form; a usage error is
 * reported and returns NULL. */
static command_fn pick_form(bool initca, bool inter, bool server, bool csr, bool sign, bool pkcs12,
                            bool pass, const char **args, int *nargs)
{
	int modes = initca + inter + csr + sign + pkcs12;

	*nargs = 0;
	if (modes > 1) {
		pki_err(
		    "pkitool: --initca, --inter, --csr, --sign and --pkcs12 exclude each other");
		return NULL;
	}
	if (server && (initca || inter || pkcs12)) {
		pki_err("pkitool: --server goes with a plain build, --csr or --sign only");
		return NULL;
	}
	if (pass && (sign || pkcs12)) {
		pki_err("pkitool: --pass applies to a new key: a plain build, --csr, --inter or "
		        "--initca (the .p12 export password comes from --passout)");
		return NULL;
	}
	if (initca) {
		args[(*nargs)++] = "build-ca";
		if (pass)
			args[(*nargs)++] = "--pass";
		return cmd_build_ca;
	}
	if (inter) {
		args[(*nargs)++] = "build-inter";
		if (pass)
			args[(*nargs)++] = "--pass";
		return cmd_build_inter;
	}
	if (csr) {
		args[(*nargs)++] = "build-req";
		if (pass)
			args[(*nargs)++] = "--pass";
		return cmd_build_req;
	}
	if (sign) {
		args[(*nargs)++] = "sign-req";
		if (server)
			args[(*nargs)++] = "--server";
		return cmd_sign_req;
	}
	if (pkcs12) {
		args[(*nargs)++] = "build-key-pkcs12";
		return cmd_build_key_pkcs12;
	}
	if (server) {
		args[(*nargs)++] = "build-key-server";
		return cmd_build_key_server;
	}
	args[(*nargs)++] = pass ? "build-key-pass" : "build-key";
	return pass ? cmd_build_key_pass : cmd_build_key;
}

int cmd_pkitool(struct pki_ctx *ctx, int argc, char **argv)
{
	bool interact = false, batch = false, pass = false, csr = false, sign = false;
	bool initca = false, inter = false, server = false, pkcs12 = false;
	bool version = false, help = false;
	const char *keysize = NULL, *args[4];
	const struct cmd_opt opts[] = {
		{ "interact", NULL, &interact },
		{ "batch", NULL, &batch },
		{ "keysize", &keysize, NULL },
		{ "pass", NULL, &pass },
		{ "csr", NULL, &csr },
		{ "sign", NULL, &sign },
		{ "initca", NULL, &initca },
		{ "inter", NULL, &inter },
		{ "server", NULL, &server },
		{ "pkcs12", NULL, &pkcs12 },
		{ "version", NULL, &version },
		{ "help", NULL, &help },
		{ NULL, NULL, NULL },
	};
	char *pos[1];
	command_fn fn;
	int n, nargs;

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--pkcs11", 8)) {
			pki_err("pkitool: %s: PKCS#11 tokens are not supported; keys are files in "
			        "KEY_DIR",
			        argv[i]);
			return EXIT_ERR;
		}
	if ((n = cmd_parse(argc, argv, opts, pos, 1)) < 0)
		return EXIT_USAGE;
	if (help) {
		fputs(pkitool_usage, stdout);
		return EXIT_OK;
	}
	if (version) {
		printf("pkitool of l2vpn-ca %s (easy-rsa 2.0 compatible)\n", L2VPN_VERSION);
		return EXIT_OK;
	}
	if (interact && batch) {
		pki_err("pkitool: --interact and --batch exclude each other");
		return EXIT_USAGE;
	}
	ctx->interactive = ctx->interactive && interact;
	if (keysize) {
		char *end;
		long bits = strtol(keysize, &end, 10);

		if (*end || bits < 2048 || bits > 16384) {
			pki_err("pkitool: --keysize %s: want 2048..16384", keysize);
			return EXIT_USAGE;
		}
		if (ctx->vars.algo != KEY_ALGO_RSA)
			pki_warn("pkitool: --keysize %ld sets the RSA size, and KEY_ALGO is %s",
			         bits, vars_algo_name(ctx->vars.algo));
		ctx->vars.key_size = (int)bits;
	}
	if (!(fn = pick_form(initca, inter, server, csr, sign, pkcs12, pass, args, &nargs)))
		return EXIT_USAGE;
	if (n == 1)
		args[nargs++] = pos[0];
	else if (*ctx->vars.cn)
		args[nargs++] = ctx->vars.cn;
	else if (!initca) {
		pki_err("pkitool: no NAME given and KEY_CN is not set");
		return EXIT_USAGE;
	}
	args[nargs] = NULL;
	return fn(ctx, nargs, (char **)args);
}
