// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the configuration parser. Input: a config file's text, parsed with
 * config_parse_buffer() as /nonexistent-l2vpn-fuzz/fuzz.conf and then config_finish(); or,
 * when it starts with "ARGV\n", a command line with one argument per line for
 * config_parse_argv(). Invariants (checked after success) abort: every stored path is
 * absolute, values are inside their documented ranges, a failure always leaves a message
 * that names its place, and the include depth is back at zero.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "config.h"
#include "config_check.h"

#define FUZZ_NAME  "/nonexistent-l2vpn-fuzz/fuzz.conf"
#define ARGV_MAGIC "ARGV\n"
#define ARGV_MAX   64

/* Split TEXT (modified in place) at newlines into ARGV after a program name. */
static int split_argv(char *text, char **argv)
{
	static char program[] = "l2vpn";
	int argc = 0;

	argv[argc++] = program;
	while (text && argc < ARGV_MAX) {
		char *nl = strchr(text, '\n');

		if (nl)
			*nl = '\0';
		argv[argc++] = text;
		text = nl ? nl + 1 : NULL;
	}
	return argc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_error err = { { 0 } };
	struct config cfg;
	char *text = malloc(size + 1);
	int ret;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	config_init(&cfg);
	if (size >= strlen(ARGV_MAGIC) && memcmp(text, ARGV_MAGIC, strlen(ARGV_MAGIC)) == 0) {
		char *argv[ARGV_MAX];
		/* An embedded NUL ends the command line, as it would for a real argv. */
		int argc = split_argv(text + strlen(ARGV_MAGIC), argv);

		ret = config_parse_argv(&cfg, argc, argv, &err);
		if (ret < 0)
			CHECK(strncmp(err.msg, "command line: ", 14) == 0 || err.msg[0] == '/');
	} else {
		ret = config_parse_buffer(&cfg, FUZZ_NAME, text, size, &err);
		if (ret < 0)
			CHECK(err.msg[0] != '\0');
	}
	CHECK(cfg.include_depth == 0);
	if (ret == 0) {
		ret = config_finish(&cfg, &err);
		if (ret < 0)
			CHECK(err.msg[0] != '\0');
		else
			check_config(&cfg);
	}
	config_free(&cfg);
	free(text);
	return 0;
}
