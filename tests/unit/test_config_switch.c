// SPDX-License-Identifier: GPL-2.0-or-later
/* The switch policy's directives (storm limits, max-routes-per-client, mac-age, flap-action,
 * client-config-dir, ccd-exclusive, disable) and the per-site files: what they set, their
 * defaults, their errors, and what a client-config-dir file may hold. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ccd.h"
#include "config.h"
#include "config_test_util.h"

static void test_defaults_and_values(void **state)
{
	struct config cfg;
	struct config_error err = { { 0 } };

	(void)state;
	config_init(&cfg);
	assert_int_equal(cfg.policy.max_macs, 256);
	assert_int_equal(cfg.policy.mac_age, 300);
	assert_int_equal(cfg.flap_action, FLAP_LOG);
	for (int k = 0; k < STORM_N; k++)
		assert_int_equal(cfg.policy.storm[k].rate, 0);
	assert_int_equal(parse_text(&cfg,
	                            "broadcast-limit 1000\nmulticast-limit 500 50\n"
	                            "unknown-unicast-limit 0\nmax-routes-per-client 1024\n"
	                            "mac-age 0\nflap-action block 30\nclient-config-dir ccd\n"
	                            "ccd-exclusive\n",
	                            &err),
	                 0);
	assert_int_equal(cfg.policy.storm[STORM_BROADCAST].rate, 1000);
	assert_int_equal(cfg.policy.storm[STORM_BROADCAST].burst, 1000);
	assert_int_equal(cfg.policy.storm[STORM_MULTICAST].rate, 500);
	assert_int_equal(cfg.policy.storm[STORM_MULTICAST].burst, 50);
	assert_int_equal(cfg.policy.storm[STORM_UNKNOWN_UNICAST].rate, 0);
	assert_int_equal(cfg.policy.max_macs, 1024);
	assert_int_equal(cfg.policy.mac_age, 0);
	assert_int_equal(cfg.flap_action, FLAP_BLOCK);
	assert_int_equal(cfg.flap_hold, 30);
	assert_non_null(cfg.client_config_dir);
	assert_true(cfg.client_config_dir[0] == '/');
	assert_true(cfg.ccd_exclusive);
	config_free(&cfg);
	config_init(&cfg);
	assert_int_equal(parse_text(&cfg, "flap-action block\n", &err), 0);
	assert_int_equal(cfg.flap_hold, 60);
	config_free(&cfg);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "broadcast-limit -1", "broadcast-limit: " },
		{ "broadcast-limit 10 0", "burst" },
		{ "broadcast-limit 99999999", "broadcast-limit: " },
		{ "multicast-limit", "missing argument" },
		{ "max-routes-per-client 0", "max-routes-per-client: " },
		{ "mac-age 9999999", "mac-age: " },
		{ "flap-action drop", "one of" },
		{ "flap-action log 5", "a hold time goes with block only" },
		{ "disable", "belongs in a site's client-config-dir file" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };

		config_init(&cfg);
		assert_int_equal(parse_text(&cfg, bad[i].text, &err), -EINVAL);
		if (!strstr(err.msg, bad[i].msg) ||
		    strncmp(err.msg, T_CONF ":1: ", strlen(T_CONF ":1: ")) != 0)
			fail_msg("'%s': error '%s', expected '%s'", bad[i].text, err.msg,
			         bad[i].msg);
		config_free(&cfg);
	}
}

/* Write TEXT to a temporary file; its path in PATH. */
static void temp_file(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/l2vpn-test-ccd.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_site_file(void **state)
{
	struct site_policy defaults = { .max_macs = 256, .mac_age = 300 }, out;
	struct config_error err = { { 0 } };
	char path[64], *warnings = NULL;

	(void)state;
	defaults.storm[STORM_MULTICAST] = (struct storm_limit){ 7, 7 };
	temp_file(path, sizeof(path),
	          "# site b\nbroadcast-limit 10\niroute 10.0.0.0 255.0.0.0\n"
	          "push \"route 10.1.0.0 255.255.0.0\"\nmax-routes-per-client 5\n");
	assert_int_equal(config_parse_site_file(path, &defaults, &out, &warnings, &err), 0);
	assert_int_equal(out.storm[STORM_BROADCAST].rate, 10);
	assert_int_equal(out.storm[STORM_MULTICAST].rate, 7); /* inherited */
	assert_int_equal(out.max_macs, 5);
	assert_int_equal(out.mac_age, 300); /* inherited */
	assert_false(out.disable);
	assert_non_null(warnings);
	assert_non_null(strstr(warnings, ":3: iroute: ignored: not applicable"));
	assert_non_null(strstr(warnings, ":4: push: ignored: not applicable"));
	free(warnings);
	unlink(path);

	temp_file(path, sizeof(path), "mac-age 60\ndisable\n");
	assert_int_equal(config_parse_site_file(path, &defaults, &out, &warnings, &err), 0);
	assert_true(out.disable);
	assert_int_equal(out.mac_age, 60);
	assert_null(warnings);
	unlink(path);

	temp_file(path, sizeof(path), "mac-age 60\ndev tap1\n");
	assert_int_equal(config_parse_site_file(path, &defaults, &out, &warnings, &err), -EINVAL);
	assert_non_null(strstr(err.msg, ":2: dev: not allowed in a client-config-dir file"));
	unlink(path);

	temp_file(path, sizeof(path), "config /etc/passwd\n");
	assert_int_equal(config_parse_site_file(path, &defaults, &out, &warnings, &err), -EINVAL);
	assert_non_null(strstr(err.msg, ":1: config: not allowed"));
	unlink(path);

	assert_int_equal(config_parse_site_file(path, &defaults, &out, &warnings, &err), -ENOENT);
}

static void test_file_names(void **state)
{
	char buf[64];

	(void)state;
	assert_true(ccd_file_name("vpnc.example.com", buf, sizeof(buf)));
	assert_string_equal(buf, "vpnc.example.com");
	assert_true(ccd_file_name("site b/../x", buf, sizeof(buf)));
	assert_string_equal(buf, "site_b_.._x");
	assert_true(ccd_file_name("ops@example-1_a", buf, sizeof(buf)));
	assert_string_equal(buf, "ops@example-1_a");
	assert_true(ccd_file_name("\xc3\xa9t\xc3\xa9", buf, sizeof(buf)));
	assert_string_equal(buf, "__t__");
	assert_false(ccd_file_name("..", buf, sizeof(buf)));
	assert_false(ccd_file_name(".", buf, sizeof(buf)));
	assert_false(ccd_file_name("", buf, sizeof(buf)));
	assert_false(ccd_file_name("a-name-longer-than-the-buffer", buf, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_site_file),
		cmocka_unit_test(test_file_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
