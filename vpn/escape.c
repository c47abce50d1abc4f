// SPDX-License-Identifier: GPL-2.0-or-later
/* escape: printable copies of peer-controlled text (see escape.h). */
#include "escape.h"

#include <stdint.h>

size_t esc_printable(char *dst, size_t size, const void *src, size_t len, unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *in = src;
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t ch = in[i];

		if (ch >= 0x20 && ch < 0x7f) {
			if (out + 1 >= size)
				break;
			dst[out++] = (flags & ESC_CSV) && ch == ',' ? '_' : (char)ch;
			continue;
		}
		if (out + 4 >= size)
			break;
		dst[out++] = '\\';
		dst[out++] = 'x';
		dst[out++] = hex[ch >> 4];
		dst[out++] = hex[ch & 0xf];
	}
	dst[out] = '\0';
	return out;
}
