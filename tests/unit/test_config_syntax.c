// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration syntax and whole-configuration behaviour: comments, quoting, inline PEM
 * blocks, `config` includes (relative, depth limit, missing file), the command line, and
 * config_finish() (role, keepalive expansion, required directives), plus the seed
 * configurations the operators run (OpenVPN TAP/TCP bridge configs).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "config.h"
#include "config_test_util.h"

static void expect_field(const struct config *cfg, const char *field, const char *expect)
{
	char value[512];

	field_text(cfg, field, value, sizeof(value));
	if (strcmp(value, expect) != 0)
		fail_msg("%s is '%s', expected '%s'", field, value, expect);
}

/* ---- comments and quoting ---------------------------------------------------------------- */

static void test_comments(void **state)
{
	static const char text[] = "# a comment\n"
	                           "; another\n"
	                           "   # indented comment\n"
	                           "\t; tab-indented comment\n"
	                           "\n"
	                           "   \n"
	                           "dev tap0 # trailing comment\n"
	                           "verb 3 ; trailing\n"
	                           "remote host#x 1194\n";
	struct config cfg;
	struct config_error err = { { 0 } };

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse_text(&cfg, text, &err), 0);
	expect_field(&cfg, "dev", "tap0");
	expect_field(&cfg, "verb", "3");
	/* `#` inside a word is no comment (OpenVPN: only at the start of a token). */
	expect_field(&cfg, "remote0", "host#x:1194/0");
	config_free(&cfg);
}

struct quote_case {
	const char *text;
	const char *name; /* verify_x509_name after parsing */
};

static const struct quote_case quotes[] = {
	{ "verify-x509-name \"CN=a b\" subject", "CN=a b" },
	{ "verify-x509-name 'CN=a b' subject", "CN=a b" },
	{ "verify-x509-name 'a\\b'", "a\\b" },     /* single quotes: backslash literal */
	{ "verify-x509-name \"a\\\"b\"", "a\"b" }, /* escaped quote inside double quotes */
	{ "verify-x509-name \"a\\\\b\"", "a\\b" }, /* escaped backslash */
	{ "verify-x509-name a\\ b", "a b" },       /* escaped blank outside quotes */
	{ "verify-x509-name \"it's\"", "it's" },   /* single quote inside double quotes */
	{ "verify-x509-name 'say \"hi\"'", "say \"hi\"" },
	{ "verify-x509-name \"#not-a-comment\"", "#not-a-comment" },
	{ "verify-x509-name ';x'", ";x" },
	{ "verify-x509-name a\"b c\"d", "ab cd" }, /* quotes group inside a word */
	{ "verify-x509-name\tx\t", "x" },          /* tabs separate */
	{ "verify-x509-name x\r", "x" },           /* CRLF line end */
	{ "  --verify-x509-name x", "x" },         /* leading -- allowed in files */
};

static void test_quoting(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };

		config_init(&cfg);
		if (parse_text(&cfg, quotes[i].text, &err) != 0)
			fail_msg("'%s': %s", quotes[i].text, err.msg);
		if (!cfg.verify_x509_name || strcmp(cfg.verify_x509_name, quotes[i].name) != 0)
			fail_msg("'%s': name '%s', expected '%s'", quotes[i].text,
			         str_or_null(cfg.verify_x509_name), quotes[i].name);
		config_free(&cfg);
	}
}

static void test_crlf_and_no_final_newline(void **state)
{
	struct config cfg;
	struct config_error err = { { 0 } };

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse_text(&cfg, "dev tap1\r\nport 1195\r\nverb 4", &err), 0);
	expect_field(&cfg, "dev", "tap1");
	expect_field(&cfg, "local_port", "1195");
	expect_field(&cfg, "verb", "4");
	config_free(&cfg);
}

static void test_nul_byte_refused(void **state)
{
	static const char text[] = "verb 3\ndev tap0\0x\n";
	struct config cfg;
	struct config_error err = { { 0 } };

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_parse_buffer(&cfg, T_CONF, text, sizeof(text) - 1, &err), -EINVAL);
	assert_string_equal(err.msg, T_CONF ":2: NUL byte in the line");
	config_free(&cfg);
}

/* ---- inline blocks ----------------------------------------------------------------------- */

#define PEM_CA "-----BEGIN CERTIFICATE-----\nMIIBcA==\n-----END CERTIFICATE-----\n"

