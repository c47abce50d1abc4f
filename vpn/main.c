// SPDX-License-Identifier: GPL-2.0-or-later
/* l2vpn: parse the command line and dispatch to the daemon or a one-shot action. */
#include "config-build.h"
#include "config.h"
#include "ctl.h"
#include "daemon.h"
#include "mktun.h"

#include <stdio.h>
#include <string.h>

static void print_usage(void)
{
	fputs("Usage: l2vpn [CONFIG-FILE] [--directive args...]\n"
	      "       l2vpn --config FILE [--test-config]\n"
	      "       l2vpn --mktun --dev tapN [--dev-type tap] [--user U] [--group G]\n"
	      "                     [--tun-mtu N] [--txqueuelen N] [--bridge BR]\n"
	      "       l2vpn --rmtun --dev tapN\n"
	      "       l2vpn --ctl PATH|HOST:PORT [--ctl-password FILE] COMMAND [ARGS...]\n"
	      "       l2vpn --help | --version\n"
	      "\n"
	      "A bridged Layer-2 VPN over TLS/TCP. Directives are OpenVPN's, one per line in a\n"
	      "config file or as --directive args on the command line (later ones win):\n"
	      "  transport, role  port lport rport local proto server-bridge mode client\n"
	      "                   tls-server tls-client remote remote-random resolv-retry\n"
	      "                   connect-retry connect-retry-max nobind max-clients\n"
	      "                   client-to-client duplicate-cn preauth-max\n"
	      "                   preauth-max-per-source preauth-timeout\n"
	      "  device, bridge   dev dev-type bridge tun-mtu txqueuelen\n"
	      "  TLS, auth        ca cert key dh remote-cert-tls ns-cert-type verify-x509-name\n"
	      "                   crl-verify tls-version-min tls-cipher tls-ciphersuites\n"
	      "                   hand-window (inline <ca> <cert> <key> <dh> blocks too)\n"
	      "  keepalive        keepalive ping ping-restart ping-exit\n"
	      "  compression      comp-lzo compress allow-compression\n"
	      "  status, logging  status status-version verb mute log log-append syslog\n"
	      "  management       management management-client-user management-client-group\n"
	      "                   management-hold management-log-cache metrics-file\n"
	      "  process          daemon writepid user group cd config persist-key persist-tun\n"
	      "Unknown directives are errors; OpenVPN directives l2vpn cannot honour (tls-auth,\n"
	      "up, proto udp, dev tun, ...) are refused with the reason.\n"
	      "\n"
	      "--test-config loads everything (certificates and keys too) without touching\n"
	      "devices or sockets. --mktun creates a persistent tap (ifupdown pre-up), owned by\n"
	      "U/G and attached to bridge BR; --rmtun removes it (post-down). --ctl sends one\n"
	      "command to a running daemon's management interface and prints the reply.\n"
	      "Signals: TERM/INT exit, HUP reload, USR1 reconnect, USR2 status to the log.\n"
	      "\n"
	      "Exit status: 0 ok, 1 runtime error, 2 usage error. See man l2vpn.\n",
	      stdout);
}

static int dispatch(struct config *cfg, int argc, char **argv)
{
	switch (cfg->action) {
	case ACTION_MKTUN:
		return mktun_run(cfg);
	case ACTION_RMTUN:
		return rmtun_run(cfg);
	case ACTION_HELP:
		print_usage();
		return L2VPN_EXIT_OK;
	case ACTION_VERSION:
		printf("l2vpn %s\n", L2VPN_VERSION);
		return L2VPN_EXIT_OK;
	case ACTION_RUN:
		break;
	}
	if (cfg->test_config)
		return daemon_test_config(cfg);
	return daemon_main(cfg, argc, argv);
}

int main(int argc, char **argv)
{
	struct config_error err = { { 0 } };
	struct config cfg;
	int rc;

	/* The management client is no daemon: its arguments are a command, not directives. */
	if (argc > 1 && (!strcmp(argv[1], "--ctl") || !strcmp(argv[1], "--ctl-password")))
		return ctl_main(argc, argv);
	config_init(&cfg);
	if (config_parse_argv(&cfg, argc, argv, &err) < 0 || config_finish(&cfg, &err) < 0) {
		fprintf(stderr, "l2vpn: %s\nTry 'l2vpn --help' for more information.\n", err.msg);
		rc = L2VPN_EXIT_USAGE;
		goto out;
	}
	/* The daemon and --test-config log warnings themselves. */
	if (cfg.action == ACTION_MKTUN || cfg.action == ACTION_RMTUN)
		for (size_t i = 0; i < cfg.n_warnings; i++)
			fprintf(stderr, "l2vpn: warning: %s\n", cfg.warnings[i]);
	rc = dispatch(&cfg, argc, argv);
out:
	config_free(&cfg);
	return rc;
}
