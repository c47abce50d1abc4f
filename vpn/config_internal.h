/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals shared by the configuration parser's files: config.c (defaults, messages, paths,
 * config_finish), config_parse.c (tokenizer, inline blocks, includes, argv) and
 * config_directives.c (the directive table). Not for use outside vpn/config*.c.
 */
#ifndef L2VPN_CONFIG_INTERNAL_H
#define L2VPN_CONFIG_INTERNAL_H

#include "config.h"

#define CONFIG_INCLUDE_DEPTH_MAX 10        /* nested `config` includes, as OpenVPN */
#define CONFIG_INCLUDE_FILES_MAX 100       /* `config` includes in all, nested or not */
#define CONFIG_LINES_MAX         1000000   /* lines read in all files together */
#define CONFIG_FILE_SIZE_MAX     (1 << 20) /* a config file larger than this is refused */
#define CONFIG_ARGS_MAX          16        /* tokens on one line, directive included */

/* Where the directive being applied comes from. */
struct cfg_ctx {
	struct config *cfg;
	const char *source;    /* file name as given, or NULL for the command line */
	unsigned line;         /* 1-based line in SOURCE */
	const char *directive; /* name of the directive being applied */
	const char *base_dir;  /* absolute directory of SOURCE; NULL: the working directory */
	struct config_error *err;
};

/* Fill C->err with "SOURCE:LINE: DIRECTIVE: <fmt>" (or "command line: --DIRECTIVE: <fmt>").
 * Always returns -EINVAL so handlers can `return cfg_fail(...)`. */
int cfg_fail(struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Same prefix rules, but with an explicit errno-style return code. */
int cfg_fail_code(struct cfg_ctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Append "SOURCE:LINE: DIRECTIVE: <fmt>" to cfg->warnings. 0 or -ENOMEM (with C->err set). */
int cfg_warn(struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "SOURCE:LINE" (or "command line") of the directive being applied, in BUF. */
const char *cfg_where(const struct cfg_ctx *c, char *buf, size_t size);

/* Replace *DST with a copy of SRC (NULL clears). 0 or -ENOMEM. */
int cfg_set_string(char **dst, const char *src);

/* Turn ARG into an absolute path: as is when absolute, else joined to `cd` (if given) or to
 * the directory of the file being read (the working directory for the command line).
 * Stores a new string in *OUT (freeing the old one). 0, -ENOMEM or -ERANGE/-errno from getcwd. */
int cfg_resolve_path(struct cfg_ctx *c, const char *arg, char **out);

/* Apply one directive: ARGV[0] is its name (without leading "--"), ARGC counts it.
 * Checks the argument count against the table, then runs the handler. 0 or -errno. */
int cfg_apply_directive(struct cfg_ctx *c, int argc, char **argv);

/* Store an inline PEM block <NAME>TEXT</NAME> (NAME: ca, cert, key, dh). 0 or -errno. */
int cfg_apply_inline(struct cfg_ctx *c, const char *name, const char *text);

/* `config FILE` met while applying C: read ABS_PATH one include level deeper, with errors about
 * the file itself reported at C's location. 0 or -errno. */
int cfg_include_file(struct cfg_ctx *c, const char *abs_path);

#endif
