// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration: defaults, ownership, messages, path resolution and the cross-directive checks
 * of config_finish(). The tokenizer lives in config_parse.c, the directives in
 * config_directives.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "config.h"
#include "config_internal.h"

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->action = ACTION_RUN;
	cfg->family = AF_UNSPEC;
	cfg->local_port = 1194;
	cfg->remote_port = 1194;
	cfg->resolv_retry = -1;
	cfg->connect_retry = 1;
	cfg->connect_retry_max_wait = 60;
	cfg->max_clients = 64;
	cfg->preauth_max = 128;
	cfg->preauth_per_source = 8;
	cfg->preauth_timeout = 10;
	cfg->policy.max_macs = 256;
	cfg->policy.mac_age = 300;
	cfg->flap_hold = 60;
	cfg->tun_mtu = 1500;
	cfg->tls_version_min = 0x0303; /* TLS1_2_VERSION */
	cfg->hand_window = 60;
	cfg->connect_timeout = 10;
	cfg->reneg_sec = 3600;
	cfg->reneg_bytes = CONFIG_RENEG_BYTES;
	cfg->status_interval = 60;
	cfg->status_version = 1;
	cfg->verb = 1;
	cfg->management_log_cache = 100;
	cfg->metrics_interval = 10;
}

static void pem_free(struct config_pem *pem)
{
	free(pem->path);
	free(pem->inline_pem);
	free(pem->inline_source);
}

void config_free(struct config *cfg)
{
	free(cfg->client_config_dir);
	free(cfg->local);
	for (size_t i = 0; i < cfg->n_remotes; i++)
		free(cfg->remotes[i].host);
	free(cfg->remotes);
	free(cfg->dev);
	free(cfg->bridge);
	pem_free(&cfg->ca);
	pem_free(&cfg->cert);
	pem_free(&cfg->key);
	pem_free(&cfg->dh);
	free(cfg->verify_x509_name);
	free(cfg->crl_verify);
	free(cfg->askpass);
	free(cfg->tls_cipher);
	free(cfg->tcp_congestion);
	free(cfg->remote_cert_eku);
	free(cfg->ignore_unknown);
	free(cfg->tls_ciphersuites);
	free(cfg->tls_groups);
	free(cfg->status_file);
	free(cfg->log_file);
	free(cfg->syslog_ident);
	free(cfg->writepid);
	free(cfg->user);
	free(cfg->group);
	free(cfg->cd);
	free(cfg->bridge_for_mktun);
	free(cfg->management);
	free(cfg->management_pwfile);
	free(cfg->management_user);
	free(cfg->management_group);
	free(cfg->metrics_file);
	for (size_t i = 0; i < cfg->n_warnings; i++)
		free(cfg->warnings[i]);
	free(cfg->warnings);
	free(cfg->base_dir);
	free(cfg->role_origin);
	free(cfg->proto_origin);
	free(cfg->source_name);
	config_init(cfg);
}

const char *cfg_where(const struct cfg_ctx *c, char *buf, size_t size)
{
	if (c->source)
		snprintf(buf, size, "%s:%u", c->source, c->line);
	else
		snprintf(buf, size, "command line");
	return buf;
}

/* "WHERE: DIRECTIVE: " as the prefix of every message about the directive being applied. */
static int format_prefix(const struct cfg_ctx *c, char *buf, size_t size)
{
	char where[CONFIG_ERR_MAX / 2];

	cfg_where(c, where, sizeof(where));
	if (!c->directive)
		return snprintf(buf, size, "%s: ", where);
	return snprintf(buf, size, "%s: %s%s: ", where, c->source ? "" : "--", c->directive);
}

static void format_message(const struct cfg_ctx *c, char *buf, size_t size, const char *fmt,
                           va_list ap) __attribute__((format(printf, 4, 0)));

static void format_message(const struct cfg_ctx *c, char *buf, size_t size, const char *fmt,
                           va_list ap)
{
	int n = format_prefix(c, buf, size);

	if (n < 0)
		n = 0;
	if ((size_t)n < size)
		vsnprintf(buf + n, size - (size_t)n, fmt, ap);
}

