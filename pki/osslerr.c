/* osslerr: stderr diagnostics, and the single place where the OpenSSL error queue is drained. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "msg.h"

void pki_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("l2vpn-ca: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void pki_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("l2vpn-ca: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int ossl_fail(const char *fmt, ...)
{
	va_list ap;
	unsigned long code;
	const char *data = NULL;
	int flags = 0, n = 0;
	char reason[256];

	va_start(ap, fmt);
	fputs("l2vpn-ca: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* Strategy: the queue holds the innermost failure first; print all, one line. */
	while ((code = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		ERR_error_string_n(code, reason, sizeof(reason));
		const char *r = ERR_reason_error_string(code);
		fprintf(stderr, "%s %s", n++ ? ";" : ":", r ? r : reason);
		if ((flags & ERR_TXT_STRING) && data && *data)
			fprintf(stderr, " (%s)", data);
	}
	if (n == 0)
		fputs(": failed", stderr);
	fputc('\n', stderr);
	return -EIO;
}
