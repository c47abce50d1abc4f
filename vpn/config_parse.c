// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration syntax: lines, comments, OpenVPN quoting, inline <ca>/<cert>/<key>/<dh>
 * blocks, `config` includes and the command line. Each directive found is handed to
 * cfg_apply_directive() (config_directives.c) with its location.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "config.h"
#include "config_internal.h"

/* Lines of TEXT one at a time, without the newline and a trailing carriage return. */
struct line_reader {
	const char *text;
	size_t len, pos;
	unsigned line;
};

static bool next_line(struct line_reader *r, const char **start, size_t *len)
{
	const char *nl;
	size_t n;

	if (r->pos >= r->len)
		return false;
	*start = r->text + r->pos;
	nl = memchr(*start, '\n', r->len - r->pos);
	n = nl ? (size_t)(nl - *start) : r->len - r->pos;
	r->pos += n + (nl ? 1 : 0);
	r->line++;
	if (n > 0 && (*start)[n - 1] == '\r')
		n--;
	*len = n;
	return true;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Split LINE in place into at most CONFIG_ARGS_MAX tokens, OpenVPN style: whitespace separates,
 * `#` or `;` at the start of a token starts a comment, "double quotes" group (backslash
 * escapes still work inside), 'single quotes' group literally, and a backslash outside
 * single quotes takes the next character literally.
 * Strategy: one pass with a write pointer that never overtakes the read pointer (escapes and
 * quotes only shrink the text), so each token is terminated where it ends. */
static int tokenize(struct cfg_ctx *c, char *line, char **tokens, int *count)
{
	char *in = line, *out = line;
	int n = 0;

	for (;;) {
		char quote = 0, *start;
		bool more;

		while (is_blank(*in))
			in++;
		if (*in == '\0' || *in == '#' || *in == ';')
			break;
		if (n == CONFIG_ARGS_MAX)
			return cfg_fail(c, "too many arguments (at most %d)", CONFIG_ARGS_MAX - 1);
		start = out;
		while (*in) {
			char ch = *in;

			if (quote == '\'') {
				in++;
				if (ch == '\'')
					quote = 0;
				else
					*out++ = ch;
				continue;
			}
			if (ch == '\\') {
				if (in[1] == '\0')
					return cfg_fail(c, "backslash at the end of the line");
				*out++ = in[1];
				in += 2;
				continue;
			}
			if (quote == '"') {
				in++;
				if (ch == '"')
					quote = 0;
				else
					*out++ = ch;
				continue;
			}
			if (ch == '"' || ch == '\'') {
				quote = ch;
				in++;
				continue;
			}
			if (is_blank(ch))
				break;
			*out++ = ch;
			in++;
		}
		if (quote)
			return cfg_fail(c, "unterminated %s quote",
			                quote == '"' ? "double" : "single");
		more = *in != '\0';
		*out++ = '\0';
		if (more)
			in++;
		tokens[n++] = start;
	}
	*count = n;
	return 0;
}

/* "<name>" on a line of its own opens an inline block; returns NAME's length or 0. */
static size_t inline_open_tag(const char *token)
{
	size_t len = strlen(token);

	if (len < 3 || token[0] != '<' || token[1] == '/' || token[len - 1] != '>')
		return 0;
	return len - 2;
}

static bool is_close_tag(const char *line, size_t len, const char *name, size_t name_len)
{
	while (len && is_blank(*line)) {
		line++;
		len--;
	}
	while (len && is_blank(line[len - 1]))
		len--;
	return len == name_len + 3 && line[0] == '<' && line[1] == '/' &&
	       memcmp(line + 2, name, name_len) == 0 && line[len - 1] == '>';
}

/* Collect the lines after <NAME> up to </NAME> and apply them as inline PEM. */
static int read_inline_block(struct cfg_ctx *c, struct line_reader *r, const char *name)
{
	size_t name_len = strlen(name), content_start = r->pos, len;
	unsigned open_line = r->line;
	const char *line;
	char *text;
	int ret;

	while (next_line(r, &line, &len)) {
		size_t content_len = (size_t)(line - r->text) - content_start;

		if (!is_close_tag(line, len, name, name_len))
			continue;
		c->line = open_line;
		text = strndup(r->text + content_start, content_len);
		if (!text)
			return -ENOMEM;
		if (strlen(text) != content_len)
			ret = cfg_fail(c, "NUL byte inside the inline block");
		else
			ret = cfg_apply_inline(c, name, text);
		free(text);
		return ret;
	}
	c->line = open_line;
	return cfg_fail(c, "unterminated inline block (no </%s> before the end of the file)", name);
}

/* Tokenize one line and apply it. */
static int parse_line(struct cfg_ctx *c, struct line_reader *r, const char *raw, size_t len)
{
	char *tokens[CONFIG_ARGS_MAX];
	char *line = strndup(raw, len);
	size_t tag_len;
	int n = 0, ret;

	if (!line)
		return -ENOMEM;
	c->directive = NULL;
	if (strlen(line) != len) {
		ret = cfg_fail(c, "NUL byte in the line");
		goto out;
	}
	ret = tokenize(c, line, tokens, &n);
	if (ret < 0 || n == 0)
		goto out;
	tag_len = inline_open_tag(tokens[0]);
	if (tag_len) {
		tokens[0][tag_len + 1] = '\0';
		c->directive = tokens[0] + 1;
		if (n > 1)
			ret = cfg_fail(c, "text after <%s> (the block starts on the next line)",
			               c->directive);
		else
			ret = read_inline_block(c, r, c->directive);
		goto out;
	}
	/* OpenVPN lets a file say "--dev tap0" too. */
	if (tokens[0][0] == '-' && tokens[0][1] == '-' && tokens[0][2])
		tokens[0] += 2;
	ret = cfg_apply_directive(c, n, tokens);
out:
	free(line);
	return ret;
}

static int parse_text(struct config *cfg, const char *name, const char *base_dir, const char *text,
                      size_t len, struct config_error *err)
{
	struct cfg_ctx c = { .cfg = cfg, .source = name, .base_dir = base_dir, .err = err };
	struct line_reader r = { .text = text, .len = len };
	const char *line;
	size_t line_len;
	int ret;

	while (next_line(&r, &line, &line_len)) {
		c.line = r.line;
		c.directive = NULL;
		if (++cfg->lines_read > CONFIG_LINES_MAX)
			return cfg_fail(&c,
			                "too many configuration lines (more than %d in all files "
			                "together)",
			                CONFIG_LINES_MAX);
		ret = parse_line(&c, &r, line, line_len);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The absolute directory of file NAME (the working directory when NAME has no '/'). */
static int directory_of(const char *name, char **out)
{
	const char *slash = strrchr(name, '/');
	char cwd[4096];

	if (slash && name[0] == '/') {
		*out = slash == name ? strdup("/") : strndup(name, (size_t)(slash - name));
		return *out ? 0 : -ENOMEM;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	if (!slash)
		*out = strdup(cwd);
	else if (asprintf(out, "%s/%.*s", cwd, (int)(slash - name), name) < 0)
		*out = NULL;
	return *out ? 0 : -ENOMEM;
}

/* Parse TEXT as file NAME one include level deeper; the base directory follows NAME. */
static int parse_nested(struct config *cfg, const char *name, const char *text, size_t len,
                        struct config_error *err)
{
	char *base_dir = NULL;
	int ret = directory_of(name, &base_dir);

	if (ret < 0) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "%s: cannot find its directory: %s",
			         name, strerror(-ret));
		return ret;
	}
	if (!cfg->source_name && cfg_set_string(&cfg->source_name, name) < 0) {
		free(base_dir);
		return -ENOMEM;
	}
	cfg->include_depth++;
	ret = parse_text(cfg, name, base_dir, text, len, err);
	cfg->include_depth--;
	free(base_dir);
	return ret;
}

int config_parse_buffer(struct config *cfg, const char *name, const char *text, size_t len,
                        struct config_error *err)
{
	return parse_nested(cfg, name, text, len, err);
}

/* Read regular file PATH (at most CONFIG_FILE_SIZE_MAX bytes) into *TEXT. -errno; -EFBIG. */
static int read_whole_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	ssize_t got = 0;
	size_t done = 0;
	int fd, ret = 0;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	if (st.st_size > CONFIG_FILE_SIZE_MAX) {
		ret = -EFBIG;
		goto out;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size &&
	       (got = read(fd, *text + done, (size_t)st.st_size - done)) > 0)
		done += (size_t)got;
	if (got < 0)
		ret = -errno;
	*len = done;
out:
	if (ret < 0) {
		free(*text);
		*text = NULL;
	}
	close(fd);
	return ret;
}

static const char *read_error_text(int code)
{
	if (code == -EFBIG)
		return "file too large for a configuration (over 1 MiB)";
	if (code == -EINVAL)
		return "not a regular file";
	return strerror(-code);
}

int config_parse_file(struct config *cfg, const char *path, struct config_error *err)
{
	char *text;
	size_t len;
	int ret = read_whole_file(path, &text, &len);

	if (ret < 0) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "%s: cannot read: %s", path,
			         read_error_text(ret));
		return ret;
	}
	ret = parse_nested(cfg, path, text, len, err);
	free(text);
	return ret;
}

