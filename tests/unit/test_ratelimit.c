// SPDX-License-Identifier: GPL-2.0-or-later
/* The log-line token bucket: a burst passes, then one per interval; refusals are counted and
 * reported with the next line that passes; idle time refills up to the burst, never beyond. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ratelimit.h"

static void test_burst_then_suppressed(void **state)
{
	struct ratelimit rl;
	uint64_t n = 99;
	(void)state;

	ratelimit_init(&rl, 3, 1000);
	for (int i = 0; i < 3; i++) {
		assert_true(ratelimit_pass(&rl, 5000, &n));
		assert_int_equal(n, 0);
	}
	for (int i = 0; i < 10; i++)
		assert_false(ratelimit_pass(&rl, 5999, &n));
	assert_true(ratelimit_pass(&rl, 6000, &n));
	assert_int_equal(n, 10);
	assert_false(ratelimit_pass(&rl, 6999, NULL));
	assert_true(ratelimit_pass(&rl, 7000, &n));
	assert_int_equal(n, 1);
}

static void test_one_per_interval(void **state)
{
	struct ratelimit rl;
	unsigned passed = 0;
	(void)state;

	/* A flood of one event per millisecond for 60 s passes 1 + 60/10 times. */
	ratelimit_init(&rl, 1, 10000);
	for (uint64_t t = 0; t < 60000; t++)
		passed += ratelimit_pass(&rl, 1000000 + t, NULL);
	assert_int_equal(passed, 6);
}

static void test_idle_refills_to_burst_only(void **state)
{
	struct ratelimit rl;
	(void)state;

	ratelimit_init(&rl, 2, 100);
	assert_true(ratelimit_pass(&rl, 0, NULL));
	assert_true(ratelimit_pass(&rl, 0, NULL));
	assert_false(ratelimit_pass(&rl, 50, NULL));
	/* An hour of silence earns the burst, not 36,000 tokens. */
	assert_true(ratelimit_pass(&rl, 3600000, NULL));
	assert_true(ratelimit_pass(&rl, 3600000, NULL));
	assert_false(ratelimit_pass(&rl, 3600000, NULL));
	/* Partial intervals carry over: 60 + 40 ms make one token. */
	assert_false(ratelimit_pass(&rl, 3600060, NULL));
	assert_true(ratelimit_pass(&rl, 3600100, NULL));
}

static void test_zero_parameters_are_sane(void **state)
{
	struct ratelimit rl;
	(void)state;

	ratelimit_init(&rl, 0, 0); /* treated as burst 1, 1 ms */
	assert_true(ratelimit_pass(&rl, 10, NULL));
	assert_false(ratelimit_pass(&rl, 10, NULL));
	assert_true(ratelimit_pass(&rl, 11, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_suppressed),
		cmocka_unit_test(test_one_per_interval),
		cmocka_unit_test(test_idle_refills_to_burst_only),
		cmocka_unit_test(test_zero_parameters_are_sane),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
