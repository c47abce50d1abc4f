/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proto: the wire codec spoken inside TLS (doc/PROTOCOL.md). Pure functions, no I/O.
 *
 * Every message is a 4-byte header, one big-endian u32 = (type << 24) | payload_length, followed
 * by payload_length bytes. All multi-byte integers of the protocol are big-endian, except the
 * optional virtio-net header in front of a frame, which is little-endian.
 */
#ifndef L2VPN_PROTO_H
#define L2VPN_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROTO_HDR_LEN     4
#define PROTO_VERSION     1
#define PROTO_MAX_PAYLOAD 0xffffffu /* largest length the header can carry: 16 MiB - 1 */

/* HELLO payload: magic "L2VPN\0" (6 bytes), u16 version, u32 caps, u32 max_frame,
 * u16 ping_interval, u16 ping_timeout = 20 bytes. A longer payload is accepted (later versions
 * may append fields); a shorter one is malformed. */
#define PROTO_HELLO_MAGIC     "L2VPN"
#define PROTO_HELLO_MAGIC_LEN 6 /* includes the NUL */
#define PROTO_HELLO_LEN       20
#define PROTO_HELLO_MAX_LEN   1024 /* a HELLO payload above this is malformed */

#define PROTO_PING_LEN        8   /* PING and PONG carry exactly 8 opaque bytes */
#define PROTO_GOODBYE_MAX     255 /* GOODBYE: 0..255 bytes of reason text (no NUL) */
#define PROTO_MIN_MAX_FRAME   64  /* a HELLO announcing a smaller max_frame is malformed */
#define PROTO_VNET_HDR_LEN    10 /* struct virtio_net_hdr, little-endian, with PROTO_CAP_VNET_HDR */

enum proto_type {
	PROTO_HELLO = 1,
	PROTO_FRAME = 2,
	PROTO_FRAME_LZO = 3,
	PROTO_PING = 4,
	PROTO_PONG = 5,
	PROTO_GOODBYE = 6,
};

enum proto_caps {
	PROTO_CAP_LZO = 1u << 0,
	PROTO_CAP_VNET_HDR = 1u << 1,
};

struct proto_hello {
	uint16_t version;
	uint32_t caps;      /* enum proto_caps bits the sender offers */
	uint32_t max_frame; /* largest Ethernet frame (without vnet header) the sender accepts */
	uint16_t ping_interval; /* seconds, 0 = none (informational) */
	uint16_t ping_timeout;  /* seconds, 0 = none (informational) */
};

struct proto_msg {
	uint8_t type;
	const uint8_t *payload; /* points into the decoded buffer */
	size_t len;
};

/* Encode a complete HELLO message (header + PROTO_HELLO_LEN payload) from H into OUT; the
 * version written is H->version. Returns bytes written (PROTO_HDR_LEN + PROTO_HELLO_LEN) or
 * -ENOSPC when CAP is too small. */
ssize_t proto_hello_encode(const struct proto_hello *h, uint8_t *out, size_t cap);

/* Decode a HELLO payload (no header). 0, or -EPROTO (short, bad magic, max_frame below
 * PROTO_MIN_MAX_FRAME or above PROTO_MAX_PAYLOAD) / -EPROTONOSUPPORT (version other than
 * PROTO_VERSION). Unknown caps bits are kept in H->caps (negotiation masks them), extra trailing
 * bytes are ignored (forward compatible). H is only written on success. */
int proto_hello_decode(const uint8_t *payload, size_t len, struct proto_hello *h);

/* Decode one message at BUF (LEN bytes available). Returns bytes consumed (> 0) with *MSG
 * pointing into BUF; 0 when more bytes are needed. Errors, all decided from the header alone
 * before waiting for the payload:
 *   -EPROTO   unknown type; zero-length FRAME/FRAME_LZO; PING/PONG not PROTO_PING_LEN bytes;
 *             GOODBYE above PROTO_GOODBYE_MAX; HELLO below PROTO_HELLO_LEN or above
 *             PROTO_HELLO_MAX_LEN bytes;
 *   -EMSGSIZE a payload above MAX_PAYLOAD (checked after the type).
 * Any error means the stream is unusable: close the connection. */
ssize_t proto_decode(const uint8_t *buf, size_t len, size_t max_payload, struct proto_msg *msg);

/* Write the header for TYPE and payload length LEN (LEN must be <= PROTO_MAX_PAYLOAD; larger
 * values are a bug and abort). */
void proto_put_header(uint8_t hdr[PROTO_HDR_LEN], uint8_t type, size_t len);

/* "HELLO", "FRAME", ... or "UNKNOWN". */
const char *proto_type_name(uint8_t type);

/* Largest FRAME / decompressed FRAME_LZO payload for a negotiated MAX_FRAME: the frame plus a
 * vnet header (counted always, so one bound serves both modes). Capped at PROTO_MAX_PAYLOAD. */
size_t proto_max_payload(uint32_t max_frame);

/* Negotiated session parameters. */
struct proto_session {
	uint32_t caps;      /* LOCAL->caps & PEER->caps & all known caps */
	uint32_t max_frame; /* min of both max_frame */
};

/* Combine our hello and the peer's (both already decoded/validated). Pure; never fails. */
void proto_negotiate(const struct proto_hello *local, const struct proto_hello *peer,
                     struct proto_session *out);

#endif
