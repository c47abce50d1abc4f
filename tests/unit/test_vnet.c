// SPDX-License-Identifier: GPL-2.0-or-later
/* vnet headers: little-endian codec, validation of headers from peers, checksum completion. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vnet.h"

static void test_codec_is_little_endian(void **state)
{
	(void)state;
	const uint8_t wire[VNET_HDR_LEN] = { 1, 1, 0x36, 0x00, 0xb4, 0x05, 0x22, 0x00, 0x10, 0x00 };
	struct vnet_hdr h;
	uint8_t out[VNET_HDR_LEN];

	vnet_hdr_decode(wire, &h);
	assert_int_equal(h.flags, VNET_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, VNET_GSO_TCPV4);
	assert_int_equal(h.hdr_len, 54);
	assert_int_equal(h.gso_size, 1460);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
	vnet_hdr_encode(&h, out);
	assert_memory_equal(out, wire, VNET_HDR_LEN);
}

static struct vnet_hdr tso4(void)
{
	return (struct vnet_hdr){ .flags = VNET_F_NEEDS_CSUM,
		                  .gso_type = VNET_GSO_TCPV4,
		                  .hdr_len = 9999,
		                  .gso_size = 1448,
		                  .csum_start = 34,
		                  .csum_offset = 16 };
}

static void test_check_accepts_kernel_like_headers(void **state)
{
	(void)state;
	const char *why = NULL;
	struct vnet_hdr h = tso4();

	assert_int_equal(vnet_hdr_check(&h, 65000, 1518, 1500, &why), 0);
	assert_int_equal(h.hdr_len, 34); /* the peer's hint is not trusted */
	h = tso4();
	h.gso_type = VNET_GSO_TCPV6 | VNET_GSO_ECN;
	assert_int_equal(vnet_hdr_check(&h, 65000, 1518, 1500, &why), 0);
	h = (struct vnet_hdr){ .flags = VNET_F_NEEDS_CSUM | VNET_F_DATA_VALID,
		               .csum_start = 34,
		               .csum_offset = 6 };
	assert_int_equal(vnet_hdr_check(&h, 100, 1518, 1500, &why), 0);
	assert_int_equal(h.flags, VNET_F_NEEDS_CSUM); /* DATA_VALID dropped */
	h = (struct vnet_hdr){ 0 };
	assert_int_equal(vnet_hdr_check(&h, 1518, 1518, 1500, &why), 0);
}

