// SPDX-License-Identifier: GPL-2.0-or-later
/* The send path of a peer: frames (plain, with a vnet header, cut or re-cut for the link's
 * MTU, compressed when worthwhile) and control messages into its bounded send queue. */
#include <errno.h>
#include <string.h>

#include "comp.h"
#include "log.h"
#include "peer_internal.h"
#include "plain.h"
#include "vnet.h"

/* Append one message (header + payload) to the send queue. false: no room.
 * Strategy: frames always leave TX_CTRL_ROOM bytes free, so our keepalive, the answer to the
 * peer's and a goodbye still fit when frames have filled the queue. Our PING and GOODBYE (at
 * most one a second, and one) move the queued bytes to make that room contiguous if need be;
 * a PONG does not (the peer decides how often it pings: it must not make us copy the queue)
 * and so relies on the frames that come along and on our PINGs to restore the room. */
bool peer_queue_msg(struct peer *p, uint8_t type, const uint8_t *payload, size_t len)
{
	size_t n = PROTO_HDR_LEN + len;
	uint8_t *dst;

	if (type == PROTO_FRAME || type == PROTO_FRAME_LZO)
		dst = bq_reserve_keep(&p->tx, n, TX_CTRL_ROOM);
	else if (type == PROTO_PONG)
		dst = bq_reserve(&p->tx, n);
	else
		dst = bq_reserve_now(&p->tx, n);

	if (!dst)
		return false;
	proto_put_header(dst, type, len);
	if (len)
		memcpy(dst + PROTO_HDR_LEN, payload, len);
	bq_commit(&p->tx, n);
	return true;
}

/* Queue one message payload (a frame, with or without its vnet header) of a FRAME_LEN-byte
 * frame, LZO-compressed when negotiated and worthwhile. */
static void send_payload(struct peer *p, const uint8_t *payload, size_t plen, size_t frame_len)
{
	struct vpn *vpn = p->vpn;
	uint8_t type = PROTO_FRAME;

	if (p->comp && plen >= LZO_MIN_FRAME) {
		ssize_t n = comp_compress(vpn->comp, payload, plen, vpn->zip_buf, vpn->zip_buf_len,
		                          vpn->now * 1000);
		if (n > 0) {
			type = PROTO_FRAME_LZO;
			payload = vpn->zip_buf;
			plen = (size_t)n;
		}
	}
	if (bq_len(&p->tx) + PROTO_HDR_LEN + plen > p->tx_limit ||
	    !peer_queue_msg(p, type, payload, plen)) {
		p->stats.drops_queue_full++;
		return;
	}
	p->stats.frames_out++;
	p->stats.bytes_out += frame_len;
}

/* A frame of LEN bytes larger than the link's max frame: dropped and counted like a NIC
 * drops a frame above its MTU, logged once per link (it is the two ends' tun-mtu that differ,
 * not the peer that misbehaves). */
static void drop_oversize(struct peer *p, size_t len)
{
	p->stats.drops_oversize++;
	if (p->oversize_logged)
		return;
	p->oversize_logged = true;
	log_warnx("%s: %zu-byte frame larger than the peer accepts (max frame %u): dropped; "
	          "further drops on this link are only counted",
	          p->label, len, p->max_frame);
}

/* A plain frame (or segment) for a link without vnet headers. */
static void send_plain(const uint8_t *frame, size_t len, void *arg)
{
	struct peer *p = arg;

	if (len <= p->max_frame)
		send_payload(p, frame, len, len);
	else
		drop_oversize(p, len);
}

/* A segment for a link with vnet headers, cut here from a super-frame: it gets an empty
 * header in vpn->plain_buf, which never holds a super-frame (only frames from links without
 * vnet headers), so it is free while one is cut. */
static void send_vnet_segment(const uint8_t *frame, size_t len, void *arg)
{
	struct peer *p = arg;
	uint8_t *vh = p->vpn->plain_buf;

	if (len > p->max_frame) {
		drop_oversize(p, len);
		return;
	}
	memset(vh, 0, VNET_HDR_LEN);
	memcpy(vh + VNET_HDR_LEN, frame, len);
	send_payload(p, vh, VNET_HDR_LEN + len, len);
}

