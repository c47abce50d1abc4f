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

/* Called once per segment by vnet_segment(): a complete plain frame of LEN bytes. */
typedef void vnet_segment_fn(const uint8_t *frame, size_t len, void *arg);

/* Cut a TCP GSO super-frame (validated header H) into the frames a NIC with TSO would have
 * sent: gso_size bytes of payload each, IPv4 total length, id and header checksum, IPv6
 * payload length, TCP sequence numbers, FIN/PSH on the last segment only, CWR on the first
 * only, and complete TCP checksums. Each segment is built in SCRATCH (at least the MTU + 18
 * bytes, SCRATCH_LEN) and handed to EMIT. -EINVAL (nothing emitted) when the headers are not
 * TCP over IPv4/IPv6 where H says. The userspace fallback for peers and taps without
 * offloads. */
int vnet_segment(const uint8_t *frame, size_t len, const struct vnet_hdr *h, uint8_t *scratch,
                 size_t scratch_len, vnet_segment_fn *emit, void *arg);

#endif
