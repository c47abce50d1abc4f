// SPDX-License-Identifier: GPL-2.0-or-later
/* proto: the wire codec (header, message lengths, HELLO). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"

#define MAX 2000

static size_t put_msg(uint8_t *buf, uint8_t type, const void *payload, size_t len)
{
	proto_put_header(buf, type, len);
	if (len)
		memcpy(buf + PROTO_HDR_LEN, payload, len);
	return PROTO_HDR_LEN + len;
}

static void test_header_layout(void **state)
{
	uint8_t hdr[PROTO_HDR_LEN];

	(void)state;
	proto_put_header(hdr, PROTO_FRAME, 0x0105ea);
	assert_int_equal(hdr[0], 2);
	assert_int_equal(hdr[1], 0x01);
	assert_int_equal(hdr[2], 0x05);
	assert_int_equal(hdr[3], 0xea);
	proto_put_header(hdr, PROTO_GOODBYE, PROTO_MAX_PAYLOAD);
	assert_memory_equal(hdr, "\x06\xff\xff\xff", 4);
}

/* Every message type, fed one byte short at every length: 0 until complete, then consumed. */
static void test_truncation_every_byte(void **state)
{
	uint8_t buf[64], frame[40], ping[PROTO_PING_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct proto_hello h = { PROTO_VERSION, PROTO_CAP_LZO, 1514, 10, 120 };
	struct {
		uint8_t type;
		const void *p;
		size_t len;
	} cases[] = {
		{ PROTO_FRAME, frame, sizeof(frame) },
		{ PROTO_FRAME_LZO, frame, 1 },
		{ PROTO_PING, ping, sizeof(ping) },
		{ PROTO_PONG, ping, sizeof(ping) },
		{ PROTO_GOODBYE, "bye", 3 },
		{ PROTO_GOODBYE, NULL, 0 },
		{ PROTO_HELLO, NULL, PROTO_HELLO_LEN }, /* payload filled below */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct proto_msg msg;
		size_t total;

		if (cases[c].type == PROTO_HELLO)
			total = (size_t)proto_hello_encode(&h, buf, sizeof(buf));
		else
			total = put_msg(buf, cases[c].type, cases[c].p, cases[c].len);
		for (size_t avail = 0; avail < total; avail++)
			assert_int_equal(proto_decode(buf, avail, MAX, &msg), 0);
		memset(&msg, 0, sizeof(msg));
		assert_int_equal(proto_decode(buf, total, MAX, &msg), (ssize_t)total);
		assert_int_equal(msg.type, cases[c].type);
		assert_int_equal(msg.len, cases[c].len);
		assert_ptr_equal(msg.payload, buf + PROTO_HDR_LEN);
		if (cases[c].p)
			assert_memory_equal(msg.payload, cases[c].p, cases[c].len);
	}
}

/* Several messages in one buffer are consumed one after the other. */
static void test_stream_of_messages(void **state)
{
	uint8_t buf[128], ping[PROTO_PING_LEN] = { 9 };
	size_t n = 0, off = 0;
	uint8_t types[3];
	struct proto_msg msg;
	ssize_t r;
	int count = 0;

	(void)state;
	n += put_msg(buf + n, PROTO_FRAME, "abcdefghijklmn", 14);
	n += put_msg(buf + n, PROTO_PING, ping, sizeof(ping));
	n += put_msg(buf + n, PROTO_FRAME, "xyz", 3);
	while ((r = proto_decode(buf + off, n - off, MAX, &msg)) > 0) {
		types[count++] = msg.type;
		off += (size_t)r;
	}
	assert_int_equal(r, 0);
	assert_int_equal(off, n);
	assert_int_equal(count, 3);
	assert_int_equal(types[0], PROTO_FRAME);
	assert_int_equal(types[1], PROTO_PING);
	assert_int_equal(types[2], PROTO_FRAME);
	assert_int_equal(msg.len, 3);
	assert_memory_equal(msg.payload, "xyz", 3);
}

static void test_oversize_decided_from_header(void **state)
{
	uint8_t hdr[PROTO_HDR_LEN];
	struct proto_msg msg;

	(void)state;
	proto_put_header(hdr, PROTO_FRAME, MAX + 1);
	assert_int_equal(proto_decode(hdr, sizeof(hdr), MAX, &msg), -EMSGSIZE);
	proto_put_header(hdr, PROTO_FRAME_LZO, PROTO_MAX_PAYLOAD);
	assert_int_equal(proto_decode(hdr, sizeof(hdr), MAX, &msg), -EMSGSIZE);
	/* exactly the maximum is fine: it waits for the payload */
	proto_put_header(hdr, PROTO_FRAME, MAX);
	assert_int_equal(proto_decode(hdr, sizeof(hdr), MAX, &msg), 0);
	/* less than a header: nothing decided yet */
	assert_int_equal(proto_decode(hdr, 3, MAX, &msg), 0);
}

static void test_zero_and_wrong_lengths(void **state)
{
	static const struct {
		uint8_t type;
		size_t len;
		int expect; /* 0: accepted (waits for payload), else the error */
	} cases[] = {
		{ PROTO_FRAME, 0, -EPROTO },
		{ PROTO_FRAME_LZO, 0, -EPROTO },
		{ PROTO_FRAME, 1, 0 },
		{ PROTO_PING, 0, -EPROTO },
		{ PROTO_PING, 7, -EPROTO },
		{ PROTO_PING, 9, -EPROTO },
		{ PROTO_PING, 8, 0 },
		{ PROTO_PONG, 4, -EPROTO },
		{ PROTO_PONG, 8, 0 },
		{ PROTO_GOODBYE, 255, 0 },
		{ PROTO_GOODBYE, 256, -EPROTO },
		{ PROTO_HELLO, PROTO_HELLO_LEN - 1, -EPROTO },
		{ PROTO_HELLO, PROTO_HELLO_LEN, 0 },
		{ PROTO_HELLO, PROTO_HELLO_MAX_LEN, 0 },
		{ PROTO_HELLO, PROTO_HELLO_MAX_LEN + 1, -EPROTO },
	};
	uint8_t buf[PROTO_HDR_LEN];
	struct proto_msg msg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		proto_put_header(buf, cases[i].type, cases[i].len);
		assert_int_equal(proto_decode(buf, sizeof(buf), MAX, &msg), cases[i].expect);
	}
	/* zero-length GOODBYE is complete with the header alone */
	proto_put_header(buf, PROTO_GOODBYE, 0);
	assert_int_equal(proto_decode(buf, sizeof(buf), MAX, &msg), PROTO_HDR_LEN);
	assert_int_equal(msg.type, PROTO_GOODBYE);
	assert_int_equal(msg.len, 0);
}

