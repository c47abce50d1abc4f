// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration of the management interface and the metrics file: where each directive lands,
 * its defaults, its errors and warnings, and OpenVPN's other management directives, each
 * ignored or refused with a reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "config_test_util.h"

/* The client part every config_finish() below needs. */
#define CLIENT "client\ndev tap0\nremote vpn.example.com\nca ca.crt\ncert c.crt\nkey c.key\n"

static void parse_ok(struct config *cfg, const char *text)
{
	struct config_error err = { { 0 } };

	config_init(cfg);
	if (parse_text(cfg, text, &err) != 0)
		fail_msg("'%s': %s", text, err.msg);
}

static void test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_null(cfg.management);
	assert_int_equal(cfg.management_port, 0);
	assert_false(cfg.management_unix);
	assert_null(cfg.management_pwfile);
	assert_false(cfg.management_hold);
	assert_int_equal(cfg.management_log_cache, 100);
	assert_null(cfg.metrics_file);
	assert_int_equal(cfg.metrics_interval, 10);
	config_free(&cfg);
}

static void test_tcp_and_unix(void **state)
{
	struct config cfg;

	(void)state;
	parse_ok(&cfg, "management 127.0.0.1 7505");
	assert_string_equal(cfg.management, "127.0.0.1");
	assert_int_equal(cfg.management_port, 7505);
	assert_false(cfg.management_unix);
	assert_null(cfg.management_pwfile);
	assert_int_equal(cfg.n_warnings, 0);
	config_free(&cfg);

	parse_ok(&cfg, "management ::1 7505 pw.txt");
	assert_string_equal(cfg.management, "::1");
	assert_string_equal(cfg.management_pwfile, "/etc/l2vpn/pw.txt");
	assert_int_equal(cfg.n_warnings, 0);
	config_free(&cfg);

	parse_ok(&cfg, "management localhost 1\nmanagement 127.8.9.10 2");
	assert_int_equal(cfg.management_port, 2);
	assert_int_equal(cfg.n_warnings, 0);
	config_free(&cfg);

	parse_ok(&cfg, "management run/mgmt.sock unix\nmanagement-client-user nobody\n"
	               "management-client-group nogroup");
	assert_string_equal(cfg.management, "/etc/l2vpn/run/mgmt.sock");
	assert_true(cfg.management_unix);
	assert_int_equal(cfg.management_port, 0);
	assert_string_equal(cfg.management_user, "nobody");
	assert_string_equal(cfg.management_group, "nogroup");
	config_free(&cfg);

	/* A later management line replaces the earlier one, socket kind included. */
	parse_ok(&cfg, "management /run/m.sock unix\nmanagement 127.0.0.1 7505");
	assert_false(cfg.management_unix);
	assert_string_equal(cfg.management, "127.0.0.1");
	config_free(&cfg);
}

static void test_other_directives(void **state)
{
	struct config cfg;

	(void)state;
	parse_ok(&cfg, "management-hold\nmanagement-log-cache 500\nmetrics-file l2vpn.prom");
	assert_true(cfg.management_hold);
	assert_int_equal(cfg.management_log_cache, 500);
	assert_string_equal(cfg.metrics_file, "/etc/l2vpn/l2vpn.prom");
	assert_int_equal(cfg.metrics_interval, 10);
	config_free(&cfg);
	parse_ok(&cfg, "metrics-file /var/lib/prometheus/node-exporter/l2vpn.prom 30");
	assert_string_equal(cfg.metrics_file, "/var/lib/prometheus/node-exporter/l2vpn.prom");
	assert_int_equal(cfg.metrics_interval, 30);
	config_free(&cfg);
}

static void test_not_loopback_warns(void **state)
{
	struct config cfg;

	(void)state;
	parse_ok(&cfg, "management 0.0.0.0 7505");
	assert_int_equal(cfg.n_warnings, 1);
	assert_string_equal(cfg.warnings[0],
	                    T_CONF ":1: management: 0.0.0.0 is not a loopback address: any host "
	                           "that reaches it controls the daemon, without a password "
	                           "(prefer 127.0.0.1 or a unix socket)");
	config_free(&cfg);
	parse_ok(&cfg, "management 192.0.2.1 7505 /etc/l2vpn/mgmt.pw");
	assert_int_equal(cfg.n_warnings, 1);
	assert_string_equal(cfg.warnings[0],
	                    T_CONF ":1: management: 192.0.2.1 is not a loopback address: other "
	                           "hosts may reach the management interface, and its protocol "
	                           "is clear text, password included (prefer 127.0.0.1 or a unix "
	                           "socket)");
	config_free(&cfg);
}

/* 108 bytes: one more than a unix socket's path can hold. */
#define LONG_PATH                                                                                  \
	"/run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"    \
	"aaaaaaaaaaaaaaaaaaaaaaa"