static void test_inline_blocks(void **state)
{
	static const char text[] = "ca ca.crt\n"
	                           "<ca>\n" PEM_CA "</ca>\n"
	                           "  <cert>\n-----BEGIN CERTIFICATE-----\nx\n  </cert>  \n"
	                           "<key>\r\n-----BEGIN PRIVATE KEY-----\r\ny\r\n</key>\r\n"
	                           "dh none\n"
	                           "<dh>\n-----BEGIN DH PARAMETERS-----\nz\n</dh>\n"
	                           "verb 5\n";
	struct config cfg;
	struct config_error err = { { 0 } };

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse_text(&cfg, text, &err), 0);
	assert_null(cfg.ca.path); /* the later inline block replaces the earlier path */
	assert_string_equal(cfg.ca.inline_pem, PEM_CA);
	assert_string_equal(cfg.cert.inline_pem, "-----BEGIN CERTIFICATE-----\nx\n");
	assert_string_equal(cfg.key.inline_pem, "-----BEGIN PRIVATE KEY-----\r\ny\r\n");
	assert_string_equal(cfg.dh.inline_pem, "-----BEGIN DH PARAMETERS-----\nz\n");
	assert_false(cfg.dh_none);
	/* the file holding the private key is recorded, for its permission check */
	assert_string_equal(cfg.key.inline_source, T_CONF);
	expect_field(&cfg, "verb", "5"); /* parsing goes on after the blocks */
	config_free(&cfg);

	/* A path after an inline block replaces it. */
	config_init(&cfg);
	assert_int_equal(parse_text(&cfg, "<ca>\n" PEM_CA "</ca>\nca other.crt\n", &err), 0);
	assert_null(cfg.ca.inline_pem);
	assert_null(cfg.ca.inline_source);
	assert_string_equal(cfg.ca.path, "/etc/l2vpn/other.crt");
	config_free(&cfg);
}

/* ---- includes ---------------------------------------------------------------------------- */

struct tmpdir {
	char path[64];
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int make_tmpdir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));
	char sub[128];

	if (!t)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/l2vpn-config-test-XXXXXX");
	if (!mkdtemp(t->path)) {
		free(t);
		return -1;
	}
	snprintf(sub, sizeof(sub), "%s/sub", t->path);
	if (mkdir(sub, 0700) < 0)
		return -1;
	*state = t;
	return 0;
}

