// SPDX-License-Identifier: GPL-2.0-or-later
/* Logging: verb filtering, errno suffix, timestamps, `mute`, and the sink. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

struct sink_record {
	int calls;
	int level;
	time_t when;
	char line[256];
};

/* Records the last line; logs one of its own, which must not come back to it. */
static void record_sink(void *arg, int level, time_t when, const char *line)
{
	struct sink_record *r = arg;

	r->calls++;
	r->level = level;
	r->when = when;
	snprintf(r->line, sizeof(r->line), "%s", line);
	log_notice("logged by the sink");
}

static void test_sink_gets_what_passes(void **state)
{
	struct sink_record r = { 0 };
	time_t before = time(NULL);

	(void)state;
	open_log(3, 0);
	log_set_sink(record_sink, &r);
	log_info("below verb");
	assert_int_equal(r.calls, 0);
	log_warn(-EACCES, "open %s", "pw");
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.level, LOG_LVL_WARN);
	assert_string_equal(r.line, "open pw: Permission denied");
	assert_true(r.when >= before && r.when <= time(NULL));
	log_set_verb(4);
	assert_int_equal(log_get_verb(), 4);
	log_info("now shown");
	assert_int_equal(r.calls, 2);
	assert_string_equal(r.line, "now shown");
	log_set_sink(NULL, NULL);
	log_notice("after removal");
	assert_int_equal(r.calls, 2);
	log_close();
	char *text = read_log();
	/* The sink's own line reached the file, once per call, and never the sink. */
	assert_int_equal(count(text, "logged by the sink"), 2);
	assert_non_null(strstr(text, "after removal"));
}

static void test_mute_getter(void **state)
{
	(void)state;
	open_log(3, 7);
	assert_int_equal(log_get_mute(), 7);
	log_set_mute(0);
	assert_int_equal(log_get_mute(), 0);
	log_close();
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
		cmocka_unit_test(test_sink_gets_what_passes),
		cmocka_unit_test(test_mute_getter),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
