/* crl: certificate revocation lists from the index, and checks against them. */
#ifndef L2VPN_PKI_CRL_H
#define L2VPN_PKI_CRL_H

#include <stdbool.h>

#include <openssl/x509.h>

#include "db.h"

/* Build a v2 CRL signed by CA/CAKEY listing every R row of DB, with CRL number NUMBER,
 * lastUpdate now (minus BACKDATE_DAYS) and nextUpdate DAYS later. NULL after reporting. */
X509_CRL *crl_build(const struct db *db, X509 *ca, EVP_PKEY *cakey, long number, int days,
                    int backdate_days);

/* Verify CERT against CA (trusted as it is, also when it is an intermediate CA) and CRL.
 * Returns the X509_V_* result (X509_V_OK when
 * accepted), or -1 on an internal failure (reported). */
int crl_verify_cert(X509 *ca, X509_CRL *crl, X509 *cert);

/* Load a PEM CRL; NULL (reported unless QUIET_ENOENT and missing). */
X509_CRL *crl_load(const char *path, bool quiet_enoent);

/* Seconds from now until T (negative when past). */
long long crl_seconds_until(const ASN1_TIME *t);

#endif
