// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl_table: `l2vpn --ctl ... status` as tables, for a server (layout 2) and a client. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_table.h"

static void test_server(void **state)
{
	static const char text[] =
	    "TITLE,l2vpn 0.1.0\n"
	    "TIME,2025-01-31 12:00:00,1738324800\n"
	    "HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,"
	    "Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username,Client ID,"
	    "Peer ID,Data Channel Cipher\n"
	    "CLIENT_LIST,site-b,198.51.100.7:40112,,,123456,654321,2025-01-31 12:02:10,1738324930,"
	    "UNDEF,3,3,TLS_AES_256_GCM_SHA384\n"
	    "CLIENT_LIST,c,2001:db8::1,,,0,1,2025-01-30 12:00:00,1738238400,UNDEF,14,14,None\n"
	    "HEADER,ROUTING_TABLE,Virtual Address,Common Name,Real Address,Last Ref,Last Ref "
	    "(time_t)\n"
	    "ROUTING_TABLE,52:54:00:aa:bb:cc@0,site-b,198.51.100.7:40112,2025-01-31 11:59:58,"
	    "1738324798\n"
	    "GLOBAL_STATS,Max bcast/mcast queue length,0\n"
	    "GLOBAL_STATS,MAC table entries,5\n"
	    "GLOBAL_STATS,dco_enabled,0\n"
	    "END\n";
	char *out = NULL;

	(void)state;
	assert_int_equal(ctl_status_table(text, &out), 0);
	assert_string_equal(
	    out, "l2vpn 0.1.0, updated 2025-01-31 12:00:00\n"
	         "Sites connected: 2\n"
	         "  SITE (CN)  REAL ADDRESS        BYTES IN  BYTES OUT  CONNECTED SINCE      ID\n"
	         "  site-b     198.51.100.7:40112  123456    654321     2025-01-31 12:02:10  3\n"
	         "  c          2001:db8::1         0         1          2025-01-30 12:00:00  14\n"
	         "MAC addresses learned behind them: 1\n"
	         "  MAC                  SITE (CN)  REAL ADDRESS        LAST SEEN\n"
	         "  52:54:00:aa:bb:cc@0  site-b     198.51.100.7:40112  2025-01-31 11:59:58\n"
	         "Max bcast/mcast queue length: 0\n"
	         "MAC table entries: 5\n");
	free(out);
}

static void test_server_without_sites(void **state)
{
	static const char text[] = "TITLE,l2vpn 0.1.0\nTIME,t,1\n"
	                           "HEADER,CLIENT_LIST,Common Name,Real Address\n"
	                           "HEADER,ROUTING_TABLE,Virtual Address,Common Name\nEND\n";
	char *out = NULL;

	(void)state;
	assert_int_equal(ctl_status_table(text, &out), 0);
	assert_string_equal(out, "l2vpn 0.1.0, updated t\nSites connected: 0\n"
	                         "MAC addresses learned behind them: 0\n");
	free(out);
}

static void test_client(void **state)
{
	static const char text[] = "OpenVPN STATISTICS\n"
	                           "Updated,2025-01-31 12:00:00\n"
	                           "TUN/TAP read bytes,10\n"
	                           "TCP/UDP read bytes,12345\n"
	                           "END\n";
	char *out = NULL;

	(void)state;
	assert_int_equal(ctl_status_table(text, &out), 0);
	assert_string_equal(out, "client statistics, updated 2025-01-31 12:00:00\n"
	                         "  COUNTER             VALUE\n"
	                         "  TUN/TAP read bytes  10\n"
	                         "  TCP/UDP read bytes  12345\n");
	free(out);
}

static void test_other_text(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(ctl_status_table("OpenVPN CLIENT LIST\nEND\n", &out), -EINVAL);
	assert_null(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_server_without_sites),
		cmocka_unit_test(test_client),
		cmocka_unit_test(test_other_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
