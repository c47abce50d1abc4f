/* l2vpn-ca: an easy-RSA-2.0-compatible CA over OpenSSL libcrypto. Global options, vars,
 * locking, then dispatch to one function per verb (commands.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "config-build.h"
#include "msg.h"
#include "pki.h"

#define CRL_WARN_DAYS 30

enum {
	OPT_PASSIN = 256,
	OPT_PASSOUT,
	OPT_BACKDATE,
	OPT_VERSION,
};

static const struct option long_opts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "vars", required_argument, NULL, 'v' },
	{ "batch", no_argument, NULL, 'b' },
	{ "force", no_argument, NULL, 'f' },
	{ "passin", required_argument, NULL, OPT_PASSIN },
	{ "passout", required_argument, NULL, OPT_PASSOUT },
	{ "backdate", required_argument, NULL, OPT_BACKDATE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	struct pki_ctx ctx = { 0 };
	const struct command *cmd;
	const char *dir = NULL, *vars_path = NULL;
	int c, ret = EXIT_ERR, lock = -1;
	char *end;
	long n;

	/* Whatever the caller's umask, nothing we create is group/world accessible unless we
	 * set the mode explicitly (public files get 0644, keys 0600, KEY_DIR 0700). */
	umask(077);
	while ((c = getopt_long(argc, argv, "+d:v:bfh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'v':
			vars_path = optarg;
			break;
		case 'b':
			ctx.batch = true;
			break;
		case 'f':
			ctx.force = true;
			break;
		case OPT_PASSIN:
			ctx.passin = optarg;
			break;
		case OPT_PASSOUT:
			ctx.passout = optarg;
			break;
		case OPT_BACKDATE:
			n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 36500) {
				pki_err("--backdate %s: want days 0..36500", optarg);
				return EXIT_USAGE;
			}
			ctx.backdate_days = (int)n;
			break;
		case 'h':
			commands_help(stdout);
			return EXIT_OK;
		case OPT_VERSION:
			printf("l2vpn-ca %s\n", L2VPN_VERSION);
			return EXIT_OK;
		default:
			commands_help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		commands_help(stderr);
		return EXIT_USAGE;
	}
	cmd = command_find(argv[optind]);
	if (!cmd) {
		pki_err("unknown command \"%s\" (see l2vpn-ca help)", argv[optind]);
		return EXIT_USAGE;
	}
	if (cmd->fn == cmd_help)
		return cmd_help(&ctx, argc - optind, argv + optind);
	if (vars_load(&ctx.vars, vars_path) < 0)
		return EXIT_ERR;
	ctx.dir = dir ? dir : ctx.vars.key_dir;
	ctx.interactive = !ctx.batch && isatty(STDIN_FILENO);
	if (cmd->needs_pki) {
		if (ca_require_pki(&ctx) < 0)
			goto out;
		lock = fs_lock_dir(ctx.dir);
		if (lock < 0)
			goto out;
		if (cmd->fn != cmd_check)
			ca_warn_crl(&ctx, CRL_WARN_DAYS);
	}
	ret = cmd->fn(&ctx, argc - optind, argv + optind);
	if (ret == EXIT_USAGE)
		command_usage(cmd);
out:
	if (lock >= 0)
		close(lock);
	vars_free(&ctx.vars);
	return ret;
}
