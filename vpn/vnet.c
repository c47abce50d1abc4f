// SPDX-License-Identifier: GPL-2.0-or-later
#include "vnet.h"

#include "bytes.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

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

static int too_large(const char **why, const char *reason)
{
	*why = reason;
	return -EMSGSIZE;
}

int vnet_hdr_check(struct vnet_hdr *h, size_t frame_len, size_t max_frame, unsigned mtu,
                   const char **why)
{
	uint8_t gso = h->gso_type & (uint8_t)~VNET_GSO_ECN;
	size_t payload;

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
			return too_large(why, "frame larger than the maximum frame");
		h->gso_size = 0;
		h->hdr_len = 0;
		return 0;
	}
	if (gso != VNET_GSO_TCPV4 && gso != VNET_GSO_TCPV6)
		return reject(why, "unsupported vnet GSO type");
	if (!(h->flags & VNET_F_NEEDS_CSUM))
		return reject(why, "vnet GSO frame without NEEDS_CSUM");
	if (frame_len > VNET_MAX_FRAME)
		return reject(why, "GSO frame larger than 64 KB");
	if (h->gso_size < VNET_GSO_MIN_SIZE)
		return reject(why, "vnet gso_size below 88");
	/* csum_start + csum_offset + 2 <= frame_len (above), so the subtraction is safe. */
	payload = frame_len - h->csum_start;
	payload = payload > 20 ? payload - 20 : 0;
	if ((payload + h->gso_size - 1) / h->gso_size > VNET_GSO_MAX_SEGS)
		return reject(why, "vnet GSO frame of more segments than a 64 KB packet has");
	if (h->gso_size > mtu)
		return too_large(why, "vnet gso_size above the MTU");
	/* hdr_len is only a copy hint: the kernel must not trust the peer's, so it becomes the
	 * smallest sane value (up to the transport header start). */
	h->hdr_len = h->csum_start;
	return 0;
}

/* One's complement sum of LEN bytes (big-endian words) added to SUM. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int vnet_complete_csum(uint8_t *frame, size_t len, const struct vnet_hdr *h)
{
	size_t start = h->csum_start, at = (size_t)h->csum_start + h->csum_offset;

	if (at + 2 > len || start > len)
		return -EINVAL;
	/* The checksum field holds the pseudo-header sum; the one's complement sum of
	 * everything from csum_start, folded and inverted, is the final checksum. */
	put_be16(frame + at, fold(sum16(0, frame + start, len - start)));
	return 0;
}

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

/* Where the IP header starts (after one optional VLAN tag) and its version, or -EINVAL. */
static int locate_ip(const uint8_t *frame, size_t len, size_t *l3, int *version)
{
	size_t at = 12;
	uint16_t type;

	if (len < 14)
		return -EINVAL;
	type = get_be16(frame + at);
	if (type == 0x8100 || type == 0x88a8) {
		at += 4;
		if (len < at + 2)
			return -EINVAL;
		type = get_be16(frame + at);
	}
	*l3 = at + 2;
	if (type == 0x0800)
		*version = 4;
	else if (type == 0x86dd)
		*version = 6;
	else
		return -EINVAL;
	return 0;
}

int vnet_gso_size_for_mtu(const uint8_t *frame, size_t len, const struct vnet_hdr *h, unsigned mtu)
{
	size_t l3, l4 = h->csum_start, ip_tcp, room;
	int version;

	if (locate_ip(frame, len, &l3, &version) < 0 || l4 < l3 + 20 || len < l4 + 20)
		return -EINVAL;
	/* IP header (options and IPv6 extension headers included) plus TCP header. */
	ip_tcp = l4 - l3 + (size_t)(frame[l4 + 12] >> 4) * 4;
	if (ip_tcp < l4 - l3 + 20 || mtu <= ip_tcp)
		return -EINVAL;
	room = mtu - ip_tcp;
	return room < h->gso_size ? (int)room : h->gso_size;
}

int vnet_segment(const uint8_t *frame, size_t len, const struct vnet_hdr *h, uint8_t *scratch,
                 size_t scratch_len, vnet_segment_fn *emit, void *arg)
{
	uint8_t gso = h->gso_type & (uint8_t)~VNET_GSO_ECN;
	size_t l3, l4 = h->csum_start, hdrs, payload, mss = h->gso_size;
	uint32_t seq, pseudo;
	uint16_t ip_id = 0;
	uint8_t flags;
	int version;

	if (locate_ip(frame, len, &l3, &version) < 0 || mss == 0)
		return -EINVAL;
	if ((version == 4 && gso != VNET_GSO_TCPV4) || (version == 6 && gso != VNET_GSO_TCPV6))
		return -EINVAL;
	if (version == 4 &&
	    (len < l3 + 20 || frame[l3 + 9] != 6 || l4 != l3 + (size_t)(frame[l3] & 0x0f) * 4))
		return -EINVAL;
	if (version == 6 && (len < l3 + 40 || frame[l3 + 6] != 6 || l4 != l3 + 40))
		return -EINVAL;
	if (len < l4 + 20)
		return -EINVAL;
	hdrs = l4 + (size_t)(frame[l4 + 12] >> 4) * 4;
	if (hdrs < l4 + 20 || hdrs > len || hdrs + mss > scratch_len)
		return -EINVAL;
	seq = get_be32(frame + l4 + 4);
	flags = frame[l4 + 13];
	if (version == 4) {
		ip_id = get_be16(frame + l3 + 4);
		pseudo = sum16(sum16(0, frame + l3 + 12, 8), (const uint8_t[]){ 0, 6 }, 2);
	} else {
		pseudo = sum16(sum16(0, frame + l3 + 8, 32), (const uint8_t[]){ 0, 6 }, 2);
	}

	/* Strategy: every segment is the original headers plus the next MSS bytes of payload;
	 * only lengths, ids, sequence numbers, flags and checksums change. */
	payload = len - hdrs;
	for (size_t off = 0, i = 0;; off += mss, i++) {
		size_t chunk = payload - off < mss ? payload - off : mss;
		size_t seg_len = hdrs + chunk, tcp_len = seg_len - l4;
		bool last = off + chunk >= payload;
		uint8_t *tcp = scratch + l4;
		uint8_t len_be[2];

		memcpy(scratch, frame, hdrs);
		memcpy(scratch + hdrs, frame + hdrs + off, chunk);
		if (version == 4) {
			put_be16(scratch + l3 + 2, (uint16_t)(seg_len - l3));
			put_be16(scratch + l3 + 4, (uint16_t)(ip_id + i));
			put_be16(scratch + l3 + 10, 0);
			put_be16(scratch + l3 + 10, fold(sum16(0, scratch + l3, l4 - l3)));
		} else {
			put_be16(scratch + l3 + 4, (uint16_t)(seg_len - l3 - 40));
		}
		put_be32(tcp + 4, seq + (uint32_t)off);
		tcp[13] = flags;
		if (!last)
			tcp[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		if (i > 0)
			tcp[13] &= (uint8_t)~TCP_CWR;
		put_be16(tcp + 16, 0);
		put_be16(len_be, (uint16_t)tcp_len);
		put_be16(tcp + 16, fold(sum16(sum16(pseudo, len_be, 2), tcp, tcp_len)));
		emit(scratch, seg_len, arg);
		if (last)
			break;
	}
	return 0;
}
