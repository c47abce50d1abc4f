// SPDX-License-Identifier: GPL-2.0-or-later
/* metrics: the JSON document and the Prometheus text, every field, and names that try to break
 * them (quotes, backslashes, newlines, control bytes, UTF-8 and bytes that are not UTF-8). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics.h"
#include "utf8.h"

#define T_NOW  1738324800
#define T_CONN 1738324700

/* A name a certificate could carry: quote, backslash, newline, tab, a control byte, "é"
 * (UTF-8), a 4-byte code point (U+1F600) and a byte that is not UTF-8 (0xff). */
static const char evil_cn[] = "a\"b\\c\nd\te\x01 \xc3\xa9 \xf0\x9f\x98\x80 \xff!";

static const struct metrics_site sites[] = {
	{
	    .common_name = "site-b",
	    .real_address = "198.51.100.7:40112",
	    .port = 1,
	    .connected_since = T_CONN,
	    .link_read = 1001,
	    .link_write = 1002,
	    .frames_in = 11,
	    .frames_out = 12,
	    .bytes_in = 1301,
	    .bytes_out = 1302,
	    .send_queue = 4096,
	    .send_queue_limit = 131072,
	    .drops_queue_full = 21,
	    .drops_gso = 22,
	    .drops_oversize_out = 23,
	    .drops_oversize_in = 24,
	    .gso_recut = 25,
	    .key_updates = 3,
	    .macs = 2,
	    .storm_dropped = { 26, 27, 28 },
	    .blocked = true,
	    .blocks = 4,
	    .tls_version = "TLSv1.3",
	    .cipher = "TLS_AES_256_GCM_SHA384",
	    .compression = true,
	    .offloads = false,
	},
	{
	    .common_name = evil_cn,
	    .real_address = "2001:db8::1",
	    .port = 2,
	    .connected_since = T_NOW,
	},
};

static const struct metrics_mac macs[] = {
	{ { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }, 0, 1, "site-b", 7 },
	{ { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0f }, 4094, 0, NULL, 0 },
};

static const struct metrics_snapshot snap = {
	.version = "0.1.0",
	.server = true,
	.dev = "tap0",
	.now = T_NOW,
	.uptime = 3600,
	.sites = sites,
	.n_sites = 2,
	.macs = macs,
	.n_macs = 2,
	.mac_entries = 3,
	.mac_orphans = 1,
	.counters = { 31,
	              32,
	              33,
	              34,
	              35,
	              36,
	              37,
	              38,
	              39,
	              40,
	              41,
	              42,
	              43,
	              { 44, 45, 46 },
	              47,
	              48,
	              49,
	              50 },
	.preauth = { 2, 51, 52, 53, 54, 55, 56, 57 },
};

static void test_json_every_field(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(metrics_json(&snap, &out), 0);
	assert_string_equal(
	    out, "{\"version\":\"0.1.0\",\"role\":\"server\",\"dev\":\"tap0\",\"time\":1738324800,"
	         "\"uptime\":3600,\"sites\":["
	         "{\"common_name\":\"site-b\",\"real_address\":\"198.51.100.7:40112\",\"port\":1,"
	         "\"connected_since\":1738324700,\"connected_seconds\":100,"
	         "\"bytes_received\":1001,\"bytes_sent\":1002,\"frames_received\":11,"
	         "\"frames_sent\":12,\"frame_bytes_received\":1301,\"frame_bytes_sent\":1302,"
	         "\"send_queue_bytes\":4096,\"send_queue_limit_bytes\":131072,"
	         "\"drops\":{\"queue_full\":21,\"gso\":22,\"oversize_out\":23,\"oversize_in\":24},"
	         "\"gso_recut\":25,\"key_updates\":3,\"macs\":2,"
	         "\"storm_dropped\":{\"broadcast\":26,\"multicast\":27,\"unknown_unicast\":28},"
	         "\"blocked\":true,\"blocks\":4,\"tls_version\":\"TLSv1.3\","
	         "\"cipher\":\"TLS_AES_256_GCM_SHA384\",\"compression\":true,\"offloads\":false},"
	         "{\"common_name\":\"a\\\"b\\\\c\\nd\\te\\u0001 \\u00e9 \\ud83d\\ude00 \\ufffd!\","
	         "\"real_address\":\"2001:db8::1\",\"port\":2,\"connected_since\":1738324800,"
	         "\"connected_seconds\":0,\"bytes_received\":0,\"bytes_sent\":0,"
	         "\"frames_received\":0,\"frames_sent\":0,\"frame_bytes_received\":0,"
	         "\"frame_bytes_sent\":0,\"send_queue_bytes\":0,\"send_queue_limit_bytes\":0,"
	         "\"drops\":{\"queue_full\":0,\"gso\":0,\"oversize_out\":0,\"oversize_in\":0},"
	         "\"gso_recut\":0,\"key_updates\":0,\"macs\":0,"
	         "\"storm_dropped\":{\"broadcast\":0,\"multicast\":0,\"unknown_unicast\":0},"
	         "\"blocked\":false,\"blocks\":0,\"tls_version\":null,\"cipher\":null,"
	         "\"compression\":false,\"offloads\":false}],"
	         "\"mac_table\":{\"entries\":3,\"without_session\":1,\"macs\":["
	         "{\"mac\":\"52:54:00:aa:bb:cc\",\"vlan\":0,\"port\":1,\"common_name\":\"site-b\","
	         "\"age\":7},"
	         "{\"mac\":\"02:00:00:00:00:0f\",\"vlan\":4094,\"port\":0,\"common_name\":null,"
	         "\"age\":0}]},"
	         "\"counters\":{\"tap_read_bytes\":31,\"tap_written_bytes\":32,"
	         "\"tap_dropped_frames\":33,\"tap_refused_frames\":34,\"bad_frames\":35,"
	         "\"segmented_frames\":36,\"bytes_received\":37,\"bytes_sent\":38,"
	         "\"drops\":{\"queue_full\":39,\"gso\":40,\"oversize_out\":41,\"oversize_in\":42},"
	         "\"gso_recut\":43,"
	         "\"tap_storm_dropped\":{\"broadcast\":44,\"multicast\":45,\"unknown_unicast\":46},"
	         "\"switch_dropped\":{\"bad_source\":47,\"blocked\":48,\"same_side\":49},"
	         "\"flap_blocks\":50},"
	         "\"preauth\":{\"pending\":2,\"accepted\":51,\"handshakes_failed\":52,"
	         "\"refused\":{\"per_source\":53,\"evicted\":54,\"fd_limit\":55,\"max_clients\":56,"
	         "\"timeout\":57}}}\n");
	free(out);
}

