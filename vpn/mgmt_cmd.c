// SPDX-License-Identifier: GPL-2.0-or-later
/* mgmt: the commands of the management interface, with OpenVPN's replies (see mgmt.h). */
#include "mgmt_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "log.h"

/* The OpenVPN release whose management and status formats l2vpn speaks: tools read the second
 * word of the version line to choose the layouts they parse. */
#define OPENVPN_COMPAT "OpenVPN 2.6.0"

struct command {
	const char *name;
	int min_args; /* words after the name; more are ignored, as OpenVPN does */
	void (*run)(struct mgmt_client *c, int argc, char **argv);
};

/* Decimal digits only, at most MAX. */
static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static void cmd_help(struct mgmt_client *c, int argc, char **argv)
{
	static const char *const lines[] = {
		"Commands (one a line; replies end with END or are one SUCCESS:/ERROR: line):",
		"status [1|2|3]          the status file's text in that layout",
		"status json             sites, MAC table and counters as one JSON document",
		"metrics                 the same numbers in Prometheus' text format",
		"load-stats              sites up and the bytes of all links",
		"nclients                sites up",
		"state [on|off] [N|all]  state changes: live as >STATE: (on), the last N or all",
		"log [on|off] [N|all]    log lines: live as >LOG: (on), the last N or all",
		"echo [on|off] [N|all]   the echo buffer: live as >ECHO: (on), the last N or all",
		"echo TEXT               put TEXT into the echo buffer",
		"bytecount N             >BYTECOUNT lines every N seconds (0: none)",
		"kill CN                 close the sites with common name CN",
		"kill IP:PORT            close the site connected from IP:PORT",
		"client-kill ID          close the site with client ID (status) ID",
		"signal SIG              SIGHUP, SIGUSR1, SIGUSR2, SIGTERM: as if it arrived",
		"verb [N]                show the log level, or set it to N",
		"mute [N]                show the mute count, or set it to N",
		"hold [on|off|release]   show or set the hold flag, or release the hold",
		"pid                     the daemon's process id",
		"version [N]             the versions (N: this client's, changes nothing)",
		"forget-passwords        nothing to forget: l2vpn keeps no passwords",
		"help                    this list",
		"exit, quit              close this connection",
	};

	(void)argc;
	(void)argv;
	mgmt_printf(c, "Management Interface for l2vpn %s", c->m->version);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		mgmt_printf(c, "%s", lines[i]);
	mgmt_printf(c, "END");
}

static void cmd_version(struct mgmt_client *c, int argc, char **argv)
{
	unsigned long v;

	if (argc > 1) {
		if (parse_uint(argv[1], INT_MAX, &v) && v > 0)
			mgmt_printf(c, "SUCCESS: Management client version set to %lu", v);
		else
			mgmt_printf(c,
			            "ERROR: Invalid value specified for management client version");
		return;
	}
	mgmt_printf(c,
	            "OpenVPN Version: " OPENVPN_COMPAT " (l2vpn %s, with OpenVPN 2.6's management "
	            "and status formats) [SSL (%s)] [LZO]",
	            c->m->version, OpenSSL_version(OPENSSL_VERSION));
	mgmt_printf(c, "Management Version: %d", MGMT_VERSION);
	mgmt_printf(c, "END");
}

static void cmd_pid(struct mgmt_client *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mgmt_printf(c, "SUCCESS: pid=%d", (int)getpid());
}

/* The text of OPS' status (or document) OUT: as it is, then END unless it ends with one. */
static void document_reply(struct mgmt_client *c, int ret, char *text, const char *what)
{
	size_t len;

	if (ret < 0) {
		mgmt_printf(c, "ERROR: %s: %s", what, strerror(-ret));
		return;
	}
	mgmt_write_text(c, text);
	len = strlen(text);
	if (len < 4 || strcmp(text + len - 4, "END\n") != 0 || (len > 4 && text[len - 5] != '\n'))
		mgmt_printf(c, "END");
	free(text);
}

static void cmd_status(struct mgmt_client *c, int argc, char **argv)
{
	struct mgmt *m = c->m;
	unsigned long version = 0;
	char *text = NULL;

	int ret;

	if (argc > 1 && strcmp(argv[1], "json") == 0) {
		ret = m->ops.status_json(m->arg, &text);
		document_reply(c, ret, text, "status json");
		return;
	}
	if (argc > 1 && (!parse_uint(argv[1], 3, &version) || version == 0)) {
		mgmt_printf(c, "ERROR: status format '%s' is not 1, 2, 3 or json", argv[1]);
		return;
	}
	ret = m->ops.status(m->arg, (int)version, &text);
	document_reply(c, ret, text, "status");
}

