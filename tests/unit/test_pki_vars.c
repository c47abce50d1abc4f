/* pki vars: the vars-file line parser (never executes anything) and CN validation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cert.h"
#include "vars.h"

static const char *lookup(void *opaque, const char *name)
{
	(void)opaque;
	if (strcmp(name, "EASY_RSA") == 0)
		return "/etc/openvpn/easy-rsa";
	return NULL;
}

static void expect(const char *line, int ret, const char *key, const char *value)
{
	char *k = NULL, *v = NULL;

	assert_int_equal(vars_parse_line(line, lookup, NULL, "/cwd", &k, &v), ret);
	if (key) {
		assert_non_null(k);
		assert_string_equal(k, key);
	}
	if (value) {
		assert_non_null(v);
		assert_string_equal(v, value);
	}
	free(k);
	free(v);
}

static void test_assignments(void **state)
{
	(void)state;
	expect("KEY_SIZE=2048", 1, "KEY_SIZE", "2048");
	expect("export KEY_COUNTRY=\"US\"", 1, "KEY_COUNTRY", "US");
	expect("  export\tKEY_ORG='Fort Funston'  # comment", 1, "KEY_ORG", "Fort Funston");
	expect("export KEY_DIR=\"$EASY_RSA/keys\"", 1, "KEY_DIR", "/etc/openvpn/easy-rsa/keys");
	expect("export KEY_DIR=${EASY_RSA}/keys", 1, "KEY_DIR", "/etc/openvpn/easy-rsa/keys");
	expect("export EASY_RSA=\"`pwd`\"", 1, "EASY_RSA", "/cwd");
	expect("KEY_CN=", 1, "KEY_CN", "");
	expect("KEY_OU=a\\ b", 1, "KEY_OU", "a b");
	expect("KEY_EMAIL=\"me@host \\\"x\\\"\"", 1, "KEY_EMAIL", "me@host \"x\"");
	expect("KEY_NAME=$UNSET_THING", 1, "KEY_NAME", "");
	expect("KEY_NAME='$EASY_RSA'", 1, "KEY_NAME", "$EASY_RSA");
	expect("KEY_SIZE=1024; rm -rf /", 1, "KEY_SIZE", "1024");
}

static void test_non_assignments(void **state)
{
	(void)state;
	expect("", 0, NULL, NULL);
	expect("# export KEY_SIZE=1", 0, NULL, NULL);
	expect("echo NOTE: If you run ./clean-all", 0, NULL, NULL);
	expect("[ -n \"$X\" ] && rm -rf /", 0, NULL, NULL);
	expect("export KEY_SIZE", 0, NULL, NULL);
	expect("1KEY=x", 0, NULL, NULL);
}

static void test_unsupported(void **state)
{
	(void)state;
	expect("export KEY_CONFIG=`$EASY_RSA/whichopensslcnf $EASY_RSA`", -EINVAL, "KEY_CONFIG",
	       NULL);
	expect("KEY_ORG=\"unterminated", -EINVAL, "KEY_ORG", NULL);
	expect("KEY_ORG='unterminated", -EINVAL, "KEY_ORG", NULL);
}

static void test_cn(void **state)
{
	const char *why = NULL;
	char long_cn[66];

	(void)state;
	assert_int_equal(cn_validate("vpn.example.com", true, &why), 0);
	assert_int_equal(cn_validate("client 1", true, &why), 0);
	assert_int_equal(cn_validate("ca", false, &why), 0);
	assert_int_equal(cn_validate("ca", true, &why), -EINVAL);
	assert_int_equal(cn_validate("", true, &why), -EINVAL);
	assert_int_equal(cn_validate("a/b", true, &why), -EINVAL);
	assert_int_equal(cn_validate("../x", true, &why), -EINVAL);
	assert_int_equal(cn_validate("a,b", true, &why), -EINVAL);
	assert_int_equal(cn_validate("a\nb", true, &why), -EINVAL);
	assert_int_equal(cn_validate("a\x7f", true, &why), -EINVAL);
	assert_int_equal(cn_validate(".hidden", true, &why), -EINVAL);
	assert_int_equal(cn_validate("--force", true, &why), -EINVAL);
	memset(long_cn, 'a', 64);
	long_cn[64] = '\0';
	assert_int_equal(cn_validate(long_cn, true, &why), 0);
	long_cn[64] = 'a';
	long_cn[65] = '\0';
	assert_int_equal(cn_validate(long_cn, true, &why), -EINVAL);
	assert_non_null(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assignments),
		cmocka_unit_test(test_non_assignments),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_cn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
