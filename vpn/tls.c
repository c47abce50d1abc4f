// SPDX-License-Identifier: GPL-2.0-or-later
#include "tls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "ratelimit.h"

#define TLS_SECURITY_LEVEL 2     /* the floor; see set_versions_and_ciphers() */
#define CRL_LOG_BURST      3     /* CRL trouble: lines logged at once, */
#define CRL_LOG_MS         10000 /* then one every this many milliseconds */

/* Which version of the CRL file a store was built from (or a failed load was tried on). */
struct crl_version {
	int err; /* stat's errno: 0 when the file is there */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

struct tls_ctx {
	SSL_CTX *ssl_ctx;
	X509_STORE *store; /* CA + CRL; each session holds its own reference */
	bool server;
	enum config_cert_purpose remote_cert_tls, ns_cert_type;
	char *verify_name;
	enum config_x509_match verify_match;
	char *ca_path, *ca_inline, *crl_path;
	struct crl_version crl_seen;    /* the file version last loaded or refused */
	struct ratelimit crl_log;       /* errors about the CRL file */
	unsigned store_gen, polled_gen; /* stores built; the one tls_ctx_poll_crl() last saw */
	bool allow_unmarked;            /* allow-unmarked-certs */
	char *eku;                      /* remote-cert-eku */
	bool ku;                        /* remote-cert-ku */
	uint16_t ku_values[CONFIG_KU_MAX];
	unsigned n_ku;
};

static int reject_reason_index = -1;

void tls_global_init(void)
{
	if (reject_reason_index < 0)
		reject_reason_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

void tls_log_errors(int level, const char *what)
{
	unsigned long e;
	char buf[256];
	bool any = false;

	while ((e = ERR_get_error())) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_msg(level, "%s: %s", what, buf);
		any = true;
	}
	if (!any)
		log_msg(level, "%s: failed", what);
}

/* BIO over either a file path or an inline PEM block. */
static BIO *pem_bio(const char *path, const char *inline_pem)
{
	if (inline_pem)
		return BIO_new_mem_buf(inline_pem, -1);
	return BIO_new_file(path, "r");
}

static const char *pem_name(const struct config_pem *pem, const char *what)
{
	return pem->path ? pem->path : what;
}

/* Load every certificate of the CA bundle into STORE. */
static int load_ca(X509_STORE *store, const char *path, const char *inline_pem)
{
	BIO *bio = pem_bio(path, inline_pem);
	X509 *x;
	int n = 0;

	if (!bio) {
		tls_log_errors(LOG_LVL_ERROR, path ? path : "inline <ca>");
		return -ENOENT;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		X509_STORE_add_cert(store, x);
		X509_free(x);
		n++;
	}
	ERR_clear_error(); /* the read that ends the loop leaves "no start line" */
	BIO_free(bio);
	if (!n) {
		log_errorx("%s: no certificate found in CA file", path ? path : "inline <ca>");
		return -EINVAL;
	}
	return 0;
}

/* An error about the CRL file, at most CRL_LOG_BURST lines at once and then one every
 * CRL_LOG_MS: a file rewritten in a loop cannot flood the log. */
__attribute__((format(printf, 2, 3))) static void crl_error(struct tls_ctx *tls, const char *fmt,
                                                            ...)
{
	struct timespec ts;
	uint64_t suppressed = 0;
	char line[512];
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!tls->crl_log.burst)
		ratelimit_init(&tls->crl_log, CRL_LOG_BURST, CRL_LOG_MS);
	if (!ratelimit_pass(&tls->crl_log,
	                    (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000,
	                    &suppressed))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (suppressed)
		log_errorx("%s (%llu more CRL messages not logged)", line,
		           (unsigned long long)suppressed);
	else
		log_errorx("%s", line);
}

/* Add the CRLs of FILE to STORE. 0: all loaded (*EXPIRED set when one's nextUpdate passed);
 * -errno (ENOENT, EACCES...): the file cannot be opened; -EBADMSG: it holds no CRL or one that
 * does not parse (garbage, a truncated copy). */
static int load_crl(X509_STORE *store, const char *path, bool *expired)
{
	BIO *bio = BIO_new_file(path, "r");
	X509_CRL *crl;
	unsigned long e;
	int n = 0;

	*expired = false;
	if (!bio) {
		int err = errno; /* from the fopen() under BIO_new_file() */
		ERR_clear_error();
		return -(err ? err : EIO);
	}
	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL))) {
		const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
		if (next && X509_cmp_current_time(next) < 0)
			*expired = true;
		X509_STORE_add_crl(store, crl);
		X509_CRL_free(crl);
		n++;
	}
	/* The read that ends the loop leaves "no start line"; anything else is a broken CRL. */
	e = ERR_peek_last_error();
	ERR_clear_error();
	BIO_free(bio);
	if (!n ||
	    (e && !(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)))
		return -EBADMSG;
	return 0;
}

