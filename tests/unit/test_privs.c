// SPDX-License-Identifier: GPL-2.0-or-later
/* privs: `user` alone takes the user's primary group; `group` overrides it; names that do not
 * exist are errors before anything runs. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "privs.h"

static void test_user_alone_takes_primary_group(void **state)
{
	struct passwd *pw = getpwnam("nobody");
	struct privs p;

	(void)state;
	if (!pw)
		skip();
	assert_int_equal(privs_resolve("nobody", NULL, &p), 0);
	assert_true(p.drop);
	assert_int_equal(p.uid, pw->pw_uid);
	assert_int_equal(p.gid, pw->pw_gid); /* never root's gid 0 */
	assert_int_equal(privs_resolve("root", NULL, &p), 0);
	assert_int_equal(p.uid, 0);
	assert_int_equal(p.gid, 0);
	/* a number with a passwd entry: that entry's primary group */
	assert_int_equal(privs_resolve("0", NULL, &p), 0);
	assert_int_equal(p.gid, 0);
}

static void test_group_overrides(void **state)
{
	struct passwd *pw = getpwnam("nobody");
	struct privs p;

	(void)state;
	if (!pw)
		skip();
	assert_int_equal(privs_resolve("nobody", "0", &p), 0);
	assert_int_equal(p.uid, pw->pw_uid);
	assert_int_equal(p.gid, 0);
	assert_int_equal(privs_resolve(NULL, "0", &p), 0);
	assert_true(p.drop);
	assert_int_equal(p.uid, (uid_t)-1);
	assert_int_equal(p.gid, 0);
	assert_int_equal(privs_resolve(NULL, NULL, &p), 0);
	assert_false(p.drop);
}

static void test_unknown(void **state)
{
	struct privs p;

	(void)state;
	assert_int_equal(privs_resolve("no-such-user-l2vpn", NULL, &p), -ENOENT);
	assert_int_equal(privs_resolve("root", "no-such-group-l2vpn", &p), -ENOENT);
	/* a uid without passwd entry has no primary group: `group` is needed */
	if (getpwuid(3999999))
		skip();
	assert_int_equal(privs_resolve("3999999", NULL, &p), -ENOENT);
	assert_int_equal(privs_resolve("3999999", "0", &p), 0);
	assert_int_equal(p.uid, 3999999);
	assert_int_equal(p.gid, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_alone_takes_primary_group),
		cmocka_unit_test(test_group_overrides),
		cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