static void test_unknown_types(void **state)
{
	static const uint8_t bad[] = { 0, 7, 8, 0x7f, 0x80, 0xff };
	uint8_t buf[PROTO_HDR_LEN + 8] = { 0 };
	struct proto_msg msg;

	(void)state;
	for (size_t i = 0; i < sizeof(bad); i++) {
		proto_put_header(buf, bad[i], 8);
		assert_int_equal(proto_decode(buf, sizeof(buf), MAX, &msg), -EPROTO);
		/* even before the payload arrived */
		assert_int_equal(proto_decode(buf, PROTO_HDR_LEN, MAX, &msg), -EPROTO);
		assert_string_equal(proto_type_name(bad[i]), "UNKNOWN");
	}
	assert_string_equal(proto_type_name(PROTO_FRAME_LZO), "FRAME_LZO");
	assert_string_equal(proto_type_name(PROTO_HELLO), "HELLO");
	assert_string_equal(proto_type_name(PROTO_GOODBYE), "GOODBYE");
}

static void test_hello_round_trip(void **state)
{
	struct proto_hello in = { PROTO_VERSION, PROTO_CAP_LZO | PROTO_CAP_VNET_HDR, 65550, 10,
		                  120 };
	struct proto_hello out;
	uint8_t buf[64];
	struct proto_msg msg;
	ssize_t n;

	(void)state;
	n = proto_hello_encode(&in, buf, sizeof(buf));
	assert_int_equal(n, PROTO_HDR_LEN + PROTO_HELLO_LEN);
	assert_memory_equal(buf,
	                    "\x01\x00\x00\x14"
	                    "L2VPN\0"
	                    "\x00\x01"
	                    "\x00\x00\x00\x03"
	                    "\x00\x01\x00\x0e"
	                    "\x00\x0a"
	                    "\x00\x78",
	                    (size_t)n);
	assert_int_equal(proto_decode(buf, (size_t)n, MAX, &msg), n);
	assert_int_equal(msg.type, PROTO_HELLO);
	assert_int_equal(proto_hello_decode(msg.payload, msg.len, &out), 0);
	assert_int_equal(out.version, in.version);
	assert_int_equal(out.caps, in.caps);
	assert_int_equal(out.max_frame, in.max_frame);
	assert_int_equal(out.ping_interval, in.ping_interval);
	assert_int_equal(out.ping_timeout, in.ping_timeout);
}

/* The example in doc/PROTOCOL.md §3. */
static void test_hello_documented_example(void **state)
{
	static const uint8_t doc[] = { 0x01, 0x00, 0x00, 0x14, 0x4c, 0x32, 0x56, 0x50,
		                       0x4e, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
		                       0x00, 0x00, 0x05, 0xee, 0x00, 0x0a, 0x00, 0x78 };
	struct proto_hello h = { PROTO_VERSION, PROTO_CAP_LZO, 1518, 10, 120 };
	uint8_t buf[sizeof(doc)];

	(void)state;
	assert_int_equal(proto_hello_encode(&h, buf, sizeof(buf)), sizeof(doc));
	assert_memory_equal(buf, doc, sizeof(doc));
}