/* A fresh store with the CA and (if configured) the CRL. *CRL_RET gets load_crl()'s result
 * (0 without a CRL). A CRL that cannot be opened still gives a store: one that checks CRLs and
 * has none, so every chain fails ("unable to get certificate CRL"), i.e. closed. A CRL that
 * does not parse gives no store. */
static int build_store(struct tls_ctx *tls, X509_STORE **out, int *crl_ret, bool *expired)
{
	X509_STORE *store = X509_STORE_new();
	int ret;

	*crl_ret = 0;
	*expired = false;
	if (!store)
		return -ENOMEM;
	ret = load_ca(store, tls->ca_path, tls->ca_inline);
	if (ret < 0)
		goto fail;
	if (tls->crl_path) {
		*crl_ret = load_crl(store, tls->crl_path, expired);
		if (*crl_ret == -EBADMSG || *crl_ret == -ENOMEM) {
			ret = *crl_ret;
			goto fail;
		}
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	}
	*out = store;
	return 0;
fail:
	X509_STORE_free(store);
	return ret;
}

static void crl_version_of(const char *path, struct crl_version *v)
{
	struct stat st;

	memset(v, 0, sizeof(*v));
	if (stat(path, &st) < 0) {
		v->err = errno;
		return;
	}
	v->dev = st.st_dev;
	v->ino = st.st_ino;
	v->size = st.st_size;
	v->mtime = st.st_mtim;
	v->ctime = st.st_ctim;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool crl_version_same(const struct crl_version *a, const struct crl_version *b)
{
	return a->err == b->err && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       same_time(&a->mtime, &b->mtime) && same_time(&a->ctime, &b->ctime);
}

/* Log what a freshly built store means for new connections. */
static void report_crl(struct tls_ctx *tls, int crl_ret, bool expired, bool reload)
{
	if (crl_ret < 0)
		crl_error(tls,
		          "crl-verify %s: cannot read the CRL: %s: every new connection is refused "
		          "until it is back",
		          tls->crl_path, strerror(-crl_ret));
	else if (expired)
		crl_error(tls,
		          "crl-verify %s: the CRL expired (nextUpdate passed): every new "
		          "connection is refused until it is renewed (l2vpn-ca gen-crl)",
		          tls->crl_path);
	else if (reload)
		log_notice("crl-verify %s: reloaded", tls->crl_path);
}

/* The store when there is none yet, or a fresh one when the CRL file changed (another inode,
 * size, mtime or ctime, or it appeared or vanished). 1: replaced, 0: unchanged, -errno: there is
 * no store (the first load failed; logged).
 *
 * Once running, a new file version is tried once: one that does not parse (garbage, a copy
 * caught half-written) keeps the store in force and logs an error naming the file; one that
 * cannot be opened (deleted, unreadable) and an expired one replace it and refuse every new
 * connection until a good CRL is back. */
static int refresh_store(struct tls_ctx *tls)
{
	struct crl_version v;
	X509_STORE *store = NULL;
	bool expired;
	int ret, crl_ret;

	if (tls->store && !tls->crl_path)
		return 0;
	if (tls->crl_path) {
		crl_version_of(tls->crl_path, &v);
		if (tls->store && crl_version_same(&v, &tls->crl_seen))
			return 0;
	}
	ret = build_store(tls, &store, &crl_ret, &expired);
	if (!tls->store) {
		/* At start (and for a reload's new configuration) everything must load. */
		if (crl_ret == -EBADMSG)
			log_errorx("crl-verify %s: no valid CRL in the file", tls->crl_path);
		else if (crl_ret < 0)
			log_errorx("crl-verify %s: cannot read the CRL: %s", tls->crl_path,
			           strerror(-crl_ret));
		if (ret >= 0 && crl_ret < 0) {
			X509_STORE_free(store);
			ret = crl_ret;
		}
		if (ret < 0)
			return ret;
		report_crl(tls, 0, expired, false);
	} else {
		if (tls->crl_path)
			tls->crl_seen = v; /* tried once, whatever the outcome */
		if (ret < 0) {
			if (crl_ret == -EBADMSG)
				crl_error(tls,
				          "crl-verify %s: the file holds no valid CRL (garbage or "
				          "cut short): keeping the CRL loaded before",
				          tls->crl_path);
			else
				crl_error(tls, "crl-verify %s: the CRL could not be reloaded: %s",
				          tls->crl_path, strerror(-ret));
			return 0;
		}
		report_crl(tls, crl_ret, expired, true);
	}
	X509_STORE_free(tls->store);
	tls->store = store;
	tls->store_gen++;
	if (tls->crl_path)
		tls->crl_seen = v;
	return 1;
}

int tls_ctx_poll_crl(struct tls_ctx *tls)
{
	/* refresh_store() tries each new version of the file once, so a broken one is reported
	 * once per change, not once a second. A store that tls_session_new() rebuilt since the
	 * last poll counts as new too. */
	if (!tls || !tls->crl_path)
		return 0;
	refresh_store(tls);
	if (tls->polled_gen == tls->store_gen)
		return 0;
	tls->polled_gen = tls->store_gen;
	return 1;
}

__attribute__((format(printf, 2, 3))) static void set_reject(SSL *ssl, const char *fmt, ...)
{
	va_list ap;
	char *reason = OPENSSL_zalloc(256);

	if (!reason)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, 256, fmt, ap);
	va_end(ap);
	OPENSSL_free(SSL_get_ex_data(ssl, reject_reason_index));
	SSL_set_ex_data(ssl, reject_reason_index, reason);
}