int cfg_include_file(struct cfg_ctx *c, const char *abs_path)
{
	char *text;
	size_t len;
	int ret;

	if (c->cfg->include_depth >= CONFIG_INCLUDE_DEPTH_MAX)
		return cfg_fail(c,
		                "%s: includes nested too deeply (more than %d levels; "
		                "does a file include itself?)",
		                abs_path, CONFIG_INCLUDE_DEPTH_MAX);
	if (++c->cfg->include_files > CONFIG_INCLUDE_FILES_MAX)
		return cfg_fail(c, "%s: too many config includes (more than %d files in all)",
		                abs_path, CONFIG_INCLUDE_FILES_MAX);
	ret = read_whole_file(abs_path, &text, &len);
	if (ret < 0)
		return cfg_fail_code(c, ret, "cannot read %s: %s", abs_path, read_error_text(ret));
	ret = parse_nested(c->cfg, abs_path, text, len, c->err);
	free(text);
	return ret;
}

static bool is_option(const char *arg)
{
	return arg[0] == '-' && arg[1] == '-';
}

/* Strategy: walk argv; each "--name" takes the arguments up to the next "--" word. A lone
 * first word that is not an option is a config file (`l2vpn server.conf`). */
int config_parse_argv(struct config *cfg, int argc, char **argv, struct config_error *err)
{
	struct cfg_ctx c = { .cfg = cfg, .err = err };
	char **args = NULL;
	int ret = 0;

	args = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*args));
	if (!args)
		return -ENOMEM;
	for (int i = 1; i < argc && ret == 0;) {
		int end = i + 1;

		c.directive = NULL;
		if (argv[i][0] == '-' && argv[i][1] != '-' && argv[i][1] != '\0') {
			ret = cfg_fail(&c, "%s: options start with -- (see --help)", argv[i]);
			break;
		}
		if (!is_option(argv[i])) {
			char *path = NULL;

			if (i != 1) {
				ret = cfg_fail(&c,
				               "%s: unexpected argument (options start with --; "
				               "see --help)",
				               argv[i]);
				break;
			}
			c.directive = "config";
			ret = cfg_resolve_path(&c, argv[i], &path);
			if (ret == 0)
				ret = cfg_include_file(&c, path);
			free(path);
			i++;
			continue;
		}
		while (end < argc && !is_option(argv[end]))
			end++;
		args[0] = argv[i] + 2;
		for (int j = i + 1; j < end; j++)
			args[j - i] = argv[j];
		if (args[0][0] == '\0') {
			c.directive = NULL;
			ret = cfg_fail(&c, "--: an option name must follow the dashes");
			break;
		}
		ret = cfg_apply_directive(&c, end - i, args);
		i = end;
	}
	free(args);
	return ret;
}
