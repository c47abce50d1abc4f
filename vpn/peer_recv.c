// SPDX-License-Identifier: GPL-2.0-or-later
/* The receive path of a peer: every complete message in its receive queue, from the HELLO
 * (agreeing on compression, frame size and keepalive) to frames handed to the switch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "comp.h"
#include "escape.h"
#include "log.h"
#include "tls.h"
#include "peer_internal.h"
#include "vnet.h"

static const char *comp_setting(bool on)
{
	return on ? "LZO" : "off";
}

/* The peer's HELLO: agree on compression, frame size and keepalive, then frames may flow. */
static int handle_hello(struct peer *p, const uint8_t *payload, size_t len)
{
	struct vpn *vpn = p->vpn;
	struct proto_hello hello;
	bool local_comp = vpn->cfg->comp == COMP_YES || vpn->cfg->comp == COMP_ADAPTIVE;
	bool remote_comp;
	int ret = proto_hello_decode(payload, len, &hello);

	if (ret < 0) {
		peer_close(p, ret == -EPROTONOSUPPORT
		                  ? "peer speaks an unsupported protocol version"
		                  : "malformed HELLO");
		return ret;
	}
	remote_comp = hello.caps & PROTO_CAP_LZO;
	p->vnet = vpn->vnet && (hello.caps & PROTO_CAP_VNET_HDR);
	p->comp = local_comp && remote_comp;
	if (local_comp != remote_comp)
		log_warnx("%s: compression mismatch (here %s, peer %s): the link runs uncompressed",
		          p->label, comp_setting(local_comp), comp_setting(remote_comp));
	p->max_frame = hello.max_frame < vpn->max_frame ? hello.max_frame : vpn->max_frame;
	if (p->max_frame < 64) {
		peer_close(p, "peer announced a maximum frame below 64 bytes");
		return -EPROTO;
	}
	/* Like OpenVPN's pushed ping settings: a client without keepalive adopts the server's. */
	if (!vpn->server && !vpn->cfg->ping && hello.ping_interval) {
		p->ping = hello.ping_interval;
		p->ping_restart = hello.ping_timeout;
	}
	/* Only a peer that completed the HELLO may replace another with its CN or take a site's
	 * place (max-clients, a switch port). */
	if (p->owner->verified && !p->owner->verified(p))
		return -EPERM;
	if (bq_grow(&p->rx, vpn->max_payload + PROTO_HDR_LEN + RX_SLACK) < 0 ||
	    bq_grow(&p->tx, TX_QUEUE_BYTES) < 0) {
		peer_close(p, "out of memory for the link's queues");
		return -ENOMEM;
	}
	/* Only for a site that authenticated: a stranger's connection keeps the small,
	 * released buffers. */
	tls_session_bulk_read(p->ssl, TLS_READ_BUF);
	SSL_clear_mode(p->ssl, SSL_MODE_RELEASE_BUFFERS);
	p->state = PEER_UP;
	p->was_up = true;
	p->connected_since = time(NULL);
	log_notice("%s: link up (%s, %s, compression %s, offloads %s, max frame %u)", p->label,
	           SSL_get_version(p->ssl), SSL_get_cipher_name(p->ssl), comp_setting(p->comp),
	           p->vnet ? "on" : "off", p->max_frame);
	p->owner->up(p);
	vpn_peer_changed(p, NULL);
	return 0;
}

/* Give a frame from a link without vnet headers the (empty) header every frame carries
 * inside the daemon: it is copied after one unless it already has room in front. */
static uint8_t *with_plain_header(struct vpn *vpn, const uint8_t *frame, size_t len)
{
	uint8_t *vh = vpn->plain_buf;

	if (frame == vpn->unzip_buf + VNET_HDR_LEN)
		vh = vpn->unzip_buf;
	else
		memcpy(vh + VNET_HDR_LEN, frame, len);
	memset(vh, 0, VNET_HDR_LEN);
	return vh;
}

/* A frame of LEN bytes from the peer that is well formed but larger than this link takes
 * (WHY: which limit): an older peer that ignores the negotiated maximum, or unequal tun-mtu.
 * Dropped and counted, logged once per link; the link stays up. Returns 0. */
static int drop_oversize_in(struct peer *p, size_t len, const char *why)
{
	p->stats.drops_oversize_in++;
	if (!p->oversize_in_logged) {
		p->oversize_in_logged = true;
		log_warnx("%s: %zu-byte frame from the peer dropped (%s, max frame %u); further "
		          "drops on this link are only counted",
		          p->label, len, why, p->max_frame);
	}
	return 0;
}

