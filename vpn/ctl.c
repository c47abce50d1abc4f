// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl: a one-shot management interface client (see ctl.h). */
#include "ctl.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_table.h"
#include "pwfile.h"

#define CTL_TIMEOUT_MS 30000      /* silence from the daemon that ends the wait */
#define CTL_REPLY_MAX  (64 << 20) /* bytes of one reply kept (a status of a full table fits) */
#define PROMPT         "ENTER PASSWORD:"

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
};

static void usage(void)
{
	fputs("Usage: l2vpn --ctl PATH|HOST:PORT [--ctl-password FILE] COMMAND [ARGS...]\n"
	      "  e.g. l2vpn --ctl /run/l2vpn/server.sock status\n"
	      "       l2vpn --ctl 127.0.0.1:7505 --ctl-password /etc/l2vpn/mgmt.pw kill site-b\n",
	      stderr);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "l2vpn --ctl: %s: path too long for a unix socket\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	fprintf(stderr, "l2vpn --ctl: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* HOST:PORT, HOST may be [IPv6]. */
static int connect_tcp(const char *target)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL, *ai;
	const char *colon = strrchr(target, ':');
	char host[256];
	size_t len;
	int fd = -1, ret, err = 0;

	if (!colon || colon == target || !colon[1]) {
		fprintf(stderr, "l2vpn --ctl: %s: expected a unix socket PATH or HOST:PORT\n",
		        target);
		return -1;
	}
	len = (size_t)(colon - target);
	if (target[0] == '[' && len > 2 && target[len - 1] == ']') {
		target++;
		len -= 2;
	}
	if (len >= sizeof(host)) {
		fprintf(stderr, "l2vpn --ctl: host name too long\n");
		return -1;
	}
	memcpy(host, target, len);
	host[len] = '\0';
	ret = getaddrinfo(host, colon + 1, &hints, &res);
	if (ret != 0) {
		fprintf(stderr, "l2vpn --ctl: %s port %s: %s\n", host, colon + 1,
		        gai_strerror(ret));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "l2vpn --ctl: %s port %s: %s\n", host, colon + 1, strerror(err));
	return fd;
}

/* More bytes into C's buffer. 1, 0 at the end of the connection, -1 on an error (said). */
/* The first newline in C's buffer, or NULL (also while nothing was read: the buffer is NULL
 * then, which memchr must not be given). */
static char *find_newline(const struct conn *c)
{
	return c->len ? memchr(c->buf, '\n', c->len) : NULL;
}

static int fill(struct conn *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	ssize_t n;

	if (c->len == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 65536;
		char *grown = cap <= CTL_REPLY_MAX ? realloc(c->buf, cap) : NULL;

		if (!grown) {
			fprintf(stderr, "l2vpn --ctl: reply too large\n");
			return -1;
		}
		c->buf = grown;
		c->cap = cap;
	}
	for (;;) {
		int ready = poll(&pfd, 1, CTL_TIMEOUT_MS);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready == 0) {
			fprintf(stderr, "l2vpn --ctl: no answer from the daemon in %d s\n",
			        CTL_TIMEOUT_MS / 1000);
			return -1;
		}
		n = ready < 0 ? -1 : read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0) {
		fprintf(stderr, "l2vpn --ctl: read: %s\n", strerror(errno));
		return -1;
	}
	c->len += (size_t)n;
	return n > 0;
}

/* The next line (without its "\r\n") in *LINE (malloc'd). 1, 0 at the end, -1 on an error. */
static int next_line(struct conn *c, char **line)
{
	char *nl;
	int ret;

	while (!(nl = find_newline(c)))
		if ((ret = fill(c)) <= 0) {
			if (ret == 0 && c->len)
				fprintf(stderr, "l2vpn --ctl: the daemon closed the connection\n");
			return ret;
		}
	*line = strndup(c->buf, (size_t)(nl - c->buf));
	if (!*line)
		return -1;
	c->len -= (size_t)(nl + 1 - c->buf);
	memmove(c->buf, nl + 1, c->len);
	(*line)[strcspn(*line, "\r")] = '\0';
	return 1;
}

static int send_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "l2vpn --ctl: write: %s\n", strerror(errno));
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The greeting: the banner, after the password when one is asked. 0 or -1 (said). */
static int greet(struct conn *c, const char *pwfile)
{
	char password[PWFILE_MAX + 2], *line = NULL;
	const char *why = NULL;
	int ret, len;

	while (!find_newline(c) &&
	       !(c->len >= strlen(PROMPT) && !memcmp(c->buf, PROMPT, strlen(PROMPT))))
		if (fill(c) <= 0)
			return -1;
	if (c->len >= strlen(PROMPT) && !memcmp(c->buf, PROMPT, strlen(PROMPT))) {
		c->len -= strlen(PROMPT);
		memmove(c->buf, c->buf + strlen(PROMPT), c->len);
		if (!pwfile) {
			fprintf(stderr,
			        "l2vpn --ctl: the management interface asks for a password: "
			        "give --ctl-password FILE\n");
			return -1;
		}
		len = pwfile_read(pwfile, password, sizeof(password), &why);
		if (len < 0) {
			fprintf(stderr, "l2vpn --ctl: --ctl-password %s: %s\n", pwfile, why);
			return -1;
		}
		password[len++] = '\n';
		ret = send_all(c->fd, password, (size_t)len);
		explicit_bzero(password, sizeof(password));
		if (ret < 0 || next_line(c, &line) <= 0)
			return -1;
		if (strcmp(line, "SUCCESS: password is correct") != 0) {
			fprintf(stderr, "l2vpn --ctl: %s\n", line);
			free(line);
			return -1;
		}
		free(line);
	}
	while ((ret = next_line(c, &line)) > 0) {
		bool banner = strncmp(line, ">INFO:", 6) == 0;

		if (!banner && line[0] != '>') {
			fprintf(stderr, "l2vpn --ctl: %s\n", line);
			free(line);
			return -1;
		}
		free(line);
		if (banner)
			return 0;
	}
	return -1;
}