const char *tls_session_reject_reason(const SSL *ssl)
{
	return SSL_get_ex_data(ssl, reject_reason_index);
}

/* remote-cert-tls: keyUsage must be present, extendedKeyUsage must name the role. */
static bool has_tls_role(X509 *cert, enum config_cert_purpose role)
{
	uint32_t xku = X509_get_extended_key_usage(cert);
	uint32_t flags = X509_get_extension_flags(cert);

	if (!(flags & EXFLAG_KUSAGE) || !(flags & EXFLAG_XKUSAGE))
		return false;
	return role == PURPOSE_SERVER ? (xku & XKU_SSL_SERVER) : (xku & XKU_SSL_CLIENT);
}

/* OpenSSL's SSL client/server purpose, which honours extendedKeyUsage, keyUsage and the
 * Netscape cert type where present, and accepts a certificate that has none of them. */
static bool has_purpose(X509 *cert, enum config_cert_purpose role)
{
	int id = role == PURPOSE_SERVER ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT;
	return X509_check_purpose(cert, id, 0) == 1;
}

/* The certificate names a TLS role at all: extendedKeyUsage or Netscape cert type. */
static bool names_a_role(X509 *cert)
{
	return X509_get_extension_flags(cert) & (EXFLAG_XKUSAGE | EXFLAG_NSCERT);
}

/* The certificate names ROLE: its extendedKeyUsage lists TLS web server/client
 * authentication, or its Netscape cert type says SSL server/client (easy-rsa sets both). */
static bool marked_for(X509 *cert, enum config_cert_purpose role)
{
	uint32_t flags = X509_get_extension_flags(cert);
	ASN1_BIT_STRING *ns;
	bool yes = false;

	if ((flags & EXFLAG_XKUSAGE) &&
	    (X509_get_extended_key_usage(cert) &
	     (role == PURPOSE_SERVER ? XKU_SSL_SERVER : XKU_SSL_CLIENT)))
		return true;
	if (!(flags & EXFLAG_NSCERT))
		return false;
	ns = X509_get_ext_d2i(cert, NID_netscape_cert_type, NULL, NULL);
	if (ns) /* bit 0: SSL client, bit 1: SSL server */
		yes = ASN1_BIT_STRING_get_bit(ns, role == PURPOSE_SERVER ? 1 : 0);
	ASN1_BIT_STRING_free(ns);
	return yes;
}

/* ns-cert-type and the default role check: a certificate valid for ROLE that says so. With
 * ALLOW_UNMARKED one that names no role at all passes too (never one made for the other). */
static bool is_for_role(X509 *cert, enum config_cert_purpose role, bool allow_unmarked)
{
	if (!has_purpose(cert, role))
		return false;
	return marked_for(cert, role) || (allow_unmarked && !names_a_role(cert));
}

int tls_cert_subject(X509 *cert, char *buf, size_t len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
	                            ASN1_STRFLGS_UTF8_CONVERT | ASN1_STRFLGS_ESC_CTRL;
	char *text = NULL;
	long n;
	int ret = -1;

	if (bio && X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, flags) >= 0) {
		n = BIO_get_mem_data(bio, &text);
		if (n == 0 && len > 0) { /* an empty subject: the BIO may hold no buffer at all */
			buf[0] = '\0';
			ret = 0;
		} else if (n > 0 && text && (size_t)n < len && !memchr(text, '\0', (size_t)n)) {
			memcpy(buf, text, (size_t)n);
			buf[n] = '\0';
			ret = (int)n;
		}
	}
	BIO_free(bio);
	return ret;
}

