// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directives about TLS and peer authentication, keepalive timers and compression.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_directives.h"

/* ---- TLS -------------------------------------------------------------------------------- */

struct config_pem *cfg_pem_for(struct config *cfg, const char *name)
{
	if (strcmp(name, "ca") == 0)
		return &cfg->ca;
	if (strcmp(name, "cert") == 0)
		return &cfg->cert;
	if (strcmp(name, "key") == 0)
		return &cfg->key;
	if (strcmp(name, "dh") == 0)
		return &cfg->dh;
	return NULL;
}

void cfg_pem_clear_inline(struct config_pem *pem)
{
	free(pem->inline_pem);
	free(pem->inline_source);
	pem->inline_pem = pem->inline_source = NULL;
}

int do_pem(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	struct config_pem *pem = cfg_pem_for(c->cfg, d->name);
	int ret;

	(void)argc;
	if (strcmp(d->name, "dh") == 0) {
		c->cfg->dh_none = strcmp(argv[1], "none") == 0;
		if (c->cfg->dh_none) {
			free(pem->path);
			pem->path = NULL;
			cfg_pem_clear_inline(pem);
			return 0;
		}
	}
	ret = cfg_store_path(c, &pem->path, argv[1]);
	if (ret == 0)
		cfg_pem_clear_inline(pem);
	return ret;
}

static int cert_purpose(struct cfg_ctx *c, const char *s, enum config_cert_purpose *out)
{
	static const char *const purposes[] = { "server", "client", NULL };
	int p = cfg_keyword(c, s, purposes);

	if (p < 0)
		return p;
	*out = p == 0 ? PURPOSE_SERVER : PURPOSE_CLIENT;
	return 0;
}

int do_remote_cert_tls(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	return cert_purpose(c, argv[1], &c->cfg->remote_cert_tls);
}

/* remote-cert-eku OID|NAME: OpenSSL judges the name when the TLS context is made. */
int do_remote_cert_eku(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty extendedKeyUsage");
	return cfg_store_string(c, &c->cfg->remote_cert_eku, argv[1]);
}

/* remote-cert-ku [HEX...]: up to CONFIG_KU_MAX values of 1 to 4 hex digits. */
int do_remote_cert_ku(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	struct config *cfg = c->cfg;

	(void)d;
	for (int i = 1; i < argc; i++) {
		size_t len = strlen(argv[i]);
		unsigned long v;

		if (len == 0 || len > 4 || strspn(argv[i], "0123456789abcdefABCDEF") != len)
			return cfg_fail(c, "'%s' is not a key usage in hex (e.g. a0)", argv[i]);
		v = strtoul(argv[i], NULL, 16);
		if (v == 0)
			return cfg_fail(c, "'%s': a key usage of no bits matches any certificate",
			                argv[i]);
		cfg->remote_cert_ku_values[i - 1] = (uint16_t)v;
	}
	cfg->remote_cert_ku = true;
	cfg->n_remote_cert_ku = (unsigned)argc - 1;
	return 0;
}

int do_ns_cert_type(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	int ret;

	(void)d;
	(void)argc;
	ret = cert_purpose(c, argv[1], &c->cfg->ns_cert_type);
	if (ret == 0)
		ret = cfg_warn(c,
		               "deprecated: checked as the certificate purpose (TLS web %s), "
		               "like remote-cert-tls %s; prefer remote-cert-tls",
		               argv[1], argv[1]);
	return ret;
}

int do_verify_x509_name(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const kinds[] = { "subject", "name", "name-prefix", NULL };
	static const enum config_x509_match match[] = { X509_MATCH_SUBJECT, X509_MATCH_NAME,
		                                        X509_MATCH_PREFIX };
	int k = 1;

	(void)d;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty name");
	if (argc > 2 && (k = cfg_keyword(c, argv[2], kinds)) < 0)
		return k;
	c->cfg->verify_x509_match = match[k];
	return cfg_store_string(c, &c->cfg->verify_x509_name, argv[1]);
}

int do_crl_verify(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	if (argc > 2) {
		if (strcmp(argv[2], "dir") == 0)
			return cfg_fail(c, "the 'dir' form is not supported: give one PEM CRL "
			                   "file (easy-rsa's crl.pem)");
		return cfg_fail(c,
		                "'%s': the only second argument OpenVPN knows is 'dir', and "
		                "l2vpn does not support it",
		                argv[2]);
	}
	return cfg_store_path(c, &c->cfg->crl_verify, argv[1]);
}

/* askpass [FILE]: the passphrase of an encrypted key, from FILE's first line; without FILE it
 * is asked on the terminal (which OpenSSL does anyway for an encrypted key). */
int do_askpass(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	if (argc < 2)
		return 0;
	return cfg_store_path(c, &c->cfg->askpass, argv[1]);
}

