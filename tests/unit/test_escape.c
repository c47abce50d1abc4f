// SPDX-License-Identifier: GPL-2.0-or-later
/* escape: printable copies of peer-controlled text (certificate CNs, GOODBYE reasons). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"

struct esc_case {
	const char *in;
	size_t len;
	unsigned flags;
	const char *out;
};

#define IN(s) s, sizeof(s) - 1

static const struct esc_case cases[] = {
	{ IN("site-b"), 0, "site-b" },
	{ IN(""), 0, "" },
	/* A newline or carriage return would start a fake log line or status row. */
	{ IN("evil\nNov 1 00:00:00 fake line"), 0, "evil\\x0aNov 1 00:00:00 fake line" },
	{ IN("a\rb"), 0, "a\\x0db" },
	/* An embedded NUL does not cut the text short: what follows it stays visible. */
	{ IN("www.example.com\0.evil.test"), 0, "www.example.com\\x00.evil.test" },
	/* Terminal escapes, TAB (the status-version 3 separator) and DEL. */
	{ IN("\x1b[2Jx\t\x7f"), 0, "\\x1b[2Jx\\x09\\x7f" },
	/* Non-ASCII (UTF-8 here) byte by byte. */
	{ IN("Z\xc3\xbcrich"), 0, "Z\\xc3\\xbcrich" },
	{ IN("\xff"), 0, "\\xff" },
	/* Commas stay in log text, become '_' in a status field. */
	{ IN("a,b"), 0, "a,b" },
	{ IN("a,b,\n"), ESC_CSV, "a_b_\\x0a" },
	/* Printable ASCII is kept, backslash included. */
	{ IN(" !~\\x41"), ESC_CSV, " !~\\x41" },
};

static void test_cases(void **state)
{
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct esc_case *c = &cases[i];
		size_t n = esc_printable(out, sizeof(out), c->in, c->len, c->flags);

		assert_string_equal(out, c->out);
		assert_int_equal(n, strlen(c->out));
	}
}

/* Every byte value: the result is printable ASCII only, and escaping it again changes
 * nothing. */
static void test_all_bytes(void **state)
{
	uint8_t in[256];
	char out[1100], again[1100];

	(void)state;
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	for (unsigned flags = 0; flags <= ESC_CSV; flags++) {
		size_t n = esc_printable(out, sizeof(out), in, sizeof(in), flags);

		assert_int_equal(n, 95 + 161 * 4);
		for (size_t i = 0; i < n; i++) {
			assert_true(out[i] >= 0x20 && out[i] < 0x7f);
			if (flags & ESC_CSV)
				assert_true(out[i] != ',');
		}
		esc_printable(again, sizeof(again), out, n, flags);
		assert_string_equal(again, out);
	}
}

/* The copy is cut to the buffer, never in the middle of an escape, and always terminated. */
static void test_truncation(void **state)
{
	char out[8];

	(void)state;
	memset(out, 'X', sizeof(out));
	assert_int_equal(esc_printable(out, sizeof(out), "abcdefghij", 10, 0), 7);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(esc_printable(out, sizeof(out), "abcd\nef", 7, 0), 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(esc_printable(out, sizeof(out), "abc\nef", 6, 0), 7);
	assert_string_equal(out, "abc\\x0a");
	assert_int_equal(esc_printable(out, 1, "abc", 3, 0), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_all_bytes),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
