// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: a frame with its vnet header as a peer sends it. Input: the 10-byte header,
 * then the frame. A header that vnet_hdr_check() accepts must keep every position it promises
 * inside the frame, its gso_size at or above the floor, segmentation within the segment bound
 * (also when re-cut for a smaller MTU), and checksum completion inside the frame. Invariants
 * abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vnet.h"

struct seg_count {
	size_t total, n, max_len;
};

static void count_bytes(const uint8_t *frame, size_t len, void *arg)
{
	struct seg_count *c = arg;

	CHECK(len <= c->max_len);
	CHECK(frame[0] == frame[0]); /* readable */
	c->total += len;
	c->n++;
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
		CHECK(h.gso_size >= VNET_GSO_MIN_SIZE && h.gso_size <= 1500);
		CHECK(len <= VNET_MAX_FRAME);
	} else {
		CHECK(len <= 1518);
	}
	if (h.gso_type != VNET_GSO_NONE) {
		static uint8_t scratch[1600];
		struct seg_count c = { .max_len = sizeof(scratch) };
		struct vnet_hdr small = h;
		int gso_size;
		/* Segmentation either refuses or emits segments that fit the scratch buffer. */
		if (vnet_segment(data + VNET_HDR_LEN, len, &h, scratch, sizeof(scratch),
		                 count_bytes, &c) == 0) {
			CHECK(c.total >= len);
			CHECK(c.n <= VNET_GSO_MAX_SEGS);
		}
		/* Re-cut for a 576-byte MTU: every segment an IP packet of at most 576 bytes. */
		gso_size = vnet_gso_size_for_mtu(data + VNET_HDR_LEN, len, &h, 576);
		if (gso_size > 0) {
			CHECK(gso_size <= h.gso_size);
			small.gso_size = (uint16_t)gso_size;
			c = (struct seg_count){ .max_len = 576 + VNET_ETH_OVERHEAD };
			if (vnet_segment(data + VNET_HDR_LEN, len, &small, scratch, sizeof(scratch),
			                 count_bytes, &c) == 0)
				CHECK(c.total >= len);
		}
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