int cfg_fail_code(struct cfg_ctx *c, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->err) {
		va_start(ap, fmt);
		format_message(c, c->err->msg, sizeof(c->err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int cfg_fail(struct cfg_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err) {
		va_start(ap, fmt);
		format_message(c, c->err->msg, sizeof(c->err->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int add_warning(struct config *cfg, const char *text)
{
	char **grown = realloc(cfg->warnings, (cfg->n_warnings + 1) * sizeof(*grown));
	char *copy = strdup(text);

	if (grown)
		cfg->warnings = grown;
	if (!grown || !copy) {
		free(copy);
		return -ENOMEM;
	}
	cfg->warnings[cfg->n_warnings++] = copy;
	return 0;
}

int cfg_warn(struct cfg_ctx *c, const char *fmt, ...)
{
	char msg[CONFIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	format_message(c, msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (add_warning(c->cfg, msg) < 0)
		return cfg_fail_code(c, -ENOMEM, "out of memory");
	return 0;
}

int cfg_set_string(char **dst, const char *src)
{
	char *copy = NULL;

	if (src) {
		copy = strdup(src);
		if (!copy)
			return -ENOMEM;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

int cfg_resolve_path(struct cfg_ctx *c, const char *arg, char **out)
{
	const char *base = c->cfg->cd ? c->cfg->cd : c->base_dir;
	char cwd[4096];
	char *joined;

	if (arg[0] == '/')
		return cfg_set_string(out, arg);
	if (!base) {
		if (!getcwd(cwd, sizeof(cwd)))
			return cfg_fail_code(c, -errno, "cannot resolve %s: working directory: %s",
			                     arg, strerror(errno));
		base = cwd;
	}
	if (asprintf(&joined, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/", arg) < 0)
		return -ENOMEM;
	free(*out);
	*out = joined;
	return 0;
}

/* Errors config_finish() finds are about the configuration as a whole: they name its first
 * source (the file given, or the command line) and the directive concerned. */
static int finish_fail(struct config *cfg, struct config_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int finish_fail(struct config *cfg, struct config_error *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -EINVAL;
	n = snprintf(err->msg, sizeof(err->msg),
	             "%s: ", cfg->source_name ? cfg->source_name : "command line");
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool pem_given(const struct config_pem *pem)
{
	return pem->path || pem->inline_pem;
}

/* OpenVPN's keepalive helper: ping I on both ends; ping-restart T on a client and 2*T on a
 * server (the server drops a client only after the client itself would have restarted).
 * Explicit ping / ping-restart directives win over the expansion. */
static void expand_keepalive(struct config *cfg)
{
	if (!cfg->keepalive_interval && !cfg->keepalive_timeout)
		return;
	if (!cfg->ping_set)
		cfg->ping = cfg->keepalive_interval;
	if (!cfg->ping_restart_set)
		cfg->ping_restart =
		    cfg->role == ROLE_SERVER ? 2 * cfg->keepalive_timeout : cfg->keepalive_timeout;
}

static int finish_device_action(struct config *cfg, struct config_error *err)
{
	const char *verb = cfg->action == ACTION_MKTUN ? "--mktun" : "--rmtun";

	if (!cfg->dev)
		return finish_fail(cfg, err, "%s: needs --dev NAME", verb);
	if (cfg->action == ACTION_RMTUN && strcmp(cfg->dev, "tap") == 0)
		return finish_fail(cfg, err,
		                   "--rmtun: needs the name of an existing tap (e.g. "
		                   "--dev tap0), not the generic \"tap\"");
	if (cfg->action == ACTION_MKTUN && cfg->bridge && !cfg->bridge_for_mktun) {
		cfg->bridge_for_mktun = strdup(cfg->bridge);
		if (!cfg->bridge_for_mktun)
			return -ENOMEM;
	}
	return 0;
}

static int finish_run(struct config *cfg, struct config_error *err)
{
	if (cfg->proto_origin && cfg->role == ROLE_UNSET)
		return finish_fail(cfg, err,
		                   "proto: tcp needs a role (%s): add `client` or `server-bridge`, "
		                   "or write tcp-client / tcp-server",
		                   cfg->proto_origin);
	if (cfg->role == ROLE_UNSET)
		return finish_fail(cfg, err,
		                   "no role: add `client` (or tls-client) for a client, "
		                   "`server-bridge` (or mode server / tls-server) for a "
		                   "server");
	if (!cfg->dev)
		return finish_fail(cfg, err, "dev: missing (e.g. dev tap0)");
	if (!pem_given(&cfg->ca))
		return finish_fail(cfg, err,
		                   "ca: missing (the CA certificate that signs the peers)");
	if (!pem_given(&cfg->cert))
		return finish_fail(cfg, err, "cert: missing (this end's certificate)");
	if (!pem_given(&cfg->key))
		return finish_fail(cfg, err, "key: missing (this end's private key)");
	if (cfg->role == ROLE_CLIENT && cfg->n_remotes == 0)
		return finish_fail(cfg, err,
		                   "remote: a client needs at least one `remote HOST [PORT]`");
	if (cfg->management_hold && !cfg->management)
		return finish_fail(cfg, err,
		                   "management-hold: needs `management` (nothing could release the "
		                   "hold)");
	if ((cfg->management_user || cfg->management_group) && !cfg->management_unix)
		return finish_fail(cfg, err,
		                   "management-client-user/-group: they set the owner of a unix "
		                   "socket (management PATH unix)");
	return 0;
}

int config_finish(struct config *cfg, struct config_error *err)
{
	if (cfg->action == ACTION_HELP || cfg->action == ACTION_VERSION)
		return 0;
	if (cfg->action == ACTION_MKTUN || cfg->action == ACTION_RMTUN)
		return finish_device_action(cfg, err);
	if (cfg->allow_compression_set && !cfg->allow_compression &&
	    (cfg->comp == COMP_YES || cfg->comp == COMP_ADAPTIVE))
		return finish_fail(cfg, err,
		                   "allow-compression no: conflicts with comp-lzo / compress lzo "
		                   "(remove one of them)");
	expand_keepalive(cfg);
	if (cfg->ping_restart && cfg->ping && cfg->ping >= cfg->ping_restart)
		return finish_fail(
		    cfg, err,
		    "ping: %u s is not shorter than ping-restart %u s: the peer would "
		    "restart before it hears a ping",
		    cfg->ping, cfg->ping_restart);
	if (cfg->role == ROLE_SERVER && cfg->n_remotes > 0)
		return finish_fail(cfg, err,
		                   "remote: a server does not connect out (remove `remote`, or "
		                   "make this end a client)");
	return finish_run(cfg, err);
}
