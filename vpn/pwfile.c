// SPDX-License-Identifier: GPL-2.0-or-later
/* pwfile: a password from the first line of a file (see pwfile.h). */
#include "pwfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int pwfile_read(const char *path, char *buf, size_t size, const char **why)
{
	char data[PWFILE_MAX + 2];
	const char *dummy;
	size_t len = 0, line;
	ssize_t n;
	int fd, ret;

	if (!why)
		why = &dummy;
	if (size < PWFILE_MAX + 1) {
		*why = "buffer too small";
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		*why = strerror(errno);
		return ret;
	}
	while (len < sizeof(data) && (n = read(fd, data + len, sizeof(data) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			*why = strerror(errno);
			close(fd);
			return ret;
		}
		len += (size_t)n;
		if (memchr(data, '\n', len))
			break;
	}
	close(fd);
	line = memchr(data, '\n', len) ? (size_t)((char *)memchr(data, '\n', len) - data) : len;
	if (line && data[line - 1] == '\r')
		line--;
	if (line > PWFILE_MAX) {
		*why = "the password (first line) is longer than 256 bytes";
		ret = -EINVAL;
	} else if (line == 0 || memchr(data, '\0', line)) {
		*why = len ? "the first line holds no password" : "empty file";
		ret = -EINVAL;
	} else {
		memcpy(buf, data, line);
		buf[line] = '\0';
		ret = (int)line;
	}
	explicit_bzero(data, sizeof(data));
	return ret;
}