static bool name_matches(X509 *cert, const char *want, enum config_x509_match how)
{
	char buf[1024];
	int n;

	if (how == X509_MATCH_SUBJECT)
		return tls_cert_subject(cert, buf, sizeof(buf)) >= 0 && !strcmp(buf, want);
	/* The CN is compared whole: one with a NUL byte, or longer than BUF, would otherwise be
	 * judged by the bytes before the NUL or the cut (a CN "site-a\0.evil" passing as
	 * "site-a"). The text's length must be the CN's. */
	n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf,
	                              sizeof(buf));
	if (n < 0 || (size_t)n >= sizeof(buf) - 1 || strlen(buf) != (size_t)n)
		return false;
	if (how == X509_MATCH_PREFIX)
		return !strncmp(buf, want, strlen(want));
	return !strcmp(buf, want);
}

static const char *role_name(enum config_cert_purpose role)
{
	return role == PURPOSE_SERVER ? "server" : "client";
}

/* The directive that asked for the peer's role, for log lines. */
static const char *check_name(const struct tls_peer_checks *c)
{
	if (c->remote_cert_tls != PURPOSE_NONE)
		return "remote-cert-tls";
	if (c->ns_cert_type != PURPOSE_NONE)
		return "ns-cert-type";
	return "role check";
}

/* NAME is an OID in dotted form or a name OpenSSL knows. */
static bool known_object(const char *name)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(name, 0);

	ASN1_OBJECT_free(obj);
	return obj != NULL;
}

/* CERT's extendedKeyUsage names WANT (an OID in dotted form, or OpenSSL's short or long
 * name, as OpenVPN accepts). */
static bool has_eku(X509 *cert, const char *want)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(want, 0);
	EXTENDED_KEY_USAGE *ekus = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	bool found = false;

	for (int i = 0; obj && ekus && !found && i < sk_ASN1_OBJECT_num(ekus); i++)
		found = OBJ_cmp(sk_ASN1_OBJECT_value(ekus, i), obj) == 0;
	EXTENDED_KEY_USAGE_free(ekus);
	ASN1_OBJECT_free(obj);
	return found;
}

/* remote-cert-ku: CERT has a keyUsage and, when values are given, all the bits of one. */
static int check_ku(X509 *cert, const struct tls_peer_checks *c, char *reason, size_t len)
{
	uint32_t have = X509_get_key_usage(cert);

	if (have == UINT32_MAX) {
		snprintf(reason, len, "remote-cert-ku: the peer certificate has no keyUsage");
		return -EACCES;
	}
	if (!c->n_ku)
		return 0;
	for (unsigned i = 0; i < c->n_ku; i++)
		if ((have & c->ku_values[i]) == c->ku_values[i])
			return 0;
	snprintf(reason, len,
	         "remote-cert-ku: the peer certificate's keyUsage (%x) holds the bits of none of "
	         "the values given",
	         (unsigned)have);
	return -EACCES;
}

int tls_check_peer_cert(X509 *cert, const struct tls_peer_checks *c, char *reason, size_t len)
{
	if (c->remote_cert_tls != PURPOSE_NONE && !has_tls_role(cert, c->remote_cert_tls)) {
		snprintf(reason, len,
		         "remote-cert-tls %s: the peer certificate lacks keyUsage or the "
		         "extendedKeyUsage for a TLS %s",
		         role_name(c->remote_cert_tls), role_name(c->remote_cert_tls));
		return -EACCES;
	}
	if (c->ns_cert_type != PURPOSE_NONE && !is_for_role(cert, c->ns_cert_type, false)) {
		snprintf(reason, len,
		         "ns-cert-type %s: the peer certificate is not a %s certificate",
		         role_name(c->ns_cert_type), role_name(c->ns_cert_type));
		return -EACCES;
	}
	/* With no explicit check, still require a certificate marked for the expected role: a
	 * client certificate, or one that names no role, from the same CA must never pass as a
	 * server (and the reverse), unless allow-unmarked-certs admits unmarked ones. */
	if (c->remote_cert_tls == PURPOSE_NONE && c->ns_cert_type == PURPOSE_NONE &&
	    !is_for_role(cert, c->want, c->allow_unmarked)) {
		if (has_purpose(cert, c->want) && !names_a_role(cert))
			snprintf(reason, len,
			         "the peer certificate names no TLS role (no extendedKeyUsage, no "
			         "nsCertType) and a TLS %s certificate is required "
			         "(allow-unmarked-certs accepts such certificates)",
			         role_name(c->want));
		else
			snprintf(reason, len, "the peer certificate is not valid for a TLS %s",
			         role_name(c->want));
		return -EACCES;
	}
	if (c->eku && !has_eku(cert, c->eku)) {
		snprintf(
		    reason, len,
		    "remote-cert-eku %s: the peer certificate's extendedKeyUsage does not name it",
		    c->eku);
		return -EACCES;
	}
	if (c->ku && check_ku(cert, c, reason, len) < 0)
		return -EACCES;
	if (c->verify_name && !name_matches(cert, c->verify_name, c->verify_match)) {
		snprintf(reason, len, "verify-x509-name: the peer certificate does not match '%s'",
		         c->verify_name);
		return -EACCES;
	}
	return 0;
}

