// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: a frame with its vnet header as a peer sends it. Input: the 10-byte header,
 * then the frame. A header that vnet_hdr_check() accepts must keep every position it promises
 * inside the frame, and checksum completion on it must stay inside the frame. Invariants abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vnet.h"

static void count_bytes(const uint8_t *frame, size_t len, void *arg)
{
	CHECK(len <= 1600);
	CHECK(frame[0] == frame[0]); /* readable */
	*(size_t *)arg += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnet_hdr h;
	const char *why = NULL;
	size_t len;
	uint8_t *frame;

	if (size < VNET_HDR_LEN)
		return 0;
	len = size - VNET_HDR_LEN;
	vnet_hdr_decode(data, &h);
	if (vnet_hdr_check(&h, len, 1518, 1500, &why) < 0) {
		CHECK(why != NULL);
		return 0;
	}
	CHECK(!(h.flags & VNET_F_DATA_VALID));
	if (h.gso_type != VNET_GSO_NONE) {
		CHECK(h.flags & VNET_F_NEEDS_CSUM);
		CHECK(h.gso_size >= 1 && h.gso_size <= 1500);
		CHECK(len <= VNET_MAX_FRAME);
	} else {
		CHECK(len <= 1518);
	}
	if (h.gso_type != VNET_GSO_NONE) {
		static uint8_t scratch[1600];
		size_t total = 0;
		/* Segmentation either refuses or emits segments that fit the scratch buffer. */
		if (vnet_segment(data + VNET_HDR_LEN, len, &h, scratch, sizeof(scratch),
		                 count_bytes, &total) == 0)
			CHECK(total >= len);
	}
	if (!(h.flags & VNET_F_NEEDS_CSUM))
		return 0;
	CHECK((size_t)h.csum_start + h.csum_offset + 2 <= len);
	frame = malloc(len ? len : 1);
	if (!frame)
		return 0;
	memcpy(frame, data + VNET_HDR_LEN, len);
	CHECK(vnet_complete_csum(frame, len, &h) == 0);
	free(frame);
	return 0;
}
