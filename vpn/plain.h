/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plain: frames made fit for a link or tap without offloads (GSO super-frames cut into
 * segments, partial checksums completed), used by the tap writer and the peers alike.
 */
#ifndef L2VPN_PLAIN_H
#define L2VPN_PLAIN_H

#include "context.h"
#include "vnet.h"

/* Hand the frame of VH to EMIT the way a peer or tap without offloads must get it: a GSO
 * super-frame cut into segments that are IP packets of at most MTU bytes (at its gso_size, or
 * smaller where that does not fit), a frame with a partial checksum completed (in a scratch
 * buffer: VH is left as it is), any other frame as it is (whatever its size: EMIT judges
 * that). false when the frame could not be made plain (headers that are not TCP over IP
 * where the vnet header says). */
bool plain_frames(struct vpn *vpn, uint8_t *vh, size_t len, unsigned mtu, vnet_segment_fn *emit,
                  void *arg);

#endif
