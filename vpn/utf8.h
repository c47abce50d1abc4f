/* SPDX-License-Identifier: GPL-2.0-or-later */
/* utf8: one UTF-8 sequence at a time, strictly (RFC 3629), for formats that must stay valid
 * whatever bytes a peer's certificate holds. Pure. */
#ifndef L2VPN_UTF8_H
#define L2VPN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The code point of the UTF-8 sequence at the start of S (LEN > 0 bytes) in *CP, and its length
 * (1..4); 0 when S does not start with a valid sequence: a stray continuation byte, a truncated
 * or overlong sequence, a surrogate or a value above U+10FFFF. */
size_t utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);

#endif
