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
	static const struct {
		struct vnet_hdr h;
		size_t len;
	} bad[] = {
		/* GSO without NEEDS_CSUM */
		{ { .gso_type = VNET_GSO_TCPV4, .gso_size = 1448 }, 3000 },
		/* UDP (UFO) and unknown types */
		{ { .flags = 1,
		    .gso_type = 3,
		    .gso_size = 1448,
		    .csum_start = 34,
		    .csum_offset = 6 },
		  3000 },
		{ { .flags = 1,
		    .gso_type = 5,
		    .gso_size = 1448,
		    .csum_start = 34,
		    .csum_offset = 6 },
		  3000 },
		/* gso_size 0 and above the MTU */
		{ { .flags = 1, .gso_type = 1, .gso_size = 0, .csum_start = 34, .csum_offset = 16 },
		  3000 },
		{ { .flags = 1,
		    .gso_type = 1,
		    .gso_size = 9000,
		    .csum_start = 34,
		    .csum_offset = 16 },
		  30000 },
		/* checksum beyond the frame, or inside the Ethernet header */
		{ { .flags = 1, .csum_start = 90, .csum_offset = 16 }, 100 },
		{ { .flags = 1, .csum_start = 2, .csum_offset = 6 }, 100 },
		{ { .flags = 1, .csum_start = 34, .csum_offset = 0xffff }, 100 },
		/* unknown flags */
		{ { .flags = 0x10 }, 100 },
		/* oversize: plain frame above max_frame, GSO frame above 64 KB */
		{ { 0 }, 1519 },
		{ { .flags = 1,
		    .gso_type = 1,
		    .gso_size = 1448,
		    .csum_start = 34,
		    .csum_offset = 16 },
		  VNET_MAX_FRAME + 1 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vnet_hdr h = bad[i].h;
		const char *why = NULL;
		assert_int_equal(vnet_hdr_check(&h, bad[i].len, 1518, 1500, &why), -EINVAL);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_is_little_endian),
		cmocka_unit_test(test_check_accepts_kernel_like_headers),
		cmocka_unit_test(test_check_refuses_hostile_headers),
		cmocka_unit_test(test_complete_csum_matches_full_checksum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