static int remove_tmpdir(void **state)
{
	struct tmpdir *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

/* An inline <key> in an included file records that file, as an absolute path even when the
 * configuration was named relative to the working directory. */
static void test_inline_key_source(void **state)
{
	struct tmpdir *t = *state;
	struct config cfg;
	struct config_error err = { { 0 } };
	char cwd[256], expect[192];

	write_file(t->path, "main.conf", "dev tap0\nconfig sub/key.conf\n");
	write_file(t->path, "sub/key.conf", "<key>\n-----BEGIN PRIVATE KEY-----\ny\n</key>\n");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(t->path), 0);
	config_init(&cfg);
	if (config_parse_file(&cfg, "main.conf", &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(chdir(cwd), 0);
	snprintf(expect, sizeof(expect), "%s/sub/key.conf", t->path);
	assert_string_equal(cfg.key.inline_source, expect);
	assert_null(cfg.key.path);
	config_free(&cfg);

	/* a key path given later (the command line, say) replaces the block and its source */
	write_file(t->path, "main.conf", "<key>\n-----BEGIN PRIVATE KEY-----\ny\n</key>\n");
	config_init(&cfg);
	assert_int_equal(chdir(t->path), 0);
	if (config_parse_file(&cfg, "main.conf", &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(chdir(cwd), 0);
	snprintf(expect, sizeof(expect), "%s/main.conf", t->path);
	assert_string_equal(cfg.key.inline_source, expect);
	{
		const char *argv[] = { "l2vpn", "--key", "/etc/l2vpn/site.key", NULL };
		assert_int_equal(config_parse_argv(&cfg, 3, (char **)argv, &err), 0);
	}
	assert_null(cfg.key.inline_pem);
	assert_null(cfg.key.inline_source);
	config_free(&cfg);
}

static void test_include_relative(void **state)
{
	struct tmpdir *t = *state;
	struct config cfg;
	struct config_error err = { { 0 } };
	char main_path[128], expect[192];

	write_file(t->path, "main.conf", "dev tap0\nconfig sub/keys.conf\nverb 4\ncert site.crt\n");
	write_file(t->path, "sub/keys.conf", "ca ca.crt\nkey ../site.key\n");
	snprintf(main_path, sizeof(main_path), "%s/main.conf", t->path);
	config_init(&cfg);
	if (config_parse_file(&cfg, main_path, &err) != 0)
		fail_msg("%s", err.msg);
	/* Paths in the included file are relative to that file's directory... */
	snprintf(expect, sizeof(expect), "%s/sub/ca.crt", t->path);
	expect_field(&cfg, "ca.path", expect);
	snprintf(expect, sizeof(expect), "%s/sub/../site.key", t->path);
	expect_field(&cfg, "key.path", expect);
	/* ...and back in the including file, relative to it again. */
	snprintf(expect, sizeof(expect), "%s/site.crt", t->path);
	expect_field(&cfg, "cert.path", expect);
	expect_field(&cfg, "verb", "4");
	assert_int_equal(cfg.include_depth, 0);
	config_free(&cfg);
}

static void test_include_errors(void **state)
{
	struct tmpdir *t = *state;
	struct config cfg;
	struct config_error err = { { 0 } };
	char path[128], expect[512];

	/* An error inside an included file names that file and its line. */
	write_file(t->path, "bad.conf", "verb 3\nproto udp\n");
	write_file(t->path, "outer.conf", "config bad.conf\n");
	snprintf(path, sizeof(path), "%s/outer.conf", t->path);
	config_init(&cfg);
	assert_int_equal(config_parse_file(&cfg, path, &err), -EINVAL);
	snprintf(expect, sizeof(expect),
	         "%s/bad.conf:2: proto: udp: l2vpn carries frames over TCP only (use proto tcp on "
	         "both ends)",
	         t->path);
	assert_string_equal(err.msg, expect);
	config_free(&cfg);

	/* A missing include is reported at the including line. */
	write_file(t->path, "missing.conf", "# x\nconfig nowhere.conf\n");
	snprintf(path, sizeof(path), "%s/missing.conf", t->path);
	config_init(&cfg);
	assert_int_equal(config_parse_file(&cfg, path, &err), -ENOENT);
	snprintf(expect, sizeof(expect),
	         "%s/missing.conf:2: config: cannot read %s/nowhere.conf: No such file or "
	         "directory",
	         t->path, t->path);
	assert_string_equal(err.msg, expect);
	config_free(&cfg);

	/* A file including itself stops at the depth limit. */
	write_file(t->path, "loop.conf", "config loop.conf\n");
	snprintf(path, sizeof(path), "%s/loop.conf", t->path);
	config_init(&cfg);
	assert_int_equal(config_parse_file(&cfg, path, &err), -EINVAL);
	snprintf(expect, sizeof(expect),
	         "%s/loop.conf:1: config: %s/loop.conf: includes nested too deeply (more than 10 "
	         "levels; does a file include itself?)",
	         t->path, t->path);
	assert_string_equal(err.msg, expect);
	config_free(&cfg);

	/* Ten files deep is the limit: a chain of 10 parses, a chain of 11 does not. */
	for (int depth = 10; depth <= 11; depth++) {
		for (int i = 0; i < depth; i++) {
			char name[32], text[64];

			snprintf(name, sizeof(name), "level%d.conf", i);
			if (i < depth - 1)
				snprintf(text, sizeof(text), "config level%d.conf\n", i + 1);
			else
				snprintf(text, sizeof(text), "dev tap9\n");
			write_file(t->path, name, text);
		}
		snprintf(path, sizeof(path), "%s/level0.conf", t->path);
		config_init(&cfg);
		if (depth == 10) {
			if (config_parse_file(&cfg, path, &err) != 0)
				fail_msg("%s", err.msg);
			expect_field(&cfg, "dev", "tap9");
		} else {
			assert_int_equal(config_parse_file(&cfg, path, &err), -EINVAL);
			snprintf(expect, sizeof(expect),
			         "%s/level9.conf:1: config: %s/level10.conf: includes nested too "
			         "deeply (more than 10 levels; does a file include itself?)",
			         t->path, t->path);
			assert_string_equal(err.msg, expect);
			assert_null(cfg.dev);
		}
		config_free(&cfg);
	}
}

/* A fan-out of includes (nine levels of twenty lines, each including the next level) would be
 * 20^9 parses: the total of included files is bounded, and the parse stops at once with the
 * place of the 101st include. */
static void test_include_fanout(void **state)
{
	struct tmpdir *t = *state;
	struct config cfg;
	struct config_error err = { { 0 } };
	char path[128], expect[512];

	for (int level = 0; level <= 9; level++) {
		char name[32], text[512] = "";

		snprintf(name, sizeof(name), "level%d.conf", level);
		for (int line = 0; line < 20 && level < 9; line++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
			         "config level%d.conf\n", level + 1);
		if (level == 9)
			snprintf(text, sizeof(text), "dev tap9\n");
		write_file(t->path, name, text);
	}
	snprintf(path, sizeof(path), "%s/level0.conf", t->path);
	config_init(&cfg);
	assert_int_equal(config_parse_file(&cfg, path, &err), -EINVAL);
	/* Depth first: includes 1..9 reach level 9, 10..28 finish level 8's first round, three
	 * more rounds of level 7 bring 91, and level 8's ninth line makes the 101st. */
	snprintf(expect, sizeof(expect),
	         "%s/level8.conf:9: config: %s/level9.conf: too many config includes (more than "
	         "100 files in all)",
	         t->path, t->path);
	assert_string_equal(err.msg, expect);
	assert_int_equal(cfg.include_depth, 0);
	config_free(&cfg);

	/* One hundred includes in all are fine (the file named on the command line counts). */
	write_file(t->path, "wide.conf", "");
	for (int i = 0; i < 99; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/top.conf", t->path);
		f = fopen(path, i ? "a" : "w");
		assert_non_null(f);
		fputs("config wide.conf\n", f);
		fclose(f);
	}
	{
		char *argv[] = { (char *)"l2vpn", path, NULL };

		config_init(&cfg);
		if (config_parse_argv(&cfg, 2, argv, &err) != 0)
			fail_msg("%s", err.msg);
		config_free(&cfg);
	}
	{
		FILE *f = fopen(path, "a");

		assert_non_null(f);
		fputs("config wide.conf\n", f);
		fclose(f);
	}
	{
		char *argv[] = { (char *)"l2vpn", path, NULL };

		config_init(&cfg);
		assert_int_equal(config_parse_argv(&cfg, 2, argv, &err), -EINVAL);
		snprintf(expect, sizeof(expect),
		         "%s:100: config: %s/wide.conf: too many config includes (more than 100 "
		         "files in all)",
		         path, t->path);
		assert_string_equal(err.msg, expect);
		config_free(&cfg);
	}
}

/* The lines read are bounded in total too: two includes of 600,000 blank lines each stop in
 * the second, at the 1,000,001st line read. */
static void test_include_line_budget(void **state)
{
	struct tmpdir *t = *state;
	struct config cfg;
	struct config_error err = { { 0 } };
	char path[128], expect[512];
	char *blank = malloc(600000);

	assert_non_null(blank);
	memset(blank, '\n', 600000);
	snprintf(path, sizeof(path), "%s/blank.conf", t->path);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		assert_int_equal(fwrite(blank, 1, 600000, f), 600000);
		fclose(f);
	}
	free(blank);
	write_file(t->path, "main.conf", "config blank.conf\n");
	snprintf(path, sizeof(path), "%s/main.conf", t->path);
	config_init(&cfg);
	if (config_parse_file(&cfg, path, &err) != 0)
		fail_msg("%s", err.msg);
	config_free(&cfg);

	write_file(t->path, "main.conf", "config blank.conf\nconfig blank.conf\n");
	config_init(&cfg);
	assert_int_equal(config_parse_file(&cfg, path, &err), -EINVAL);
	snprintf(expect, sizeof(expect),
	         "%s/blank.conf:399999: too many configuration lines (more than 1000000 in all "
	         "files together)",
	         t->path);
	assert_string_equal(err.msg, expect);
	config_free(&cfg);
}

static void test_parse_file_errors(void **state)
{
	struct tmpdir *t = *state;
	struct config cfg;
	struct config_error err = { { 0 } };
	char path[128], expect[256];

	config_init(&cfg);
	snprintf(path, sizeof(path), "%s/absent.conf", t->path);
	assert_int_equal(config_parse_file(&cfg, path, &err), -ENOENT);
	snprintf(expect, sizeof(expect), "%s: cannot read: No such file or directory", path);
	assert_string_equal(err.msg, expect);

	assert_int_equal(config_parse_file(&cfg, t->path, &err), -EISDIR);
	snprintf(expect, sizeof(expect), "%s: cannot read: Is a directory", t->path);
	assert_string_equal(err.msg, expect);

	/* Not a regular file: never read from a device or a pipe. */
	assert_int_equal(config_parse_file(&cfg, "/dev/null", &err), -EINVAL);
	assert_string_equal(err.msg, "/dev/null: cannot read: not a regular file");
	config_free(&cfg);
}

/* ---- the command line -------------------------------------------------------------------- */

/* ARGV is NULL-terminated; the parser does not modify it (the cast only adapts to main()'s
 * type). */
static int parse_args(struct config *cfg, struct config_error *err, const char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return config_parse_argv(cfg, argc, (char **)argv, err);
}

static void test_argv_forms(void **state)
{
	struct tmpdir *t = *state;
	struct config cfg;
	struct config_error err = { { 0 } };
	char path[128], expect[320], cwd[256];

	write_file(t->path, "site.conf", "dev tap0\nverb 3\nca ca.crt\n");
	snprintf(path, sizeof(path), "%s/site.conf", t->path);

	/* l2vpn FILE, then options applied in order (later wins). */
	config_init(&cfg);
	{
		const char *argv[] = { "l2vpn", path,   "--verb",   "5",  "--remote",
			               "h1",    "1195", "--remote", "h2", NULL };
		if (parse_args(&cfg, &err, argv) != 0)
			fail_msg("%s", err.msg);
	}
	expect_field(&cfg, "dev", "tap0");
	expect_field(&cfg, "verb", "5");
	expect_field(&cfg, "n_remotes", "2");
	expect_field(&cfg, "remote0", "h1:1195/0");
	snprintf(expect, sizeof(expect), "%s/ca.crt", t->path);
	expect_field(&cfg, "ca.path", expect);
	assert_string_equal(cfg.source_name, path);
	config_free(&cfg);

	/* --config FILE with an earlier option overridden by the file. */
	config_init(&cfg);
	{
		const char *argv[] = { "l2vpn", "--verb",        "9", "--config",
			               path,    "--test-config", NULL };
		if (parse_args(&cfg, &err, argv) != 0)
			fail_msg("%s", err.msg);
	}
	expect_field(&cfg, "verb", "3");
	expect_field(&cfg, "test_config", "1");
	config_free(&cfg);

	/* Relative paths on the command line resolve against the working directory. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	config_init(&cfg);
	{
		const char *argv[] = { "l2vpn", "--ca", "keys/ca.crt", NULL };
		assert_int_equal(parse_args(&cfg, &err, argv), 0);
	}
	snprintf(expect, sizeof(expect), "%s/keys/ca.crt", cwd);
	expect_field(&cfg, "ca.path", expect);
	config_free(&cfg);
}

static void test_argv_mktun(void **state)
{
	struct config cfg;
	struct config_error err = { { 0 } };
	const char *argv[] = { "l2vpn",     "--mktun", "--dev",    "tap0",    "--dev-type",
		               "tap",       "--user",  "nobody",   "--group", "nogroup",
		               "--tun-mtu", "9000",    "--bridge", "br0",     NULL };

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse_args(&cfg, &err, argv), 0);
	assert_int_equal(config_finish(&cfg, &err), 0);
	assert_int_equal(cfg.action, ACTION_MKTUN);
	assert_string_equal(cfg.dev, "tap0");
	assert_true(cfg.dev_type_tap);
	assert_string_equal(cfg.user, "nobody");
	assert_string_equal(cfg.group, "nogroup");
	assert_int_equal(cfg.tun_mtu, 9000);
	assert_string_equal(cfg.bridge_for_mktun, "br0");
	assert_string_equal(cfg.bridge, "br0");
	config_free(&cfg);

	config_init(&cfg);
	{
		const char *rm[] = { "l2vpn", "--rmtun", "--dev", "tap0", NULL };
		assert_int_equal(parse_args(&cfg, &err, rm), 0);
	}
	assert_int_equal(config_finish(&cfg, &err), 0);
	assert_int_equal(cfg.action, ACTION_RMTUN);
	config_free(&cfg);
}

struct argv_error {
	const char *argv[8];
	const char *message;
};

static const struct argv_error argv_errors[] = {
	{ { "l2vpn", "--foo", NULL }, "command line: --foo: unknown directive" },
	{ { "l2vpn", "--dev", NULL }, "command line: --dev: missing argument (expects 1, got 0)" },
	{ { "l2vpn", "--dev", "tap0", "tap1", NULL },
	  "command line: --dev: too many arguments (expects at most 1, got 2)" },
	{ { "l2vpn", "--mktun", "--rmtun", NULL },
	  "command line: --rmtun: --mktun and --rmtun exclude each other" },
	{ { "l2vpn", "--tun-mtu", "65536", NULL },
	  "command line: --tun-mtu: 65536 is out of range (68..65535)" },
	{ { "l2vpn", "--verb", "3", "stray", "--", NULL },
	  "command line: --verb: too many arguments (expects at most 1, got 2)" },
	{ { "l2vpn", "--", NULL }, "command line: --: an option name must follow the dashes" },
	{ { "l2vpn", "--help", "-v", NULL },
	  "command line: --help: too many arguments (expects at most 0, got 1)" },
	{ { "l2vpn", "--proto", "udp", NULL },
	  "command line: --proto: udp: l2vpn carries frames over TCP only (use proto tcp on both "
	  "ends)" },
	{ { "l2vpn", "-h", NULL }, "command line: -h: options start with -- (see --help)" },
	{ { "l2vpn", "--dev", "tap0", "-x", NULL },
	  "command line: --dev: too many arguments (expects at most 1, got 2)" },
	{ { "l2vpn", "/nonexistent/l2vpn.conf", NULL },
	  "command line: --config: cannot read /nonexistent/l2vpn.conf: No such file or "
	  "directory" },
};

static void test_argv_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(argv_errors) / sizeof(argv_errors[0]); i++) {
		const struct argv_error *e = &argv_errors[i];
		struct config cfg;
		struct config_error err = { { 0 } };
		const char *argv[8];

		memcpy(argv, e->argv, sizeof(argv));
		config_init(&cfg);
		assert_true(parse_args(&cfg, &err, argv) < 0);
		if (strncmp(err.msg, e->message, strlen(e->message)) != 0)
			fail_msg("argv %zu: got '%s', expected '%s'", i, err.msg, e->message);
		config_free(&cfg);
	}
}

static void test_argv_stray_word(void **state)
{
	struct tmpdir *t = *state;
	struct config cfg;
	struct config_error err = { { 0 } };
	char path[128];

	write_file(t->path, "ok.conf", "verb 3\n");
	snprintf(path, sizeof(path), "%s/ok.conf", t->path);
	config_init(&cfg);
	{
		const char *argv[] = { "l2vpn", path, "extra", NULL };
		assert_int_equal(parse_args(&cfg, &err, argv), -EINVAL);
	}
	assert_string_equal(err.msg, "command line: extra: unexpected argument (options start with "
	                             "--; see --help)");
	config_free(&cfg);
}

static void test_argv_help_version(void **state)
{
	struct config cfg;
	struct config_error err = { { 0 } };

	(void)state;
	config_init(&cfg);
	{
		const char *argv[] = { "l2vpn", "--version", NULL };
		assert_int_equal(parse_args(&cfg, &err, argv), 0);
	}
	assert_int_equal(cfg.action, ACTION_VERSION);
	assert_int_equal(config_finish(&cfg, &err), 0); /* nothing required */
	config_free(&cfg);

	config_init(&cfg);
	{
		const char *argv[] = { "l2vpn", "--mktun", "--help", NULL };
		assert_int_equal(parse_args(&cfg, &err, argv), 0);
	}
	assert_int_equal(cfg.action, ACTION_HELP);
	assert_int_equal(config_finish(&cfg, &err), 0);
	config_free(&cfg);
}

/* ---- config_finish ----------------------------------------------------------------------- */

#define SERVER_BASE "dev tap0\nca ca.crt\ncert s.crt\nkey s.key\n"
#define CLIENT_BASE "dev tap0\nca ca.crt\ncert c.crt\nkey c.key\nremote vpn.example.com\n"

struct finish_case {
	const char *text;
	int role;
	unsigned ping, ping_restart;
};

static const struct finish_case finishes[] = {
	{ SERVER_BASE "server-bridge\nkeepalive 10 120", ROLE_SERVER, 10, 240 },
	{ SERVER_BASE "mode server\nkeepalive 10 60", ROLE_SERVER, 10, 120 },
	{ SERVER_BASE "tls-server\nkeepalive 5 20", ROLE_SERVER, 5, 40 },
	{ SERVER_BASE "proto tcp-server\nkeepalive 5 20", ROLE_SERVER, 5, 40 },
	{ SERVER_BASE "proto tcp\nserver-bridge nogw", ROLE_SERVER, 0, 0 },
	{ CLIENT_BASE "client\nkeepalive 10 120", ROLE_CLIENT, 10, 120 },
	{ CLIENT_BASE "tls-client\nkeepalive 10 120", ROLE_CLIENT, 10, 120 },
	{ CLIENT_BASE "proto tcp6-client", ROLE_CLIENT, 0, 0 },
	{ CLIENT_BASE "proto tcp\nclient", ROLE_CLIENT, 0, 0 },
	/* Explicit ping / ping-restart override the expansion, in either order. */
	{ CLIENT_BASE "client\nping-restart 50\nkeepalive 10 120", ROLE_CLIENT, 10, 50 },
	{ SERVER_BASE "server-bridge\nkeepalive 10 120\nping 3", ROLE_SERVER, 3, 240 },
	{ SERVER_BASE "server-bridge\nping 15\nping-restart 60", ROLE_SERVER, 15, 60 },
};

static void test_finish_role_and_keepalive(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(finishes) / sizeof(finishes[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };

		config_init(&cfg);
		if (parse_text(&cfg, finishes[i].text, &err) != 0 || config_finish(&cfg, &err) != 0)
			fail_msg("case %zu: %s", i, err.msg);
		assert_int_equal(cfg.role, finishes[i].role);
		assert_int_equal(cfg.ping, finishes[i].ping);
		assert_int_equal(cfg.ping_restart, finishes[i].ping_restart);
		config_free(&cfg);
	}
}

struct finish_error {
	const char *text;
	const char *message; /* exact, after "/etc/l2vpn/t.conf: " */
};

static const struct finish_error finish_errors[] = {
	{ SERVER_BASE "proto tcp",
	  "proto: tcp needs a role (/etc/l2vpn/t.conf:5): add `client` or `server-bridge`, or "
	  "write tcp-client / tcp-server" },
	{ SERVER_BASE,
	  "no role: add `client` (or tls-client) for a client, `server-bridge` (or mode server / "
	  "tls-server) for a server" },
	{ "ca ca.crt\ncert s.crt\nkey s.key\nserver-bridge", "dev: missing (e.g. dev tap0)" },
	{ "dev tap0\ncert s.crt\nkey s.key\nserver-bridge",
	  "ca: missing (the CA certificate that signs the peers)" },
	{ "dev tap0\nca ca.crt\nkey s.key\nserver-bridge",
	  "cert: missing (this end's certificate)" },
	{ "dev tap0\nca ca.crt\ncert s.crt\nserver-bridge",
	  "key: missing (this end's private key)" },
	{ SERVER_BASE "client", "remote: a client needs at least one `remote HOST [PORT]`" },
	{ CLIENT_BASE "server-bridge",
	  "remote: a server does not connect out (remove `remote`, or make this end a client)" },
	{ CLIENT_BASE "client\ncomp-lzo\nallow-compression no",
	  "allow-compression no: conflicts with comp-lzo / compress lzo (remove one of them)" },
	{ CLIENT_BASE "client\nping 30\nping-restart 30",
	  "ping: 30 s is not shorter than ping-restart 30 s: the peer would restart before it "
	  "hears a ping" },
	{ "mktun", "--mktun: needs --dev NAME" },
	{ "rmtun", "--rmtun: needs --dev NAME" },
	{ "rmtun\ndev tap",
	  "--rmtun: needs the name of an existing tap (e.g. --dev tap0), not the generic \"tap\"" },
};

static void test_finish_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(finish_errors) / sizeof(finish_errors[0]); i++) {
		struct config cfg;
		struct config_error err = { { 0 } };
		char expect[CONFIG_ERR_MAX];

		config_init(&cfg);
		if (parse_text(&cfg, finish_errors[i].text, &err) != 0)
			fail_msg("case %zu: parse: %s", i, err.msg);
		assert_int_equal(config_finish(&cfg, &err), -EINVAL);
		snprintf(expect, sizeof(expect), T_CONF ": %s", finish_errors[i].message);
		if (strcmp(err.msg, expect) != 0)
			fail_msg("case %zu:\n got      '%s'\n expected '%s'", i, err.msg, expect);
		config_free(&cfg);
	}
}

/* ---- the operators' own configurations (OpenVPN TAP/TCP bridge) ---------------------------- */

static const char seed_server[] = "port 1194\n"
                                  "proto tcp\n"
                                  "dev tap0\n"
                                  "ca ca.crt\n"
                                  "cert vpn.example.com.crt\n"
                                  "key vpn.example.com.key\n"
                                  "dh dh1024.pem\n"
                                  "server-bridge\n"
                                  "keepalive 10 120\n"
                                  "comp-lzo\n"
                                  "persist-key\n"
                                  "persist-tun\n"
                                  "status openvpn-status2.log\n"
                                  "verb 3\n";

static const char seed_client[] = "client\n"
                                  "dev tap0\n"
                                  "proto tcp\n"
                                  "remote vpn.example.com 1194\n"
                                  "resolv-retry infinite\n"
                                  "nobind\n"
                                  "persist-key\n"
                                  "persist-tun\n"
                                  "ca ca.crt\n"
                                  "cert vpnc.example.com.crt\n"
                                  "key vpnc.example.com.key\n"
                                  "ns-cert-type server\n"
                                  "comp-lzo\n"
                                  "verb 3\n";

static void test_seed_server(void **state)
{
	struct config cfg;
	struct config_error err = { { 0 } };

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse_text(&cfg, seed_server, &err), 0);
	assert_int_equal(config_finish(&cfg, &err), 0);
	assert_int_equal(cfg.role, ROLE_SERVER);
	assert_true(cfg.server_bridge);
	assert_int_equal(cfg.local_port, 1194);
	assert_string_equal(cfg.dev, "tap0");
	assert_string_equal(cfg.ca.path, "/etc/l2vpn/ca.crt");
	assert_string_equal(cfg.cert.path, "/etc/l2vpn/vpn.example.com.crt");
	assert_string_equal(cfg.key.path, "/etc/l2vpn/vpn.example.com.key");
	assert_string_equal(cfg.dh.path, "/etc/l2vpn/dh1024.pem");
	assert_int_equal(cfg.ping, 10);
	assert_int_equal(cfg.ping_restart, 240);
	assert_int_equal(cfg.comp, COMP_ADAPTIVE);
	assert_true(cfg.persist_key);
	assert_true(cfg.persist_tun);
	assert_string_equal(cfg.status_file, "/etc/l2vpn/openvpn-status2.log");
	assert_int_equal(cfg.verb, 3);
	assert_int_equal(cfg.n_warnings, 0);
	config_free(&cfg);
}