/* CERT's common name into BUF ("?" when it has none); returns BUF. */
static const char *cert_cn(X509 *cert, char *buf, size_t len)
{
	if (!cert || X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf,
	                                       (int)len) < 0)
		snprintf(buf, len, "?");
	return buf;
}

static int verify_callback(int preverify_ok, X509_STORE_CTX *store_ctx)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store_ctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_ctx *tls = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	X509 *cert = X509_STORE_CTX_get_current_cert(store_ctx);
	const struct tls_peer_checks checks = {
		.want = tls->server ? PURPOSE_CLIENT : PURPOSE_SERVER,
		.remote_cert_tls = tls->remote_cert_tls,
		.ns_cert_type = tls->ns_cert_type,
		.verify_name = tls->verify_name,
		.verify_match = tls->verify_match,
		.allow_unmarked = tls->allow_unmarked,
		.eku = tls->eku,
		.ku = tls->ku,
		.ku_values = tls->ku_values,
		.n_ku = tls->n_ku,
	};
	char reason[256], cn[65];

	if (!preverify_ok) {
		int err = X509_STORE_CTX_get_error(store_ctx);
		/* OpenSSL's own role check runs first: name the directive the operator knows. */
		if (err == X509_V_ERR_INVALID_PURPOSE &&
		    X509_STORE_CTX_get_error_depth(store_ctx) == 0)
			set_reject(ssl,
			           "%s %s: the peer certificate is not valid for a TLS %s (it was "
			           "made for the other role)",
			           check_name(&checks), role_name(checks.want),
			           role_name(checks.want));
		else if (err == X509_V_ERR_UNABLE_TO_GET_CRL)
			set_reject(
			    ssl,
			    "certificate verification failed: unable to get certificate CRL: "
			    "crl-verify holds no CRL of the CA that issued \"%s\" (depth %d); "
			    "it needs the CRL of every CA in the chain",
			    cert_cn(cert, cn, sizeof(cn)),
			    X509_STORE_CTX_get_error_depth(store_ctx));
		else
			set_reject(ssl, "certificate verification failed: %s",
			           X509_verify_cert_error_string(err));
		return 0;
	}
	if (X509_STORE_CTX_get_error_depth(store_ctx) != 0)
		return 1;
	if (tls_check_peer_cert(cert, &checks, reason, sizeof(reason)) == 0)
		return 1;
	set_reject(ssl, "%s", reason);
	X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_APPLICATION_VERIFICATION);
	return 0;
}

/* A private key readable by group or others is refused, like ssh does: the key file, or the
 * config file holding an inline <key> block (INLINE_KEY). */
static int check_key_mode(const char *path, bool inline_key)
{
	const char *what = inline_key ? "config" : "key";
	struct stat st;

	if (stat(path, &st) < 0) {
		int err = errno;

		log_error(err, "%s %s", what, path);
		return -err;
	}
	if (st.st_mode & 077) {
		log_errorx(
		    "%s %s %sis readable by group or others (mode %04o): refusing to use it; "
		    "fix with: chmod 600 %s",
		    what, path, inline_key ? "holds a private key (inline <key>) and " : "",
		    (unsigned)(st.st_mode & 07777), path);
		return -EPERM;
	}
	return 0;
}

/* askpass FILE: the first line of FILE is the key's passphrase. */
static int read_askpass(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int n = -1;

	if (!f) {
		log_error(errno, "askpass %s", path);
		return -1;
	}
	if (fgets(buf, (int)len, f)) {
		buf[strcspn(buf, "\r\n")] = 0;
		n = (int)strlen(buf);
	} else {
		log_errorx("askpass %s: empty file", path);
	}
	fclose(f);
	return n;
}

static int askpass_callback(char *buf, int size, int rwflag, void *arg)
{
	(void)rwflag;
	return read_askpass(arg, buf, (size_t)size);
}

