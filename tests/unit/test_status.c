// SPDX-License-Identifier: GPL-2.0-or-later
/* status: exact OpenVPN status layouts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "status.h"

#define T_NOW   1738324800 /* 2025-01-31 12:00:00 UTC */
#define T_CONN  1738324930 /* 2025-01-31 12:02:10 UTC */
#define T_REF   1738324798 /* 2025-01-31 11:59:58 UTC */
#define T_CONN2 1738238400 /* 2025-01-30 12:00:00 UTC */

static const struct status_client clients[] = {
	{ "site-b", "198.51.100.7:40112", 123456, 654321, T_CONN, 3, 0, "TLS_AES_256_GCM_SHA384" },
	{ NULL, "2001:db8::1", 0, 18446744073709551615ull, T_CONN2, 4, 1, NULL },
};

static const struct status_route routes[] = {
	{ { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }, 0, "site-b", "198.51.100.7:40112", T_REF },
	/* tagged: OpenVPN writes the VLAN after the '@' */
	{ { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0f }, 4094, NULL, "2001:db8::1", T_NOW },
};

static const struct status_server server = {
	.now = T_NOW,
	.clients = clients,
	.n_clients = 2,
	.routes = routes,
	.n_routes = 2,
	.max_bcast_queue = 3,
	.mac_entries = 5,
	.mac_orphans = 1,
	.sites_blocked = 1,
	.flap_blocks = 2,
	.storm_dropped = 123456789012ull,
	.title = "l2vpn 0.1.0",
};

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void test_server_v1(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(status_format_server(&server, 1, &out), 0);
	assert_string_equal(out,
	                    "OpenVPN CLIENT LIST\n"
	                    "Updated,2025-01-31 12:00:00\n"
	                    "Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n"
	                    "site-b,198.51.100.7:40112,123456,654321,2025-01-31 12:02:10\n"
	                    "UNDEF,2001:db8::1,0,18446744073709551615,2025-01-30 12:00:00\n"
	                    "ROUTING TABLE\n"
	                    "Virtual Address,Common Name,Real Address,Last Ref\n"
	                    "52:54:00:aa:bb:cc@0,site-b,198.51.100.7:40112,2025-01-31 11:59:58\n"
	                    "02:00:00:00:00:0f@4094,UNDEF,2001:db8::1,2025-01-31 12:00:00\n"
	                    "GLOBAL STATS\n"
	                    "Max bcast/mcast queue length,3\n"
	                    "MAC table entries,5\n"
	                    "MAC table entries without a session,1\n"
	                    "Sites blocked by loop protection,1\n"
	                    "Loop protection blocks,2\n"
	                    "Frames dropped by storm control,123456789012\n"
	                    "END\n");
	free(out);
}

static void test_server_v1_empty(void **state)
{
	struct status_server empty = { .now = T_NOW };
	char *out = NULL;

	(void)state;
	assert_int_equal(status_format_server(&empty, 1, &out), 0);
	assert_string_equal(out,
	                    "OpenVPN CLIENT LIST\n"
	                    "Updated,2025-01-31 12:00:00\n"
	                    "Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n"
	                    "ROUTING TABLE\n"
	                    "Virtual Address,Common Name,Real Address,Last Ref\n"
	                    "GLOBAL STATS\n"
	                    "Max bcast/mcast queue length,0\n"
	                    "MAC table entries,0\n"
	                    "MAC table entries without a session,0\n"
	                    "Sites blocked by loop protection,0\n"
	                    "Loop protection blocks,0\n"
	                    "Frames dropped by storm control,0\n"
	                    "END\n");
	free(out);
}

