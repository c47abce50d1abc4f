// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: LZO decompression of peer data into a bounded buffer. Input: one byte choosing
 * the output limit, then the compressed stream. The output buffer is exactly the limit, so
 * ASan catches any write past it. A successful result must survive compress + decompress.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "comp.h"

static const size_t limits[] = { 1, 16, 64, 256, 1514, 1524, 9018, 65550 };

static void round_trip(struct comp *c, const uint8_t *plain, size_t len)
{
	uint8_t *packed = malloc(comp_bound(len)), *back = malloc(len);
	ssize_t n;

	CHECK(packed && back);
	n = comp_compress(c, plain, len, packed, comp_bound(len), 0);
	CHECK(n == 0 || (n > 0 && (size_t)n < len));
	if (n > 0) {
		CHECK(comp_decompress(c, packed, (size_t)n, back, len) == (ssize_t)len);
		CHECK(memcmp(back, plain, len) == 0);
	}
	free(packed);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comp *c;
	uint8_t *out;
	size_t max_out;
	ssize_t n;

	if (size < 1 || comp_global_init() < 0)
		return 0;
	max_out = limits[data[0] % (sizeof(limits) / sizeof(limits[0]))];
	c = comp_new(false);
	out = malloc(max_out);
	CHECK(c && out);
	n = comp_decompress(c, data + 1, size - 1, out, max_out);
	CHECK(n > 0 || n == -EMSGSIZE || n == -EBADMSG);
	if (n > 0) {
		CHECK((size_t)n <= max_out);
		round_trip(c, out, (size_t)n);
	}
	free(out);
	comp_free(c);
	return 0;
}
