// SPDX-License-Identifier: GPL-2.0-or-later
#include "vnet.h"

#include <errno.h>

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void vnet_hdr_decode(const uint8_t in[VNET_HDR_LEN], struct vnet_hdr *h)
{
	h->flags = in[0];
	h->gso_type = in[1];
	h->hdr_len = get_le16(in + 2);
	h->gso_size = get_le16(in + 4);
	h->csum_start = get_le16(in + 6);
	h->csum_offset = get_le16(in + 8);
}

void vnet_hdr_encode(const struct vnet_hdr *h, uint8_t out[VNET_HDR_LEN])
{
	out[0] = h->flags;
	out[1] = h->gso_type;
	put_le16(out + 2, h->hdr_len);
	put_le16(out + 4, h->gso_size);
	put_le16(out + 6, h->csum_start);
	put_le16(out + 8, h->csum_offset);
}

static int reject(const char **why, const char *reason)
{
	*why = reason;
	return -EINVAL;
}

int vnet_hdr_check(struct vnet_hdr *h, size_t frame_len, size_t max_frame, unsigned mtu,
                   const char **why)
{
	uint8_t gso = h->gso_type & (uint8_t)~VNET_GSO_ECN;

	h->flags &= (uint8_t)~VNET_F_DATA_VALID; /* a receive-side hint, never valid to send */
	if (h->flags & ~VNET_F_NEEDS_CSUM)
		return reject(why, "unknown vnet header flags");
	if (h->flags & VNET_F_NEEDS_CSUM) {
		if (h->csum_offset > 0xffff - 2 ||
		    (size_t)h->csum_start + h->csum_offset + 2 > frame_len)
			return reject(why, "vnet checksum position outside the frame");
		if (h->csum_start < 14)
			return reject(why, "vnet checksum starts inside the Ethernet header");
	}
	if (h->gso_type == VNET_GSO_NONE) {
		if (frame_len > max_frame)
			return reject(why, "frame larger than the maximum frame");
		h->gso_size = 0;
		h->hdr_len = 0;
		return 0;
	}
	if (gso != VNET_GSO_TCPV4 && gso != VNET_GSO_TCPV6)
		return reject(why, "unsupported vnet GSO type");
	if (!(h->flags & VNET_F_NEEDS_CSUM))
		return reject(why, "vnet GSO frame without NEEDS_CSUM");
	if (h->gso_size == 0 || h->gso_size > mtu)
		return reject(why, "vnet gso_size outside 1..MTU");
	if (frame_len > VNET_MAX_FRAME)
		return reject(why, "GSO frame larger than 64 KB");
	/* hdr_len is only a copy hint: the kernel must not trust the peer's, so it becomes the
	 * smallest sane value (up to the transport header start). */
	h->hdr_len = h->csum_start;
	return 0;
}

int vnet_complete_csum(uint8_t *frame, size_t len, const struct vnet_hdr *h)
{
	size_t start = h->csum_start, at = (size_t)h->csum_start + h->csum_offset;
	uint32_t sum = 0;

	if (at + 2 > len || start > len)
		return -EINVAL;
	/* The checksum field holds the pseudo-header sum; the one's complement sum of
	 * everything from csum_start, folded and inverted, is the final checksum. */
	for (size_t i = start; i + 1 < len; i += 2)
		sum += (uint32_t)(frame[i] << 8 | frame[i + 1]);
	if ((len - start) & 1)
		sum += (uint32_t)frame[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	frame[at] = (uint8_t)(sum >> 8);
	frame[at + 1] = (uint8_t)sum;
	return 0;
}
