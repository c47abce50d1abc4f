// SPDX-License-Identifier: GPL-2.0-or-later
/* Switch port numbers: smallest free first, recycled, never 0, never beyond the maximum, and
 * any number of take/put cycles leaves the numbers small (no counter that can wrap). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "portmap.h"

static struct portmap *new_map(void)
{
	struct portmap *m = malloc(sizeof(*m));

	assert_non_null(m);
	portmap_init(m);
	return m;
}

static void test_smallest_free_first(void **state)
{
	struct portmap *m = new_map();
	(void)state;

	assert_int_equal(portmap_take(m), 1);
	assert_int_equal(portmap_take(m), 2);
	assert_int_equal(portmap_take(m), 3);
	portmap_put(m, 2);
	assert_int_equal(m->used, 2);
	assert_int_equal(portmap_take(m), 2);
	assert_int_equal(portmap_take(m), 4);
	free(m);
}

static void test_churn_never_grows(void **state)
{
	struct portmap *m = new_map();
	(void)state;

	/* 200,000 sites come and go while one stays: the newcomer always gets port 2. */
	assert_int_equal(portmap_take(m), 1);
	for (int i = 0; i < 200000; i++) {
		int port = portmap_take(m);
		assert_int_equal(port, 2);
		portmap_put(m, port);
	}
	assert_int_equal(m->used, 1);
	free(m);
}

static void test_full_and_bounds(void **state)
{
	struct portmap *m = new_map();
	(void)state;

	for (int i = 1; i <= PORTMAP_MAX; i++)
		assert_int_equal(portmap_take(m), i);
	assert_int_equal(portmap_take(m), -ENOSPC);
	assert_int_equal(m->used, PORTMAP_MAX);
	portmap_put(m, 0);               /* the tap: never handed out, never given back */
	portmap_put(m, -1);              /* no port */
	portmap_put(m, PORTMAP_MAX + 1); /* out of range */
	assert_int_equal(portmap_take(m), -ENOSPC);
	portmap_put(m, PORTMAP_MAX);
	portmap_put(m, PORTMAP_MAX); /* twice: ignored */
	assert_int_equal(m->used, PORTMAP_MAX - 1);
	assert_int_equal(portmap_take(m), PORTMAP_MAX);
	portmap_put(m, 64);
	assert_int_equal(portmap_take(m), 64);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smallest_free_first),
		cmocka_unit_test(test_churn_never_grows),
		cmocka_unit_test(test_full_and_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