static int load_cert_and_key(SSL_CTX *ctx, const struct config *cfg)
{
	BIO *bio = NULL;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	int ret = -EINVAL;

	bio = pem_bio(cfg->cert.path, cfg->cert.inline_pem);
	if (!bio || !(cert = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		tls_log_errors(LOG_LVL_ERROR, pem_name(&cfg->cert, "inline <cert>"));
		goto out;
	}
	/* Chain certificates after the leaf in the same file go out with it. */
	if (SSL_CTX_use_certificate(ctx, cert) != 1) {
		tls_log_errors(LOG_LVL_ERROR, pem_name(&cfg->cert, "inline <cert>"));
		goto out;
	}
	for (X509 *extra; (extra = PEM_read_bio_X509(bio, NULL, NULL, NULL));)
		SSL_CTX_add0_chain_cert(ctx, extra);
	ERR_clear_error();
	BIO_free(bio);

	if (cfg->key.path && (ret = check_key_mode(cfg->key.path, false)) < 0)
		goto out_nobio;
	if (cfg->key.inline_source && (ret = check_key_mode(cfg->key.inline_source, true)) < 0)
		goto out_nobio;
	ret = -EINVAL;
	bio = pem_bio(cfg->key.path, cfg->key.inline_pem);
	if (!bio || !(key = PEM_read_bio_PrivateKey(
	                  bio, NULL, cfg->askpass ? askpass_callback : NULL, cfg->askpass))) {
		tls_log_errors(LOG_LVL_ERROR, pem_name(&cfg->key, "inline <key>"));
		if (cfg->askpass)
			log_errorx("(is the passphrase in askpass %s right?)", cfg->askpass);
		goto out;
	}
	if (SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		log_errorx("key %s does not match certificate %s",
		           pem_name(&cfg->key, "inline <key>"),
		           pem_name(&cfg->cert, "inline <cert>"));
		ERR_clear_error();
		goto out;
	}
	ret = 0;
out:
	BIO_free(bio);
out_nobio:
	X509_free(cert);
	EVP_PKEY_free(key);
	return ret;
}

int tls_cipher_list_openssl(const char *list, char **out)
{
	size_t cap = strlen(list) + 1, used = 0;
	char *res = malloc(cap), *copy = strdup(list), *save = NULL;

	if (!res || !copy) {
		free(res);
		free(copy);
		return -ENOMEM;
	}
	res[0] = '\0';
	for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		size_t lead = strspn(tok, "!+-"), len;
		const char *name = tok + lead, *ossl = NULL;
		char std[128];

		/* OpenVPN's "TLS-ECDHE-RSA-WITH-..." is the IANA name with dashes. */
		if (!strncmp(name, "TLS-", 4) && strlen(name) < sizeof(std)) {
			for (size_t k = 0; (std[k] = name[k] == '-' ? '_' : name[k]); k++)
				;
			ossl = OPENSSL_cipher_name(std);
			if (ossl && !strcmp(ossl, "(NONE)"))
				ossl = NULL;
		}
		if (ossl)
			name = ossl;
		len = lead + strlen(name) + 1;
		if (used + len + 1 > cap) {
			char *grown = realloc(res, cap = used + len + 1);
			if (!grown) {
				free(res);
				free(copy);
				return -ENOMEM;
			}
			res = grown;
		}
		used += (size_t)snprintf(res + used, cap - used, "%s%.*s%s", used ? ":" : "",
		                         (int)lead, tok, name);
	}
	free(copy);
	*out = res;
	return 0;
}

