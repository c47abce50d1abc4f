// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf-examples/{server,server2,client,client2}.conf: each parses with config_parse_file(),
 * passes config_finish(), describes the two-site, two-LAN setup (ports 1194/1195, tap0/tap1
 * in br0/br1, remote vpn.example.com), and every directive line is explained by a comment
 * in its paragraph. The directory comes as the first argument.
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

struct example {
	const char *file;
	enum config_role role;
	unsigned port; /* listen port (server) or remote port (client) */
	const char *dev, *bridge, *status;
};

static const struct example examples[] = {
	{ "server.conf", ROLE_SERVER, 1194, "tap0", "br0", "/run/l2vpn-server.status" },
	{ "server2.conf", ROLE_SERVER, 1195, "tap1", "br1", "/run/l2vpn-server2.status" },
	{ "client.conf", ROLE_CLIENT, 1194, "tap0", "br0", "/run/l2vpn-client.status" },
	{ "client2.conf", ROLE_CLIENT, 1195, "tap1", "br1", "/run/l2vpn-client2.status" },
};

static void check_example(const char *dir, const struct example *ex)
{
	struct config cfg;
	struct config_error err = { { 0 } };
	char path[4096], expect[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, ex->file);
	config_init(&cfg);
	if (config_parse_file(&cfg, path, &err) != 0 || config_finish(&cfg, &err) != 0)
		fail_msg("%s: %s", ex->file, err.msg);
	assert_int_equal(cfg.role, ex->role);
	assert_string_equal(cfg.dev, ex->dev);
	assert_string_equal(cfg.bridge, ex->bridge);
	assert_string_equal(cfg.status_file, ex->status);
	assert_int_equal(cfg.verb, 3);
	assert_int_equal(cfg.comp, COMP_ADAPTIVE);
	assert_true(cfg.persist_key && cfg.persist_tun);
	assert_int_equal(cfg.ping, 10);
	snprintf(expect, sizeof(expect), "%s/ca.crt", dir);
	assert_string_equal(cfg.ca.path, expect);
	if (ex->role == ROLE_SERVER) {
		assert_true(cfg.server_bridge);
		assert_int_equal(cfg.local_port, ex->port);
		assert_int_equal(cfg.ping_restart, 240);
		snprintf(expect, sizeof(expect), "%s/vpn.example.com.key", dir);
		assert_string_equal(cfg.key.path, expect);
		snprintf(expect, sizeof(expect), "%s/dh2048.pem", dir);
		assert_string_equal(cfg.dh.path, expect);
	} else {
		assert_int_equal(cfg.n_remotes, 1);
		assert_string_equal(cfg.remotes[0].host, "vpn.example.com");
		assert_int_equal(cfg.remotes[0].port, ex->port);
		assert_int_equal(cfg.remote_cert_tls, PURPOSE_SERVER);
		assert_true(cfg.nobind);
		assert_int_equal(cfg.resolv_retry, -1);
		assert_int_equal(cfg.ping_restart, 120);
		snprintf(expect, sizeof(expect), "%s/vpnc.example.com.key", dir);
		assert_string_equal(cfg.key.path, expect);
	}
	/* The examples are clean: nothing deprecated or ignored in them. */
	if (cfg.n_warnings)
		fail_msg("%s: unexpected warning %s", ex->file, cfg.warnings[0]);
	config_free(&cfg);
}

static bool is_blank_line(const char *line)
{
	return line[strspn(line, " \t\r\n")] == '\0';
}

static bool is_comment_line(const char *line)
{
	const char *p = line + strspn(line, " \t");

	return *p == '#' || *p == ';';
}

/* Every paragraph (lines between blank lines) holding a directive also holds a comment. */
static void check_commented(const char *dir, const char *file)
{
	char path[4096], line[512];
	bool paragraph_has_comment = false, paragraph_has_directive = false;
	unsigned n = 0, directive_line = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	assert_non_null(f);
	for (;;) {
		bool end = !fgets(line, sizeof(line), f);

		n++;
		if (end || is_blank_line(line)) {
			if (paragraph_has_directive && !paragraph_has_comment)
				fail_msg("%s:%u: directive without an explaining comment", file,
				         directive_line);
			paragraph_has_comment = paragraph_has_directive = false;
			if (end)
				break;
		} else if (is_comment_line(line)) {
			paragraph_has_comment = true;
		} else if (!paragraph_has_directive) {
			paragraph_has_directive = true;
			directive_line = n;
		}
	}
	fclose(f);
}

static void test_examples(void **state)
{
	const char *dir = *state;

	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		check_example(dir, &examples[i]);
		check_commented(dir, examples[i].file);
	}
}

int main(int argc, char **argv)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_examples, NULL),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s CONF_EXAMPLES_DIR\n", argv[0]);
		return 2;
	}
	tests[0].initial_state = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
