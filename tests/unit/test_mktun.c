// SPDX-License-Identifier: GPL-2.0-or-later
/* --mktun/--rmtun: owner lookup and the usage checks that run before any device is touched. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "mktun.h"

static void test_lookup_user(void **state)
{
	uid_t uid = 1234;

	(void)state;
	assert_int_equal(mktun_lookup_user("root", &uid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(mktun_lookup_user("65534", &uid), 0);
	assert_int_equal(uid, 65534);
	assert_int_equal(mktun_lookup_user("0", &uid), 0);
	assert_int_equal(uid, 0);
	uid = 1234;
	assert_int_equal(mktun_lookup_user("no-such-user-l2vpn", &uid), -ENOENT);
	assert_int_equal(mktun_lookup_user("4294967295", &uid), -ENOENT); /* (uid_t)-1 */
	assert_int_equal(mktun_lookup_user("-1", &uid), -ENOENT);
	assert_int_equal(mktun_lookup_user("12x", &uid), -ENOENT);
	assert_int_equal(mktun_lookup_user("", &uid), -ENOENT);
	assert_int_equal(uid, 1234); /* untouched on failure */
}

static void test_lookup_group(void **state)
{
	gid_t gid = 1234;

	(void)state;
	assert_int_equal(mktun_lookup_group("root", &gid), 0);
	assert_int_equal(gid, 0);
	assert_int_equal(mktun_lookup_group("100", &gid), 0);
	assert_int_equal(gid, 100);
	gid = 1234;
	assert_int_equal(mktun_lookup_group("no-such-group-l2vpn", &gid), -ENOENT);
	assert_int_equal(mktun_lookup_group("99999999999", &gid), -ENOENT);
	assert_int_equal(gid, 1234);
}

/* These reach no device: they fail on the command line's --dev before anything else. */
static void test_usage_errors(void **state)
{
	struct config cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.action = ACTION_MKTUN;
	assert_int_equal(mktun_run(&cfg), L2VPN_EXIT_USAGE); /* no --dev */
	cfg.dev = (char *)"tap0123456789abc";
	assert_int_equal(mktun_run(&cfg), L2VPN_EXIT_USAGE); /* 16 bytes */
	assert_int_equal(rmtun_run(&cfg), L2VPN_EXIT_USAGE);
	cfg.dev = (char *)"tap/0";
	assert_int_equal(mktun_run(&cfg), L2VPN_EXIT_USAGE);
	cfg.dev = (char *)"eth0"; /* not tapN and no --dev-type tap */
	assert_int_equal(mktun_run(&cfg), L2VPN_EXIT_USAGE);
	cfg.dev = (char *)"tap"; /* --rmtun needs the full name */
	assert_int_equal(rmtun_run(&cfg), L2VPN_EXIT_USAGE);
	cfg.dev = (char *)"tap0";
	cfg.bridge = (char *)"br 0";
	assert_int_equal(mktun_run(&cfg), L2VPN_EXIT_USAGE); /* bad bridge name */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_user),
		cmocka_unit_test(test_lookup_group),
		cmocka_unit_test(test_usage_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