static void test_seed_client(void **state)
{
	struct config cfg;
	struct config_error err = { { 0 } };

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse_text(&cfg, seed_client, &err), 0);
	assert_int_equal(config_finish(&cfg, &err), 0);
	assert_int_equal(cfg.role, ROLE_CLIENT);
	assert_int_equal(cfg.n_remotes, 1);
	assert_string_equal(cfg.remotes[0].host, "vpn.example.com");
	assert_int_equal(cfg.remotes[0].port, 1194);
	assert_int_equal(cfg.resolv_retry, -1);
	assert_true(cfg.nobind);
	assert_int_equal(cfg.ns_cert_type, PURPOSE_SERVER);
	assert_int_equal(cfg.comp, COMP_ADAPTIVE);
	assert_int_equal(cfg.verb, 3);
	/* Only the deprecation note for ns-cert-type. */
	assert_int_equal(cfg.n_warnings, 1);
	assert_non_null(strstr(cfg.warnings[0], T_CONF ":12: ns-cert-type: deprecated"));
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_nul_byte_refused),
		cmocka_unit_test(test_inline_blocks),
		cmocka_unit_test_setup_teardown(test_include_relative, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_inline_key_source, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_include_errors, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_include_fanout, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_include_line_budget, make_tmpdir,
		                                remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_parse_file_errors, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_argv_forms, make_tmpdir, remove_tmpdir),
		cmocka_unit_test(test_argv_mktun),
		cmocka_unit_test(test_argv_errors),
		cmocka_unit_test_setup_teardown(test_argv_stray_word, make_tmpdir, remove_tmpdir),
		cmocka_unit_test(test_argv_help_version),
		cmocka_unit_test(test_finish_role_and_keepalive),
		cmocka_unit_test(test_finish_errors),
		cmocka_unit_test(test_seed_server),
		cmocka_unit_test(test_seed_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
