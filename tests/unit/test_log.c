// SPDX-License-Identifier: GPL-2.0-or-later
/* Logging: verb filtering, errno suffix, timestamps, and `mute`. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static char path[] = "/tmp/l2vpn-test-log.XXXXXX";

static char *read_log(void)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void open_log(int verb, unsigned mute)
{
	struct log_target t = { .verb = verb, .file = path, .timestamps = true, .mute = mute };
	assert_int_equal(log_open(&t, NULL), 0);
}

static void test_verb_filters_and_errno(void **state)
{
	(void)state;
	open_log(3, 0);
	log_notice("shown %d", 1);
	log_info("hidden at verb 3");
	log_warn(-ENOENT, "open %s", "x.crt");
	log_close();
	char *text = read_log();
	assert_non_null(strstr(text, "shown 1"));
	assert_null(strstr(text, "hidden"));
	assert_non_null(strstr(text, "open x.crt: No such file or directory"));
	/* "YYYY-MM-DD hh:mm:ss " prefix */
	assert_true(text[4] == '-' && text[7] == '-' && text[10] == ' ' && text[13] == ':');
}

static void test_mute_suppresses_repeats(void **state)
{
	(void)state;
	open_log(3, 2);
	for (int i = 0; i < 10; i++)
		log_notice("repeated %d", i);
	log_notice("different");
	log_close();
	char *text = read_log();
	assert_int_equal(count(text, "repeated"), 2);
	assert_non_null(strstr(text, "8 similar messages suppressed"));
	assert_non_null(strstr(text, "different"));
}

static int setup(void **state)
{
	(void)state;
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verb_filters_and_errno),
		cmocka_unit_test(test_mute_suppresses_repeats),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