static void test_check_refuses_hostile_headers(void **state)
{
	(void)state;
	/* -EINVAL: a protocol error that closes the link; -EMSGSIZE: a well-formed frame only
	 * too large for this link, which is dropped. */
	static const struct {
		struct vnet_hdr h;
		size_t len;
		int want;
	} bad[] = {
		/* GSO without NEEDS_CSUM */
		{ { .gso_type = VNET_GSO_TCPV4, .gso_size = 1448 }, 3000, -EINVAL },
		/* UDP (UFO) and unknown types */
		{ { .flags = 1,
		    .gso_type = 3,
		    .gso_size = 1448,
		    .csum_start = 34,
		    .csum_offset = 6 },
		  3000,
		  -EINVAL },
		{ { .flags = 1,
		    .gso_type = 5,
		    .gso_size = 1448,
		    .csum_start = 34,
		    .csum_offset = 6 },
		  3000,
		  -EINVAL },
		/* gso_size 0, and above the MTU (too large, not malformed) */
		{ { .flags = 1, .gso_type = 1, .gso_size = 0, .csum_start = 34, .csum_offset = 16 },
		  3000,
		  -EINVAL },
		{ { .flags = 1,
		    .gso_type = 1,
		    .gso_size = 9000,
		    .csum_start = 34,
		    .csum_offset = 16 },
		  30000,
		  -EMSGSIZE },
		/* checksum beyond the frame, or inside the Ethernet header */
		{ { .flags = 1, .csum_start = 90, .csum_offset = 16 }, 100, -EINVAL },
		{ { .flags = 1, .csum_start = 2, .csum_offset = 6 }, 100, -EINVAL },
		{ { .flags = 1, .csum_start = 34, .csum_offset = 0xffff }, 100, -EINVAL },
		/* unknown flags */
		{ { .flags = 0x10 }, 100, -EINVAL },
		/* a plain frame above max_frame is too large; a GSO frame above 64 KB malformed */
		{ { 0 }, 1519, -EMSGSIZE },
		{ { .flags = 1,
		    .gso_type = 1,
		    .gso_size = 1448,
		    .csum_start = 34,
		    .csum_offset = 16 },
		  VNET_MAX_FRAME + 1,
		  -EINVAL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vnet_hdr h = bad[i].h;
		const char *why = NULL;
		assert_int_equal(vnet_hdr_check(&h, bad[i].len, 1518, 1500, &why), bad[i].want);
		assert_non_null(why);
	}
}

/* The gso_size floor and the bound on segments per message: a header below the floor is a
 * protocol error (one 64 KB message must not become tens of thousands of segments); at the
 * floor the largest super-frame is exactly the segment bound and is accepted. */
static void test_check_gso_floor_and_segment_bound(void **state)
{
	(void)state;
	/* TCP payload of the largest GSO frame: everything after a 20-byte TCP header at 34 */
	const size_t max_payload = VNET_MAX_FRAME - 34 - 20;
	static const struct {
		uint16_t gso_size;
		size_t len;
		int want;
	} cases[] = {
		{ 1, 34 + 20 + 1000, -EINVAL },
		{ VNET_GSO_MIN_SIZE - 1, 34 + 20 + 1000, -EINVAL },
		{ VNET_GSO_MIN_SIZE - 1, 34 + 20 + 10, -EINVAL }, /* even a one-segment frame */
		{ VNET_GSO_MIN_SIZE, 34 + 20 + 1000, 0 },
		{ VNET_GSO_MIN_SIZE, VNET_MAX_FRAME, 0 },
		{ VNET_GSO_MIN_SIZE, VNET_MAX_FRAME + 1, -EINVAL },
		{ 1500, 1500 + 54, 0 },
		{ 1501, 1501 + 54, -EMSGSIZE },
	};

	/* the bound is what a 64 KB IPv4 packet gives at the floor, and the largest frame the
	 * check lets through at the floor needs exactly that many segments */
	assert_int_equal(VNET_GSO_MAX_SEGS, 745);
	assert_int_equal((max_payload + VNET_GSO_MIN_SIZE - 1) / VNET_GSO_MIN_SIZE,
	                 VNET_GSO_MAX_SEGS);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vnet_hdr h = tso4();
		const char *why = NULL;

		h.gso_size = cases[i].gso_size;
		assert_int_equal(vnet_hdr_check(&h, cases[i].len, 1518, 1500, &why), cases[i].want);
		if (cases[i].want)
			assert_non_null(why);
	}
}

/* An IPv4/UDP frame whose checksum field holds only the pseudo-header sum, as the kernel hands
 * out with NEEDS_CSUM; completion must give the checksum a NIC would write. */
static void test_complete_csum_matches_full_checksum(void **state)
{
	(void)state;
	uint8_t f[14 + 20 + 8 + 5] = {
		/* Ethernet */ 2,
		0,
		0,
		0,
		0,
		1,
		2,
		0,
		0,
		0,
		0,
		2,
		0x08,
		0x00,
		/* IPv4 */ 0x45,
		0,
		0,
		33,
		0,
		0,
		0,
		0,
		64,
		17,
		0,
		0,
		10,
		0,
		0,
		1,
		10,
		0,
		0,
		2,
		/* UDP */ 0x30,
		0x39,
		0x00,
		0x35,
		0x00,
		0x0d,
		0,
		0,
		/* data */ 'h',
		'e',
		'l',
		'l',
		'o',
	};
	/* pseudo header: src, dst, proto 17, UDP length 13 */
	uint32_t pseudo = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 13;
	uint32_t full = pseudo;
	struct vnet_hdr h = { .flags = VNET_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6 };

	for (size_t i = 34; i < sizeof(f); i += 2)
		full += (uint32_t)(f[i] << 8 | (i + 1 < sizeof(f) ? f[i + 1] : 0));
	while (full >> 16)
		full = (full & 0xffff) + (full >> 16);
	full = ~full & 0xffff;

	while (pseudo >> 16)
		pseudo = (pseudo & 0xffff) + (pseudo >> 16);
	f[40] = (uint8_t)(pseudo >> 8);
	f[41] = (uint8_t)pseudo;
	assert_int_equal(vnet_complete_csum(f, sizeof(f), &h), 0);
	assert_int_equal(f[40] << 8 | f[41], full);

	h.csum_start = 44;
	assert_int_equal(vnet_complete_csum(f, sizeof(f), &h), -EINVAL);
}