static int set_versions_and_ciphers(SSL_CTX *ctx, const struct config *cfg)
{
	int min = cfg->tls_version_min ? cfg->tls_version_min : TLS1_2_VERSION;

	if (SSL_CTX_set_min_proto_version(ctx, min) != 1) {
		tls_log_errors(LOG_LVL_ERROR, "tls-version-min");
		return -EINVAL;
	}
	if (cfg->tls_version_max && cfg->tls_version_max < min) {
		log_errorx("tls-version-max %s is below tls-version-min %s",
		           cfg->tls_version_max == TLS1_3_VERSION ? "1.3" : "1.2",
		           min == TLS1_3_VERSION ? "1.3" : "1.2");
		return -EINVAL;
	}
	if (cfg->tls_version_max && SSL_CTX_set_max_proto_version(ctx, cfg->tls_version_max) != 1) {
		tls_log_errors(LOG_LVL_ERROR, "tls-version-max");
		return -EINVAL;
	}
	if (cfg->tls_cipher) {
		char *list = NULL;
		int ok;

		if (tls_cipher_list_openssl(cfg->tls_cipher, &list) < 0)
			return -ENOMEM;
		ok = SSL_CTX_set_cipher_list(ctx, list);
		free(list);
		if (ok != 1) {
			tls_log_errors(LOG_LVL_ERROR, "tls-cipher");
			return -EINVAL;
		}
	}
	if (cfg->tls_ciphersuites && SSL_CTX_set_ciphersuites(ctx, cfg->tls_ciphersuites) != 1) {
		tls_log_errors(LOG_LVL_ERROR, "tls-ciphersuites");
		return -EINVAL;
	}
	if (cfg->tls_groups && SSL_CTX_set1_groups_list(ctx, cfg->tls_groups) != 1) {
		tls_log_errors(LOG_LVL_ERROR, "tls-groups");
		return -EINVAL;
	}
	/* Whatever the system's OpenSSL configuration or a tls-cipher @SECLEVEL says, never below
	 * level 2: keys of at least 112-bit strength (RSA/DH >= 2048, ECC >= 224 bits), no SHA-1
	 * or MD5 signatures, no RC4. Set before the certificate is loaded, so a weak own key is
	 * refused at start; the peer's chain is checked against it in every handshake. */
	if (SSL_CTX_get_security_level(ctx) < TLS_SECURITY_LEVEL)
		SSL_CTX_set_security_level(ctx, TLS_SECURITY_LEVEL);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* dh FILE (or an inline <dh> block) must hold PEM DH parameters, so --test-config catches a
 * wrong file; l2vpn does not use them (TLS 1.3 and ECDHE need none), so a small group only
 * gets a note. */
static int check_dh(const struct config *cfg)
{
	const char *what = cfg->dh.path ? cfg->dh.path : "(inline)";
	BIO *bio = NULL;
	EVP_PKEY *params = NULL;
	int ret = -EINVAL;

	if (cfg->dh.path)
		bio = BIO_new_file(cfg->dh.path, "r");
	else if (cfg->dh.inline_pem)
		bio = BIO_new_mem_buf(cfg->dh.inline_pem, -1);
	else
		return 0;
	if (!bio) {
		tls_log_errors(LOG_LVL_ERROR, "dh");
		log_errorx("dh %s: cannot be read", what);
		return -EIO;
	}
	params = PEM_read_bio_Parameters(bio, NULL);
	if (!params || !(EVP_PKEY_is_a(params, "DH") || EVP_PKEY_is_a(params, "DHX"))) {
		ERR_clear_error();
		log_errorx("dh %s: not PEM Diffie-Hellman parameters (openssl dhparam writes them)",
		           what);
		goto out;
	}
	if (EVP_PKEY_get_bits(params) < 2048)
		log_notice("dh %s: a %d-bit group; l2vpn does not use it (TLS 1.3 and ECDHE need "
		           "none)",
		           what, EVP_PKEY_get_bits(params));
	ret = 0;
out:
	EVP_PKEY_free(params);
	BIO_free(bio);
	return ret;
}

int tls_ctx_new(struct tls_ctx **out, const struct config *cfg, bool server)
{
	struct tls_ctx *tls = calloc(1, sizeof(*tls));
	int ret = -ENOMEM;

	tls_global_init();
	if (!tls)
		return -ENOMEM;
	tls->server = server;
	tls->remote_cert_tls = cfg->remote_cert_tls;
	tls->ns_cert_type = cfg->ns_cert_type;
	tls->allow_unmarked = cfg->allow_unmarked_certs;
	tls->verify_match = cfg->verify_x509_match;
	tls->verify_name = dup_or_null(cfg->verify_x509_name);
	tls->eku = dup_or_null(cfg->remote_cert_eku);
	tls->ku = cfg->remote_cert_ku;
	tls->n_ku = cfg->n_remote_cert_ku;
	memcpy(tls->ku_values, cfg->remote_cert_ku_values, sizeof(tls->ku_values));
	tls->ca_path = dup_or_null(cfg->ca.path);
	tls->ca_inline = dup_or_null(cfg->ca.inline_pem);
	tls->crl_path = dup_or_null(cfg->crl_verify);
	if (tls->eku && !known_object(tls->eku)) {
		log_errorx("remote-cert-eku %s: neither an OID nor a name OpenSSL knows", tls->eku);
		ret = -EINVAL;
		goto fail;
	}
	tls->ssl_ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!tls->ssl_ctx)
		goto fail;
	SSL_CTX_set_app_data(tls->ssl_ctx, tls);
	SSL_CTX_set_options(tls->ssl_ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
	                                      SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(tls->ssl_ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(tls->ssl_ctx, 0);
	SSL_CTX_set_mode(tls->ssl_ctx,
	                 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(tls->ssl_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	                   verify_callback);
	SSL_CTX_set_verify_depth(tls->ssl_ctx, 8);

	if ((ret = set_versions_and_ciphers(tls->ssl_ctx, cfg)) < 0)
		goto fail;
	if ((ret = check_dh(cfg)) < 0 || (ret = load_cert_and_key(tls->ssl_ctx, cfg)) < 0)
		goto fail;
	if ((ret = refresh_store(tls)) < 0)
		goto fail;
	tls->polled_gen = tls->store_gen;
	if (server && tls->store) {
		/* Tell clients which CA we want (their certificate selection, and for logs). */
		STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
		STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(tls->store);
		for (int i = 0; names && i < sk_X509_OBJECT_num(objs); i++) {
			X509 *ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
			if (ca)
				sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
		}
		SSL_CTX_set_client_CA_list(tls->ssl_ctx, names);
	}
	*out = tls;
	return 0;
fail:
	tls_ctx_free(tls);
	return ret;
}

void tls_ctx_free(struct tls_ctx *tls)
{
	if (!tls)
		return;
	SSL_CTX_free(tls->ssl_ctx);
	X509_STORE_free(tls->store);
	free(tls->verify_name);
	free(tls->eku);
	free(tls->ca_path);
	free(tls->ca_inline);
	free(tls->crl_path);
	free(tls);
}

static void free_reject_reason(SSL *ssl)
{
	OPENSSL_free(SSL_get_ex_data(ssl, reject_reason_index));
	SSL_set_ex_data(ssl, reject_reason_index, NULL);
}

void tls_session_bulk_read(SSL *ssl, size_t read_buf)
{
	/* The larger buffer comes with the next allocation, so the current one (empty once
	 * the HELLO has been read) is let go. Were it still holding input, the link would keep
	 * the standard size: correct, only slower. */
	SSL_set_default_read_buffer_len(ssl, read_buf);
	SSL_set_read_ahead(ssl, 1);
	SSL_free_buffers(ssl);
}

SSL *tls_session_new(struct tls_ctx *tls, int fd)
{
	SSL *ssl;

	if (refresh_store(tls) < 0)
		return NULL;
	ssl = SSL_new(tls->ssl_ctx);
	if (!ssl) {
		tls_log_errors(LOG_LVL_ERROR, "SSL_new");
		return NULL;
	}
	if (SSL_set1_verify_cert_store(ssl, tls->store) != 1 || SSL_set_fd(ssl, fd) != 1) {
		tls_log_errors(LOG_LVL_ERROR, "TLS session setup");
		SSL_free(ssl);
		return NULL;
	}
	if (tls->server)
		SSL_set_accept_state(ssl);
	else
		SSL_set_connect_state(ssl);
	return ssl;
}

void tls_session_free(SSL *ssl)
{
	if (!ssl)
		return;
	free_reject_reason(ssl);
	SSL_free(ssl);
}

size_t tls_cert_common_name(X509 *cert, char *buf, size_t len)
{
	int n = -1;

	if (cert)
		n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf,
		                              (int)len);
	if (n < 0)
		n = snprintf(buf, len, "UNDEF");
	return (size_t)n < len ? (size_t)n : len - 1;
}

size_t tls_peer_common_name(const SSL *ssl, char *buf, size_t len)
{
	return tls_cert_common_name(SSL_get0_peer_certificate(ssl), buf, len);
}

/* The CRL in STORE's objects that is signed by a CA certificate of the store. */
static bool crl_signed_by_store_ca(STACK_OF(X509_OBJECT) * objs, X509_CRL *crl)
{
	for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509 *ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		EVP_PKEY *key;

		if (!ca || X509_NAME_cmp(X509_get_subject_name(ca), X509_CRL_get_issuer(crl)))
			continue;
		key = X509_get0_pubkey(ca);
		if (key && X509_CRL_verify(crl, key) == 1)
			return true;
	}
	ERR_clear_error();
	return false;
}

/* CERT is listed in a CRL of OBJS that its issuer signed. */
static bool cert_revoked(STACK_OF(X509_OBJECT) * objs, X509 *cert)
{
	for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509_CRL *crl = X509_OBJECT_get0_X509_CRL(sk_X509_OBJECT_value(objs, i));
		X509_REVOKED *rev = NULL;

		if (!crl || X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(cert)))
			continue;
		if (X509_CRL_get0_by_cert(crl, &rev, cert) == 1 &&
		    crl_signed_by_store_ca(objs, crl))
			return true;
	}
	return false;
}

static void format_serial(X509 *cert, char *buf, size_t len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	snprintf(buf, len, "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

bool tls_session_revoked(struct tls_ctx *tls, const SSL *ssl, char *serial, size_t len)
{
	STACK_OF(X509) *chain = SSL_get0_verified_chain(ssl);
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	STACK_OF(X509_OBJECT) * objs;

	if (!tls->crl_path || !tls->store || !leaf)
		return false;
	objs = X509_STORE_get0_objects(tls->store);
	if (cert_revoked(objs, leaf)) {
		format_serial(leaf, serial, len);
		return true;
	}
	/* The intermediate CAs of the verified chain (the last one is the trust anchor). */
	for (int i = 1; chain && i < sk_X509_num(chain) - 1; i++) {
		X509 *ca = sk_X509_value(chain, i);
		if (cert_revoked(objs, ca)) {
			format_serial(ca, serial, len);
			return true;
		}
	}
	return false;
}