static const char expected_v2[] =
    "TITLE,l2vpn 0.1.0\n"
    "TIME,2025-01-31 12:00:00,1738324800\n"
    "HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,"
    "Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username,Client ID,"
    "Peer ID,Data Channel Cipher\n"
    "CLIENT_LIST,site-b,198.51.100.7:40112,,,123456,654321,2025-01-31 12:02:10,1738324930,"
    "UNDEF,3,0,TLS_AES_256_GCM_SHA384\n"
    "CLIENT_LIST,UNDEF,2001:db8::1,,,0,18446744073709551615,2025-01-30 12:00:00,1738238400,"
    "UNDEF,4,1,None\n"
    "HEADER,ROUTING_TABLE,Virtual Address,Common Name,Real Address,Last Ref,"
    "Last Ref (time_t)\n"
    "ROUTING_TABLE,52:54:00:aa:bb:cc@0,site-b,198.51.100.7:40112,2025-01-31 11:59:58,"
    "1738324798\n"
    "ROUTING_TABLE,02:00:00:00:00:0f@4094,UNDEF,2001:db8::1,2025-01-31 12:00:00,1738324800\n"
    "GLOBAL_STATS,Max bcast/mcast queue length,3\n"
    "GLOBAL_STATS,MAC table entries,5\n"
    "GLOBAL_STATS,MAC table entries without a session,1\n"
    "GLOBAL_STATS,Sites blocked by loop protection,1\n"
    "GLOBAL_STATS,Loop protection blocks,2\n"
    "GLOBAL_STATS,Frames dropped by storm control,123456789012\n"
    "GLOBAL_STATS,dco_enabled,0\n"
    "END\n";

static void test_server_v2(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(status_format_server(&server, 2, &out), 0);
	assert_string_equal(out, expected_v2);
	free(out);
}

/* Version 3 is version 2 with TABs: the same text with every ',' turned into '\t' (no field
 * of the test data contains a comma). */
static void test_server_v3(void **state)
{
	char *out = NULL, expected[sizeof(expected_v2)];

	(void)state;
	memcpy(expected, expected_v2, sizeof(expected));
	for (char *p = expected; *p; p++)
		if (*p == ',')
			*p = '\t';
	assert_int_equal(status_format_server(&server, 3, &out), 0);
	assert_string_equal(out, expected);
	assert_non_null(strstr(out, "TIME\t2025-01-31 12:00:00\t1738324800\n"));
	free(out);
}

/* Common names come from peer certificates: whatever bytes they hold, every row keeps its
 * columns and no row is added. */
static const struct status_client hostile_clients[] = {
	{ "evil\nHEADER,CLIENT_LIST,forged", "198.51.100.7:1", 1, 2, T_CONN, 1, 0, "x,y" },
	{ "a,b\r\tc\x7f", "198.51.100.8:2", 3, 4, T_CONN, 2, 0, NULL },
	{ "Z\xc3\xbcrich\x1b[2J", "198.51.100.9:3", 5, 6, T_CONN, 3, 0, NULL },
};

static const struct status_route hostile_routes[] = {
	{ { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc },
	  0,
	  "evil\nHEADER,CLIENT_LIST,forged",
	  "x,y\n",
	  T_REF },
};

static size_t count_char(const char *s, char ch)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == ch;
	return n;
}

static void test_server_hostile_cn(void **state)
{
	const struct status_server s = {
		.now = T_NOW,
		.clients = hostile_clients,
		.n_clients = 3,
		.routes = hostile_routes,
		.n_routes = 1,
		.title = "l2vpn\n1,0",
	};
	char *out = NULL;

	(void)state;
	assert_int_equal(status_format_server(&s, 1, &out), 0);
	assert_string_equal(out,
	                    "OpenVPN CLIENT LIST\n"
	                    "Updated,2025-01-31 12:00:00\n"
	                    "Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n"
	                    "evil\\x0aHEADER_CLIENT_LIST_forged,198.51.100.7:1,1,2,"
	                    "2025-01-31 12:02:10\n"
	                    "a_b\\x0d\\x09c\\x7f,198.51.100.8:2,3,4,2025-01-31 12:02:10\n"
	                    "Z\\xc3\\xbcrich\\x1b[2J,198.51.100.9:3,5,6,2025-01-31 12:02:10\n"
	                    "ROUTING TABLE\n"
	                    "Virtual Address,Common Name,Real Address,Last Ref\n"
	                    "52:54:00:aa:bb:cc@0,evil\\x0aHEADER_CLIENT_LIST_forged,x_y\\x0a,"
	                    "2025-01-31 11:59:58\n"
	                    "GLOBAL STATS\n"
	                    "Max bcast/mcast queue length,0\n"
	                    "MAC table entries,0\n"
	                    "MAC table entries without a session,0\n"
	                    "Sites blocked by loop protection,0\n"
	                    "Loop protection blocks,0\n"
	                    "Frames dropped by storm control,0\n"
	                    "END\n");
	free(out);

	/* Layouts 2 and 3: the same number of lines as with tame names, and every CLIENT_LIST row
	 * has its 13 separators. */
	for (int version = 2; version <= 3; version++) {
		char sep = version == 2 ? ',' : '\t';
		char *line, *save = NULL;
		size_t rows = 0;

		assert_int_equal(status_format_server(&s, version, &out), 0);
		/* TITLE, TIME, HEADER, 3 clients, HEADER, 1 route, 7 GLOBAL_STATS, END */
		assert_int_equal(count_char(out, '\n'), 16);
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (strncmp(line, "CLIENT_LIST", 11) == 0) {
				assert_int_equal(count_char(line, sep), 12);
				rows++;
			}
			if (strncmp(line, "TITLE", 5) == 0)
				assert_int_equal(count_char(line, sep), 1);
		}
		assert_int_equal(rows, 3);
		free(out);
	}
}

