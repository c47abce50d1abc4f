/* db: the OpenSSL `ca` database (index.txt) and serial file, in the exact text format
 * `openssl ca` reads: six TAB-separated fields per line (status V/R/E, expiry
 * YYMMDDHHMMSSZ, revocation date[,reason], serial in hex, file name "unknown", subject in
 * X509_NAME_oneline form). Parsing and formatting are pure. */
#ifndef L2VPN_PKI_DB_H
#define L2VPN_PKI_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct db_row {
	char status; /* 'V', 'R' or 'E' */
	char *expiry;
	char *revoked; /* "" unless status R */
	char *serial;  /* upper-case hex */
	char *file;
	char *subject;
};

struct db {
	struct db_row *rows;
	size_t n;
};

/* Parse index.txt TEXT into DB (empty on entry). 0, or -EINVAL with *bad_line (1-based)
 * naming the first malformed line, or -ENOMEM. */
int db_parse(const char *text, struct db *db, unsigned *bad_line);

/* Format DB as index.txt text (malloc'd, NULL on out of memory). */
char *db_format(const struct db *db);

/* Append a row (copies every string). 0 or -ENOMEM. */
int db_append(struct db *db, char status, const char *expiry, const char *revoked,
              const char *serial, const char *subject);

/* Index of the row with SERIAL (hex, case-insensitive, leading zeros ignored), or -1. */
long db_find_serial(const struct db *db, const char *serial);

/* Copy the CN of a oneline SUBJECT ("/C=../CN=name/..") into BUF; false when absent. */
bool db_subject_cn(const char *subject, char *buf, size_t size);

/* Parse an index/ASN.1 date (YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ) as UTC. false if invalid. */
bool db_parse_time(const char *s, time_t *out);

/* Format T as YYMMDDHHMMSSZ (or YYYYMMDDHHMMSSZ from 2050), as `openssl ca` does. */
void db_format_time(time_t t, char *buf, size_t size);

/* Release every row. */
void db_free(struct db *db);

/* Load KEY_DIR/index.txt; reports a corrupt or missing file naming it. */
int db_load(const char *path, struct db *db);

/* True when TEXT is a valid serial file body (hex digits, optional trailing newline). */
bool db_serial_valid(const char *text);

#endif