static void cmd_metrics(struct mgmt_client *c, int argc, char **argv)
{
	char *text = NULL;
	int ret;

	(void)argc;
	(void)argv;
	ret = c->m->ops.metrics(c->m->arg, &text);
	document_reply(c, ret, text, "metrics");
}

static void cmd_load_stats(struct mgmt_client *c, int argc, char **argv)
{
	unsigned sites = 0;
	uint64_t in = 0, out = 0;

	(void)argc;
	(void)argv;
	c->m->ops.load_stats(c->m->arg, &sites, &in, &out);
	mgmt_printf(c, "SUCCESS: nclients=%u,bytesin=%llu,bytesout=%llu", sites,
	            (unsigned long long)in, (unsigned long long)out);
}

static void cmd_nclients(struct mgmt_client *c, int argc, char **argv)
{
	unsigned sites = 0;
	uint64_t in, out;

	(void)argc;
	(void)argv;
	c->m->ops.load_stats(c->m->arg, &sites, &in, &out);
	mgmt_printf(c, "SUCCESS: nclients=%u", sites);
}

enum history_kind { H_LOG, H_STATE, H_ECHO };

/* One parameter of log/state/echo: on, off, all or a count (OpenVPN's semantics). false: it
 * is none of them. */
static bool history_param(struct mgmt_client *c, enum history_kind kind, const char *p)
{
	static const char *const names[] = { "log", "state", "echo" };
	struct mgmt *m = c->m;
	bool *flag = kind == H_LOG ? &c->log_on : kind == H_STATE ? &c->state_on : &c->echo_on;
	const struct mgmt_history *h = kind == H_LOG     ? &m->log
	                               : kind == H_STATE ? &m->state
	                                                 : &m->echo;
	unsigned long n;

	if (strcmp(p, "on") == 0 || strcmp(p, "off") == 0) {
		*flag = p[1] == 'n';
		mgmt_printf(c, "SUCCESS: real-time %s notification set to %s", names[kind],
		            *flag ? "ON" : "OFF");
	} else if (strcmp(p, "all") == 0) {
		mgmt_history_reply(c, h, 0);
	} else if (parse_uint(p, ULONG_MAX / 2, &n) && n > 0) {
		mgmt_history_reply(c, h, n);
	} else {
		return false;
	}
	return true;
}

static void history_command(struct mgmt_client *c, enum history_kind kind, int argc, char **argv)
{
	static const char *const names[] = { "log", "state", "echo" };

	for (int i = 1; i < argc && i <= 2 && !c->dead; i++)
		if (!history_param(c, kind, argv[i])) {
			mgmt_printf(c,
			            "ERROR: %s parameter must be 'on' or 'off' or some number n or "
			            "'all'",
			            names[kind]);
			return;
		}
}

static void cmd_log(struct mgmt_client *c, int argc, char **argv)
{
	history_command(c, H_LOG, argc, argv);
}

static void cmd_state(struct mgmt_client *c, int argc, char **argv)
{
	static char one[] = "1";
	char *latest[] = { argv[0], one };

	if (argc == 1)
		history_command(c, H_STATE, 2, latest);
	else
		history_command(c, H_STATE, argc, argv);
}

/* echo [on|off] [N|all], or echo TEXT: TEXT (the words joined by blanks) goes to the echo
 * buffer and to the clients with echo on. */
static void cmd_echo(struct mgmt_client *c, int argc, char **argv)
{
	char text[MGMT_LINE_MAX + 1] = "";
	unsigned long n;
	const char *p = argv[1];
	time_t now = time(NULL); /* wall clock: only the text of the stamp */

	if (strcmp(p, "on") == 0 || strcmp(p, "off") == 0 || strcmp(p, "all") == 0 ||
	    parse_uint(p, ULONG_MAX / 2, &n)) {
		history_command(c, H_ECHO, argc, argv);
		return;
	}
	for (int i = 1; i < argc; i++) {
		size_t len = strlen(text);
		snprintf(text + len, sizeof(text) - len, "%s%s", i > 1 ? " " : "", argv[i]);
	}
	mgmt_printf(c, "SUCCESS: echo text added");
	mgmt_echo(c->m, now, text);
}