static void test_json_client_without_sites(void **state)
{
	struct metrics_snapshot s = { .version = "0.1.0", .dev = "tap0", .now = T_NOW };
	char *out = NULL;

	(void)state;
	assert_int_equal(metrics_json(&s, &out), 0);
	assert_non_null(strstr(out, "\"role\":\"client\""));
	assert_non_null(strstr(out, "\"sites\":[]"));
	assert_non_null(strstr(out, "\"mac_table\":{\"entries\":0,\"without_session\":0,"
	                            "\"macs\":[]}"));
	free(out);
}

/* The escaped string for LEN bytes of S. */
static char *json_str(const char *s, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	metrics_json_string(f, s, len);
	fclose(f);
	return buf;
}

static void test_json_string_escapes(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "", 0, "\"\"" },
		{ "plain", 5, "\"plain\"" },
		{ "\"\\/", 3, "\"\\\"\\\\/\"" },
		{ "\r\n\t\b\x1f\x7f", 6, "\"\\r\\n\\t\\u0008\\u001f\\u007f\"" },
		{ "nul\0in", 6, "\"nul\\u0000in\"" },
		{ "\xc3\xa9\xe2\x82\xac", 5, "\"\\u00e9\\u20ac\"" },
		{ "\xf4\x8f\xbf\xbf", 4, "\"\\udbff\\udfff\"" },
		/* Not UTF-8: a stray continuation byte, an overlong '/', a surrogate, a truncated
		 * sequence, a value above U+10FFFF. */
		{ "\x80", 1, "\"\\ufffd\"" },
		{ "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xe2\x82", 2, "\"\\ufffd\\ufffd\"" },
		{ "\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = json_str(cases[i].in, cases[i].len);
		assert_string_equal(out, cases[i].out);
		free(out);
	}
}

static char *prom_label(const char *s, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	metrics_prom_label(f, s, len);
	fclose(f);
	return buf;
}

static void test_prom_label_escapes(void **state)
{
	char *out;

	(void)state;
	out = prom_label(evil_cn, sizeof(evil_cn) - 1);
	assert_string_equal(out, "\"a\\\"b\\\\c\\nd\xef\xbf\xbd"
	                         "e\xef\xbf\xbd \xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbd!\"");
	free(out);
	out = prom_label("x\0y", 3);
	assert_string_equal(out, "\"x\xef\xbf\xbdy\"");
	free(out);
}

/* Every sample line's metric has HELP and TYPE lines before it, and a counter's name ends
 * in _total while nothing else's does; every name starts with l2vpn_. */
static void check_exposition(const char *text)
{
	char *copy = strdup(text), *save = NULL;
	char help[128] = "", type[128] = "", kind[16] = "";

	assert_non_null(copy);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];
		size_t n;

		if (sscanf(line, "# HELP %127s", help) == 1)
			continue;
		if (sscanf(line, "# TYPE %127s %15s", type, kind) == 2) {
			assert_string_equal(type, help);
			continue;
		}
		assert_true(line[0] != '#');
		n = strcspn(line, "{ ");
		assert_true(n < sizeof(name));
		memcpy(name, line, n);
		name[n] = '\0';
		assert_string_equal(name, type);
		assert_memory_equal(name, "l2vpn_", 6);
		n = strlen(name);
		if (strcmp(kind, "counter") == 0)
			assert_string_equal(name + n - 6, "_total");
		else
			assert_true(n < 6 || strcmp(name + n - 6, "_total") != 0);
	}
	free(copy);
}