/* A GSO super-frame for a link with vnet headers. Strategy: send it whole when its segments
 * fit the link's MTU; else with a smaller gso_size whose segments do, so the peer's kernel
 * cuts it there (the header in VH is restored afterwards: a flood sends the same buffer to
 * other peers); else (a gso_size below what a peer accepts, from a TCP talked into a tiny MSS
 * or a tiny tun-mtu) cut it into plain segments here. A frame whose IP and TCP headers cannot
 * be read goes as it is when the peer accepts its header, else nowhere. */
static void send_super_frame(struct peer *p, uint8_t *vh, size_t len)
{
	unsigned mtu = p->max_frame - VNET_ETH_OVERHEAD;
	uint8_t saved[VNET_HDR_LEN];
	struct vnet_hdr h, check;
	const char *why;
	int gso_size;

	vnet_hdr_decode(vh, &h);
	gso_size = vnet_gso_size_for_mtu(vh + VNET_HDR_LEN, len, &h, mtu);
	if (gso_size < 0)
		gso_size = h.gso_size;
	check = h;
	check.gso_size = (uint16_t)gso_size;
	if (vnet_hdr_check(&check, len, p->max_frame, mtu, &why) < 0) {
		if (!plain_frames(p->vpn, vh, len, mtu, send_vnet_segment, p))
			p->stats.drops_gso++;
		return;
	}
	if (gso_size == h.gso_size) {
		send_payload(p, vh, VNET_HDR_LEN + len, len);
		return;
	}
	memcpy(saved, vh, VNET_HDR_LEN);
	h.gso_size = (uint16_t)gso_size;
	vnet_hdr_encode(&h, vh);
	send_payload(p, vh, VNET_HDR_LEN + len, len);
	memcpy(vh, saved, VNET_HDR_LEN);
	p->stats.gso_recut++;
}

void peer_send_frame(struct peer *p, uint8_t *vh, size_t len)
{
	if (p->state != PEER_UP)
		return;
	if (!p->vnet) {
		if (!plain_frames(p->vpn, vh, len, p->max_frame - VNET_ETH_OVERHEAD, send_plain, p))
			p->stats.drops_gso++;
	} else if (vh[1] != VNET_GSO_NONE) {
		send_super_frame(p, vh, len);
	} else if (len > p->max_frame) {
		drop_oversize(p, len);
	} else {
		send_payload(p, vh, VNET_HDR_LEN + len, len);
	}
}

void peer_send_flooded(struct peer *p, uint8_t *vh, size_t len)
{
	/* A storm from one site fills at most half of every other site's queue, so the frames
	 * addressed to a site still find room behind it. */
	if (bq_len(&p->tx) > p->tx_limit / 2) {
		p->stats.drops_queue_full++;
		return;
	}
	peer_send_frame(p, vh, len);
}

void peer_send_hello(struct peer *p)
{
	const struct config *cfg = p->vpn->cfg;
	struct proto_hello hello = {
		.version = PROTO_VERSION,
		.caps =
		    ((cfg->comp == COMP_YES || cfg->comp == COMP_ADAPTIVE) ? PROTO_CAP_LZO : 0) |
		    (p->vpn->vnet ? PROTO_CAP_VNET_HDR : 0),
		.max_frame = p->vpn->max_frame,
		.ping_interval = (uint16_t)cfg->ping,
		.ping_timeout =
		    (uint16_t)(cfg->keepalive_timeout ? cfg->keepalive_timeout : cfg->ping_restart),
	};
	uint8_t buf[128];
	ssize_t n = proto_hello_encode(&hello, buf, sizeof(buf));
	uint8_t *dst;

	if (n < 0 || !(dst = bq_reserve(&p->tx, (size_t)n)))
		exit_bug("HELLO does not fit an empty send queue");
	memcpy(dst, buf, (size_t)n);
	bq_commit(&p->tx, (size_t)n);
}