static int handle_frame(struct peer *p, const struct proto_msg *msg)
{
	struct vpn *vpn = p->vpn;
	const uint8_t *payload = msg->payload;
	size_t plen = msg->len, len;
	uint8_t *vh;
	struct vnet_hdr h;
	const char *why;
	char reason[128];
	int ret;

	if (msg->type == PROTO_FRAME_LZO) {
		uint8_t *out = p->vnet ? vpn->unzip_buf : vpn->unzip_buf + VNET_HDR_LEN;
		/* Room for any frame, so one merely above the link's max frame is dropped
		 * below rather than taken for corrupt data. */
		size_t max = p->vnet ? VNET_HDR_LEN + VNET_MAX_FRAME : VNET_MAX_FRAME;
		ssize_t n;

		if (!p->comp) {
			peer_close(p, "protocol error: compressed frame on an uncompressed link");
			return -EPROTO;
		}
		n = comp_decompress(vpn->comp, payload, plen, out, max);
		if (n < 0) {
			peer_close(p, "protocol error: compressed frame does not decompress");
			return (int)n;
		}
		payload = out;
		plen = (size_t)n;
	}
	if (p->vnet) {
		if (plen < VNET_HDR_LEN + 14) {
			peer_close(p,
			           "protocol error: frame shorter than a vnet header and 14 bytes");
			return -EPROTO;
		}
		/* The payload sits in our own receive (or decompression) buffer: the header is
		 * validated and normalised in place before the kernel ever sees it. */
		vh = (uint8_t *)payload;
		len = plen - VNET_HDR_LEN;
		vnet_hdr_decode(vh, &h);
		ret = vnet_hdr_check(&h, len, p->max_frame, vpn->cfg->tun_mtu, &why);
		if (ret == -EMSGSIZE)
			return drop_oversize_in(p, len, why);
		if (ret < 0) {
			snprintf(reason, sizeof(reason), "protocol error: %s", why);
			peer_close(p, reason);
			return -EPROTO;
		}
		vnet_hdr_encode(&h, vh);
	} else {
		if (plen < 14) {
			peer_close(p, "protocol error: frame shorter than 14 bytes");
			return -EPROTO;
		}
		if (plen > p->max_frame)
			return drop_oversize_in(p, plen, "frame larger than the maximum frame");
		len = plen;
		vh = with_plain_header(vpn, payload, len);
	}
	p->stats.frames_in++;
	p->stats.bytes_in += len;
	p->owner->frame(p, vh, len);
	return 0;
}

static int handle_msg(struct peer *p, const struct proto_msg *msg)
{
	char reason[256], text[201];

	if (p->state == PEER_HELLO) {
		if (msg->type != PROTO_HELLO) {
			peer_close(p, "protocol error: expected HELLO first");
			return -EPROTO;
		}
		return handle_hello(p, msg->payload, msg->len);
	}
	switch (msg->type) {
	case PROTO_FRAME:
	case PROTO_FRAME_LZO:
		return handle_frame(p, msg);
	case PROTO_PING:
		peer_queue_msg(p, PROTO_PONG, msg->payload, msg->len);
		return 0;
	case PROTO_PONG:
		return 0;
	case PROTO_GOODBYE:
		/* The reason is the peer's text: printable, cut to 200 bytes. */
		esc_printable(text, sizeof(text), msg->payload, msg->len, 0);
		snprintf(reason, sizeof(reason), "peer said goodbye (%s)", text);
		peer_close(p, reason);
		return -ECONNRESET;
	default:
		peer_close(p, "protocol error: unexpected message");
		return -EPROTO;
	}
}

/* Strategy: the receive queue holds at least one maximum message; read TLS records until
 * OpenSSL has nothing more, parsing every complete message after each read, so one big read
 * yields many frames. */
void peer_parse_rx(struct peer *p)
{
	while (p->state == PEER_HELLO || p->state == PEER_UP) {
		struct proto_msg msg;
		size_t avail;
		const uint8_t *buf = bq_peek(&p->rx, &avail);
		/* Before HELLO only a HELLO fits: anything bigger is refused at its header. */
		size_t max_payload =
		    p->state == PEER_UP ? p->vpn->max_payload : PREAUTH_QUEUE - PROTO_HDR_LEN;
		ssize_t n = proto_decode(buf, avail, max_payload, &msg);

		if (n == 0)
			return;
		if (n < 0) {
			peer_close(p, n == -EMSGSIZE ? "protocol error: message larger than the "
			                               "maximum frame"
			                             : "protocol error: malformed message");
			return;
		}
		if (handle_msg(p, &msg) < 0)
			return;
		bq_consume(&p->rx, (size_t)n);
	}
}
