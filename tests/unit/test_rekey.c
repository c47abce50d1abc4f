// SPDX-License-Identifier: GPL-2.0-or-later
/* The key lifetime policy: each limit fires exactly when reached, 0 turns it off, and a new
 * mark starts the count again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rekey.h"

static void test_each_limit_fires_when_reached(void **state)
{
	struct rekey_limits lim = { .sec = 3600, .bytes = 1000, .pkts = 10 };
	struct rekey_mark m;
	(void)state;

	rekey_mark_set(&m, 100, 5000, 50);
	assert_int_equal(rekey_due(&lim, &m, 100, 5000, 50), REKEY_NONE);
	assert_int_equal(rekey_due(&lim, &m, 3699, 5999, 59), REKEY_NONE);
	assert_int_equal(rekey_due(&lim, &m, 3700, 5999, 59), REKEY_TIME);
	assert_int_equal(rekey_due(&lim, &m, 101, 6000, 50), REKEY_BYTES);
	assert_int_equal(rekey_due(&lim, &m, 101, 5000, 60), REKEY_PKTS);
	/* Several at once: bytes are named first, then packets. */
	assert_int_equal(rekey_due(&lim, &m, 9999, 9999, 99), REKEY_BYTES);
	assert_int_equal(rekey_due(&lim, &m, 9999, 5000, 99), REKEY_PKTS);
}

static void test_zero_turns_a_limit_off(void **state)
{
	struct rekey_limits lim = { 0 };
	struct rekey_mark m;
	(void)state;

	rekey_mark_set(&m, 0, 0, 0);
	assert_int_equal(rekey_due(&lim, &m, UINT64_MAX, UINT64_MAX, UINT64_MAX), REKEY_NONE);
	lim.sec = 60;
	assert_int_equal(rekey_due(&lim, &m, 59, UINT64_MAX, UINT64_MAX), REKEY_NONE);
	assert_int_equal(rekey_due(&lim, &m, 60, UINT64_MAX, UINT64_MAX), REKEY_TIME);
}

static void test_new_mark_restarts_the_count(void **state)
{
	struct rekey_limits lim = { .sec = 10, .bytes = 1 << 20 };
	struct rekey_mark m;
	(void)state;

	rekey_mark_set(&m, 0, 0, 0);
	assert_int_equal(rekey_due(&lim, &m, 1, 1 << 20, 0), REKEY_BYTES);
	rekey_mark_set(&m, 1, 1 << 20, 0);
	assert_int_equal(rekey_due(&lim, &m, 2, (1 << 20) + 1, 0), REKEY_NONE);
	assert_int_equal(rekey_due(&lim, &m, 11, (1 << 20) + 1, 0), REKEY_TIME);
	/* Totals below the mark (or a clock behind it) are no progress, never a wrap. */
	assert_int_equal(rekey_due(&lim, &m, 0, 0, 0), REKEY_NONE);
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(rekey_reason_name(REKEY_TIME), "reneg-sec");
	assert_string_equal(rekey_reason_name(REKEY_BYTES), "reneg-bytes");
	assert_string_equal(rekey_reason_name(REKEY_PKTS), "reneg-pkts");
	assert_string_equal(rekey_reason_name(REKEY_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_limit_fires_when_reached),
		cmocka_unit_test(test_zero_turns_a_limit_off),
		cmocka_unit_test(test_new_mark_restarts_the_count),
		cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
