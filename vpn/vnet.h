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
/* Ethernet header and one VLAN tag: the largest frame carrying an MTU-byte packet is
 * MTU + VNET_ETH_OVERHEAD (a link's max frame is its tun-mtu plus this). */
#define VNET_ETH_OVERHEAD 18
/* Largest frame a GSO super-frame can be: 64 KB IP packet + Ethernet header + VLAN tag. */
#define VNET_MAX_FRAME (65535 + VNET_ETH_OVERHEAD)
/* Smallest gso_size accepted from a peer: Linux's TCP_MIN_MSS, the smallest MSS a socket may
 * ask for (TCP_MAXSEG) and far below what any real path needs (IPv4's 576-byte minimum
 * datagram gives 536, Linux's smallest path MTU 552 gives 512). A kernel goes lower only when
 * a remote TCP advertises a tiny MSS (tcp_min_snd_mss, 48 by default, minus options): the
 * sending daemon cuts such super-frames itself and never passes them on. */
#define VNET_GSO_MIN_SIZE 88
/* Most segments one super-frame may be cut into: what the largest TCP payload of a 64 KB IPv4
 * packet (65535 - 20 - 20 bytes) gives at VNET_GSO_MIN_SIZE, 745. A kernel never emits more;
 * the bound also catches a frame longer than any IP packet at a small gso_size. */
#define VNET_GSO_MAX_SEGS ((65535 - 40 + VNET_GSO_MIN_SIZE - 1) / VNET_GSO_MIN_SIZE)

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
 * over IPv4/IPv6, optionally ECN) with VNET_GSO_MIN_SIZE <= gso_size <= MTU, at most
 * VNET_GSO_MAX_SEGS segments (counting every byte after a 20-byte TCP header at csum_start as
 * payload) and NEEDS_CSUM set, a checksum position inside the frame, no GSO frame above
 * VNET_MAX_FRAME and no plain frame above MAX_FRAME. Normalises the header in place (clears
 * DATA_VALID, recomputes hdr_len). Returns 0; -EMSGSIZE for a well-formed frame that is only
 * too large for this link (a plain frame above MAX_FRAME, a gso_size above MTU: the caller
 * drops it); -EINVAL for anything else (a protocol error). *WHY is then a static reason. */
int vnet_hdr_check(struct vnet_hdr *h, size_t frame_len, size_t max_frame, unsigned mtu,
                   const char **why);

/* Finish the partial checksum of a NEEDS_CSUM frame in place (what the NIC would do), so it
 * can go to a peer or tap without offloads. -EINVAL when the checksum position is outside. */
int vnet_complete_csum(uint8_t *frame, size_t len, const struct vnet_hdr *h);

/* The gso_size at which every segment of the TCP super-frame FRAME (LEN bytes, validated
 * header H) is an IP packet of at most MTU bytes, as a NIC with that MTU would cut it: H's own
 * gso_size when that fits, else the largest that does (it may be below VNET_GSO_MIN_SIZE).
 * -EINVAL when the IP and TCP headers cannot be read where H says or leave no room for
 * payload. */
int vnet_gso_size_for_mtu(const uint8_t *frame, size_t len, const struct vnet_hdr *h, unsigned mtu);

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
