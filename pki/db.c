/* db: index.txt parsing and formatting. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fsutil.h"
#include "msg.h"

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool db_parse_time(const char *s, time_t *out)
{
	size_t n = strlen(s);
	struct tm tm = { 0 };
	int year;
	const char *p = s;

	if ((n != 13 && n != 15) || s[n - 1] != 'Z' || !all_digits(s, n - 1))
		return false;
	if (n == 13) {
		year = (p[0] - '0') * 10 + (p[1] - '0');
		year += year < 50 ? 2000 : 1900;
		p += 2;
	} else {
		year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
		p += 4;
	}
	tm.tm_year = year - 1900;
	tm.tm_mon = (p[0] - '0') * 10 + (p[1] - '0') - 1;
	tm.tm_mday = (p[2] - '0') * 10 + (p[3] - '0');
	tm.tm_hour = (p[4] - '0') * 10 + (p[5] - '0');
	tm.tm_min = (p[6] - '0') * 10 + (p[7] - '0');
	tm.tm_sec = (p[8] - '0') * 10 + (p[9] - '0');
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	*out = timegm(&tm);
	return true;
}

void db_format_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	int year = tm.tm_year + 1900;

	/* UTCTime (2 digit year) until 2049, GeneralizedTime from 2050, as RFC 5280 says. */
	if (year >= 2050)
		snprintf(buf, size, "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1, tm.tm_mday,
		         tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, size, "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1,
		         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool valid_hex(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/* The revocation field: DATE or DATE,reason. */
static bool valid_revoked(const char *s)
{
	char date[16];
	const char *comma = strchr(s, ',');
	size_t n = comma ? (size_t)(comma - s) : strlen(s);
	time_t t;

	if (n >= sizeof(date))
		return false;
	memcpy(date, s, n);
	date[n] = '\0';
	return db_parse_time(date, &t);
}

static void row_free(struct db_row *r)
{
	free(r->expiry);
	free(r->revoked);
	free(r->serial);
	free(r->file);
	free(r->subject);
}

static int db_push(struct db *db, struct db_row *row)
{
	struct db_row *rows = realloc(db->rows, (db->n + 1) * sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	db->rows = rows;
	db->rows[db->n++] = *row;
	return 0;
}

/* Split LINE (LEN bytes, no newline) into a row; -EINVAL when malformed. */
static int parse_row(const char *line, size_t len, struct db_row *row)
{
	char *fields[6] = { 0 };
	const char *p = line, *end = line + len;
	size_t i;
	time_t t;
	int ret = -EINVAL;

	for (i = 0; i < 6; i++) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *stop = (i < 5) ? tab : end;
		if (!stop)
			goto fail;
		fields[i] = strndup(p, (size_t)(stop - p));
		if (!fields[i]) {
			ret = -ENOMEM;
			goto fail;
		}
		p = stop + 1;
	}
	if (strlen(fields[0]) != 1 || !strchr("VRE", fields[0][0]))
		goto fail;
	if (!db_parse_time(fields[1], &t) || !valid_hex(fields[3]) || !fields[5][0])
		goto fail;
	if (fields[0][0] == 'R' ? !valid_revoked(fields[2]) : fields[2][0] != '\0')
		goto fail;
	row->status = fields[0][0];
	free(fields[0]);
	row->expiry = fields[1];
	row->revoked = fields[2];
	row->serial = fields[3];
	row->file = fields[4];
	row->subject = fields[5];
	return 0;
fail:
	for (i = 0; i < 6; i++)
		free(fields[i]);
	return ret;
}

int db_parse(const char *text, struct db *db, unsigned *bad_line)
{
	const char *line = text;
	unsigned lineno = 0;
	int ret;

	/* Strategy: one row per LF-terminated line; a blank line is as corrupt as a bad row,
	 * since `openssl ca` would reject it too. */
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		struct db_row row;

		lineno++;
		ret = parse_row(line, len, &row);
		if (ret == 0 && (ret = db_push(db, &row)) < 0)
			row_free(&row);
		if (ret < 0) {
			*bad_line = lineno;
			db_free(db);
			return ret;
		}
		line = nl ? nl + 1 : line + len;
	}
	return 0;
}

char *db_format(const struct db *db)
{
	size_t i, cap = 1, off = 0;
	char *out;

	for (i = 0; i < db->n; i++) {
		const struct db_row *r = &db->rows[i];
		cap += 8 + strlen(r->expiry) + strlen(r->revoked) + strlen(r->serial) +
		       strlen(r->file) + strlen(r->subject);
	}
	out = malloc(cap);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (i = 0; i < db->n; i++) {
		const struct db_row *r = &db->rows[i];
		off += (size_t)snprintf(out + off, cap - off, "%c\t%s\t%s\t%s\t%s\t%s\n", r->status,
		                        r->expiry, r->revoked, r->serial, r->file, r->subject);
	}
	return out;
}

int db_append(struct db *db, char status, const char *expiry, const char *revoked,
              const char *serial, const char *subject)
{
	struct db_row row = { .status = status };

	row.expiry = strdup(expiry);
	row.revoked = strdup(revoked);
	row.serial = strdup(serial);
	row.file = strdup("unknown");
	row.subject = strdup(subject);
	if (!row.expiry || !row.revoked || !row.serial || !row.file || !row.subject ||
	    db_push(db, &row) < 0) {
		row_free(&row);
		return -ENOMEM;
	}
	return 0;
}

static const char *skip_zeros(const char *s)
{
	while (*s == '0' && s[1])
		s++;
	return s;
}

long db_find_serial(const struct db *db, const char *serial)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcasecmp(skip_zeros(db->rows[i].serial), skip_zeros(serial)) == 0)
			return (long)i;
	return -1;
}

bool db_subject_cn(const char *subject, char *buf, size_t size)
{
	const char *p = strstr(subject, "/CN=");
	size_t n;

	if (!p || size == 0)
		return false;
	p += 4;
	/* The CN ends at the next "/attr=" (a '/' followed by a name and '='). */
	n = 0;
	while (p[n]) {
		if (p[n] == '/') {
			size_t k = n + 1;
			while (isalnum((unsigned char)p[k]))
				k++;
			if (k > n + 1 && p[k] == '=')
				break;
		}
		n++;
	}
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

void db_free(struct db *db)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		row_free(&db->rows[i]);
	free(db->rows);
	db->rows = NULL;
	db->n = 0;
}

int db_load(const char *path, struct db *db)
{
	char *text = NULL;
	unsigned bad = 0;
	int ret;

	memset(db, 0, sizeof(*db));
	ret = fs_read_file(path, false, &text, NULL);
	if (ret < 0)
		return ret;
	ret = db_parse(text, db, &bad);
	if (ret == -EINVAL)
		pki_err("%s:%u: corrupt index line", path, bad);
	else if (ret < 0)
		pki_err("%s: out of memory", path);
	free(text);
	return ret;
}

bool db_serial_valid(const char *text)
{
	size_t n = strlen(text);

	if (n > 0 && text[n - 1] == '\n')
		n--;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)text[i]))
			return false;
	return true;
}
