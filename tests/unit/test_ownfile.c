// SPDX-License-Identifier: GPL-2.0-or-later
/* ownfile: the daemon's own files never follow a symlink nor write a file it does not own. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ownfile.h"

static char *read_all(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static unsigned count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_refusal(void **state)
{
	struct stat st = { .st_mode = S_IFREG | 0644, .st_nlink = 1, .st_uid = 0 };

	(void)state;
	assert_null(ownfile_refusal(&st, 0, (uid_t)-1));
	assert_null(ownfile_refusal(&st, 0, 65534));
	st.st_uid = 65534;
	assert_null(ownfile_refusal(&st, 0, 65534)); /* the user the daemon drops to */
	assert_string_equal(ownfile_refusal(&st, 0, (uid_t)-1),
	                    "is owned by another user: refusing to write to it");
	st.st_uid = 1000;
	assert_non_null(ownfile_refusal(&st, 0, 65534));
	assert_null(ownfile_refusal(&st, 1000, (uid_t)-1));
	st.st_nlink = 2;
	assert_string_equal(ownfile_refusal(&st, 1000, (uid_t)-1),
	                    "has more than one hard link: refusing to write to it");
	st.st_nlink = 1;
	st.st_mode = S_IFDIR | 0755;
	assert_string_equal(ownfile_refusal(&st, 1000, (uid_t)-1),
	                    "is not a regular file: refusing to write to it");
	st.st_mode = S_IFIFO | 0644;
	assert_non_null(ownfile_refusal(&st, 1000, (uid_t)-1));
	st.st_mode = S_IFLNK | 0777;
	assert_non_null(ownfile_refusal(&st, 1000, (uid_t)-1));
}

/* Missing files are created with the mode; existing own files are truncated or appended to. */
static void test_open_own(void **state)
{
	char dir[] = "/tmp/l2vpn-ownfile-XXXXXX", path[64];
	const char *why = NULL;
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/l2vpn.log", dir);
	fd = ownfile_open(path, OWNFILE_TRUNCATE, 0600, (uid_t)-1, &why);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(write(fd, "one\n", 4), 4);
	close(fd);
	fd = ownfile_open(path, OWNFILE_APPEND, 0600, (uid_t)-1, &why);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_APPEND);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(fd, "two\n", 4), 4);
	close(fd);
	assert_string_equal(read_all(path), "one\ntwo\n");
	fd = ownfile_open(path, OWNFILE_TRUNCATE, 0600, (uid_t)-1, &why);
	assert_true(fd >= 0);
	close(fd);
	assert_string_equal(read_all(path), "");
	fd = ownfile_open(path, 0, 0600, (uid_t)-1, NULL); /* neither: content kept */
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	assert_string_equal(read_all(path), "x");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A symlink, a hard link, a directory or a FIFO at the path: refused, the target untouched. */
static void test_open_refused(void **state)
{
	char dir[] = "/tmp/l2vpn-ownfile-XXXXXX", path[64], victim[64];
	const char *why = NULL;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(path, sizeof(path), "%s/l2vpn.pid", dir);
	write_file(victim, "precious\n");

	assert_int_equal(symlink(victim, path), 0);
	for (unsigned flags = 0; flags <= (OWNFILE_APPEND | OWNFILE_TRUNCATE); flags++) {
		why = NULL;
		fd = ownfile_open(path, flags, 0644, (uid_t)-1, &why);
		assert_int_equal(fd, -ELOOP);
		assert_string_equal(why, "is a symlink: refusing to follow it");
	}
	assert_int_equal(unlink(path), 0);
	/* a dangling symlink is refused too, and nothing is created at its target */
	snprintf(victim, sizeof(victim), "%s/created", dir);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(ownfile_open(path, OWNFILE_TRUNCATE, 0644, (uid_t)-1, &why), -ELOOP);
	assert_int_equal(access(victim, F_OK), -1);
	assert_int_equal(unlink(path), 0);
	snprintf(victim, sizeof(victim), "%s/victim", dir);

	assert_int_equal(link(victim, path), 0);
	assert_int_equal(ownfile_open(path, OWNFILE_TRUNCATE, 0644, (uid_t)-1, &why), -EPERM);
	assert_string_equal(why, "has more than one hard link: refusing to write to it");
	assert_int_equal(unlink(path), 0);

	assert_int_equal(mkfifo(path, 0644), 0);
	assert_true(ownfile_open(path, OWNFILE_TRUNCATE, 0644, (uid_t)-1, &why) < 0);
	assert_int_equal(unlink(path), 0);

	assert_int_equal(mkdir(path, 0755), 0);
	assert_true(ownfile_open(path, OWNFILE_TRUNCATE, 0644, (uid_t)-1, &why) < 0);
	assert_int_equal(rmdir(path), 0);

	assert_string_equal(read_all(victim), "precious\n");
	assert_int_equal(unlink(victim), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_replace(void **state)
{
	char dir[] = "/tmp/l2vpn-ownfile-XXXXXX", path[64], victim[64], target[64];
	struct stat st;
	ino_t first;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/openvpn-status.log", dir);
	assert_int_equal(ownfile_replace(path, "first\n", 6, 0644), 0);
	assert_string_equal(read_all(path), "first\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	first = st.st_ino;
	assert_int_equal(ownfile_replace(path, "second, longer\n", 15, 0644), 0);
	assert_string_equal(read_all(path), "second, longer\n");
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_ino != first);         /* replaced, not rewritten in place */
	assert_int_equal(count_entries(dir), 1); /* no temporary file left */
	assert_int_equal(unlink(path), 0);

	/* a symlink at PATH is replaced itself; its target keeps its content */
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	write_file(victim, "precious\n");
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(ownfile_replace(path, "1234\n", 5, 0644), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(read_all(path), "1234\n");
	assert_string_equal(read_all(victim), "precious\n");
	n = readlink(path, target, sizeof(target));
	assert_int_equal(n, -1);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(unlink(victim), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_replace_errors(void **state)
{
	char dir[] = "/tmp/l2vpn-ownfile-XXXXXX", path[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* missing directory */
	snprintf(path, sizeof(path), "%s/missing/status.log", dir);
	assert_int_equal(ownfile_replace(path, "x", 1, 0644), -ENOENT);
	/* PATH is a non-empty directory: rename fails, the old content stays, no temp left */
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sub/keep", dir);
	assert_int_equal(ownfile_replace(path, "kept\n", 5, 0644), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_true(ownfile_replace(path, "x", 1, 0644) < 0);
	assert_int_equal(count_entries(dir), 1);
	snprintf(path, sizeof(path), "%s/sub/keep", dir);
	assert_string_equal(read_all(path), "kept\n");
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_rewrite_fd(void **state)
{
	char path[] = "/tmp/l2vpn-ownfile-fd-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ownfile_rewrite_fd(fd, "a much longer first text\n", 25), 0);
	assert_int_equal(ownfile_rewrite_fd(fd, "short\n", 6), 0);
	assert_string_equal(read_all(path), "short\n");
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusal),        cmocka_unit_test(test_open_own),
		cmocka_unit_test(test_open_refused),   cmocka_unit_test(test_replace),
		cmocka_unit_test(test_replace_errors), cmocka_unit_test(test_rewrite_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
