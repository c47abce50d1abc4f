// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the wire decoder. Input: one byte choosing the payload limit, then a byte
 * stream decoded message by message as the daemon does; HELLO payloads go through
 * proto_hello_decode and must survive a re-encode round trip. Invariants abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto.h"

static void check_hello(const struct proto_msg *msg)
{
	uint8_t buf[PROTO_HDR_LEN + PROTO_HELLO_LEN];
	struct proto_hello h, again;
	struct proto_msg m2;

	if (proto_hello_decode(msg->payload, msg->len, &h) < 0)
		return;
	CHECK(h.version == PROTO_VERSION);
	CHECK(h.max_frame >= PROTO_MIN_MAX_FRAME && h.max_frame <= PROTO_MAX_PAYLOAD);
	CHECK(proto_hello_encode(&h, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	CHECK(memcmp(buf + PROTO_HDR_LEN, msg->payload, PROTO_HELLO_LEN) == 0);
	CHECK(proto_decode(buf, sizeof(buf), PROTO_HELLO_LEN, &m2) == (ssize_t)sizeof(buf));
	CHECK(proto_hello_decode(m2.payload, m2.len, &again) == 0);
	CHECK(h.version == again.version && h.caps == again.caps &&
	      h.max_frame == again.max_frame && h.ping_interval == again.ping_interval &&
	      h.ping_timeout == again.ping_timeout);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max_payload, off = 0;

	if (size < 1)
		return 0;
	/* limits from tiny to a jumbo frame with headers */
	max_payload = proto_max_payload((uint32_t)data[0] * 64);
	data++;
	size--;
	for (;;) {
		struct proto_msg msg;
		uint8_t hdr[PROTO_HDR_LEN];
		ssize_t r = proto_decode(data + off, size - off, max_payload, &msg);

		if (r <= 0)
			break;
		CHECK((size_t)r <= size - off);
		CHECK((size_t)r == PROTO_HDR_LEN + msg.len);
		CHECK(msg.len <= max_payload);
		CHECK(msg.payload == data + off + PROTO_HDR_LEN);
		proto_put_header(hdr, msg.type, msg.len);
		CHECK(memcmp(hdr, data + off, PROTO_HDR_LEN) == 0);
		CHECK(strcmp(proto_type_name(msg.type), "UNKNOWN") != 0);
		/* the same message one byte short is incomplete, never an error */
		CHECK(proto_decode(data + off, (size_t)r - 1, max_payload, &msg) == 0);
		if (msg.type == PROTO_HELLO)
			check_hello(&msg);
		off += (size_t)r;
	}
	return 0;
}