int do_tls_version_min(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const versions[] = { "1.0", "1.1", "1.2", "1.3", NULL };
	int v = cfg_keyword(c, argv[1], versions), ret = 0;

	(void)d;
	if (v < 0)
		return v;
	if (argc > 2 && strcmp(argv[2], "or-highest") != 0)
		return cfg_fail(c, "'%s': expected or-highest", argv[2]);
	if (v < 2)
		ret = cfg_warn(c, "%s raised to 1.2, the oldest TLS version l2vpn speaks", argv[1]);
	c->cfg->tls_version_min = v == 3 ? 0x0304 : 0x0303;
	c->cfg->tls_version_min_or_highest = argc > 2;
	return ret;
}

/* tls-version-max 1.2|1.3: the newest TLS version this end offers. */
int do_tls_version_max(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const versions[] = { "1.2", "1.3", NULL };
	int v = cfg_keyword(c, argv[1], versions);

	(void)d;
	(void)argc;
	if (v < 0)
		return v;
	c->cfg->tls_version_max = v == 1 ? 0x0304 : 0x0303;
	return 0;
}

int do_allow_unmarked_certs(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	(void)argv;
	c->cfg->allow_unmarked_certs = true;
	return 0;
}

/* A count of up to 2^64-1 (reneg-bytes, reneg-pkts). */
static int parse_count(struct cfg_ctx *c, const char *s, unsigned long long *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return cfg_fail(c, "empty, expected a number");
	for (const char *p = s; *p; p++) {
		unsigned digit = (unsigned)(*p - '0');
		if (*p < '0' || *p > '9')
			return cfg_fail(c, "'%s' is not a number", s);
		if (v > (ULLONG_MAX - digit) / 10)
			return cfg_fail(c, "%s is out of range", s);
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

/* reneg-sec N [MIN], reneg-bytes N, reneg-pkts N: when a TLS key is replaced (0 = never). */
int do_reneg(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	struct config *cfg = c->cfg;
	unsigned long long v = 0;
	int ret;

	if (strcmp(d->name, "reneg-sec") == 0) {
		ret = cfg_parse_uint(c, NULL, argv[1], 0, UINT_MAX, &cfg->reneg_sec);
		if (ret == 0 && argc > 2)
			ret = cfg_warn(c,
			               "the second value (OpenVPN's randomisation floor) is "
			               "ignored: keys are updated every %u s",
			               cfg->reneg_sec);
		return ret;
	}
	if ((ret = parse_count(c, argv[1], &v)) < 0)
		return ret;
	if (strcmp(d->name, "reneg-pkts") == 0) {
		cfg->reneg_pkts = v;
		return 0;
	}
	cfg->reneg_bytes = v;
	if (v == 0)
		return cfg_warn(c, "0: no byte limit on a TLS key; an AES-GCM key must not carry "
		                   "much more than 2^38 bytes (RFC 8446 section 5.5)");
	if (v < CONFIG_RENEG_BYTES_MIN) {
		cfg->reneg_bytes = CONFIG_RENEG_BYTES_MIN;
		return cfg_warn(c, "%llu raised to %llu, the smallest limit l2vpn uses", v,
		                CONFIG_RENEG_BYTES_MIN);
	}
	return 0;
}

int do_tls_cipher(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty cipher list");
	return cfg_store_string(
	    c, strcmp(d->name, "tls-cipher") == 0 ? &c->cfg->tls_cipher : &c->cfg->tls_ciphersuites,
	    argv[1]);
}

/* tls-groups LIST, and OpenVPN's older ecdh-curve NAME: the one group, unless tls-groups says
 * otherwise (OpenVPN 2.5+ too). OpenSSL judges the names when the TLS context is made. */
int do_tls_groups(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)argc;
	if (argv[1][0] == '\0')
		return cfg_fail(c, "empty group list");
	if (strcmp(d->name, "tls-groups") == 0)
		return cfg_store_string(c, &c->cfg->tls_groups, argv[1]);
	if (c->cfg->tls_groups)
		return cfg_warn(c, "ignored: tls-groups already names the groups");
	if (cfg_store_string(c, &c->cfg->tls_groups, argv[1]) < 0)
		return -ENOMEM;
	return cfg_warn(c, "deprecated: used as tls-groups %s", argv[1]);
}

/* tls-cert-profile NAME: OpenVPN's minimum strength for certificates. l2vpn always holds
 * them to OpenSSL security level 2, which is OpenVPN's "preferred"; weaker profiles would
 * admit certificates it refuses, and Suite B it cannot enforce. */
int do_tls_cert_profile(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	(void)d;
	(void)argc;
	if (strcmp(argv[1], "preferred") == 0)
		return cfg_warn(c, "ignored: l2vpn always applies this profile (OpenSSL security "
		                   "level 2)");
	if (strcmp(argv[1], "legacy") == 0 || strcmp(argv[1], "insecure") == 0)
		return cfg_fail(c,
		                "not supported: l2vpn keeps OpenSSL security level 2 (the "
		                "\"preferred\" profile): reissue certificates with RSA keys below "
		                "2048 bits or SHA-1 signatures, and drop this line");
	if (strcmp(argv[1], "suiteb") == 0)
		return cfg_fail(c,
		                "not supported: l2vpn cannot restrict TLS to Suite B; it applies "
		                "the \"preferred\" profile");
	return cfg_fail(c, "unknown profile '%s' (OpenVPN's: insecure, legacy, preferred, suiteb)",
	                argv[1]);
}

/* inactive N [BYTES]: OpenVPN's, on the tap's traffic in both directions (0 = off). */
int do_inactive(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned long long bytes = 0;
	unsigned secs;
	int ret;

	(void)d;
	if ((ret = cfg_parse_uint(c, NULL, argv[1], 0, 86400 * 365, &secs)) < 0)
		return ret;
	if (argc > 2 && (ret = parse_count(c, argv[2], &bytes)) < 0)
		return ret;
	c->cfg->inactive = secs;
	c->cfg->inactive_bytes = bytes;
	return 0;
}

/* ---- keepalive -------------------------------------------------------------------------- */

int do_keepalive(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned interval, timeout;
	int ret;

	(void)d;
	(void)argc;
	ret = cfg_parse_uint(c, "interval", argv[1], 1, 86400, &interval);
	if (ret == 0)
		ret = cfg_parse_uint(c, "timeout", argv[2], 1, 86400, &timeout);
	if (ret < 0)
		return ret;
	if (timeout < 2 * interval)
		return cfg_fail(c, "timeout %u s must be at least twice the interval %u s", timeout,
		                interval);
	c->cfg->keepalive_interval = interval;
	c->cfg->keepalive_timeout = timeout;
	return 0;
}

int do_ping(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	bool restart = strcmp(d->name, "ping-restart") == 0;
	int ret;

	(void)argc;
	ret = cfg_parse_uint(c, NULL, argv[1], 0, 86400,
	                     restart ? &c->cfg->ping_restart : &c->cfg->ping);
	if (ret == 0 && restart)
		c->cfg->ping_restart_set = true;
	else if (ret == 0)
		c->cfg->ping_set = true;
	return ret;
}

int do_explicit_exit_notify(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	unsigned n;
	int ret;

	(void)d;
	if (argc > 1 && (ret = cfg_parse_uint(c, NULL, argv[1], 0, 100, &n)) < 0)
		return ret;
	c->cfg->explicit_exit_notify = true;
	return cfg_warn(c, "meaningless over TCP (OpenVPN ignores it there too): l2vpn always "
	                   "says goodbye to its peers on exit");
}

/* ---- compression ------------------------------------------------------------------------ */

int do_comp_lzo(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const modes[] = { "yes", "no", "adaptive", NULL };
	static const enum config_comp comp[] = { COMP_YES, COMP_NO, COMP_ADAPTIVE };
	int m = 2;

	(void)d;
	if (argc > 1 && (m = cfg_keyword(c, argv[1], modes)) < 0)
		return m;
	c->cfg->comp = comp[m];
	return 0;
}

int do_compress(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const algs[] = { "lzo",    "stub",    "stub-v2", "lz4",
		                            "lz4-v2", "migrate", NULL };
	int a;

	(void)d;
	if (argc == 1) {
		c->cfg->comp = COMP_NO;
		return cfg_warn(c, "no algorithm: no compression (l2vpn has no framing-only mode)");
	}
	a = cfg_keyword(c, argv[1], algs);
	if (a < 0)
		return a;
	if (a == 0) {
		c->cfg->comp = COMP_YES;
		return 0;
	}
	if (a <= 2) {
		c->cfg->comp = COMP_NO;
		return cfg_warn(c, "%s: no compression (l2vpn has no framing-only mode)", argv[1]);
	}
	if (a <= 4)
		return cfg_fail(c,
		                "%s: l2vpn compresses with LZO only (write compress lzo or "
		                "comp-lzo on both ends, or drop compression)",
		                argv[1]);
	return cfg_fail(c, "migrate: not supported: l2vpn negotiates compression in its hello, "
	                   "there is nothing to migrate");
}

int do_allow_compression(struct cfg_ctx *c, const struct directive *d, int argc, char **argv)
{
	static const char *const modes[] = { "no", "asym", "yes", NULL };
	int m = cfg_keyword(c, argv[1], modes);

	(void)d;
	(void)argc;
	if (m < 0)
		return m;
	c->cfg->allow_compression_set = true;
	c->cfg->allow_compression = m > 0;
	if (m == 1)
		return cfg_warn(c, "asym: treated as yes: l2vpn compresses only when both ends "
		                   "agree in the hello");
	return 0;
}
