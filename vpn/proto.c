// SPDX-License-Identifier: GPL-2.0-or-later
/* proto: wire codec inside TLS (see proto.h and doc/PROTOCOL.md). */
#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "log.h"
#include "proto.h"

#define PROTO_KNOWN_CAPS (PROTO_CAP_LZO | PROTO_CAP_VNET_HDR)

void proto_put_header(uint8_t hdr[PROTO_HDR_LEN], uint8_t type, size_t len)
{
	if (len > PROTO_MAX_PAYLOAD)
		exit_bug("proto_put_header: payload length above 16 MiB");
	put_be32(hdr, (uint32_t)type << 24 | (uint32_t)len);
}

ssize_t proto_hello_encode(const struct proto_hello *h, uint8_t *out, size_t cap)
{
	uint8_t *p = out + PROTO_HDR_LEN;

	if (cap < PROTO_HDR_LEN + PROTO_HELLO_LEN)
		return -ENOSPC;
	proto_put_header(out, PROTO_HELLO, PROTO_HELLO_LEN);
	memcpy(p, PROTO_HELLO_MAGIC, PROTO_HELLO_MAGIC_LEN); /* copies the NUL too */
	put_be16(p + 6, h->version);
	put_be32(p + 8, h->caps);
	put_be32(p + 12, h->max_frame);
	put_be16(p + 16, h->ping_interval);
	put_be16(p + 18, h->ping_timeout);
	return PROTO_HDR_LEN + PROTO_HELLO_LEN;
}

int proto_hello_decode(const uint8_t *payload, size_t len, struct proto_hello *h)
{
	struct proto_hello tmp;

	if (len < PROTO_HELLO_LEN || memcmp(payload, PROTO_HELLO_MAGIC, PROTO_HELLO_MAGIC_LEN) != 0)
		return -EPROTO;
	tmp.version = get_be16(payload + 6);
	if (tmp.version != PROTO_VERSION)
		return -EPROTONOSUPPORT;
	tmp.caps = get_be32(payload + 8);
	tmp.max_frame = get_be32(payload + 12);
	tmp.ping_interval = get_be16(payload + 16);
	tmp.ping_timeout = get_be16(payload + 18);
	if (tmp.max_frame < PROTO_MIN_MAX_FRAME || tmp.max_frame > PROTO_MAX_PAYLOAD)
		return -EPROTO;
	*h = tmp;
	return 0;
}

/* 0 when a payload of LEN bytes is acceptable for TYPE (ignoring the negotiated maximum),
 * -EPROTO otherwise. */
static int check_type_len(uint8_t type, size_t len)
{
	switch (type) {
	case PROTO_HELLO:
		return len >= PROTO_HELLO_LEN && len <= PROTO_HELLO_MAX_LEN ? 0 : -EPROTO;
	case PROTO_FRAME:
	case PROTO_FRAME_LZO:
		return len > 0 ? 0 : -EPROTO;
	case PROTO_PING:
	case PROTO_PONG:
		return len == PROTO_PING_LEN ? 0 : -EPROTO;
	case PROTO_GOODBYE:
		return len <= PROTO_GOODBYE_MAX ? 0 : -EPROTO;
	default:
		return -EPROTO;
	}
}

ssize_t proto_decode(const uint8_t *buf, size_t len, size_t max_payload, struct proto_msg *msg)
{
	uint32_t word;
	uint8_t type;
	size_t plen;
	int ret;

	if (len < PROTO_HDR_LEN)
		return 0;
	word = get_be32(buf);
	type = (uint8_t)(word >> 24);
	plen = word & PROTO_MAX_PAYLOAD;
	if (type < PROTO_HELLO || type > PROTO_GOODBYE)
		return -EPROTO;
	if (plen > max_payload)
		return -EMSGSIZE;
	ret = check_type_len(type, plen);
	if (ret < 0)
		return ret;
	if (len - PROTO_HDR_LEN < plen)
		return 0;
	msg->type = type;
	msg->payload = buf + PROTO_HDR_LEN;
	msg->len = plen;
	return (ssize_t)(PROTO_HDR_LEN + plen);
}

const char *proto_type_name(uint8_t type)
{
	switch (type) {
	case PROTO_HELLO:
		return "HELLO";
	case PROTO_FRAME:
		return "FRAME";
	case PROTO_FRAME_LZO:
		return "FRAME_LZO";
	case PROTO_PING:
		return "PING";
	case PROTO_PONG:
		return "PONG";
	case PROTO_GOODBYE:
		return "GOODBYE";
	default:
		return "UNKNOWN";
	}
}

size_t proto_max_payload(uint32_t max_frame)
{
	size_t n = (size_t)max_frame + PROTO_VNET_HDR_LEN;

	return n > PROTO_MAX_PAYLOAD ? PROTO_MAX_PAYLOAD : n;
}

void proto_negotiate(const struct proto_hello *local, const struct proto_hello *peer,
                     struct proto_session *out)
{
	out->caps = local->caps & peer->caps & PROTO_KNOWN_CAPS;
	out->max_frame = local->max_frame < peer->max_frame ? local->max_frame : peer->max_frame;
}