static void cmd_bytecount(struct mgmt_client *c, int argc, char **argv)
{
	unsigned long n;

	(void)argc;
	if (!parse_uint(argv[1], 86400, &n)) {
		mgmt_printf(c, "ERROR: bytecount takes a number of seconds (0 = off, at most "
		               "86400)");
		return;
	}
	c->bytecount = (unsigned)n;
	c->next_bytecount = c->m->now + n;
	mgmt_printf(c, "SUCCESS: bytecount interval changed");
}

/* "IP:PORT" (an IPv6 address in brackets, or bare: the port follows the last colon) into SS.
 * false: VICTIM is no address and port. */
static bool parse_ip_port(const char *victim, struct sockaddr_storage *ss, unsigned long *port)
{
	const char *colon = strrchr(victim, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t len;

	if (!colon || !parse_uint(colon + 1, 65535, port) || *port == 0)
		return false;
	len = (size_t)(colon - victim);
	if (len >= 2 && victim[0] == '[' && victim[len - 1] == ']') {
		victim++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(host))
		return false;
	memcpy(host, victim, len);
	host[len] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)*port);
		return true;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)*port);
		return true;
	}
	return false;
}

static void not_this_mode(struct mgmt_client *c, const char *command)
{
	mgmt_printf(c, "ERROR: The '%s' command is not supported by the current daemon mode",
	            command);
}

static void cmd_kill(struct mgmt_client *c, int argc, char **argv)
{
	struct mgmt *m = c->m;
	struct sockaddr_storage ss;
	unsigned long port;
	const char *victim = argv[1];
	int n;

	(void)argc;
	if (parse_ip_port(victim, &ss, &port)) {
		n = m->ops.kill_addr(m->arg, (const struct sockaddr *)&ss);
		if (n == -ENOTSUP)
			not_this_mode(c, "kill");
		else if (n > 0)
			mgmt_printf(c, "SUCCESS: %d client(s) at address %s killed", n, victim);
		else
			mgmt_printf(c, "ERROR: client at address %s not found", victim);
		return;
	}
	n = m->ops.kill_cn(m->arg, victim);
	if (n == -ENOTSUP)
		not_this_mode(c, "kill");
	else if (n > 0)
		mgmt_printf(c, "SUCCESS: common name '%s' found, %d client(s) killed", victim, n);
	else
		mgmt_printf(c, "ERROR: common name '%s' not found", victim);
}

static void cmd_client_kill(struct mgmt_client *c, int argc, char **argv)
{
	unsigned long cid;
	int n;

	(void)argc;
	if (!parse_uint(argv[1], ULONG_MAX / 2, &cid)) {
		mgmt_printf(c, "ERROR: cannot parse CID");
		return;
	}
	n = c->m->ops.kill_cid(c->m->arg, cid);
	if (n == -ENOTSUP)
		not_this_mode(c, "client-kill");
	else if (n > 0)
		mgmt_printf(c, "SUCCESS: client-kill command succeeded");
	else
		mgmt_printf(c, "ERROR: client-kill command failed");
}

static void cmd_signal(struct mgmt_client *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		int signo;
	} known[] = {
		{ "SIGHUP", SIGHUP },   { "SIGTERM", SIGTERM }, { "SIGUSR1", SIGUSR1 },
		{ "SIGUSR2", SIGUSR2 }, { "SIGINT", SIGINT },
	};
	int ret;

	(void)argc;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(argv[1], known[i].name) != 0)
			continue;
		ret = c->m->ops.signal(c->m->arg, known[i].signo);
		if (ret < 0)
			mgmt_printf(c, "ERROR: signal %s: %s", known[i].name, strerror(-ret));
		else
			mgmt_printf(c, "SUCCESS: signal %s thrown", known[i].name);
		return;
	}
	mgmt_printf(c, "ERROR: signal '%s' is not a known signal type", argv[1]);
}

static void cmd_verb(struct mgmt_client *c, int argc, char **argv)
{
	unsigned long v;

	if (argc < 2) {
		mgmt_printf(c, "SUCCESS: verb=%d", log_get_verb());
	} else if (parse_uint(argv[1], 11, &v)) {
		log_set_verb((int)v);
		mgmt_printf(c, "SUCCESS: verb level changed");
	} else {
		mgmt_printf(c, "ERROR: verb level is out of range");
	}
}

