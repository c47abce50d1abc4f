/* commands: the verb table, lookup, help and the shared option parser. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "msg.h"

static const struct command commands[] = {
	{ "clean-all",
	  { "init", "init-pki" },
	  cmd_clean_all,
	  "",
	  "create KEY_DIR (0700) with an empty index.txt and serial (--force: move an old PKI "
	  "aside)",
	  false },
	{ "build-ca",
	  { NULL },
	  cmd_build_ca,
	  "[--pass] [CN]",
	  "CA key and self-signed ca.crt (--pass or --passout: encrypted key)",
	  true },
	{ "build-key-server",
	  { "build-server-full" },
	  cmd_build_key_server,
	  "NAME [nopass]",
	  "server key + certificate",
	  true },
	{ "build-key",
	  { "build-client-full" },
	  cmd_build_key,
	  "NAME [nopass]",
	  "client key + certificate",
	  true },
	{ "build-key-pass",
	  { NULL },
	  cmd_build_key_pass,
	  "NAME",
	  "client key (passphrase-protected) + certificate",
	  true },
	{ "build-key-pkcs12",
	  { NULL },
	  cmd_build_key_pkcs12,
	  "NAME",
	  "client key + certificate + NAME.p12 (export password from --passout)",
	  true },
	{ "build-req",
	  { "gen-req" },
	  cmd_build_req,
	  "[--pass] NAME [nopass]",
	  "key + certificate request NAME.csr only",
	  true },
	{ "build-inter",
	  { NULL },
	  cmd_build_inter,
	  "[--pass] NAME [nopass]",
	  "intermediate CA key + certificate (CA:TRUE) signed by this CA (--pass: encrypted key)",
	  true },
	{ "build-req-pass",
	  { NULL },
	  cmd_build_req_pass,
	  "NAME",
	  "passphrase-protected key + certificate request NAME.csr only",
	  true },
	{ "inherit-inter",
	  { NULL },
	  cmd_inherit_inter,
	  "PARENT_DIR NAME",
	  "root this PKI on intermediate CA NAME of PARENT_DIR; export-ca.crt gets the chain",
	  true },
	{ "sign-req",
	  { NULL },
	  cmd_sign_req,
	  "[--server] NAME | server|client NAME",
	  "sign NAME.csr as a client (or server) certificate",
	  true },
	{ "build-dh",
	  { "gen-dh" },
	  cmd_build_dh,
	  "[BITS]",
	  "write dhBITS.pem (RFC 7919 ffdhe group; 2048, 3072 or 4096)",
	  true },
	{ "revoke-full",
	  { "revoke" },
	  cmd_revoke_full,
	  "NAME|SERIAL",
	  "revoke, regenerate crl.pem and confirm the certificate is now rejected",
	  true },
	{ "gen-crl",
	  { NULL },
	  cmd_gen_crl,
	  "",
	  "regenerate crl.pem (nextUpdate CRL_DAYS ahead)",
	  true },
	{ "renew-ca",
	  { NULL },
	  cmd_renew_ca,
	  "[--days N]",
	  "new self-signed ca.crt for the same key and subject; issued certificates stay valid",
	  true },
	{ "pkitool",
	  { NULL },
	  cmd_pkitool,
	  "[--interact] [--keysize N] [--pass] [--initca|--inter|--server|--csr|--sign|--pkcs12] "
	  "[NAME]",
	  "easy-rsa 2.0's pkitool: one of the build verbs, batch unless --interact (--help)",
	  true },
	{ "renew",
	  { NULL },
	  cmd_renew,
	  "NAME",
	  "new certificate for NAME's key and subject; the old one is revoked (superseded)",
	  true },
	{ "list",
	  { NULL },
	  cmd_list,
	  "",
	  "every certificate: CN, serial, type, status, expiry",
	  true },
	{ "show",
	  { "show-cert" },
	  cmd_show,
	  "NAME|SERIAL",
	  "a certificate in readable form",
	  true },
	{ "list-crl",
	  { NULL },
	  cmd_list_crl,
	  "",
	  "crl.pem in readable form (issuer, dates, each revoked serial)",
	  true },
	{ "check",
	  { NULL },
	  cmd_check,
	  "[--days N]",
	  "exit 1 with one line per CA/certificate/CRL expiring within N days (30)",
	  true },
	{ "export",
	  { NULL },
	  cmd_export,
	  "NAME [--remote HOST[:PORT]] [--out FILE]",
	  "client config with inline <ca>, <cert>, <key> (0600)",
	  true },
	{ "import-easyrsa3",
	  { NULL },
	  cmd_import_easyrsa3,
	  "PKI_DIR",
	  "convert an easy-rsa 3 pki/ directory into KEY_DIR",
	  false },
	{ "help", { NULL }, cmd_help, "[COMMAND]", "this help, or one command's", false },
};

const struct command *command_find(const char *name)
{
	size_t i, j;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
		for (j = 0; j < 3 && commands[i].aliases[j]; j++)
			if (strcmp(commands[i].aliases[j], name) == 0)
				return &commands[i];
	}
	return NULL;
}

void command_usage(const struct command *cmd)
{
	fprintf(stderr, "usage: l2vpn-ca [options] %s %s\n", cmd->name, cmd->usage);
}

void commands_help(FILE *f)
{
	size_t i;

	fprintf(f, "usage: l2vpn-ca [--dir KEY_DIR] [--vars FILE] [--batch] [--force]\n"
	           "                [--passin SRC] [--passout SRC] COMMAND [ARGS]\n"
	           "SRC: env:VAR, file:PATH, fd:N, stdin or pass:TEXT\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-17s %s\n", commands[i].name, commands[i].help);
}

int cmd_parse(int argc, char **argv, const struct cmd_opt *opts, char **pos, int max)
{
	int i, n = 0;
	bool no_more = false;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct cmd_opt *o;
		size_t len;
		const char *eq;

		if (no_more || a[0] != '-' || a[1] != '-') {
			if (n >= max) {
				pki_err("%s: unexpected argument \"%s\"", argv[0], a);
				return -1;
			}
			pos[n++] = argv[i];
			continue;
		}
		if (a[2] == '\0') {
			no_more = true;
			continue;
		}
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (o = opts; o && o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, a + 2, len) == 0)
				break;
		if (!o || !o->name) {
			pki_err("%s: unknown option %s", argv[0], a);
			return -1;
		}
		if (o->value) {
			if (eq) {
				*o->value = eq + 1;
			} else if (i + 1 < argc) {
				*o->value = argv[++i];
			} else {
				pki_err("%s: option %s needs a value", argv[0], a);
				return -1;
			}
		} else if (eq) {
			pki_err("%s: option --%s takes no value", argv[0], o->name);
			return -1;
		} else {
			*o->flag = true;
		}
	}
	return n;
}

int cmd_help(struct pki_ctx *ctx, int argc, char **argv)
{
	const struct command *cmd;
	char *pos[1];
	int n = cmd_parse(argc, argv, NULL, pos, 1);

	(void)ctx;
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0) {
		commands_help(stdout);
		return EXIT_OK;
	}
	cmd = command_find(pos[0]);
	if (!cmd) {
		pki_err("help: unknown command \"%s\"", pos[0]);
		return EXIT_USAGE;
	}
	printf("usage: l2vpn-ca [options] %s %s\n  %s\n", cmd->name, cmd->usage, cmd->help);
	if (cmd->aliases[0]) {
		printf("aliases:");
		for (int j = 0; j < 3 && cmd->aliases[j]; j++)
			printf(" %s", cmd->aliases[j]);
		printf("\n");
	}
	return EXIT_OK;
}
