// SPDX-License-Identifier: GPL-2.0-or-later
/* mgmt_line: command lines (bounded, NUL bytes, split reads) and OpenVPN's quoting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt_line.h"

/* Feed all of DATA; record each event (and each ready line) into OUT as "R:line|", "L|",
 * "N|". */
static void feed_all(struct mgmt_line *l, const char *data, size_t len, char *out, size_t size)
{
	size_t pos = 0, used;

	out[0] = '\0';
	while (pos < len) {
		enum mgmt_line_event ev = mgmt_line_feed(l, data + pos, len - pos, &used);
		size_t n = strlen(out);

		assert_true(used > 0 && used <= len - pos);
		pos += used;
		if (ev == MGMT_LINE_READY)
			snprintf(out + n, size - n, "R:%s|", l->buf);
		else if (ev == MGMT_LINE_TOO_LONG)
			snprintf(out + n, size - n, "L|");
		else if (ev == MGMT_LINE_HAS_NUL)
			snprintf(out + n, size - n, "N|");
		else
			assert_int_equal(pos, len);
	}
}

static void test_lines_and_crlf(void **state)
{
	struct mgmt_line l = { 0 };
	char out[256];

	(void)state;
	feed_all(&l, "help\r\nstatus 2\n\nver", 19, out, sizeof(out));
	assert_string_equal(out, "R:help|R:status 2|R:|");
	/* The rest of a line split across reads. */
	feed_all(&l, "sion\n", 5, out, sizeof(out));
	assert_string_equal(out, "R:version|");
}

static void test_long_line_reported_once_and_dropped(void **state)
{
	static char data[10 * 1024 + 32];
	struct mgmt_line l = { 0 };
	char out[MGMT_LINE_MAX + 64];
	size_t n;

	(void)state;
	memset(data, 'x', 10 * 1024);
	n = 10 * 1024;
	memcpy(data + n, "\npid\n", 5);
	n += 5;
	feed_all(&l, data, n, out, sizeof(out));
	assert_string_equal(out, "L|R:pid|");

	/* Exactly MGMT_LINE_MAX bytes still fit. */
	memset(data, 'y', MGMT_LINE_MAX);
	data[MGMT_LINE_MAX] = '\n';
	feed_all(&l, data, MGMT_LINE_MAX + 1, out, sizeof(out));
	assert_int_equal(strlen(out), MGMT_LINE_MAX + 3);
	assert_memory_equal(out, "R:yyy", 5);
}

static void test_nul_byte_drops_the_line(void **state)
{
	struct mgmt_line l = { 0 };
	char out[256];

	(void)state;
	feed_all(&l, "pi\0d\nversion\n\0\n", 16, out, sizeof(out));
	assert_string_equal(out, "N|R:version|N|");
}

static void test_tokenize(void **state)
{
	char line[128], *w[MGMT_ARGS_MAX];

	(void)state;
	strcpy(line, "  kill   site-b  ");
	assert_int_equal(mgmt_tokenize(line, w, MGMT_ARGS_MAX), 2);
	assert_string_equal(w[0], "kill");
	assert_string_equal(w[1], "site-b");

	strcpy(line, "kill \"site \\\"b\\\"\" 'a\\b' c\\ d");
	assert_int_equal(mgmt_tokenize(line, w, MGMT_ARGS_MAX), 4);
	assert_string_equal(w[1], "site \"b\"");
	assert_string_equal(w[2], "a\\b");
	assert_string_equal(w[3], "c d");

	strcpy(line, " \t ");
	assert_int_equal(mgmt_tokenize(line, w, MGMT_ARGS_MAX), 0);
	strcpy(line, "echo \"open");
	assert_int_equal(mgmt_tokenize(line, w, MGMT_ARGS_MAX), -EINVAL);
	strcpy(line, "echo end\\");
	assert_int_equal(mgmt_tokenize(line, w, MGMT_ARGS_MAX), -EINVAL);
	strcpy(line, "a b c d");
	assert_int_equal(mgmt_tokenize(line, w, 3), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_crlf),
		cmocka_unit_test(test_long_line_reported_once_and_dropped),
		cmocka_unit_test(test_nul_byte_drops_the_line),
		cmocka_unit_test(test_tokenize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
