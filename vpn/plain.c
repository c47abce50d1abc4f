// SPDX-License-Identifier: GPL-2.0-or-later
/* plain: frames made fit for a link or tap without offloads (see plain.h). */
#include "plain.h"

#include <string.h>

bool plain_frames(struct vpn *vpn, uint8_t *vh, size_t len, unsigned mtu, vnet_segment_fn *emit,
                  void *arg)
{
	struct vnet_hdr h;
	int gso_size;

	vnet_hdr_decode(vh, &h);
	if (h.gso_type != VNET_GSO_NONE) {
		gso_size = vnet_gso_size_for_mtu(vh + VNET_HDR_LEN, len, &h, mtu);
		if (gso_size <= 0)
			return false;
		h.gso_size = (uint16_t)gso_size;
		vpn->counters.frames_segmented++;
		return vnet_segment(vh + VNET_HDR_LEN, len, &h, vpn->csum_buf, VNET_MAX_FRAME, emit,
		                    arg) == 0;
	}
	if (!(h.flags & VNET_F_NEEDS_CSUM)) {
		emit(vh + VNET_HDR_LEN, len, arg);
		return true;
	}
	memcpy(vpn->csum_buf, vh + VNET_HDR_LEN, len);
	if (vnet_complete_csum(vpn->csum_buf, len, &h) < 0)
		return false;
	emit(vpn->csum_buf, len, arg);
	return true;
}