struct bad_case {
	const char *text;
	const char *message; /* exact, after "/etc/l2vpn/t.conf:" */
};

static const struct bad_case bad[] = {
	{ "management 127.0.0.1", "1: management: missing argument (expects at least 2, got 1)" },
	{ "management 127.0.0.1 0", "1: management: port: 0 is out of range (1..65535)" },
	{ "management 127.0.0.1 http", "1: management: port: 'http' is not a number" },
	{ "management '' 7505", "1: management: empty address" },
	{ "management 127.0.0.1 7505 stdin",
	  "1: management: stdin: l2vpn reads the management password from a file only (its "
	  "first line)" },
	{ "management " LONG_PATH " unix",
	  "1: management: " LONG_PATH ": a unix socket path must be shorter than 108 bytes" },
	{ "management 127.0.0.1 1 2 3", "1: management: too many arguments (expects at most 3, "
	                                "got 4)" },
	{ "management-client-user ''", "1: management-client-user: empty name" },
	{ "management-hold 1", "1: management-hold: too many arguments (expects at most 0, got "
	                       "1)" },
	{ "management-log-cache 0", "1: management-log-cache: 0 is out of range (1..100000)" },
	{ "metrics-file", "1: metrics-file: missing argument (expects at least 1, got 0)" },
	{ "metrics-file m.prom 0", "1: metrics-file: interval: 0 is out of range (1..86400)" },
	{ "metrics-file ''", "1: metrics-file: empty file name" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };
		char expect[CONFIG_ERR_MAX];

		config_init(&cfg);
		assert_int_equal(parse_text(&cfg, bad[i].text, &err), -EINVAL);
		snprintf(expect, sizeof(expect), T_CONF ":%s", bad[i].message);
		if (strcmp(err.msg, expect) != 0)
			fail_msg("'%s':\n got      '%s'\n expected '%s'", bad[i].text, err.msg,
			         expect);
		config_free(&cfg);
	}
}

static void test_finish(void **state)
{
	static const struct bad_case cases[] = {
		{ CLIENT "management-hold",
		  " management-hold: needs `management` (nothing could release the hold)" },
		{ CLIENT "management 127.0.0.1 7505\nmanagement-client-group adm",
		  " management-client-user/-group: they set the owner of a unix socket "
		  "(management PATH unix)" },
	};
	struct config cfg;
	struct config_error err = { { 0 } };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char expect[CONFIG_ERR_MAX];

		parse_ok(&cfg, cases[i].text);
		assert_int_equal(config_finish(&cfg, &err), -EINVAL);
		snprintf(expect, sizeof(expect), T_CONF ":%s", cases[i].message);
		assert_string_equal(err.msg, expect);
		config_free(&cfg);
	}
	parse_ok(&cfg, CLIENT "management /run/m.sock unix\nmanagement-hold\n"
	                      "management-client-user nobody");
	assert_int_equal(config_finish(&cfg, &err), 0);
	config_free(&cfg);
}

/* OpenVPN's other management directives: each either warns "ignored: why" or is refused
 * "not supported: why"; none is an unknown directive. */
static void test_openvpn_management_directives(void **state)
{
	static const char *const ignored[] = {
		"management-query-passwords", "management-forget-disconnect", "management-up-down",
		"management-query-remote",    "management-query-proxy",
	};
	static const char *const refused[] = {
		"management-signal",
		"management-client-auth",
		"management-client-pf",
		"management-external-key",
		"management-external-key nopadding pkcs1",
		"management-external-cert macosx-keychain",
		"management-client",
	};
	struct config cfg;
	struct config_error err = { { 0 } };
	char prefix[128];

	(void)state;
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		parse_ok(&cfg, ignored[i]);
		assert_int_equal(cfg.n_warnings, 1);
		snprintf(prefix, sizeof(prefix), T_CONF ":1: %s: ignored: ", ignored[i]);
		if (strncmp(cfg.warnings[0], prefix, strlen(prefix)) != 0 ||
		    strlen(cfg.warnings[0]) < strlen(prefix) + 10)
			fail_msg("'%s': warning '%s'", ignored[i], cfg.warnings[0]);
		config_free(&cfg);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		config_init(&cfg);
		assert_int_equal(parse_text(&cfg, refused[i], &err), -EINVAL);
		snprintf(prefix, sizeof(prefix),
		         T_CONF ":1: %.*s: not supported: ", (int)strcspn(refused[i], " "),
		         refused[i]);
		if (strncmp(err.msg, prefix, strlen(prefix)) != 0 ||
		    strlen(err.msg) < strlen(prefix) + 10)
			fail_msg("'%s': error '%s'", refused[i], err.msg);
		config_free(&cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_tcp_and_unix),
		cmocka_unit_test(test_other_directives),
		cmocka_unit_test(test_not_loopback_warns),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_openvpn_management_directives),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
