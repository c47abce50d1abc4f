/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS for the tunnel: OpenSSL 3 contexts built from the config (CA, certificate, key, CRL,
 * versions, ciphers), mutual certificate authentication and the peer checks OpenVPN users know
 * (remote-cert-tls, ns-cert-type, verify-x509-name, crl-verify with reload on change).
 */
#ifndef L2VPN_TLS_H
#define L2VPN_TLS_H

#include <openssl/ssl.h>
#include <stdbool.h>

#include "config.h"

struct tls_ctx;

/* Build the TLS context for CFG in the given role. Loads and checks everything (CA parses,
 * certificate matches key, key not readable by group/others, CRL readable). Returns 0 or
 * -errno; the reason has been logged. */
int tls_ctx_new(struct tls_ctx **out, const struct config *cfg, bool server);
void tls_ctx_free(struct tls_ctx *tls);

/* A new TLS session on connected socket FD (server or client side per the context), with the
 * current CA/CRL store. Re-reads the CRL first when its file changed. NULL on failure (logged),
 * including when the CRL has expired (fail closed). */
SSL *tls_session_new(struct tls_ctx *tls, int fd);

/* Re-read the CRL when its file changed (cheap otherwise: one stat). 1: a new CRL came into
 * force since the last call (loaded here or by tls_session_new()), so connected peers should
 * be checked with tls_session_revoked(); 0: nothing changed, or the new file did not load
 * (logged once per change; the old CRL stays in force). */
int tls_ctx_poll_crl(struct tls_ctx *tls);

/* Whether the peer certificate of the established session SSL (or an intermediate CA of its
 * chain) is revoked by the current CRL; if so its serial (hex) goes to SERIAL. */
bool tls_session_revoked(struct tls_ctx *tls, const SSL *ssl, char *serial, size_t len);

/* Switch the session SSL, once its peer has authenticated, to bulk reading: read-ahead into
 * a READ_BUF-byte buffer, so one socket read brings in many records rather than two reads
 * (header, then body) for each. The caller must then treat SSL_has_pending() as input: the
 * socket will not announce bytes OpenSSL already holds. */
void tls_session_bulk_read(SSL *ssl, size_t read_buf);

/* Free a session made by tls_session_new(). */
void tls_session_free(SSL *ssl);

/* The reason the peer checks refused SSL's peer certificate, or NULL. */
const char *tls_session_reject_reason(const SSL *ssl);

/* Copy the peer certificate's CN into BUF ("UNDEF" when none), NUL-terminated and cut to LEN - 1
 * bytes. The CN is the peer's raw text and may hold any byte, NULs included: returns its length
 * in BUF. */
size_t tls_peer_common_name(const SSL *ssl, char *buf, size_t len);

/* The same for CERT's first CN ("UNDEF" when CERT is NULL or has no CN). */
size_t tls_cert_common_name(X509 *cert, char *buf, size_t len);

/* LIST (tls-cipher) with OpenVPN's IANA-style names ("TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384")
 * turned into OpenSSL's ("ECDHE-RSA-AES256-GCM-SHA384"); other entries, and names OpenSSL
 * does not know, are kept as they are (OpenSSL judges them). A malloc'd string in *OUT:
 * 0 or -ENOMEM. */
int tls_cipher_list_openssl(const char *list, char **out);

/* CERT's subject as OpenVPN writes it for verify-x509-name ... subject ("C=DE, O=Example,
 * CN=vpn": the certificate's order, ", " between entries, UTF-8, control bytes escaped) into
 * BUF. Its length, or -1 when it does not fit in LEN bytes with the NUL. */
int tls_cert_subject(X509 *cert, char *buf, size_t len);

/* What the verify callback asks of a peer's own certificate once its chain verified. */
struct tls_peer_checks {
	enum config_cert_purpose want;            /* the peer's role: the opposite of ours */
	enum config_cert_purpose remote_cert_tls; /* PURPOSE_NONE: not asked */
	enum config_cert_purpose ns_cert_type;    /* PURPOSE_NONE: not asked */
	const char *verify_name;                  /* verify-x509-name, NULL: not asked */
	enum config_x509_match verify_match;
	bool allow_unmarked; /* allow-unmarked-certs */
	const char *eku;     /* remote-cert-eku (OID or name), NULL: not asked */
	bool ku;             /* remote-cert-ku: keyUsage present, and matching KU_VALUES if any */
	const uint16_t *ku_values;
	unsigned n_ku;
};

/* Apply CHECKS to the leaf certificate CERT: 0 when it passes, else -EACCES with the reason
 * (as logged for the refused peer) in REASON (LEN > 0 bytes). No I/O. */
int tls_check_peer_cert(X509 *cert, const struct tls_peer_checks *checks, char *reason, size_t len);

/* Log and clear the OpenSSL error queue, prefixed with WHAT. */
void tls_log_errors(int level, const char *what);

/* One-time library setup/teardown. */
void tls_global_init(void);

#endif
