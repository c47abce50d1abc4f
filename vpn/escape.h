/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * escape: printable copies of text a peer controls (certificate common names, GOODBYE reasons)
 * before it reaches a log line or the status file, so no peer can start a fake log line, break
 * a status row or send control sequences to a terminal. Pure.
 */
#ifndef L2VPN_ESCAPE_H
#define L2VPN_ESCAPE_H

#include <stddef.h>

/* Also replace ',' with '_': the text is one field of OpenVPN's comma-separated status file. */
#define ESC_CSV 1u

/* Copy LEN bytes of SRC (embedded NULs included) into DST as printable ASCII: bytes 0x20..0x7e
 * stay, every other byte (control bytes, DEL, non-ASCII such as UTF-8) becomes "\xNN" (two
 * lowercase hex digits); with ESC_CSV a ',' becomes '_'. The copy is cut where the next
 * character or escape would not fit SIZE - 1 bytes (an escape is never split) and always
 * NUL-terminated; SIZE must be at least 1. Escaping the result again with the same FLAGS
 * leaves it unchanged. Returns the length of DST. */
size_t esc_printable(char *dst, size_t size, const void *src, size_t len, unsigned flags);

#endif