/* Checksum over a segment's TCP header and payload with the IPv4/IPv6 pseudo header: 0 when the
 * checksum in it is right. */
static uint16_t tcp_verify(const uint8_t *f, size_t len, size_t l3, size_t l4, int version)
{
	uint32_t sum = 6 + (uint32_t)(len - l4);
	const uint8_t *addrs = version == 4 ? f + l3 + 12 : f + l3 + 8;
	size_t alen = version == 4 ? 8 : 32;

	for (size_t i = 0; i < alen; i += 2)
		sum += (uint32_t)(addrs[i] << 8 | addrs[i + 1]);
	for (size_t i = l4; i < len; i += 2)
		sum += (uint32_t)(f[i] << 8 | (i + 1 < len ? f[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t ip_verify(const uint8_t *ip)
{
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

struct segments {
	int n;
	size_t len[8];
	uint8_t data[8][1600];
};

static void collect(const uint8_t *frame, size_t len, void *arg)
{
	struct segments *s = arg;
	assert_true(s->n < 8 && len <= sizeof(s->data[0]));
	memcpy(s->data[s->n], frame, len);
	s->len[s->n++] = len;
}

/* A TCP super-frame of PAYLOAD bytes as a kernel with TSO hands it out. */
static size_t make_super_frame(uint8_t *f, int version, size_t payload)
{
	size_t l3 = 14, l4 = version == 4 ? 34 : 54, len = l4 + 20 + payload;
	memset(f, 0, len);
	f[12] = version == 4 ? 0x08 : 0x86;
	f[13] = version == 4 ? 0x00 : 0xdd;
	if (version == 4) {
		f[l3] = 0x45;
		f[l3 + 2] = (uint8_t)((len - l3) >> 8);
		f[l3 + 3] = (uint8_t)(len - l3);
		f[l3 + 4] = 0x12, f[l3 + 5] = 0x34; /* IP id */
		f[l3 + 8] = 64;
		f[l3 + 9] = 6;
		f[l3 + 12] = 10, f[l3 + 15] = 1;
		f[l3 + 16] = 10, f[l3 + 19] = 2;
	} else {
		f[l3] = 0x60;
		f[l3 + 4] = (uint8_t)((len - l3 - 40) >> 8);
		f[l3 + 5] = (uint8_t)(len - l3 - 40);
		f[l3 + 6] = 6;
		f[l3 + 7] = 64;
		f[l3 + 8] = 0xfd, f[l3 + 23] = 1;
		f[l3 + 24] = 0xfd, f[l3 + 39] = 2;
	}
	f[l4 + 4] = 0xff, f[l4 + 5] = 0xff, f[l4 + 6] = 0xff, f[l4 + 7] = 0x00; /* seq wraps */
	f[l4 + 12] = 5 << 4;
	f[l4 + 13] = 0x80 | 0x10 | 0x08 | 0x01; /* CWR ACK PSH FIN */
	for (size_t i = 0; i < payload; i++)
		f[l4 + 20 + i] = (uint8_t)(i * 7);
	return len;
}

static void check_segmentation(int version)
{
	static uint8_t f[4000], scratch[1600];
	static struct segments s;
	size_t l3 = 14, l4 = version == 4 ? 34 : 54;
	size_t len = make_super_frame(f, version, 2500);
	struct vnet_hdr h = { .flags = VNET_F_NEEDS_CSUM,
		              .gso_type = version == 4 ? VNET_GSO_TCPV4 : VNET_GSO_TCPV6,
		              .gso_size = 1000,
		              .csum_start = (uint16_t)l4,
		              .csum_offset = 16 };

	memset(&s, 0, sizeof(s));
	assert_int_equal(vnet_segment(f, len, &h, scratch, sizeof(scratch), collect, &s), 0);
	assert_int_equal(s.n, 3);
	for (int i = 0; i < 3; i++) {
		const uint8_t *g = s.data[i];
		size_t chunk = i < 2 ? 1000 : 500;
		uint32_t seq = (uint32_t)g[l4 + 4] << 24 | (uint32_t)g[l4 + 5] << 16 |
		               (uint32_t)g[l4 + 6] << 8 | g[l4 + 7];

		assert_int_equal(s.len[i], l4 + 20 + chunk);
		assert_memory_equal(g + l4 + 20, f + l4 + 20 + 1000 * (size_t)i, chunk);
		assert_int_equal(seq, 0xffffff00u + 1000u * (uint32_t)i);
		assert_int_equal(tcp_verify(g, s.len[i], l3, l4, version), 0);
		if (version == 4) {
			assert_int_equal(g[l3 + 2] << 8 | g[l3 + 3], s.len[i] - l3);
			assert_int_equal(g[l3 + 4] << 8 | g[l3 + 5], 0x1234 + i);
			assert_int_equal(ip_verify(g + l3), 0);
		} else {
			assert_int_equal(g[l3 + 4] << 8 | g[l3 + 5], s.len[i] - l3 - 40);
		}
		/* FIN and PSH only on the last segment, CWR only on the first */
		assert_int_equal(!!(g[l4 + 13] & 0x01), i == 2);
		assert_int_equal(!!(g[l4 + 13] & 0x08), i == 2);
		assert_int_equal(!!(g[l4 + 13] & 0x80), i == 0);
		assert_true(g[l4 + 13] & 0x10);
	}
}

static void test_segment_tcp4(void **state)
{
	(void)state;
	check_segmentation(4);
}

static void test_segment_tcp6(void **state)
{
	(void)state;
	check_segmentation(6);
}

static void test_segment_refuses_mismatched_headers(void **state)
{
	(void)state;
	static uint8_t f[4000], scratch[1600];
	static struct segments s;
	size_t len = make_super_frame(f, 4, 2500);
	struct vnet_hdr h = { .flags = 1,
		              .gso_type = VNET_GSO_TCPV6,
		              .gso_size = 1000,
		              .csum_start = 34,
		              .csum_offset = 16 };

	memset(&s, 0, sizeof(s));
	/* the vnet header says IPv6, the frame is IPv4 */
	assert_int_equal(vnet_segment(f, len, &h, scratch, sizeof(scratch), collect, &s), -EINVAL);
	/* the transport header is not where csum_start says */
	h.gso_type = VNET_GSO_TCPV4;
	h.csum_start = 38;
	assert_int_equal(vnet_segment(f, len, &h, scratch, sizeof(scratch), collect, &s), -EINVAL);
	/* not TCP */
	h.csum_start = 34;
	f[14 + 9] = 17;
	assert_int_equal(vnet_segment(f, len, &h, scratch, sizeof(scratch), collect, &s), -EINVAL);
	/* a segment larger than the scratch buffer */
	f[14 + 9] = 6;
	h.gso_size = 1600;
	assert_int_equal(vnet_segment(f, len, &h, scratch, sizeof(scratch), collect, &s), -EINVAL);
	assert_int_equal(s.n, 0);
}

/* A TCP super-frame cut for a smaller MTU: every segment an IP packet of at most the MTU. */
static void test_gso_size_for_mtu(void **state)
{
	(void)state;
	static uint8_t f[12000];
	size_t len = make_super_frame(f, 4, 9000);
	struct vnet_hdr h = { .flags = VNET_F_NEEDS_CSUM,
		              .gso_type = VNET_GSO_TCPV4,
		              .gso_size = 8960,
		              .csum_start = 34,
		              .csum_offset = 16 };

	/* IPv4 + TCP headers are 40 bytes: 1460 fits a 1500 MTU, 8960 fits 9000 as it is */
	assert_int_equal(vnet_gso_size_for_mtu(f, len, &h, 1500), 1460);
	assert_int_equal(vnet_gso_size_for_mtu(f, len, &h, 9000), 8960);
	assert_int_equal(vnet_gso_size_for_mtu(f, len, &h, 65535), 8960);
	/* TCP options (timestamps: a 32-byte header) leave 1448 */
	f[34 + 12] = 8 << 4;
	assert_int_equal(vnet_gso_size_for_mtu(f, len, &h, 1500), 1448);
	/* no room for payload, or a TCP header that claims less than 20 bytes */
	assert_int_equal(vnet_gso_size_for_mtu(f, len, &h, 52), -EINVAL);
	assert_int_equal(vnet_gso_size_for_mtu(f, len, &h, 53), 1);
	f[34 + 12] = 4 << 4;
	assert_int_equal(vnet_gso_size_for_mtu(f, len, &h, 1500), -EINVAL);
	f[34 + 12] = 5 << 4;
	/* the transport header is not after the IP header, or the frame is cut short */
	h.csum_start = 20;
	assert_int_equal(vnet_gso_size_for_mtu(f, len, &h, 1500), -EINVAL);
	h.csum_start = 34;
	assert_int_equal(vnet_gso_size_for_mtu(f, 50, &h, 1500), -EINVAL);

	/* IPv6: 40 + 20 bytes of headers */
	len = make_super_frame(f, 6, 9000);
	h.gso_type = VNET_GSO_TCPV6;
	h.csum_start = 54;
	assert_int_equal(vnet_gso_size_for_mtu(f, len, &h, 1500), 1440);
	/* a non-IP frame */
	f[12] = 0x08, f[13] = 0x06;
	assert_int_equal(vnet_gso_size_for_mtu(f, len, &h, 1500), -EINVAL);
}

/* Segmenting at the size vnet_gso_size_for_mtu() gives yields frames of at most MTU + 14. */
static void test_segment_at_smaller_mtu(void **state)
{
	(void)state;
	static uint8_t f[4000], scratch[1600];
	static struct segments s;
	size_t len = make_super_frame(f, 4, 2500);
	struct vnet_hdr h = { .flags = VNET_F_NEEDS_CSUM,
		              .gso_type = VNET_GSO_TCPV4,
		              .gso_size = 1460,
		              .csum_start = 34,
		              .csum_offset = 16 };
	int gso_size = vnet_gso_size_for_mtu(f, len, &h, 576);

	assert_int_equal(gso_size, 536);
	h.gso_size = (uint16_t)gso_size;
	memset(&s, 0, sizeof(s));
	assert_int_equal(vnet_segment(f, len, &h, scratch, sizeof(scratch), collect, &s), 0);
	assert_int_equal(s.n, 5); /* 4 x 536 + 356 */
	for (int i = 0; i < s.n; i++) {
		assert_true(s.len[i] <= 14 + 576);
		assert_int_equal(tcp_verify(s.data[i], s.len[i], 14, 34, 4), 0);
		assert_int_equal(ip_verify(s.data[i] + 14), 0);
	}
	assert_int_equal(s.len[0], 14 + 576);
	assert_int_equal(s.len[4], 54 + 2500 - 4 * 536);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_is_little_endian),
		cmocka_unit_test(test_check_accepts_kernel_like_headers),
		cmocka_unit_test(test_check_refuses_hostile_headers),
		cmocka_unit_test(test_check_gso_floor_and_segment_bound),
		cmocka_unit_test(test_complete_csum_matches_full_checksum),
		cmocka_unit_test(test_segment_tcp4),
		cmocka_unit_test(test_segment_tcp6),
		cmocka_unit_test(test_segment_refuses_mismatched_headers),
		cmocka_unit_test(test_gso_size_for_mtu),
		cmocka_unit_test(test_segment_at_smaller_mtu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