static void test_hello_encode_no_space(void **state)
{
	struct proto_hello h = { PROTO_VERSION, 0, 1514, 0, 0 };
	uint8_t buf[PROTO_HDR_LEN + PROTO_HELLO_LEN];

	(void)state;
	assert_int_equal(proto_hello_encode(&h, buf, sizeof(buf) - 1), -ENOSPC);
	assert_int_equal(proto_hello_encode(&h, buf, sizeof(buf)), sizeof(buf));
}

static void test_hello_decode_errors(void **state)
{
	struct proto_hello h = { PROTO_VERSION, PROTO_CAP_LZO, 1514, 10, 120 };
	struct proto_hello out = { 0 }, untouched = { 0 };
	uint8_t buf[64], *p = buf + PROTO_HDR_LEN;

	(void)state;
	proto_hello_encode(&h, buf, sizeof(buf));
	/* short at every length */
	for (size_t len = 0; len < PROTO_HELLO_LEN; len++)
		assert_int_equal(proto_hello_decode(p, len, &out), -EPROTO);
	/* bad magic, including a missing NUL */
	p[0] = 'X';
	assert_int_equal(proto_hello_decode(p, PROTO_HELLO_LEN, &out), -EPROTO);
	p[0] = 'L';
	p[5] = '!';
	assert_int_equal(proto_hello_decode(p, PROTO_HELLO_LEN, &out), -EPROTO);
	p[5] = 0;
	/* versions other than ours */
	p[7] = 2;
	assert_int_equal(proto_hello_decode(p, PROTO_HELLO_LEN, &out), -EPROTONOSUPPORT);
	p[7] = 0;
	assert_int_equal(proto_hello_decode(p, PROTO_HELLO_LEN, &out), -EPROTONOSUPPORT);
	p[7] = 1;
	/* max_frame below the minimum */
	h.max_frame = PROTO_MIN_MAX_FRAME - 1;
	proto_hello_encode(&h, buf, sizeof(buf));
	assert_int_equal(proto_hello_decode(p, PROTO_HELLO_LEN, &out), -EPROTO);
	/* above what a header can carry */
	h.max_frame = PROTO_MAX_PAYLOAD + 1;
	proto_hello_encode(&h, buf, sizeof(buf));
	assert_int_equal(proto_hello_decode(p, PROTO_HELLO_LEN, &out), -EPROTO);
	assert_memory_equal(&out, &untouched, sizeof(out));
}

static void test_hello_forward_compatible(void **state)
{
	struct proto_hello h = { PROTO_VERSION, 0xfffffff0u | PROTO_CAP_LZO, 9018, 5, 30 };
	struct proto_hello out;
	uint8_t buf[64] = { 0 };

	(void)state;
	proto_hello_encode(&h, buf, sizeof(buf));
	/* trailing bytes from a future extension are ignored */
	assert_int_equal(proto_hello_decode(buf + PROTO_HDR_LEN, PROTO_HELLO_LEN + 12, &out), 0);
	assert_int_equal(out.max_frame, 9018);
	assert_int_equal(out.caps, h.caps);
}

static void test_negotiate(void **state)
{
	struct proto_hello a = { PROTO_VERSION, PROTO_CAP_LZO | PROTO_CAP_VNET_HDR | 0x100, 65550,
		                 10, 120 };
	struct proto_hello b = { PROTO_VERSION, PROTO_CAP_VNET_HDR | 0x100, 1514, 10, 60 };
	struct proto_session s;

	(void)state;
	proto_negotiate(&a, &b, &s);
	assert_int_equal(s.caps, PROTO_CAP_VNET_HDR); /* LZO only on one side; 0x100 unknown */
	assert_int_equal(s.max_frame, 1514);
	proto_negotiate(&b, &a, &s);
	assert_int_equal(s.caps, PROTO_CAP_VNET_HDR);
	assert_int_equal(s.max_frame, 1514);
	b.caps |= PROTO_CAP_LZO;
	proto_negotiate(&a, &b, &s);
	assert_int_equal(s.caps, PROTO_CAP_LZO | PROTO_CAP_VNET_HDR);
}

static void test_max_payload(void **state)
{
	(void)state;
	assert_int_equal(proto_max_payload(1514), 1514 + PROTO_VNET_HDR_LEN);
	assert_int_equal(proto_max_payload(PROTO_MAX_PAYLOAD), PROTO_MAX_PAYLOAD);
	assert_int_equal(proto_max_payload(UINT32_MAX), PROTO_MAX_PAYLOAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_layout),
		cmocka_unit_test(test_truncation_every_byte),
		cmocka_unit_test(test_stream_of_messages),
		cmocka_unit_test(test_oversize_decided_from_header),
		cmocka_unit_test(test_zero_and_wrong_lengths),
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_hello_round_trip),
		cmocka_unit_test(test_hello_documented_example),
		cmocka_unit_test(test_hello_encode_no_space),
		cmocka_unit_test(test_hello_decode_errors),
		cmocka_unit_test(test_hello_forward_compatible),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_max_payload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
