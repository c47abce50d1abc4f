/* pass: passphrase sources. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ui.h>

#include "msg.h"
#include "pass.h"

/* Read up to the first newline from FD into BUF. */
static int read_line_fd(int fd, const char *what, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		ssize_t r = read(fd, buf + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int ret = -errno;
			pki_err("%s: %s", what, strerror(errno));
			return ret;
		}
		if (r == 0 || buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return (int)n;
}

static int read_tty(const char *prompt, bool confirm, char *buf, size_t size)
{
	char again[PASS_MAX], shown[512];
	size_t n = strlen(prompt);
	int ret;

	/* Callers name the passphrase ("Enter PEM pass phrase"); the terminal shows a prompt. */
	snprintf(shown, sizeof(shown), "%s%s", prompt,
	         n >= 2 && strcmp(prompt + n - 2, ": ") == 0 ? "" : ": ");
	if (UI_UTIL_read_pw_string(buf, (int)size, shown, 0) != 0) {
		pki_err("%s: cannot read passphrase from terminal", prompt);
		return -EIO;
	}
	if (confirm) {
		if (UI_UTIL_read_pw_string(again, sizeof(again), "Verifying - passphrase: ", 0) !=
		    0) {
			pki_err("cannot read passphrase from terminal");
			return -EIO;
		}
		ret = strcmp(again, buf);
		OPENSSL_cleanse(again, sizeof(again));
		if (ret != 0) {
			pki_err("passphrases do not match");
			return -EINVAL;
		}
	}
	return (int)strlen(buf);
}

int pass_read(const char *spec, bool interactive, const char *prompt, bool confirm, char *buf,
              size_t size)
{
	int fd, ret;

	buf[0] = '\0';
	if (!spec) {
		if (!interactive) {
			pki_err("%s: no passphrase source (use --passin/--passout "
			        "env:VAR|file:PATH|fd:N|stdin)",
			        prompt);
			return -ENOENT;
		}
		return read_tty(prompt, confirm, buf, size);
	}
	if (strncmp(spec, "env:", 4) == 0) {
		const char *v = getenv(spec + 4);
		if (!v) {
			pki_err("%s: environment variable %s is not set", spec, spec + 4);
			return -ENOENT;
		}
		if (strlen(v) + 1 > size) {
			pki_err("%s: passphrase too long", spec);
			return -EINVAL;
		}
		strcpy(buf, v);
		return (int)strlen(buf);
	}
	if (strncmp(spec, "pass:", 5) == 0) {
		if (strlen(spec + 5) + 1 > size) {
			pki_err("passphrase too long");
			return -EINVAL;
		}
		strcpy(buf, spec + 5);
		return (int)strlen(buf);
	}
	if (strncmp(spec, "file:", 5) == 0) {
		fd = open(spec + 5, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			pki_err("%s: %s", spec + 5, strerror(errno));
			return ret;
		}
		ret = read_line_fd(fd, spec + 5, buf, size);
		close(fd);
		return ret;
	}
	if (strncmp(spec, "fd:", 3) == 0) {
		char *end;
		long n = strtol(spec + 3, &end, 10);
		if (*end || n < 0 || n > 65535 || end == spec + 3) {
			pki_err("%s: bad file descriptor", spec);
			return -EINVAL;
		}
		return read_line_fd((int)n, spec, buf, size);
	}
	if (strcmp(spec, "stdin") == 0)
		return read_line_fd(0, "stdin", buf, size);
	pki_err("%s: unknown passphrase source (want env:VAR, file:PATH, fd:N, stdin or "
	        "pass:TEXT)",
	        spec);
	return -EINVAL;
}
