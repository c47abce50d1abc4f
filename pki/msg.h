/* msg: one-line diagnostics of l2vpn-ca on stderr, and the OpenSSL error-queue drain. */
#ifndef L2VPN_PKI_MSG_H
#define L2VPN_PKI_MSG_H

/* Print "l2vpn-ca: MSG" on stderr. */
void pki_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "l2vpn-ca: warning: MSG" on stderr. */
void pki_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Drain the OpenSSL error queue into one line "l2vpn-ca: STEP: reason; reason" (or STEP: failed
 * when the queue is empty). Always returns -EIO so callers can `return ossl_fail(...)`. */
int ossl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
