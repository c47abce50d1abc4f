// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: what the management interface takes from a client and what the metrics writers
 * make of a certificate's name. The input is cut into reads at lengths its first bytes choose
 * and fed to mgmt_line_feed(); every complete line is split by mgmt_tokenize(); the whole input
 * is written as a JSON string and as a Prometheus label value. Invariants abort:
 *  - every read is taken whole, a byte at least per call; the events are exactly those of a
 *    reference splitter: a line longer than MGMT_LINE_MAX reported too long (the rest dropped),
 *    else a line holding a NUL byte reported as such, else the line without "\r" ready;
 *  - mgmt_tokenize() returns -EINVAL, -E2BIG or 0..MAX words, each inside the line;
 *  - the JSON string is quoted printable ASCII whose escapes decode to the input's code points
 *    (U+FFFD for each byte that is not UTF-8);
 *  - the label value is quoted valid UTF-8 with no raw newline and every '"' and '\' escaped.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "metrics.h"
#include "mgmt_line.h"
#include "utf8.h"

#define MAX_EVENTS 4096

struct event {
	enum mgmt_line_event kind;
	size_t start, len; /* READY: the line's bytes in the input */
};

/* The events a correct splitter reports for DATA (at most MAX_EVENTS). */
static size_t reference(const uint8_t *data, size_t size, struct event *ev)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= size && n < MAX_EVENTS; i++) {
		size_t len = i - start;

		if (i < size && data[i] != '\n')
			continue;
		if (len > MGMT_LINE_MAX)
			ev[n++] = (struct event){ MGMT_LINE_TOO_LONG, 0, 0 };
		else if (i == size)
			break; /* an unfinished line within the limit: nothing yet */
		else if (memchr(data + start, '\0', len))
			ev[n++] = (struct event){ MGMT_LINE_HAS_NUL, 0, 0 };
		else
			ev[n++] = (struct event){ MGMT_LINE_READY, start,
				                  len && data[i - 1] == '\r' ? len - 1 : len };
		start = i + 1;
	}
	return n;
}

static void check_words(char *line)
{
	char *words[MGMT_ARGS_MAX];
	size_t len = strlen(line);
	int n = mgmt_tokenize(line, words, MGMT_ARGS_MAX);

	CHECK(n == -EINVAL || n == -E2BIG || (n >= 0 && n <= MGMT_ARGS_MAX));
	for (int i = 0; i < n; i++)
		CHECK(words[i] >= line && words[i] + strlen(words[i]) <= line + len);
}

static void check_lines(const uint8_t *data, size_t size)
{
	static struct event want[MAX_EVENTS];
	struct mgmt_line l = { 0 };
	size_t n_want = reference(data, size, want), n_got = 0, pos = 0, cut = 0;

	while (pos < size) {
		size_t chunk = 1 + data[cut++ % size] % 64, end = pos + chunk > size ? size : pos + chunk;

		while (pos < end) {
			size_t used = 0;
			enum mgmt_line_event ev =
			    mgmt_line_feed(&l, (const char *)data + pos, end - pos, &used);

			CHECK(used > 0 && used <= end - pos);
			pos += used;
			if (ev == MGMT_LINE_MORE) {
				CHECK(pos == end);
				continue;
			}
			if (n_got == MAX_EVENTS)
				return;
			CHECK(n_got < n_want && want[n_got].kind == ev);
			if (ev == MGMT_LINE_READY) {
				CHECK(strlen(l.buf) == want[n_got].len);
				CHECK(!memcmp(l.buf, data + want[n_got].start, want[n_got].len));
				check_words(l.buf);
			}
			n_got++;
		}
	}
	CHECK(n_got == n_want);
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void check_json(const uint8_t *data, size_t size)
{
	char *buf = NULL;
	size_t len = 0, i = 1, in = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	metrics_json_string(f, data, size);
	CHECK(fclose(f) == 0);
	CHECK(len >= 2 && buf[0] == '"' && buf[len - 1] == '"');
	while (i < len - 1) {
		uint32_t got, want = 0xfffd;
		size_t n = in < size ? utf8_decode(data + in, size - in, &want) : 0;
		char c = buf[i++];

		CHECK(in < size && c >= 0x20 && c < 0x7f && c != '"');
		in += n ? n : 1;
		if (c != '\\') {
			CHECK((uint32_t)c == want);
			continue;
		}
		c = buf[i++];
		if (c == 'u') {
			got = 0;
			for (int k = 0; k < 4; k++) {
				CHECK(i < len && hex(buf[i]) >= 0);
				got = got << 4 | (uint32_t)hex(buf[i++]);
			}
			if (got >= 0xd800 && got < 0xdc00) {
				uint32_t low = 0;

				CHECK(i + 6 <= len && buf[i] == '\\' && buf[i + 1] == 'u');
				i += 2;
				for (int k = 0; k < 4; k++) {
					CHECK(hex(buf[i]) >= 0);
					low = low << 4 | (uint32_t)hex(buf[i++]);
				}
				CHECK(low >= 0xdc00 && low < 0xe000);
				got = 0x10000 + ((got - 0xd800) << 10) + (low - 0xdc00);
			}
		} else {
			CHECK(c == '"' || c == '\\' || c == 'n' || c == 't' || c == 'r');
			got = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : (uint32_t)c;
		}
		CHECK(got == want);
	}
	CHECK(in == size);
	free(buf);
}

static void check_label(const uint8_t *data, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	metrics_prom_label(f, data, size);
	CHECK(fclose(f) == 0);
	CHECK(len >= 2 && buf[0] == '"' && buf[len - 1] == '"');
	for (size_t i = 1; i < len - 1;) {
		uint32_t cp;
		size_t n = utf8_decode((const uint8_t *)buf + i, len - 1 - i, &cp);

		CHECK(n > 0 && cp != '\n' && cp != '"');
		if (cp == '\\') {
			CHECK(i + 1 < len - 1 && strchr("\\\"n", buf[i + 1]));
			n = 2;
		}
		i += n;
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	check_lines(data, size);
	check_json(data, size);
	check_label(data, size);
	return 0;
}