static void test_prometheus(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(metrics_prometheus(&snap, &out), 0);
	check_exposition(out);
	assert_non_null(strstr(out,
	                       "# TYPE l2vpn_info gauge\n"
	                       "l2vpn_info{version=\"0.1.0\",role=\"server\",dev=\"tap0\"} 1\n"));
	assert_non_null(strstr(out, "\nl2vpn_uptime_seconds 3600\n"));
	/* the switch: storm control, loop protection and its drops by reason */
	assert_non_null(strstr(out, "\nl2vpn_site_storm_dropped_frames_total{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\",reason=\"broadcast\"} 26\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_blocked{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\"} 1\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_blocks_total{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\"} 4\n"));
	assert_non_null(strstr(out,
	                       "\nl2vpn_tap_storm_dropped_frames_total{kind=\"unknown_unicast\"}"
	                       " 46\n"));
	assert_non_null(
	    strstr(out, "\nl2vpn_switch_dropped_frames_total{reason=\"same_side\"} 49\n"));
	assert_non_null(strstr(out, "\nl2vpn_flap_blocks_total 50\n"));
	assert_non_null(strstr(out, "\nl2vpn_sites 2\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_received_bytes_total{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\"} 1001\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_sent_bytes_total{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\"} 1002\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_received_frames_total{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\"} 11\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_sent_frame_bytes_total{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\"} 1302\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_send_queue_bytes{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\"} 4096\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_dropped_frames_total{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\",reason=\"oversize_in\"} 24\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_key_updates_total{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\"} 3\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_connected_since_seconds{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\"} 1738324700\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_mac_entries{cn=\"site-b\","
	                            "address=\"198.51.100.7:40112\"} 2\n"));
	assert_non_null(strstr(out, "\nl2vpn_site_received_bytes_total{cn=\"a\\\"b\\\\c\\nd"));
	assert_non_null(strstr(out, "\nl2vpn_mac_table_entries 3\n"));
	assert_non_null(strstr(out, "\nl2vpn_mac_table_entries_without_session 1\n"));
	assert_non_null(strstr(out, "\nl2vpn_tap_read_bytes_total 31\n"));
	assert_non_null(strstr(out, "\nl2vpn_tap_written_bytes_total 32\n"));
	assert_non_null(strstr(out, "\nl2vpn_tap_dropped_frames_total 33\n"));
	assert_non_null(strstr(out, "\nl2vpn_tap_refused_frames_total 34\n"));
	assert_non_null(strstr(out, "\nl2vpn_bad_frames_total 35\n"));
	assert_non_null(strstr(out, "\nl2vpn_segmented_frames_total 36\n"));
	assert_non_null(strstr(out, "\nl2vpn_link_received_bytes_total 37\n"));
	assert_non_null(strstr(out, "\nl2vpn_link_sent_bytes_total 38\n"));
	assert_non_null(strstr(out, "\nl2vpn_dropped_frames_total{reason=\"queue_full\"} 39\n"));
	assert_non_null(strstr(out, "\nl2vpn_dropped_frames_total{reason=\"oversize_in\"} 42\n"));
	assert_non_null(strstr(out, "\nl2vpn_gso_recut_frames_total 43\n"));
	assert_non_null(strstr(out, "\nl2vpn_preauth_pending 2\n"));
	assert_non_null(strstr(out, "\nl2vpn_preauth_accepted_total 51\n"));
	assert_non_null(strstr(out, "\nl2vpn_preauth_handshakes_failed_total 52\n"));
	assert_non_null(strstr(out, "\nl2vpn_preauth_refused_total{reason=\"per_source\"} 53\n"));
	assert_non_null(strstr(out, "\nl2vpn_preauth_refused_total{reason=\"timeout\"} 57\n"));
	/* Nothing but the escapes of the label values breaks a line. */
	assert_null(strstr(out, "\n\n"));
	free(out);
}

static void test_prometheus_no_sites(void **state)
{
	struct metrics_snapshot s = { .version = "0.1.0", .dev = "tap0" };
	char *out = NULL;

	(void)state;
	assert_int_equal(metrics_prometheus(&s, &out), 0);
	check_exposition(out);
	assert_non_null(strstr(out, "\nl2vpn_sites 0\n"));
	assert_null(strstr(out, "cn="));
	free(out);
}

static void test_utf8_decode(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(utf8_decode((const uint8_t *)"A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode((const uint8_t *)"\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(utf8_decode((const uint8_t *)"\xe2\x82\xac", 2, &cp), 0);
	assert_int_equal(utf8_decode((const uint8_t *)"\xf8\x88\x80\x80\x80", 5, &cp), 0);
	assert_int_equal(utf8_decode((const uint8_t *)"\xe0\x80\xaf", 3, &cp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_every_field),
		cmocka_unit_test(test_json_client_without_sites),
		cmocka_unit_test(test_json_string_escapes),
		cmocka_unit_test(test_prom_label_escapes),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_prometheus_no_sites),
		cmocka_unit_test(test_utf8_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