/* The words of the command as one line, each quoted as the daemon's parser reads it when it
 * holds a blank, a quote or a backslash. NULL: out of memory. */
static char *command_line(int argc, char **argv)
{
	size_t len = 1;
	char *line, *o;

	for (int i = 0; i < argc; i++)
		len += 2 * strlen(argv[i]) + 3;
	o = line = malloc(len);
	if (!line)
		return NULL;
	for (int i = 0; i < argc; i++) {
		bool quote = !argv[i][0] || strpbrk(argv[i], " \t\"'\\");

		if (i)
			*o++ = ' ';
		if (quote)
			*o++ = '"';
		for (const char *s = argv[i]; *s; s++) {
			if (quote && (*s == '"' || *s == '\\'))
				*o++ = '\\';
			*o++ = *s;
		}
		if (quote)
			*o++ = '"';
	}
	*o = '\0';
	return line;
}

/* Replies a command gets: log/state/echo answer each of their two parameters; exit and quit
 * none. */
static int replies_expected(int argc, char **argv)
{
	if (!strcmp(argv[0], "exit") || !strcmp(argv[0], "quit"))
		return 0;
	if ((!strcmp(argv[0], "log") || !strcmp(argv[0], "state") || !strcmp(argv[0], "echo")) &&
	    argc > 2 && (!strcmp(argv[1], "on") || !strcmp(argv[1], "off")))
		return 2;
	return 1;
}

/* One reply, printed (KEEP_END: with its END line; TABLE: as tables). 0 SUCCESS or lines,
 * 1 ERROR, -1 on a failure (said). */
static int print_reply(struct conn *c, bool keep_end, bool table)
{
	char *line = NULL, *text = NULL, *shown = NULL;
	size_t len = 0;
	int ret;

	while ((ret = next_line(c, &line)) > 0 && line[0] == '>')
		free(line);
	if (ret <= 0)
		return -1;
	if (!strncmp(line, "SUCCESS:", 8) || !strncmp(line, "ERROR:", 6)) {
		ret = line[0] == 'E';
		puts(line);
		free(line);
		return ret;
	}
	for (;;) {
		bool end = strcmp(line, "END") == 0;
		size_t n = strlen(line);
		char *grown = (!end || keep_end) ? realloc(text, len + n + 2) : text;

		if (!grown) {
			free(line);
			free(text);
			return -1;
		}
		text = grown;
		if (!end || keep_end) {
			memcpy(text + len, line, n);
			text[len + n] = '\n';
			len += n + 1;
			text[len] = '\0';
		}
		free(line);
		if (end)
			break;
		if (next_line(c, &line) <= 0) {
			free(text);
			return -1;
		}
	}
	if (table && text && ctl_status_table(text, &shown) == 0) {
		fputs(shown, stdout);
		free(shown);
	} else if (text) {
		fputs(text, stdout);
	}
	free(text);
	return 0;
}

int ctl_main(int argc, char **argv)
{
	const char *target = NULL, *pwfile = NULL;
	struct conn c = { .fd = -1 };
	char *line = NULL;
	bool table, keep_end;
	int i = 1, rc = 1, n;

	while (i + 1 < argc && !strncmp(argv[i], "--ctl", 5)) {
		if (!strcmp(argv[i], "--ctl"))
			target = argv[i + 1];
		else if (!strcmp(argv[i], "--ctl-password"))
			pwfile = argv[i + 1];
		else
			break;
		i += 2;
	}
	if (!target || i >= argc) {
		usage();
		return 2;
	}
	argc -= i;
	argv += i;
	table = argc == 1 && !strcmp(argv[0], "status");
	keep_end = argc == 2 && !strcmp(argv[0], "status") && strcmp(argv[1], "json") != 0;
	line = table ? strdup("status 2") : command_line(argc, argv);
	if (!line)
		goto out;
	c.fd = strchr(target, '/') ? connect_unix(target) : connect_tcp(target);
	if (c.fd < 0 || greet(&c, pwfile) < 0 || send_all(c.fd, line, strlen(line)) < 0 ||
	    send_all(c.fd, "\n", 1) < 0)
		goto out;
	n = replies_expected(argc, argv);
	rc = 0;
	for (int r = 0; r < n && rc == 0; r++) {
		int ret = print_reply(&c, keep_end, table);
		rc = ret < 0 ? 1 : ret;
	}
	if (n == 0)
		while (fill(&c) > 0)
			c.len = 0;
out:
	fflush(stdout);
	free(line);
	free(c.buf);
	if (c.fd >= 0)
		close(c.fd);
	return rc;
}
