// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the command line. Input: the arguments after the program name, separated by
 * NUL bytes as the kernel hands them over (an empty input is no argument at all), given to
 * config_parse_argv() and, when that accepts them, config_finish(). Invariants abort: the
 * arguments are left as they were, a failure leaves a message that names the command line or
 * the file it came from, parsing the same line twice gives the same answer, and an accepted
 * configuration passes the checks the config target applies.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_check.h"
#include "fuzz.h"

#define ARGV_MAX 64

/* Split TEXT (SIZE bytes plus a NUL, modified in place) at NULs into ARGV after the program
 * name; argv[argc] is NULL as for main(). */
static int split_argv(char *text, size_t size, char **argv)
{
	static char program[] = "l2vpn";
	int argc = 0;
	size_t off = 0;

	argv[argc++] = program;
	while (size && off <= size && argc < ARGV_MAX - 1) {
		argv[argc++] = text + off;
		off += strlen(text + off) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

/* One parse of ARGV; the result, the message in MSG (MSG_LEN bytes). */
static int parse(int argc, char **argv, char *msg, size_t msg_len)
{
	struct config_error err = { { 0 } };
	struct config cfg;
	int ret;

	config_init(&cfg);
	ret = config_parse_argv(&cfg, argc, argv, &err);
	CHECK(cfg.include_depth == 0);
	if (ret < 0) {
		CHECK(err.msg[0] != '\0');
		CHECK(strncmp(err.msg, "command line: ", 14) == 0 || err.msg[0] == '/');
	} else {
		ret = config_finish(&cfg, &err);
		if (ret < 0)
			CHECK(err.msg[0] != '\0');
		else
			check_config(&cfg);
	}
	snprintf(msg, msg_len, "%s", ret < 0 ? err.msg : "");
	config_free(&cfg);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *copy = malloc(size + 1);
	char *argv[ARGV_MAX], msg1[sizeof(((struct config_error *)0)->msg)], msg2[sizeof(msg1)];
	int argc, r1, r2;

	if (!text || !copy)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	memcpy(copy, text, size + 1);
	argc = split_argv(text, size, argv);
	r1 = parse(argc, argv, msg1, sizeof(msg1));
	CHECK(memcmp(text, copy, size + 1) == 0);
	r2 = parse(argc, argv, msg2, sizeof(msg2));
	CHECK(r1 == r2 && strcmp(msg1, msg2) == 0);
out:
	free(text);
	free(copy);
	return 0;
}
