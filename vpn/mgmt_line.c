// SPDX-License-Identifier: GPL-2.0-or-later
/* mgmt_line: command lines of the management interface (see mgmt_line.h). */
#include "mgmt_line.h"

#include <errno.h>
#include <string.h>

enum mgmt_line_event mgmt_line_feed(struct mgmt_line *l, const char *data, size_t len, size_t *used)
{
	size_t i;

	if (l->ready) {
		l->ready = false;
		l->len = 0;
	}
	for (i = 0; i < len; i++) {
		char ch = data[i];

		if (ch == '\n') {
			*used = i + 1;
			if (l->discarding) {
				/* The end of a line already reported too long. */
				l->discarding = false;
				l->len = 0;
				continue;
			}
			if (l->nul) {
				l->nul = false;
				l->len = 0;
				return MGMT_LINE_HAS_NUL;
			}
			if (l->len && l->buf[l->len - 1] == '\r')
				l->len--;
			l->buf[l->len] = '\0';
			l->ready = true;
			return MGMT_LINE_READY;
		}
		if (l->discarding)
			continue;
		if (l->len == MGMT_LINE_MAX) {
			*used = i + 1;
			l->discarding = true;
			l->nul = false;
			l->len = 0;
			return MGMT_LINE_TOO_LONG;
		}
		if (ch == '\0')
			l->nul = true;
		l->buf[l->len++] = ch;
	}
	*used = len;
	return MGMT_LINE_MORE;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Strategy: one pass with a write pointer that never overtakes the read pointer (quotes and
 * escapes only shrink the text), so each word is terminated in place where it ends. */
int mgmt_tokenize(char *line, char **words, int max)
{
	char *in = line, *out = line;
	int n = 0;

	for (;;) {
		char quote = 0, *start;
		bool more;

		while (is_blank(*in))
			in++;
		if (*in == '\0')
			return n;
		if (n == max)
			return -E2BIG;
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
					return -EINVAL;
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
			return -EINVAL;
		more = *in != '\0';
		*out++ = '\0';
		if (more)
			in++;
		words[n++] = start;
	}
}