static void test_server_bad_version(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(status_format_server(&server, 0, &out), -EINVAL);
	assert_int_equal(status_format_server(&server, 4, &out), -EINVAL);
	assert_null(out);
}

static void test_server_default_title(void **state)
{
	struct status_server s = { .now = T_NOW };
	char *out = NULL;

	(void)state;
	assert_int_equal(status_format_server(&s, 2, &out), 0);
	assert_true(strncmp(out, "TITLE,l2vpn\nTIME,", 17) == 0);
	free(out);
}

static void test_p2p(void **state)
{
	struct status_p2p p = { .now = T_NOW,
		                .tap_read = 1000,
		                .tap_write = 2000,
		                .link_read = 3000,
		                .link_write = 4000,
		                .auth_read = 2900 };
	char *out = NULL;

	(void)state;
	assert_int_equal(status_format_p2p(&p, &out), 0);
	assert_string_equal(out, "OpenVPN STATISTICS\n"
	                         "Updated,2025-01-31 12:00:00\n"
	                         "TUN/TAP read bytes,1000\n"
	                         "TUN/TAP write bytes,2000\n"
	                         "TCP/UDP read bytes,3000\n"
	                         "TCP/UDP write bytes,4000\n"
	                         "Auth read bytes,2900\n"
	                         "END\n");
	free(out);
	p.has_comp = true;
	p.pre_compress = 10;
	p.post_compress = 7;
	p.pre_decompress = 5;
	p.post_decompress = 9;
	assert_int_equal(status_format_p2p(&p, &out), 0);
	assert_string_equal(out, "OpenVPN STATISTICS\n"
	                         "Updated,2025-01-31 12:00:00\n"
	                         "TUN/TAP read bytes,1000\n"
	                         "TUN/TAP write bytes,2000\n"
	                         "TCP/UDP read bytes,3000\n"
	                         "TCP/UDP write bytes,4000\n"
	                         "Auth read bytes,2900\n"
	                         "pre-compress bytes,10\n"
	                         "post-compress bytes,7\n"
	                         "pre-decompress bytes,5\n"
	                         "post-decompress bytes,9\n"
	                         "END\n");
	free(out);
}

/* Local time is used: another zone shifts the printed times, not the time_t columns. */
static void test_local_time(void **state)
{
	char *out = NULL;

	(void)state;
	setenv("TZ", "CET-1", 1);
	tzset();
	assert_int_equal(status_format_server(&server, 2, &out), 0);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_non_null(strstr(out, "TIME,2025-01-31 13:00:00,1738324800\n"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_v1),
		cmocka_unit_test(test_server_v1_empty),
		cmocka_unit_test(test_server_v2),
		cmocka_unit_test(test_server_v3),
		cmocka_unit_test(test_server_hostile_cn),
		cmocka_unit_test(test_server_bad_version),
		cmocka_unit_test(test_server_default_title),
		cmocka_unit_test(test_p2p),
		cmocka_unit_test(test_local_time),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