static void cmd_mute(struct mgmt_client *c, int argc, char **argv)
{
	unsigned long v;

	if (argc < 2) {
		mgmt_printf(c, "SUCCESS: mute=%u", log_get_mute());
	} else if (parse_uint(argv[1], 1000000, &v)) {
		log_set_mute((unsigned)v);
		mgmt_printf(c, "SUCCESS: mute level changed");
	} else {
		mgmt_printf(c, "ERROR: mute level is out of range");
	}
}

static void cmd_hold(struct mgmt_client *c, int argc, char **argv)
{
	struct mgmt *m = c->m;

	if (argc < 2) {
		mgmt_printf(c, "SUCCESS: hold=%d", m->hold_flag ? 1 : 0);
	} else if (strcmp(argv[1], "on") == 0) {
		m->hold_flag = true;
		mgmt_printf(c, "SUCCESS: hold flag set to ON");
	} else if (strcmp(argv[1], "off") == 0) {
		m->hold_flag = false;
		mgmt_printf(c, "SUCCESS: hold flag set to OFF");
	} else if (strcmp(argv[1], "release") == 0) {
		mgmt_printf(c, "SUCCESS: hold release succeeded");
		m->ops.hold_release(m->arg);
	} else {
		mgmt_printf(c, "ERROR: bad hold command parameter");
	}
}

static void cmd_exit(struct mgmt_client *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mgmt_close_after_output(c);
}

static void cmd_forget_passwords(struct mgmt_client *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mgmt_printf(c, "SUCCESS: Passwords were forgotten");
}

static const struct command commands[] = {
	{ "help", 0, cmd_help },
	{ "version", 0, cmd_version },
	{ "pid", 0, cmd_pid },
	{ "status", 0, cmd_status },
	{ "metrics", 0, cmd_metrics },
	{ "load-stats", 0, cmd_load_stats },
	{ "nclients", 0, cmd_nclients },
	{ "state", 0, cmd_state },
	{ "log", 1, cmd_log },
	{ "echo", 1, cmd_echo },
	{ "bytecount", 1, cmd_bytecount },
	{ "kill", 1, cmd_kill },
	{ "client-kill", 1, cmd_client_kill },
	{ "signal", 1, cmd_signal },
	{ "verb", 0, cmd_verb },
	{ "mute", 0, cmd_mute },
	{ "hold", 0, cmd_hold },
	{ "exit", 0, cmd_exit },
	{ "quit", 0, cmd_exit },
	{ "forget-passwords", 0, cmd_forget_passwords },
};

/* The password's first try decides: right, the client is in; wrong, it is told and closed. */
static void check_password(struct mgmt_client *c, const char *line)
{
	const char *pw = c->m->password;
	size_t len = strlen(line);

	if (len == strlen(pw) && CRYPTO_memcmp(line, pw, len) == 0) {
		c->authed = true;
		mgmt_printf(c, "SUCCESS: password is correct");
		mgmt_welcome(c);
		return;
	}
	if (ratelimit_pass(&c->m->refused_log, vpn_now_ms(), NULL))
		log_warnx("management: %s gave a wrong password: disconnected", c->label);
	mgmt_printf(c, "ERROR: bad password");
	mgmt_close_after_output(c);
}

void mgmt_command(struct mgmt_client *c, char *line)
{
	char *argv[MGMT_ARGS_MAX];
	int argc;

	if (!c->authed) {
		check_password(c, line);
		return;
	}
	argc = mgmt_tokenize(line, argv, MGMT_ARGS_MAX);
	if (argc == -E2BIG) {
		mgmt_printf(c, "ERROR: too many parameters (at most %d)", MGMT_ARGS_MAX - 1);
		return;
	}
	if (argc < 0) {
		mgmt_printf(c, "ERROR: unterminated quote or backslash at the end of the command");
		return;
	}
	if (argc == 0)
		return;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *cmd = &commands[i];

		if (strcmp(argv[0], cmd->name) != 0)
			continue;
		if (argc - 1 < cmd->min_args) {
			mgmt_printf(c, "ERROR: the '%s' command requires at least %d parameter%s",
			            cmd->name, cmd->min_args, cmd->min_args > 1 ? "s" : "");
			return;
		}
		cmd->run(c, argc, argv);
		return;
	}
	mgmt_printf(c, "ERROR: unknown command, enter 'help' for more options");
}
