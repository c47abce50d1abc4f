/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The virtio-net header that travels with each frame when both ends negotiated offloads
 * (PROTO_CAP_VNET_HDR): 10 bytes, little-endian on the wire and in the tap (TUNSETVNETLE), so
 * 64 KB GSO super-frames cross the tunnel as one message and the receiving kernel segments
 * them. A pure module: decoding, validation of headers from the network, and the userspace
 * fallback (checksum completion) for peers without offloads.
 */
#ifndef L2VPN_VNET_H
#define L2VPN_VNET_H

#include <stddef.h>
#include <stdint.h>

#define VNET_HDR_LEN 10
/* Largest frame a GSO super-frame can be: 64 KB IP packet + Ethernet header + VLAN tag. */
#define VNET_MAX_FRAME (65535 + 18)

enum vnet_flags {
	VNET_F_NEEDS_CSUM = 1,
	VNET_F_DATA_VALID = 2,
};

enum vnet_gso {
	VNET_GSO_NONE = 0,
	VNET_GSO_TCPV4 = 1,
	VNET_GSO_TCPV6 = 4,
	VNET_GSO_ECN = 0x80,
};

struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};

void vnet_hdr_decode(const uint8_t in[VNET_HDR_LEN], struct vnet_hdr *h);
void vnet_hdr_encode(const struct vnet_hdr *h, uint8_t out[VNET_HDR_LEN]);

/* Check a header received from a peer for a frame of FRAME_LEN bytes on a link whose largest
 * plain frame is MAX_FRAME and whose segments may be at most MTU bytes: a known GSO type (TCP
 * over IPv4/IPv6, optionally ECN) with 1 <= gso_size <= MTU and NEEDS_CSUM set, a checksum
 * position inside the frame, no GSO frame above VNET_MAX_FRAME and no plain frame above
 * MAX_FRAME. Normalises the header in place (clears DATA_VALID, recomputes hdr_len).
 * Returns 0, or -EINVAL with *WHY set to a static reason. */
int vnet_hdr_check(struct vnet_hdr *h, size_t frame_len, size_t max_frame, unsigned mtu,
                   const char **why);

/* Finish the partial checksum of a NEEDS_CSUM frame in place (what the NIC would do), so it
 * can go to a peer or tap without offloads. -EINVAL when the checksum position is outside. */
int vnet_complete_csum(uint8_t *frame, size_t len, const struct vnet_hdr *h);

#endif
