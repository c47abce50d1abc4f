// SPDX-License-Identifier: GPL-2.0-or-later
/* storm: token buckets with a burst and a refill rate, per kind of flooded frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "storm.h"

/* How many of N frames, all at time T, pass. */
static unsigned pass_at(struct storm_port *p, enum storm_kind k, unsigned n, uint64_t t)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++)
		ok += storm_admit(p, k, t);
	return ok;
}

static void test_burst_then_rate(void **state)
{
	const struct storm_limit limits[STORM_N] = { [STORM_BROADCAST] = { 100, 20 } };
	struct storm_port p = { 0 };

	(void)state;
	storm_port_set(&p, limits);
	assert_true(storm_active(&p));
	assert_int_equal(pass_at(&p, STORM_BROADCAST, 50, 1000), 20); /* the burst */
	assert_int_equal(p.dropped[STORM_BROADCAST], 30);
	assert_int_equal(pass_at(&p, STORM_BROADCAST, 50, 1100), 10); /* 100/s for 0.1 s */
	assert_int_equal(pass_at(&p, STORM_BROADCAST, 50, 1105), 0);  /* half a frame */
	assert_int_equal(pass_at(&p, STORM_BROADCAST, 50, 1110), 1);
	/* a long pause fills the bucket up to the burst, not beyond */
	assert_int_equal(pass_at(&p, STORM_BROADCAST, 500, 100000), 20);
	/* one second of steady load at 1 ms spacing lets RATE through (plus what was left) */
	{
		unsigned ok = 0;
		for (uint64_t t = 100001; t <= 101000; t++)
			ok += pass_at(&p, STORM_BROADCAST, 1, t);
		assert_int_equal(ok, 100);
	}
}

static void test_kinds_apart_and_unlimited(void **state)
{
	const struct storm_limit limits[STORM_N] = { [STORM_MULTICAST] = { 10, 0 } };
	struct storm_port p = { 0 };

	(void)state;
	storm_port_set(&p, limits);
	assert_int_equal(p.limit[STORM_MULTICAST].burst, 10); /* BURST defaults to RATE */
	assert_int_equal(pass_at(&p, STORM_BROADCAST, 1000, 5), 1000);
	assert_int_equal(pass_at(&p, STORM_UNKNOWN_UNICAST, 1000, 5), 1000);
	assert_int_equal(pass_at(&p, STORM_MULTICAST, 1000, 5), 10);
	assert_int_equal(p.dropped[STORM_BROADCAST] + p.dropped[STORM_UNKNOWN_UNICAST], 0);
	assert_int_equal(p.dropped[STORM_MULTICAST], 990);
}

static void test_off_and_clock_backwards(void **state)
{
	const struct storm_limit off[STORM_N] = { { 0, 0 } };
	const struct storm_limit one[STORM_N] = { [STORM_BROADCAST] = { 1, 1 } };
	struct storm_port p = { 0 };

	(void)state;
	storm_port_set(&p, off);
	assert_false(storm_active(&p));
	assert_int_equal(pass_at(&p, STORM_BROADCAST, 100000, 0), 100000);
	storm_port_set(&p, one);
	assert_int_equal(pass_at(&p, STORM_BROADCAST, 3, 5000), 1);
	/* a clock that steps back refills nothing (and does not wrap) */
	assert_int_equal(pass_at(&p, STORM_BROADCAST, 3, 4000), 0);
	assert_int_equal(pass_at(&p, STORM_BROADCAST, 3, 5000), 1);
	assert_string_equal(storm_kind_name(STORM_UNKNOWN_UNICAST), "unknown-unicast");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_kinds_apart_and_unlimited),
		cmocka_unit_test(test_off_and_clock_backwards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
