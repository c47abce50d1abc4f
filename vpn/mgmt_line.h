/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgmt_line: the management interface's input, one command line at a time. Bytes from a
 * client's socket are gathered into lines ending with '\n' (a '\r' before it is dropped), each
 * at most MGMT_LINE_MAX bytes: a longer line is reported once and the rest of it, up to its
 * newline, is dropped; a line holding a NUL byte is reported and dropped. A line is then split
 * into words with OpenVPN's quoting. Pure: no I/O.
 */
#ifndef L2VPN_MGMT_LINE_H
#define L2VPN_MGMT_LINE_H

#include <stdbool.h>
#include <stddef.h>

#define MGMT_LINE_MAX 1024 /* bytes of one command, the newline not counted */
#define MGMT_ARGS_MAX 16   /* words of one command */

struct mgmt_line {
	char buf[MGMT_LINE_MAX + 1];
	size_t len;
	bool ready;      /* buf holds the line mgmt_line_feed() returned last */
	bool discarding; /* an overlong line: its rest is dropped up to the newline */
	bool nul;        /* the line being gathered holds a NUL byte */
};

enum mgmt_line_event {
	MGMT_LINE_MORE,     /* every byte given was taken; no line is complete */
	MGMT_LINE_READY,    /* buf holds a complete line, NUL-terminated, without "\r\n" */
	MGMT_LINE_TOO_LONG, /* the line passed MGMT_LINE_MAX: the rest of it will be dropped */
	MGMT_LINE_HAS_NUL,  /* a line that held a NUL byte ended: it is dropped */
};

/* Take bytes of DATA (LEN of them) up to the first event and say which; *USED gets how many
 * were taken. Call again with the rest. L starts zeroed. */
enum mgmt_line_event mgmt_line_feed(struct mgmt_line *l, const char *data, size_t len,
                                    size_t *used);

/* Split LINE in place into at most MAX words, as OpenVPN's management interface does:
 * blanks separate, "double quotes" group (a backslash still escapes inside), 'single quotes'
 * group literally, and a backslash outside single quotes takes the next character literally.
 * Returns the number of words (0 for a blank line), -EINVAL for an unterminated quote or a
 * trailing backslash, -E2BIG for more than MAX words. */
int mgmt_tokenize(char *line, char **words, int max);

#endif
