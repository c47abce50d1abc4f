/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pwfile: a password kept in a file, OpenVPN style: its first line (the management interface's
 * PWFILE, and `l2vpn --ctl-password FILE`). */
#ifndef L2VPN_PWFILE_H
#define L2VPN_PWFILE_H

#include <stddef.h>

#define PWFILE_MAX 256 /* bytes of a password, line end excluded */

/* The first line of PATH, without its line end, into BUF (SIZE bytes, at least
 * PWFILE_MAX + 1). Returns its length, or -errno with *WHY (may be NULL) saying what is wrong
 * in words: the file does not open, is empty, its first line is empty or longer than
 * PWFILE_MAX bytes. */
int pwfile_read(const char *path, char *buf, size_t size, const char **why);

#endif
