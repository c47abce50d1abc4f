/* commands: the verb table of l2vpn-ca (wireguard-tools style) and the per-verb entry
 * points. Each verb gets the context and its own argv (argv[0] = the verb as typed) and
 * returns an exit status (EXIT_OK, EXIT_ERR, EXIT_USAGE). */
#ifndef L2VPN_PKI_COMMANDS_H
#define L2VPN_PKI_COMMANDS_H

#include <stdbool.h>

#include "pki.h"

typedef int (*command_fn)(struct pki_ctx *ctx, int argc, char **argv);

struct command {
	const char *name;
	const char *aliases[3];
	command_fn fn;
	const char *usage; /* arguments after the verb */
	const char *help;  /* one line */
	bool needs_pki;    /* KEY_DIR must exist: lock it and warn about the CRL */
};

/* The command named or aliased NAME, or NULL. */
const struct command *command_find(const char *name);

/* Print "usage: l2vpn-ca [options] NAME USAGE" on stderr. */
void command_usage(const struct command *cmd);

/* Print the general help (all verbs) on F. */
void commands_help(FILE *f);

/* Option parsing shared by the verbs: --NAME (flag) or --NAME VALUE / --NAME=VALUE,
 * anywhere among the arguments; "--" ends options. */
struct cmd_opt {
	const char *name;
	const char **value; /* non-NULL: takes a value */
	bool *flag;
};

/* Collect up to MAX positional arguments of ARGV[1..] into POS; returns their count, or -1
 * (usage error, reported) on an unknown option, missing value or too many positionals. */
int cmd_parse(int argc, char **argv, const struct cmd_opt *opts, char **pos, int max);

int cmd_help(struct pki_ctx *ctx, int argc, char **argv);
int cmd_clean_all(struct pki_ctx *ctx, int argc, char **argv);
int cmd_build_ca(struct pki_ctx *ctx, int argc, char **argv);
int cmd_build_key_server(struct pki_ctx *ctx, int argc, char **argv);
int cmd_build_key(struct pki_ctx *ctx, int argc, char **argv);
int cmd_build_key_pass(struct pki_ctx *ctx, int argc, char **argv);
int cmd_build_key_pkcs12(struct pki_ctx *ctx, int argc, char **argv);
int cmd_build_req(struct pki_ctx *ctx, int argc, char **argv);
int cmd_build_req_pass(struct pki_ctx *ctx, int argc, char **argv);
int cmd_build_inter(struct pki_ctx *ctx, int argc, char **argv);
int cmd_inherit_inter(struct pki_ctx *ctx, int argc, char **argv);
int cmd_renew_ca(struct pki_ctx *ctx, int argc, char **argv);
int cmd_pkitool(struct pki_ctx *ctx, int argc, char **argv);
int cmd_sign_req(struct pki_ctx *ctx, int argc, char **argv);
int cmd_build_dh(struct pki_ctx *ctx, int argc, char **argv);
int cmd_revoke_full(struct pki_ctx *ctx, int argc, char **argv);
int cmd_gen_crl(struct pki_ctx *ctx, int argc, char **argv);
int cmd_renew(struct pki_ctx *ctx, int argc, char **argv);
int cmd_list(struct pki_ctx *ctx, int argc, char **argv);
int cmd_show(struct pki_ctx *ctx, int argc, char **argv);
int cmd_list_crl(struct pki_ctx *ctx, int argc, char **argv);
int cmd_check(struct pki_ctx *ctx, int argc, char **argv);
int cmd_export(struct pki_ctx *ctx, int argc, char **argv);
int cmd_import_easyrsa3(struct pki_ctx *ctx, int argc, char **argv);

#endif
