// SPDX-License-Identifier: GPL-2.0-or-later
/* mgmt_history: the ring of the last lines, oldest first, the oldest dropped when full. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt_history.h"

static void test_ring(void **state)
{
	struct mgmt_history h;
	char text[16];

	(void)state;
	assert_int_equal(mgmt_history_init(&h, 3), 0);
	assert_null(mgmt_history_get(&h, 0));
	assert_int_equal(mgmt_history_add(&h, 100, "one"), 0);
	assert_int_equal(mgmt_history_add(&h, 101, "two"), 0);
	assert_int_equal(h.n, 2);
	assert_string_equal(mgmt_history_get(&h, 0)->text, "one");
	assert_int_equal(mgmt_history_get(&h, 1)->when, 101);
	assert_null(mgmt_history_get(&h, 2));
	for (int i = 3; i <= 7; i++) {
		snprintf(text, sizeof(text), "line %d", i);
		assert_int_equal(mgmt_history_add(&h, 100 + i, text), 0);
	}
	assert_int_equal(h.n, 3);
	assert_string_equal(mgmt_history_get(&h, 0)->text, "line 5");
	assert_string_equal(mgmt_history_get(&h, 1)->text, "line 6");
	assert_string_equal(mgmt_history_get(&h, 2)->text, "line 7");
	assert_int_equal(mgmt_history_get(&h, 2)->when, 107);
	mgmt_history_free(&h);
	assert_int_equal(mgmt_history_init(&h, 0), -EINVAL);
}

static void test_single_entry(void **state)
{
	struct mgmt_history h;

	(void)state;
	assert_int_equal(mgmt_history_init(&h, 1), 0);
	assert_int_equal(mgmt_history_add(&h, 1, "a"), 0);
	assert_int_equal(mgmt_history_add(&h, 2, "b"), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(mgmt_history_get(&h, 0)->text, "b");
	mgmt_history_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_single_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
