// SPDX-License-Identifier: GPL-2.0-or-later
/* tapbridge name validation and the stable tap MAC. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tapbridge.h"

static void test_valid_names(void **state)
{
	(void)state;
	static const char *const good[] = { "tap0", "br-lan", "a", "tap.100", "123456789012345" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(tb_name_check(good[i], NULL), 0);
}

static void test_invalid_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int code;
	} bad[] = {
		{ "", -EINVAL },       { "1234567890123456", -ENAMETOOLONG },
		{ "tap/0", -EINVAL },  { "tap 0", -EINVAL },
		{ "tap\t0", -EINVAL }, { ".", -EINVAL },
		{ "..", -EINVAL },     { "tap:1", -EINVAL },
		{ "tap\n", -EINVAL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tb_err err = { { 0 } };
		assert_int_equal(tb_name_check(bad[i].name, &err), bad[i].code);
		assert_true(strlen(err.msg) > 0);
	}
	assert_int_equal(tb_name_check(NULL, NULL), -EINVAL);
}

static void test_error_names_the_device(void **state)
{
	(void)state;
	struct tb_err err;
	tb_name_check("averyveryverylongname", &err);
	assert_non_null(strstr(err.msg, "averyveryverylongname"));
	assert_non_null(strstr(err.msg, "15"));
}

static void test_tap_mac_stable_and_local(void **state)
{
	(void)state;
	uint8_t a[6], b[6], c[6], d[6];
	tb_tap_mac_for("tap0", 42, a);
	tb_tap_mac_for("tap0", 42, b);
	tb_tap_mac_for("tap1", 42, c);
	tb_tap_mac_for("tap0", 43, d); /* the same name at another site */
	assert_memory_equal(a, b, 6);
	assert_memory_not_equal(a, c, 6);
	assert_memory_not_equal(a, d, 6);
	assert_int_equal(a[0], 0xfe);
	assert_int_equal(a[0] & 0x01, 0);    /* unicast */
	assert_int_equal(a[0] & 0x02, 0x02); /* locally administered */
}

static void test_tap_mac_for_name_uses_this_host(void **state)
{
	(void)state;
	uint8_t a[6], b[6];
	tb_tap_mac_for_name("tap0", a);
	tb_tap_mac_for("tap0", tb_host_id(), b);
	assert_memory_equal(a, b, 6);
	assert_int_equal(tb_host_id(), tb_host_id());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_names),
		cmocka_unit_test(test_invalid_names),
		cmocka_unit_test(test_error_names_the_device),
		cmocka_unit_test(test_tap_mac_stable_and_local),
		cmocka_unit_test(test_tap_mac_for_name_uses_this_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
