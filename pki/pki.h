/* pki: the run context of l2vpn-ca and the CA operations shared by the commands (load the
 * CA and its database, issue a leaf, regenerate the CRL), all staged in one fs_txn. */
#ifndef L2VPN_PKI_PKI_H
#define L2VPN_PKI_PKI_H

#include <stdbool.h>

#include <openssl/x509.h>

#include "cert.h"
#include "db.h"
#include "fsutil.h"
#include "vars.h"

/* Exit statuses. */
enum {
	EXIT_OK = 0,
	EXIT_ERR = 1,
	EXIT_USAGE = 2,
};

struct pki_ctx {
	struct pki_vars vars;
	const char *dir;     /* KEY_DIR (--dir wins over vars) */
	bool batch, force;   /* --batch, --force */
	bool interactive;    /* prompting allowed: stdin is a terminal and not --batch */
	const char *passin;  /* passphrase source for existing keys (pass.h spec) */
	const char *passout; /* passphrase source for new keys */
	int backdate_days;   /* test-only --backdate DAYS: shifts validity into the past */
};

/* malloc'd KEY_DIR/NAME SUFFIX; reports out of memory. */
char *ctx_path(const struct pki_ctx *ctx, const char *name, const char *suffix);

/* The CA file to give the sites (malloc'd path): KEY_DIR/export-ca.crt when this PKI
 * inherited an intermediate CA (it holds the chain to the root), else KEY_DIR/ca.crt. */
char *ca_bundle_path(const struct pki_ctx *ctx);

/* 0 when KEY_DIR holds an initialised PKI (index.txt), else reported -ENOENT. */
int ca_require_pki(const struct pki_ctx *ctx);

/* Load ca.crt and (when KEY is non-NULL) ca.key. 0 or -errno (reported). */
int ca_load(const struct pki_ctx *ctx, X509 **ca, EVP_PKEY **key);

/* Load index.txt and validate serial. 0 or -errno (reported). */
int ca_load_db(const struct pki_ctx *ctx, struct db *db);

/* Sign a leaf for NAME (file base) with PROFILE: refuses a second valid certificate for the
 * same CN unless --force; picks a unique random serial; appends the index row; stages
 * NAME.crt and SERIAL.pem in TXN. *OUT (optional) gets the certificate. 0 or -errno. */
int ca_issue(const struct pki_ctx *ctx, struct fs_txn *txn, struct db *db, X509 *ca,
             EVP_PKEY *cakey, const char *name, enum cert_profile profile, EVP_PKEY *pubkey,
             const X509_NAME *subject, X509 **out);

/* Stage index.txt (and serial, set past LAST_SERIAL when non-NULL) in TXN. */
int ca_stage_db(const struct pki_ctx *ctx, struct fs_txn *txn, const struct db *db,
                X509 *last_issued);

/* Build a CRL from DB and stage crl.pem (keeping its mode) and crlnumber in TXN. *OUT
 * (optional) gets the CRL. 0 or -errno. */
int ca_stage_crl(const struct pki_ctx *ctx, struct fs_txn *txn, const struct db *db, X509 *ca,
                 EVP_PKEY *cakey, X509_CRL **out);

/* Warn (one line) when crl.pem expires within DAYS or already has. */
void ca_warn_crl(const struct pki_ctx *ctx, int days);

/* Mark the row at INDEX revoked now with REASON (e.g. "superseded", NULL: none). */
int ca_revoke_row(struct db *db, size_t index, const char *reason);

/* certfind: locate an index row and its certificate. */

/* The row for ARG: a CN with exactly one row of status WANT (0: any, newest wins), else a
 * serial in hex. -1 after reporting (not found / ambiguous). */
long ca_find_row(const struct pki_ctx *ctx, const struct db *db, const char *arg, char want);

/* The certificate of ROW: KEY_DIR/SERIAL.pem, else CN.crt when its serial matches. NULL
 * (reported unless QUIET). */
X509 *ca_row_cert(const struct pki_ctx *ctx, const struct db_row *row, bool quiet);

#endif
